// SPDX-License-Identifier: MIT
/*
 * Unit tests for -qmp, -chardev socket and -mon, which
 * machine_config_validate() turns into QMP monitors.
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

int main(void)
{
	const struct CMUnitTest tests[] = {
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
