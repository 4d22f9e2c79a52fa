// SPDX-License-Identifier: MIT
/*
 * QMP framing and formatting. The input side follows QEMU 7.2's three
 * stages (facts from qobject/json-lexer.c, json-streamer.c, json-parser.c):
 * json-c's own tokener cannot be used for it, because its strings are C
 * strings (a \u0000 cuts keys short), it takes raw control characters and
 * bad UTF-8, and it has no lexer-level error recovery. json-c remains the
 * object model. Main thread, per client; no locks.
 */
#include "monitor/qmp_stream.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <json-c/printbuf.h>

/* QEMU's QDict: 512 buckets, new entries at the head of their bucket. */
#define QDICT_BUCKETS 512
/* Bytes of a token kept for its error text while skipping. */
#define SKIP_TOKEN_KEEP 64

/* Lexer states, as QEMU's: where in which kind of token the lexer is. */
enum {
	LX_START, LX_RECOVER, LX_DQ, LX_DQ_ESC, LX_SQ, LX_SQ_ESC, LX_SIGN,
	LX_ZERO, LX_DIGITS, LX_MANT, LX_MANT_DIGITS, LX_EXP_E, LX_EXP_SIGN,
	LX_EXP_DIGITS, LX_KEYWORD,
};

/* What a byte does to the current token. */
enum lex_action {
	LA_MORE,	/* taken, the token goes on */
	LA_DONE,	/* taken, it ends the token */
	LA_BEFORE,	/* not taken: the token ended before it */
	LA_BLANK,	/* taken, between tokens */
	LA_ERROR,	/* taken into a token that cannot be */
};

int qmp_stream_init(struct qmp_stream *s, size_t max_size, int max_depth,
		    qmp_stream_fn fn, void *opaque)
{
	memset(s, 0, sizeof(*s));
	if (max_size >= INT32_MAX)
		return -EINVAL;
	s->max_size = max_size;
	s->max_depth = (unsigned)max_depth;
	s->fn = fn;
	s->opaque = opaque;
	return 0;
}

void qmp_stream_destroy(struct qmp_stream *s)
{
	free(s->text);
	s->text = NULL;
	s->text_len = s->text_cap = 0;
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static enum lex_action lex_string(unsigned char *st, unsigned char c,
				  char quote)
{
	bool esc = *st == LX_DQ_ESC || *st == LX_SQ_ESC;

	/* Control bytes and 0xFE/0xFF never appear inside a string. */
	if (c < 0x20 || c >= 0xFE)
		return LA_ERROR;
	if (esc) {
		*st = quote == '"' ? LX_DQ : LX_SQ;
		return LA_MORE;
	}
	if (c == '\\')
		*st = quote == '"' ? LX_DQ_ESC : LX_SQ_ESC;
	return c == quote ? LA_DONE : LA_MORE;
}

/* RFC 8259 numbers; a byte that cannot end one is an error. */
static enum lex_action lex_number(unsigned char *st, unsigned char c)
{
	bool digit = is_digit(c), e = c == 'e' || c == 'E';

	switch (*st) {
	case LX_SIGN:
		*st = c == '0' ? LX_ZERO : LX_DIGITS;
		return digit ? LA_MORE : LA_ERROR;
	case LX_ZERO:
		if (digit)
			return LA_ERROR;
		break;
	case LX_DIGITS:
		if (digit)
			return LA_MORE;
		if (e)
			*st = LX_EXP_E;
		break;
	case LX_MANT:
		*st = LX_MANT_DIGITS;
		return digit ? LA_MORE : LA_ERROR;
	case LX_MANT_DIGITS:
		if (digit)
			return LA_MORE;
		if (e) {
			*st = LX_EXP_E;
			return LA_MORE;
		}
		return LA_BEFORE;
	case LX_EXP_E:
		*st = c == '+' || c == '-' ? LX_EXP_SIGN : LX_EXP_DIGITS;
		return digit || *st == LX_EXP_SIGN ? LA_MORE : LA_ERROR;
	case LX_EXP_SIGN:
		*st = LX_EXP_DIGITS;
		return digit ? LA_MORE : LA_ERROR;
	default:	/* LX_EXP_DIGITS */
		return digit ? LA_MORE : LA_BEFORE;
	}
	if (*st == LX_EXP_E)
		return LA_MORE;
	if (c == '.') {
		*st = LX_MANT;
		return LA_MORE;
	}
	return LA_BEFORE;
}

static enum lex_action lex_start(unsigned char *st, unsigned char c)
{
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
		return LA_BLANK;
	if (strchr("{}[]:,", c) && c)
		return LA_DONE;
	if (c == '"' || c == '\'')
		*st = c == '"' ? LX_DQ : LX_SQ;
	else if (c == '-')
		*st = LX_SIGN;
	else if (c == '0')
		*st = LX_ZERO;
	else if (is_digit(c))
		*st = LX_DIGITS;
	else if (c >= 'a' && c <= 'z')
		*st = LX_KEYWORD;
	else
		return LA_ERROR;
	return LA_MORE;
}

/* One lexer step on @c from state *@st (QEMU's json_lexer table). */
static enum lex_action lex_step(unsigned char *st, unsigned char c)
{
	switch (*st) {
	case LX_START:
		return lex_start(st, c);
	case LX_DQ:
	case LX_DQ_ESC:
		return lex_string(st, c, '"');
	case LX_SQ:
	case LX_SQ_ESC:
		return lex_string(st, c, '\'');
	case LX_KEYWORD:
		return c >= 'a' && c <= 'z' ? LA_MORE : LA_BEFORE;
	default:
		return lex_number(st, c);
	}
}

/* After an error QEMU skips to a byte a client can resync on. */
static bool lex_resyncs(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c >= 0xFE || strchr("[]{}:,", c);
}

/* ---- strings: QEMU keeps them in modified UTF-8 (U+0000 as C0 80) ---- */

static bool codepoint_valid(long cp)
{
	if (cp < 0 || cp > 0x10FFFF)
		return false;
	if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE)
		return false;	/* noncharacters */
	return cp < 0xD800 || cp > 0xDFFF;	/* no surrogates */
}

static size_t mutf8_encode(char *out, long cp)
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

/*
 * One raw character of at most @n bytes; -1 if it is not UTF-8 QEMU
 * takes: overlong (except C0 80), a surrogate, a noncharacter or past
 * U+10FFFF. *@len gets its length.
 */
static long utf8_char(const unsigned char *p, size_t n, size_t *len)
{
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
	if (!codepoint_valid(cp) || (cp < min_cp[k - 2] && !(cp == 0 && k == 2)))
		return -1;
	return cp;
}

/* Four hex digits (a NUL ends the token, so no reading past it). */
static long hex4(const char *s)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];
		int d = is_digit((unsigned char)c) ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

struct parser {
	const char *p, *end;	/* the next token, the end of the message */
	struct error err;
	bool failed;
};

static void __printf(2, 3) parse_error(struct parser *ps, const char *fmt,
				       ...)
{
	char msg[400];
	va_list ap;

	if (ps->failed)
		return;		/* QEMU reports the first error only */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	error_setg(&ps->err, "JSON parse error, %s", msg);
	ps->failed = true;
}

/* A \uXXXX escape (a surrogate pair takes two) at @p, just past "\u". */
static long parse_unicode(struct parser *ps, const char **p)
{
	const char *beg = *p - 2;
	long cp = hex4(*p), low;

	*p += strnlen(*p, 4);
	if (cp >= 0xD800 && cp <= 0xDBFF && (*p)[0] == '\\' &&
	    (*p)[1] == 'u') {
		low = hex4(*p + 2);
		if (low >= 0xDC00 && low <= 0xDFFF) {
			cp = 0x10000 + ((cp & 0x3FF) << 10) + (low & 0x3FF);
			*p += 6;
		} else {
			cp = -1;
		}
	}
	if (!codepoint_valid(cp))
		parse_error(ps, "%.*s is not a valid Unicode character",
			    (int)strnlen(beg, 6), beg);
	return cp;
}

static const char *const escapes = "\"\"''\\\\//b\bf\fn\nr\rt\t";

/* The string token @t (quotes included, @n bytes long). */
static struct json_object *parse_string(struct parser *ps, const char *t,
					size_t n)
{
	const char *p = t + 1, *end = t + n - 1;	/* inside the quotes */
	char *buf = malloc(n), *o = buf;
	struct json_object *str = NULL;

	while (buf && p < end && !ps->failed) {
		const char *e;
		size_t len;
		long cp;

		if (*p != '\\') {
			cp = utf8_char((const unsigned char *)p,
				       (size_t)(end - p), &len);
			if (cp < 0)
				parse_error(ps, "invalid UTF-8 sequence in "
					    "string");
			else
				o += mutf8_encode(o, cp);
			p += len;
			continue;
		}
		p += 2;
		e = p[-1] ? strchr(escapes, p[-1]) : NULL;
		if (p[-1] == 'u') {
			cp = parse_unicode(ps, &p);
			if (!ps->failed)
				o += mutf8_encode(o, cp);
		} else if (e && (e - escapes) % 2 == 0) {
			*o++ = e[1];
		} else {
			parse_error(ps, "invalid escape sequence in string");
		}
	}
	if (buf && !ps->failed)
		str = json_object_new_string_len(buf, (int)(o - buf));
	free(buf);
	return str;
}

/* ---- parser: QEMU's recursive descent over the tokens of one message -- */

static const char *peek(const struct parser *ps)
{
	return ps->p < ps->end ? ps->p : NULL;
}

static const char *next(struct parser *ps)
{
	const char *t = peek(ps);

	if (t)
		ps->p += strlen(t) + 1;
	return t;
}

/* Integers that fit int64 or uint64 stay integers; the rest are doubles. */
static struct json_object *parse_number(const char *t)
{
	char *end;

	if (!strpbrk(t, ".eE")) {
		long long v;
		unsigned long long u;

		errno = 0;
		v = strtoll(t, &end, 10);
		if (!errno)
			return json_object_new_int64(v);
		errno = 0;
		u = strtoull(t, &end, 10);
		if (t[0] != '-' && !errno)
			return json_object_new_uint64(u);
	}
	return json_object_new_double(strtod(t, &end));
}

static struct json_object *parse_value(struct parser *ps);

/* One "key": value of @dict; false on error. */
static bool parse_pair(struct parser *ps, struct json_object *dict)
{
	struct json_object *key = parse_value(ps), *val;
	const char *t;

	if (!json_object_is_type(key, json_type_string)) {
		json_object_put(key);
		parse_error(ps, "key is not a string in object");
		return false;
	}
	t = next(ps);
	if (!t || *t != ':')
		parse_error(ps, t ? "missing : in object pair"
			    : "premature EOI");
	val = ps->failed ? NULL : parse_value(ps);
	if (!ps->failed && json_object_object_get_ex(
		    dict, json_object_get_string(key), NULL))
		parse_error(ps, "duplicate key");
	if (!ps->failed)
		json_object_object_add(dict, json_object_get_string(key), val);
	else
		json_object_put(val);
	json_object_put(key);
	return !ps->failed;
}

/* The members of { ... } or the elements of [ ... ], after the opener. */
static void parse_members(struct parser *ps, struct json_object *c,
			  char close)
{
	const char *t = peek(ps);
	struct json_object *v;

	if (t && *t == close) {
		next(ps);
		return;
	}
	for (;;) {
		if (close == '}') {
			if (!parse_pair(ps, c))
				return;
		} else {
			v = parse_value(ps);
			if (ps->failed)
				return;
			json_object_array_add(c, v);
		}
		t = next(ps);
		if (t && *t == close)
			return;
		if (!t || *t != ',') {
			parse_error(ps, !t ? "premature EOI" : close == '}'
				    ? "expected separator in dict"
				    : "expected separator in list");
			return;
		}
	}
}

static struct json_object *parse_value(struct parser *ps)
{
	const char *t = next(ps);
	struct json_object *v = NULL;

	if (!t) {
		parse_error(ps, "premature EOI");
	} else if (*t == '{' || *t == '[') {
		v = *t == '{' ? json_object_new_object()
			      : json_object_new_array();
		if (v)
			parse_members(ps, v, *t == '{' ? '}' : ']');
	} else if (*t == '"' || *t == '\'') {
		v = parse_string(ps, t, strlen(t));
	} else if (*t == '-' || is_digit((unsigned char)*t)) {
		v = parse_number(t);
	} else if (*t >= 'a' && *t <= 'z') {
		if (!strcmp(t, "true") || !strcmp(t, "false"))
			v = json_object_new_boolean(*t == 't');
		else if (strcmp(t, "null"))
			parse_error(ps, "invalid keyword '%s'", t);
	} else {
		parse_error(ps, "expecting value");
	}
	if (ps->failed) {
		json_object_put(v);
		v = NULL;
	}
	return v;
}

/* ---- streamer: tokens to messages ---- */

static void stream_reset(struct qmp_stream *s)
{
	s->open = false;
	s->skipping = false;
	s->braces = s->brackets = 0;
	s->msg_len = 0;
	s->text_len = s->tok_start = 0;
	if (s->text_cap > 4096) {	/* an idle client keeps little */
		free(s->text);
		s->text = NULL;
		s->text_cap = 0;
	}
}

static bool text_put(struct qmp_stream *s, char c)
{
	if (s->text_len == s->text_cap) {
		size_t cap = s->text_cap ? s->text_cap * 2 : 256;
		char *t = realloc(s->text, cap);

		if (!t)
			return false;
		s->text = t;
		s->text_cap = cap;
	}
	s->text[s->text_len++] = c;
	return true;
}

static bool stream_emit(struct qmp_stream *s, struct json_object *msg,
			const struct error *err)
{
	stream_reset(s);
	return s->fn(s->opaque, msg, err);
}

/* QEMU's streamer waits while a bracket is open and none went negative. */
static bool stream_balanced(const struct qmp_stream *s)
{
	return !((s->braces > 0 || s->brackets > 0) && s->braces >= 0 &&
		 s->brackets >= 0);
}

/* Reports an over-limit message and skips the rest of it. */
static bool stream_limit(struct qmp_stream *s, const char *why)
{
	struct error err = { 0 };

	error_setg(&err, "%s", why);
	s->skipping = true;
	s->text_len = s->tok_start = 0;
	return s->fn(s->opaque, NULL, &err);
}

/* The token at tok_start has ended: count it, then maybe parse. */
static bool stream_token(struct qmp_stream *s)
{
	char c = s->text[s->tok_start];
	struct parser ps = { 0 };
	struct json_object *v;

	s->braces += (c == '{') - (c == '}');
	s->brackets += (c == '[') - (c == ']');
	if (s->skipping) {
		s->text_len = s->tok_start = 0;
		if (stream_balanced(s))
			stream_reset(s);
		return true;
	}
	s->tok_start = s->text_len;
	if ((c == '{' || c == '[') &&
	    s->braces + s->brackets > (int)s->max_depth)
		return stream_limit(s, "JSON nesting depth limit exceeded");
	if (!stream_balanced(s))
		return true;
	ps.p = s->text;
	ps.end = s->text + s->text_len;
	v = parse_value(&ps);
	return stream_emit(s, v, ps.failed ? &ps.err : NULL);
}

/* A byte no token can take: QEMU reports the token so far, then resyncs. */
static bool stream_stray(struct qmp_stream *s)
{
	struct error err = { 0 };

	error_setg(&err, "JSON parse error, stray '%s'",
		   s->text + s->tok_start);
	s->lex = LX_RECOVER;
	return stream_emit(s, NULL, &err);
}

/* Ends the current token's text; false if out of memory. */
static bool text_end(struct qmp_stream *s)
{
	return text_put(s, '\0');
}

/* One byte of input; false if the callback asked to stop. */
static bool stream_byte(struct qmp_stream *s, unsigned char c)
{
	enum lex_action a;

	if (s->lex == LX_RECOVER) {
		if (!lex_resyncs(c))
			return true;
		s->lex = LX_START;
	}
	a = lex_step(&s->lex, c);
	if (a == LA_BEFORE) {
		s->lex = LX_START;
		if (!text_end(s) || !stream_token(s))
			return false;
		return stream_byte(s, c);
	}
	if (a != LA_ERROR && (s->open || a != LA_BLANK) && !s->skipping) {
		s->open = true;
		if (++s->msg_len > s->max_size &&
		    !stream_limit(s, "JSON token size limit exceeded"))
			return false;
	}
	if (a == LA_BLANK)
		return true;
	if ((!s->skipping || s->text_len < SKIP_TOKEN_KEEP) &&
	    !text_put(s, (char)c))
		return false;
	if (a == LA_ERROR)
		return text_end(s) && stream_stray(s);
	if (a == LA_DONE) {
		s->lex = LX_START;
		return text_end(s) && stream_token(s);
	}
	return true;
}

bool qmp_stream_feed(struct qmp_stream *s, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!stream_byte(s, (unsigned char)buf[i]))
			return false;
	return true;
}

/* ---- output ---- */

unsigned qmp_stream_key_bucket(const char *key)
{
	uint32_t v = 0x238F13AFu * (uint32_t)strlen(key);

	for (unsigned i = 0; key[i]; i++)
		v += (uint32_t)(unsigned char)key[i] << (i * 5 % 24);
	return (1103515243u * v + 12345u) % QDICT_BUCKETS;
}

static void put_indent(struct printbuf *pb, bool pretty, unsigned indent)
{
	if (!pretty)
		return;
	printbuf_memappend(pb, "\n", 1);
	for (unsigned i = 0; i < indent; i++)
		printbuf_memappend(pb, "    ", 4);
}

/* Decodes one UTF-8 sequence; returns its length, or 0 if invalid. */
static unsigned utf8_decode(const unsigned char *p, uint32_t *cp)
{
	unsigned n = p[0] < 0xC0 ? 0 : p[0] < 0xE0 ? 2 : p[0] < 0xF0 ? 3
		   : p[0] < 0xF8 ? 4 : 0;

	if (!n)
		return 0;
	*cp = p[0] & (0x7F >> n);
	for (unsigned i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (p[i] & 0x3F);
	}
	return n;
}

static void put_codepoint(struct printbuf *pb, uint32_t cp)
{
	char tmp[16];

	if (cp >= 0x10000) {	/* a UTF-16 surrogate pair, as QEMU */
		cp -= 0x10000;
		snprintf(tmp, sizeof(tmp), "\\u%04X\\u%04X",
			 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
	} else {
		snprintf(tmp, sizeof(tmp), "\\u%04X", cp);
	}
	printbuf_memappend(pb, tmp, (int)strlen(tmp));
}

static void put_string(struct printbuf *pb, const char *str, size_t len)
{
	static const char named[] = "\"\"\\\\\bb\ff\nn\rr\tt";
	const unsigned char *p = (const unsigned char *)str;
	const unsigned char *end = p + len;

	printbuf_memappend(pb, "\"", 1);
	while (p < end) {
		const char *e = *p ? strchr(named, *p) : NULL;
		uint32_t cp = *p;
		unsigned n = 1;

		if (e && (e - named) % 2 == 0) {
			char esc[2] = { '\\', e[1] };

			printbuf_memappend(pb, esc, 2);
		} else if (cp >= 0x20 && cp < 0x7F) {
			printbuf_memappend(pb, (const char *)p, 1);
		} else {
			if (cp >= 0x80) {
				n = utf8_decode(p, &cp);
				if (!n || p + n > end) {
					n = 1;
					cp = 0xFFFD;
				}
			}
			put_codepoint(pb, cp);
		}
		p += n;
	}
	printbuf_memappend(pb, "\"", 1);
}

static void put_value(struct printbuf *pb, struct json_object *o,
		      bool pretty, unsigned indent);

struct member {
	const char *key;
	struct json_object *val;
	unsigned bucket;
	unsigned order;
};

static int member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	if (x->bucket != y->bucket)
		return x->bucket < y->bucket ? -1 : 1;
	return x->order > y->order ? -1 : 1;	/* later insertion first */
}

static void put_object(struct printbuf *pb, struct json_object *o,
		       bool pretty, unsigned indent)
{
	size_t n = (size_t)json_object_object_length(o), i = 0;
	struct member *m = calloc(n ? n : 1, sizeof(*m));

	json_object_object_foreach(o, key, val) {
		if (!m)
			break;
		m[i] = (struct member){ key, val, qmp_stream_key_bucket(key),
					(unsigned)i };
		i++;
	}
	if (m)
		qsort(m, n, sizeof(*m), member_cmp);
	printbuf_memappend(pb, "{", 1);
	for (i = 0; m && i < n; i++) {
		put_indent(pb, pretty, indent + 1);
		put_string(pb, m[i].key, strlen(m[i].key));
		printbuf_memappend(pb, ": ", 2);
		put_value(pb, m[i].val, pretty, indent + 1);
		if (i + 1 < n)
			printbuf_memappend(pb, pretty ? "," : ", ",
					   pretty ? 1 : 2);
	}
	put_indent(pb, pretty, indent);
	printbuf_memappend(pb, "}", 1);
	free(m);
}

static void put_array(struct printbuf *pb, struct json_object *o,
		      bool pretty, unsigned indent)
{
	size_t n = json_object_array_length(o);

	printbuf_memappend(pb, "[", 1);
	for (size_t i = 0; i < n; i++) {
		put_indent(pb, pretty, indent + 1);
		put_value(pb, json_object_array_get_idx(o, i), pretty,
			  indent + 1);
		if (i + 1 < n)
			printbuf_memappend(pb, pretty ? "," : ", ",
					   pretty ? 1 : 2);
	}
	put_indent(pb, pretty, indent);
	printbuf_memappend(pb, "]", 1);
}

static void put_number(struct printbuf *pb, struct json_object *o)
{
	char tmp[32];
	int64_t v;

	if (json_object_is_type(o, json_type_double)) {
		/* QEMU prints every double with %.17g. */
		snprintf(tmp, sizeof(tmp), "%.17g", json_object_get_double(o));
	} else {
		v = json_object_get_int64(o);
		if (v == INT64_MAX && json_object_get_uint64(o) > INT64_MAX)
			snprintf(tmp, sizeof(tmp), "%" PRIu64,
				 json_object_get_uint64(o));
		else
			snprintf(tmp, sizeof(tmp), "%" PRId64, v);
	}
	printbuf_memappend(pb, tmp, (int)strlen(tmp));
}

static void put_value(struct printbuf *pb, struct json_object *o,
		      bool pretty, unsigned indent)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		printbuf_memappend(pb, "null", 4);
		break;
	case json_type_boolean:
		if (json_object_get_boolean(o))
			printbuf_memappend(pb, "true", 4);
		else
			printbuf_memappend(pb, "false", 5);
		break;
	case json_type_int:
	case json_type_double:
		put_number(pb, o);
		break;
	case json_type_string:
		put_string(pb, json_object_get_string(o),
			   (size_t)json_object_get_string_len(o));
		break;
	case json_type_object:
		put_object(pb, o, pretty, indent);
		break;
	case json_type_array:
		put_array(pb, o, pretty, indent);
		break;
	}
}

char *qmp_stream_format(struct json_object *obj, bool pretty)
{
	struct printbuf *pb = printbuf_new();
	char *out;

	if (!pb)
		return NULL;
	put_value(pb, obj, pretty, 0);
	out = strdup(pb->buf);
	printbuf_free(pb);
	return out;
}
