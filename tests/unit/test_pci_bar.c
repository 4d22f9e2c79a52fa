// SPDX-License-Identifier: MIT
/*
 * pci BARs: sizing (I/O, 32- and 64-bit), registration errors, decode and
 * relocation with the bar_map callback, refused placements (RAM, device
 * memory, the APIC area, beyond MAXPHYADDR, another region), firmware
 * BAR assignment and bus reset.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "pci_test_util.h"

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

/* As a driver places BAR0: its address, then memory decode on. */
static void decode_bar0_at(struct fixture *f, uint32_t gpa)
{
	cfg_write(f, PCI_BASE_ADDRESS_0, gpa, 4);
	cfg_write(f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
}

/* The same for the 64-bit BAR4: raw dwords, @lo with its type bits. */
static void decode_bar4_at(struct fixture *f, uint32_t lo, uint32_t hi)
{
	cfg_write(f, PCI_BASE_ADDRESS_4, lo, 4);
	cfg_write(f, PCI_BASE_ADDRESS_5, hi, 4);
	cfg_write(f, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
}

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

	decode_bar0_at(f, 0xc0001000);
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

	decode_bar0_at(f, 0xc0001000);
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

	decode_bar4_at(f, 0x0000c00c, 0x3);
	assert_non_null(bus_find(&f->mmio, 0x30000c000ULL));
}

static void test_pci_bar_over_low_ram_not_mapped(void **state)
{
	struct fixture *f = *state;

	decode_bar0_at(f, 0x00100000);
	assert_null(bus_find(&f->mmio, 0x00100000));
	assert_false(f->dev.bars[0].mapped);
	assert_int_equal(f->nr_events, 0);
}

static void test_pci_bar_over_device_memory_not_mapped(void **state)
{
	struct fixture *f = *state;

	/* Device memory is [4 GiB, 4 GiB + 0x1f8000000) here. */
	decode_bar4_at(f, 0x0000000c, 0x2);
	assert_null(bus_find(&f->mmio, 0x200000000ULL));
	assert_false(f->dev.bars[4].mapped);
}

static void test_pci_bar_over_ioapic_not_mapped(void **state)
{
	struct fixture *f = *state;

	decode_bar0_at(f, 0xfee00000);
	assert_false(f->dev.bars[0].mapped);
}

static void test_pci_bar_beyond_phys_bits_not_mapped(void **state)
{
	struct fixture *f = *state;

	decode_bar4_at(f, 0x0000000c, 0x10000);		/* 2^48 */
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
	decode_bar0_at(f, 0xc0001000);
	assert_false(f->dev.bars[0].mapped);
	assert_int_equal(f->mmio.nr_regions, 1);
}

static void test_pci_refused_bar_maps_after_fix(void **state)
{
	struct fixture *f = *state;

	decode_bar0_at(f, 0x1000);
	cfg_write(f, PCI_BASE_ADDRESS_0, 0xc0004000, 4);
	assert_true(f->dev.bars[0].mapped);
	assert_int_equal(f->dev.bars[0].mapped_gpa, 0xc0004000);
}

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

/* Adds @d, named @name, with one BAR (@bar, @size, @flags) in @slot. */
static struct pci_device *add_bar_device(struct fixture *f,
					 struct pci_device *d,
					 const char *name, unsigned slot,
					 unsigned bar, uint64_t size,
					 uint32_t flags)
{
	pci_device_init(d, name, 0x1af4, 0x1044, 0xff0000, 1);
	assert_int_equal(pci_register_bar(d, bar, size, flags, NULL, NULL),
			 0);
	assert_int_equal(pci_bus_add_device(&f->pci, d, PCI_DEVFN(slot, 0),
					    NULL), 0);
	return d;
}

static void test_pci_assign_bars_largest_first_aligned(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	static struct pci_device d;

	add_bar_device(f, &d, "big", 5, 1, 64 * KiB, PCI_BAR_MEM32);
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

	add_bar_device(f, &d, "huge", 6, 0, 128 * GiB, PCI_BAR_MEM64);
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

	return add_bar_device(f, &d, "last", 31, 0, 4096, PCI_BAR_MEM32);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
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
		T(test_pci_assign_bars_places_and_enables),
		T(test_pci_assign_bars_largest_first_aligned),
		T(test_pci_assign_bars_no_room_enospc),
		T(test_pci_reset_restores_power_on_and_unmaps),
		T(test_pci_assign_bars_last_slot_placed),
		T(test_pci_reset_last_slot_restored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
