// SPDX-License-Identifier: MIT
/*
 * Unit tests for the device options of the command line: -serial,
 * -display, -device (isa-debug-exit and the raw rest), -object, -chardev,
 * -mon and -qmp. Expected error texts come from qemu-system-x86_64 7.2
 * run with the same arguments (without its prefix), except in tests
 * named "flexvm" (docs/cmdline.md).
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

static void test_cmdline_serial_ports_in_order(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-serial", "mon:stdio", "-serial", "file:/tmp/x",
		      "-serial", "null", "-serial", "none");
	assert_int_equal(r.cfg.nr_serials, 3);
	assert_true(r.cfg.serial_set);
	assert_int_equal(r.cfg.serials[0].backend, SERIAL_BACKEND_STDIO);
	assert_true(r.cfg.serials[0].mux);
	assert_int_equal(r.cfg.serials[1].backend, SERIAL_BACKEND_FILE);
	assert_ptr_equal(r.cfg.serials[1].path, r.argv[4] + 5);
	assert_int_equal(r.cfg.serials[2].backend, SERIAL_BACKEND_NONE);
	run_free(&r);
}

static void test_cmdline_serial_errors_are_located(void **state)
{
	(void)state;
	ASSERT_ERROR("-serial bogus: 'bogus' is not a valid char driver",
		     "-serial", "bogus");
	ASSERT_ERROR("-serial file:: Could not open '': No such file or "
		     "directory", "-serial", "file:");
	ASSERT_ERROR("-serial stdio: cannot use stdio by multiple character "
		     "devices", "-serial", "stdio", "-serial", "stdio");
}

static void test_cmdline_flexvm_fifth_serial_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("-serial null: too many serial ports", "-serial", "stdio",
		     "-serial", "null", "-serial", "null", "-serial", "null",
		     "-serial", "null");
}

static void test_cmdline_flexvm_serial_pty_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("-serial pty: flexvm does not support this char driver "
		     "(use stdio, mon:stdio, file:PATH, null or none)",
		     "-serial", "pty");
}

static void test_cmdline_display_none(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-display", "none", "-display", "type=none");
	run_free(&r);
}

static void test_cmdline_display_unknown_type_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("-display foo: Parameter 'type' does not accept value "
		     "'foo'", "-display", "foo");
}

static void test_cmdline_display_unknown_key_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("-display none,foo=1: Parameter 'foo' is unexpected",
		     "-display", "none,foo=1");
}

static void test_cmdline_flexvm_graphical_display_fails(void **state)
{
	static const char tail[] =
		": flexvm has no graphical display: use -display none or "
		"-nographic";
	char msg[128];

	(void)state;
	snprintf(msg, sizeof(msg), "-display gtk%s", tail);
	ASSERT_ERROR(msg, "-display", "gtk");
	snprintf(msg, sizeof(msg), "-display vnc=:0%s", tail);
	ASSERT_ERROR(msg, "-display", "vnc=:0");
}

static void test_cmdline_display_help_lists_none(void **state)
{
	(void)state;
	ASSERT_PRINTS("Available display backend types:\nnone\n",
		      "-display", "help");
}

static void test_cmdline_debug_exit_properties(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04");
	assert_true(r.cfg.debug_exit);
	assert_true(r.cfg.debug_exit_set);
	assert_int_equal(r.cfg.debug_exit_iobase, 0xf4);
	assert_int_equal(r.cfg.debug_exit_iosize, 4);
	assert_int_equal(r.cfg.nr_devices, 0);
	run_free(&r);
}

static void test_cmdline_debug_exit_defaults(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-nodefaults", "-device",
		      "driver=isa-debug-exit,id=exit0");
	assert_true(r.cfg.debug_exit_set);
	assert_int_equal(r.cfg.debug_exit_iobase, 0x501);
	assert_int_equal(r.cfg.debug_exit_iosize, 2);
	run_free(&r);
}

static void test_cmdline_debug_exit_id_is_kept(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-device", "isa-debug-exit,id=dbg");
	assert_string_equal(r.cfg.debug_exit_id, "dbg");
	run_free(&r);
}

static void test_cmdline_debug_exit_property_errors(void **state)
{
	(void)state;
	ASSERT_ERROR("-device isa-debug-exit,foo=1: Property "
		     "'isa-debug-exit.foo' not found",
		     "-device", "isa-debug-exit,foo=1");
	ASSERT_ERROR("-device isa-debug-exit,iobase=abc: Parameter 'iobase' "
		     "expects integer", "-device", "isa-debug-exit,iobase=abc");
	ASSERT_ERROR("-device isa-debug-exit,iobase=0xf4,,x: Parameter "
		     "'iobase' expects integer",
		     "-device", "isa-debug-exit,iobase=0xf4,,x");
	ASSERT_ERROR("-device isa-debug-exit,iobase: Parameter 'iobase' "
		     "expects integer", "-device", "isa-debug-exit,iobase");
}

static void test_cmdline_debug_exit_range_errors(void **state)
{
	(void)state;
	ASSERT_ERROR("-device isa-debug-exit,iobase=0x100000000: Parameter "
		     "'iobase' expects uint32_t",
		     "-device", "isa-debug-exit,iobase=0x100000000");
	ASSERT_ERROR("-device isa-debug-exit,iobase=-1: Parameter 'iobase' "
		     "expects uint32_t", "-device", "isa-debug-exit,iobase=-1");
}

static void test_cmdline_flexvm_debug_exit_port_space(void **state)
{
	(void)state;
	ASSERT_ERROR("-device isa-debug-exit,iobase=0x10000: iobase 0x10000 + "
		     "iosize 0x2 does not fit the 64 KiB I/O port space",
		     "-device", "isa-debug-exit,iobase=0x10000");
	ASSERT_ERROR("-device isa-debug-exit,iobase=0xffff,iosize=2: iobase "
		     "0xffff + iosize 0x2 does not fit the 64 KiB I/O port "
		     "space",
		     "-device", "isa-debug-exit,iobase=0xffff,iosize=2");
	ASSERT_ERROR("-device isa-debug-exit,iosize=0: iosize must not be 0",
		     "-device", "isa-debug-exit,iosize=0");
}

static void test_cmdline_flexvm_second_debug_exit_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("-device isa-debug-exit,iobase=0xf8: flexvm supports "
		     "only one isa-debug-exit", "-device", "isa-debug-exit",
		     "-device", "isa-debug-exit,iobase=0xf8");
}

static void test_cmdline_device_driver_errors(void **state)
{
	(void)state;
	ASSERT_ERROR("-device ,iobase=1: '' is not a valid device model name",
		     "-device", ",iobase=1");
	ASSERT_ERROR("-device iobase=1: Parameter 'driver' is missing",
		     "-device", "iobase=1");
}

static void test_cmdline_other_devices_are_kept_raw(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-device", "virtio-mem-pci,id=vm0,memdev=m0",
		      "-device", "foo");
	assert_int_equal(r.cfg.nr_devices, 2);
	assert_ptr_equal(r.cfg.devices[0].text, r.argv[2]);
	assert_string_equal(r.cfg.devices[1].text, "foo");
	run_free(&r);
}

static void test_cmdline_flexvm_too_many_devices_fails(void **state)
{
	const char *args[2 * MACHINE_MAX_DEVICES + 4];
	struct run r;
	unsigned i;

	(void)state;
	args[0] = "flexvm";
	for (i = 0; i <= MACHINE_MAX_DEVICES; i++) {
		args[1 + 2 * i] = "-device";
		args[2 + 2 * i] = "pc-dimm";
	}
	args[1 + 2 * i] = NULL;
	assert_int_equal(run_argv(&r, args), -EINVAL);
	assert_string_equal(r.err.msg, "-device pc-dimm: too many -device "
			    "options (the maximum is 64)");
	run_free(&r);
}

static void test_cmdline_flexvm_device_json_fails(void **state)
{
	(void)state;
	ASSERT_ERROR("-device {\"driver\":\"isa-debug-exit\"}: flexvm does "
		     "not support the JSON form of -device",
		     "-device", "{\"driver\":\"isa-debug-exit\"}");
}

static void test_cmdline_device_help_lists_devices(void **state)
{
	(void)state;
	ASSERT_PRINTS("Misc devices:\nname \"isa-debug-exit\", bus ISA\n"
		      "name \"virtio-mem-pci\", bus PCI\n"
		      "name \"virtio-rng-pci\", bus PCI\n",
		      "-device", "help");
}

static void test_cmdline_debug_exit_help_lists_properties(void **state)
{
	(void)state;
	/* qemu-system-x86_64 -device isa-debug-exit,help */
	ASSERT_PRINTS("isa-debug-exit options:\n"
		      "  iobase=<uint32>        -  (default: 1281)\n"
		      "  iosize=<uint32>        -  (default: 2)\n",
		      "-device", "isa-debug-exit,help");
}

static void test_cmdline_objects_and_monitors_are_kept_raw(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-object", "rng-random,id=r0",
		      "-chardev", "socket,id=c0,path=/tmp/s,server=on",
		      "-mon", "chardev=c0,mode=control",
		      "-qmp", "unix:/tmp/q,server=on,wait=off");
	assert_int_equal(r.cfg.nr_objects, 1);
	assert_ptr_equal(r.cfg.objects[0].text, r.argv[2]);
	assert_int_equal(r.cfg.nr_chardevs, 1);
	assert_ptr_equal(r.cfg.chardevs[0].text, r.argv[4]);
	assert_int_equal(r.cfg.nr_mons, 1);
	assert_ptr_equal(r.cfg.mons[0].text, r.argv[6]);
	assert_int_equal(r.cfg.nr_qmps, 1);
	assert_ptr_equal(r.cfg.qmps[0].text, r.argv[8]);
	run_free(&r);
}

static void test_cmdline_memory_backends_are_parsed(void **state)
{
	struct run r;

	(void)state;
	ASSERT_PARSES(&r, "-object", "memory-backend-ram,id=m0,size=1G",
		      "-object", "memory-backend-memfd,id=m1,size=2G");
	assert_int_equal(r.cfg.nr_objects, 0);
	assert_int_equal(r.cfg.nr_backends, 2);
	assert_string_equal(r.cfg.backends[0].id, "m0");
	assert_int_equal(r.cfg.backends[0].size, GiB);
	assert_int_equal(r.cfg.backends[1].type, MEMORY_BACKEND_MEMFD);
	run_free(&r);
}

static void test_cmdline_memory_backend_error_has_location(void **state)
{
	(void)state;
	/* qemu-system-x86_64 7.2: errors in command-line order, located */
	ASSERT_ERROR("-object memory-backend-ram,id=m0: Parameter 'size' is "
		     "missing", "-object", "memory-backend-ram,id=m0",
		     "-m", "1x");
	ASSERT_ERROR("-object memory-backend-ram,id=m0,size=1M: Duplicate ID "
		     "'m0' for object",
		     "-object", "memory-backend-ram,id=m0,size=1M",
		     "-object", "memory-backend-ram,id=m0,size=1M");
}

static void test_cmdline_object_help_lists_types(void **state)
{
	(void)state;
	ASSERT_PRINTS("List of user creatable objects:\n"
		      "  memory-backend-file\n  memory-backend-memfd\n"
		      "  memory-backend-ram\n", "-object", "help");
	ASSERT_PRINTS("memory-backend-ram options:\n"
		      "  prealloc-threads=<int> - Number of CPU threads to "
		      "use for prealloc\n"
		      "  prealloc=<bool>        - Preallocate memory\n"
		      "  reserve=<bool>         - Reserve swap space (or huge "
		      "pages) if applicable\n"
		      "  share=<bool>           - Mark the memory as private "
		      "to QEMU or shared\n"
		      "  size=<int>             - Size of the memory region "
		      "(ex: 500M)\n", "-object", "memory-backend-ram,help");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmdline_serial_ports_in_order),
		cmocka_unit_test(test_cmdline_serial_errors_are_located),
		cmocka_unit_test(test_cmdline_flexvm_fifth_serial_fails),
		cmocka_unit_test(test_cmdline_flexvm_serial_pty_fails),
		cmocka_unit_test(test_cmdline_display_none),
		cmocka_unit_test(test_cmdline_display_unknown_type_fails),
		cmocka_unit_test(test_cmdline_display_unknown_key_fails),
		cmocka_unit_test(test_cmdline_flexvm_graphical_display_fails),
		cmocka_unit_test(test_cmdline_display_help_lists_none),
		cmocka_unit_test(test_cmdline_debug_exit_properties),
		cmocka_unit_test(test_cmdline_debug_exit_defaults),
		cmocka_unit_test(test_cmdline_debug_exit_id_is_kept),
		cmocka_unit_test(test_cmdline_debug_exit_property_errors),
		cmocka_unit_test(test_cmdline_debug_exit_range_errors),
		cmocka_unit_test(test_cmdline_flexvm_debug_exit_port_space),
		cmocka_unit_test(test_cmdline_flexvm_second_debug_exit_fails),
		cmocka_unit_test(test_cmdline_device_driver_errors),
		cmocka_unit_test(test_cmdline_other_devices_are_kept_raw),
		cmocka_unit_test(test_cmdline_flexvm_too_many_devices_fails),
		cmocka_unit_test(test_cmdline_flexvm_device_json_fails),
		cmocka_unit_test(test_cmdline_device_help_lists_devices),
		cmocka_unit_test(test_cmdline_debug_exit_help_lists_properties),
		cmocka_unit_test(
			test_cmdline_objects_and_monitors_are_kept_raw),
		cmocka_unit_test(test_cmdline_memory_backends_are_parsed),
		cmocka_unit_test(
			test_cmdline_memory_backend_error_has_location),
		cmocka_unit_test(test_cmdline_object_help_lists_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
