// SPDX-License-Identifier: MIT
/*
 * The fixture of the pci unit tests: bus 0 on a fake irq backend and a
 * memory map (pci_test_bus_init()), and for test_pci and test_pci_bar one
 * test device in slot 3 whose bar_map and config_write callbacks are
 * recorded (setup). test_msix and test_pci_host put their own device on
 * the same bus. Include it after <cmocka.h>. Single-threaded.
 */
#ifndef FLEXVM_TESTS_PCI_TEST_UTIL_H
#define FLEXVM_TESTS_PCI_TEST_UTIL_H

#include <string.h>

#include "fake_irq.h"
#include "hw/bus.h"
#include "hw/irq.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_host.h"
#include "mem/memmap.h"

struct map_event {
	unsigned bar;
	uint64_t gpa;
	bool mapped;
};

struct fixture {
	struct fake_irq fake;
	struct irq irq;
	struct memmap mm;
	struct bus pio, mmio;
	struct pci_bus pci;
	struct pci_host host;	/* test_pci_host only */
	struct pci_device dev;
	struct map_event events[8];
	unsigned nr_events;
	uint64_t last_off;
	unsigned nr_cfg_writes;
};

static inline uint64_t dev_bar_read(void *opaque, uint64_t off,
				    unsigned size)
{
	struct fixture *f = opaque;

	f->last_off = off;
	return 0x1234 + size;
}

static const struct io_ops dev_bar_ops = { .read = dev_bar_read };

static inline void dev_bar_map(struct pci_device *dev, unsigned bar,
			       uint64_t gpa, bool mapped)
{
	struct fixture *f = dev->opaque;

	if (f->nr_events < 8)
		f->events[f->nr_events++] = (struct map_event){ bar, gpa,
								 mapped };
}

static inline void dev_config_write(struct pci_device *dev, unsigned off,
				    uint32_t val, unsigned size)
{
	struct fixture *f = dev->opaque;

	(void)off;
	(void)val;
	(void)size;
	f->nr_cfg_writes++;
}

static const struct pci_device_ops dev_ops = {
	.bar_map = dev_bar_map,
	.config_write = dev_config_write,
};

/* Zeroes @f; bus 0 with 128 MiB of RAM below 4 GiB and @high above it. */
static inline int pci_test_bus_init(struct fixture *f, uint64_t high)
{
	struct error err = { 0 };

	memset(f, 0, sizeof(*f));
	if (irq_init(&f->irq, &fake_irq_ops, &f->fake) ||
	    memmap_init(&f->mm, 128 * MiB, high, 40, &err))
		return -1;
	bus_init(&f->pio, "pio");
	bus_init(&f->mmio, "mmio");
	return pci_bus_init(&f->pci, &f->pio, &f->mmio, &f->irq, &f->mm);
}

static inline struct fixture *new_fixture(void)
{
	static struct fixture f;

	if (pci_test_bus_init(&f, 8 * GiB))
		return NULL;
	pci_device_init(&f.dev, "test-dev", 0x1af4, 0x1044, 0xff0000, 1);
	f.dev.ops = &dev_ops;
	f.dev.opaque = &f;
	pci_set_byte(&f.dev, PCI_INTERRUPT_PIN, 1);
	return &f;
}

/* A device with a 4 KiB 32-bit BAR0, 32-byte I/O BAR2, 16 KiB 64-bit BAR4. */
static inline int setup(void **state)
{
	struct fixture *f = new_fixture();

	if (!f || pci_register_bar(&f->dev, 0, 4096, PCI_BAR_MEM32,
				   &dev_bar_ops, f) ||
	    pci_register_bar(&f->dev, 2, 32, PCI_BAR_IO, &dev_bar_ops, f) ||
	    pci_register_bar(&f->dev, 4, 16384,
			     PCI_BAR_MEM64 | PCI_BAR_PREFETCH, &dev_bar_ops,
			     f) ||
	    pci_bus_add_device(&f->pci, &f->dev, PCI_DEVFN(3, 0), NULL))
		return -1;
	*state = f;
	return 0;
}

static inline int teardown(void **state)
{
	struct fixture *f = *state;

	pci_bus_destroy(&f->pci);
	bus_destroy(&f->pio);
	bus_destroy(&f->mmio);
	irq_destroy(&f->irq);
	return 0;
}

static inline uint32_t cfg_read(struct fixture *f, unsigned off,
				unsigned size)
{
	return pci_config_read(&f->dev, off, size);
}

static inline void cfg_write(struct fixture *f, unsigned off, uint32_t v,
			     unsigned size)
{
	pci_config_write(&f->dev, off, v, size);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

#endif /* FLEXVM_TESTS_PCI_TEST_UTIL_H */
