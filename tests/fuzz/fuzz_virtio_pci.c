// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the virtio-pci transport (virtio_pci.c, virtio.c)
 * with a virtio-rng device behind it: the input is a guest memory image
 * followed by 8-byte steps: accesses to BAR4 (common cfg, ISR, device
 * cfg, notify), to the MSI-X BAR and to config space, a scripted driver
 * init with fuzzed ring addresses, and queue notifications that make
 * virtio-rng walk the fuzzed ring. No KVM: a fake irq backend, no
 * ioeventfds. The machine is built once; after each input a system reset
 * must bring it back exactly to its state after the first reset
 * (checked), so no input sees another's leftovers. Single-threaded; also
 * run by replay.c over the corpus.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

#include "../unit/fake_irq.h"
#include "hw/bus.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci.h"
#include "hw/virtio/virtio_pci.h"
#include "hw/virtio/virtio_rng.h"
#include "mem/guest_mem.h"
#include "mem/memmap.h"
#include "util/log.h"

#include "fuzz.h"

#define RAM_GPA 0x100000ULL
#define RAM_SIZE 0x2000U	/* the image; ASan guards both ends */
#define MAX_STEPS 512
#define NR_VEC 2
#define MAX_REGIONS 8
#define MAX_ROUTES 64
#define REBUILD_EVERY 4096	/* inputs */

struct fixture {
	struct fake_irq fake;
	struct irq irq;
	struct memmap mm;
	struct bus pio, mmio;
	struct pci_bus pci;
	struct guest_mem gm;
	uint8_t *ram;
	struct virtio_rng rng;
	struct virtio_pci vp;
};

/*
 * What a system reset must restore, gathered after the first reset. The
 * rate limits only decide whether a message is printed: left out.
 */
struct snapshot {
	struct pci_bus pci;
	struct virtio_rng rng;
	struct virtio_pci vp;
	struct msix_vector vec[NR_VEC];
	uint64_t pba;
	struct irq irq;
	unsigned nr_routes;
	struct kvm_irq_routing_entry routes[MAX_ROUTES];
	unsigned nr_pio, nr_mmio;
	struct io_region pio[MAX_REGIONS], mmio[MAX_REGIONS];
};

enum op {
	OP_BAR_READ, OP_BAR_WRITE, OP_MSIX_READ, OP_MSIX_WRITE, OP_CFG_READ,
	OP_CFG_WRITE, OP_GO_LIVE, OP_NOTIFY, OP_PERIOD, OP_NR
};

struct step {
	uint8_t op;
	uint8_t size;
	uint16_t off;
	uint32_t val;
};

static const struct virtio_pci_config vp_cfg = {
	.type_name = "virtio-rng-pci", .class_code = 0xff0000,
	.devfn = PCI_DEVFN_AUTO, .vectors = NR_VEC, .vm_fd = -1,
};

/* Deterministic "entropy", so a crash replays. */
static ssize_t fuzz_entropy(void *buf, size_t len)
{
	memset(buf, 0xa5, len);
	return (ssize_t)len;
}

static int fixture_init(struct fixture *f)
{
	struct error err = { 0 };

	memset(f, 0, sizeof(*f));
	f->ram = calloc(1, RAM_SIZE);
	if (!f->ram || guest_mem_add(&f->gm, "ram", RAM_GPA, RAM_SIZE, f->ram))
		return -1;
	if (irq_init(&f->irq, &fake_irq_ops, &f->fake) ||
	    memmap_init(&f->mm, 128 * MiB, 0, 40, &err))
		return -1;
	bus_init(&f->pio, "pio");
	bus_init(&f->mmio, "mmio");
	if (pci_bus_init(&f->pci, &f->pio, &f->mmio, &f->irq, &f->mm))
		return -1;
	/* A small quota so the rate limit path runs too. */
	virtio_rng_init(&f->rng, &f->gm, 4096, 1000);
	f->rng.entropy = fuzz_entropy;
	if (virtio_pci_init(&f->vp, &f->rng.vdev, &vp_cfg) ||
	    virtio_pci_plug(&f->vp, &f->pci, &vp_cfg, &err) ||
	    pci_bus_assign_bars(&f->pci, &err))
		return -1;
	return 0;
}

static void fixture_destroy(struct fixture *f)
{
	virtio_pci_unplug(&f->vp);
	pci_bus_destroy(&f->pci);
	bus_destroy(&f->pio);
	bus_destroy(&f->mmio);
	irq_destroy(&f->irq);
	free(f->ram);
}

static void snapshot_take(const struct fixture *f, struct snapshot *s)
{
	const struct kvm_irq_routing *t = f->irq.table;
	const struct msix *msix = f->vp.pci.msix;

	memset(s, 0, sizeof(*s));
	s->pci = f->pci;
	s->pci.rl = (struct ratelimit){ 0 };
	s->rng = f->rng;
	s->rng.rl = s->rng.vdev.rl = (struct ratelimit){ 0 };
	s->vp = f->vp;
	s->vp.rl = (struct ratelimit){ 0 };
	memcpy(s->vec, msix->vectors, sizeof(s->vec));
	s->pba = msix->pba[0];
	s->irq = f->irq;
	s->irq.rl = (struct ratelimit){ 0 };
	s->nr_routes = t->nr;
	CHECK(t->nr <= MAX_ROUTES);
	memcpy(s->routes, t->entries, t->nr * sizeof(t->entries[0]));
	s->nr_pio = f->pio.nr_regions;
	s->nr_mmio = f->mmio.nr_regions;
	CHECK(s->nr_pio <= MAX_REGIONS && s->nr_mmio <= MAX_REGIONS);
	/* A bus with no regions has no array either. */
	if (s->nr_pio)
		memcpy(s->pio, f->pio.regions, s->nr_pio * sizeof(s->pio[0]));
	if (s->nr_mmio)
		memcpy(s->mmio, f->mmio.regions,
		       s->nr_mmio * sizeof(s->mmio[0]));
}

/*
 * A system reset as vm_reset_pci() does it (the virtio-pci reset hook
 * resets the transport and the device), plus what a fresh machine would
 * have and that reset leaves alone: a full virtio-rng quota (a timer
 * refills it in the VMM), and the MSI routes in the irq table (each
 * vector's route is stale after the reset and rewritten before use; only
 * whether that push is skipped as unchanged depends on the leftover).
 */
static void fixture_reset(struct fixture *f, const struct snapshot *first)
{
	struct error err = { 0 };

	pci_bus_reset(&f->pci);
	CHECK(pci_bus_assign_bars(&f->pci, &err) == 0);
	virtio_rng_new_period(&f->rng);
	if (first && f->irq.table->nr == first->nr_routes)
		memcpy(f->irq.table->entries, first->routes,
		       first->nr_routes * sizeof(first->routes[0]));
}

/*
 * After an input: reset unless the machine is already exactly as after a
 * reset (an input that changed nothing the reset restores), then check.
 */
static void fixture_settle(struct fixture *f, const struct snapshot *first,
			   struct snapshot *now)
{
	snapshot_take(f, now);
	if (!memcmp(now, first, sizeof(*now)))
		return;
	fixture_reset(f, first);
	snapshot_take(f, now);
	CHECK(memcmp(now, first, sizeof(*now)) == 0);
}

/* A machine as after power-on and firmware, and what a reset restores. */
static void fixture_rebuild(struct fixture *f, struct snapshot *first,
			    bool built)
{
	if (built)
		fixture_destroy(f);
	CHECK(fixture_init(f) == 0);
	fixture_reset(f, NULL);
	snapshot_take(f, first);
}

static unsigned step_size(uint8_t sel)
{
	static const unsigned sizes[] = { 1, 2, 4, 8, 3 };

	return sizes[sel % 5];
}

static void bar_write(struct fixture *f, uint64_t off, uint64_t v,
		      unsigned size)
{
	virtio_pci_bar_ops.write(&f->vp, off, v, size);
}

/*
 * What a driver does: reset, features, queue 0 at fuzzed offsets of the
 * image (mostly aligned), DRIVER_OK. The bytes of @val pick the offsets.
 */
static void go_live(struct fixture *f, uint32_t val, uint16_t off)
{
	uint8_t ok = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	bar_write(f, VIRTIO_PCI_COMMON_STATUS, 0, 1);
	bar_write(f, VIRTIO_PCI_COMMON_STATUS, ok, 1);
	bar_write(f, VIRTIO_PCI_COMMON_GFSELECT, 0, 4);
	bar_write(f, VIRTIO_PCI_COMMON_GF, off & 0x3 ? 0 :
		  1u << VIRTIO_RING_F_INDIRECT_DESC |
		  1u << VIRTIO_RING_F_EVENT_IDX, 4);
	bar_write(f, VIRTIO_PCI_COMMON_GFSELECT, 1, 4);
	bar_write(f, VIRTIO_PCI_COMMON_GF, 1, 4);	/* VERSION_1 */
	ok |= VIRTIO_CONFIG_S_FEATURES_OK;
	bar_write(f, VIRTIO_PCI_COMMON_STATUS, ok, 1);
	bar_write(f, VIRTIO_PCI_COMMON_Q_SELECT, 0, 2);
	bar_write(f, VIRTIO_PCI_COMMON_Q_SIZE, 1u << (off >> 8) % 4, 2);
	bar_write(f, VIRTIO_PCI_COMMON_Q_DESCLO,
		  RAM_GPA + 16 * (val & 0xff), 4);
	bar_write(f, VIRTIO_PCI_COMMON_Q_AVAILLO,
		  RAM_GPA + 2 * ((val >> 8) & 0xfff), 4);
	bar_write(f, VIRTIO_PCI_COMMON_Q_USEDLO,
		  RAM_GPA + 4 * ((val >> 20) & 0x7ff), 4);
	bar_write(f, VIRTIO_PCI_COMMON_Q_MSIX, off >> 12 & 3, 2);
	bar_write(f, VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
	bar_write(f, VIRTIO_PCI_COMMON_STATUS, ok | VIRTIO_CONFIG_S_DRIVER_OK,
		  1);
}

static void msix_access(struct fixture *f, const struct step *s, bool wr)
{
	const struct pci_bar *bar = &f->vp.pci.bars[VIRTIO_PCI_MSIX_BAR];
	uint64_t v = s->val | (uint64_t)s->val << 32;
	uint64_t gpa = bar->mapped_gpa + (s->off & 0xfff);
	uint8_t buf[8];

	if (!bar->mapped)
		return;
	memcpy(buf, &v, sizeof(buf));
	if (wr)
		(void)bus_write(&f->mmio, gpa, buf, step_size(s->size));
	else
		(void)bus_read(&f->mmio, gpa, buf, step_size(s->size));
}

static void run_step(struct fixture *f, const struct step *s)
{
	unsigned size = step_size(s->size);
	uint64_t off = s->off % VIRTIO_PCI_BAR_SIZE;
	uint64_t v;

	switch (s->op % OP_NR) {
	case OP_BAR_READ:
		v = virtio_pci_bar_ops.read(&f->vp, off, size);
		if (size < 8)
			CHECK(v >> (8 * size) == 0);
		break;
	case OP_BAR_WRITE:
		bar_write(f, off, s->val, size);
		break;
	case OP_MSIX_READ:
	case OP_MSIX_WRITE:
		msix_access(f, s, s->op % OP_NR == OP_MSIX_WRITE);
		break;
	case OP_CFG_READ:
		(void)pci_config_read(&f->vp.pci, s->off % 260, size % 5);
		break;
	case OP_CFG_WRITE:
		pci_config_write(&f->vp.pci, s->off % 260, s->val, size % 5);
		break;
	case OP_GO_LIVE:
		go_live(f, s->val, s->off);
		break;
	case OP_NOTIFY:
		bar_write(f, VIRTIO_PCI_NOTIFY_OFFSET + (s->val & 1) *
			  VIRTIO_PCI_NOTIFY_MULT, s->val >> 16, size);
		break;
	default:
		virtio_rng_new_period(&f->rng);
		break;
	}
}

/*
 * Building the bus, the device, its MSI-X eventfds and the irq table per
 * input cost more than the input itself: build once, reset after each
 * input (as a guest reboot does) and check the reset restored everything.
 * Every REBUILD_EVERY inputs the machine is torn down and built afresh,
 * so teardown stays exercised and nothing the check misses lives forever;
 * the first build is rebuilt at once, so a short run covers teardown too.
 * Guest RAM is not device state: each input loads its image over zeroes.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fixture f;
	static struct snapshot first, now;
	static unsigned long inputs;
	unsigned steps = 0;
	size_t img = 0;
	struct step s;

	/*
	 * Nothing to run. This also keeps the build out of libFuzzer's
	 * first call, an empty input whose coverage it ignores.
	 */
	if (!size)
		return 0;
	if (inputs++ % REBUILD_EVERY == 0) {
		/* Warnings about bad input are expected: writing is waste. */
		log_set_level(LOG_ERROR);
		if (inputs == 1)
			fixture_rebuild(&f, &first, false);
		fixture_rebuild(&f, &first, true);
	}
	if (size >= 2) {
		img = (size_t)(data[0] | data[1] << 8) % (RAM_SIZE + 1);
		data += 2;
		size -= 2;
	}
	if (img > size)
		img = size;
	memcpy(f.ram, data, img);
	memset(f.ram + img, 0, RAM_SIZE - img);
	data += img;
	size -= img;
	while (size >= sizeof(s) && steps++ < MAX_STEPS) {
		memcpy(&s, data, sizeof(s));
		data += sizeof(s);
		size -= sizeof(s);
		run_step(&f, &s);
		CHECK(f.vp.pci.config[PCI_VENDOR_ID] == 0xf4);
	}
	fixture_settle(&f, &first, &now);
	return 0;
}
