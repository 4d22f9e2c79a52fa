// SPDX-License-Identifier: MIT
/*
 * QMP framing and formatting. json-c's tokener does the parsing; a small
 * scanner beside it tracks nesting and strings so that, after an error,
 * the rest of the bad value can be skipped the way QEMU's streamer skips
 * it (to the bracket that balances it). Main thread, per client; no locks.
 */
#include "monitor/qmp_stream.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <json-c/printbuf.h>

/* QEMU's QDict: 512 buckets, new entries at the head of their bucket. */
#define QDICT_BUCKETS 512

int qmp_stream_init(struct qmp_stream *s, size_t max_size, int max_depth,
		    qmp_stream_fn fn, void *opaque)
{
	memset(s, 0, sizeof(*s));
	if (max_size >= INT32_MAX)
		return -EINVAL;
	/* json-c's depth counts one more level than QEMU's nesting. */
	s->tok = json_tokener_new_ex(max_depth + 1);
	s->max_depth = (unsigned)max_depth;
	if (!s->tok)
		return -ENOMEM;
	/*
	 * Not json-c's strict mode: it refuses 'single-quoted' values, which
	 * QEMU takes. What QEMU refuses and lenient json-c takes (trailing
	 * commas, comments) is caught by stream_lint().
	 */
	json_tokener_set_flags(s->tok, JSON_TOKENER_ALLOW_TRAILING_CHARS |
			       JSON_TOKENER_VALIDATE_UTF8);
	s->max_size = max_size;
	s->fn = fn;
	s->opaque = opaque;
	return 0;
}

void qmp_stream_destroy(struct qmp_stream *s)
{
	if (s->tok)
		json_tokener_free(s->tok);
	s->tok = NULL;
}

/* Tracks nesting outside strings; json-c and QEMU both allow '...'. */
static void scan_byte(struct qmp_stream *s, char c)
{
	if (!s->quote && !isspace((unsigned char)c))
		s->last = c;
	if (s->quote) {
		if (s->escape)
			s->escape = false;
		else if (c == '\\')
			s->escape = true;
		else if (c == s->quote)
			s->quote = 0;
		return;
	}
	if (c == '"' || c == '\'')
		s->quote = c;
	else if (c == '{' || c == '[')
		s->depth++;
	else if ((c == '}' || c == ']') && s->depth)
		s->depth--;
}

static void scan(struct qmp_stream *s, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		scan_byte(s, buf[i]);
}

static void stream_reset_value(struct qmp_stream *s)
{
	json_tokener_reset(s->tok);
	s->msg_len = 0;
	s->depth = 0;
	s->quote = 0;
	s->escape = false;
	s->last = 0;
	s->started = false;
}

/*
 * The first byte of @buf that QEMU's parser refuses but lenient json-c
 * would take: a comment, a "," right before "}" or "]", or a keyword in
 * capitals (NaN, Infinity, TRUE). Returns its
 * offset (@len if none) and the error text in *@why (NULL: stray byte).
 */
static size_t stream_lint(const struct qmp_stream *s, const char *buf,
			  size_t len, const char **why)
{
	struct qmp_stream t = *s;	/* a scratch copy of the scanner */

	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (!t.quote && c == '/') {
			*why = NULL;
			return i;
		}
		if (!t.quote && (c == '}' || c == ']') && t.last == ',') {
			*why = "JSON parse error, expecting value";
			return i;
		}
		/*
		 * json-c counts only levels that hold a value, so an empty
		 * innermost [] or {} would pass one level over the limit.
		 */
		if (!t.quote && (c == '{' || c == '[') &&
		    t.depth >= s->max_depth) {
			*why = "JSON nesting depth limit exceeded";
			return i;
		}
		if (!t.quote && isupper((unsigned char)c)) {	/* NaN, TRUE */
			*why = "JSON parse error, invalid keyword";
			return i;
		}
		scan_byte(&t, c);
	}
	return len;
}

static const char *tokener_error_text(enum json_tokener_error jerr,
				      bool nested)
{
	switch (jerr) {
	case json_tokener_error_depth:
		return "JSON nesting depth limit exceeded";
	case json_tokener_error_parse_null:
	case json_tokener_error_parse_boolean:
		return "JSON parse error, invalid keyword";
	case json_tokener_error_parse_number:
		return "JSON parse error, invalid number";
	case json_tokener_error_parse_object_key_name:
		return "JSON parse error, key is not a string in object";
	case json_tokener_error_parse_object_key_sep:
		return "JSON parse error, missing : in object pair";
	case json_tokener_error_parse_object_value_sep:
		return "JSON parse error, expected separator in dict";
	case json_tokener_error_parse_array:
		return "JSON parse error, expected separator in list";
	case json_tokener_error_parse_string:
		return "JSON parse error, invalid escape sequence in string";
	case json_tokener_error_parse_utf8_string:
		return "JSON parse error, invalid UTF-8 sequence in string";
	default:
		return nested ? "JSON parse error, expecting value" : NULL;
	}
}

/* Reports a bad value and starts skipping what is left of it. */
static bool stream_fail(struct qmp_stream *s, const char *msg, char bad)
{
	struct error err = { 0 };

	if (msg)
		error_setg(&err, "%s", msg);
	else if (isprint((unsigned char)bad))
		error_setg(&err, "JSON parse error, stray '%c'", bad);
	else
		error_setg(&err, "JSON parse error, stray '\\x%02x'",
			   (unsigned char)bad);
	json_tokener_reset(s->tok);
	s->skipping = true;
	/* Nothing open: the bad token itself is all there is to skip. */
	s->skip_token = !s->depth && !s->quote;
	return s->fn(s->opaque, NULL, &err);
}

/* Discards the rest of a bad value; returns the bytes consumed. */
static size_t stream_skip(struct qmp_stream *s, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (s->skip_token) {
			if (isspace((unsigned char)c) || c == '{' || c == '[') {
				s->skipping = false;
				stream_reset_value(s);
				return i;
			}
			continue;
		}
		scan_byte(s, c);
		if (!s->depth && !s->quote) {
			s->skipping = false;
			stream_reset_value(s);
			return i + 1;
		}
	}
	return len;
}

static size_t skip_blanks(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)buf[i]))
		i++;
	return i;
}

/* Lenient json-c also reads "nan" and "infinity" as numbers. */
static bool has_nonfinite(struct json_object *o)
{
	if (json_object_is_type(o, json_type_double))
		return !isfinite(json_object_get_double(o));
	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			if (has_nonfinite(json_object_array_get_idx(o, i)))
				return true;
	}
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, val) {
			(void)key;
			if (has_nonfinite(val))
				return true;
		}
	}
	return false;
}

/* One json-c call on the start of @buf; returns the bytes consumed. */
static size_t stream_parse(struct qmp_stream *s, const char *buf, size_t len,
			   bool *go_on)
{
	/* One byte past the limit is enough to know it is exceeded. */
	size_t chunk = MIN(len, s->max_size - s->msg_len + 1);
	const char *why = NULL;
	size_t bad = stream_lint(s, buf, chunk, &why);
	bool linted;
	struct json_object *obj;
	enum json_tokener_error jerr;
	size_t end;

	if (bad == 0) {		/* skipping starts at the bad byte */
		*go_on = stream_fail(s, why, buf[0]);
		return 0;
	}
	linted = bad < chunk;
	chunk = MIN(chunk, bad);
	s->started = true;
	obj = json_tokener_parse_ex(s->tok, buf, (int)chunk);
	jerr = json_tokener_get_error(s->tok);
	end = jerr == json_tokener_continue
		? chunk : json_tokener_get_parse_end(s->tok);
	scan(s, buf, end);
	s->msg_len += end;
	if (s->msg_len > s->max_size) {
		json_object_put(obj);
		*go_on = stream_fail(s, "JSON token size limit exceeded", 0);
		return end;
	}
	if (jerr == json_tokener_continue && linted)
		*go_on = stream_fail(s, why, buf[end]);
	if (jerr == json_tokener_continue)
		return end;
	if (jerr != json_tokener_success) {
		*go_on = stream_fail(s, tokener_error_text(jerr, s->depth > 0),
				     end < len ? buf[end] : 0);
		return end;
	}
	stream_reset_value(s);
	if (has_nonfinite(obj)) {
		struct error err = { 0 };

		json_object_put(obj);
		error_setg(&err, "JSON parse error, invalid keyword");
		*go_on = s->fn(s->opaque, NULL, &err);
		return end;
	}
	*go_on = s->fn(s->opaque, obj, NULL);
	return end;
}

bool qmp_stream_feed(struct qmp_stream *s, const char *buf, size_t len)
{
	bool go_on = true;

	while (len && go_on) {
		size_t n;

		if (s->skipping)
			n = stream_skip(s, buf, len);
		else if (!s->started && (n = skip_blanks(buf, len)))
			;	/* blanks between values are not counted */
		else
			n = stream_parse(s, buf, len, &go_on);
		buf += n;
		len -= n;
	}
	return go_on;
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
