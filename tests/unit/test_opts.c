// SPDX-License-Identifier: MIT
/*
 * Unit tests for the QEMU option-list splitter and its typed getters. The
 * expected messages were copied from qemu-system-x86_64 7.2's answers to
 * the same text (-m for QemuOpts, -smp for keyval, -device for QOM ints).
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

#include "config/cmdline.h"
#include "config/opts.h"

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

/* Parses @text as QemuOpts with implied key "size"; asserts success. */
static void parse_qemuopts(struct opts *o, const char *text)
{
	struct error err = { 0 };

	assert_int_equal(opts_parse(o, text, "size", OPTS_QEMUOPTS, &err), 0);
	assert_false(error_is_set(&err));
}

static void parse_keyval(struct opts *o, const char *text)
{
	struct error err = { 0 };

	assert_int_equal(opts_parse(o, text, "cpus", OPTS_KEYVAL, &err), 0);
	assert_false(error_is_set(&err));
}

static void assert_keyval_error(const char *text, const char *msg)
{
	struct error err = { 0 };
	struct opts o;

	assert_int_equal(opts_parse(&o, text, "cpus", OPTS_KEYVAL, &err),
			 -EINVAL);
	assert_string_equal(err.msg, msg);
	opts_free(&o);
}

static void test_opts_qemuopts_implied_key_takes_first_item(void **state)
{
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "1G,maxmem=4G");
	assert_int_equal(o.nr, 2);
	assert_string_equal(opts_get(&o, "size"), "1G");
	assert_string_equal(opts_get(&o, "maxmem"), "4G");
	opts_free(&o);
}

static void test_opts_qemuopts_explicit_first_key(void **state)
{
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "size=2G");
	assert_int_equal(o.nr, 1);
	assert_string_equal(opts_get(&o, "size"), "2G");
	opts_free(&o);
}

static void test_opts_double_comma_is_a_literal_comma(void **state)
{
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "a,,b,path=/x,,y,,,z=1");
	assert_string_equal(opts_get(&o, "size"), "a,b");
	assert_string_equal(opts_get(&o, "path"), "/x,y,");
	assert_string_equal(opts_get(&o, "z"), "1");
	opts_free(&o);
}

static void test_opts_qemuopts_bare_key_means_on(void **state)
{
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "1G,debug-threads");
	assert_string_equal(opts_get(&o, "debug-threads"), "on");
	opts_free(&o);
}

static void test_opts_qemuopts_no_prefix_means_off(void **state)
{
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "1G,nodebug-threads");
	assert_string_equal(opts_get(&o, "debug-threads"), "off");
	assert_null(opts_get(&o, "nodebug-threads"));
	opts_free(&o);
}

static void test_opts_qemuopts_implied_key_only_for_first_item(void **state)
{
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "size=1G,1G");
	assert_string_equal(opts_get(&o, "size"), "1G");
	assert_string_equal(opts_get(&o, "1G"), "on");
	opts_free(&o);
}

static void test_opts_qemuopts_empty_first_item_is_implied(void **state)
{
	struct opts o;

	(void)state;
	parse_qemuopts(&o, ",maxmem=2G");
	assert_string_equal(opts_get(&o, "size"), "");
	assert_string_equal(opts_get(&o, "maxmem"), "2G");
	opts_free(&o);
}

static void test_opts_qemuopts_help_item_sets_help(void **state)
{
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "isa-debug-exit,help");
	assert_true(o.help);
	assert_int_equal(o.nr, 1);
	opts_free(&o);
	parse_qemuopts(&o, "x,?");
	assert_true(o.help);
	opts_free(&o);
}

static void test_opts_qemuopts_implied_help_is_a_value(void **state)
{
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "help");
	assert_false(o.help);
	assert_string_equal(opts_get(&o, "size"), "help");
	opts_free(&o);
}

static void test_opts_empty_text_has_no_items(void **state)
{
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "");
	assert_int_equal(o.nr, 0);
	assert_null(opts_get(&o, "size"));
	opts_free(&o);
}

static void test_opts_trailing_comma_is_ignored(void **state)
{
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "1G,");
	assert_int_equal(o.nr, 1);
	opts_free(&o);
	parse_keyval(&o, "2,");
	assert_int_equal(o.nr, 1);
	assert_string_equal(opts_get(&o, "cpus"), "2");
	opts_free(&o);
}

static void test_opts_get_returns_last_duplicate(void **state)
{
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "1G,size=2G,size=3G");
	assert_int_equal(o.nr, 3);
	assert_string_equal(opts_get(&o, "size"), "3G");
	opts_free(&o);
}

static void test_opts_too_many_items_is_e2big(void **state)
{
	struct error err = { 0 };
	char text[OPTS_MAX * 4 + 8] = "";
	struct opts o;
	unsigned i;

	(void)state;
	for (i = 0; i <= OPTS_MAX; i++)
		strcat(text, "a=1,");
	assert_int_equal(opts_parse(&o, text, NULL, OPTS_QEMUOPTS, &err),
			 -E2BIG);
	assert_string_equal(err.msg, "too many parameters (the maximum is 32)");
	opts_free(&o);
}

/* The command line turns that -E2BIG into the -EINVAL it documents. */
static void test_opts_too_many_items_on_cmdline_is_einval(void **state)
{
	static struct machine_config cfg;
	char text[OPTS_MAX * 4 + 8] = "";
	char *argv[] = { "flexvm", "-m", text, NULL };
	struct error err = { 0 };
	FILE *out = fopen("/dev/null", "w");

	(void)state;
	for (unsigned i = 0; i <= OPTS_MAX; i++)
		strcat(text, "a=1,");
	machine_config_init(&cfg);
	assert_non_null(out);
	assert_int_equal(cmdline_parse(3, argv, &cfg, out, &err), -EINVAL);
	assert_true(strstr(err.msg, ": too many parameters (the maximum "
			   "is 32)") != NULL);
	fclose(out);
}

static void test_opts_keyval_implied_key(void **state)
{
	struct opts o;

	(void)state;
	parse_keyval(&o, "4,sockets=2,maxcpus=8");
	assert_string_equal(opts_get(&o, "cpus"), "4");
	assert_string_equal(opts_get(&o, "sockets"), "2");
	assert_string_equal(opts_get(&o, "maxcpus"), "8");
	opts_free(&o);
}

static void test_opts_keyval_escape_in_explicit_value(void **state)
{
	struct opts o;

	(void)state;
	parse_keyval(&o, "cpus=2,,3");
	assert_string_equal(opts_get(&o, "cpus"), "2,3");
	opts_free(&o);
}

static void test_opts_keyval_implied_value_ends_at_comma(void **state)
{
	(void)state;
	assert_keyval_error("2,,", "Invalid parameter ''");
}

static void test_opts_keyval_bare_key_fails(void **state)
{
	(void)state;
	assert_keyval_error("2,sockets", "Expected '=' after parameter "
			    "'sockets'");
}

static void test_opts_keyval_empty_key_fails(void **state)
{
	(void)state;
	assert_keyval_error(",2", "Invalid parameter ''");
	assert_keyval_error("2,=3", "Invalid parameter ''");
}

static void test_opts_keyval_key_must_start_with_letter(void **state)
{
	(void)state;
	assert_keyval_error("2,1=3", "Invalid parameter '1'");
	assert_keyval_error("2,_x=3", "Invalid parameter '_x'");
}

static void test_opts_keyval_help_anywhere_sets_help(void **state)
{
	struct opts o;

	(void)state;
	parse_keyval(&o, "help");
	assert_true(o.help);
	assert_int_equal(o.nr, 0);
	opts_free(&o);
	parse_keyval(&o, "2,help");
	assert_true(o.help);
	opts_free(&o);
}

static void test_opts_find_unknown(void **state)
{
	static const char *const known[] = { "size", "maxmem", NULL };
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "1G,maxmem=2G,foo=1,bar=2");
	assert_string_equal(opts_find_unknown(&o, known), "foo");
	opts_free(&o);
	parse_qemuopts(&o, "1G,maxmem=2G");
	assert_null(opts_find_unknown(&o, known));
	opts_free(&o);
}

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

static void test_opts_free_clears(void **state)
{
	struct opts o;

	(void)state;
	parse_qemuopts(&o, "1G");
	opts_free(&o);
	assert_null(o.buf);
	assert_int_equal(o.nr, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_opts_qemuopts_implied_key_takes_first_item),
		cmocka_unit_test(test_opts_qemuopts_explicit_first_key),
		cmocka_unit_test(test_opts_double_comma_is_a_literal_comma),
		cmocka_unit_test(test_opts_qemuopts_bare_key_means_on),
		cmocka_unit_test(test_opts_qemuopts_no_prefix_means_off),
		cmocka_unit_test(
			test_opts_qemuopts_implied_key_only_for_first_item),
		cmocka_unit_test(
			test_opts_qemuopts_empty_first_item_is_implied),
		cmocka_unit_test(test_opts_qemuopts_help_item_sets_help),
		cmocka_unit_test(test_opts_qemuopts_implied_help_is_a_value),
		cmocka_unit_test(test_opts_empty_text_has_no_items),
		cmocka_unit_test(test_opts_trailing_comma_is_ignored),
		cmocka_unit_test(test_opts_get_returns_last_duplicate),
		cmocka_unit_test(test_opts_too_many_items_is_e2big),
		cmocka_unit_test(
			test_opts_too_many_items_on_cmdline_is_einval),
		cmocka_unit_test(test_opts_keyval_implied_key),
		cmocka_unit_test(test_opts_keyval_escape_in_explicit_value),
		cmocka_unit_test(test_opts_keyval_implied_value_ends_at_comma),
		cmocka_unit_test(test_opts_keyval_bare_key_fails),
		cmocka_unit_test(test_opts_keyval_empty_key_fails),
		cmocka_unit_test(test_opts_keyval_key_must_start_with_letter),
		cmocka_unit_test(test_opts_keyval_help_anywhere_sets_help),
		cmocka_unit_test(test_opts_find_unknown),
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
		cmocka_unit_test(test_opts_free_clears),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
