// SPDX-License-Identifier: MIT
/*
 * bzimage: every refusal of the synthetic protocol 2.15 bzImage's header
 * (signature, boot flag, protocol version, xloadflags, zImage, sizes,
 * addresses, truncation), each with QEMU-like wording, and the limits
 * that are still accepted. Single-threaded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "bzimage_test_util.h"

/* The load fails with @ret and exactly the message @msg. */
static void assert_load_fails(int ret, const char *msg)
{
	assert_int_equal(load(), ret);
	assert_string_equal(err.msg, msg);
}

static void test_bzimage_bad_magic_enoexec_nothing_written(void **state)
{
	(void)state;
	image[0x205] = 'X';
	assert_load_fails(-ENOEXEC,
			  "kernel 'vmlinuz-test' is not a Linux bzImage (no \"HdrS\" signature at 0x202)");
	assert_int_equal(get(0x100000, 8), 0);
	assert_int_equal(get(ZP + 0x202, 4), 0);
}

static void test_bzimage_bad_boot_flag_enoexec(void **state)
{
	(void)state;
	put16(image, 0x1fe, 0x55aa);
	assert_load_fails(-ENOEXEC,
			  "kernel 'vmlinuz-test' is not a Linux bzImage (boot_flag is 0x55aa, not 0xaa55)");
}

static void test_bzimage_protocol_211_too_old(void **state)
{
	(void)state;
	put16(image, 0x206, 0x020b);
	assert_load_fails(-ENOEXEC,
			  "Linux boot protocol 2.11 of kernel 'vmlinuz-test' is too old: flexvm needs 2.12 or later");
}

static void test_bzimage_protocol_212_accepted(void **state)
{
	(void)state;
	put16(image, 0x206, 0x020c);
	image[0x201] = 0x66;			/* 2.12 header: to 0x268 */
	assert_int_equal(load(), 0);
	assert_int_equal(get(ZP + 0x264, 4), 0x190);
}

static void test_bzimage_no_xlf_kernel_64_enoexec(void **state)
{
	(void)state;
	put16(image, 0x236, 0x0002);
	assert_load_fails(-ENOEXEC,
			  "kernel 'vmlinuz-test' has no 64-bit entry point (XLF_KERNEL_64 is not set in xloadflags)");
}

static void test_bzimage_zimage_without_loaded_high_enoexec(void **state)
{
	(void)state;
	image[0x211] = 0;
	assert_int_equal(load(), -ENOEXEC);
	assert_non_null(strstr(err.msg, "is a zImage (LOADED_HIGH is not set)"));
}

static void test_bzimage_kernel_too_big_for_ram_enomem(void **state)
{
	(void)state;
	put32(image, 0x260, 0x3000001);		/* 16 MiB + this > 64 MiB */
	assert_load_fails(-ENOMEM,
			  "kernel 'vmlinuz-test' does not fit in guest RAM: it needs 0x100000-0x4000001 (init_size 0x3000001), but RAM below 4 GiB ends at 0x4000000");
	assert_int_equal(get(0x100000, 8), 0);
}

static void test_bzimage_kernel_filling_ram_exactly_ok(void **state)
{
	(void)state;
	put32(image, 0x260, 0x3000000);
	assert_int_equal(load(), 0);
	assert_int_equal(bi.kernel_end, RAM_SIZE);
}

static void test_bzimage_huge_pref_address_enomem(void **state)
{
	(void)state;
	put64(image, 0x258, UINT64_MAX - 0x1000);
	assert_int_equal(load(), -ENOMEM);
}

static void test_bzimage_pref_address_below_1mib_enoexec(void **state)
{
	(void)state;
	image[0x234] = 0;
	put64(image, 0x258, 0x10000);
	assert_int_equal(load(), -ENOEXEC);
	assert_non_null(strstr(err.msg, "invalid pref_address 0x10000"));
}

static void test_bzimage_bad_kernel_alignment_enoexec(void **state)
{
	(void)state;
	put32(image, 0x230, 0x300000);
	assert_int_equal(load(), -ENOEXEC);
	assert_non_null(strstr(err.msg, "invalid kernel_alignment 0x300000"));
}

static void test_bzimage_truncated_after_setup_enoexec(void **state)
{
	(void)state;
	pl.kernel_size = SETUP_SIZE;
	assert_load_fails(-ENOEXEC,
			  "kernel 'vmlinuz-test' is truncated: 2560 bytes of setup code, but the file has 2560 bytes");
}

static void test_bzimage_truncated_in_header_enoexec(void **state)
{
	(void)state;
	pl.kernel_size = 0x240;
	assert_load_fails(-ENOEXEC,
			  "kernel 'vmlinuz-test' has an invalid setup header (it ends at 0x26c)");
}

static void test_bzimage_short_header_length_enoexec(void **state)
{
	(void)state;
	image[0x201] = 0x10;
	assert_int_equal(load(), -ENOEXEC);
	assert_non_null(strstr(err.msg, "invalid setup header (it ends at 0x212)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_bzimage_bad_magic_enoexec_nothing_written),
		T(test_bzimage_bad_boot_flag_enoexec),
		T(test_bzimage_protocol_211_too_old),
		T(test_bzimage_protocol_212_accepted),
		T(test_bzimage_no_xlf_kernel_64_enoexec),
		T(test_bzimage_zimage_without_loaded_high_enoexec),
		T(test_bzimage_kernel_too_big_for_ram_enomem),
		T(test_bzimage_kernel_filling_ram_exactly_ok),
		T(test_bzimage_huge_pref_address_enomem),
		T(test_bzimage_pref_address_below_1mib_enoexec),
		T(test_bzimage_bad_kernel_alignment_enoexec),
		T(test_bzimage_truncated_after_setup_enoexec),
		T(test_bzimage_truncated_in_header_enoexec),
		T(test_bzimage_short_header_length_enoexec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
