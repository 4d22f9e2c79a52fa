// SPDX-License-Identifier: MIT
/*
 * Unit tests for the QEMU-compatible command line: the argv walk (option
 * spellings, missing arguments, stray words), -help, -version, and the
 * path main() takes through parse and validate. Every expected error text
 * was copied from qemu-system-x86_64 7.2 run with the same arguments
 * (without its "qemu-system-x86_64: " prefix), except where a test name
 * says "flexvm": those are flexvm's own, documented in docs/cmdline.md.
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

#include "cmdline_test_util.h"

static void test_cmdline_no_options_keeps_defaults(void **state)
{
	struct run r;

	(void)state;
	assert_int_equal(run_argv(&r, (const char *const[]){ "flexvm", NULL }),
			 0);
	assert_int_equal(r.cfg.ram_size, 128 * MiB);
	assert_null(r.cfg.kernel);
	assert_int_equal(r.cfg.nr_serials, 0);
	assert_string_equal(r.out, "");
	run_free(&r);
}

static void test_cmdline_boot_files(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-kernel", "bzImage", "-initrd", "initrd.img",
		      "-append", "console=ttyS0 quiet");
	assert_ptr_equal(r.cfg.kernel, r.argv[2]);
	assert_string_equal(r.cfg.initrd, "initrd.img");
	assert_string_equal(r.cfg.append, "console=ttyS0 quiet");
	run_free(&r);
}

static void test_cmdline_two_dashes_work(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "--kernel", "k", "--m", "1G", "--nographic");
	assert_string_equal(r.cfg.kernel, "k");
	assert_int_equal(r.cfg.ram_size, GiB);
	assert_true(r.cfg.nographic);
	run_free(&r);
}

static void test_cmdline_last_kernel_wins(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-kernel", "a", "-kernel", "b");
	assert_string_equal(r.cfg.kernel, "b");
	run_free(&r);
}

static void test_cmdline_value_may_look_like_an_option(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-append", "-S", "-kernel", "-foo");
	assert_string_equal(r.cfg.append, "-S");
	assert_string_equal(r.cfg.kernel, "-foo");
	assert_false(r.cfg.start_paused);
	run_free(&r);
}

static void test_cmdline_flags(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-S", "-no-reboot", "-nodefaults", "-nographic");
	assert_true(r.cfg.start_paused);
	assert_true(r.cfg.no_reboot);
	assert_true(r.cfg.nodefaults);
	assert_true(r.cfg.nographic);
	run_free(&r);
}

static void test_cmdline_pidfile(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-pidfile", "/run/vm.pid");
	assert_string_equal(r.cfg.pidfile, "/run/vm.pid");
	run_free(&r);
}

static void test_cmdline_unknown_option_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("-foo: invalid option", "-foo");
	ASSERT_ERROR("--foo: invalid option", "--foo");
	ASSERT_ERROR("---nographic: invalid option", "---nographic");
}

static void test_cmdline_abbreviation_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("-kern: invalid option", "-kern", "/x");
	ASSERT_ERROR("-nographi: invalid option", "-nographi");
}

static void test_cmdline_bare_dashes_fail(void **state)
{
	(void)state;
	ASSERT_ERROR("-: invalid option", "-");
	ASSERT_ERROR("--: invalid option", "--");
}

static void test_cmdline_equals_form_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("-m=1G: invalid option", "-m=1G");
	ASSERT_ERROR("-machine=pc: invalid option", "-machine=pc");
}

static void test_cmdline_missing_argument_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("-m: requires an argument", "-m");
	ASSERT_ERROR("-kernel: requires an argument", "-kernel");
	ASSERT_ERROR("--kernel: requires an argument", "--kernel");
	ASSERT_ERROR("-serial: requires an argument", "-serial");
	ASSERT_ERROR("-device: requires an argument", "-device");
}

static void test_cmdline_option_errors_come_before_values(void **state)
{
	(void)state;
	ASSERT_ERROR("-foo: invalid option", "-m", "abc", "-foo");
	ASSERT_ERROR("-kernel: requires an argument", "-m", "abc", "-kernel");
	ASSERT_ERROR("-foo: invalid option", "-h", "-foo");
}

static void test_cmdline_flexvm_stray_argument_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("disk.img: flexvm does not boot disk images: use -kernel",
		     "-S", "disk.img", "-m", "1G");
}

static void test_cmdline_help_prints_usage(void **state)
{
	static const char *const spellings[] = { "-h", "-help", "--help" };
	struct run r;
	unsigned i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_int_equal(RUN(&r, spellings[i]), 1);
		assert_memory_equal(r.out, "usage: flexvm [options]\n", 24);
		assert_non_null(strstr(r.out, "\n-kernel bzImage "));
		assert_non_null(strstr(r.out, "\n-m [size=]N[,slots=n,"
				       "maxmem=size] "));
		assert_non_null(strstr(r.out, "\n-nodefaults "));
		run_free(&r);
	}
}

static void test_cmdline_help_stops_before_later_values(void **state)
{
	struct run r;

	(void)state;
	assert_int_equal(RUN(&r, "-help", "-m", "abc"), 1);
	assert_false(error_is_set(&r.err));
	run_free(&r);
}

static void test_cmdline_version(void **state)
{
	static const char tail[] = " (QEMU-compatible command line)\n";
	struct run r;

	(void)state;
	assert_int_equal(RUN(&r, "-version"), 1);
	assert_memory_equal(r.out, "flexvm version ", 15);
	assert_string_equal(r.out + strlen(r.out) - strlen(tail), tail);
	run_free(&r);
	assert_int_equal(RUN(&r, "--version"), 1);
	assert_memory_equal(r.out, "flexvm version ", 15);
	run_free(&r);
}

/* The whole path main() takes: parse, then validate. */
static void test_cmdline_then_validate_m_zero_fails(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-kernel", "k", "-m", "0");
	assert_int_equal(machine_config_validate(&r.cfg, &r.err), -EINVAL);
	assert_string_equal(r.err.msg, "-m 0: RAM size must be greater than 0");
	run_free(&r);
}

static void test_cmdline_then_validate_maxmem_error(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-kernel", "k", "-m", "1G,maxmem=512M");
	assert_int_equal(machine_config_validate(&r.cfg, &r.err), -EINVAL);
	assert_string_equal(r.err.msg, "invalid value of maxmem: maximum "
			    "memory size (0x20000000) must be at least the "
			    "initial memory size (0x40000000)");
	run_free(&r);
}

static void test_cmdline_then_validate_smp(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-kernel", "k", "-smp", "4,maxcpus=2");
	assert_int_equal(machine_config_validate(&r.cfg, &r.err), -EINVAL);
	assert_string_equal(r.err.msg, "Invalid CPU topology: maxcpus must be "
			    "equal to or greater than smp: sockets (1) * dies "
			    "(1) * cores (2) * threads (1) == maxcpus (2) < "
			    "smp_cpus (4)");
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmdline_no_options_keeps_defaults),
		cmocka_unit_test(test_cmdline_boot_files),
		cmocka_unit_test(test_cmdline_two_dashes_work),
		cmocka_unit_test(test_cmdline_last_kernel_wins),
		cmocka_unit_test(test_cmdline_value_may_look_like_an_option),
		cmocka_unit_test(test_cmdline_flags),
		cmocka_unit_test(test_cmdline_pidfile),
		cmocka_unit_test(test_cmdline_unknown_option_fails),
		cmocka_unit_test(test_cmdline_abbreviation_fails),
		cmocka_unit_test(test_cmdline_bare_dashes_fail),
		cmocka_unit_test(test_cmdline_equals_form_fails),
		cmocka_unit_test(test_cmdline_missing_argument_fails),
		cmocka_unit_test(test_cmdline_option_errors_come_before_values),
		cmocka_unit_test(test_cmdline_flexvm_stray_argument_fails),
		cmocka_unit_test(test_cmdline_help_prints_usage),
		cmocka_unit_test(test_cmdline_help_stops_before_later_values),
		cmocka_unit_test(test_cmdline_version),
		cmocka_unit_test(test_cmdline_then_validate_m_zero_fails),
		cmocka_unit_test(test_cmdline_then_validate_maxmem_error),
		cmocka_unit_test(test_cmdline_then_validate_smp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
