// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for PCI config space (pci.c, msix.c, pci_host.c): a
 * device with a 64-bit memory BAR holding an MSI-X table, an I/O BAR and
 * a vendor capability sits on a bus behind the 0xCF8/0xCFC ports. The
 * input is a sequence of 8-byte steps: config accesses made directly or
 * through the ports, MSI-X table accesses, notifies, INTx and resets.
 * The machine is built once; after each input a system reset must bring
 * it back exactly to its state after the first reset (checked), so no
 * input sees another's leftovers. Single-threaded, with a fake KVM irq
 * backend; also run by replay.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/fake_irq.h"
#include "hw/bus.h"
#include "hw/irq.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_host.h"
#include "mem/memmap.h"
#include "util/log.h"

#include "fuzz.h"

#define NR_VEC 5
#define TABLE 0x1000u
#define PBA 0x1800u
#define DEVFN PCI_DEVFN(3, 0)
#define MAX_STEPS 1024
#define MAX_REGIONS 8
#define MAX_ROUTES 64
#define REBUILD_EVERY 4096	/* inputs */

struct fixture {
	struct fake_irq fake;
	struct irq irq;
	struct memmap mm;
	struct bus pio, mmio;
	struct pci_bus pci;
	struct pci_host host;
	struct pci_device dev;
};

enum op {
	OP_CFG_READ, OP_CFG_WRITE, OP_PORT_ADDR, OP_PORT_READ,
	OP_PORT_WRITE, OP_BAR_READ, OP_BAR_WRITE, OP_NOTIFY, OP_INTX,
	OP_ASSIGN, OP_RESET, OP_NR
};

/*
 * What a system reset must restore, gathered after the first reset. The
 * rate limits only decide whether a message is printed: left out.
 */
struct snapshot {
	struct pci_bus pci;
	struct pci_device dev;
	uint32_t host_addr;
	struct msix_vector vec[NR_VEC];
	uint64_t pba;
	struct irq irq;
	unsigned nr_routes;
	struct kvm_irq_routing_entry routes[MAX_ROUTES];
	unsigned nr_pio, nr_mmio;
	struct io_region pio[MAX_REGIONS], mmio[MAX_REGIONS];
};

/* A step: op, size selector, 16-bit offset, 32-bit value. */
struct step {
	uint8_t op;
	uint8_t size;
	uint16_t off;
	uint32_t val;
};

static int fixture_init(struct fixture *f)
{
	struct error err = { 0 };

	memset(f, 0, sizeof(*f));
	if (irq_init(&f->irq, &fake_irq_ops, &f->fake) ||
	    memmap_init(&f->mm, 128 * MiB, 0, 40, &err))
		return -1;
	bus_init(&f->pio, "pio");
	bus_init(&f->mmio, "mmio");
	if (pci_bus_init(&f->pci, &f->pio, &f->mmio, &f->irq, &f->mm) ||
	    pci_host_init(&f->host, &f->pci, &f->pio))
		return -1;
	pci_device_init(&f->dev, "fuzz", 0x1af4, 0x1044, 0xff0000, 1);
	pci_set_byte(&f->dev, PCI_INTERRUPT_PIN, 1);
	if (pci_register_bar(&f->dev, 0, 32 * KiB, PCI_BAR_MEM64, NULL, NULL) ||
	    pci_register_bar(&f->dev, 2, 32, PCI_BAR_IO, NULL, NULL) ||
	    pci_add_capability(&f->dev, PCI_CAP_ID_VNDR, 16) <= 0 ||
	    pci_bus_add_device(&f->pci, &f->dev, DEVFN, NULL) ||
	    msix_init(&f->dev, NR_VEC, 0, TABLE, PBA) ||
	    pci_bus_assign_bars(&f->pci, &err))
		return -1;
	return 0;
}

static void fixture_destroy(struct fixture *f)
{
	pci_bus_destroy(&f->pci);
	bus_destroy(&f->pio);
	bus_destroy(&f->mmio);
	irq_destroy(&f->irq);
}

static void snapshot_take(const struct fixture *f, struct snapshot *s)
{
	const struct kvm_irq_routing *t = f->irq.table;

	memset(s, 0, sizeof(*s));
	s->pci = f->pci;
	s->pci.rl = (struct ratelimit){ 0 };
	s->dev = f->dev;
	s->host_addr = f->host.addr;
	memcpy(s->vec, f->dev.msix->vectors, sizeof(s->vec));
	s->pba = f->dev.msix->pba[0];
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
 * A system reset as vm_reset_pci() does it, plus what a fresh machine
 * would have and the product's reset leaves alone: the CONFIG_ADDRESS
 * latch, and the MSI routes in the irq table (each vector's route is
 * stale after the reset and rewritten before use; only whether that push
 * is skipped as unchanged depends on the leftover).
 */
static void fixture_reset(struct fixture *f, const struct snapshot *first)
{
	struct error err = { 0 };

	pci_bus_reset(&f->pci);
	CHECK(pci_bus_assign_bars(&f->pci, &err) == 0);
	f->host.addr = 0;
	if (first && f->irq.table->nr == first->nr_routes)
		memcpy(f->irq.table->entries, first->routes,
		       first->nr_routes * sizeof(first->routes[0]));
}

static unsigned step_size(uint8_t sel)
{
	static const unsigned sizes[] = { 1, 2, 4, 4, 8, 3 };

	return sizes[sel % 6];
}

/* Through CONFIG_DATA: offset bits 0-1 pick the byte lane. */
static void port_access(struct fixture *f, const struct step *s, bool wr)
{
	unsigned size = step_size(s->size);
	uint64_t port = PCI_HOST_DATA_PORT + (s->off & 3);
	uint8_t buf[8];

	if (size > 4)
		size = 4;
	memcpy(buf, &s->val, 4);
	if (wr)
		(void)bus_write(&f->pio, port, buf, size);
	else
		(void)bus_read(&f->pio, port, buf, size);
}

static void bar_access(struct fixture *f, const struct step *s, bool wr)
{
	const struct pci_bar *bar = &f->dev.bars[0];
	unsigned size = step_size(s->size);
	uint64_t v = s->val | (uint64_t)s->val << 32;
	uint8_t buf[8];

	memcpy(buf, &v, 8);
	if (!bar->mapped)
		return;
	/* Reach the table and PBA mostly, the rest of the BAR sometimes. */
	if (wr)
		(void)bus_write(&f->mmio, bar->mapped_gpa + (s->off & 0x7fff),
				buf, size);
	else
		(void)bus_read(&f->mmio, bar->mapped_gpa + (s->off & 0x7fff),
			       buf, size);
}

static void check_invariants(struct fixture *f)
{
	CHECK(pci_get_word(&f->dev, PCI_VENDOR_ID) == 0x1af4);
	CHECK(pci_get_word(&f->dev, PCI_DEVICE_ID) == 0x1044);
	CHECK(pci_find_capability(&f->dev, PCI_CAP_ID_MSIX) != 0);
	CHECK(msix_nr_vectors(&f->dev) == NR_VEC);
	if (f->dev.bars[0].mapped)
		CHECK((f->dev.bars[0].mapped_gpa & (32 * KiB - 1)) == 0);
}

static void run_step(struct fixture *f, const struct step *s)
{
	unsigned size = step_size(s->size);
	unsigned off = s->off % (PCI_CONFIG_SIZE + 8);
	uint32_t v;

	switch (s->op % OP_NR) {
	case OP_CFG_READ:
		v = pci_config_read(&f->dev, off, size);
		if (size < 4)
			CHECK(v >> (8 * size) == 0 || v == 0xffffffffu);
		break;
	case OP_CFG_WRITE:
		pci_config_write(&f->dev, off, s->val, size);
		break;
	case OP_PORT_ADDR:
		/* Mostly aim at our device, sometimes anywhere. */
		v = s->val & 1 ? s->val : PCI_HOST_ENABLE |
			(uint32_t)DEVFN << 8 | (s->val & 0xfc);
		(void)bus_write(&f->pio, PCI_HOST_ADDR_PORT, &v, 4);
		break;
	case OP_PORT_READ:
	case OP_PORT_WRITE:
		port_access(f, s, s->op % OP_NR == OP_PORT_WRITE);
		break;
	case OP_BAR_READ:
	case OP_BAR_WRITE:
		bar_access(f, s, s->op % OP_NR == OP_BAR_WRITE);
		break;
	case OP_NOTIFY:
		(void)msix_notify(&f->dev, s->val % (NR_VEC + 2));
		break;
	case OP_INTX:
		pci_set_irq(&f->dev, s->val & 1);
		break;
	case OP_ASSIGN: {
		struct error err = { 0 };

		/* A refused placement is a valid outcome here. */
		if (pci_bus_assign_bars(&f->pci, &err))
			break;
		break;
	}
	default:
		pci_bus_reset(&f->pci);
		break;
	}
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

/*
 * Building the bus, its MSI-X eventfds and irq table per input cost more
 * than the input itself: build once, reset after each input (as a guest
 * reboot does) and check the reset restored everything. Every
 * REBUILD_EVERY inputs the machine is torn down and built afresh, so
 * teardown stays exercised and nothing the check misses lives forever;
 * the first build is rebuilt at once, so a short run covers teardown too.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fixture f;
	static struct snapshot first, now;
	static unsigned long inputs;
	struct step s;
	unsigned steps = 0;

	/*
	 * No steps, nothing to run. This also keeps the build out of
	 * libFuzzer's first call, an empty input whose coverage it ignores.
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
	while (size >= sizeof(s) && steps++ < MAX_STEPS) {
		memcpy(&s, data, sizeof(s));
		data += sizeof(s);
		size -= sizeof(s);
		run_step(&f, &s);
		check_invariants(&f);
	}
	fixture_settle(&f, &first, &now);
	return 0;
}
