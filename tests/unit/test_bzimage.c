// SPDX-License-Identifier: MIT
/*
 * bzimage: a synthetic protocol 2.15 bzImage built here byte by byte, loaded
 * into 64 MiB of anonymous (lazily zeroed) guest RAM; the zero page, e820,
 * command line, initrd, identity page tables and GDT are read back at the
 * offsets of Documentation/arch/x86/boot.rst. Refusals are tested in
 * test_bzimage_refusals.c, boot_load()'s file errors in test_boot_load.c.
 * FLEXVM_REAL_BZIMAGE=path also loads a real kernel (left out otherwise).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "bzimage_test_util.h"

static void test_bzimage_probe_hdrs_true_short_false(void **state)
{
	(void)state;
	assert_true(bzimage_probe(image, IMAGE_SIZE));
	assert_false(bzimage_probe(image, 0x205));
	image[0x205] = 'T';
	assert_false(bzimage_probe(image, IMAGE_SIZE));
}

static void test_bzimage_load_good_215_entry_state(void **state)
{
	(void)state;
	assert_int_equal(load(), 0);
	assert_int_equal(bi.mode, BOOT_MODE_LINUX64);
	assert_int_equal(bi.entry, 0x100200);
	assert_int_equal(bi.param_addr, 0x7000);
	assert_int_equal(bi.cr3, 0x9000);
	assert_int_equal(bi.gdt_addr, 0x500);
	assert_int_equal(bi.gdt_limit, 31);
	assert_int_equal(bi.kernel_start, 0x100000);
	assert_int_equal(bi.kernel_end, 0x1800000);	/* 16 + 8 MiB */
	assert_int_equal(bi.initrd_addr, 0);
	assert_int_equal(bi.initrd_size, 0);
}

static void test_bzimage_load_code_at_1mib_setup_not_loaded(void **state)
{
	(void)state;
	assert_int_equal(load(), 0);
	assert_memory_equal(ram + 0x100000, image + SETUP_SIZE, CODE_SIZE);
	assert_int_equal(get(0x100000 + CODE_SIZE, 8), 0);
}

static void test_bzimage_zero_page_header_copied_and_filled(void **state)
{
	(void)state;
	assert_int_equal(load(), 0);
	assert_int_equal(get(ZP + 0x1ef, 1), 0);		/* sentinel */
	assert_int_equal(get(ZP + 0x1f1, 1), SETUP_SECTS);
	assert_int_equal(get(ZP + 0x1fa, 2), 0xffff);
	assert_int_equal(get(ZP + 0x1fe, 2), 0xaa55);
	assert_memory_equal(ram + ZP + 0x202, "HdrS", 4);
	assert_int_equal(get(ZP + 0x206, 2), 0x020f);
	assert_int_equal(get(ZP + 0x210, 1), 0xff);		/* loader */
	assert_int_equal(get(ZP + 0x211, 1), 0x81);	/* HIGH | HEAP */
	assert_int_equal(get(ZP + 0x224, 2), 0xfe00);	/* heap_end_ptr */
	assert_int_equal(get(ZP + 0x228, 4), 0x20000);	/* cmd_line_ptr */
	assert_int_equal(get(ZP + 0x0c8, 4), 0);	/* ext_cmd_line_ptr */
	assert_int_equal(get(ZP + 0x250, 8), 0);	/* setup_data */
	assert_int_equal(get(ZP + 0x260, 4), 0x800000);
	assert_int_equal(get(ZP + 0x264, 4), 0x190);	/* last field */
	assert_int_equal(get(ZP + 0x270, 1), 0);	/* not header */
	assert_int_equal(get(ZP + 0x218, 4), 0);	/* no ramdisk */
	assert_int_equal(get(ZP + 0x21c, 4), 0);
}

static void test_bzimage_zero_page_e820_from_memmap(void **state)
{
	struct e820_range want[MEMMAP_E820_MAX];
	unsigned n = memmap_e820(&mm, want);

	(void)state;
	assert_int_equal(load(), 0);
	assert_int_equal(get(ZP + 0x1e8, 1), n);
	for (unsigned i = 0; i < n; i++) {
		uint64_t e = ZP + 0x2d0 + 20 * i;

		assert_int_equal(get(e, 8), want[i].addr);
		assert_int_equal(get(e + 8, 8), want[i].size);
		assert_int_equal(get(e + 16, 4), want[i].type);
	}
	/* First and last: base memory below the EBDA, RAM from 1 MiB. */
	assert_int_equal(get(ZP + 0x2d0 + 8, 8), 0x9fc00);
	assert_int_equal(get(ZP + 0x2d0 + 20 * (n - 1), 8), 0x100000);
	assert_int_equal(get(ZP + 0x2d0 + 20 * (n - 1) + 8, 8), 63 * MiB);
	assert_int_equal(get(ZP + 0x2d0 + 20 * n + 8, 8), 0);
}

static void test_bzimage_cmdline_at_0x20000(void **state)
{
	(void)state;
	assert_int_equal(load(), 0);
	assert_string_equal((char *)ram + 0x20000, "console=ttyS0");
}

static void test_bzimage_cmdline_of_cmdline_size_ok(void **state)
{
	static char line[2048];

	(void)state;
	memset(line, 'x', 2047);
	pl.cmdline = line;
	assert_int_equal(load(), 0);
	assert_int_equal(strlen((char *)ram + 0x20000), 2047);
}

static void test_bzimage_cmdline_too_long_e2big(void **state)
{
	static char line[2049];

	(void)state;
	memset(line, 'x', 2048);
	pl.cmdline = line;
	assert_int_equal(load(), -E2BIG);
	assert_string_equal(err.msg,
			    "kernel command line is too long for kernel 'vmlinuz-test': 2048 bytes, at most 2047");
	assert_int_equal(get(0x100000, 8), 0);	/* nothing written */
}

static void test_bzimage_initrd_top_of_ram_2mib_aligned(void **state)
{
	static uint8_t initrd[0x12345];

	(void)state;
	memset(initrd, 0xa5, sizeof(initrd));
	pl.initrd = initrd;
	pl.initrd_size = sizeof(initrd);
	assert_int_equal(load(), 0);
	assert_int_equal(bi.initrd_addr, 62 * MiB);
	assert_int_equal(bi.initrd_size, 0x12345);
	assert_int_equal(get(ZP + 0x218, 4), 62 * MiB);	/* ramdisk_image */
	assert_int_equal(get(ZP + 0x21c, 4), 0x12345);	/* ramdisk_size */
	assert_int_equal(get(ZP + 0x0c0, 4), 0);	/* ext_ramdisk_image */
	assert_int_equal(get(ZP + 0x0c4, 4), 0);	/* ext_ramdisk_size */
	assert_memory_equal(ram + 62 * MiB, initrd, sizeof(initrd));
}

static void test_bzimage_initrd_below_initrd_addr_max(void **state)
{
	static uint8_t initrd[4096];

	(void)state;
	put32(image, 0x22c, 0x2ffffff);		/* 48 MiB - 1 */
	pl.initrd = initrd;
	pl.initrd_size = sizeof(initrd);
	assert_int_equal(load(), 0);
	assert_int_equal(get(ZP + 0x218, 4), 46 * MiB);
}

static void test_bzimage_initrd_above_4g_flag_lifts_addr_max(void **state)
{
	static uint8_t initrd[4096];

	(void)state;
	put32(image, 0x22c, 0x1ffffff);
	put16(image, 0x236, 0x0003);	/* | XLF_CAN_BE_LOADED_ABOVE_4G */
	pl.initrd = initrd;
	pl.initrd_size = sizeof(initrd);
	assert_int_equal(load(), 0);
	assert_int_equal(get(ZP + 0x218, 4), 62 * MiB);
}

static void test_bzimage_initrd_exactly_fitting_above_kernel_ok(void **state)
{
	(void)state;
	put32(image, 0x22c, 0x1ffffff);		/* 32 MiB - kernel end 24 */
	pl.initrd = ram;	/* contents do not matter */
	pl.initrd_size = 8 * MiB;
	assert_int_equal(load(), 0);
	assert_int_equal(bi.initrd_addr, 24 * MiB);
}

static void test_bzimage_initrd_too_large_enospc(void **state)
{
	(void)state;
	put32(image, 0x22c, 0x1ffffff);
	pl.initrd = ram;
	pl.initrd_size = 8 * MiB + 1;
	assert_int_equal(load(), -ENOSPC);
	assert_string_equal(err.msg,
			    "initrd is too large, cannot support. (max: 8388608, need 8388609)");
}

static void test_bzimage_page_tables_identity_map_4gib(void **state)
{
	(void)state;
	assert_int_equal(load(), 0);
	assert_int_equal(get(0x9000, 8), 0xa003);	/* PML4[0] -> PDPT */
	assert_int_equal(get(0x9008, 8), 0);
	for (unsigned i = 0; i < 4; i++)		/* PDPT -> 4 PDs */
		assert_int_equal(get(0xa000 + 8 * i, 8), 0xb003 + 0x1000 * i);
	assert_int_equal(get(0xa020, 8), 0);
	assert_int_equal(get(0xb000, 8), 0x83);		/* 2 MiB pages */
	assert_int_equal(get(0xb008, 8), 0x200083);
	assert_int_equal(get(0xc000, 8), 0x40000083);	/* 1 GiB */
	assert_int_equal(get(0xeff8, 8), 0xffe00083);	/* last 2 MiB */
}

static void test_bzimage_gdt_null_null_code64_data(void **state)
{
	static const uint8_t want[32] = {
		[16] = 0xff, 0xff, 0x00, 0x00, 0x00, 0x9b, 0xaf, 0x00,
		[24] = 0xff, 0xff, 0x00, 0x00, 0x00, 0x93, 0xcf, 0x00,
	};

	(void)state;
	assert_int_equal(load(), 0);
	assert_memory_equal(ram + 0x500, want, sizeof(want));
}

static void test_bzimage_not_relocatable_runs_at_pref_address(void **state)
{
	(void)state;
	image[0x234] = 0;
	put64(image, 0x258, 0x2000000);
	assert_int_equal(load(), 0);
	assert_int_equal(bi.kernel_end, 0x2800000);	/* 32 + 8 MiB */
}

static void test_bzimage_setup_sects_zero_means_four(void **state)
{
	(void)state;
	image[0x1f1] = 0;
	assert_int_equal(load(), 0);
	assert_memory_equal(ram + 0x100000, image + SETUP_SIZE, CODE_SIZE);
}

/* FLEXVM_REAL_BZIMAGE=/boot/vmlinuz-...: a distribution kernel loads. */
static void test_bzimage_real_kernel_from_env_loads(void **state)
{
	uint8_t *bram = boot_load_real(getenv("FLEXVM_REAL_BZIMAGE"));

	(void)state;
	assert_int_equal(bi.mode, BOOT_MODE_LINUX64);
	assert_int_equal(bi.entry, 0x100200);
	assert_true((bram[ZP + 0x206] | bram[ZP + 0x207] << 8) >= 0x020c);
	assert_int_equal(bram[ZP + 0x210], 0xff);
	assert_true(bi.kernel_end > 0x1000000);
	guest_mem_free_anon(bram, REAL_RAM_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_bzimage_probe_hdrs_true_short_false),
		T(test_bzimage_load_good_215_entry_state),
		T(test_bzimage_load_code_at_1mib_setup_not_loaded),
		T(test_bzimage_zero_page_header_copied_and_filled),
		T(test_bzimage_zero_page_e820_from_memmap),
		T(test_bzimage_cmdline_at_0x20000),
		T(test_bzimage_cmdline_of_cmdline_size_ok),
		T(test_bzimage_cmdline_too_long_e2big),
		T(test_bzimage_initrd_top_of_ram_2mib_aligned),
		T(test_bzimage_initrd_below_initrd_addr_max),
		T(test_bzimage_initrd_above_4g_flag_lifts_addr_max),
		T(test_bzimage_initrd_exactly_fitting_above_kernel_ok),
		T(test_bzimage_initrd_too_large_enospc),
		T(test_bzimage_page_tables_identity_map_4gib),
		T(test_bzimage_gdt_null_null_code64_data),
		T(test_bzimage_not_relocatable_runs_at_pref_address),
		T(test_bzimage_setup_sects_zero_means_four),
		T(test_bzimage_real_kernel_from_env_loads),	/* last */
	};

	return boot_run_tests(tests, ARRAY_SIZE(tests), "FLEXVM_REAL_BZIMAGE");
}
