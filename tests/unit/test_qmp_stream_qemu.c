// SPDX-License-Identifier: MIT
/*
 * Unit tests for QMP input framing against hostile input: what QEMU 7.2
 * answers to NULs, stray bytes, bad UTF-8 and Unicode escapes, odd
 * numbers and keywords, byte for byte (tests/qmp checks the same against
 * a live QEMU).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "qmp_stream_test_util.h"

/* Feeds @text (@len bytes, NULs allowed); the items must be @want. */
static void expect(struct fixture *f, const char *text, size_t len,
		   unsigned n, const char *const *want)
{
	f->seen.qemu_text = true;
	qmp_stream_feed(&f->stream, text, len);
	assert_seen(f, n, want);
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
	ASSERT_SEEN(f, "{\"execute\":\"query-status\xc0\x80x\"}");
}

static void test_qmp_stream_escaped_nul_in_key_kept(void **state)
{
	struct fixture *f = *state;

	feed(f, "{\"execute\\u0000\":1}");
	ASSERT_SEEN(f, "{\"execute\xc0\x80\":1}");
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

int main(void)
{
	const struct CMUnitTest tests[] = {
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
