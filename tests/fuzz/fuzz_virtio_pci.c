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

#include "hw/bus.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci.h"
#include "hw/virtio/virtio_pci.h"
#include "hw/virtio/virtio_rng.h"
#include "mem/guest_mem.h"

#include "fuzz.h"
#include "fuzz_machine.h"

#define RAM_GPA 0x100000ULL
#define RAM_SIZE 0x2000U	/* the image; ASan guards both ends */
#define MAX_STEPS 512
#define NR_VEC 2

struct fixture {
	struct fuzz_machine m;
	struct guest_mem gm;
	uint8_t *ram;
	struct virtio_rng rng;
	struct virtio_pci vp;
};

/* What a system reset must restore, gathered after the first reset. */
struct snapshot {
	struct fuzz_machine_snapshot m;
	struct virtio_rng rng;
	struct virtio_pci vp;
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

static int fixture_init(void *opaque)
{
	struct fixture *f = opaque;
	struct error err = { 0 };

	memset(f, 0, sizeof(*f));
	f->ram = calloc(1, RAM_SIZE);
	if (!f->ram || guest_mem_add(&f->gm, "ram", RAM_GPA, RAM_SIZE, f->ram))
		return -1;
	if (fuzz_machine_init(&f->m))
		return -1;
	/* A small quota so the rate limit path runs too. */
	virtio_rng_init(&f->rng, &f->gm, 4096, 1000);
	f->rng.entropy = fuzz_entropy;
	if (virtio_pci_init(&f->vp, &f->rng.vdev, &vp_cfg) ||
	    virtio_pci_plug(&f->vp, &f->m.pci, &vp_cfg, &err) ||
	    pci_bus_assign_bars(&f->m.pci, &err))
		return -1;
	return 0;
}

static void fixture_destroy(void *opaque)
{
	struct fixture *f = opaque;

	virtio_pci_unplug(&f->vp);
	fuzz_machine_destroy(&f->m);
	free(f->ram);
}

static void snapshot_take(const void *opaque, void *snap)
{
	const struct fixture *f = opaque;
	struct snapshot *s = snap;

	memset(s, 0, sizeof(*s));
	fuzz_machine_snapshot(&f->m, &f->vp.pci, &s->m);
	s->rng = f->rng;
	s->rng.rl = s->rng.vdev.rl = (struct ratelimit){ 0 };
	s->vp = f->vp;
	s->vp.rl = (struct ratelimit){ 0 };
}

/*
 * A system reset (the virtio-pci reset hook resets the transport and the
 * device), plus what a fresh machine would have and that reset leaves
 * alone: a full virtio-rng quota (a timer refills it in the VMM).
 */
static void fixture_reset(void *opaque, const void *first)
{
	const struct snapshot *s = first;
	struct fixture *f = opaque;

	fuzz_machine_reset(&f->m, s ? &s->m : NULL);
	virtio_rng_new_period(&f->rng);
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
		(void)bus_write(&f->m.mmio, gpa, buf, step_size(s->size));
	else
		(void)bus_read(&f->m.mmio, gpa, buf, step_size(s->size));
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
 * Each input runs on a machine a checked reset brought back. Guest RAM is
 * not device state: each input loads its image over zeroes.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fixture f;
	static struct snapshot first, now;
	static struct fuzz_rig rig = {
		.fixture = &f, .first = &first, .now = &now,
		.snapshot_size = sizeof(first), .init = fixture_init,
		.destroy = fixture_destroy, .snapshot = snapshot_take,
		.reset = fixture_reset,
	};
	unsigned steps = 0;
	size_t img = 0;
	struct step s;

	/*
	 * Nothing to run. This also keeps the build out of libFuzzer's
	 * first call, an empty input whose coverage it ignores.
	 */
	if (!size)
		return 0;
	fuzz_rig_begin(&rig);
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
	fuzz_rig_settle(&rig);
	return 0;
}
