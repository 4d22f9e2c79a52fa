// SPDX-License-Identifier: MIT
/*
 * Unit tests for qmp_stream_format(): QEMU 7.2's output layout, its key
 * order (its hash table's buckets), escapes and numbers, compact and
 * pretty. Expected bytes come from qemu-system-x86_64 7.2 replies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <json-c/json.h>

#include "monitor/qmp_stream.h"

static void assert_format(struct json_object *obj, bool pretty,
			  const char *expected)
{
	char *text = qmp_stream_format(obj, pretty);

	assert_non_null(text);
	assert_string_equal(text, expected);
	free(text);
	json_object_put(obj);
}

static struct json_object *parse(const char *text)
{
	struct json_object *o = json_tokener_parse(text);

	assert_non_null(o);
	return o;
}

static void test_qmp_stream_format_version_in_qemu_order(void **state)
{
	(void)state;
	/* Inserted in QAPI order (major, minor, micro), as QEMU does. */
	assert_format(parse("{\"qemu\":{\"major\":7,\"minor\":2,\"micro\":0},"
			    "\"package\":\"flexvm 0.1.0\"}"), false,
		      "{\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
		      "\"package\": \"flexvm 0.1.0\"}");
}

static void test_qmp_stream_format_status_in_qemu_order(void **state)
{
	(void)state;
	assert_format(parse("{\"running\":true,\"singlestep\":false,"
			    "\"status\":\"running\"}"), false,
		      "{\"status\": \"running\", \"singlestep\": false, "
		      "\"running\": true}");
}

static void test_qmp_stream_format_id_after_return(void **state)
{
	(void)state;
	assert_format(parse("{\"return\":{},\"id\":[1,{\"a\":2}]}"), false,
		      "{\"return\": {}, \"id\": [1, {\"a\": 2}]}");
}

static void test_qmp_stream_format_id_before_error(void **state)
{
	(void)state;
	assert_format(parse("{\"error\":{\"class\":\"CommandNotFound\","
			    "\"desc\":\"x\"},\"id\":\"x\"}"), false,
		      "{\"id\": \"x\", \"error\": {\"class\": "
		      "\"CommandNotFound\", \"desc\": \"x\"}}");
}

static void test_qmp_stream_format_event_order(void **state)
{
	(void)state;
	assert_format(parse("{\"event\":\"RESET\",\"data\":{\"guest\":false,"
			    "\"reason\":\"r\"},\"timestamp\":{\"seconds\":1,"
			    "\"microseconds\":2}}"), false,
		      "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, "
		      "\"event\": \"RESET\", \"data\": {\"guest\": false, "
		      "\"reason\": \"r\"}}");
}

static void test_qmp_stream_format_empty_containers(void **state)
{
	(void)state;
	assert_format(parse("{\"a\":{},\"b\":[]}"), false,
		      "{\"a\": {}, \"b\": []}");
}

static void test_qmp_stream_format_escapes_like_qemu(void **state)
{
	(void)state;
	assert_format(json_object_new_string("\"\\/\b\f\n\r\t\x01\x7f\xc3\xa9"
					     "\xf0\x9f\x98\x80"), false,
		      "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u007F\\u00E9"
		      "\\uD83D\\uDE00\"");
}

static void test_qmp_stream_format_invalid_utf8_is_replaced(void **state)
{
	(void)state;
	assert_format(json_object_new_string("a\xff"), false,
		      "\"a\\uFFFD\"");
}

static void test_qmp_stream_format_embedded_nul(void **state)
{
	(void)state;
	assert_format(json_object_new_string_len("a\0b", 3), false,
		      "\"a\\u0000b\"");
}

static void test_qmp_stream_format_numbers(void **state)
{
	(void)state;
	assert_format(parse("[1.5, 0.1, 1e3, -5, 18446744073709551615, "
			    "9223372036854775807]"), false,
		      "[1.5, 0.10000000000000001, 1000, -5, "
		      "18446744073709551615, 9223372036854775807]");
}

static void test_qmp_stream_format_null_and_bools(void **state)
{
	(void)state;
	assert_format(parse("[null, true, false]"), false,
		      "[null, true, false]");
	assert_format(NULL, false, "null");
}

static void test_qmp_stream_format_pretty(void **state)
{
	(void)state;
	assert_format(parse("{\"return\":{}}"), true,
		      "{\n    \"return\": {\n    }\n}");
	assert_format(parse("{\"return\":[{\"name\":\"type\","
			    "\"type\":\"string\"}],\"id\":[]}"), true,
		      "{\n    \"return\": [\n        {\n            \"name\": "
		      "\"type\",\n            \"type\": \"string\"\n        }\n"
		      "    ],\n    \"id\": [\n    ]\n}");
}

static void test_qmp_stream_key_bucket_matches_qemu(void **state)
{
	(void)state;
	assert_int_equal(qmp_stream_key_bucket("return"), 401);
	assert_int_equal(qmp_stream_key_bucket("id"), 486);
	assert_int_equal(qmp_stream_key_bucket("error"), 489);
	assert_int_equal(qmp_stream_key_bucket("micro"), 225);
	assert_int_equal(qmp_stream_key_bucket("minor"), 225);
	assert_int_equal(qmp_stream_key_bucket(""), 12345 % 512);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qmp_stream_format_version_in_qemu_order),
		cmocka_unit_test(test_qmp_stream_format_status_in_qemu_order),
		cmocka_unit_test(test_qmp_stream_format_id_after_return),
		cmocka_unit_test(test_qmp_stream_format_id_before_error),
		cmocka_unit_test(test_qmp_stream_format_event_order),
		cmocka_unit_test(test_qmp_stream_format_empty_containers),
		cmocka_unit_test(test_qmp_stream_format_escapes_like_qemu),
		cmocka_unit_test(
			test_qmp_stream_format_invalid_utf8_is_replaced),
		cmocka_unit_test(test_qmp_stream_format_embedded_nul),
		cmocka_unit_test(test_qmp_stream_format_numbers),
		cmocka_unit_test(test_qmp_stream_format_null_and_bools),
		cmocka_unit_test(test_qmp_stream_format_pretty),
		cmocka_unit_test(test_qmp_stream_key_bucket_matches_qemu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
