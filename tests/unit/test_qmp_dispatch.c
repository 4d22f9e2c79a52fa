// SPDX-License-Identifier: MIT
/*
 * Unit tests for QMP dispatch: envelope checks, negotiation, command
 * lookup, argument checks before the handler runs, "id" echo and reply
 * shapes. Expected texts are qemu-system-x86_64 7.2's replies.
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
#include <json-c/json.h>

#include "monitor/qmp_dispatch.h"
#include "monitor/qmp_stream.h"

struct calls {
	unsigned n;
	const char *last;
	void *client;
};

static struct json_object *echo_args(void *opaque, void *client,
				     struct json_object *args,
				     struct error *err)
{
	struct calls *c = opaque;

	(void)err;
	c->n++;
	c->last = "echo";
	c->client = client;
	return json_object_get(args);
}

static struct json_object *fail_cmd(void *opaque, void *client,
				    struct json_object *args,
				    struct error *err)
{
	struct calls *c = opaque;

	(void)client, (void)args;
	c->n++;
	error_set(err, ERROR_CLASS_DEVICE_NOT_FOUND, "Device 'x' not found");
	return NULL;
}

static const struct qmp_arg echo_spec[] = {
	{ "path", QMP_ARG_STR, false },
	{ "count", QMP_ARG_INT, true },
	{ "flag", QMP_ARG_BOOL, true },
	{ "value", QMP_ARG_ANY, true },
	{ "list", QMP_ARG_STR_LIST, true },
	{ NULL },
};

static const struct qmp_command table[] = {
	{ "hello", echo_args, NULL, true },
	{ "echo", echo_args, echo_spec, false },
	{ "fail", fail_cmd, NULL, false },
	{ NULL },
};

static const struct qmp_command table2[] = {
	{ "extra", echo_args, NULL, false },
	{ NULL },
};

struct fixture {
	struct qmp_dispatcher d;
	struct calls calls;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	qmp_dispatch_init(&f->d, &f->calls);
	assert_int_equal(qmp_dispatch_add_table(&f->d, table), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* Dispatches @request and compares the reply as QEMU formats it. */
static void assert_reply(struct fixture *f, const char *request,
			 bool negotiated, const char *expected)
{
	struct json_object *req = json_tokener_parse(request);
	struct json_object *reply;
	char *text;

	reply = qmp_dispatch(&f->d, req, negotiated, (void *)0x1234);
	assert_non_null(reply);
	text = qmp_stream_format(reply, false);
	assert_string_equal(text, expected);
	free(text);
	json_object_put(reply);
	json_object_put(req);
}

#define GENERIC(desc) "{\"error\": {\"class\": \"GenericError\", " \
		      "\"desc\": \"" desc "\"}}"

static void test_qmp_dispatch_non_object_is_refused(void **state)
{
	struct fixture *f = *state;

	assert_reply(f, "[1, 2]", true,
		     GENERIC("QMP input must be a JSON object"));
	assert_reply(f, "\"str\"", true,
		     GENERIC("QMP input must be a JSON object"));
	assert_reply(f, "null", true,
		     GENERIC("QMP input must be a JSON object"));
}

static void test_qmp_dispatch_missing_execute_is_refused(void **state)
{
	struct fixture *f = *state;

	assert_reply(f, "{\"id\": 5}", true, "{\"id\": 5, \"error\": "
		     "{\"class\": \"GenericError\", \"desc\": \"QMP input "
		     "lacks member 'execute'\"}}");
}

static void test_qmp_dispatch_execute_not_string_is_refused(void **state)
{
	struct fixture *f = *state;

	assert_reply(f, "{\"execute\": 1}", true, GENERIC(
		     "QMP input member 'execute' must be a string"));
}

static void test_qmp_dispatch_arguments_not_object_is_refused(void **s)
{
	struct fixture *f = *s;

	assert_reply(f, "{\"execute\": \"echo\", \"arguments\": []}", true,
		     GENERIC("QMP input member 'arguments' must be an object"));
	assert_int_equal(f->calls.n, 0);
}

static void test_qmp_dispatch_unexpected_member_keeps_id(void **state)
{
	struct fixture *f = *state;

	assert_reply(f, "{\"execute\": \"hello\", \"id\": 1, \"extra\": 2}",
		     true, "{\"id\": 1, \"error\": {\"class\": "
		     "\"GenericError\", \"desc\": \"QMP input member 'extra' "
		     "is unexpected\"}}");
	assert_int_equal(f->calls.n, 0);
}

static void test_qmp_dispatch_exec_oob_is_unexpected(void **state)
{
	struct fixture *f = *state;

	assert_reply(f, "{\"exec-oob\": \"hello\"}", true, GENERIC(
		     "QMP input member 'exec-oob' is unexpected"));
}

static void test_qmp_dispatch_before_negotiation_is_refused(void **state)
{
	struct fixture *f = *state;

	assert_reply(f, "{\"execute\": \"echo\", \"arguments\": "
		     "{\"path\": \"x\"}}", false, "{\"error\": {\"class\": "
		     "\"CommandNotFound\", \"desc\": \"Expecting capabilities "
		     "negotiation with 'qmp_capabilities'\"}}");
	assert_int_equal(f->calls.n, 0);
}

static void test_qmp_dispatch_unknown_before_negotiation(void **state)
{
	struct fixture *f = *state;

	assert_reply(f, "{\"execute\": \"nope\", \"id\": \"a\"}", false,
		     "{\"id\": \"a\", \"error\": {\"class\": "
		     "\"CommandNotFound\", \"desc\": \"Expecting capabilities "
		     "negotiation with 'qmp_capabilities'\"}}");
}

static void test_qmp_dispatch_before_caps_command_runs(void **state)
{
	struct fixture *f = *state;

	assert_reply(f, "{\"execute\": \"hello\"}", false,
		     "{\"return\": {}}");
	assert_int_equal(f->calls.n, 1);
	assert_ptr_equal(f->calls.client, (void *)0x1234);
}

static void test_qmp_dispatch_unknown_command(void **state)
{
	struct fixture *f = *state;

	assert_reply(f, "{\"execute\": \"nope\", \"id\": \"x\"}", true,
		     "{\"id\": \"x\", \"error\": {\"class\": "
		     "\"CommandNotFound\", \"desc\": \"The command nope has "
		     "not been found\"}}");
}

static void test_qmp_dispatch_missing_argument(void **state)
{
	struct fixture *f = *state;

	assert_reply(f, "{\"execute\": \"echo\"}", true,
		     GENERIC("Parameter 'path' is missing"));
	assert_int_equal(f->calls.n, 0);
}

static void test_qmp_dispatch_unexpected_argument(void **state)
{
	struct fixture *f = *state;

	assert_reply(f, "{\"execute\": \"echo\", \"arguments\": "
		     "{\"path\": \"p\", \"x\": 1}}", true,
		     GENERIC("Parameter 'x' is unexpected"));
	assert_int_equal(f->calls.n, 0);
}

static void test_qmp_dispatch_argument_for_no_arg_command(void **state)
{
	struct fixture *f = *state;

	assert_reply(f, "{\"execute\": \"fail\", \"arguments\": {\"x\": 1}}",
		     true, GENERIC("Parameter 'x' is unexpected"));
	assert_int_equal(f->calls.n, 0);
}

static void test_qmp_dispatch_missing_before_unexpected(void **state)
{
	struct fixture *f = *state;

	assert_reply(f, "{\"execute\": \"echo\", \"arguments\": {\"x\": 1}}",
		     true, GENERIC("Parameter 'path' is missing"));
}

static void test_qmp_dispatch_string_type_checked(void **state)
{
	struct fixture *f = *state;

	assert_reply(f, "{\"execute\": \"echo\", \"arguments\": {\"path\": 1}}",
		     true, GENERIC("Invalid parameter type for 'path', "
				   "expected: string"));
	assert_int_equal(f->calls.n, 0);
}

static void test_qmp_dispatch_int_type_checked(void **state)
{
	struct fixture *f = *state;

	assert_reply(f, "{\"execute\": \"echo\", \"arguments\": "
		     "{\"path\": \"p\", \"count\": 1.5}}", true,
		     GENERIC("Invalid parameter type for 'count', expected: "
			     "integer"));
	assert_reply(f, "{\"execute\": \"echo\", \"arguments\": "
		     "{\"path\": \"p\", \"count\": 18446744073709551615}}",
		     true, GENERIC("Invalid parameter type for 'count', "
				   "expected: integer"));
}

static void test_qmp_dispatch_bool_type_checked(void **state)
{
	struct fixture *f = *state;

	assert_reply(f, "{\"execute\": \"echo\", \"arguments\": "
		     "{\"path\": \"p\", \"flag\": \"yes\"}}", true,
		     GENERIC("Invalid parameter type for 'flag', expected: "
			     "boolean"));
}

static void test_qmp_dispatch_null_for_typed_argument(void **state)
{
	struct fixture *f = *state;

	assert_reply(f, "{\"execute\": \"echo\", \"arguments\": "
		     "{\"path\": null}}", true,
		     GENERIC("Invalid parameter type for 'path', expected: "
			     "string"));
}

static void test_qmp_dispatch_list_element_type_checked(void **state)
{
	struct fixture *f = *state;

	assert_reply(f, "{\"execute\": \"echo\", \"arguments\": "
		     "{\"path\": \"p\", \"list\": [\"a\", 2]}}", true,
		     GENERIC("Invalid parameter type for 'list[1]', expected: "
			     "string"));
	assert_reply(f, "{\"execute\": \"echo\", \"arguments\": "
		     "{\"path\": \"p\", \"list\": \"a\"}}", true,
		     GENERIC("Invalid parameter type for 'list', expected: "
			     "array"));
}

static void test_qmp_dispatch_any_accepts_anything(void **state)
{
	struct fixture *f = *state;

	assert_reply(f, "{\"execute\": \"echo\", \"arguments\": "
		     "{\"path\": \"p\", \"value\": null}}", true,
		     "{\"return\": {\"path\": \"p\", \"value\": null}}");
	assert_int_equal(f->calls.n, 1);
}

static void test_qmp_dispatch_valid_arguments_reach_handler(void **state)
{
	struct fixture *f = *state;

	assert_reply(f, "{\"execute\": \"echo\", \"arguments\": {\"path\": "
		     "\"p\", \"count\": -3, \"flag\": true, "
		     "\"list\": [\"a\"]}}",
		     true, "{\"return\": {\"list\": [\"a\"], \"count\": -3, "
		     "\"path\": \"p\", \"flag\": true}}");
	assert_int_equal(f->calls.n, 1);
}

static void test_qmp_dispatch_id_echoed_for_every_type(void **state)
{
	static const char *const ids[] = {
		"\"s\"", "7", "1.5", "-1", "true", "null", "[1, {\"a\": []}]",
		"{\"x\": {\"y\": \"\\u00E9\"}}", "18446744073709551615",
	};
	struct fixture *f = *state;
	char req[128], want[128];

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		snprintf(req, sizeof(req), "{\"execute\": \"hello\", "
			 "\"id\": %s}", ids[i]);
		snprintf(want, sizeof(want), "{\"return\": {}, \"id\": %s}",
			 ids[i]);
		assert_reply(f, req, true, want);
	}
}

static void test_qmp_dispatch_handler_error_has_class_and_id(void **s)
{
	struct fixture *f = *s;

	assert_reply(f, "{\"execute\": \"fail\", \"id\": 2}", true,
		     "{\"id\": 2, \"error\": {\"class\": \"DeviceNotFound\", "
		     "\"desc\": \"Device 'x' not found\"}}");
	assert_int_equal(f->calls.n, 1);
}

static void test_qmp_dispatch_second_table_is_found(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(qmp_dispatch_add_table(&f->d, table2), 0);
	assert_non_null(qmp_dispatch_find(&f->d, "extra"));
	assert_null(qmp_dispatch_find(&f->d, "missing"));
	assert_reply(f, "{\"execute\": \"extra\"}", true, "{\"return\": {}}");
}

static void test_qmp_dispatch_too_many_tables(void **state)
{
	struct fixture *f = *state;

	for (unsigned i = 1; i < QMP_MAX_TABLES; i++)
		assert_int_equal(qmp_dispatch_add_table(&f->d, table2), 0);
	assert_int_equal(qmp_dispatch_add_table(&f->d, table2), -ENOSPC);
}

static void count_command(const struct qmp_command *cmd, void *arg)
{
	char *names = arg;

	strcat(names, cmd->name);
	strcat(names, ",");
}

static void test_qmp_dispatch_foreach_in_order(void **state)
{
	struct fixture *f = *state;
	char names[128] = "";

	assert_int_equal(qmp_dispatch_add_table(&f->d, table2), 0);
	qmp_dispatch_foreach(&f->d, count_command, names);
	assert_string_equal(names, "hello,echo,fail,extra,");
}

static void test_qmp_dispatch_check_args_direct(void **state)
{
	struct json_object *args = json_tokener_parse("{\"path\": \"x\"}");
	struct error err = { 0 };

	(void)state;
	assert_int_equal(qmp_dispatch_check_args(echo_spec, args, &err), 0);
	assert_int_equal(qmp_dispatch_check_args(NULL, args, &err), -EINVAL);
	assert_string_equal(err.msg, "Parameter 'path' is unexpected");
	json_object_put(args);
}

static void test_qmp_dispatch_error_reply_without_id(void **state)
{
	struct error err = { .cls = ERROR_CLASS_GENERIC, .msg = "boom" };
	struct json_object *reply = qmp_error_reply(&err, false, NULL);
	char *text = qmp_stream_format(reply, false);

	(void)state;
	assert_string_equal(text, GENERIC("boom"));
	free(text);
	json_object_put(reply);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_qmp_dispatch_non_object_is_refused),
		T(test_qmp_dispatch_missing_execute_is_refused),
		T(test_qmp_dispatch_execute_not_string_is_refused),
		T(test_qmp_dispatch_arguments_not_object_is_refused),
		T(test_qmp_dispatch_unexpected_member_keeps_id),
		T(test_qmp_dispatch_exec_oob_is_unexpected),
		T(test_qmp_dispatch_before_negotiation_is_refused),
		T(test_qmp_dispatch_unknown_before_negotiation),
		T(test_qmp_dispatch_before_caps_command_runs),
		T(test_qmp_dispatch_unknown_command),
		T(test_qmp_dispatch_missing_argument),
		T(test_qmp_dispatch_unexpected_argument),
		T(test_qmp_dispatch_argument_for_no_arg_command),
		T(test_qmp_dispatch_missing_before_unexpected),
		T(test_qmp_dispatch_string_type_checked),
		T(test_qmp_dispatch_int_type_checked),
		T(test_qmp_dispatch_bool_type_checked),
		T(test_qmp_dispatch_null_for_typed_argument),
		T(test_qmp_dispatch_list_element_type_checked),
		T(test_qmp_dispatch_any_accepts_anything),
		T(test_qmp_dispatch_valid_arguments_reach_handler),
		T(test_qmp_dispatch_id_echoed_for_every_type),
		T(test_qmp_dispatch_handler_error_has_class_and_id),
		T(test_qmp_dispatch_second_table_is_found),
		T(test_qmp_dispatch_too_many_tables),
		T(test_qmp_dispatch_foreach_in_order),
		cmocka_unit_test(test_qmp_dispatch_check_args_direct),
		cmocka_unit_test(test_qmp_dispatch_error_reply_without_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
