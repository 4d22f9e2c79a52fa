// SPDX-License-Identifier: MIT
/*
 * Unit tests for machine_config defaults, -serial values and the
 * cross-option checks. Expected messages are qemu-system-x86_64 7.2's for
 * the same input (machine name 'pc' where QEMU says 'pc-i440fx-7.2').
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/machine_config.h"

/* A config that passes validation: defaults plus a kernel. */
static void config_with_kernel(struct machine_config *cfg)
{
	machine_config_init(cfg);
	cfg->kernel = "bzImage";
}

static void assert_invalid(struct machine_config *cfg, const char *msg)
{
	struct error err = { 0 };

	assert_int_equal(machine_config_validate(cfg, &err), -EINVAL);
	assert_string_equal(err.msg, msg);
}

static void assert_valid(struct machine_config *cfg)
{
	struct error err = { 0 };

	assert_int_equal(machine_config_validate(cfg, &err), 0);
	assert_false(error_is_set(&err));
}

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

static void test_machine_config_maxmem_below_size_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.ram_size = GiB;
	cfg.maxmem = 512 * MiB;
	cfg.has_maxmem = true;
	assert_invalid(&cfg, "invalid value of maxmem: maximum memory size "
		       "(0x20000000) must be at least the initial memory "
		       "size (0x40000000)");
}

static void test_machine_config_maxmem_zero_given_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.ram_size = GiB;
	cfg.maxmem = 0;
	cfg.has_maxmem = true;
	assert_invalid(&cfg, "invalid value of maxmem: maximum memory size "
		       "(0x0) must be at least the initial memory size "
		       "(0x40000000)");
}

static void test_machine_config_maxmem_compared_to_default_ram(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.ram_size = 128 * MiB;	/* -m 128M,maxmem=64M */
	cfg.maxmem = 64 * MiB;
	cfg.has_maxmem = true;
	assert_invalid(&cfg, "invalid value of maxmem: maximum memory size "
		       "(0x4000000) must be at least the initial memory size "
		       "(0x8000000)");
}

static void test_machine_config_maxmem_equal_with_slots_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.ram_size = GiB;
	cfg.maxmem = GiB;
	cfg.has_maxmem = true;
	cfg.mem_slots = 2;
	cfg.has_mem_slots = true;
	assert_invalid(&cfg, "invalid value of maxmem: memory slots were "
		       "specified but maximum memory size (0x40000000) is "
		       "equal to the initial memory size (0x40000000)");
}

static void test_machine_config_maxmem_equal_without_slots_ok(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.ram_size = GiB;
	cfg.maxmem = GiB;
	cfg.has_maxmem = true;
	assert_valid(&cfg);
	assert_int_equal(cfg.maxmem, GiB);
}

static void test_machine_config_maxmem_without_slots_ok(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.ram_size = GiB;
	cfg.maxmem = 4 * GiB;
	cfg.has_maxmem = true;
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
	config_with_kernel(&cfg);
	cfg.ram_size = GiB;
	cfg.maxmem = 4 * GiB;
	cfg.has_maxmem = true;
	cfg.mem_slots = 300;
	cfg.has_mem_slots = true;
	assert_invalid(&cfg, "unsupported amount of memory slots: 300");
}

static void test_machine_config_256_slots_ok(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.ram_size = GiB;
	cfg.maxmem = 2 * GiB;
	cfg.has_maxmem = true;
	cfg.mem_slots = 256;
	cfg.has_mem_slots = true;
	assert_valid(&cfg);
}

static void test_machine_config_smp_checked_before_memory(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.ram_size = GiB;
	cfg.maxmem = 512 * MiB;
	cfg.has_maxmem = true;
	cfg.smp.cpus = 300;
	assert_invalid(&cfg, "Invalid SMP CPUs 300. The max CPUs supported "
		       "by machine 'pc' is 255");
}

static void test_machine_config_no_smp_keeps_nr_cpus(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.nr_cpus = 4;
	assert_valid(&cfg);
	assert_int_equal(cfg.nr_cpus, 4);
	assert_int_equal(cfg.max_cpus, 4);
	assert_int_equal(cfg.cpu_cores, 4);
	assert_int_equal(cfg.cpu_sockets, 1);
}

static void test_machine_config_smp_cpus_prefers_cores(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.smp.cpus = 4;
	assert_valid(&cfg);
	assert_int_equal(cfg.nr_cpus, 4);
	assert_int_equal(cfg.max_cpus, 4);
	assert_int_equal(cfg.cpu_sockets, 1);
	assert_int_equal(cfg.cpu_dies, 1);
	assert_int_equal(cfg.cpu_cores, 4);
	assert_int_equal(cfg.cpu_threads, 1);
}

static void test_machine_config_smp_topology_gives_cpus(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.smp.sockets = 2;	/* -smp sockets=2,cores=2 */
	cfg.smp.cores = 2;
	assert_valid(&cfg);
	assert_int_equal(cfg.nr_cpus, 4);
	assert_int_equal(cfg.max_cpus, 4);
}

static void test_machine_config_smp_zero_cpus_is_omitted(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.smp.cpus = 0;	/* -smp cpus=0,sockets=2: 2 CPUs */
	cfg.smp.sockets = 2;
	assert_valid(&cfg);
	assert_int_equal(cfg.nr_cpus, 2);
}

static void test_machine_config_smp_maxcpus_above_cpus(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.smp.cpus = 2;
	cfg.smp.maxcpus = 4;
	assert_valid(&cfg);
	assert_int_equal(cfg.nr_cpus, 2);
	assert_int_equal(cfg.max_cpus, 4);
	assert_int_equal(cfg.cpu_cores, 4);
}

static void test_machine_config_smp_dies(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.smp.cpus = 8;
	cfg.smp.dies = 2;
	assert_valid(&cfg);
	assert_int_equal(cfg.cpu_dies, 2);
	assert_int_equal(cfg.cpu_cores, 4);
}

static void test_machine_config_smp_product_mismatch_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.smp.cpus = 4;
	cfg.smp.sockets = 3;
	assert_invalid(&cfg, "Invalid CPU topology: product of the hierarchy "
		       "must match maxcpus: sockets (3) * dies (1) * cores (1) "
		       "* threads (1) != maxcpus (4)");
}

static void test_machine_config_smp_threads_mismatch_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.smp.cpus = 3;
	cfg.smp.threads = 2;
	assert_invalid(&cfg, "Invalid CPU topology: product of the hierarchy "
		       "must match maxcpus: sockets (1) * dies (1) * cores (1) "
		       "* threads (2) != maxcpus (3)");
}

static void test_machine_config_smp_maxcpus_below_cpus_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.smp.cpus = 4;
	cfg.smp.maxcpus = 2;
	assert_invalid(&cfg, "Invalid CPU topology: maxcpus must be equal to "
		       "or greater than smp: sockets (1) * dies (1) * cores "
		       "(2) * threads (1) == maxcpus (2) < smp_cpus (4)");
}

static void test_machine_config_smp_too_many_cpus_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.smp.cpus = 256;
	assert_invalid(&cfg, "Invalid SMP CPUs 256. The max CPUs supported "
		       "by machine 'pc' is 255");
}

static void test_machine_config_smp_255_cpus_ok(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.smp.cpus = 255;
	assert_valid(&cfg);
	assert_int_equal(cfg.nr_cpus, 255);
}

static void test_machine_config_smp_maxcpus_limit_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.smp.cpus = 2;
	cfg.smp.maxcpus = 300;
	assert_invalid(&cfg, "Invalid SMP CPUs 300. The max CPUs supported "
		       "by machine 'pc' is 255");
}

static void test_machine_config_smp_clusters_fail(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.smp.cpus = 2;
	cfg.smp.clusters = 2;
	assert_invalid(&cfg, "clusters not supported by this machine's CPU "
		       "topology");
}

static void test_machine_config_smp_one_cluster_ok(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	cfg.smp.cpus = 2;
	cfg.smp.clusters = 1;
	assert_valid(&cfg);
	assert_int_equal(cfg.nr_cpus, 2);
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

/* -qmp / -chardev / -mon values as cmdline.c stores them. */
static void add_qmp(struct machine_config *cfg, const char *text)
{
	cfg->qmps[cfg->nr_qmps++].text = text;
}

static void add_chardev(struct machine_config *cfg, const char *text)
{
	cfg->chardevs[cfg->nr_chardevs++].text = text;
}

static void add_mon(struct machine_config *cfg, const char *text)
{
	cfg->mons[cfg->nr_mons++].text = text;
}

static void assert_qmp_invalid(const char *text, const char *msg)
{
	struct machine_config cfg;

	config_with_kernel(&cfg);
	add_qmp(&cfg, text);
	assert_invalid(&cfg, msg);
}

static void assert_mon_invalid(const char *chardev, const char *mon,
			       const char *msg)
{
	struct machine_config cfg;

	config_with_kernel(&cfg);
	if (chardev)
		add_chardev(&cfg, chardev);
	add_mon(&cfg, mon);
	assert_invalid(&cfg, msg);
}

#define SOCK "socket,id=c0,path=/tmp/m.sock,server=on,wait=off"

static void test_machine_config_qmp_unix_server(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	add_qmp(&cfg, "unix:/tmp/q.sock,server=on,wait=off");
	assert_valid(&cfg);
	assert_int_equal(cfg.nr_monitors, 1);
	assert_int_equal(cfg.monitors[0].backend, MONITOR_BACKEND_UNIX);
	assert_string_equal(cfg.monitors[0].path, "/tmp/q.sock");
	assert_false(cfg.monitors[0].wait);
	assert_false(cfg.monitors[0].pretty);
	assert_string_equal(cfg.monitors[0].opt, "-qmp");
}

static void test_machine_config_qmp_legacy_nowait(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	add_qmp(&cfg, "unix:/tmp/a,,b.sock,server,nowait");
	assert_valid(&cfg);
	assert_string_equal(cfg.monitors[0].path, "/tmp/a,b.sock");
	assert_false(cfg.monitors[0].wait);
}

static void test_machine_config_qmp_server_waits_by_default(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	add_qmp(&cfg, "unix:/tmp/q.sock,server");
	assert_valid(&cfg);
	assert_true(cfg.monitors[0].wait);
}

static void test_machine_config_qmp_stdio_takes_default_serial(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	add_qmp(&cfg, "stdio");
	assert_valid(&cfg);
	assert_int_equal(cfg.monitors[0].backend, MONITOR_BACKEND_STDIO);
	assert_int_equal(cfg.nr_serials, 1);
	assert_int_equal(cfg.serials[0].backend, SERIAL_BACKEND_NONE);
}

static void test_machine_config_qmp_stdio_with_serial_stdio_fails(void **s)
{
	struct machine_config cfg;
	struct error err = { 0 };

	(void)s;
	config_with_kernel(&cfg);
	assert_int_equal(machine_config_add_serial(&cfg, "mon:stdio", &err),
			 0);
	add_qmp(&cfg, "stdio");
	assert_invalid(&cfg, "-serial mon:stdio: cannot use stdio by multiple "
		       "character devices");
}

static void test_machine_config_qmp_stdio_twice_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	add_qmp(&cfg, "stdio");
	add_qmp(&cfg, "stdio");
	assert_invalid(&cfg, "-qmp stdio: cannot use stdio by multiple "
		       "character devices");
}

static void test_machine_config_qmp_unknown_driver_fails(void **state)
{
	(void)state;
	assert_qmp_invalid("foo", "-qmp foo: 'foo' is not a valid char "
			   "driver");
}

static void test_machine_config_qmp_tcp_unsupported(void **state)
{
	(void)state;
	assert_qmp_invalid("tcp:localhost:4444,server=on,wait=off",
			   "-qmp tcp:localhost:4444,server=on,wait=off: flexvm "
			   "does not support this char driver (use "
			   "unix:PATH,server=on,wait=off or stdio)");
}

static void test_machine_config_qmp_unknown_param_fails(void **state)
{
	(void)state;
	assert_qmp_invalid("unix:/tmp/q,server=on,bogus=1",
			   "-qmp unix:/tmp/q,server=on,bogus=1: Invalid "
			   "parameter 'bogus'");
}

static void test_machine_config_qmp_bad_bool_fails(void **state)
{
	(void)state;
	assert_qmp_invalid("unix:/tmp/q,server=maybe",
			   "-qmp unix:/tmp/q,server=maybe: Parameter 'server' "
			   "expects 'on' or 'off'");
}

static void test_machine_config_qmp_client_socket_fails(void **state)
{
	(void)state;
	assert_qmp_invalid("unix:/tmp/q", "-qmp unix:/tmp/q: flexvm only "
			   "listens for QMP clients: use server=on,wait=off");
}

static void test_machine_config_qmp_empty_path_fails(void **state)
{
	(void)state;
	assert_qmp_invalid("unix:,server=on", "-qmp unix:,server=on: UNIX "
			   "socket path must not be empty");
}

static void test_machine_config_qmp_long_path_fails(void **state)
{
	char text[160], msg[400];

	(void)state;
	snprintf(text, sizeof(text), "unix:/%0120d", 0);
	snprintf(msg, sizeof(msg), "-qmp %s: UNIX socket path '%s' is too "
		 "long", text, text + 5);
	assert_qmp_invalid(text, msg);
}

static void test_machine_config_mon_chardev_socket(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	add_chardev(&cfg, SOCK);
	add_mon(&cfg, "chardev=c0,mode=control,pretty=on");
	assert_valid(&cfg);
	assert_int_equal(cfg.nr_monitors, 1);
	assert_int_equal(cfg.monitors[0].backend, MONITOR_BACKEND_UNIX);
	assert_string_equal(cfg.monitors[0].path, "/tmp/m.sock");
	assert_true(cfg.monitors[0].pretty);
	assert_false(cfg.monitors[0].wait);
	assert_string_equal(cfg.monitors[0].opt, "-mon");
}

static void test_machine_config_mon_libvirt_id_accepted(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	add_chardev(&cfg, SOCK);
	add_mon(&cfg, "chardev=c0,id=monitor,mode=control");
	assert_valid(&cfg);
	assert_int_equal(cfg.nr_monitors, 1);
}

static void test_machine_config_chardev_without_id_fails(void **state)
{
	(void)state;
	assert_mon_invalid("socket,path=/tmp/m.sock,server=on", "chardev=c0",
			   "-chardev socket,path=/tmp/m.sock,server=on: "
			   "chardev: no id specified");
}

static void test_machine_config_chardev_unknown_driver_fails(void **state)
{
	(void)state;
	assert_mon_invalid("bogus,id=c0", "chardev=c0", "-chardev bogus,id=c0: "
			   "'bogus' is not a valid char driver name");
}

static void test_machine_config_chardev_other_driver_fails(void **state)
{
	(void)state;
	assert_mon_invalid("null,id=c0", "chardev=c0", "-chardev null,id=c0: "
			   "flexvm does not support this char driver (use "
			   "socket for a QMP monitor)");
}

static void test_machine_config_chardev_unknown_param_fails(void **state)
{
	(void)state;
	assert_mon_invalid(SOCK ",foo=1", "chardev=c0", "-chardev " SOCK
			   ",foo=1: Invalid parameter 'foo'");
}

static void test_machine_config_chardev_duplicate_id_fails(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	add_chardev(&cfg, SOCK);
	add_chardev(&cfg, "socket,id=c0,path=/tmp/n.sock,server=on");
	assert_invalid(&cfg, "-chardev socket,id=c0,path=/tmp/n.sock,"
		       "server=on: Duplicate ID 'c0' for chardev");
}

static void test_machine_config_mon_chardev_not_found(void **state)
{
	(void)state;
	assert_mon_invalid(NULL, "chardev=nope,mode=control", "-mon "
			   "chardev=nope,mode=control: chardev \"nope\" not "
			   "found");
}

static void test_machine_config_mon_chardev_in_use(void **state)
{
	struct machine_config cfg;

	(void)state;
	config_with_kernel(&cfg);
	add_chardev(&cfg, SOCK);
	add_mon(&cfg, "chardev=c0,mode=control");
	add_mon(&cfg, "c0,mode=control");
	assert_invalid(&cfg, "-mon c0,mode=control: Device 'c0' is in use");
}

static void test_machine_config_mon_bad_mode_fails(void **state)
{
	(void)state;
	assert_mon_invalid(SOCK, "chardev=c0,mode=bogus", "-mon chardev=c0,"
			   "mode=bogus: Parameter 'mode' does not accept value "
			   "'bogus'");
}

static void test_machine_config_mon_missing_chardev_fails(void **state)
{
	(void)state;
	assert_mon_invalid(SOCK, "mode=control", "-mon mode=control: "
			   "Parameter 'chardev' is missing");
}

static void test_machine_config_mon_readline_refused(void **state)
{
	(void)state;
	assert_mon_invalid(SOCK, "chardev=c0", "-mon chardev=c0: flexvm has "
			   "no human monitor on a chardev: use mode=control "
			   "(HMP goes through QMP's human-monitor-command)");
}

static void test_machine_config_mon_bad_pretty_fails(void **state)
{
	(void)state;
	assert_mon_invalid(SOCK, "chardev=c0,pretty=maybe", "-mon chardev=c0,"
			   "pretty=maybe: Parameter 'pretty' expects 'on' or "
			   "'off'");
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
		cmocka_unit_test(test_machine_config_smp_checked_before_memory),
		cmocka_unit_test(test_machine_config_no_smp_keeps_nr_cpus),
		cmocka_unit_test(test_machine_config_smp_cpus_prefers_cores),
		cmocka_unit_test(test_machine_config_smp_topology_gives_cpus),
		cmocka_unit_test(test_machine_config_smp_zero_cpus_is_omitted),
		cmocka_unit_test(test_machine_config_smp_maxcpus_above_cpus),
		cmocka_unit_test(test_machine_config_smp_dies),
		cmocka_unit_test(
			test_machine_config_smp_product_mismatch_fails),
		cmocka_unit_test(
			test_machine_config_smp_threads_mismatch_fails),
		cmocka_unit_test(
			test_machine_config_smp_maxcpus_below_cpus_fails),
		cmocka_unit_test(test_machine_config_smp_too_many_cpus_fails),
		cmocka_unit_test(test_machine_config_smp_255_cpus_ok),
		cmocka_unit_test(test_machine_config_smp_maxcpus_limit_fails),
		cmocka_unit_test(test_machine_config_smp_clusters_fail),
		cmocka_unit_test(test_machine_config_smp_one_cluster_ok),
		cmocka_unit_test(test_machine_config_default_serial_is_stdio),
		cmocka_unit_test(test_machine_config_nographic_serial_is_muxed),
		cmocka_unit_test(test_machine_config_nodefaults_drops_defaults),
		cmocka_unit_test(
			test_machine_config_nodefaults_keeps_given_debug_exit),
		cmocka_unit_test(test_machine_config_serial_none_drops_default),
		cmocka_unit_test(
			test_machine_config_given_serial_replaces_default),
		cmocka_unit_test(test_machine_config_qmp_unix_server),
		cmocka_unit_test(test_machine_config_qmp_legacy_nowait),
		cmocka_unit_test(
			test_machine_config_qmp_server_waits_by_default),
		cmocka_unit_test(
			test_machine_config_qmp_stdio_takes_default_serial),
		cmocka_unit_test(
			test_machine_config_qmp_stdio_with_serial_stdio_fails),
		cmocka_unit_test(test_machine_config_qmp_stdio_twice_fails),
		cmocka_unit_test(test_machine_config_qmp_unknown_driver_fails),
		cmocka_unit_test(test_machine_config_qmp_tcp_unsupported),
		cmocka_unit_test(test_machine_config_qmp_unknown_param_fails),
		cmocka_unit_test(test_machine_config_qmp_bad_bool_fails),
		cmocka_unit_test(test_machine_config_qmp_client_socket_fails),
		cmocka_unit_test(test_machine_config_qmp_empty_path_fails),
		cmocka_unit_test(test_machine_config_qmp_long_path_fails),
		cmocka_unit_test(test_machine_config_mon_chardev_socket),
		cmocka_unit_test(test_machine_config_mon_libvirt_id_accepted),
		cmocka_unit_test(test_machine_config_chardev_without_id_fails),
		cmocka_unit_test(
			test_machine_config_chardev_unknown_driver_fails),
		cmocka_unit_test(
			test_machine_config_chardev_other_driver_fails),
		cmocka_unit_test(
			test_machine_config_chardev_unknown_param_fails),
		cmocka_unit_test(
			test_machine_config_chardev_duplicate_id_fails),
		cmocka_unit_test(test_machine_config_mon_chardev_not_found),
		cmocka_unit_test(test_machine_config_mon_chardev_in_use),
		cmocka_unit_test(test_machine_config_mon_bad_mode_fails),
		cmocka_unit_test(test_machine_config_mon_missing_chardev_fails),
		cmocka_unit_test(test_machine_config_mon_readline_refused),
		cmocka_unit_test(test_machine_config_mon_bad_pretty_fails),
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
