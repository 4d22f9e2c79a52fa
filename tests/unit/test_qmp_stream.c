// SPDX-License-Identifier: MIT
/*
 * Unit tests for QMP input framing: split, concatenated, malformed,
 * oversized and deep input, after each of which the session must go on.
 * Expected errors come from qemu-system-x86_64 7.2 replies to the same
 * requests.
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

#include "qmp_stream_test_util.h"

static void test_qmp_stream_one_object_is_delivered(void **state)
{
	struct fixture *f = *state;

	assert_true(feed(f, "{\"execute\":\"query-status\"}\r\n"));
	ASSERT_SEEN(f, "{\"execute\":\"query-status\"}");
}

static void test_qmp_stream_split_bytewise_is_reassembled(void **state)
{
	struct fixture *f = *state;
	const char *msg = "{\"execute\": \"qom-get\", \"arguments\": "
			  "{\"path\": \"/machine\", \"property\": \"type\"}}";

	for (size_t i = 0; msg[i]; i++)
		assert_true(qmp_stream_feed(&f->stream, &msg[i], 1));
	ASSERT_SEEN(f, "{\"execute\":\"qom-get\","
		    "\"arguments\":{\"path\":\"/machine\","
		    "\"property\":\"type\"}}");
}

static void test_qmp_stream_concatenated_objects_all_arrive(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"a\":1}{\"b\":2} \n {\"c\":3}");
	ASSERT_SEEN(f, "{\"a\":1}", "{\"b\":2}", "{\"c\":3}");
}

static void test_qmp_stream_split_inside_string_and_escape(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"id\":\"a\\");
	feed(f, "\"b}\"}");
	ASSERT_SEEN(f, "{\"id\":\"a\\\"b}\"}");
}

static void test_qmp_stream_scalar_is_delivered_after_delimiter(void **s)
{
	struct fixture *f = *s;

	feed(f, "42");
	assert_int_equal(f->seen.n, 0);
	feed(f, "\n");
	ASSERT_SEEN(f, "42");
}

static void test_qmp_stream_null_is_null_without_error(void **state)
{
	struct fixture *f = *state;

	feed(f, "null ");
	ASSERT_SEEN(f, "null");
}

static void test_qmp_stream_stray_close_then_next_message(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"a\":1}}{\"b\":2}");
	ASSERT_SEEN(f, "{\"a\":1}", "E:JSON parse error, expecting value",
		    "{\"b\":2}");
}

static void test_qmp_stream_trailing_comma_skips_whole_object(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"execute\":\"x\", } {\"ok\":true}");
	ASSERT_SEEN(f, "E:JSON parse error, expecting value", "{\"ok\":true}");
}

static void test_qmp_stream_bad_key_skips_nested_rest(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"a\":{bad: [1, \"}\"]}, \"z\": 1}\n{\"ok\":1}");
	ASSERT_SEEN(f, "E:JSON parse error, invalid keyword 'bad'",
		    "{\"ok\":1}");
}

static void test_qmp_stream_bad_escape_resyncs(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"a\":\"\\q\"} {\"ok\":1}");
	ASSERT_SEEN(f, "E:JSON parse error, invalid escape sequence in string",
		    "{\"ok\":1}");
}

static void test_qmp_stream_bad_top_level_token_resyncs(void **state)
{
	struct fixture *f = *state;

	/* Recovery skips everything up to a structural byte. */
	feed(f, "@@@ nan {\"ok\":1}");
	ASSERT_SEEN(f, "E:JSON parse error, stray '@'", "{\"ok\":1}");
}

static void test_qmp_stream_bad_utf8_resyncs(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"a\":\"\xc3\x28\"}{\"ok\":1}");
	ASSERT_SEEN(f, "E:JSON parse error, invalid UTF-8 sequence in string",
		    "{\"ok\":1}");
}

static void test_qmp_stream_control_char_reported_raw(void **state)
{
	struct fixture *f = *state;

	feed(f, "\x01 {\"ok\":1}");
	assert_int_equal(f->seen.n, 2);
	assert_string_equal(f->seen.items[0],
			    "E:JSON parse error, stray '\x01'");
}

static void test_qmp_stream_single_quotes_accepted(void **state)
{
	struct fixture *f = *state;

	feed(f, "{'execute':'query-status','id':'it\"s'}");
	ASSERT_SEEN(f, "{\"execute\":\"query-status\",\"id\":\"it\\\"s\"}");
}

static void test_qmp_stream_trailing_comma_in_array_refused(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"id\":[1,2,]}");
	feed(f, " {\"ok\":1}");
	ASSERT_SEEN(f, "E:JSON parse error, expecting value", "{\"ok\":1}");
}

static void test_qmp_stream_trailing_comma_split_refused(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"a\":1,");
	feed(f, "}{\"ok\":1}");
	ASSERT_SEEN(f, "E:JSON parse error, expecting value", "{\"ok\":1}");
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

	/* A capital is no token: reported, then each "}" is one more. */
	feed(f, "{\"a\":TRUE} {\"b\":NaN} {\"ok\":1}");
	assert_int_equal(f->seen.n, 5);
	assert_string_equal(f->seen.items[0], "E:JSON parse error, stray 'T'");
	assert_string_equal(f->seen.items[1],
			    "E:JSON parse error, expecting value");
	assert_string_equal(f->seen.items[2], "E:JSON parse error, stray 'N'");
	assert_string_equal(f->seen.items[4], "{\"ok\":1}");
}

static void test_qmp_stream_infinity_refused(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"a\":[infinity]} {\"ok\":1}");
	assert_int_equal(f->seen.n, 2);
	assert_string_equal(f->seen.items[0],
			    "E:JSON parse error, invalid keyword 'infinity'");
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
	ASSERT_SEEN(f, "E:JSON token size limit exceeded", "{\"ok\":1}");
}

static void test_qmp_stream_oversized_split_across_feeds(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"a\":[");
	for (int i = 0; i < 40; i++)
		feed(f, "1,");
	feed(f, "1]}{\"ok\":1}");
	ASSERT_SEEN(f, "E:JSON token size limit exceeded", "{\"ok\":1}");
}

static void test_qmp_stream_blanks_do_not_count_to_limit(void **state)
{
	struct fixture *f = *state;
	char buf[300];

	memset(buf, ' ', 200);
	strcpy(buf + 200, "\r\n{\"execute\":\"query-status\"}");
	feed(f, buf);
	ASSERT_SEEN(f, "{\"execute\":\"query-status\"}");
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
	ASSERT_SEEN(f, "E:JSON nesting depth limit exceeded", "{\"ok\":1}");
}

/* json-c alone let an empty innermost container pass one level deeper. */
static void test_qmp_stream_too_deep_empty_inner_is_refused(void **state)
{
	struct fixture *f = *state;

	feed(f, "[[[[[]]]]] {\"a\":{\"b\":{\"c\":{\"d\":{}}}}} {\"ok\":1}");
	ASSERT_SEEN(f, "E:JSON nesting depth limit exceeded",
		    "E:JSON nesting depth limit exceeded", "{\"ok\":1}");
}

static void test_qmp_stream_depth_at_limit_passes(void **state)
{
	struct fixture *f = *state;

	feed(f, "[[[[1]]]]");
	ASSERT_SEEN(f, "[[[[1]]]]");
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
		T(test_qmp_stream_control_char_reported_raw),
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
