// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for PCI config space (pci.c, msix.c, pci_host.c): a
 * device with a 64-bit memory BAR holding an MSI-X table, an I/O BAR and
 * a vendor capability sits on a bus behind the 0xCF8/0xCFC ports. The
 * input is a sequence of 8-byte steps: config accesses made directly or
 * through the ports, MSI-X table accesses, notifies, INTx and resets.
 * Single-threaded, with a fake KVM irq backend; also run by replay.c.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fixture f;
	struct step s;
	unsigned steps = 0;

	/* Warnings about bad input are expected: writing them is waste. */
	log_set_level(LOG_ERROR);
	CHECK(fixture_init(&f) == 0);
	while (size >= sizeof(s) && steps++ < MAX_STEPS) {
		memcpy(&s, data, sizeof(s));
		data += sizeof(s);
		size -= sizeof(s);
		run_step(&f, &s);
		check_invariants(&f);
	}
	fixture_destroy(&f);
	return 0;
}
