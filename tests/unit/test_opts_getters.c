// SPDX-License-Identifier: MIT
/*
 * Unit tests for the opts typed getters and parsers: validation against a
 * description, sizes, numbers, bools, ints, u32 and the help listing. The
 * expected messages were copied from qemu-system-x86_64 7.2's answers to
 * the same text (-m for QemuOpts, -device for QOM ints).
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

#include "opts_test_util.h"

static const char size_hint[] =
	"Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, "
	"tera-, peta-\nand exabytes, respectively.";

static const struct opts_desc mem_desc[] = {
	{ "maxmem", OPTS_TYPE_SIZE },
	{ "size", OPTS_TYPE_SIZE },
	{ "slots", OPTS_TYPE_NUMBER },
	{ "on", OPTS_TYPE_BOOL },
	{ NULL, OPTS_TYPE_STRING },
};

static void test_opts_validate_accepts_known_keys(void **state)
{
	struct error err = { 0 };
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "1G,maxmem=4G,slots=2,on=yes");
	assert_int_equal(opts_validate(&o, mem_desc, &err), 0);
	opts_free(&o);
}

static void test_opts_validate_unknown_key_fails(void **state)
{
	struct error err = { 0 };
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "1G,foo=1");
	assert_int_equal(opts_validate(&o, mem_desc, &err), -EINVAL);
	assert_string_equal(err.msg, "Invalid parameter 'foo'");
	opts_free(&o);
}

static void test_opts_validate_reports_first_bad_item(void **state)
{
	struct error err = { 0 };
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "1G,slots=x,foo=1");
	assert_int_equal(opts_validate(&o, mem_desc, &err), -EINVAL);
	assert_string_equal(err.msg, "Parameter 'slots' expects a number");
	opts_free(&o);
}

static void test_opts_get_size_bad_value_message(void **state)
{
	struct error err = { 0 };
	char expected[256];
	uint64_t v = 7;
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "abc");
	assert_int_equal(opts_get_size(&o, "size", &v, &err), -EINVAL);
	snprintf(expected, sizeof(expected), "Parameter 'size' expects a "
		 "non-negative number below 2^64\n%s", size_hint);
	assert_string_equal(err.msg, expected);
	assert_int_equal(v, 7);
	opts_free(&o);
}

static void test_opts_get_size_out_of_range_message(void **state)
{
	struct error err = { 0 };
	uint64_t v;
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "16E");
	assert_int_equal(opts_get_size(&o, "size", &v, &err), -ERANGE);
	assert_string_equal(err.msg,
			    "Value '16E' is out of range for parameter 'size'");
	opts_free(&o);
}

static void test_opts_get_size_absent_leaves_value(void **state)
{
	struct error err = { 0 };
	uint64_t v = 99;
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "1G");
	assert_int_equal(opts_get_size(&o, "maxmem", &v, &err), 0);
	assert_int_equal(v, 99);
	opts_free(&o);
}

static void test_opts_get_number_bases(void **state)
{
	struct error err = { 0 };
	uint64_t a = 0, b = 0, c = 0;
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "a=0x10,b=010,c=12");
	assert_int_equal(opts_get_number(&o, "a", &a, &err), 0);
	assert_int_equal(opts_get_number(&o, "b", &b, &err), 0);
	assert_int_equal(opts_get_number(&o, "c", &c, &err), 0);
	assert_int_equal(a, 16);
	assert_int_equal(b, 8);
	assert_int_equal(c, 12);
	opts_free(&o);
}

static void test_opts_get_number_minus_one_wraps(void **state)
{
	struct error err = { 0 };
	uint64_t v = 0;
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "slots=-1");
	assert_int_equal(opts_get_number(&o, "slots", &v, &err), 0);
	assert_true(v == UINT64_MAX);
	opts_free(&o);
}

static void test_opts_get_number_bad_value_message(void **state)
{
	struct error err = { 0 };
	uint64_t v;
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "slots=1.5");
	assert_int_equal(opts_get_number(&o, "slots", &v, &err), -EINVAL);
	assert_string_equal(err.msg, "Parameter 'slots' expects a number");
	opts_free(&o);
}

static void test_opts_get_number_too_large_message(void **state)
{
	struct error err = { 0 };
	uint64_t v;
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "slots=99999999999999999999");
	assert_int_equal(opts_get_number(&o, "slots", &v, &err), -ERANGE);
	assert_string_equal(err.msg, "Value '99999999999999999999' is too "
			    "large for parameter 'slots'");
	opts_free(&o);
}

static void test_opts_parse_bool_accepts_qemu_spellings(void **state)
{
	static const char *const on[] = { "on", "yes", "true", "y" };
	static const char *const off[] = { "off", "no", "false", "n" };
	struct error err = { 0 };
	unsigned i;
	bool b;

	(void)state;
	for (i = 0; i < 4; i++) {
		b = false;
		assert_int_equal(opts_parse_bool("x", on[i], &b, &err), 0);
		assert_true(b);
		assert_int_equal(opts_parse_bool("x", off[i], &b, &err), 0);
		assert_false(b);
	}
}

static void test_opts_parse_bool_bad_value_message(void **state)
{
	struct error err = { 0 };
	bool b = true;

	(void)state;
	assert_int_equal(opts_parse_bool("debug-threads", "1", &b, &err),
			 -EINVAL);
	assert_string_equal(err.msg,
			    "Parameter 'debug-threads' expects 'on' or 'off'");
	assert_true(b);
}

static void test_opts_get_bool_reads_last_value(void **state)
{
	struct error err = { 0 };
	bool b = false;
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "x,g=off,g=on");
	assert_int_equal(opts_get_bool(&o, "g", &b, &err), 0);
	assert_true(b);
	opts_free(&o);
}

static void test_opts_parse_int_bases_and_signs(void **state)
{
	struct error err = { 0 };
	int64_t v;

	(void)state;
	assert_int_equal(opts_parse_int("smp.cpus", "010", &v, &err), 0);
	assert_int_equal(v, 8);
	assert_int_equal(opts_parse_int("smp.cpus", "0x4", &v, &err), 0);
	assert_int_equal(v, 4);
	assert_int_equal(opts_parse_int("smp.cpus", " +2", &v, &err), 0);
	assert_int_equal(v, 2);
	assert_int_equal(opts_parse_int("smp.cpus", "-1", &v, &err), 0);
	assert_int_equal(v, -1);
}

static void test_opts_parse_int_bad_value_message(void **state)
{
	struct error err = { 0 };
	int64_t v;

	(void)state;
	assert_int_equal(opts_parse_int("smp.cpus", "2 ", &v, &err), -EINVAL);
	assert_string_equal(err.msg, "Parameter 'smp.cpus' expects integer");
}

static void test_opts_parse_int_overflow_message(void **state)
{
	struct error err = { 0 };
	int64_t v;

	(void)state;
	assert_int_equal(opts_parse_int("smp.cpus", "99999999999999999999",
					&v, &err), -EINVAL);
	assert_string_equal(err.msg, "Parameter 'smp.cpus' expects integer");
}

static void test_opts_parse_u32_range(void **state)
{
	struct error err = { 0 };
	uint32_t v = 0;

	(void)state;
	assert_int_equal(opts_parse_u32("iobase", "0xffffffff", &v, &err), 0);
	assert_int_equal(v, 0xffffffffu);
	assert_int_equal(opts_parse_u32("iobase", "0x100000000", &v, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "Parameter 'iobase' expects uint32_t");
}

static void test_opts_parse_u32_negative_message(void **state)
{
	struct error err = { 0 };
	uint32_t v = 5;

	(void)state;
	assert_int_equal(opts_parse_u32("iobase", "-1", &v, &err), -EINVAL);
	assert_string_equal(err.msg, "Parameter 'iobase' expects uint32_t");
	assert_int_equal(v, 5);
}

static void test_opts_print_help_lists_keys(void **state)
{
	static const struct opts_desc desc[] = {
		{ "maxmem", OPTS_TYPE_SIZE },
		{ "size", OPTS_TYPE_SIZE },
		{ "slots", OPTS_TYPE_NUMBER },
		{ NULL, OPTS_TYPE_STRING },
	};
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	(void)state;
	assert_non_null(out);
	opts_print_help(out, "memory", desc);
	fclose(out);
	/* qemu-system-x86_64 -m 1G,help */
	assert_string_equal(text, "memory options:\n  maxmem=<size>\n"
			    "  size=<size>\n  slots=<num>\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opts_validate_accepts_known_keys),
		cmocka_unit_test(test_opts_validate_unknown_key_fails),
		cmocka_unit_test(test_opts_validate_reports_first_bad_item),
		cmocka_unit_test(test_opts_get_size_bad_value_message),
		cmocka_unit_test(test_opts_get_size_out_of_range_message),
		cmocka_unit_test(test_opts_get_size_absent_leaves_value),
		cmocka_unit_test(test_opts_get_number_bases),
		cmocka_unit_test(test_opts_get_number_minus_one_wraps),
		cmocka_unit_test(test_opts_get_number_bad_value_message),
		cmocka_unit_test(test_opts_get_number_too_large_message),
		cmocka_unit_test(test_opts_parse_bool_accepts_qemu_spellings),
		cmocka_unit_test(test_opts_parse_bool_bad_value_message),
		cmocka_unit_test(test_opts_get_bool_reads_last_value),
		cmocka_unit_test(test_opts_parse_int_bases_and_signs),
		cmocka_unit_test(test_opts_parse_int_bad_value_message),
		cmocka_unit_test(test_opts_parse_int_overflow_message),
		cmocka_unit_test(test_opts_parse_u32_range),
		cmocka_unit_test(test_opts_parse_u32_negative_message),
		cmocka_unit_test(test_opts_print_help_lists_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
