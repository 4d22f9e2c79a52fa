// SPDX-License-Identifier: MIT
/*
 * QMP's wire format, the public side. Input: QEMU 7.2's JSON streamer
 * (facts from qobject/json-streamer.c) between the lexer (qmp_lexer.c)
 * and the parser (qmp_parser.c): it keeps token text, counts brackets,
 * parses a message when they balance, and enforces flexvm's size and
 * nesting limits. json-c's tokener cannot stand in for these stages (C
 * strings cut at \u0000, raw control bytes and bad UTF-8 taken, no error
 * recovery); json-c holds the values. Output: QEMU's JSON layout.
 * Main thread, one stream per client; no locks.
 */
#include "monitor/qmp_stream.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <json-c/printbuf.h>

#include "monitor/qmp_lexer.h"
#include "monitor/qmp_parser.h"

/* QEMU's QDict: 512 buckets, new entries at the head of their bucket. */
#define QDICT_BUCKETS 512
/* Bytes of a token kept for its error text while skipping. */
#define SKIP_TOKEN_KEEP 64

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
	struct error err = { 0 };
	struct json_object *v;
	int ret;

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
	ret = qmp_parser_parse(s->text, s->text_len, &v, &err);
	return stream_emit(s, v, ret ? &err : NULL);
}

/* A byte no token can take: QEMU reports the token so far, then resyncs. */
static bool stream_stray(struct qmp_stream *s)
{
	struct error err = { 0 };

	error_setg(&err, "JSON parse error, stray '%s'",
		   s->text + s->tok_start);
	s->lex = QMP_LEX_RECOVER;
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
	enum qmp_lex_action a;

	if (s->lex == QMP_LEX_RECOVER) {
		if (!qmp_lexer_resyncs(c))
			return true;
		s->lex = QMP_LEX_START;
	}
	a = qmp_lexer_step(&s->lex, c);
	if (a == QMP_LEX_BEFORE) {
		s->lex = QMP_LEX_START;
		if (!text_end(s) || !stream_token(s))
			return false;
		return stream_byte(s, c);
	}
	if (a != QMP_LEX_ERROR && (s->open || a != QMP_LEX_BLANK) &&
	    !s->skipping) {
		s->open = true;
		if (++s->msg_len > s->max_size &&
		    !stream_limit(s, "JSON token size limit exceeded"))
			return false;
	}
	if (a == QMP_LEX_BLANK)
		return true;
	if ((!s->skipping || s->text_len < SKIP_TOKEN_KEEP) &&
	    !text_put(s, (char)c))
		return false;
	if (a == QMP_LEX_ERROR)
		return text_end(s) && stream_stray(s);
	if (a == QMP_LEX_DONE) {
		s->lex = QMP_LEX_START;
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

/* Printable ASCII that JSON takes as it is: no escape needed. */
static bool is_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
}

/*
 * Replies carry long strings (HMP output, schema, echoed ids): plain runs
 * are appended in one call, since a call per byte dominated formatting.
 */
static void put_string(struct printbuf *pb, const char *str, size_t len)
{
	static const char named[] = "\"\"\\\\\bb\ff\nn\rr\tt";
	const unsigned char *p = (const unsigned char *)str;
	const unsigned char *end = p + len;

	printbuf_memappend(pb, "\"", 1);
	while (p < end) {
		const unsigned char *run = p;
		const char *e;
		uint32_t cp;
		unsigned n = 1;

		while (p < end && is_plain(*p))
			p++;
		if (p > run)
			printbuf_memappend(pb, (const char *)run,
					   (int)(p - run));
		if (p == end)
			break;
		cp = *p;
		e = cp ? strchr(named, (int)cp) : NULL;
		if (e && (e - named) % 2 == 0) {
			char esc[2] = { '\\', e[1] };

			printbuf_memappend(pb, esc, 2);
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
