// SPDX-License-Identifier: MIT
/*
 * Unit tests for -sandbox on|off[,...] (machine_config_set_sandbox()
 * through cmdline_parse()). Error texts are QEMU 7.2's, copied from
 * qemu-system-x86_64 run with the same argument, except in tests named
 * "flexvm": those are flexvm's own, documented in docs/cmdline.md.
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

struct parse {
	struct machine_config cfg;
	struct error err;
	char *out;
	size_t out_len;
	int ret;
};

/* cmdline_parse() of "flexvm ARGS...", NULL-terminated. */
static int parse(struct parse *p, const char *const *args)
{
	const char *argv[8] = { "flexvm" };
	int argc = 1;
	FILE *out;

	memset(p, 0, sizeof(*p));
	machine_config_init(&p->cfg);
	for (; args[argc - 1]; argc++) {
		assert_true((size_t)argc < ARRAY_SIZE(argv) - 1);
		argv[argc] = args[argc - 1];
	}
	out = open_memstream(&p->out, &p->out_len);
	assert_non_null(out);
	p->ret = cmdline_parse(argc, (char **)argv, &p->cfg, out, &p->err);
	fclose(out);
	free(p->out);
	return p->ret;
}

#define PARSE(p, ...) parse((p), (const char *const[]){ __VA_ARGS__, NULL })

static bool sandbox_after(const char *arg)
{
	struct parse p;

	assert_int_equal(PARSE(&p, "-sandbox", arg), 0);
	return p.cfg.sandbox;
}

static void assert_sandbox_error(const char *arg, const char *msg)
{
	struct parse p;

	assert_int_equal(PARSE(&p, "-sandbox", arg), -EINVAL);
	assert_string_equal(p.err.msg, msg);
}

static void test_sandbox_option_default_is_on_flexvm(void **state)
{
	struct parse p;

	(void)state;
	assert_int_equal(PARSE(&p, "-m", "1G"), 0);
	assert_true(p.cfg.sandbox);
}

static void test_sandbox_option_off_and_on(void **state)
{
	struct parse p;

	(void)state;
	assert_false(sandbox_after("off"));
	assert_true(sandbox_after("on"));
	assert_false(sandbox_after("enable=off"));
	assert_int_equal(PARSE(&p, "-sandbox", "off", "-sandbox", "on"), 0);
	assert_true(p.cfg.sandbox);	/* the last one wins */
}

static void test_sandbox_option_qemu_booleans(void **state)
{
	(void)state;
	assert_true(sandbox_after("yes"));
	assert_true(sandbox_after("true"));
	assert_false(sandbox_after("no"));
	assert_false(sandbox_after("false"));
}

static void test_sandbox_option_bad_boolean_fails(void **state)
{
	(void)state;
	assert_sandbox_error("maybe", "-sandbox maybe: Parameter 'enable' "
			     "expects 'on' or 'off'");
}

static void test_sandbox_option_unknown_key_fails(void **state)
{
	(void)state;
	assert_sandbox_error("on,foo=bar",
			     "-sandbox on,foo=bar: Invalid parameter 'foo'");
}

static void test_sandbox_option_deny_suboptions_parse(void **state)
{
	(void)state;
	/* What libvirt passes for QEMU. */
	assert_true(sandbox_after("on,obsolete=deny,elevateprivileges=deny,"
				  "spawn=deny,resourcecontrol=deny"));
}

static void test_sandbox_option_allow_fails_flexvm(void **state)
{
	(void)state;
	assert_sandbox_error("on,spawn=allow", "-sandbox on,spawn=allow: "
			     "Parameter 'spawn' expects 'deny': the "
			     "allow-lists of flexvm never permit these system "
			     "calls");
	assert_sandbox_error("on,elevateprivileges=children",
			     "-sandbox on,elevateprivileges=children: "
			     "Parameter 'elevateprivileges' expects 'deny': "
			     "the allow-lists of flexvm never permit these "
			     "system calls");
}

static void test_sandbox_option_bad_suboption_value_fails(void **state)
{
	(void)state;
	assert_sandbox_error("on,obsolete=bad",
			     "-sandbox on,obsolete=bad: invalid argument for "
			     "obsolete");
}

static void test_sandbox_option_off_ignores_suboption_values(void **state)
{
	(void)state;
	assert_false(sandbox_after("off,spawn=bad"));
}

static void test_sandbox_option_without_enable_fails_flexvm(void **state)
{
	(void)state;
	assert_sandbox_error("spawn=deny", "-sandbox spawn=deny: Parameter "
			     "'enable' is missing");
}

static void test_sandbox_option_help_lists_keys(void **state)
{
	const char *argv[] = { "flexvm", "-sandbox", "on,help" };
	struct machine_config cfg;
	struct error err = { 0 };
	size_t len;
	char *out;
	FILE *f;

	(void)state;
	machine_config_init(&cfg);
	f = open_memstream(&out, &len);
	assert_non_null(f);
	assert_int_equal(cmdline_parse(3, (char **)argv, &cfg, f, &err), 1);
	fclose(f);
	assert_string_equal(out, "sandbox options:\n"
			    "  elevateprivileges=<str>\n"
			    "  enable=<bool (on/off)>\n"
			    "  obsolete=<str>\n"
			    "  resourcecontrol=<str>\n"
			    "  spawn=<str>\n");
	free(out);
}

#define T(t) cmocka_unit_test(t)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_sandbox_option_default_is_on_flexvm),
		T(test_sandbox_option_off_and_on),
		T(test_sandbox_option_qemu_booleans),
		T(test_sandbox_option_bad_boolean_fails),
		T(test_sandbox_option_unknown_key_fails),
		T(test_sandbox_option_deny_suboptions_parse),
		T(test_sandbox_option_allow_fails_flexvm),
		T(test_sandbox_option_bad_suboption_value_fails),
		T(test_sandbox_option_off_ignores_suboption_values),
		T(test_sandbox_option_without_enable_fails_flexvm),
		T(test_sandbox_option_help_lists_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
