// SPDX-License-Identifier: MIT
/*
 * Unit tests for size_parse() and size_format(). The expected values of
 * size_parse() were taken from qemu-system-x86_64 7.2 (-object
 * memory-backend-ram,size=X then "info memdev", and "-m X").
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "util/size.h"

/* Parses @s and returns the result, or fails the test on an error. */
static uint64_t parse_ok(const char *s, uint64_t unit)
{
	uint64_t v = 0xdeadbeef;

	assert_int_equal(size_parse(s, unit, &v), 0);
	return v;
}

static void assert_parse_fails(const char *s, uint64_t unit, int expected)
{
	uint64_t v = 0xdeadbeef;

	assert_int_equal(size_parse(s, unit, &v), expected);
	assert_int_equal(v, 0xdeadbeef);	/* untouched on error */
}

static void test_size_parse_plain_number_is_bytes(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("1024", 1), 1024);
	assert_int_equal(parse_ok("0", 1), 0);
}

static void test_size_parse_plain_number_uses_default_unit(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("512", MiB), 512 * MiB);
}

static void test_size_parse_suffixes_are_binary(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("1B", MiB), 1);
	assert_int_equal(parse_ok("1K", 1), 1024);
	assert_int_equal(parse_ok("1M", 1), 1048576);
	assert_int_equal(parse_ok("1G", 1), 1073741824ULL);
	assert_int_equal(parse_ok("1T", 1), 1099511627776ULL);
	assert_int_equal(parse_ok("1P", 1), 1125899906842624ULL);
	assert_int_equal(parse_ok("1E", 1), 1152921504606846976ULL);
}

static void test_size_parse_suffixes_ignore_case(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("1k", 1), 1024);
	assert_int_equal(parse_ok("2g", 1), 2147483648ULL);
	assert_int_equal(parse_ok("3b", 1), 3);
	assert_int_equal(parse_ok("1e", 1), 1152921504606846976ULL);
}

static void test_size_parse_fraction_is_truncated(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("1.5G", 1), 1610612736ULL);
	assert_int_equal(parse_ok("1.1K", 1), 1126);	/* 1126.4 */
	assert_int_equal(parse_ok("1.00000000001M", 1), 1048576);
	assert_int_equal(parse_ok("0.0001K", 1), 0);
}

static void test_size_parse_dot_without_digits_is_skipped(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("1.G", 1), 1073741824ULL);
	assert_int_equal(parse_ok("1.k", 1), 1024);
	assert_int_equal(parse_ok("1.", 1), 1);
}

static void test_size_parse_zero_fraction_of_a_byte_is_fine(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2.0", 1), 2);
	assert_int_equal(parse_ok("2.00B", MiB), 2);
}

static void test_size_parse_fraction_of_a_byte_fails(void **state)
{
	(void)state;
	assert_parse_fails("1.5", 1, -EINVAL);
	assert_parse_fails("0.5", 1, -EINVAL);
	assert_parse_fails("1.5B", MiB, -EINVAL);
}

static void test_size_parse_fraction_with_default_unit(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("1.5", MiB), 1572864);
}

static void test_size_parse_hex(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("0x10", 1), 16);
	assert_int_equal(parse_ok("0X10", 1), 16);
	assert_int_equal(parse_ok("0xfB", 1), 0xfb);	/* B is a digit */
}

static void test_size_parse_hex_with_suffix(void **state)
{
	(void)state;
	/* Deprecated in QEMU 7.2 but still accepted. */
	assert_int_equal(parse_ok("0x10K", 1), 16384);
	assert_int_equal(parse_ok("0x100", MiB), 256 * MiB);
}

static void test_size_parse_leading_zero_is_decimal(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("010", 1), 10);
}

static void test_size_parse_leading_blanks_and_plus(void **state)
{
	(void)state;
	assert_int_equal(parse_ok(" 1K", 1), 1024);
	assert_int_equal(parse_ok("\t1K", 1), 1024);
	assert_int_equal(parse_ok("+1K", 1), 1024);
}

static void test_size_parse_largest_value(void **state)
{
	(void)state;
	assert_true(parse_ok("18446744073709551615", 1) == UINT64_MAX);
	assert_true(parse_ok("15.9999999999999999999E", 1) >
		    15ULL * 1152921504606846976ULL);
}

static void test_size_parse_empty_fails(void **state)
{
	(void)state;
	assert_parse_fails("", 1, -EINVAL);
	assert_parse_fails(" ", 1, -EINVAL);
}

static void test_size_parse_negative_fails(void **state)
{
	(void)state;
	assert_parse_fails("-1", 1, -EINVAL);
	assert_parse_fails("-1M", MiB, -EINVAL);
	assert_parse_fails("+-1", 1, -EINVAL);
}

static void test_size_parse_trailing_junk_fails(void **state)
{
	(void)state;
	assert_parse_fails("1G ", 1, -EINVAL);
	assert_parse_fails("1GB", 1, -EINVAL);
	assert_parse_fails("1Gi", 1, -EINVAL);
	assert_parse_fails("1,5K", 1, -EINVAL);
	assert_parse_fails("1_000", 1, -EINVAL);
	assert_parse_fails("abc", 1, -EINVAL);
}

static void test_size_parse_exponent_fails(void **state)
{
	(void)state;
	assert_parse_fails("1e3", 1, -EINVAL);
	assert_parse_fails("1.5e3K", 1, -EINVAL);
	assert_parse_fails("1.5E3", 1, -EINVAL);
}

static void test_size_parse_malformed_fraction_fails(void **state)
{
	(void)state;
	assert_parse_fails(".5G", 1, -EINVAL);
	assert_parse_fails("1..5G", 1, -EINVAL);
	assert_parse_fails("1..K", 1, -EINVAL);
}

static void test_size_parse_malformed_hex_fails(void **state)
{
	(void)state;
	assert_parse_fails("0x", 1, -EINVAL);
	assert_parse_fails("0xg", 1, -EINVAL);
	assert_parse_fails("00x10", 1, -EINVAL);
	assert_parse_fails("0x1.5K", 1, -EINVAL);
	assert_parse_fails("0b11", 1, -EINVAL);
}

static void test_size_parse_overflow_is_erange(void **state)
{
	(void)state;
	assert_parse_fails("16E", 1, -ERANGE);
	assert_parse_fails("18446744073709551616", 1, -ERANGE);
	assert_parse_fails("16384P", 1, -ERANGE);
	assert_parse_fails("0xffffffffffffffffff", 1, -ERANGE);
	assert_parse_fails("17592186044416", MiB, -ERANGE);
}

static void test_size_parse_overflow_with_suffix_is_einval(void **state)
{
	(void)state;
	/* QEMU stops at the overflowing digits, then sees junk. */
	assert_parse_fails("99999999999999999999G", 1, -EINVAL);
}

static void test_size_format_bytes(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(size_format(0, buf, sizeof(buf)), "0 B");
	assert_string_equal(size_format(1023, buf, sizeof(buf)), "1023 B");
}

static void test_size_format_whole_units(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(size_format(KiB, buf, sizeof(buf)), "1 KiB");
	assert_string_equal(size_format(512 * MiB, buf, sizeof(buf)),
			    "512 MiB");
	assert_string_equal(size_format(GiB, buf, sizeof(buf)), "1 GiB");
	assert_string_equal(size_format(3 * TiB, buf, sizeof(buf)), "3 TiB");
}

static void test_size_format_fractions(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(size_format(GiB + GiB / 2, buf, sizeof(buf)),
			    "1.5 GiB");
	assert_string_equal(size_format(GiB + GiB / 4, buf, sizeof(buf)),
			    "1.25 GiB");
	assert_string_equal(size_format(GiB + GiB / 3, buf, sizeof(buf)),
			    "1.33 GiB");
	assert_string_equal(size_format(1536, buf, sizeof(buf)), "1.5 KiB");
}

static void test_size_format_truncates_never_rounds_up(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(size_format(2 * GiB - 1, buf, sizeof(buf)),
			    "1.99 GiB");
	assert_string_equal(size_format(UINT64_MAX, buf, sizeof(buf)),
			    "15.99 EiB");
}

static void test_size_format_small_buffer_is_terminated(void **state)
{
	char buf[4] = "xxx";
	char none[1] = { 'x' };

	(void)state;
	assert_string_equal(size_format(512 * MiB, buf, sizeof(buf)), "512");
	assert_ptr_equal(size_format(1, none, 0), none);
	assert_int_equal(none[0], 'x');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_parse_plain_number_is_bytes),
		cmocka_unit_test(
			test_size_parse_plain_number_uses_default_unit),
		cmocka_unit_test(test_size_parse_suffixes_are_binary),
		cmocka_unit_test(test_size_parse_suffixes_ignore_case),
		cmocka_unit_test(test_size_parse_fraction_is_truncated),
		cmocka_unit_test(test_size_parse_dot_without_digits_is_skipped),
		cmocka_unit_test(
			test_size_parse_zero_fraction_of_a_byte_is_fine),
		cmocka_unit_test(test_size_parse_fraction_of_a_byte_fails),
		cmocka_unit_test(test_size_parse_fraction_with_default_unit),
		cmocka_unit_test(test_size_parse_hex),
		cmocka_unit_test(test_size_parse_hex_with_suffix),
		cmocka_unit_test(test_size_parse_leading_zero_is_decimal),
		cmocka_unit_test(test_size_parse_leading_blanks_and_plus),
		cmocka_unit_test(test_size_parse_largest_value),
		cmocka_unit_test(test_size_parse_empty_fails),
		cmocka_unit_test(test_size_parse_negative_fails),
		cmocka_unit_test(test_size_parse_trailing_junk_fails),
		cmocka_unit_test(test_size_parse_exponent_fails),
		cmocka_unit_test(test_size_parse_malformed_fraction_fails),
		cmocka_unit_test(test_size_parse_malformed_hex_fails),
		cmocka_unit_test(test_size_parse_overflow_is_erange),
		cmocka_unit_test(
			test_size_parse_overflow_with_suffix_is_einval),
		cmocka_unit_test(test_size_format_bytes),
		cmocka_unit_test(test_size_format_whole_units),
		cmocka_unit_test(test_size_format_fractions),
		cmocka_unit_test(test_size_format_truncates_never_rounds_up),
		cmocka_unit_test(test_size_format_small_buffer_is_terminated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
