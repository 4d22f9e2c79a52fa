// SPDX-License-Identifier: MIT
/*
 * Unit tests for the QEMU option-list splitter: QemuOpts (-m) and keyval
 * (-smp) text, implied keys, escapes, help, limits, unknown keys. The
 * expected messages were copied from qemu-system-x86_64 7.2's answers to
 * the same text. The typed getters are in test_opts_getters.c.
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
#include "opts_test_util.h"

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
		cmocka_unit_test(test_opts_too_many_items_on_cmdline_is_einval),
		cmocka_unit_test(test_opts_keyval_implied_key),
		cmocka_unit_test(test_opts_keyval_escape_in_explicit_value),
		cmocka_unit_test(test_opts_keyval_implied_value_ends_at_comma),
		cmocka_unit_test(test_opts_keyval_bare_key_fails),
		cmocka_unit_test(test_opts_keyval_empty_key_fails),
		cmocka_unit_test(test_opts_keyval_key_must_start_with_letter),
		cmocka_unit_test(test_opts_keyval_help_anywhere_sets_help),
		cmocka_unit_test(test_opts_find_unknown),
		cmocka_unit_test(test_opts_free_clears),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
