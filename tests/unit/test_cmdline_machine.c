// SPDX-License-Identifier: MIT
/*
 * Unit tests for the machine options of the command line: -m, -smp,
 * -machine, -accel, -cpu and -name. Expected error texts come from
 * qemu-system-x86_64 7.2 run with the same arguments (without its
 * prefix), except in tests named "flexvm" (docs/cmdline.md).
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

static const char size_error_tail[] =
	": Parameter 'size' expects a non-negative number below 2^64\n"
	"Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, "
	"tera-, peta-\nand exabytes, respectively.";

static void test_cmdline_m_size(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-m", "1G");
	assert_int_equal(r.cfg.ram_size, GiB);
	assert_false(r.cfg.has_maxmem);
	run_free(&r);
	ASSERT_PARSES(&r, "-m", "size=1.5g");
	assert_int_equal(r.cfg.ram_size, GiB + GiB / 2);
	run_free(&r);
}

static void test_cmdline_m_without_suffix_is_mib(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-m", "512");
	assert_int_equal(r.cfg.ram_size, 512 * MiB);
	run_free(&r);
	ASSERT_PARSES(&r, "-m", "1.G");
	assert_int_equal(r.cfg.ram_size, GiB);
	run_free(&r);
}

static void test_cmdline_m_maxmem_and_slots(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-m", "1G,maxmem=4G,slots=0x10");
	assert_int_equal(r.cfg.ram_size, GiB);
	assert_int_equal(r.cfg.maxmem, 4 * GiB);
	assert_true(r.cfg.has_maxmem);
	assert_int_equal(r.cfg.mem_slots, 16);
	assert_true(r.cfg.has_mem_slots);
	run_free(&r);
}

static void test_cmdline_m_options_merge(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-m", "1G,maxmem=4G", "-m", "2G");
	assert_int_equal(r.cfg.ram_size, 2 * GiB);
	assert_int_equal(r.cfg.maxmem, 4 * GiB);
	run_free(&r);
}

static void test_cmdline_m_empty_keeps_default(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-m", "");
	assert_int_equal(r.cfg.ram_size, 128 * MiB);
	run_free(&r);
}

static void test_cmdline_m_bad_size_fails(void **state)
{
	char msg[256];

	(void)state;
	snprintf(msg, sizeof(msg), "-m abc%s", size_error_tail);
	ASSERT_ERROR(msg, "-m", "abc");
	snprintf(msg, sizeof(msg), "-m 1.5%s", size_error_tail);
	ASSERT_ERROR(msg, "-m", "1.5");
	snprintf(msg, sizeof(msg), "-m -1%s", size_error_tail);
	ASSERT_ERROR(msg, "-m", "-1");
	snprintf(msg, sizeof(msg), "-m 1GB%s", size_error_tail);
	ASSERT_ERROR(msg, "-m", "1GB");
	snprintf(msg, sizeof(msg), "-m help%s", size_error_tail);
	ASSERT_ERROR(msg, "-m", "help");
}

static void test_cmdline_m_escaped_comma_is_in_the_value(void **state)
{
	char msg[256];

	(void)state;
	snprintf(msg, sizeof(msg), "-m 1G,,2%s", size_error_tail);
	ASSERT_ERROR(msg, "-m", "1G,,2");
}

static void test_cmdline_m_out_of_range_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("-m 16E: Value '16E' is out of range for parameter "
		     "'size'", "-m", "16E");
}

static void test_cmdline_m_mib_overflow_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("Parameter 'memory.size' expects size",
		     "-m", "18446744073709551615");
}

static void test_cmdline_m_unknown_key_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("-m 1G,foo=1: Invalid parameter 'foo'", "-m", "1G,foo=1");
	ASSERT_ERROR("-m size=1G,1G: Invalid parameter '1G'",
		     "-m", "size=1G,1G");
}

static void test_cmdline_m_bad_maxmem_fails(void **state)
{
	char msg[256];

	(void)state;
	snprintf(msg, sizeof(msg), "-m 1G,maxmem=abc: Parameter 'maxmem'%s",
		 strstr(size_error_tail, " expects"));
	ASSERT_ERROR(msg, "-m", "1G,maxmem=abc");
}

static void test_cmdline_m_bad_slots_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("-m 1G,maxmem=4G,slots=abc: Parameter 'slots' expects a "
		     "number", "-m", "1G,maxmem=4G,slots=abc");
	ASSERT_ERROR("-m 1G,slots: Parameter 'slots' expects a number",
		     "-m", "1G,slots");
	ASSERT_ERROR("-m 1G,maxmem=4G,slots=99999999999999999999: Value "
		     "'99999999999999999999' is too large for parameter "
		     "'slots'",
		     "-m", "1G,maxmem=4G,slots=99999999999999999999");
}

static void test_cmdline_m_slots_minus_one_wraps(void **state)
{
	(void)state;
	ASSERT_ERROR("unsupported amount of memory slots: "
		     "18446744073709551615", "-m", "1G,maxmem=4G,slots=-1");
}

static void test_cmdline_m_help_lists_keys(void **state)
{
	(void)state;
	ASSERT_PRINTS("memory options:\n  maxmem=<size>\n  size=<size>\n"
		      "  slots=<num>\n", "-m", "1G,help");
}

static void test_cmdline_smp_cpus(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-smp", "4");
	assert_int_equal(r.cfg.smp.cpus, 4);
	run_free(&r);
	ASSERT_PARSES(&r, "-smp", "0x4,maxcpus=010");
	assert_int_equal(r.cfg.smp.cpus, 4);
	assert_int_equal(r.cfg.smp.maxcpus, 8);
	run_free(&r);
}

static void test_cmdline_smp_topology_keys(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-smp", "sockets=2,dies=1,cores=2,threads=1,"
		      "clusters=1");
	assert_int_equal(r.cfg.smp.cpus, 0);
	assert_int_equal(r.cfg.smp.sockets, 2);
	assert_int_equal(r.cfg.smp.dies, 1);
	assert_int_equal(r.cfg.smp.cores, 2);
	assert_int_equal(r.cfg.smp.threads, 1);
	assert_int_equal(r.cfg.smp.clusters, 1);
	run_free(&r);
}

static void test_cmdline_smp_last_value_wins(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-smp", "2,cpus=4", "-smp", "sockets=2");
	assert_int_equal(r.cfg.smp.cpus, 4);
	assert_int_equal(r.cfg.smp.sockets, 2);
	run_free(&r);
}

static void test_cmdline_smp_zero_fails(void **state)
{
	(void)state;
	/* QEMU 7.2 only warns; flexvm refuses, with QEMU 9's words. */
	ASSERT_ERROR("Invalid CPU topology: CPU topology parameters must be "
		     "greater than zero", "-smp", "0");
	ASSERT_ERROR("Invalid CPU topology: CPU topology parameters must be "
		     "greater than zero", "-smp", "2,sockets=0");
}

static void test_cmdline_smp_bad_number_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("Parameter 'smp.cpus' expects integer", "-smp", "abc");
	ASSERT_ERROR("Parameter 'smp.cpus' expects integer", "-smp", "1.5");
	ASSERT_ERROR("Parameter 'smp.cpus' expects integer", "-smp", "2 ");
	ASSERT_ERROR("Parameter 'smp.sockets' expects integer",
		     "-smp", "2,sockets=on");
}

static void test_cmdline_flexvm_smp_negative_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("Parameter 'smp.cpus' expects uint32_t", "-smp", "-1");
	ASSERT_ERROR("Parameter 'smp.cpus' expects uint32_t",
		     "-smp", "4294967296");
}

static void test_cmdline_smp_unknown_key_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("Parameter 'smp.foo' is unexpected", "-smp", "2,foo=1");
	ASSERT_ERROR("Parameter 'smp.books' is unexpected",
		     "-smp", "2,books=2");
}

static void test_cmdline_smp_syntax_errors(void **state)
{
	(void)state;
	ASSERT_ERROR("-smp 2,sockets: Expected '=' after parameter 'sockets'",
		     "-smp", "2,sockets");
	ASSERT_ERROR("-smp ,2: Invalid parameter ''", "-smp", ",2");
	ASSERT_ERROR("-smp 2,,: Invalid parameter ''", "-smp", "2,,");
	ASSERT_ERROR("-smp 2,1=3: Invalid parameter '1'", "-smp", "2,1=3");
}

static void test_cmdline_smp_help_lists_keys(void **state)
{
	(void)state;
	ASSERT_PRINTS("smp-opts options:\n  clusters=<num>\n  cores=<num>\n"
		      "  cpus=<num>\n  dies=<num>\n  maxcpus=<num>\n"
		      "  sockets=<num>\n  threads=<num>\n", "-smp", "2,help");
}

static void test_cmdline_machine_pc(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-machine", "pc", "-machine", "type=pc,accel=kvm",
		      "-M", "pc");
	assert_string_equal(r.cfg.machine_type, "pc");
	run_free(&r);
}

static void test_cmdline_machine_accel_list_with_kvm(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-machine", "accel=kvm:tcg");
	run_free(&r);
	ASSERT_PARSES(&r, "-machine", "accel=tcg:kvm");
	run_free(&r);
}

static void test_cmdline_machine_unsupported_type_fails(void **state)
{
	static const char msg[] = "unsupported machine type\n"
		"Use -machine help to list supported machines";

	(void)state;
	ASSERT_ERROR(msg, "-machine", "foo");
	ASSERT_ERROR(msg, "-M", "foo");
	ASSERT_ERROR(msg, "-machine", "q35");
	ASSERT_ERROR(msg, "-machine", "type=pc,,x");
}

static void test_cmdline_machine_invalid_accel_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("invalid accelerator xen", "-machine", "pc,accel=xen");
	ASSERT_ERROR("invalid accelerator foo", "-machine", "accel=foo");
	ASSERT_ERROR("no accelerator found", "-machine", "accel=");
}

static void test_cmdline_flexvm_machine_accel_tcg_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("invalid accelerator tcg", "-machine", "pc,accel=tcg");
}

static void test_cmdline_machine_syntax_errors(void **state)
{
	(void)state;
	ASSERT_ERROR("-machine pc,accel: Expected '=' after parameter 'accel'",
		     "-machine", "pc,accel");
	ASSERT_ERROR("-machine ,accel=kvm: Invalid parameter ''",
		     "-machine", ",accel=kvm");
	ASSERT_ERROR("-machine pc,,x: Invalid parameter ''",
		     "-machine", "pc,,x");
}

static void test_cmdline_flexvm_machine_unknown_property_fails(void **state)
{
	(void)state;
	/* QEMU: Property 'pc-i440fx-7.2-machine.foo' not found */
	ASSERT_ERROR("Property 'pc-machine.foo' not found",
		     "-machine", "pc,foo=bar");
}

static void test_cmdline_flexvm_memslot_budget(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-machine", "pc,x-memslot-budget=1024");
	assert_int_equal(r.cfg.memslot_budget, 1024);
	run_free(&r);
	ASSERT_ERROR("Parameter 'x-memslot-budget' expects a number of "
		     "memslots from 1 to 65535", "-M", "x-memslot-budget=0");
}

static void test_cmdline_machine_help_lists_pc(void **state)
{
	(void)state;
	ASSERT_PRINTS("Supported machines are:\n"
		      "pc                   Standard PC (KVM, no firmware) "
		      "(default)\n", "-machine", "help");
}

static void test_cmdline_accel_kvm(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-accel", "kvm", "-accel", "accel=kvm",
		      "-accel", "kvm,kernel-irqchip=on");
	run_free(&r);
	ASSERT_PARSES(&r, "-enable-kvm", "-enable-kvm");
	run_free(&r);
}

static void test_cmdline_accel_invalid_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("-accel xen: invalid accelerator xen", "-accel", "xen");
	ASSERT_ERROR("-accel foo: invalid accelerator foo", "-accel", "foo");
}

static void test_cmdline_flexvm_accel_tcg_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("-accel tcg: invalid accelerator tcg", "-accel", "tcg");
}

static void test_cmdline_accel_unknown_property_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("-accel kvm,foo=1: Property 'kvm-accel.foo' not found",
		     "-accel", "kvm,foo=1");
	ASSERT_ERROR("-accel kvm,thread=single: Property 'kvm-accel.thread' "
		     "not found", "-accel", "kvm,thread=single");
}

static void test_cmdline_flexvm_accel_irqchip_off_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("-accel kvm,kernel-irqchip=split: flexvm supports only "
		     "kernel-irqchip=on", "-accel", "kvm,kernel-irqchip=split");
}

static void test_cmdline_accel_with_machine_accel_fails(void **state)
{
	static const char msg[] =
		"The -accel and \"-machine accel=\" options are incompatible";

	(void)state;
	ASSERT_ERROR(msg, "-enable-kvm", "-accel", "kvm");
	ASSERT_ERROR(msg, "-machine", "accel=kvm", "-accel", "kvm");
}

static void test_cmdline_accel_help_lists_kvm(void **state)
{
	static const char list[] =
		"Accelerators supported in flexvm binary:\nkvm\n";

	(void)state;
	ASSERT_PRINTS(list, "-accel", "help");
	ASSERT_PRINTS(list, "-accel", "");
}

static void test_cmdline_cpu_models(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-cpu", "host");
	assert_string_equal(r.cfg.cpu_model, "host");
	run_free(&r);
	ASSERT_PARSES(&r, "-cpu", "max");
	assert_string_equal(r.cfg.cpu_model, "max");
	run_free(&r);
}

static void test_cmdline_cpu_unknown_model_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("unable to find CPU model 'bogus'", "-cpu", "bogus");
	ASSERT_ERROR("unable to find CPU model 'HOST'", "-cpu", "HOST");
	ASSERT_ERROR("unable to find CPU model ''", "-cpu", "");
}

static void test_cmdline_flexvm_cpu_properties_fail(void **state)
{
	(void)state;
	ASSERT_ERROR("-cpu host,+x2apic: flexvm does not support CPU "
		     "properties", "-cpu", "host,+x2apic");
}

static void test_cmdline_cpu_help_lists_models(void **state)
{
	struct run r;

	(void)state;
	assert_int_equal(RUN(&r, "-cpu", "help"), 1);
	assert_non_null(strstr(r.out, "Available CPUs:\nx86 host "));
	assert_non_null(strstr(r.out, "\nx86 max "));
	run_free(&r);
}

static void test_cmdline_name(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-name", "vm0");
	assert_string_equal(r.cfg.name, "vm0");
	run_free(&r);
	ASSERT_PARSES(&r, "-name", "guest=a,,b,process=p,debug-threads=on");
	assert_string_equal(r.cfg.name, "a,b");
	run_free(&r);
}

static void test_cmdline_name_empty_is_kept(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-name", "");
	assert_null(r.cfg.name);
	run_free(&r);
	ASSERT_PARSES(&r, "-name", "guest=");
	assert_string_equal(r.cfg.name, "");
	run_free(&r);
}

static void test_cmdline_name_errors(void **state)
{
	(void)state;
	ASSERT_ERROR("-name foo,bar=1: Invalid parameter 'bar'",
		     "-name", "foo,bar=1");
	ASSERT_ERROR("-name foo,name=bar: Invalid parameter 'name'",
		     "-name", "foo,name=bar");
	ASSERT_ERROR("-name foo,debug-threads=1: Parameter 'debug-threads' "
		     "expects 'on' or 'off'", "-name", "foo,debug-threads=1");
}

static void test_cmdline_flexvm_name_too_long_fails(void **state)
{
	char name[300];
	char msg[400];

	(void)state;
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(msg, sizeof(msg), "-name %s: guest name too long (the "
		 "maximum is 255 bytes)", name);
	ASSERT_ERROR(msg, "-name", name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmdline_m_size),
		cmocka_unit_test(test_cmdline_m_without_suffix_is_mib),
		cmocka_unit_test(test_cmdline_m_maxmem_and_slots),
		cmocka_unit_test(test_cmdline_m_options_merge),
		cmocka_unit_test(test_cmdline_m_empty_keeps_default),
		cmocka_unit_test(test_cmdline_m_bad_size_fails),
		cmocka_unit_test(test_cmdline_m_escaped_comma_is_in_the_value),
		cmocka_unit_test(test_cmdline_m_out_of_range_fails),
		cmocka_unit_test(test_cmdline_m_mib_overflow_fails),
		cmocka_unit_test(test_cmdline_m_unknown_key_fails),
		cmocka_unit_test(test_cmdline_m_bad_maxmem_fails),
		cmocka_unit_test(test_cmdline_m_bad_slots_fails),
		cmocka_unit_test(test_cmdline_m_slots_minus_one_wraps),
		cmocka_unit_test(test_cmdline_m_help_lists_keys),
		cmocka_unit_test(test_cmdline_smp_cpus),
		cmocka_unit_test(test_cmdline_smp_topology_keys),
		cmocka_unit_test(test_cmdline_smp_last_value_wins),
		cmocka_unit_test(test_cmdline_smp_zero_fails),
		cmocka_unit_test(test_cmdline_smp_bad_number_fails),
		cmocka_unit_test(test_cmdline_flexvm_smp_negative_fails),
		cmocka_unit_test(test_cmdline_smp_unknown_key_fails),
		cmocka_unit_test(test_cmdline_smp_syntax_errors),
		cmocka_unit_test(test_cmdline_smp_help_lists_keys),
		cmocka_unit_test(test_cmdline_machine_pc),
		cmocka_unit_test(test_cmdline_machine_accel_list_with_kvm),
		cmocka_unit_test(test_cmdline_machine_unsupported_type_fails),
		cmocka_unit_test(test_cmdline_machine_invalid_accel_fails),
		cmocka_unit_test(test_cmdline_flexvm_machine_accel_tcg_fails),
		cmocka_unit_test(test_cmdline_machine_syntax_errors),
		cmocka_unit_test(
			test_cmdline_flexvm_machine_unknown_property_fails),
		cmocka_unit_test(test_cmdline_flexvm_memslot_budget),
		cmocka_unit_test(test_cmdline_machine_help_lists_pc),
		cmocka_unit_test(test_cmdline_accel_kvm),
		cmocka_unit_test(test_cmdline_accel_invalid_fails),
		cmocka_unit_test(test_cmdline_flexvm_accel_tcg_fails),
		cmocka_unit_test(test_cmdline_accel_unknown_property_fails),
		cmocka_unit_test(test_cmdline_flexvm_accel_irqchip_off_fails),
		cmocka_unit_test(test_cmdline_accel_with_machine_accel_fails),
		cmocka_unit_test(test_cmdline_accel_help_lists_kvm),
		cmocka_unit_test(test_cmdline_cpu_models),
		cmocka_unit_test(test_cmdline_cpu_unknown_model_fails),
		cmocka_unit_test(test_cmdline_flexvm_cpu_properties_fail),
		cmocka_unit_test(test_cmdline_cpu_help_lists_models),
		cmocka_unit_test(test_cmdline_name),
		cmocka_unit_test(test_cmdline_name_empty_is_kept),
		cmocka_unit_test(test_cmdline_name_errors),
		cmocka_unit_test(test_cmdline_flexvm_name_too_long_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
