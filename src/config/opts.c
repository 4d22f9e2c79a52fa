// SPDX-License-Identifier: MIT
/*
 * Splits QEMU option lists in place in one strdup'd copy, and converts
 * values with the same rules and messages as QEMU 7.2's QemuOpts and
 * keyval parsers (checked by running qemu-system-x86_64 with bad input).
 * Main thread only, before the VM exists; no global state.
 */
#include "config/opts.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/size.h"

static bool opts_is_help(const char *s)
{
	return !strcmp(s, "help") || !strcmp(s, "?");
}

/*
 * Cuts a value at *@pp up to a single ',' (consumed), turning ",," into
 * ','. Writing behind the read pointer is safe: the value only shrinks.
 */
static char *opts_take_value(char **pp)
{
	char *p = *pp, *w = *pp, *start = *pp;

	while (*p) {
		if (*p == ',') {
			if (p[1] != ',') {
				p++;
				break;
			}
			p++;	/* ",," is one literal comma */
		}
		*w++ = *p++;
	}
	*w = '\0';
	*pp = p;
	return start;
}

/* Cuts @len bytes at *@pp as a name and steps over the ',' or '=' after. */
static char *opts_take_name(char **pp, size_t len)
{
	char *name = *pp;
	char *p = name + len;

	if (*p)
		*p++ = '\0';
	*pp = p;
	return name;
}

static int opts_add(struct opts *opts, const char *key, const char *value,
		    struct error *err)
{
	if (opts->nr == OPTS_MAX) {
		error_setg(err, "too many parameters (the maximum is %d)",
			   OPTS_MAX);
		return -E2BIG;
	}
	opts->list[opts->nr].key = key;
	opts->list[opts->nr].value = value;
	opts->nr++;
	return 0;
}

/* QemuOpts' bare item: "help", "foo" (foo=on) or "nofoo" (foo=off). */
static int opts_add_flag(struct opts *opts, const char *name,
			 struct error *err)
{
	bool negated = !strncmp(name, "no", 2);

	if (opts_is_help(name)) {
		opts->help = true;
		return 0;
	}
	log_warn("short-form boolean option '%s' deprecated\n"
		 "Please use %s=%s instead", name, negated ? name + 2 : name,
		 negated ? "off" : "on");
	if (negated)
		return opts_add(opts, name + 2, "off", err);
	return opts_add(opts, name, "on", err);
}

static int opts_parse_qemuopts(struct opts *opts, char *p,
			       const char *implied_key, struct error *err)
{
	bool first = true;
	int ret = 0;

	while (*p && !ret) {
		size_t len = strcspn(p, "=,");
		const char *key;

		if (p[len] == '=') {
			key = opts_take_name(&p, len);
			ret = opts_add(opts, key, opts_take_value(&p), err);
		} else if (first && implied_key) {
			ret = opts_add(opts, implied_key, opts_take_value(&p),
				       err);
		} else {
			ret = opts_add_flag(opts, opts_take_name(&p, len), err);
		}
		first = false;
	}
	return ret;
}

/* keyval key: dot-separated names, each a letter then [A-Za-z0-9_-]. */
static bool opts_keyval_key_ok(const char *key)
{
	bool start = true;

	for (; *key; key++) {
		unsigned char c = (unsigned char)*key;

		if (start && !isalpha(c))
			return false;
		if (!start && c == '.') {
			start = true;
			continue;
		}
		if (!isalnum(c) && c != '_' && c != '-')
			return false;
		start = false;
	}
	return !start;
}

static int opts_keyval_item(struct opts *opts, char **pp, size_t len,
			    struct error *err)
{
	char *p = *pp;
	bool bare = p[len] != '=';
	char *key = opts_take_name(pp, len);

	if (bare && opts_is_help(key)) {
		opts->help = true;
		return 0;
	}
	if (!opts_keyval_key_ok(key)) {
		error_setg(err, "Invalid parameter '%s'", key);
		return -EINVAL;
	}
	if (bare) {
		error_setg(err, "Expected '=' after parameter '%s'", key);
		return -EINVAL;
	}
	return opts_add(opts, key, opts_take_value(pp), err);
}

static int opts_parse_keyval(struct opts *opts, char *p,
			     const char *implied_key, struct error *err)
{
	bool first = true;
	int ret = 0;

	while (*p && !ret) {
		size_t len = strcspn(p, "=,");

		if (first && implied_key && len && p[len] != '=') {
			/* The implied value stops at the first comma. */
			char *value = opts_take_name(&p, len);

			if (opts_is_help(value))
				opts->help = true;
			else
				ret = opts_add(opts, implied_key, value, err);
		} else {
			ret = opts_keyval_item(opts, &p, len, err);
		}
		first = false;
	}
	return ret;
}

int opts_parse(struct opts *opts, const char *text, const char *implied_key,
	       enum opts_syntax syntax, struct error *err)
{
	memset(opts, 0, sizeof(*opts));
	opts->buf = strdup(text);
	if (!opts->buf) {
		error_setg(err, "out of memory");
		return -ENOMEM;
	}
	if (syntax == OPTS_KEYVAL)
		return opts_parse_keyval(opts, opts->buf, implied_key, err);
	return opts_parse_qemuopts(opts, opts->buf, implied_key, err);
}

void opts_free(struct opts *opts)
{
	free(opts->buf);
	memset(opts, 0, sizeof(*opts));
}

const char *opts_get(const struct opts *opts, const char *key)
{
	unsigned i;

	for (i = opts->nr; i-- > 0;)
		if (!strcmp(opts->list[i].key, key))
			return opts->list[i].value;
	return NULL;
}

const char *opts_find_unknown(const struct opts *opts,
			      const char *const *known)
{
	unsigned i;
	const char *const *k;

	for (i = 0; i < opts->nr; i++) {
		for (k = known; *k; k++)
			if (!strcmp(opts->list[i].key, *k))
				break;
		if (!*k)
			return opts->list[i].key;
	}
	return NULL;
}

int opts_parse_bool(const char *name, const char *value, bool *out,
		    struct error *err)
{
	static const char *const on[] = { "on", "yes", "true", "y" };
	static const char *const off[] = { "off", "no", "false", "n" };
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(on); i++) {
		if (!strcmp(value, on[i])) {
			*out = true;
			return 0;
		}
		if (!strcmp(value, off[i])) {
			*out = false;
			return 0;
		}
	}
	error_setg(err, "Parameter '%s' expects 'on' or 'off'", name);
	return -EINVAL;
}

int opts_get_bool(const struct opts *opts, const char *key, bool *out,
		  struct error *err)
{
	const char *value = opts_get(opts, key);

	return value ? opts_parse_bool(key, value, out, err) : 0;
}

int opts_get_number(const struct opts *opts, const char *key, uint64_t *out,
		    struct error *err)
{
	const char *value = opts_get(opts, key);
	unsigned long long v;
	char *end;

	if (!value)
		return 0;
	errno = 0;
	v = strtoull(value, &end, 0);
	if (end == value || *end) {
		error_setg(err, "Parameter '%s' expects a number", key);
		return -EINVAL;
	}
	if (errno == ERANGE) {
		error_setg(err, "Value '%s' is too large for parameter '%s'",
			   value, key);
		return -ERANGE;
	}
	*out = v;
	return 0;
}

int opts_get_size(const struct opts *opts, const char *key, uint64_t *out,
		  struct error *err)
{
	const char *value = opts_get(opts, key);
	int ret;

	if (!value)
		return 0;
	ret = size_parse(value, 1, out);
	if (ret == -ERANGE)
		error_setg(err, "Value '%s' is out of range for parameter '%s'",
			   value, key);
	else if (ret)
		error_setg(err, "Parameter '%s' expects a non-negative "
			   "number below 2^64\nOptional suffix k, M, G, T, P "
			   "or E means kilo-, mega-, giga-, tera-, peta-\n"
			   "and exabytes, respectively.", key);
	return ret;
}

static int opts_check_value(const struct opt *opt, enum opts_type type,
			    struct error *err)
{
	struct opts one = { .list = { *opt }, .nr = 1 };
	uint64_t n;
	bool b;

	switch (type) {
	case OPTS_TYPE_BOOL:
		return opts_parse_bool(opt->key, opt->value, &b, err);
	case OPTS_TYPE_NUMBER:
		return opts_get_number(&one, opt->key, &n, err);
	case OPTS_TYPE_SIZE:
		return opts_get_size(&one, opt->key, &n, err);
	case OPTS_TYPE_STRING:
		break;
	}
	return 0;
}

int opts_validate(const struct opts *opts, const struct opts_desc *desc,
		  struct error *err)
{
	const struct opts_desc *d;
	unsigned i;
	int ret;

	for (i = 0; i < opts->nr; i++) {
		for (d = desc; d->key; d++)
			if (!strcmp(d->key, opts->list[i].key))
				break;
		if (!d->key) {
			error_setg(err, "Invalid parameter '%s'",
				   opts->list[i].key);
			return -EINVAL;
		}
		ret = opts_check_value(&opts->list[i], d->type, err);
		if (ret)
			return ret;
	}
	return 0;
}

void opts_print_help(FILE *out, const char *group,
		     const struct opts_desc *desc)
{
	static const char *const names[] = {
		[OPTS_TYPE_STRING] = "str",
		[OPTS_TYPE_BOOL] = "bool (on/off)",
		[OPTS_TYPE_NUMBER] = "num",
		[OPTS_TYPE_SIZE] = "size",
	};

	fprintf(out, "%s options:\n", group);
	for (; desc->key; desc++)
		fprintf(out, "  %s=<%s>\n", desc->key, names[desc->type]);
}

int opts_parse_int(const char *name, const char *value, int64_t *out,
		   struct error *err)
{
	long long v;
	char *end;

	errno = 0;
	v = strtoll(value, &end, 0);
	if (end == value || *end || errno) {
		error_setg(err, "Parameter '%s' expects integer", name);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int opts_parse_u32(const char *name, const char *value, uint32_t *out,
		   struct error *err)
{
	int64_t v;
	int ret;

	ret = opts_parse_int(name, value, &v, err);
	if (ret)
		return ret;
	if (v < 0 || v > UINT32_MAX) {
		error_setg(err, "Parameter '%s' expects uint32_t", name);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}
