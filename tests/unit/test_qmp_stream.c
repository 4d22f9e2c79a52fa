// SPDX-License-Identifier: MIT
/*
 * Unit tests for the QMP wire format: framing of split, concatenated,
 * malformed, oversized and deep input (the session must go on after each
 * error), and QEMU's output layout, key order and escapes. Expected bytes
 * come from qemu-system-x86_64 7.2 replies to the same requests.
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

#include "monitor/qmp_stream.h"

#define MAX_EVENTS 2048

/* What the callback saw, in order: a value as JSON text, or "E:desc". */
struct seen {
	char *items[MAX_EVENTS];
	unsigned n;
	unsigned stop_after;	/* 0: never ask to stop */
};

static bool record(void *opaque, struct json_object *msg,
		   const struct error *err)
{
	struct seen *s = opaque;
	char buf[600];

	if (err)
		snprintf(buf, sizeof(buf), "E:%s", err->msg);
	else
		snprintf(buf, sizeof(buf), "%s", json_object_to_json_string_ext(
			 msg, JSON_C_TO_STRING_PLAIN |
			 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(msg);
	if (s->n < MAX_EVENTS)
		s->items[s->n++] = strdup(buf);
	return !s->stop_after || s->n < s->stop_after;
}

struct fixture {
	struct qmp_stream stream;
	struct seen seen;
};

static int setup_limits(void **state, size_t max, int depth)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(qmp_stream_init(&f->stream, max, depth, record,
					 &f->seen), 0);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_limits(state, QMP_STREAM_MAX_MSG, QMP_STREAM_MAX_DEPTH);
}

static int setup_small(void **state)
{
	return setup_limits(state, 64, 4);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	for (unsigned i = 0; i < f->seen.n; i++)
		free(f->seen.items[i]);
	qmp_stream_destroy(&f->stream);
	free(f);
	return 0;
}

static bool feed(struct fixture *f, const char *text)
{
	return qmp_stream_feed(&f->stream, text, strlen(text));
}

static void test_qmp_stream_one_object_is_delivered(void **state)
{
	struct fixture *f = *state;

	assert_true(feed(f, "{\"execute\":\"query-status\"}\r\n"));
	assert_int_equal(f->seen.n, 1);
	assert_string_equal(f->seen.items[0], "{\"execute\":\"query-status\"}");
}

static void test_qmp_stream_split_bytewise_is_reassembled(void **state)
{
	struct fixture *f = *state;
	const char *msg = "{\"execute\": \"qom-get\", \"arguments\": "
			  "{\"path\": \"/machine\", \"property\": \"type\"}}";

	for (size_t i = 0; msg[i]; i++)
		assert_true(qmp_stream_feed(&f->stream, &msg[i], 1));
	assert_int_equal(f->seen.n, 1);
	assert_string_equal(f->seen.items[0], "{\"execute\":\"qom-get\","
			    "\"arguments\":{\"path\":\"/machine\","
			    "\"property\":\"type\"}}");
}

static void test_qmp_stream_concatenated_objects_all_arrive(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"a\":1}{\"b\":2} \n {\"c\":3}");
	assert_int_equal(f->seen.n, 3);
	assert_string_equal(f->seen.items[0], "{\"a\":1}");
	assert_string_equal(f->seen.items[1], "{\"b\":2}");
	assert_string_equal(f->seen.items[2], "{\"c\":3}");
}

static void test_qmp_stream_split_inside_string_and_escape(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"id\":\"a\\");
	feed(f, "\"b}\"}");
	assert_int_equal(f->seen.n, 1);
	assert_string_equal(f->seen.items[0], "{\"id\":\"a\\\"b}\"}");
}

static void test_qmp_stream_scalar_is_delivered_after_delimiter(void **s)
{
	struct fixture *f = *s;

	feed(f, "42");
	assert_int_equal(f->seen.n, 0);
	feed(f, "\n");
	assert_int_equal(f->seen.n, 1);
	assert_string_equal(f->seen.items[0], "42");
}

static void test_qmp_stream_null_is_null_without_error(void **state)
{
	struct fixture *f = *state;

	feed(f, "null ");
	assert_int_equal(f->seen.n, 1);
	assert_string_equal(f->seen.items[0], "null");
}

static void test_qmp_stream_stray_close_then_next_message(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"a\":1}}{\"b\":2}");
	assert_int_equal(f->seen.n, 3);
	assert_string_equal(f->seen.items[0], "{\"a\":1}");
	assert_string_equal(f->seen.items[1],
			    "E:JSON parse error, stray '}'");
	assert_string_equal(f->seen.items[2], "{\"b\":2}");
}

static void test_qmp_stream_trailing_comma_skips_whole_object(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"execute\":\"x\", } {\"ok\":true}");
	assert_int_equal(f->seen.n, 2);
	assert_string_equal(f->seen.items[0],
			    "E:JSON parse error, expecting value");
	assert_string_equal(f->seen.items[1], "{\"ok\":true}");
}

static void test_qmp_stream_bad_key_skips_nested_rest(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"a\":{bad: [1, \"}\"]}, \"z\": 1}\n{\"ok\":1}");
	assert_int_equal(f->seen.n, 2);
	assert_string_equal(f->seen.items[0], "E:JSON parse error, key is "
			    "not a string in object");
	assert_string_equal(f->seen.items[1], "{\"ok\":1}");
}

static void test_qmp_stream_bad_escape_resyncs(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"a\":\"\\q\"} {\"ok\":1}");
	assert_int_equal(f->seen.n, 2);
	assert_string_equal(f->seen.items[0], "E:JSON parse error, invalid "
			    "escape sequence in string");
	assert_string_equal(f->seen.items[1], "{\"ok\":1}");
}

static void test_qmp_stream_bad_top_level_token_resyncs(void **state)
{
	struct fixture *f = *state;

	feed(f, "@@@ nan {\"ok\":1}");
	assert_int_equal(f->seen.n, 3);
	assert_string_equal(f->seen.items[0], "E:JSON parse error, stray '@'");
	assert_string_equal(f->seen.items[1],
			    "E:JSON parse error, invalid keyword");
	assert_string_equal(f->seen.items[2], "{\"ok\":1}");
}

static void test_qmp_stream_bad_utf8_resyncs(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"a\":\"\xff\xfe\"}{\"ok\":1}");
	assert_int_equal(f->seen.n, 2);
	assert_string_equal(f->seen.items[0], "E:JSON parse error, invalid "
			    "UTF-8 sequence in string");
	assert_string_equal(f->seen.items[1], "{\"ok\":1}");
}

static void test_qmp_stream_control_char_reported_in_hex(void **state)
{
	struct fixture *f = *state;

	feed(f, "\x01 {\"ok\":1}");
	assert_int_equal(f->seen.n, 2);
	assert_string_equal(f->seen.items[0],
			    "E:JSON parse error, stray '\\x01'");
}

static void test_qmp_stream_single_quotes_accepted(void **state)
{
	struct fixture *f = *state;

	feed(f, "{'execute':'query-status','id':'it\"s'}");
	assert_int_equal(f->seen.n, 1);
	assert_string_equal(f->seen.items[0], "{\"execute\":\"query-status\","
			    "\"id\":\"it\\\"s\"}");
}

static void test_qmp_stream_trailing_comma_in_array_refused(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"id\":[1,2,]}");
	feed(f, " {\"ok\":1}");
	assert_int_equal(f->seen.n, 2);
	assert_string_equal(f->seen.items[0],
			    "E:JSON parse error, expecting value");
	assert_string_equal(f->seen.items[1], "{\"ok\":1}");
}

static void test_qmp_stream_trailing_comma_split_refused(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"a\":1,");
	feed(f, "}{\"ok\":1}");
	assert_int_equal(f->seen.n, 2);
	assert_string_equal(f->seen.items[0],
			    "E:JSON parse error, expecting value");
	assert_string_equal(f->seen.items[1], "{\"ok\":1}");
}

static void test_qmp_stream_comment_refused(void **state)
{
	struct fixture *f = *state;

	feed(f, "/* x */ {\"ok\":1}");
	assert_string_equal(f->seen.items[0], "E:JSON parse error, stray '/'");
	assert_string_equal(f->seen.items[f->seen.n - 1], "{\"ok\":1}");
}

static void test_qmp_stream_capital_keyword_refused(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"a\":TRUE} {\"b\":NaN} {\"ok\":1}");
	assert_int_equal(f->seen.n, 3);
	assert_string_equal(f->seen.items[0],
			    "E:JSON parse error, invalid keyword");
	assert_string_equal(f->seen.items[1],
			    "E:JSON parse error, invalid keyword");
	assert_string_equal(f->seen.items[2], "{\"ok\":1}");
}

static void test_qmp_stream_infinity_refused(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"a\":[infinity]} {\"ok\":1}");
	assert_int_equal(f->seen.n, 2);
	assert_string_equal(f->seen.items[0],
			    "E:JSON parse error, invalid keyword");
}

static void test_qmp_stream_thousand_malformed_then_valid(void **state)
{
	struct fixture *f = *state;

	for (int i = 0; i < 1000; i++)
		feed(f, "{\"execute\": ]\n");
	feed(f, "{\"execute\":\"query-status\"}");
	assert_int_equal(f->seen.n, 1001);
	assert_string_equal(f->seen.items[999],
			    "E:JSON parse error, expecting value");
	assert_string_equal(f->seen.items[1000],
			    "{\"execute\":\"query-status\"}");
}

static void test_qmp_stream_oversized_message_skipped(void **state)
{
	struct fixture *f = *state;
	char big[200];

	/* 64-byte limit: a 90-byte object with a string that hides "}". */
	snprintf(big, sizeof(big), "{\"a\":\"%070d}\",\"b\":[1]}", 0);
	feed(f, big);
	feed(f, "{\"ok\":1}");
	assert_int_equal(f->seen.n, 2);
	assert_string_equal(f->seen.items[0],
			    "E:JSON token size limit exceeded");
	assert_string_equal(f->seen.items[1], "{\"ok\":1}");
}

static void test_qmp_stream_oversized_split_across_feeds(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"a\":[");
	for (int i = 0; i < 40; i++)
		feed(f, "1,");
	feed(f, "1]}{\"ok\":1}");
	assert_int_equal(f->seen.n, 2);
	assert_string_equal(f->seen.items[0],
			    "E:JSON token size limit exceeded");
	assert_string_equal(f->seen.items[1], "{\"ok\":1}");
}

static void test_qmp_stream_blanks_do_not_count_to_limit(void **state)
{
	struct fixture *f = *state;
	char buf[300];

	memset(buf, ' ', 200);
	strcpy(buf + 200, "\r\n{\"execute\":\"query-status\"}");
	feed(f, buf);
	assert_int_equal(f->seen.n, 1);
	assert_string_equal(f->seen.items[0], "{\"execute\":\"query-status\"}");
}

static void test_qmp_stream_exactly_at_limit_passes(void **state)
{
	struct fixture *f = *state;
	char buf[80];

	/* {"a":"<56 digits>"} is exactly 64 bytes. */
	snprintf(buf, sizeof(buf), "{\"a\":\"%056d\"}", 0);
	assert_int_equal(strlen(buf), 64);
	feed(f, buf);
	assert_int_equal(f->seen.n, 1);
	assert_string_not_equal(f->seen.items[0],
				"E:JSON token size limit exceeded");
}

static void test_qmp_stream_too_deep_is_refused(void **state)
{
	struct fixture *f = *state;

	feed(f, "[[[[[1]]]]] {\"ok\":1}");
	assert_int_equal(f->seen.n, 2);
	assert_string_equal(f->seen.items[0],
			    "E:JSON nesting depth limit exceeded");
	assert_string_equal(f->seen.items[1], "{\"ok\":1}");
}

/* json-c alone let an empty innermost container pass one level deeper. */
static void test_qmp_stream_too_deep_empty_inner_is_refused(void **state)
{
	struct fixture *f = *state;

	feed(f, "[[[[[]]]]] {\"a\":{\"b\":{\"c\":{\"d\":{}}}}} {\"ok\":1}");
	assert_int_equal(f->seen.n, 3);
	assert_string_equal(f->seen.items[0],
			    "E:JSON nesting depth limit exceeded");
	assert_string_equal(f->seen.items[1],
			    "E:JSON nesting depth limit exceeded");
	assert_string_equal(f->seen.items[2], "{\"ok\":1}");
}

static void test_qmp_stream_depth_at_limit_passes(void **state)
{
	struct fixture *f = *state;

	feed(f, "[[[[1]]]]");
	assert_int_equal(f->seen.n, 1);
	assert_string_equal(f->seen.items[0], "[[[[1]]]]");
}

static void test_qmp_stream_callback_stop_ends_feed(void **state)
{
	struct fixture *f = *state;

	f->seen.stop_after = 1;
	assert_false(feed(f, "{\"a\":1}{\"b\":2}"));
	assert_int_equal(f->seen.n, 1);
}

static void test_qmp_stream_init_rejects_huge_limit(void **state)
{
	struct qmp_stream s;

	(void)state;
	assert_int_equal(qmp_stream_init(&s, (size_t)1 << 40, 8, record,
					 NULL), -EINVAL);
}

/* ---- output ---- */

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

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
#define TS(name) cmocka_unit_test_setup_teardown(name, setup_small, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_qmp_stream_one_object_is_delivered),
		T(test_qmp_stream_split_bytewise_is_reassembled),
		T(test_qmp_stream_concatenated_objects_all_arrive),
		T(test_qmp_stream_split_inside_string_and_escape),
		T(test_qmp_stream_scalar_is_delivered_after_delimiter),
		T(test_qmp_stream_null_is_null_without_error),
		T(test_qmp_stream_stray_close_then_next_message),
		T(test_qmp_stream_trailing_comma_skips_whole_object),
		T(test_qmp_stream_bad_key_skips_nested_rest),
		T(test_qmp_stream_bad_escape_resyncs),
		T(test_qmp_stream_bad_top_level_token_resyncs),
		T(test_qmp_stream_bad_utf8_resyncs),
		T(test_qmp_stream_control_char_reported_in_hex),
		T(test_qmp_stream_single_quotes_accepted),
		T(test_qmp_stream_trailing_comma_in_array_refused),
		T(test_qmp_stream_trailing_comma_split_refused),
		T(test_qmp_stream_comment_refused),
		T(test_qmp_stream_capital_keyword_refused),
		T(test_qmp_stream_infinity_refused),
		T(test_qmp_stream_thousand_malformed_then_valid),
		TS(test_qmp_stream_oversized_message_skipped),
		TS(test_qmp_stream_oversized_split_across_feeds),
		TS(test_qmp_stream_blanks_do_not_count_to_limit),
		TS(test_qmp_stream_exactly_at_limit_passes),
		TS(test_qmp_stream_too_deep_is_refused),
		TS(test_qmp_stream_too_deep_empty_inner_is_refused),
		TS(test_qmp_stream_depth_at_limit_passes),
		T(test_qmp_stream_callback_stop_ends_feed),
		cmocka_unit_test(test_qmp_stream_init_rejects_huge_limit),
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
