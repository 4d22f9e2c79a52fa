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

#include "hw/bus.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_host.h"

#include "fuzz.h"
#include "fuzz_machine.h"

#define NR_VEC 5
#define TABLE 0x1000u
#define PBA 0x1800u
#define DEVFN PCI_DEVFN(3, 0)
#define MAX_STEPS 1024

struct fixture {
	struct fuzz_machine m;
	struct pci_host host;
	struct pci_device dev;
};

enum op {
	OP_CFG_READ, OP_CFG_WRITE, OP_PORT_ADDR, OP_PORT_READ,
	OP_PORT_WRITE, OP_BAR_READ, OP_BAR_WRITE, OP_NOTIFY, OP_INTX,
	OP_ASSIGN, OP_RESET, OP_NR
};

/* What a system reset must restore, gathered after the first reset. */
struct snapshot {
	struct fuzz_machine_snapshot m;
	struct pci_device dev;
	uint32_t host_addr;
};

/* A step: op, size selector, 16-bit offset, 32-bit value. */
struct step {
	uint8_t op;
	uint8_t size;
	uint16_t off;
	uint32_t val;
};

static int fixture_init(void *opaque)
{
	struct fixture *f = opaque;
	struct error err = { 0 };

	memset(f, 0, sizeof(*f));
	if (fuzz_machine_init(&f->m) ||
	    pci_host_init(&f->host, &f->m.pci, &f->m.pio))
		return -1;
	pci_device_init(&f->dev, "fuzz", 0x1af4, 0x1044, 0xff0000, 1);
	pci_set_byte(&f->dev, PCI_INTERRUPT_PIN, 1);
	if (pci_register_bar(&f->dev, 0, 32 * KiB, PCI_BAR_MEM64, NULL, NULL) ||
	    pci_register_bar(&f->dev, 2, 32, PCI_BAR_IO, NULL, NULL) ||
	    pci_add_capability(&f->dev, PCI_CAP_ID_VNDR, 16) <= 0 ||
	    pci_bus_add_device(&f->m.pci, &f->dev, DEVFN, NULL) ||
	    msix_init(&f->dev, NR_VEC, 0, TABLE, PBA) ||
	    pci_bus_assign_bars(&f->m.pci, &err))
		return -1;
	return 0;
}

static void fixture_destroy(void *opaque)
{
	struct fixture *f = opaque;

	fuzz_machine_destroy(&f->m);
}

static void snapshot_take(const void *opaque, void *snap)
{
	const struct fixture *f = opaque;
	struct snapshot *s = snap;

	memset(s, 0, sizeof(*s));
	fuzz_machine_snapshot(&f->m, &f->dev, &s->m);
	s->dev = f->dev;
	s->host_addr = f->host.addr;
}

/*
 * A system reset, plus what a fresh machine would have and the product's
 * reset leaves alone: the CONFIG_ADDRESS latch.
 */
static void fixture_reset(void *opaque, const void *first)
{
	const struct snapshot *s = first;
	struct fixture *f = opaque;

	fuzz_machine_reset(&f->m, s ? &s->m : NULL);
	f->host.addr = 0;
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
		(void)bus_write(&f->m.pio, port, buf, size);
	else
		(void)bus_read(&f->m.pio, port, buf, size);
}

static void bar_access(struct fixture *f, const struct step *s, bool wr)
{
	const struct pci_bar *bar = &f->dev.bars[0];
	unsigned size = step_size(s->size);
	uint64_t v = s->val | (uint64_t)s->val << 32;
	/* Reach the table and PBA mostly, the rest of the BAR sometimes. */
	uint64_t gpa = bar->mapped_gpa + (s->off & 0x7fff);
	uint8_t buf[8];

	memcpy(buf, &v, 8);
	if (!bar->mapped)
		return;
	if (wr)
		(void)bus_write(&f->m.mmio, gpa, buf, size);
	else
		(void)bus_read(&f->m.mmio, gpa, buf, size);
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
		(void)bus_write(&f->m.pio, PCI_HOST_ADDR_PORT, &v, 4);
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
		if (pci_bus_assign_bars(&f->m.pci, &err))
			break;
		break;
	}
	default:
		pci_bus_reset(&f->m.pci);
		break;
	}
}

/* Each input runs on a machine a checked reset brought back. */
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
	struct step s;
	unsigned steps = 0;

	/*
	 * No steps, nothing to run. This also keeps the build out of
	 * libFuzzer's first call, an empty input whose coverage it ignores.
	 */
	if (!size)
		return 0;
	fuzz_rig_begin(&rig);
	while (size >= sizeof(s) && steps++ < MAX_STEPS) {
		memcpy(&s, data, sizeof(s));
		data += sizeof(s);
		size -= sizeof(s);
		run_step(&f, &s);
		check_invariants(&f);
	}
	fuzz_rig_settle(&rig);
	return 0;
}
