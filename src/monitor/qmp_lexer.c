// SPDX-License-Identifier: MIT
/*
 * QMP input at the byte level: QEMU 7.2's JSON lexer (facts from
 * qobject/json-lexer.c), one byte at a time, and the character rules of
 * its string parsing (qobject/json-parser.c, util/unicode.c). The lexer
 * only classifies bytes, so a UTF-8 character split across reads needs
 * no care here: strings are decoded once their message is complete.
 * Pure; main thread, one lexer state per client; no locks.
 */
#include "monitor/qmp_lexer.h"

#include <string.h>

static bool qmp_lexer_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static enum qmp_lex_action qmp_lexer_string(unsigned char *st,
					    unsigned char c, char quote)
{
	bool esc = *st == QMP_LEX_DQ_ESC || *st == QMP_LEX_SQ_ESC;

	/* Control bytes and 0xFE/0xFF never appear inside a string. */
	if (c < 0x20 || c >= 0xFE)
		return QMP_LEX_ERROR;
	if (esc) {
		*st = quote == '"' ? QMP_LEX_DQ : QMP_LEX_SQ;
		return QMP_LEX_MORE;
	}
	if (c == '\\')
		*st = quote == '"' ? QMP_LEX_DQ_ESC : QMP_LEX_SQ_ESC;
	return c == quote ? QMP_LEX_DONE : QMP_LEX_MORE;
}

/* RFC 8259 numbers; a byte that cannot end one is an error. */
static enum qmp_lex_action qmp_lexer_number(unsigned char *st,
					    unsigned char c)
{
	bool digit = qmp_lexer_is_digit(c), e = c == 'e' || c == 'E';

	switch (*st) {
	case QMP_LEX_SIGN:
		*st = c == '0' ? QMP_LEX_ZERO : QMP_LEX_DIGITS;
		return digit ? QMP_LEX_MORE : QMP_LEX_ERROR;
	case QMP_LEX_ZERO:
		if (digit)
			return QMP_LEX_ERROR;
		break;
	case QMP_LEX_DIGITS:
		if (digit)
			return QMP_LEX_MORE;
		if (e)
			*st = QMP_LEX_EXP_E;
		break;
	case QMP_LEX_MANT:
		*st = QMP_LEX_MANT_DIGITS;
		return digit ? QMP_LEX_MORE : QMP_LEX_ERROR;
	case QMP_LEX_MANT_DIGITS:
		if (digit)
			return QMP_LEX_MORE;
		if (e) {
			*st = QMP_LEX_EXP_E;
			return QMP_LEX_MORE;
		}
		return QMP_LEX_BEFORE;
	case QMP_LEX_EXP_E:
		*st = c == '+' || c == '-' ? QMP_LEX_EXP_SIGN
					   : QMP_LEX_EXP_DIGITS;
		return digit || *st == QMP_LEX_EXP_SIGN ? QMP_LEX_MORE
							: QMP_LEX_ERROR;
	case QMP_LEX_EXP_SIGN:
		*st = QMP_LEX_EXP_DIGITS;
		return digit ? QMP_LEX_MORE : QMP_LEX_ERROR;
	default:	/* QMP_LEX_EXP_DIGITS */
		return digit ? QMP_LEX_MORE : QMP_LEX_BEFORE;
	}
	if (*st == QMP_LEX_EXP_E)
		return QMP_LEX_MORE;
	if (c == '.') {
		*st = QMP_LEX_MANT;
		return QMP_LEX_MORE;
	}
	return QMP_LEX_BEFORE;
}

static enum qmp_lex_action qmp_lexer_start(unsigned char *st,
					   unsigned char c)
{
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
		return QMP_LEX_BLANK;
	if (strchr("{}[]:,", c) && c)
		return QMP_LEX_DONE;
	if (c == '"' || c == '\'')
		*st = c == '"' ? QMP_LEX_DQ : QMP_LEX_SQ;
	else if (c == '-')
		*st = QMP_LEX_SIGN;
	else if (c == '0')
		*st = QMP_LEX_ZERO;
	else if (qmp_lexer_is_digit(c))
		*st = QMP_LEX_DIGITS;
	else if (c >= 'a' && c <= 'z')
		*st = QMP_LEX_KEYWORD;
	else
		return QMP_LEX_ERROR;
	return QMP_LEX_MORE;
}

enum qmp_lex_action qmp_lexer_step(unsigned char *st, unsigned char c)
{
	switch (*st) {
	case QMP_LEX_START:
		return qmp_lexer_start(st, c);
	case QMP_LEX_DQ:
	case QMP_LEX_DQ_ESC:
		return qmp_lexer_string(st, c, '"');
	case QMP_LEX_SQ:
	case QMP_LEX_SQ_ESC:
		return qmp_lexer_string(st, c, '\'');
	case QMP_LEX_KEYWORD:
		return c >= 'a' && c <= 'z' ? QMP_LEX_MORE : QMP_LEX_BEFORE;
	default:
		return qmp_lexer_number(st, c);
	}
}

bool qmp_lexer_resyncs(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c >= 0xFE || strchr("[]{}:,", c);
}

/* ---- characters: QEMU keeps strings in modified UTF-8 (U+0000 as C0 80) */

bool qmp_lexer_codepoint_valid(long cp)
{
	if (cp < 0 || cp > 0x10FFFF)
		return false;
	if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE)
		return false;	/* noncharacters */
	return cp < 0xD800 || cp > 0xDFFF;	/* no surrogates */
}

size_t qmp_lexer_mutf8_encode(char *out, long cp)
{
	if (cp > 0 && cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {	/* also U+0000, so no string holds a NUL */
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

long qmp_lexer_utf8_char(const unsigned char *p, size_t n, size_t *len)
{
	/* The smallest code point each length may carry (not overlong). */
	static const long min_cp[] = { 0x80, 0x800, 0x10000, 0x200000,
				       0x4000000 };
	unsigned char b = p[0];
	size_t k = 0;
	long cp;

	*len = 1;
	if (b < 0x80)
		return b;
	if (b >= 0xFE || !(b & 0x40))	/* 0xFE/0xFF, or a continuation */
		return -1;
	while (b & (0x80 >> k))
		k++;
	cp = b & (0x7F >> k);
	for (size_t i = 1; i < k; i++) {
		if (i >= n || (p[i] & 0xC0) != 0x80)
			return -1;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	*len = k;
	if (!qmp_lexer_codepoint_valid(cp) ||
	    (cp < min_cp[k - 2] && !(cp == 0 && k == 2)))
		return -1;
	return cp;
}

long qmp_lexer_hex4(const char *s)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];
		int d = qmp_lexer_is_digit((unsigned char)c) ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}
