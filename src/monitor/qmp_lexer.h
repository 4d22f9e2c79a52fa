// SPDX-License-Identifier: MIT
/*
 * QMP input at the byte level: QEMU 7.2's JSON lexer as a byte-at-a-time
 * state machine (where tokens begin and end, which bytes no token can
 * take), and the character rules the parser applies to string tokens
 * (the UTF-8 QEMU accepts, modified UTF-8 out, \uXXXX digits). Token
 * text and messages are the streamer's (qmp_stream.c), values the
 * parser's (qmp_parser.c). Internal to the monitor; pure, main thread
 * (one lexer state per QMP client), no locks.
 */
#ifndef FLEXVM_MONITOR_QMP_LEXER_H
#define FLEXVM_MONITOR_QMP_LEXER_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Where in which kind of token the lexer is, as QEMU's states. The
 * streamer keeps one in an unsigned char; it sets only QMP_LEX_START (a
 * token ended) and QMP_LEX_RECOVER (after an error), the rest are the
 * lexer's own.
 */
enum qmp_lex_state {
	QMP_LEX_START,		/* between tokens */
	QMP_LEX_RECOVER,	/* after an error, until a resync byte */
	QMP_LEX_DQ, QMP_LEX_DQ_ESC,	/* "string", just after a backslash */
	QMP_LEX_SQ, QMP_LEX_SQ_ESC,	/* 'string', just after a backslash */
	QMP_LEX_SIGN,		/* '-' */
	QMP_LEX_ZERO,		/* a leading 0 */
	QMP_LEX_DIGITS,		/* integer digits */
	QMP_LEX_MANT,		/* '.' */
	QMP_LEX_MANT_DIGITS,	/* fraction digits */
	QMP_LEX_EXP_E,		/* 'e' or 'E' */
	QMP_LEX_EXP_SIGN,	/* the exponent's sign */
	QMP_LEX_EXP_DIGITS,	/* exponent digits */
	QMP_LEX_KEYWORD,	/* lower-case letters */
};

/* What a byte does to the current token. */
enum qmp_lex_action {
	QMP_LEX_MORE,		/* taken, the token goes on */
	QMP_LEX_DONE,		/* taken, it ends the token */
	QMP_LEX_BEFORE,		/* not taken: the token ended before it */
	QMP_LEX_BLANK,		/* taken, between tokens */
	QMP_LEX_ERROR,		/* taken into a token that cannot be */
};

/**
 * qmp_lexer_step - one lexer step, as QEMU's json_lexer transition table
 * @st: the state (an enum qmp_lex_state, never QMP_LEX_RECOVER), updated
 * @c: the next input byte
 *
 * Structural bytes ({}[]:,) are one-byte tokens; strings reject control
 * bytes and 0xFE/0xFF (UTF-8 itself is checked by the parser); numbers
 * follow RFC 8259 (a byte that cannot end one is an error); keywords are
 * any run of lower-case letters (the parser judges the word). The caller
 * resets *@st to QMP_LEX_START once a token is DONE or ended BEFORE @c.
 *
 * Return: what @c does to the current token.
 */
enum qmp_lex_action qmp_lexer_step(unsigned char *st, unsigned char c);

/**
 * qmp_lexer_resyncs - whether @c ends error recovery
 * @c: an input byte seen in QMP_LEX_RECOVER
 *
 * After an error QEMU drops bytes up to one a client can resync on: a
 * structural byte, a control byte other than tab, or 0xFE/0xFF. That byte
 * is then lexed from QMP_LEX_START.
 *
 * Return: true if @c is such a byte.
 */
bool qmp_lexer_resyncs(unsigned char c);

/**
 * qmp_lexer_codepoint_valid - whether QEMU keeps @cp in a string
 * @cp: a code point, or -1
 *
 * Return: false for negatives, surrogates, noncharacters and anything
 * past U+10FFFF.
 */
bool qmp_lexer_codepoint_valid(long cp);

/**
 * qmp_lexer_utf8_char - decode one raw character of a string token
 * @p: its first byte
 * @n: bytes available from @p (at least 1)
 * @len: set to the bytes to step over (1 when the lead byte is bad)
 *
 * Return: the code point, or -1 if it is not UTF-8 QEMU takes: a stray
 * continuation byte, a truncated sequence, an overlong form (except C0 80,
 * modified UTF-8's U+0000), or a code point qmp_lexer_codepoint_valid()
 * refuses.
 */
long qmp_lexer_utf8_char(const unsigned char *p, size_t n, size_t *len);

/**
 * qmp_lexer_mutf8_encode - write @cp in modified UTF-8, as QEMU stores it
 * @out: room for 4 bytes
 * @cp: a valid code point
 *
 * U+0000 becomes C0 80, so no decoded string holds a NUL.
 *
 * Return: the bytes written, 1 to 4.
 */
size_t qmp_lexer_mutf8_encode(char *out, long cp);

/**
 * qmp_lexer_hex4 - the value of the four hex digits of a \uXXXX escape
 * @s: just past the "\u", inside a NUL-terminated token
 *
 * Return: 0 to 0xFFFF, or -1 if a digit is missing or not hex (the NUL
 * ending the token stops the scan, so it never reads past it).
 */
long qmp_lexer_hex4(const char *s);

#endif
