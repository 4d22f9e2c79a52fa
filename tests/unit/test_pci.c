// SPDX-License-Identifier: MIT
/*
 * pci: config space write masks, read-only and write-1-to-clear fields,
 * BAR sizing (I/O, 32- and 64-bit), decode and relocation with the
 * bar_map callback, refused placements (RAM, device memory, the APIC
 * area, another BAR), capability chaining, INTx sharing, firmware BAR
 * assignment, reset, and the query-pci / info pci data. The host
 * bridge and slot allocation are in test_pci_host.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_irq.h"
#include "hw/bus.h"
#include "hw/irq.h"
#include "hw/pci/pci.h"
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
	struct pci_device dev;
	struct map_event events[8];
	unsigned nr_events;
	uint64_t last_off;
	unsigned nr_cfg_writes;
};

static uint64_t dev_bar_read(void *opaque, uint64_t off, unsigned size)
{
	struct fixture *f = opaque;

	f->last_off = off;
	return 0x1234 + size;
}

static const struct io_ops dev_bar_ops = { .read = dev_bar_read };

static void dev_bar_map(struct pci_device *dev, unsigned bar, uint64_t gpa,
			bool mapped)
{
	struct fixture *f = dev->opaque;

	if (f->nr_events < 8)
		f->events[f->nr_events++] = (struct map_event){ bar, gpa,
								 mapped };
}

static void dev_config_write(struct pci_device *dev, unsigned off,
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

static struct fixture *new_fixture(void)
{
	static struct fixture f;
	struct error err = { 0 };

	memset(&f, 0, sizeof(f));
	if (irq_init(&f.irq, &fake_irq_ops, &f.fake) ||
	    memmap_init(&f.mm, 128 * MiB, 8 * GiB, 40, &err))
		return NULL;
	bus_init(&f.pio, "pio");
	bus_init(&f.mmio, "mmio");
	if (pci_bus_init(&f.pci, &f.pio, &f.mmio, &f.irq, &f.mm))
		return NULL;
	pci_device_init(&f.dev, "test-dev", 0x1af4, 0x1044, 0xff0000, 1);
	f.dev.ops = &dev_ops;
	f.dev.opaque = &f;
	pci_set_byte(&f.dev, PCI_INTERRUPT_PIN, 1);
	return &f;
}

/* A device with a 4 KiB 32-bit BAR0, 32-byte I/O BAR2, 16 KiB 64-bit BAR4. */
static int setup(void **state)
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

static int teardown(void **state)
{
	struct fixture *f = *state;

	pci_bus_destroy(&f->pci);
	bus_destroy(&f->pio);
	bus_destroy(&f->mmio);
	irq_destroy(&f->irq);
	return 0;
}

static uint32_t cfg_read(struct fixture *f, unsigned off, unsigned size)
{
	return pci_config_read(&f->dev, off, size);
}

static void cfg_write(struct fixture *f, unsigned off, uint32_t v,
		      unsigned size)
{
	pci_config_write(&f->dev, off, v, size);
}

/* ---- header fields ---- */

static void test_pci_init_ids_and_class(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cfg_read(f, PCI_VENDOR_ID, 4), 0x10441af4);
	assert_int_equal(cfg_read(f, PCI_CLASS_REVISION, 4), 0xff000001);
	assert_int_equal(cfg_read(f, PCI_HEADER_TYPE, 1), 0);
	assert_int_equal(cfg_read(f, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001af4);
}

static void test_pci_vendor_id_write_ignored(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_VENDOR_ID, 0xdeadbeef, 4);
	assert_int_equal(cfg_read(f, PCI_VENDOR_ID, 4), 0x10441af4);
}

static void test_pci_command_only_writable_bits_stick(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_COMMAND, 0xffff, 2);
	assert_int_equal(cfg_read(f, PCI_COMMAND, 2), 0x0547);
}

static void test_pci_status_error_bit_write_one_clears(void **state)
{
	struct fixture *f = *state;

	pci_set_word(&f->dev, PCI_STATUS, PCI_STATUS_DETECTED_PARITY |
					  PCI_STATUS_REC_MASTER_ABORT);
	cfg_write(f, PCI_STATUS, PCI_STATUS_DETECTED_PARITY, 2);
	assert_int_equal(cfg_read(f, PCI_STATUS, 2),
			 PCI_STATUS_REC_MASTER_ABORT);
}

static void test_pci_status_write_zero_keeps_bits(void **state)
{
	struct fixture *f = *state;

	pci_set_word(&f->dev, PCI_STATUS, PCI_STATUS_SIG_SYSTEM_ERROR);
	cfg_write(f, PCI_COMMAND, 0, 4);	/* command + status dword */
	assert_int_equal(cfg_read(f, PCI_STATUS, 2),
			 PCI_STATUS_SIG_SYSTEM_ERROR);
}

static void test_pci_status_cap_list_bit_read_only(void **state)
{
	struct fixture *f = *state;

	assert_true(pci_add_capability(&f->dev, PCI_CAP_ID_VNDR, 16) > 0);
	cfg_write(f, PCI_STATUS, 0xffff, 2);
	assert_int_equal(cfg_read(f, PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
}

static void test_pci_interrupt_line_writable_pin_read_only(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_INTERRUPT_LINE, 0x0f0b, 2);
	assert_int_equal(cfg_read(f, PCI_INTERRUPT_LINE, 1), 0x0b);
	assert_int_equal(cfg_read(f, PCI_INTERRUPT_PIN, 1), 1);
}

static void test_pci_misaligned_read_all_ones(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cfg_read(f, 1, 2), 0xffffffff);
	assert_int_equal(cfg_read(f, 2, 4), 0xffffffff);
	assert_int_equal(cfg_read(f, 0, 3), 0xffffffff);
	assert_int_equal(cfg_read(f, 256, 1), 0xffffffff);
}

static void test_pci_misaligned_write_dropped(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_INTERRUPT_LINE - 1, 0xffff, 2);
	cfg_write(f, 255, 0xff, 2);
	assert_int_equal(cfg_read(f, PCI_INTERRUPT_LINE, 1), 0);
	assert_int_equal(f->nr_cfg_writes, 0);
}

static void test_pci_config_write_hook_called(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_INTERRUPT_LINE, 5, 1);
	assert_int_equal(f->nr_cfg_writes, 1);
}

/* ---- BAR sizing ---- */

static void test_pci_bar_mem32_sizing_reads_mask(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
	assert_int_equal(cfg_read(f, PCI_BASE_ADDRESS_0, 4), 0xfffff000);
}

static void test_pci_bar_io_sizing_reads_mask_and_io_bit(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_BASE_ADDRESS_2, 0xffffffff, 4);
	assert_int_equal(cfg_read(f, PCI_BASE_ADDRESS_2, 4), 0xffffffe1);
}

static void test_pci_bar_mem64_sizing_both_halves(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_BASE_ADDRESS_4, 0xffffffff, 4);
	cfg_write(f, PCI_BASE_ADDRESS_5, 0xffffffff, 4);
	assert_int_equal(cfg_read(f, PCI_BASE_ADDRESS_4, 4), 0xffffc00c);
	assert_int_equal(cfg_read(f, PCI_BASE_ADDRESS_5, 4), 0xffffffff);
}

static void test_pci_bar_mem64_8gib_high_half_mask(void **state)
{
	struct fixture *f = new_fixture();

	(void)state;
	assert_int_equal(pci_register_bar(&f->dev, 0, 8 * GiB, PCI_BAR_MEM64,
					  NULL, NULL), 0);
	pci_config_write(&f->dev, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
	pci_config_write(&f->dev, PCI_BASE_ADDRESS_1, 0xffffffff, 4);
	assert_int_equal(pci_config_read(&f->dev, PCI_BASE_ADDRESS_0, 4), 0x4);
	assert_int_equal(pci_config_read(&f->dev, PCI_BASE_ADDRESS_1, 4),
			 0xfffffffe);
	irq_destroy(&f->irq);
}

static void test_pci_unimplemented_bar_reads_zero(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_BASE_ADDRESS_1, 0xffffffff, 4);
	assert_int_equal(cfg_read(f, PCI_BASE_ADDRESS_1, 4), 0);
}

static void test_pci_register_bar_bad_args_rejected(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(pci_register_bar(&f->dev, 1, 3000, PCI_BAR_MEM32,
					  NULL, NULL), -EINVAL);
	assert_int_equal(pci_register_bar(&f->dev, 1, 8, PCI_BAR_MEM32, NULL,
					  NULL), -EINVAL);
	assert_int_equal(pci_register_bar(&f->dev, 6, 4096, PCI_BAR_MEM32,
					  NULL, NULL), -EINVAL);
	assert_int_equal(pci_register_bar(&f->dev, 5, 4096, PCI_BAR_MEM64,
					  NULL, NULL), -EINVAL);
	assert_int_equal(pci_register_bar(&f->dev, 1, 512, PCI_BAR_IO, NULL,
					  NULL), -EINVAL);
}

static void test_pci_register_bar_taken_ebusy(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(pci_register_bar(&f->dev, 0, 4096, PCI_BAR_MEM32,
					  NULL, NULL), -EBUSY);
	/* BAR5 is the upper half of the 64-bit BAR4. */
	assert_int_equal(pci_register_bar(&f->dev, 5, 4096, PCI_BAR_MEM32,
					  NULL, NULL), -EBUSY);
	/* A 64-bit BAR3 would need BAR4. */
	assert_int_equal(pci_register_bar(&f->dev, 3, 4096, PCI_BAR_MEM64,
					  NULL, NULL), -EBUSY);
}

/* ---- decode and relocation ---- */

static void test_pci_memory_decode_maps_bar(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[4];

	cfg_write(f, PCI_BASE_ADDRESS_0, 0xc0001000, 4);
	assert_null(bus_find(&f->mmio, 0xc0001000));
	cfg_write(f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_non_null(bus_find(&f->mmio, 0xc0001000));
	assert_true(bus_read(&f->mmio, 0xc0001010, buf, 4));
	assert_int_equal(f->last_off, 0x10);
	assert_int_equal(buf[0], 0x38);	/* 0x1234 + 4 */
	assert_int_equal(f->nr_events, 1);
	assert_int_equal(f->events[0].bar, 0);
	assert_int_equal(f->events[0].gpa, 0xc0001000);
	assert_true(f->events[0].mapped);
}

static void test_pci_memory_decode_off_unmaps_bar(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_BASE_ADDRESS_0, 0xc0001000, 4);
	cfg_write(f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	cfg_write(f, PCI_COMMAND, 0, 2);
	assert_null(bus_find(&f->mmio, 0xc0001000));
	assert_int_equal(f->nr_events, 2);
	assert_false(f->events[1].mapped);
	assert_int_equal(f->events[1].gpa, 0xc0001000);
}

static void test_pci_io_decode_maps_io_bar_only(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_BASE_ADDRESS_0, 0xc0001000, 4);
	cfg_write(f, PCI_BASE_ADDRESS_2, 0xc100, 4);
	cfg_write(f, PCI_COMMAND, PCI_COMMAND_IO, 2);
	assert_non_null(bus_find(&f->pio, 0xc11f));
	assert_null(bus_find(&f->mmio, 0xc0001000));
}

static void test_pci_bar_relocation_unmaps_then_maps(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_BASE_ADDRESS_0, 0xc0001000, 4);
	cfg_write(f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	cfg_write(f, PCI_BASE_ADDRESS_0, 0xc0002000, 4);
	assert_null(bus_find(&f->mmio, 0xc0001000));
	assert_non_null(bus_find(&f->mmio, 0xc0002000));
	assert_int_equal(f->nr_events, 3);
	assert_false(f->events[1].mapped);
	assert_int_equal(f->events[1].gpa, 0xc0001000);
	assert_true(f->events[2].mapped);
	assert_int_equal(f->events[2].gpa, 0xc0002000);
}

static void test_pci_bar_mem64_maps_high(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_BASE_ADDRESS_4, 0x0000c00c, 4);
	cfg_write(f, PCI_BASE_ADDRESS_5, 0x3, 4);
	cfg_write(f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_non_null(bus_find(&f->mmio, 0x30000c000ULL));
}

static void test_pci_bar_over_low_ram_not_mapped(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_BASE_ADDRESS_0, 0x00100000, 4);
	cfg_write(f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_null(bus_find(&f->mmio, 0x00100000));
	assert_false(f->dev.bars[0].mapped);
	assert_int_equal(f->nr_events, 0);
}

static void test_pci_bar_over_device_memory_not_mapped(void **state)
{
	struct fixture *f = *state;

	/* Device memory is [4 GiB, 4 GiB + 0x1f8000000) here. */
	cfg_write(f, PCI_BASE_ADDRESS_4, 0x0000000c, 4);
	cfg_write(f, PCI_BASE_ADDRESS_5, 0x2, 4);
	cfg_write(f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_null(bus_find(&f->mmio, 0x200000000ULL));
	assert_false(f->dev.bars[4].mapped);
}

static void test_pci_bar_over_ioapic_not_mapped(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_BASE_ADDRESS_0, 0xfee00000, 4);
	cfg_write(f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_false(f->dev.bars[0].mapped);
}

static void test_pci_bar_beyond_phys_bits_not_mapped(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_BASE_ADDRESS_4, 0x0000000c, 4);
	cfg_write(f, PCI_BASE_ADDRESS_5, 0x10000, 4);	/* 2^48 */
	cfg_write(f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_false(f->dev.bars[4].mapped);
}

static void test_pci_bar_sizing_pattern_not_mapped(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	cfg_write(f, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
	assert_false(f->dev.bars[0].mapped);
	assert_int_equal(f->mmio.nr_regions, 0);
}

static void test_pci_bar_over_other_region_not_mapped(void **state)
{
	struct fixture *f = *state;
	static const struct io_ops other = { 0 };

	assert_int_equal(bus_add(&f->mmio, 0xc0000800, 0x1000, &other, NULL,
				 "other"), 0);
	cfg_write(f, PCI_BASE_ADDRESS_0, 0xc0001000, 4);
	cfg_write(f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	assert_false(f->dev.bars[0].mapped);
	assert_int_equal(f->mmio.nr_regions, 1);
}

static void test_pci_refused_bar_maps_after_fix(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_BASE_ADDRESS_0, 0x1000, 4);
	cfg_write(f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	cfg_write(f, PCI_BASE_ADDRESS_0, 0xc0004000, 4);
	assert_true(f->dev.bars[0].mapped);
	assert_int_equal(f->dev.bars[0].mapped_gpa, 0xc0004000);
}

/* ---- capabilities ---- */

static void test_pci_capabilities_chain_in_order(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(pci_add_capability(&f->dev, PCI_CAP_ID_VNDR, 16),
			 0x40);
	assert_int_equal(pci_add_capability(&f->dev, PCI_CAP_ID_MSIX, 12),
			 0x50);
	assert_int_equal(pci_add_capability(&f->dev, PCI_CAP_ID_VNDR, 5),
			 0x5c);
	assert_int_equal(cfg_read(f, PCI_CAPABILITY_LIST, 1), 0x40);
	assert_int_equal(cfg_read(f, 0x40, 2), 0x5009);
	assert_int_equal(cfg_read(f, 0x50, 2), 0x5c11);
	assert_int_equal(cfg_read(f, 0x5c, 2), 0x0009);
	assert_int_equal(pci_add_capability(&f->dev, PCI_CAP_ID_VNDR, 4),
			 0x64);
	assert_int_equal(pci_find_capability(&f->dev, PCI_CAP_ID_MSIX), 0x50);
	assert_int_equal(pci_find_capability(&f->dev, PCI_CAP_ID_EXP), 0);
}

static void test_pci_capability_body_read_only(void **state)
{
	struct fixture *f = *state;
	int off = pci_add_capability(&f->dev, PCI_CAP_ID_VNDR, 16);

	cfg_write(f, (unsigned)off, 0xffffffff, 4);
	cfg_write(f, (unsigned)off + 4, 0xffffffff, 4);
	assert_int_equal(cfg_read(f, (unsigned)off, 4), 0x00000009);
	assert_int_equal(cfg_read(f, (unsigned)off + 4, 4), 0);
}

static void test_pci_capability_full_enospc(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(pci_add_capability(&f->dev, PCI_CAP_ID_VNDR, 192),
			 0x40);
	assert_int_equal(pci_add_capability(&f->dev, PCI_CAP_ID_VNDR, 1),
			 -ENOSPC);
	assert_int_equal(pci_add_capability(&f->dev, PCI_CAP_ID_VNDR, 4),
			 -ENOSPC);
}

/* ---- INTx ---- */

static void test_pci_intx_raises_slot_pin(void **state)
{
	struct fixture *f = *state;

	pci_set_irq(&f->dev, true);
	assert_true(f->fake.level[19]);	/* slot 3: pin 16 + 3 */
	assert_int_equal(cfg_read(f, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT,
			 PCI_STATUS_INTERRUPT);
	pci_set_irq(&f->dev, false);
	assert_false(f->fake.level[19]);
	assert_int_equal(cfg_read(f, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, 0);
}

static void test_pci_intx_disable_gates_line(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2);
	pci_set_irq(&f->dev, true);
	assert_false(f->fake.level[19]);
	assert_int_equal(cfg_read(f, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT,
			 PCI_STATUS_INTERRUPT);
	cfg_write(f, PCI_COMMAND, 0, 2);
	assert_true(f->fake.level[19]);
}

static void test_pci_intx_shared_pin_stays_while_one_asserts(void **state)
{
	struct fixture *f = *state;
	static struct pci_device other;

	pci_device_init(&other, "other", 0x1af4, 0x1044, 0xff0000, 1);
	pci_set_byte(&other, PCI_INTERRUPT_PIN, 1);
	assert_int_equal(pci_bus_add_device(&f->pci, &other, PCI_DEVFN(11, 0),
					    NULL), 0);
	pci_set_irq(&f->dev, true);
	pci_set_irq(&other, true);
	pci_set_irq(&f->dev, false);
	assert_true(f->fake.level[19]);
	pci_set_irq(&other, false);
	assert_false(f->fake.level[19]);
	assert_int_equal(f->fake.nr_lines, 2);
}

static void test_pci_intx_no_pin_never_raises(void **state)
{
	struct fixture *f = *state;

	pci_set_byte(&f->dev, PCI_INTERRUPT_PIN, 0);
	pci_set_irq(&f->dev, true);
	assert_int_equal(f->fake.nr_lines, 0);
}

static void test_pci_intx_gsi_wraps_every_8_slots(void **state)
{
	(void)state;
	assert_int_equal(pci_intx_gsi(1), 17);
	assert_int_equal(pci_intx_gsi(8), 16);
	assert_int_equal(pci_intx_gsi(31), 23);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* ---- firmware BAR assignment ---- */

static void test_pci_assign_bars_places_and_enables(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };

	assert_int_equal(pci_bus_assign_bars(&f->pci, &err), 0);
	assert_int_equal(cfg_read(f, PCI_BASE_ADDRESS_0, 4), 0xc0000000);
	assert_int_equal(cfg_read(f, PCI_BASE_ADDRESS_2, 4), 0xc001);
	assert_int_equal(cfg_read(f, PCI_BASE_ADDRESS_4, 4), 0x0000000c);
	assert_int_equal(cfg_read(f, PCI_BASE_ADDRESS_5, 4), 0x3);
	assert_int_equal(cfg_read(f, PCI_COMMAND, 2),
			 PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	assert_int_equal(cfg_read(f, PCI_INTERRUPT_LINE, 1), 19);
	assert_non_null(bus_find(&f->mmio, 0x300000000ULL));
	assert_non_null(bus_find(&f->mmio, 0xc0000fff));
	assert_non_null(bus_find(&f->pio, 0xc000));
}

static void test_pci_assign_bars_largest_first_aligned(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	static struct pci_device d;

	pci_device_init(&d, "big", 0x1af4, 0x1044, 0xff0000, 1);
	assert_int_equal(pci_register_bar(&d, 1, 64 * KiB, PCI_BAR_MEM32, NULL,
					  NULL), 0);
	assert_int_equal(pci_bus_add_device(&f->pci, &d, PCI_DEVFN(5, 0),
					    NULL), 0);
	assert_int_equal(pci_bus_assign_bars(&f->pci, &err), 0);
	assert_int_equal(pci_config_read(&d, PCI_BASE_ADDRESS_1, 4),
			 0xc0000000);
	assert_int_equal(cfg_read(f, PCI_BASE_ADDRESS_0, 4), 0xc0010000);
	pci_bus_destroy(&f->pci);
}

static void test_pci_assign_bars_no_room_enospc(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	static struct pci_device d;

	pci_device_init(&d, "huge", 0x1af4, 0x1044, 0xff0000, 1);
	assert_int_equal(pci_register_bar(&d, 0, 128 * GiB, PCI_BAR_MEM64,
					  NULL, NULL), 0);
	assert_int_equal(pci_bus_add_device(&f->pci, &d, PCI_DEVFN(6, 0),
					    NULL), 0);
	assert_int_equal(pci_bus_assign_bars(&f->pci, &err), -ENOSPC);
	assert_string_equal(err.msg,
			    "PCI: no room for BAR0 of huge (137438953472 "
			    "bytes) in the 64-bit memory window");
	pci_bus_destroy(&f->pci);
}

static void test_pci_reset_restores_power_on_and_unmaps(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };

	assert_int_equal(pci_bus_assign_bars(&f->pci, &err), 0);
	cfg_write(f, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	pci_set_irq(&f->dev, true);
	f->nr_events = 0;
	pci_bus_reset(&f->pci);
	assert_int_equal(cfg_read(f, PCI_COMMAND, 2), 0);
	assert_int_equal(cfg_read(f, PCI_BASE_ADDRESS_0, 4), 0);
	assert_int_equal(f->mmio.nr_regions, 0);
	assert_int_equal(f->nr_events, 2);	/* BAR0 and BAR4 unmapped */
	assert_false(f->fake.level[19]);
	assert_int_equal(pci_bus_assign_bars(&f->pci, &err), 0);
	assert_int_equal(cfg_read(f, PCI_BASE_ADDRESS_0, 4), 0xc0000000);
}

/* The bus walks visit function 0 of each slot: the last one too. */
static struct pci_device *add_last_slot_device(struct fixture *f)
{
	static struct pci_device d;

	pci_device_init(&d, "last", 0x1af4, 0x1044, 0xff0000, 1);
	assert_int_equal(pci_register_bar(&d, 0, 4096, PCI_BAR_MEM32, NULL,
					  NULL), 0);
	assert_int_equal(pci_bus_add_device(&f->pci, &d, PCI_DEVFN(31, 0),
					    NULL), 0);
	return &d;
}

static void test_pci_assign_bars_last_slot_placed(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	struct pci_device *d = add_last_slot_device(f);
	const struct io_region *region;

	assert_int_equal(pci_bus_assign_bars(&f->pci, &err), 0);
	assert_int_equal(pci_config_read(d, PCI_BASE_ADDRESS_0, 4),
			 0xc0001000);
	assert_int_equal(pci_config_read(d, PCI_COMMAND, 2),
			 PCI_COMMAND_MEMORY);
	region = bus_find(&f->mmio, 0xc0001000);
	assert_non_null(region);
	assert_ptr_equal(region->opaque, &d->bars[0]);
	pci_bus_destroy(&f->pci);
}

static void test_pci_reset_last_slot_restored(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	struct pci_device *d = add_last_slot_device(f);

	assert_int_equal(pci_bus_assign_bars(&f->pci, &err), 0);
	pci_bus_reset(&f->pci);
	assert_int_equal(pci_config_read(d, PCI_BASE_ADDRESS_0, 4), 0);
	assert_int_equal(pci_config_read(d, PCI_COMMAND, 2), 0);
	assert_null(bus_find(&f->mmio, 0xc0001000));
	pci_bus_destroy(&f->pci);
}

/* ---- query-pci and info pci ---- */

static void test_pci_query_lists_host_bridge_and_device(void **state)
{
	struct fixture *f = *state;
	struct pci_query_device q[4];

	f->dev.qdev_id = "rng0";
	assert_int_equal(pci_query(&f->pci, q, 4), 2);
	assert_int_equal(q[0].slot, 0);
	assert_int_equal(q[0].class_code, 0x0600);
	assert_string_equal(q[0].class_desc, "Host bridge");
	assert_int_equal(q[0].vendor, 0x8086);
	assert_int_equal(q[0].device, 0x1237);
	assert_false(q[0].has_irq);
	assert_string_equal(q[0].qdev_id, "");
	assert_int_equal(q[0].nr_regions, 0);
	assert_int_equal(q[1].slot, 3);
	assert_null(q[1].class_desc);
	assert_int_equal(q[1].class_code, 0xff00);
	assert_true(q[1].has_irq);
	assert_int_equal(q[1].irq_pin, 1);
	assert_string_equal(q[1].qdev_id, "rng0");
}

static void test_pci_query_regions_unmapped_minus_one(void **state)
{
	struct fixture *f = *state;
	struct pci_query_device q[2];

	assert_int_equal(pci_query(&f->pci, q, 2), 2);
	assert_int_equal(q[1].nr_regions, 3);
	assert_int_equal(q[1].regions[0].bar, 0);
	assert_false(q[1].regions[0].is_io);
	assert_int_equal(q[1].regions[0].address, UINT64_MAX);
	assert_int_equal(q[1].regions[0].size, 4096);
	assert_int_equal(q[1].regions[1].bar, 2);
	assert_true(q[1].regions[1].is_io);
	assert_int_equal(q[1].regions[2].bar, 4);
	assert_true(q[1].regions[2].mem_type_64);
	assert_true(q[1].regions[2].prefetch);
}

static void test_pci_query_truncated_returns_total(void **state)
{
	struct fixture *f = *state;
	struct pci_query_device q[1];

	assert_int_equal(pci_query(&f->pci, q, 1), 2);
	assert_int_equal(q[0].slot, 0);
}

static void test_pci_print_info_matches_qemu(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	f->dev.qdev_id = "rng0";
	assert_int_equal(pci_bus_assign_bars(&f->pci, &err), 0);
	pci_print_info(&f->pci, out);
	fclose(out);
	assert_string_equal(text,
		"  Bus  0, device   0, function 0:\n"
		"    Host bridge: PCI device 8086:1237\n"
		"      PCI subsystem 1af4:1100\n"
		"      id \"\"\n"
		"  Bus  0, device   3, function 0:\n"
		"    Class 65280: PCI device 1af4:1044\n"
		"      PCI subsystem 1af4:1100\n"
		"      IRQ 19, pin A\n"
		"      BAR0: 32 bit memory at 0xc0000000 [0xc0000fff].\n"
		"      BAR2: I/O at 0xc000 [0xc01f].\n"
		"      BAR4: 64 bit prefetchable memory at 0x300000000 "
		"[0x300003fff].\n"
		"      id \"rng0\"\n");
	free(text);
}

#define PCI_BUS_TESTS                                                \
	T(test_pci_assign_bars_places_and_enables),                  \
	T(test_pci_assign_bars_largest_first_aligned),               \
	T(test_pci_assign_bars_no_room_enospc),                      \
	T(test_pci_reset_restores_power_on_and_unmaps),              \
	T(test_pci_assign_bars_last_slot_placed),                    \
	T(test_pci_reset_last_slot_restored),                        \
	T(test_pci_query_lists_host_bridge_and_device),              \
	T(test_pci_query_regions_unmapped_minus_one),                \
	T(test_pci_query_truncated_returns_total),                   \
	T(test_pci_print_info_matches_qemu),

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_pci_init_ids_and_class),
		T(test_pci_vendor_id_write_ignored),
		T(test_pci_command_only_writable_bits_stick),
		T(test_pci_status_error_bit_write_one_clears),
		T(test_pci_status_write_zero_keeps_bits),
		T(test_pci_status_cap_list_bit_read_only),
		T(test_pci_interrupt_line_writable_pin_read_only),
		T(test_pci_misaligned_read_all_ones),
		T(test_pci_misaligned_write_dropped),
		T(test_pci_config_write_hook_called),
		T(test_pci_bar_mem32_sizing_reads_mask),
		T(test_pci_bar_io_sizing_reads_mask_and_io_bit),
		T(test_pci_bar_mem64_sizing_both_halves),
		cmocka_unit_test(test_pci_bar_mem64_8gib_high_half_mask),
		T(test_pci_unimplemented_bar_reads_zero),
		T(test_pci_register_bar_bad_args_rejected),
		T(test_pci_register_bar_taken_ebusy),
		T(test_pci_memory_decode_maps_bar),
		T(test_pci_memory_decode_off_unmaps_bar),
		T(test_pci_io_decode_maps_io_bar_only),
		T(test_pci_bar_relocation_unmaps_then_maps),
		T(test_pci_bar_mem64_maps_high),
		T(test_pci_bar_over_low_ram_not_mapped),
		T(test_pci_bar_over_device_memory_not_mapped),
		T(test_pci_bar_over_ioapic_not_mapped),
		T(test_pci_bar_beyond_phys_bits_not_mapped),
		T(test_pci_bar_sizing_pattern_not_mapped),
		T(test_pci_bar_over_other_region_not_mapped),
		T(test_pci_refused_bar_maps_after_fix),
		T(test_pci_capabilities_chain_in_order),
		T(test_pci_capability_body_read_only),
		T(test_pci_capability_full_enospc),
		T(test_pci_intx_raises_slot_pin),
		T(test_pci_intx_disable_gates_line),
		T(test_pci_intx_shared_pin_stays_while_one_asserts),
		T(test_pci_intx_no_pin_never_raises),
		cmocka_unit_test(test_pci_intx_gsi_wraps_every_8_slots),
		PCI_BUS_TESTS
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
