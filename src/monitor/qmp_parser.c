// SPDX-License-Identifier: MIT
/*
 * QMP input, last stage: QEMU 7.2's recursive-descent JSON parser (facts
 * from qobject/json-parser.c) over one message's tokens, as the streamer
 * collected them. json-c holds the values only; strings are checked and
 * decoded here with the lexer's character rules, and only the first
 * error is reported, in QEMU's words. Pure; main thread; no locks.
 */
#include "monitor/qmp_parser.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "monitor/qmp_lexer.h"

/* ---- strings: checked and decoded once their message is complete ---- */

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
	long cp = qmp_lexer_hex4(*p), low;

	*p += strnlen(*p, 4);
	if (cp >= 0xD800 && cp <= 0xDBFF && (*p)[0] == '\\' &&
	    (*p)[1] == 'u') {
		low = qmp_lexer_hex4(*p + 2);
		if (low >= 0xDC00 && low <= 0xDFFF) {
			cp = 0x10000 + ((cp & 0x3FF) << 10) + (low & 0x3FF);
			*p += 6;
		} else {
			cp = -1;
		}
	}
	if (!qmp_lexer_codepoint_valid(cp))
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
			cp = qmp_lexer_utf8_char((const unsigned char *)p,
						 (size_t)(end - p), &len);
			if (cp < 0)
				parse_error(ps, "invalid UTF-8 sequence in "
					    "string");
			else
				o += qmp_lexer_mutf8_encode(o, cp);
			p += len;
			continue;
		}
		p += 2;
		e = p[-1] ? strchr(escapes, p[-1]) : NULL;
		if (p[-1] == 'u') {
			cp = parse_unicode(ps, &p);
			if (!ps->failed)
				o += qmp_lexer_mutf8_encode(o, cp);
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
	} else if (*t == '-' || (*t >= '0' && *t <= '9')) {
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

int qmp_parser_parse(const char *tokens, size_t len,
		     struct json_object **value, struct error *err)
{
	struct parser ps = { .p = tokens, .end = tokens + len };

	*value = parse_value(&ps);
	if (!ps.failed)
		return 0;
	*err = ps.err;
	return -EINVAL;
}
