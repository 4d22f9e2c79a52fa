// SPDX-License-Identifier: MIT
/*
 * memmap: the guest-physical layout for typical -m sizes, the address-width
 * limits, every refused configuration and the exact e820 table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "mem/memmap.h"

static struct memmap layout(uint64_t ram, uint64_t maxmem, unsigned bits)
{
	struct error err = { 0 };
	struct memmap mm;

	assert_int_equal(memmap_init(&mm, ram, maxmem, bits, &err), 0);
	assert_false(error_is_set(&err));
	return mm;
}

/* Runs memmap_init expecting failure; returns the message. */
static const char *refuse(struct error *err, uint64_t ram, uint64_t maxmem,
			  unsigned bits)
{
	struct memmap mm;

	memset(&mm, 0xaa, sizeof(mm));
	error_clear(err);
	assert_int_equal(memmap_init(&mm, ram, maxmem, bits, err), -EINVAL);
	assert_true(error_is_set(err));
	assert_int_equal(mm.ram_size, 0);	/* zeroed on failure */
	assert_int_equal(mm.pci_mmio64_size, 0);
	return err->msg;
}

static void test_memmap_128m_all_low(void **state)
{
	struct memmap mm = layout(128 * MiB, 0, 46);

	(void)state;
	assert_int_equal(mm.ram_size, 128 * MiB);
	assert_int_equal(mm.low_ram_size, 128 * MiB);
	assert_int_equal(mm.high_ram_size, 0);
	assert_int_equal(mm.device_mem_base, 4 * GiB);
	assert_int_equal(mm.device_mem_size, 0);
	assert_int_equal(mm.pci_mmio64_base, 4 * GiB);
	assert_int_equal(mm.pci_mmio64_size, 64 * GiB);
	assert_int_equal(mm.phys_bits, 46);
}

static void test_memmap_3g_fills_low_ram_exactly(void **state)
{
	struct memmap mm = layout(3 * GiB, 0, 46);

	(void)state;
	assert_int_equal(mm.low_ram_size, 3 * GiB);
	assert_int_equal(mm.high_ram_size, 0);
	assert_int_equal(mm.device_mem_base, 4 * GiB);
}

static void test_memmap_3g_plus_page_spills_to_4g(void **state)
{
	struct memmap mm = layout(3 * GiB + 4 * KiB, 0, 46);

	(void)state;
	assert_int_equal(mm.low_ram_size, 3 * GiB);
	assert_int_equal(mm.high_ram_size, 4 * KiB);
	/* the window moves to the next 2 GiB boundary above 4 GiB + 4 KiB */
	assert_int_equal(mm.device_mem_base, 6 * GiB);
	assert_int_equal(mm.pci_mmio64_base, 6 * GiB);
}

static void test_memmap_8g_splits_3g_low_5g_high(void **state)
{
	struct memmap mm = layout(8 * GiB, 0, 46);

	(void)state;
	assert_int_equal(mm.low_ram_size, 3 * GiB);
	assert_int_equal(mm.high_ram_size, 5 * GiB);
	assert_int_equal(mm.device_mem_base, 10 * GiB);
	assert_int_equal(mm.device_mem_size, 0);
}

static void test_memmap_maxmem_equal_ram_no_device_mem(void **state)
{
	struct memmap mm = layout(2 * GiB, 2 * GiB, 46);

	(void)state;
	assert_int_equal(mm.device_mem_size, 0);
	assert_int_equal(mm.pci_mmio64_base, 4 * GiB);
}

static void test_memmap_maxmem_1t_window_after_high_ram(void **state)
{
	struct memmap mm = layout(4 * GiB, 1 * TiB, 46);

	(void)state;
	assert_int_equal(mm.high_ram_size, 1 * GiB);
	assert_int_equal(mm.device_mem_base, 6 * GiB);
	assert_int_equal(mm.device_mem_size, 1 * TiB - 4 * GiB);
	assert_int_equal(mm.pci_mmio64_base, 1026 * GiB);
	assert_int_equal(mm.pci_mmio64_size, 64 * GiB);
}

static void test_memmap_maxmem_16t_fits_46_bits(void **state)
{
	struct memmap mm = layout(4 * GiB, 16 * TiB, 46);

	(void)state;
	assert_int_equal(mm.device_mem_base, 6 * GiB);
	assert_int_equal(mm.device_mem_size, 16 * TiB - 4 * GiB);
	assert_int_equal(mm.pci_mmio64_base, 16 * TiB + 2 * GiB);
}

static void test_memmap_device_base_2g_aligned_for_odd_ram(void **state)
{
	struct memmap mm = layout(5 * GiB + 12 * KiB, 8 * GiB, 46);

	(void)state;
	assert_int_equal(mm.device_mem_base % MEMMAP_DEVICE_MEM_ALIGN, 0);
	assert_int_equal(mm.device_mem_base, 8 * GiB);
	/* the PCI window is rounded up to 1 GiB after an unaligned end */
	assert_int_equal(mm.device_mem_size, 3 * GiB - 12 * KiB);
	assert_int_equal(mm.pci_mmio64_base, 11 * GiB);
}

static void test_memmap_39_bits_shrinks_pci_window(void **state)
{
	/* device memory ends at 502 GiB; 2^39 is 512 GiB */
	struct memmap mm = layout(4 * GiB, 500 * GiB, 39);

	(void)state;
	assert_int_equal(mm.pci_mmio64_base, 502 * GiB);
	assert_int_equal(mm.pci_mmio64_size, 10 * GiB);
}

static void test_memmap_39_bits_maxmem_1t_refused(void **state)
{
	struct error err;

	(void)state;
	assert_string_equal(refuse(&err, 4 * GiB, 1 * TiB, 39),
			    "maxmem 1 TiB does not fit below the guest's "
			    "2^39-byte physical address space");
}

static void test_memmap_39_bits_no_room_for_pci_refused(void **state)
{
	struct error err;

	(void)state;
	/* device memory ends at 511.5 GiB: half a GiB is left */
	assert_string_equal(refuse(&err, 4 * GiB, 521728 * MiB, 39),
			    "-m 4 GiB,maxmem=521728 MiB leaves no room for the "
			    "1 GiB 64-bit PCI window below the guest's "
			    "2^39-byte physical address space");
}

static void test_memmap_46_bits_maxmem_64t_refused(void **state)
{
	struct error err;

	(void)state;
	assert_string_equal(refuse(&err, 4 * GiB, 64 * TiB, 46),
			    "maxmem 64 TiB does not fit below the guest's "
			    "2^46-byte physical address space");
}

static void test_memmap_48_bits_capped_at_64t(void **state)
{
	struct error err;

	(void)state;
	assert_string_equal(refuse(&err, 4 * GiB, 128 * TiB, 48),
			    "maxmem 128 TiB does not fit below 64 TiB, the "
			    "hot-plug limit of a 4-level-paging guest");
}

static void test_memmap_46_bits_largest_maxmem_fits(void **state)
{
	/* device memory up to 63 GiB below 64 TiB, PCI window the rest */
	struct memmap mm = layout(4 * GiB, 64 * TiB - 2 * GiB - 1 * GiB, 46);

	(void)state;
	assert_int_equal(mm.pci_mmio64_base, 64 * TiB - 1 * GiB);
	assert_int_equal(mm.pci_mmio64_size, 1 * GiB);
}

static void test_memmap_ram_above_phys_bits_refused(void **state)
{
	struct error err;

	(void)state;
	assert_string_equal(refuse(&err, 64 * GiB, 0, 36),
			    "RAM size 64 GiB does not fit below the guest's "
			    "2^36-byte physical address space");
}

static void test_memmap_ram_1m_too_small(void **state)
{
	struct error err;

	(void)state;
	assert_string_equal(refuse(&err, 1 * MiB, 0, 46),
			    "RAM size 1 MiB is too small: flexvm needs at "
			    "least 2 MiB (the kernel is loaded at 1 MiB)");
}

static void test_memmap_ram_zero_refused(void **state)
{
	struct error err;

	(void)state;
	assert_string_equal(refuse(&err, 0, 0, 46),
			    "RAM size 0 B is too small: flexvm needs at "
			    "least 2 MiB (the kernel is loaded at 1 MiB)");
}

static void test_memmap_ram_2m_is_the_minimum(void **state)
{
	struct memmap mm = layout(MEMMAP_RAM_MIN, 0, 46);

	(void)state;
	assert_int_equal(mm.low_ram_size, 2 * MiB);
}

static void test_memmap_ram_unaligned_refused(void **state)
{
	struct error err;

	(void)state;
	assert_string_equal(refuse(&err, 2 * MiB + 1 * KiB, 0, 46),
			    "RAM size 2049 KiB is not a multiple of 4 KiB");
}

static void test_memmap_maxmem_below_ram_refused(void **state)
{
	struct error err;

	(void)state;
	assert_string_equal(refuse(&err, 1 * GiB, 512 * MiB, 46),
			    "invalid value of maxmem: maximum memory size "
			    "(0x20000000) must be at least the initial memory "
			    "size (0x40000000)");
}

static void test_memmap_maxmem_unaligned_refused(void **state)
{
	struct error err;

	(void)state;
	assert_string_equal(refuse(&err, 1 * GiB, 2 * GiB + 1, 46),
			    "maximum memory size must be aligned to multiple "
			    "of 4096 bytes");
}

static void test_memmap_phys_bits_out_of_range_refused(void **state)
{
	struct error err;

	(void)state;
	assert_string_equal(refuse(&err, 1 * GiB, 0, 35),
			    "guest physical address width of 35 bits is out "
			    "of range (36-52)");
	assert_string_equal(refuse(&err, 1 * GiB, 0, 53),
			    "guest physical address width of 53 bits is out "
			    "of range (36-52)");
}

static void assert_e820(const struct e820_range *e, uint64_t addr,
			uint64_t size, uint32_t type)
{
	assert_int_equal(e->addr, addr);
	assert_int_equal(e->size, size);
	assert_int_equal(e->type, type);
}

static void test_memmap_e820_128m_four_entries(void **state)
{
	struct memmap mm = layout(128 * MiB, 0, 46);
	struct e820_range e[MEMMAP_E820_MAX];

	(void)state;
	assert_int_equal(memmap_e820(&mm, e), 4);
	assert_e820(&e[0], 0, 0x9FC00, E820_RAM);
	assert_e820(&e[1], 0x9FC00, 0x400, E820_RESERVED);
	assert_e820(&e[2], 0xF0000, 0x10000, E820_RESERVED);
	assert_e820(&e[3], 0x100000, 127 * MiB, E820_RAM);
}

static void test_memmap_e820_8g_adds_high_ram(void **state)
{
	struct memmap mm = layout(8 * GiB, 0, 46);
	struct e820_range e[MEMMAP_E820_MAX];

	(void)state;
	assert_int_equal(memmap_e820(&mm, e), 5);
	assert_e820(&e[3], 0x100000, 3 * GiB - 1 * MiB, E820_RAM);
	assert_e820(&e[4], 4 * GiB, 5 * GiB, E820_RAM);
}

static void test_memmap_e820_3g_plus_page_one_high_page(void **state)
{
	struct memmap mm = layout(3 * GiB + 4 * KiB, 0, 46);
	struct e820_range e[MEMMAP_E820_MAX];

	(void)state;
	assert_int_equal(memmap_e820(&mm, e), 5);
	assert_e820(&e[4], 4 * GiB, 4 * KiB, E820_RAM);
}

static void test_memmap_e820_omits_device_memory(void **state)
{
	struct memmap mm = layout(4 * GiB, 1 * TiB, 46);
	struct e820_range e[MEMMAP_E820_MAX];
	unsigned n;

	(void)state;
	n = memmap_e820(&mm, e);
	assert_int_equal(n, 5);
	/* the last entry ends with RAM, well below the window at 6 GiB */
	assert_int_equal(e[n - 1].addr + e[n - 1].size, 5 * GiB);
}

#define T(f) cmocka_unit_test(f)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_memmap_128m_all_low),
		T(test_memmap_3g_fills_low_ram_exactly),
		T(test_memmap_3g_plus_page_spills_to_4g),
		T(test_memmap_8g_splits_3g_low_5g_high),
		T(test_memmap_maxmem_equal_ram_no_device_mem),
		T(test_memmap_maxmem_1t_window_after_high_ram),
		T(test_memmap_maxmem_16t_fits_46_bits),
		T(test_memmap_device_base_2g_aligned_for_odd_ram),
		T(test_memmap_39_bits_shrinks_pci_window),
		T(test_memmap_39_bits_maxmem_1t_refused),
		T(test_memmap_39_bits_no_room_for_pci_refused),
		T(test_memmap_46_bits_maxmem_64t_refused),
		T(test_memmap_48_bits_capped_at_64t),
		T(test_memmap_46_bits_largest_maxmem_fits),
		T(test_memmap_ram_above_phys_bits_refused),
		T(test_memmap_ram_1m_too_small),
		T(test_memmap_ram_zero_refused),
		T(test_memmap_ram_2m_is_the_minimum),
		T(test_memmap_ram_unaligned_refused),
		T(test_memmap_maxmem_below_ram_refused),
		T(test_memmap_maxmem_unaligned_refused),
		T(test_memmap_phys_bits_out_of_range_refused),
		T(test_memmap_e820_128m_four_entries),
		T(test_memmap_e820_8g_adds_high_ram),
		T(test_memmap_e820_3g_plus_page_one_high_page),
		T(test_memmap_e820_omits_device_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
