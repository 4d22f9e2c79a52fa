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
	bool qemu_text;		/* values as qmp_stream_format() prints them */
};

static bool record(void *opaque, struct json_object *msg,
		   const struct error *err)
{
	struct seen *s = opaque;
	char buf[600];

	if (err)
		snprintf(buf, sizeof(buf), "E:%s", err->msg);
	else if (s->qemu_text) {
		char *t = qmp_stream_format(msg, false);

		snprintf(buf, sizeof(buf), "%s", t ? t : "(nomem)");
		free(t);
	} else
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
			    "E:JSON parse error, expecting value");
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
	assert_string_equal(f->seen.items[0],
			    "E:JSON parse error, invalid keyword 'bad'");
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

	/* Recovery skips everything up to a structural byte. */
	feed(f, "@@@ nan {\"ok\":1}");
	assert_int_equal(f->seen.n, 2);
	assert_string_equal(f->seen.items[0], "E:JSON parse error, stray '@'");
	assert_string_equal(f->seen.items[1], "{\"ok\":1}");
}

static void test_qmp_stream_bad_utf8_resyncs(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"a\":\"\xc3\x28\"}{\"ok\":1}");
	assert_int_equal(f->seen.n, 2);
	assert_string_equal(f->seen.items[0], "E:JSON parse error, invalid "
			    "UTF-8 sequence in string");
	assert_string_equal(f->seen.items[1], "{\"ok\":1}");
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

/* ---- QEMU 7.2's answers to hostile input (tests/qmp checks the same) -- */

/* Feeds @text (@len bytes, NULs allowed); the items must be @want. */
static void expect(struct fixture *f, const char *text, size_t len,
		   unsigned n, const char *const *want)
{
	f->seen.qemu_text = true;
	qmp_stream_feed(&f->stream, text, len);
	assert_int_equal(f->seen.n, n);
	for (unsigned i = 0; i < n; i++)
		assert_string_equal(f->seen.items[i], want[i]);
}

#define EXPECT(f, text, ...) do {					\
	static const char *const w_[] = { __VA_ARGS__ };		\
	expect(f, text, sizeof(text) - 1, sizeof(w_) / sizeof(w_[0]), w_); \
} while (0)

#define E_VALUE "E:JSON parse error, expecting value"
#define E_UTF8 "E:JSON parse error, invalid UTF-8 sequence in string"

static void test_qmp_stream_escaped_nul_is_not_a_terminator(void **state)
{
	/* Modified UTF-8 as QEMU: the name is no longer "query-status". */
	struct fixture *f = *state;

	feed(f, "{\"execute\":\"query-status\\u0000x\"}");
	assert_int_equal(f->seen.n, 1);
	assert_string_equal(f->seen.items[0],
			    "{\"execute\":\"query-status\xc0\x80x\"}");
}

static void test_qmp_stream_escaped_nul_in_key_kept(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"execute\\u0000\":1}");
	assert_int_equal(f->seen.n, 1);
	assert_string_equal(f->seen.items[0], "{\"execute\xc0\x80\":1}");
}

static void test_qmp_stream_raw_c0_80_is_nul(void **state)
{
	EXPECT(*state, "{\"id\":\"a\xc0\x80" "b\"}", "{\"id\": \"a\\u0000b\"}");
}

static void test_qmp_stream_raw_tab_in_string_is_stray(void **state)
{
	EXPECT(*state, "{\"id\":\"a\tb\"}{\"ok\":1}",
	       "E:JSON parse error, stray '\"a\t'", E_VALUE, "{\"ok\": 1}");
}

static void test_qmp_stream_nul_byte_in_string_is_stray(void **state)
{
	/* QEMU prints the token with %s: it stops at the NUL. */
	EXPECT(*state, "{\"id\":\"a\0b\"}{\"ok\":1}",
	       "E:JSON parse error, stray '\"a'", E_VALUE, "{\"ok\": 1}");
}

static void test_qmp_stream_line_cut_in_string_resyncs(void **state)
{
	EXPECT(*state, "{\"id\":\"abc\n{\"ok\":1}",
	       "E:JSON parse error, stray '\"abc\n'", "{\"ok\": 1}");
}

static void test_qmp_stream_other_close_ends_message(void **state)
{
	EXPECT(*state, "{\"arguments\":{\n]\n{\"ok\":1}", E_VALUE,
	       "{\"ok\": 1}");
}

static void test_qmp_stream_close_mismatch_waits_for_balance(void **state)
{
	EXPECT(*state, "{\"a\":[}]{\"ok\":1}", E_VALUE, "{\"ok\": 1}");
}

static void test_qmp_stream_comment_inside_is_two_errors(void **state)
{
	EXPECT(*state, "{\"a\":1 /* c */}\n{\"ok\":1}",
	       "E:JSON parse error, stray '/'", E_VALUE, "{\"ok\": 1}");
}

static void test_qmp_stream_overlong_utf8_refused(void **state)
{
	EXPECT(*state, "{\"a\":\"\xc0\xaf\"}{\"ok\":1}", E_UTF8, "{\"ok\": 1}");
}

static void test_qmp_stream_encoded_surrogate_refused(void **state)
{
	EXPECT(*state, "{\"a\":\"\xed\xa0\x80\"}", E_UTF8);
}

static void test_qmp_stream_above_10ffff_refused(void **state)
{
	EXPECT(*state, "{\"a\":\"\xf4\x90\x80\x80\"}", E_UTF8);
}

static void test_qmp_stream_noncharacter_refused(void **state)
{
	EXPECT(*state, "{\"a\":\"\xef\xbf\xbf\"}", E_UTF8);
}

static void test_qmp_stream_truncated_utf8_refused(void **state)
{
	EXPECT(*state, "{\"a\":\"\xc3\"}", E_UTF8);
}

static void test_qmp_stream_byte_fe_is_stray(void **state)
{
	EXPECT(*state, "{\"a\":\"\xfe\"}", "E:JSON parse error, stray '\"\xfe'",
	       E_VALUE);
}

static void test_qmp_stream_utf8_split_across_feeds(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"a\":\"\xc3");
	EXPECT(f, "\xa9\"}", "{\"a\": \"\\u00E9\"}");
}

static void test_qmp_stream_lone_surrogate_escape_refused(void **state)
{
	EXPECT(*state, "{\"a\":\"\\ud800x\"}", "E:JSON parse error, \\ud800 "
	       "is not a valid Unicode character");
}

static void test_qmp_stream_bad_low_surrogate_refused(void **state)
{
	EXPECT(*state, "{\"a\":\"\\ud800\\u0041\"}", "E:JSON parse error, "
	       "\\ud800 is not a valid Unicode character");
}

static void test_qmp_stream_short_unicode_escape_refused(void **state)
{
	EXPECT(*state, "{\"a\":\"\\u12\"}", "E:JSON parse error, \\u12\" is "
	       "not a valid Unicode character");
}

static void test_qmp_stream_surrogate_pair_accepted(void **state)
{
	EXPECT(*state, "{\"a\":\"\\ud83d\\ude00\"}",
	       "{\"a\": \"\\uD83D\\uDE00\"}");
}

static void test_qmp_stream_capital_exponent_accepted(void **state)
{
	EXPECT(*state, "[1E5, 1.5e+3, -1.5E-3]\n",
	       "[100000, 1500, -0.0015]");
}

static void test_qmp_stream_huge_exponent_is_infinity(void **state)
{
	EXPECT(*state, "[1e400, 1e-400]", "[inf, 0]");
}

static void test_qmp_stream_exponent_without_digits_is_stray(void **state)
{
	EXPECT(*state, "{\"a\":1e}{\"ok\":1}",
	       "E:JSON parse error, stray '1e}'", "{\"ok\": 1}");
}

static void test_qmp_stream_leading_zero_is_stray(void **state)
{
	EXPECT(*state, "{\"a\":01}", "E:JSON parse error, stray '01'",
	       E_VALUE);
}

static void test_qmp_stream_big_integers_like_qemu(void **state)
{
	EXPECT(*state, "[9223372036854775808, 18446744073709551616, "
	       "-9223372036854775809, -0]",
	       "[9223372036854775808, 1.8446744073709552e+19, "
	       "-9.2233720368547758e+18, 0]");
}

static void test_qmp_stream_duplicate_key_refused(void **state)
{
	EXPECT(*state, "{\"a\":1,\"b\":{\"a\":1,\"a\":2}}",
	       "E:JSON parse error, duplicate key");
}

static void test_qmp_stream_keywords_reported_one_by_one(void **state)
{
	EXPECT(*state, "abc def {\"ok\":1}",
	       "E:JSON parse error, invalid keyword 'abc'",
	       "E:JSON parse error, invalid keyword 'def'", "{\"ok\": 1}");
}

static void test_qmp_stream_stray_while_skipping_ends_skip(void **state)
{
	struct fixture *f = *state;

	/* Small limits: over 64 bytes, then a line cut inside a string. */
	feed(f, "{\"a\":\"0123456789012345678901234567890123456789"
	     "0123456789012345678901234567890123456789\n{\"ok\":1}");
	assert_int_equal(f->seen.n, 3);
	assert_string_equal(f->seen.items[0],
			    "E:JSON token size limit exceeded");
	assert_non_null(strstr(f->seen.items[1], "E:JSON parse error, stray"));
	assert_string_equal(f->seen.items[2], "{\"ok\":1}");
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
		T(test_qmp_stream_escaped_nul_is_not_a_terminator),
		T(test_qmp_stream_escaped_nul_in_key_kept),
		T(test_qmp_stream_raw_c0_80_is_nul),
		T(test_qmp_stream_raw_tab_in_string_is_stray),
		T(test_qmp_stream_nul_byte_in_string_is_stray),
		T(test_qmp_stream_line_cut_in_string_resyncs),
		T(test_qmp_stream_other_close_ends_message),
		T(test_qmp_stream_close_mismatch_waits_for_balance),
		T(test_qmp_stream_comment_inside_is_two_errors),
		T(test_qmp_stream_overlong_utf8_refused),
		T(test_qmp_stream_encoded_surrogate_refused),
		T(test_qmp_stream_above_10ffff_refused),
		T(test_qmp_stream_noncharacter_refused),
		T(test_qmp_stream_truncated_utf8_refused),
		T(test_qmp_stream_byte_fe_is_stray),
		T(test_qmp_stream_utf8_split_across_feeds),
		T(test_qmp_stream_lone_surrogate_escape_refused),
		T(test_qmp_stream_bad_low_surrogate_refused),
		T(test_qmp_stream_short_unicode_escape_refused),
		T(test_qmp_stream_surrogate_pair_accepted),
		T(test_qmp_stream_capital_exponent_accepted),
		T(test_qmp_stream_huge_exponent_is_infinity),
		T(test_qmp_stream_exponent_without_digits_is_stray),
		T(test_qmp_stream_leading_zero_is_stray),
		T(test_qmp_stream_big_integers_like_qemu),
		T(test_qmp_stream_duplicate_key_refused),
		T(test_qmp_stream_keywords_reported_one_by_one),
		TS(test_qmp_stream_stray_while_skipping_ends_skip),
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
