// SPDX-License-Identifier: MIT
/*
 * Unit tests for machine_config: defaults, boot files, RAM, maxmem and
 * slots, -device/-object checks, and -serial values and defaults.
 * Expected messages are qemu-system-x86_64 7.2's for the same input
 * (machine name 'pc' where QEMU says 'pc-i440fx-7.2').
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "machine_config_test_util.h"

static void assert_add_serial_fails(struct machine_config *cfg,
				    const char *spec, const char *msg)
{
	struct error err = { 0 };

	assert_int_equal(machine_config_add_serial(cfg, spec, &err), -EINVAL);
	assert_string_equal(err.msg, msg);
}

static void test_machine_config_init_defaults(void **state)
{
	struct machine_config cfg;

	(void)state;
	machine_config_init(&cfg);
	assert_int_equal(cfg.ram_size, 128 * MiB);
	assert_int_equal(cfg.maxmem, 0);
	assert_int_equal(cfg.nr_cpus, 1);
	assert_string_equal(cfg.machine_type, "pc");
	assert_string_equal(cfg.cpu_model, "host");
	assert_string_equal(cfg.append, "");
	assert_null(cfg.kernel);
	assert_true(cfg.debug_exit);
	assert_int_equal(cfg.debug_exit_iobase, 0x501);
	assert_int_equal(cfg.debug_exit_iosize, 2);
	assert_int_equal(cfg.nr_serials, 0);
}

static void test_machine_config_validate_minimal_ok(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	assert_valid(&cfg);
	assert_int_equal(cfg.ram_size, 128 * MiB);
	assert_int_equal(cfg.nr_cpus, 1);
	assert_int_equal(cfg.max_cpus, 1);
	assert_int_equal(cfg.maxmem, 0);
}

static void test_machine_config_no_kernel_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	machine_config_init(&cfg);
	assert_invalid(&cfg, "no kernel given: use -kernel");
}

static void test_machine_config_initrd_without_kernel_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	machine_config_init(&cfg);
	cfg.initrd = "initrd.img";
	assert_invalid(&cfg, "-initrd only allowed with -kernel option");
}

static void test_machine_config_append_without_kernel_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	machine_config_init(&cfg);
	cfg.append = "console=ttyS0";
	assert_invalid(&cfg, "-append only allowed with -kernel option");
}

static void test_machine_config_boot_checked_before_smp(void **state)
{
	struct machine_config cfg;

	(void)state;
	machine_config_init(&cfg);
	cfg.initrd = "x";
	cfg.smp.cpus = 300;
	assert_invalid(&cfg, "-initrd only allowed with -kernel option");
}

static void test_machine_config_ram_zero_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.ram_size = 0;	/* "-m 0": QEMU 7.2 would use 128 MiB */
	assert_invalid(&cfg, "-m 0: RAM size must be greater than 0");
}

static void test_machine_config_unknown_device_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.devices[0].text = "virtio-blk-pci,drive=d0";
	cfg.nr_devices = 1;
	assert_invalid(&cfg, "-device virtio-blk-pci,drive=d0: "
		       "'virtio-blk-pci' is not a valid device model name");
}

static void test_machine_config_unknown_object_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.objects[0].text = "qom-type=rng-random,id=r0";
	cfg.nr_objects = 1;
	assert_invalid(&cfg, "-object qom-type=rng-random,id=r0: "
		       "invalid object type: rng-random");
}

static void add_backend(struct machine_config *cfg, const char *text)
{
	struct error err = { 0 };

	assert_int_equal(memory_backend_config_add_object(cfg->backends,
			 &cfg->nr_backends, MACHINE_MAX_BACKENDS, text, stdout,
			 &err), 0);
}

static void test_machine_config_memory_backends_accepted(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	add_backend(&cfg, "memory-backend-ram,id=m0,size=1G,reserve=off");
	add_backend(&cfg, "memory-backend-memfd,id=m1,size=2M");
	assert_valid(&cfg);
	assert_int_equal(cfg.nr_backends, 2);
}

static void test_machine_config_backend_created_checks_fail(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	add_backend(&cfg, "memory-backend-ram,id=m0,size=1G");
	add_backend(&cfg, "memory-backend-ram,id=m1,size=0");
	/* QEMU's creation-time error: no "-object ...:" location */
	assert_invalid(&cfg, "property 'size' of memory-backend-ram doesn't "
		       "take value '0'");
}

static void test_machine_config_ram_rounds_up_to_8k(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.ram_size = 1024;	/* QEMU's "-m 1K" gives 0x2000 */
	assert_valid(&cfg);
	assert_int_equal(cfg.ram_size, 8192);
}

static void test_machine_config_ram_too_large_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.ram_size = UINT64_MAX - 100;
	assert_invalid(&cfg, "ram size too large");
}

#define NO_SLOTS (-1)

/*
 * The default config plus "-m @ram,maxmem=@maxmem" and, unless @slots is
 * NO_SLOTS, ",slots=@slots".
 */
static void config_with_maxmem(struct machine_config *cfg, uint64_t ram,
			       uint64_t maxmem, int slots)
{
	config_with_kernel(cfg);
	cfg->ram_size = ram;
	cfg->maxmem = maxmem;
	cfg->has_maxmem = true;
	if (slots != NO_SLOTS) {
		cfg->mem_slots = slots;
		cfg->has_mem_slots = true;
	}
}

static void test_machine_config_maxmem_below_size_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_maxmem(&cfg, GiB, 512 * MiB, NO_SLOTS);
	assert_invalid(&cfg, "invalid value of maxmem: maximum memory size "
		       "(0x20000000) must be at least the initial memory "
		       "size (0x40000000)");
}

static void test_machine_config_maxmem_zero_given_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_maxmem(&cfg, GiB, 0, NO_SLOTS);
	assert_invalid(&cfg, "invalid value of maxmem: maximum memory size "
		       "(0x0) must be at least the initial memory size "
		       "(0x40000000)");
}

static void test_machine_config_maxmem_compared_to_default_ram(void **state)
{
	struct machine_config cfg;

	(void)state;
	/* -m 128M,maxmem=64M */
	config_with_maxmem(&cfg, 128 * MiB, 64 * MiB, NO_SLOTS);
	assert_invalid(&cfg, "invalid value of maxmem: maximum memory size "
		       "(0x4000000) must be at least the initial memory size "
		       "(0x8000000)");
}

static void test_machine_config_maxmem_equal_with_slots_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_maxmem(&cfg, GiB, GiB, 2);
	assert_invalid(&cfg, "invalid value of maxmem: memory slots were "
		       "specified but maximum memory size (0x40000000) is "
		       "equal to the initial memory size (0x40000000)");
}

static void test_machine_config_maxmem_equal_without_slots_ok(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_maxmem(&cfg, GiB, GiB, NO_SLOTS);
	assert_valid(&cfg);
	assert_int_equal(cfg.maxmem, GiB);
}

static void test_machine_config_maxmem_without_slots_ok(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_maxmem(&cfg, GiB, 4 * GiB, NO_SLOTS);
	assert_valid(&cfg);
	assert_int_equal(cfg.maxmem, 4 * GiB);
	assert_int_equal(cfg.mem_slots, 0);
}

static void test_machine_config_slots_without_maxmem_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.mem_slots = 0;	/* "-m 1G,slots=0" still counts */
	cfg.has_mem_slots = true;
	assert_invalid(&cfg, "slots specified but no max-size");
}

static void test_machine_config_too_many_slots_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_maxmem(&cfg, GiB, 4 * GiB, 300);
	assert_invalid(&cfg, "unsupported amount of memory slots: 300");
}

static void test_machine_config_256_slots_ok(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_maxmem(&cfg, GiB, 2 * GiB, 256);
	assert_valid(&cfg);
}

static void test_machine_config_default_serial_is_stdio(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	assert_valid(&cfg);
	assert_int_equal(cfg.nr_serials, 1);
	assert_int_equal(cfg.serials[0].backend, SERIAL_BACKEND_STDIO);
	assert_false(cfg.serials[0].mux);
	assert_true(cfg.debug_exit);
}

static void test_machine_config_nographic_serial_is_muxed(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.nographic = true;
	assert_valid(&cfg);
	assert_int_equal(cfg.nr_serials, 1);
	assert_true(cfg.serials[0].mux);
}

static void test_machine_config_nodefaults_drops_defaults(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.nodefaults = true;
	assert_valid(&cfg);
	assert_int_equal(cfg.nr_serials, 0);
	assert_false(cfg.debug_exit);
}

static void test_machine_config_nodefaults_keeps_given_debug_exit(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.nodefaults = true;
	cfg.debug_exit_set = true;
	cfg.debug_exit_iobase = 0xf4;
	assert_valid(&cfg);
	assert_true(cfg.debug_exit);
	assert_int_equal(cfg.debug_exit_iobase, 0xf4);
}

static void test_machine_config_serial_none_drops_default(void **state)
{
	struct machine_config cfg;
	struct error err = { 0 };

	(void)state;
	config_with_kernel(&cfg);
	assert_int_equal(machine_config_add_serial(&cfg, "none", &err), 0);
	assert_valid(&cfg);
	assert_int_equal(cfg.nr_serials, 0);
}

static void test_machine_config_given_serial_replaces_default(void **state)
{
	struct machine_config cfg;
	struct error err = { 0 };

	(void)state;
	config_with_kernel(&cfg);
	assert_int_equal(machine_config_add_serial(&cfg, "null", &err), 0);
	assert_valid(&cfg);
	assert_int_equal(cfg.nr_serials, 1);
	assert_int_equal(cfg.serials[0].backend, SERIAL_BACKEND_NONE);
}

static void test_machine_config_add_serial_backends(void **state)
{
	const char *file = "file:/tmp/com2.log";
	struct machine_config cfg;
	struct error err = { 0 };

	(void)state;
	machine_config_init(&cfg);
	assert_int_equal(machine_config_add_serial(&cfg, "mon:stdio", &err),
			 0);
	assert_int_equal(machine_config_add_serial(&cfg, file, &err), 0);
	assert_int_equal(machine_config_add_serial(&cfg, "null", &err), 0);
	assert_int_equal(cfg.nr_serials, 3);
	assert_int_equal(cfg.serials[0].backend, SERIAL_BACKEND_STDIO);
	assert_true(cfg.serials[0].mux);
	assert_int_equal(cfg.serials[1].backend, SERIAL_BACKEND_FILE);
	assert_ptr_equal(cfg.serials[1].path, file + 5);
	assert_false(cfg.serials[1].mux);
	assert_int_equal(cfg.serials[2].backend, SERIAL_BACKEND_NONE);
	assert_true(cfg.serial_set);
}

static void test_machine_config_add_serial_unknown_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	machine_config_init(&cfg);
	assert_add_serial_fails(&cfg, "bogus",
				"'bogus' is not a valid char driver");
	assert_add_serial_fails(&cfg, "STDIO",
				"'STDIO' is not a valid char driver");
	assert_add_serial_fails(&cfg, "file",
				"'file' is not a valid char driver");
	assert_int_equal(cfg.nr_serials, 0);
}

static void test_machine_config_add_serial_empty_mon_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	machine_config_init(&cfg);
	assert_add_serial_fails(&cfg, "mon:", "'' is not a valid char driver");
}

static void test_machine_config_add_serial_empty_file_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	machine_config_init(&cfg);
	assert_add_serial_fails(&cfg, "file:", "Could not open '': No such "
				"file or directory");
}

static void test_machine_config_add_serial_stdio_twice_fails(void **state)
{
	struct machine_config cfg;
	struct error err = { 0 };

	(void)state;
	machine_config_init(&cfg);
	assert_int_equal(machine_config_add_serial(&cfg, "mon:stdio", &err),
			 0);
	assert_add_serial_fails(&cfg, "stdio", "cannot use stdio by multiple "
				"character devices");
}

static void test_machine_config_add_serial_unsupported_fails(void **state)
{
	static const char msg[] = "flexvm does not support this char driver "
		"(use stdio, mon:stdio, file:PATH, null or none)";
	struct machine_config cfg;

	(void)state;
	machine_config_init(&cfg);
	assert_add_serial_fails(&cfg, "pty", msg);
	assert_add_serial_fails(&cfg, "tcp:localhost:4444", msg);
	assert_add_serial_fails(&cfg, "/dev/ttyS0", msg);
	assert_add_serial_fails(&cfg, "mon:vc", msg);
}

static void test_machine_config_add_serial_fifth_port_fails(void **state)
{
	struct machine_config cfg;
	struct error err = { 0 };
	unsigned i;

	(void)state;
	machine_config_init(&cfg);
	for (i = 0; i < MACHINE_MAX_SERIALS; i++)
		assert_int_equal(machine_config_add_serial(&cfg, "null", &err),
				 0);
	assert_add_serial_fails(&cfg, "null", "too many serial ports");
	assert_int_equal(cfg.nr_serials, MACHINE_MAX_SERIALS);
}

static void test_machine_config_add_serial_none_is_not_a_port(void **state)
{
	struct machine_config cfg;
	struct error err = { 0 };
	unsigned i;

	(void)state;
	machine_config_init(&cfg);
	for (i = 0; i < MACHINE_MAX_SERIALS; i++)
		assert_int_equal(machine_config_add_serial(&cfg, "null", &err),
				 0);
	assert_int_equal(machine_config_add_serial(&cfg, "none", &err), 0);
	assert_int_equal(cfg.nr_serials, MACHINE_MAX_SERIALS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_machine_config_init_defaults),
		cmocka_unit_test(test_machine_config_validate_minimal_ok),
		cmocka_unit_test(test_machine_config_no_kernel_fails),
		cmocka_unit_test(
			test_machine_config_initrd_without_kernel_fails),
		cmocka_unit_test(
			test_machine_config_append_without_kernel_fails),
		cmocka_unit_test(test_machine_config_boot_checked_before_smp),
		cmocka_unit_test(test_machine_config_ram_zero_fails),
		cmocka_unit_test(test_machine_config_unknown_device_fails),
		cmocka_unit_test(test_machine_config_unknown_object_fails),
		cmocka_unit_test(test_machine_config_memory_backends_accepted),
		cmocka_unit_test(
			test_machine_config_backend_created_checks_fail),
		cmocka_unit_test(test_machine_config_ram_rounds_up_to_8k),
		cmocka_unit_test(test_machine_config_ram_too_large_fails),
		cmocka_unit_test(test_machine_config_maxmem_below_size_fails),
		cmocka_unit_test(test_machine_config_maxmem_zero_given_fails),
		cmocka_unit_test(
			test_machine_config_maxmem_compared_to_default_ram),
		cmocka_unit_test(
			test_machine_config_maxmem_equal_with_slots_fails),
		cmocka_unit_test(
			test_machine_config_maxmem_equal_without_slots_ok),
		cmocka_unit_test(test_machine_config_maxmem_without_slots_ok),
		cmocka_unit_test(
			test_machine_config_slots_without_maxmem_fails),
		cmocka_unit_test(test_machine_config_too_many_slots_fails),
		cmocka_unit_test(test_machine_config_256_slots_ok),
		cmocka_unit_test(test_machine_config_default_serial_is_stdio),
		cmocka_unit_test(test_machine_config_nographic_serial_is_muxed),
		cmocka_unit_test(test_machine_config_nodefaults_drops_defaults),
		cmocka_unit_test(
			test_machine_config_nodefaults_keeps_given_debug_exit),
		cmocka_unit_test(test_machine_config_serial_none_drops_default),
		cmocka_unit_test(
			test_machine_config_given_serial_replaces_default),
		cmocka_unit_test(test_machine_config_add_serial_backends),
		cmocka_unit_test(test_machine_config_add_serial_unknown_fails),
		cmocka_unit_test(
			test_machine_config_add_serial_empty_mon_fails),
		cmocka_unit_test(
			test_machine_config_add_serial_empty_file_fails),
		cmocka_unit_test(
			test_machine_config_add_serial_stdio_twice_fails),
		cmocka_unit_test(
			test_machine_config_add_serial_unsupported_fails),
		cmocka_unit_test(
			test_machine_config_add_serial_fifth_port_fails),
		cmocka_unit_test(
			test_machine_config_add_serial_none_is_not_a_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
