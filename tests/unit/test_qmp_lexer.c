// SPDX-License-Identifier: MIT
/*
 * Unit tests for the QMP byte-level layer on its own: the lexer's token
 * boundaries, errors and resync bytes (QEMU 7.2's json-lexer table), and
 * the character rules string tokens are decoded with (the UTF-8 QEMU
 * accepts, modified UTF-8, \uXXXX digits). test_qmp_stream.c checks the
 * same rules end to end, with QEMU's error texts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "monitor/qmp_lexer.h"

/*
 * Lexes @in from QMP_LEX_START as the streamer drives the lexer (a token
 * that ended BEFORE a byte gets that byte again from the start; after an
 * error the state starts over) and writes one letter per action:
 * M more, D done, B before, _ blank, E error.
 */
static const char *lex(const char *in, size_t n)
{
	static char out[128];
	unsigned char st = QMP_LEX_START;
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < sizeof(out); i++) {
		enum qmp_lex_action a;

		a = qmp_lexer_step(&st, (unsigned char)in[i]);

		out[o++] = "MDB_E"[a];
		if (a == QMP_LEX_BEFORE)
			i--;
		if (a != QMP_LEX_MORE)
			st = QMP_LEX_START;
	}
	out[o] = '\0';
	return out;
}

#define LEX(s) lex(s, sizeof(s) - 1)

static void test_qmp_lexer_structural_bytes_are_one_byte_tokens(void **state)
{
	(void)state;
	assert_string_equal(LEX("{}[]:,"), "DDDDDD");
}

static void test_qmp_lexer_whitespace_is_blank(void **state)
{
	(void)state;
	assert_string_equal(LEX(" \t\r\n"), "____");
}

static void test_qmp_lexer_escaped_quote_does_not_end_string(void **state)
{
	(void)state;
	assert_string_equal(LEX("\"a\\\"b\""), "MMMMMD");
}

static void test_qmp_lexer_single_quote_ends_only_its_own(void **state)
{
	(void)state;
	assert_string_equal(LEX("'a\"'"), "MMMD");
}

static void test_qmp_lexer_tab_in_string_is_error(void **state)
{
	(void)state;
	assert_string_equal(LEX("\"a\t"), "MME");
}

static void test_qmp_lexer_nul_in_string_is_error(void **state)
{
	(void)state;
	assert_string_equal(lex("\"a\0", 3), "MME");
}

static void test_qmp_lexer_byte_ff_in_string_is_error(void **state)
{
	(void)state;
	assert_string_equal(LEX("\"\xff"), "ME");
}

static void test_qmp_lexer_utf8_in_string_is_taken(void **state)
{
	(void)state;
	assert_string_equal(LEX("\"\xc3\xa9\""), "MMMD");
}

static void test_qmp_lexer_full_number_ends_before_comma(void **state)
{
	(void)state;
	assert_string_equal(LEX("-12.5e+3,"), "MMMMMMMMBD");
}

static void test_qmp_lexer_capital_exponent_is_number(void **state)
{
	(void)state;
	assert_string_equal(LEX("1E5 "), "MMMB_");
}

static void test_qmp_lexer_leading_zero_then_digit_is_error(void **state)
{
	(void)state;
	assert_string_equal(LEX("01"), "ME");
}

static void test_qmp_lexer_exponent_without_digits_is_error(void **state)
{
	(void)state;
	assert_string_equal(LEX("1e,"), "MME");
}

static void test_qmp_lexer_dot_without_digits_is_error(void **state)
{
	(void)state;
	assert_string_equal(LEX("1.x"), "MME");
}

static void test_qmp_lexer_minus_without_digits_is_error(void **state)
{
	(void)state;
	assert_string_equal(LEX("-x"), "ME");
}

static void test_qmp_lexer_keyword_ends_before_comma(void **state)
{
	(void)state;
	assert_string_equal(LEX("true,"), "MMMMBD");
}

static void test_qmp_lexer_capital_letter_is_error(void **state)
{
	(void)state;
	assert_string_equal(LEX("T"), "E");
}

static void test_qmp_lexer_slash_is_error(void **state)
{
	(void)state;
	assert_string_equal(LEX("/"), "E");
}

static void test_qmp_lexer_resyncs_on_structural_and_control(void **state)
{
	static const unsigned char yes[] = "[]{}:,\n\r\x01\xfe\xff";

	(void)state;
	for (size_t i = 0; i < sizeof(yes) - 1; i++)
		assert_true(qmp_lexer_resyncs(yes[i]));
	assert_true(qmp_lexer_resyncs('\0'));
}

static void test_qmp_lexer_resync_skips_tab_and_text(void **state)
{
	static const unsigned char no[] = "\t ax\"'0-\x7f\x80\xfd";

	(void)state;
	for (size_t i = 0; i < sizeof(no) - 1; i++)
		assert_false(qmp_lexer_resyncs(no[i]));
}

static void test_qmp_lexer_codepoint_valid_plain_and_max(void **state)
{
	(void)state;
	assert_true(qmp_lexer_codepoint_valid(0));
	assert_true(qmp_lexer_codepoint_valid(0x41));
	assert_true(qmp_lexer_codepoint_valid(0x10FFFD));
}

static void test_qmp_lexer_codepoint_invalid_refused(void **state)
{
	static const long bad[] = { -1, 0xD800, 0xDFFF, 0xFDD0, 0xFDEF,
				    0xFFFE, 0x1FFFF, 0x110000 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(qmp_lexer_codepoint_valid(bad[i]));
}

/* The code point of @s (all of its bytes available), and its length. */
static long utf8(const char *s, size_t *len)
{
	return qmp_lexer_utf8_char((const unsigned char *)s, strlen(s), len);
}

static void test_qmp_lexer_utf8_two_and_four_bytes_decode(void **state)
{
	size_t len;

	(void)state;
	assert_int_equal(utf8("\xc3\xa9", &len), 0xE9);
	assert_int_equal(len, 2);
	assert_int_equal(utf8("\xf0\x9f\x98\x80", &len), 0x1F600);
	assert_int_equal(len, 4);
}

static void test_qmp_lexer_utf8_c0_80_is_nul(void **state)
{
	size_t len;

	(void)state;
	assert_int_equal(utf8("\xc0\x80", &len), 0);
	assert_int_equal(len, 2);
}

static void test_qmp_lexer_utf8_bad_forms_refused(void **state)
{
	static const char *const bad[] = {
		"\xc0\xaf",		/* overlong '/' */
		"\xed\xa0\x80",		/* encoded surrogate */
		"\xf4\x90\x80\x80",	/* past U+10FFFF */
		"\xef\xbf\xbe",		/* U+FFFE */
		"\xe2\x82",		/* truncated */
		"\xe2\x28\xa1",		/* continuation missing */
	};
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(utf8(bad[i], &len), -1);
}

static void test_qmp_lexer_utf8_stray_continuation_steps_one(void **state)
{
	size_t len = 0;

	(void)state;
	assert_int_equal(utf8("\x80\x80", &len), -1);
	assert_int_equal(len, 1);
}

static void test_qmp_lexer_mutf8_encodes_nul_as_two_bytes(void **state)
{
	char out[4] = { 0 };

	(void)state;
	assert_int_equal(qmp_lexer_mutf8_encode(out, 0), 2);
	assert_memory_equal(out, "\xc0\x80", 2);
}

static void test_qmp_lexer_mutf8_encodes_each_length(void **state)
{
	char out[4];

	(void)state;
	assert_int_equal(qmp_lexer_mutf8_encode(out, 'A'), 1);
	assert_memory_equal(out, "A", 1);
	assert_int_equal(qmp_lexer_mutf8_encode(out, 0xE9), 2);
	assert_memory_equal(out, "\xc3\xa9", 2);
	assert_int_equal(qmp_lexer_mutf8_encode(out, 0x20AC), 3);
	assert_memory_equal(out, "\xe2\x82\xac", 3);
	assert_int_equal(qmp_lexer_mutf8_encode(out, 0x1F600), 4);
	assert_memory_equal(out, "\xf0\x9f\x98\x80", 4);
}

static void test_qmp_lexer_hex4_reads_either_case(void **state)
{
	(void)state;
	assert_int_equal(qmp_lexer_hex4("00e9"), 0xE9);
	assert_int_equal(qmp_lexer_hex4("FfFf"), 0xFFFF);
}

static void test_qmp_lexer_hex4_short_or_bad_digit_refused(void **state)
{
	(void)state;
	assert_int_equal(qmp_lexer_hex4("12"), -1);
	assert_int_equal(qmp_lexer_hex4("12g4"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_qmp_lexer_structural_bytes_are_one_byte_tokens),
		cmocka_unit_test(test_qmp_lexer_whitespace_is_blank),
		cmocka_unit_test(
			test_qmp_lexer_escaped_quote_does_not_end_string),
		cmocka_unit_test(test_qmp_lexer_single_quote_ends_only_its_own),
		cmocka_unit_test(test_qmp_lexer_tab_in_string_is_error),
		cmocka_unit_test(test_qmp_lexer_nul_in_string_is_error),
		cmocka_unit_test(test_qmp_lexer_byte_ff_in_string_is_error),
		cmocka_unit_test(test_qmp_lexer_utf8_in_string_is_taken),
		cmocka_unit_test(test_qmp_lexer_full_number_ends_before_comma),
		cmocka_unit_test(test_qmp_lexer_capital_exponent_is_number),
		cmocka_unit_test(
			test_qmp_lexer_leading_zero_then_digit_is_error),
		cmocka_unit_test(
			test_qmp_lexer_exponent_without_digits_is_error),
		cmocka_unit_test(test_qmp_lexer_dot_without_digits_is_error),
		cmocka_unit_test(test_qmp_lexer_minus_without_digits_is_error),
		cmocka_unit_test(test_qmp_lexer_keyword_ends_before_comma),
		cmocka_unit_test(test_qmp_lexer_capital_letter_is_error),
		cmocka_unit_test(test_qmp_lexer_slash_is_error),
		cmocka_unit_test(
			test_qmp_lexer_resyncs_on_structural_and_control),
		cmocka_unit_test(test_qmp_lexer_resync_skips_tab_and_text),
		cmocka_unit_test(test_qmp_lexer_codepoint_valid_plain_and_max),
		cmocka_unit_test(test_qmp_lexer_codepoint_invalid_refused),
		cmocka_unit_test(test_qmp_lexer_utf8_two_and_four_bytes_decode),
		cmocka_unit_test(test_qmp_lexer_utf8_c0_80_is_nul),
		cmocka_unit_test(test_qmp_lexer_utf8_bad_forms_refused),
		cmocka_unit_test(
			test_qmp_lexer_utf8_stray_continuation_steps_one),
		cmocka_unit_test(
			test_qmp_lexer_mutf8_encodes_nul_as_two_bytes),
		cmocka_unit_test(test_qmp_lexer_mutf8_encodes_each_length),
		cmocka_unit_test(test_qmp_lexer_hex4_reads_either_case),
		cmocka_unit_test(
			test_qmp_lexer_hex4_short_or_bad_digit_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
