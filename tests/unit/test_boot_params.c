// SPDX-License-Identifier: MIT
/*
 * boot_params_build: the zero page as raw bytes at the offsets of
 * Documentation/arch/x86/boot.rst and zero-page.rst: which part of the
 * image is copied, the loader fields, 64-bit command line and initrd
 * addresses split into the ext_* fields, and the e820 table with high RAM.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "boot/boot_params.h"

static uint8_t image[0x400];
static struct boot_params bp;
static struct memmap mm;
static struct boot_params_args args;

static uint64_t get(size_t off, unsigned len)
{
	const uint8_t *b = (const uint8_t *)&bp;
	uint64_t v = 0;

	while (len--)
		v = v << 8 | b[off + len];
	return v;
}

static int setup(void **state)
{
	struct error err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(image); i++)
		image[i] = (uint8_t)(i | 1);	/* never 0 */
	memset(&bp, 0xee, sizeof(bp));		/* stale: must be cleared */
	if (memmap_init(&mm, 128 * MiB, 0, 40, &err))
		return -1;
	args = (struct boot_params_args){ .cmdline_addr = 0x20000,
					  .mm = &mm };
	return 0;
}

static void test_boot_params_copies_only_setup_header(void **state)
{
	(void)state;
	boot_params_build(&bp, image, 0x26c, &args);
	assert_int_equal(get(0x1ef, 1), 0);		/* sentinel */
	assert_int_equal(get(0x1f0, 1), 0);
	assert_int_equal(get(0x1f1, 1), image[0x1f1]);	/* setup_sects */
	assert_memory_equal((uint8_t *)&bp + 0x202, image + 0x202, 4);
	assert_int_equal(get(0x26b, 1), image[0x26b]);	/* last byte */
	assert_int_equal(get(0x26c, 1), 0);		/* past the end */
	assert_int_equal(get(0x000, 8), 0);		/* screen_info */
	assert_int_equal(get(0xff8, 8), 0);		/* end of page */
}

static void test_boot_params_header_to_limit_0x290(void **state)
{
	(void)state;
	boot_params_build(&bp, image, BOOT_PARAMS_HDR_MAX_END, &args);
	assert_int_equal(get(0x28f, 1), image[0x28f]);
	assert_int_equal(get(0x290, 1), 0);	/* edd_mbr_sig_buffer */
}

static void test_boot_params_loader_fields(void **state)
{
	(void)state;
	image[0x211] = 0x01;			/* LOADED_HIGH */
	boot_params_build(&bp, image, 0x26c, &args);
	assert_int_equal(get(0x210, 1), 0xff);		/* type_of_loader */
	assert_int_equal(get(0x211, 1), 0x81);		/* | CAN_USE_HEAP */
	assert_int_equal(get(0x224, 2), 0xfe00);	/* heap_end_ptr */
	assert_int_equal(get(0x228, 4), 0x20000);	/* cmd_line_ptr */
	assert_int_equal(get(0x0c8, 4), 0);		/* ext_cmd_line_ptr */
	assert_int_equal(get(0x250, 8), 0);		/* setup_data */
}

static void test_boot_params_no_initrd_zero_ramdisk(void **state)
{
	(void)state;
	boot_params_build(&bp, image, 0x26c, &args);
	assert_int_equal(get(0x218, 4), 0);
	assert_int_equal(get(0x21c, 4), 0);
	assert_int_equal(get(0x0c0, 4), 0);
	assert_int_equal(get(0x0c4, 4), 0);
}

static void test_boot_params_initrd_above_4g_split_into_ext(void **state)
{
	(void)state;
	args.initrd_addr = 0x123456000ULL;
	args.initrd_size = 0x100002000ULL;
	boot_params_build(&bp, image, 0x26c, &args);
	assert_int_equal(get(0x218, 4), 0x23456000);	/* ramdisk_image */
	assert_int_equal(get(0x0c0, 4), 0x1);		/* ext_ramdisk_image */
	assert_int_equal(get(0x21c, 4), 0x00002000);	/* ramdisk_size */
	assert_int_equal(get(0x0c4, 4), 0x1);		/* ext_ramdisk_size */
}

static void test_boot_params_cmdline_above_4g_split_into_ext(void **state)
{
	(void)state;
	args.cmdline_addr = 0x200001000ULL;
	boot_params_build(&bp, image, 0x26c, &args);
	assert_int_equal(get(0x228, 4), 0x1000);
	assert_int_equal(get(0x0c8, 4), 0x2);
}

static void test_boot_params_e820_with_high_ram(void **state)
{
	struct error err = { 0 };

	(void)state;
	assert_int_equal(memmap_init(&mm, 5 * GiB, 0, 40, &err), 0);
	boot_params_build(&bp, image, 0x26c, &args);
	assert_int_equal(get(0x1e8, 1), 5);		/* e820_entries */
	/* base RAM, EBDA, F-segment, 1 MiB..3 GiB, 4 GiB..6 GiB */
	assert_int_equal(get(0x2d0 + 0 * 20 + 8, 8), 0x9fc00);
	assert_int_equal(get(0x2d0 + 0 * 20 + 16, 4), 1);
	assert_int_equal(get(0x2d0 + 1 * 20, 8), 0x9fc00);
	assert_int_equal(get(0x2d0 + 1 * 20 + 16, 4), 2);
	assert_int_equal(get(0x2d0 + 2 * 20, 8), 0xf0000);
	assert_int_equal(get(0x2d0 + 2 * 20 + 16, 4), 2);
	assert_int_equal(get(0x2d0 + 3 * 20 + 8, 8), 3 * GiB - MiB);
	assert_int_equal(get(0x2d0 + 4 * 20, 8), 4 * GiB);
	assert_int_equal(get(0x2d0 + 4 * 20 + 8, 8), 2 * GiB);
	assert_int_equal(get(0x2d0 + 4 * 20 + 16, 4), 1);
	assert_int_equal(get(0x2d0 + 5 * 20 + 8, 8), 0);
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_boot_params_copies_only_setup_header),
		T(test_boot_params_header_to_limit_0x290),
		T(test_boot_params_loader_fields),
		T(test_boot_params_no_initrd_zero_ramdisk),
		T(test_boot_params_initrd_above_4g_split_into_ext),
		T(test_boot_params_cmdline_above_4g_split_into_ext),
		T(test_boot_params_e820_with_high_ram),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
