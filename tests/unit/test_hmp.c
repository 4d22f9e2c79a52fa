// SPDX-License-Identifier: MIT
/*
 * Unit tests for HMP through QMP: command parsing, QEMU 7.2's output and
 * error texts, and that each command calls the matching QMP command.
 * Machine commands are fakes; qom-* run the real commands on a real tree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "monitor/hmp.h"
#include "monitor/qmp_cmds.h"
#include "monitor/qom.h"

struct fake {
	const char *status;
	bool running;
	const char *name;
	char calls[128];	/* "stop,cont," ... */
};

static struct fake fake;

static struct json_object *record_call(const char *what)
{
	strcat(fake.calls, what);
	strcat(fake.calls, ",");
	return json_object_new_object();
}

static struct json_object *f_status(void *o, void *c, struct json_object *a,
				    struct error *e)
{
	struct json_object *st = json_object_new_object();

	(void)o, (void)c, (void)a, (void)e;
	json_object_object_add(st, "running",
			       json_object_new_boolean(fake.running));
	json_object_object_add(st, "status",
			       json_object_new_string(fake.status));
	return st;
}

static struct json_object *f_version(void *o, void *c, struct json_object *a,
				     struct error *e)
{
	(void)o, (void)c, (void)a, (void)e;
	return qmp_cmds_version();
}

static struct json_object *f_name(void *o, void *c, struct json_object *a,
				  struct error *e)
{
	struct json_object *n = json_object_new_object();

	(void)o, (void)c, (void)a, (void)e;
	if (fake.name)
		json_object_object_add(n, "name",
				       json_object_new_string(fake.name));
	return n;
}

static struct json_object *f_kvm(void *o, void *c, struct json_object *a,
				 struct error *e)
{
	struct json_object *k = json_object_new_object();

	(void)o, (void)c, (void)a, (void)e;
	json_object_object_add(k, "enabled", json_object_new_boolean(true));
	json_object_object_add(k, "present", json_object_new_boolean(true));
	return k;
}

#define FAKE_CALL(fn, name)						\
	static struct json_object *fn(void *o, void *c,			\
				      struct json_object *a,		\
				      struct error *e)			\
	{								\
		(void)o, (void)c, (void)a, (void)e;			\
		return record_call(name);				\
	}

FAKE_CALL(f_stop, "stop")
FAKE_CALL(f_cont, "cont")
FAKE_CALL(f_reset, "system_reset")
FAKE_CALL(f_quit, "quit")

static const struct qmp_command fake_cmds[] = {
	{ "query-status", f_status, NULL, false },
	{ "query-version", f_version, NULL, false },
	{ "query-name", f_name, NULL, false },
	{ "query-kvm", f_kvm, NULL, false },
	{ "stop", f_stop, NULL, false },
	{ "cont", f_cont, NULL, false },
	{ "system_reset", f_reset, NULL, false },
	{ "quit", f_quit, NULL, false },
	{ NULL },
};

static struct qmp_dispatcher disp;
static bool flag = true;

static int get_flag(struct qom_object *obj, void *opaque,
		    struct qom_value *out, struct error *err)
{
	(void)obj, (void)opaque, (void)err;
	out->type = QOM_TYPE_BOOL;
	out->b = flag;
	return 0;
}

static int set_flag(struct qom_object *obj, void *opaque,
		    const struct qom_value *in, struct error *err)
{
	(void)obj, (void)opaque, (void)err;
	flag = in->b;
	return 0;
}

static uint64_t count = 5;

static int get_count(struct qom_object *obj, void *opaque,
		     struct qom_value *out, struct error *err)
{
	(void)obj, (void)opaque, (void)err;
	out->type = QOM_TYPE_UINT;
	out->u = count;
	return 0;
}

static int set_count(struct qom_object *obj, void *opaque,
		     const struct qom_value *in, struct error *err)
{
	(void)obj, (void)opaque, (void)err;
	count = in->u;
	return 0;
}

static const struct qom_prop dev_props[] = {
	{ "flag", "bool", QOM_TYPE_BOOL, get_flag, set_flag, NULL },
	{ "count", "uint64", QOM_TYPE_UINT, get_count, set_count, NULL },
};

static int setup(void **state)
{
	struct error err = { 0 };

	(void)state;
	fake = (struct fake){ .status = "running", .running = true };
	flag = true;
	count = 5;
	qmp_dispatch_init(&disp, NULL);
	assert_int_equal(qmp_dispatch_add_table(&disp, fake_cmds), 0);
	assert_int_equal(qmp_dispatch_add_table(&disp, qmp_cmds_qom), 0);
	assert_non_null(qom_add("/machine/peripheral/d0", "test-dev",
				dev_props, 2, &err));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	qom_reset_tree();
	return 0;
}

static void assert_hmp(const char *line, const char *expected)
{
	char *text = hmp_run(&disp, NULL, line);

	assert_non_null(text);
	assert_string_equal(text, expected);
	free(text);
}

static void test_hmp_info_status_running(void **state)
{
	(void)state;
	assert_hmp("info status", "VM status: running\r\n");
}

static void test_hmp_info_status_paused(void **state)
{
	(void)state;
	fake = (struct fake){ .status = "paused" };
	assert_hmp("info status", "VM status: paused\r\n");
}

static void test_hmp_info_status_prelaunch(void **state)
{
	(void)state;
	fake = (struct fake){ .status = "prelaunch" };
	assert_hmp("  info   status  ", "VM status: paused (prelaunch)\r\n");
}

static void test_hmp_info_version(void **state)
{
	(void)state;
	assert_hmp("info version", "7.2.0flexvm 0.1.0\r\n");
}

static void test_hmp_info_name(void **state)
{
	(void)state;
	assert_hmp("info name", "");
	fake.name = "vm1";
	assert_hmp("info name", "vm1\r\n");
}

static void test_hmp_info_kvm(void **state)
{
	(void)state;
	assert_hmp("info kvm", "kvm support: enabled\r\n");
}

static void test_hmp_info_lists_subcommands(void **state)
{
	(void)state;
	assert_hmp("info", "info kvm  -- show KVM information\r\n"
		   "info memory-devices  -- show memory devices\r\n"
		   "info name  -- show the current VM name\r\n"
		   "info pci  -- show PCI info\r\n"
		   "info status  -- show the current VM status "
		   "(running|paused)\r\n"
		   "info version  -- show the version of QEMU\r\n");
}

static void test_hmp_unknown_command(void **state)
{
	(void)state;
	assert_hmp("foo bar", "unknown command: 'foo'\r\n");
}

static void test_hmp_unknown_info_subcommand(void **state)
{
	(void)state;
	assert_hmp("info foo", "unknown command: 'info foo'\r\n");
}

static void test_hmp_empty_line_prints_nothing(void **state)
{
	(void)state;
	assert_hmp("", "");
	assert_hmp("   ", "");
}

static void test_hmp_extraneous_characters(void **state)
{
	(void)state;
	assert_hmp("info status extra", "status: extraneous characters at "
		   "the end of line\r\nTry \"help info status\" for more "
		   "information\r\n");
	assert_hmp("stop now", "stop: extraneous characters at the end of "
		   "line\r\nTry \"help stop\" for more information\r\n");
	assert_int_equal(strlen(fake.calls), 0);
}

static void test_hmp_missing_argument(void **state)
{
	(void)state;
	assert_hmp("qom-get /machine", "qom-get: string expected\r\nTry "
		   "\"help qom-get\" for more information\r\n");
}

static void test_hmp_unterminated_string(void **state)
{
	(void)state;
	assert_hmp("qom-get \"/machine type", "qom-get: unterminated string"
		   "\r\nTry \"help qom-get\" for more information\r\n");
}

static void test_hmp_run_commands_call_qmp(void **state)
{
	(void)state;
	assert_hmp("stop", "");
	assert_hmp("c", "");
	assert_hmp("system_reset", "");
	assert_hmp("s", "");
	assert_hmp("cont", "");
	assert_hmp("q", "");
	assert_string_equal(fake.calls, "stop,cont,system_reset,stop,cont,"
			    "quit,");
}

static void test_hmp_qom_get_prints_json(void **state)
{
	(void)state;
	assert_hmp("qom-get /machine/peripheral/d0 type", "\"test-dev\"\r\n");
	assert_hmp("qom-get d0 flag", "true\r\n");
	assert_hmp("qom-get \"/machine/peripheral/d0\" count", "5\r\n");
}

static void test_hmp_qom_get_error(void **state)
{
	(void)state;
	assert_hmp("qom-get /nope type", "Error: Device '/nope' not found\r\n");
	assert_hmp("qom-get d0 nope",
		   "Error: Property 'test-dev.nope' not found\r\n");
}

static void test_hmp_qom_set_parses_text(void **state)
{
	(void)state;
	assert_hmp("qom-set d0 flag off", "");
	assert_false(flag);
	assert_hmp("qom-set d0 count 0x10", "");
	assert_int_equal(count, 16);
}

static void test_hmp_qom_set_bad_value(void **state)
{
	(void)state;
	assert_hmp("qom-set d0 flag maybe",
		   "Error: Parameter 'flag' expects 'on' or 'off'\r\n");
	assert_hmp("qom-set d0 count -1",
		   "Error: Parameter 'count' expects a uint64 value or "
		   "range\r\n");
	assert_true(flag);
	assert_int_equal(count, 5);
}

static void test_hmp_qom_set_errors(void **state)
{
	(void)state;
	assert_hmp("qom-set /nope flag on",
		   "Error: Device '/nope' not found\r\n");
	assert_hmp("qom-set d0 type x",
		   "Error: Property 'test-dev.type' is not writable\r\n");
	assert_hmp("qom-set d0 flag", "qom-set: string expected\r\nTry "
		   "\"help qom-set\" for more information\r\n");
}

static void test_hmp_qom_set_json(void **state)
{
	(void)state;
	assert_hmp("qom-set -j d0 count 42", "");
	assert_int_equal(count, 42);
	assert_hmp("qom-set -j d0 flag \"on\"", "Error: Invalid parameter "
		   "type for 'flag', expected: boolean\r\n");
	assert_hmp("qom-set -j d0 flag {", "Error: JSON parse error\r\n");
}

static void test_hmp_qom_list(void **state)
{
	(void)state;
	assert_hmp("qom-list /machine/peripheral/d0",
		   "type (string)\r\nflag (bool)\r\ncount (uint64)\r\n");
	assert_hmp("qom-list /machine", "type (string)\r\n"
		   "peripheral (child<container>)\r\n");
}

static void test_hmp_help_lists_commands(void **state)
{
	char *text = hmp_run(&disp, NULL, "help");

	(void)state;
	assert_non_null(strstr(text, "cont|c  -- resume emulation\r\n"));
	assert_non_null(strstr(text, "qom-set [-j] path property value -- "
			       "set QOM property.\r\n\t\t\t-j: the value is "
			       "specified in json format.\r\n"));
	assert_non_null(strstr(text, "system_reset  -- reset the system\r\n"));
	assert_ptr_equal(strstr(text, "cont|c"), text);
	free(text);
}

static void test_hmp_help_one_command(void **state)
{
	(void)state;
	assert_hmp("help stop", "stop|s  -- stop emulation\r\n");
	assert_hmp("? q", "quit|q  -- quit the emulator\r\n");
	assert_hmp("help info status", "info status  -- show the current VM "
		   "status (running|paused)\r\n");
	assert_hmp("help nosuch", "unknown command: 'nosuch'\r\n");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_hmp_info_status_running),
		T(test_hmp_info_status_paused),
		T(test_hmp_info_status_prelaunch),
		T(test_hmp_info_version),
		T(test_hmp_info_name),
		T(test_hmp_info_kvm),
		T(test_hmp_info_lists_subcommands),
		T(test_hmp_unknown_command),
		T(test_hmp_unknown_info_subcommand),
		T(test_hmp_empty_line_prints_nothing),
		T(test_hmp_extraneous_characters),
		T(test_hmp_missing_argument),
		T(test_hmp_unterminated_string),
		T(test_hmp_run_commands_call_qmp),
		T(test_hmp_qom_get_prints_json),
		T(test_hmp_qom_get_error),
		T(test_hmp_qom_set_parses_text),
		T(test_hmp_qom_set_bad_value),
		T(test_hmp_qom_set_errors),
		T(test_hmp_qom_set_json),
		T(test_hmp_qom_list),
		T(test_hmp_help_lists_commands),
		T(test_hmp_help_one_command),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
