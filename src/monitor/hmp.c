// SPDX-License-Identifier: MIT
/*
 * HMP through QMP: a command table in QEMU's format (name|alias, argument
 * synopsis, help text), QEMU's argument errors, and handlers that call
 * the QMP commands and print their results as QEMU 7.2's HMP does. Main
 * thread, dm_lock held.
 */
#include "monitor/hmp.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <json-c/printbuf.h>

#include "config/opts.h"
#include "core/vm.h"
#include "hw/pci/pci.h"
#include "monitor/monitor.h"
#include "monitor/qmp_cmds.h"
#include "monitor/qmp_stream.h"
#include "monitor/qom.h"
#include "util/size.h"

#define HMP_MAX_ARGS 4

struct hmp {
	const struct qmp_dispatcher *d;
	void *client;
	struct printbuf *out;
	const char *argv[HMP_MAX_ARGS];
	unsigned argc;
	const char *rest;	/* the unparsed rest, for 'S' arguments */
	bool json;		/* qom-set -j */
};

struct hmp_cmd {
	const char *name;	/* "stop|s" */
	const char *params;	/* synopsis for help */
	const char *help;
	const char *args;	/* one char per argument: 's' word, 'S' rest */
	void (*fn)(struct hmp *h);
};

static void out(struct hmp *h, const char *fmt, ...) __printf(2, 3);

static void out(struct hmp *h, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printbuf_memappend(h->out, buf, (int)strlen(buf));
}

/* Runs QMP command @name; the "return" value, or NULL with @err set. */
static struct json_object *call(struct hmp *h, const char *name,
				struct json_object *args, struct error *err)
{
	struct json_object *req = json_object_new_object();
	struct json_object *reply, *ret = NULL, *e;

	json_object_object_add(req, "execute", json_object_new_string(name));
	if (args)
		json_object_object_add(req, "arguments", args);
	reply = qmp_dispatch(h->d, req, true, h->client);
	json_object_put(req);
	if (json_object_object_get_ex(reply, "return", &ret)) {
		ret = json_object_get(ret);
		if (!ret)	/* a JSON null return */
			ret = json_object_new_null();
	} else if (json_object_object_get_ex(reply, "error", &e)) {
		error_setg(err, "%s", json_object_get_string(
			   json_object_object_get(e, "desc")));
	} else {
		error_setg(err, "out of memory");
	}
	json_object_put(reply);
	return ret;
}

static struct json_object *call_or_print(struct hmp *h, const char *name,
					 struct json_object *args)
{
	struct error err = { 0 };
	struct json_object *ret = call(h, name, args, &err);

	if (!ret)
		out(h, "Error: %s\n", err.msg);
	return ret;
}

static const char *member_str(struct json_object *o, const char *key)
{
	return json_object_get_string(json_object_object_get(o, key));
}

static void info_status(struct hmp *h)
{
	struct json_object *st = call_or_print(h, "query-status", NULL);
	const char *status = member_str(st, "status");

	if (!st)
		return;
	if (json_object_get_boolean(json_object_object_get(st, "running")))
		out(h, "VM status: running\n");
	else if (!strcmp(status, "paused"))
		out(h, "VM status: paused\n");
	else
		out(h, "VM status: paused (%s)\n", status);
	json_object_put(st);
}

static void info_version(struct hmp *h)
{
	struct json_object *v = call_or_print(h, "query-version", NULL);
	struct json_object *q = json_object_object_get(v, "qemu");

	if (!v)
		return;
	/* QEMU prints the package right after the number, no space. */
	out(h, "%d.%d.%d%s\n",
	    json_object_get_int(json_object_object_get(q, "major")),
	    json_object_get_int(json_object_object_get(q, "minor")),
	    json_object_get_int(json_object_object_get(q, "micro")),
	    member_str(v, "package"));
	json_object_put(v);
}

static void info_name(struct hmp *h)
{
	struct json_object *n = call_or_print(h, "query-name", NULL);

	if (n && member_str(n, "name"))
		out(h, "%s\n", member_str(n, "name"));
	json_object_put(n);
}

static void info_kvm(struct hmp *h)
{
	struct json_object *k = call_or_print(h, "query-kvm", NULL);

	if (!k)
		return;
	if (!json_object_get_boolean(json_object_object_get(k, "present")))
		out(h, "kvm support: not compiled\n");
	else if (json_object_get_boolean(json_object_object_get(k, "enabled")))
		out(h, "kvm support: enabled\n");
	else
		out(h, "kvm support: disabled\n");
	json_object_put(k);
}

/* QEMU 7.2's hmp_info_memory_devices for virtio-mem devices. */
static void info_memory_devices(struct hmp *h)
{
	struct json_object *list = call_or_print(h, "query-memory-devices",
						 NULL);
	static const char *const sizes[] = { "requested-size", "size",
					     "max-size", "block-size" };

	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *d = json_object_object_get(
			json_object_array_get_idx(list, i), "data");
		const char *id = member_str(d, "id");

		out(h, "Memory device [virtio-mem]: \"%s\"\n", id ? id : "");
		out(h, "  memaddr: 0x%" PRIx64 "\n", (uint64_t)
		    json_object_get_uint64(json_object_object_get(d, "memaddr")));
		out(h, "  node: %d\n",
		    json_object_get_int(json_object_object_get(d, "node")));
		for (unsigned k = 0; k < ARRAY_SIZE(sizes); k++)
			out(h, "  %s: %" PRIu64 "\n", sizes[k], (uint64_t)
			    json_object_get_uint64(
				    json_object_object_get(d, sizes[k])));
		out(h, "  memdev: %s\n", member_str(d, "memdev"));
	}
	json_object_put(list);
}

static void info_pci(struct hmp *h)
{
	struct monitor *mon = h->d->opaque;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	pci_print_info(&mon->vm->pci, f);
	fclose(f);
	printbuf_memappend(h->out, text, (int)len);
	free(text);
}

static void run_simple(struct hmp *h, const char *qmp)
{
	json_object_put(call_or_print(h, qmp, NULL));
}

static void do_stop(struct hmp *h)
{
	run_simple(h, "stop");
}

static void do_cont(struct hmp *h)
{
	run_simple(h, "cont");
}

static void do_system_reset(struct hmp *h)
{
	run_simple(h, "system_reset");
}

static void do_quit(struct hmp *h)
{
	run_simple(h, "quit");
}

static struct json_object *path_args(struct hmp *h, unsigned n)
{
	static const char *const keys[] = { "path", "property" };
	struct json_object *args = json_object_new_object();

	for (unsigned i = 0; i < n; i++)
		json_object_object_add(args, keys[i],
					json_object_new_string(h->argv[i]));
	return args;
}

static void do_qom_list(struct hmp *h)
{
	struct json_object *list = call_or_print(h, "qom-list",
						 path_args(h, 1));

	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *p = json_object_array_get_idx(list, i);

		out(h, "%s (%s)\n", member_str(p, "name"),
		    member_str(p, "type"));
	}
	json_object_put(list);
}

static void do_qom_get(struct hmp *h)
{
	struct json_object *v = call_or_print(h, "qom-get", path_args(h, 2));
	char *text;

	if (!v)
		return;
	text = qmp_stream_format(v, true);
	out(h, "%s\n", text ? text : "");
	free(text);
	json_object_put(v);
}

static void do_qom_set(struct hmp *h);

static void do_help(struct hmp *h);

static void do_info(struct hmp *h);

static const struct hmp_cmd info_cmds[] = {
	{ "kvm", "", "show KVM information", "", info_kvm },
	{ "memory-devices", "", "show memory devices", "",
	  info_memory_devices },
	{ "name", "", "show the current VM name", "", info_name },
	{ "pci", "", "show PCI info", "", info_pci },
	{ "status", "", "show the current VM status (running|paused)", "",
	  info_status },
	{ "version", "", "show the version of QEMU", "", info_version },
	{ NULL },
};

/* Sorted by name, as QEMU's help lists them. */
static const struct hmp_cmd hmp_cmds[] = {
	{ "cont|c", "", "resume emulation", "", do_cont },
	{ "help|?", "[cmd]", "show the help", "?", do_help },
	{ "info", "[subcommand]",
	  "show various information about the system state", "?", do_info },
	{ "qom-get", "path property", "print QOM property", "ss",
	  do_qom_get },
	{ "qom-list", "path", "list QOM properties", "s", do_qom_list },
	{ "qom-set", "[-j] path property value", "set QOM property.\n"
	  "\t\t\t-j: the value is specified in json format.", "ssS",
	  do_qom_set },
	{ "quit|q", "", "quit the emulator", "", do_quit },
	{ "stop|s", "", "stop emulation", "", do_stop },
	{ "system_reset", "", "reset the system", "", do_system_reset },
	{ NULL },
};

/* "stop|s" matches "stop" and "s". */
static bool name_matches(const char *names, const char *word, size_t len)
{
	while (*names) {
		size_t n = strcspn(names, "|");

		if (n == len && !strncmp(names, word, len))
			return true;
		names += n + (names[n] == '|');
	}
	return false;
}

static const struct hmp_cmd *find_cmd(const struct hmp_cmd *table,
				      const char *word, size_t len)
{
	for (; table->name; table++)
		if (name_matches(table->name, word, len))
			return table;
	return NULL;
}

static void print_help_line(struct hmp *h, const char *prefix,
			    const struct hmp_cmd *c)
{
	out(h, "%s%s %s -- %s\n", prefix, c->name, c->params, c->help);
}

static const char *skip_blank(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

static size_t word_len(const char *p)
{
	size_t n = 0;

	while (p[n] && !isspace((unsigned char)p[n]))
		n++;
	return n;
}

/* One 's' argument: a word, or a "quoted string" with C escapes. */
static const char *parse_word(const char *p, char **store, const char **arg,
			      const char **why)
{
	char *dst = *store;

	if (*p != '"') {
		size_t n = word_len(p);

		memcpy(dst, p, n);
		p += n;
	} else {
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1]) {
				p++;
				*dst++ = *p == 'n' ? '\n' : *p == 'r' ? '\r'
								      : *p;
			} else {
				*dst++ = *p;
			}
		}
		if (*p != '"') {
			*why = "unterminated string";
			return NULL;
		}
		p++;
	}
	*arg = *store;
	dst = *store + strlen(*store);
	*store = dst + 1;
	return p;
}

/* Fills h->argv per @c->args; NULL and @why on a syntax error. */
static const char *parse_args(struct hmp *h, const struct hmp_cmd *c,
			      const char *p, char *store, const char **why)
{
	for (const char *t = c->args; *t && p; t++) {
		p = skip_blank(p);
		if (*t == '?') {	/* the command reads the rest itself */
			h->rest = p;
			return p + strlen(p);
		}
		if (*t == 's' && h->argc == 0 && c->fn == do_qom_set &&
		    !strncmp(p, "-j", 2) && word_len(p) == 2) {
			h->json = true;
			p = skip_blank(p + 2);
		}
		if (!*p) {
			*why = "string expected";
			return NULL;
		}
		if (*t == 'S') {
			h->argv[h->argc++] = p;
			return p + strlen(p);
		}
		p = parse_word(p, &store, &h->argv[h->argc++], why);
	}
	if (p && *skip_blank(p)) {
		*why = "extraneous characters at the end of line";
		return NULL;
	}
	return p;
}

static int parse_value(const struct qom_prop *p, const char *text,
		       struct qom_value *v, struct error *err)
{
	char *end;

	v->type = p->type;
	errno = 0;
	switch (p->type) {
	case QOM_TYPE_BOOL:
		return opts_parse_bool(p->name, text, &v->b, err);
	case QOM_TYPE_INT:
		v->i = strtoll(text, &end, 0);
		if (*text && !*end && !errno)
			return 0;
		error_setg(err, "Parameter '%s' expects an int64 value or "
			   "range", p->name);
		return -EINVAL;
	case QOM_TYPE_UINT:
		v->u = strtoull(text, &end, 0);
		if (*text && *text != '-' && !*end && !errno)
			return 0;
		error_setg(err, "Parameter '%s' expects a uint64 value or "
			   "range", p->name);
		return -EINVAL;
	case QOM_TYPE_SIZE:
		if (!size_parse(text, 1, &v->u))
			return 0;
		error_setg(err, "Parameter '%s' expects size", p->name);
		return -EINVAL;
	default:
		v->s = text;
		return 0;
	}
}

/* Without -j the value is text, parsed per property type (QEMU's string
 * input visitor); with -j it is JSON, handed to QMP's qom-set. */
static void do_qom_set(struct hmp *h)
{
	struct json_object *args = path_args(h, 2), *val;
	struct qom_object *obj = qom_resolve(h->argv[0]);
	const struct qom_prop *p;
	struct error err = { 0 };
	struct qom_value v = { 0 };

	if (h->json) {
		val = json_tokener_parse(h->argv[2]);
		if (!val && strcmp(skip_blank(h->argv[2]), "null")) {
			json_object_put(args);
			out(h, "Error: JSON parse error\n");
			return;
		}
		json_object_object_add(args, "value", val);
		json_object_put(call_or_print(h, "qom-set", args));
		return;
	}
	json_object_put(args);
	if (!obj) {
		out(h, "Error: Device '%s' not found\n", h->argv[0]);
		return;
	}
	p = qom_find_prop(obj, h->argv[1]);
	if ((p && p->set && parse_value(p, h->argv[2], &v, &err)) ||
	    qom_set(obj, h->argv[1], &v, &err))
		out(h, "Error: %s\n", err.msg);
}

static void help_all(struct hmp *h, const struct hmp_cmd *table,
		     const char *prefix)
{
	for (; table->name; table++)
		print_help_line(h, prefix, table);
}

static void do_help(struct hmp *h)
{
	const char *p = h->rest;
	size_t n = word_len(p);
	const struct hmp_cmd *c;

	if (!n) {
		help_all(h, hmp_cmds, "");
		return;
	}
	c = find_cmd(hmp_cmds, p, n);
	if (c && c->fn == do_info && *skip_blank(p + n)) {
		const char *sub = skip_blank(p + n);

		c = find_cmd(info_cmds, sub, word_len(sub));
		if (c) {
			print_help_line(h, "info ", c);
			return;
		}
	} else if (c && c->fn == do_info) {
		help_all(h, info_cmds, "info ");
		return;
	} else if (c) {
		print_help_line(h, "", c);
		return;
	}
	out(h, "unknown command: '%.*s'\n", (int)n, p);
}

static void run_table(struct hmp *h, const struct hmp_cmd *table,
		      const char *prefix, const char *line);

static void do_info(struct hmp *h)
{
	if (!*h->rest) {
		help_all(h, info_cmds, "info ");
		return;
	}
	run_table(h, info_cmds, "info ", h->rest);
}

static void run_table(struct hmp *h, const struct hmp_cmd *table,
		      const char *prefix, const char *line)
{
	const char *p = skip_blank(line), *why = NULL;
	size_t n = word_len(p);
	const struct hmp_cmd *c = find_cmd(table, p, n);
	char *store;

	if (!c) {
		out(h, "unknown command: '%s%.*s'\n", prefix, (int)n, p);
		return;
	}
	store = calloc(1, strlen(p) + HMP_MAX_ARGS + 1);
	if (!store)
		return;
	if (parse_args(h, c, p + n, store, &why))
		c->fn(h);
	else
		out(h, "%.*s: %s\nTry \"help %s%.*s\" for more information\n",
		    (int)strcspn(c->name, "|"), c->name, why, prefix, (int)n,
		    p);
	free(store);
}

char *hmp_run(const struct qmp_dispatcher *d, void *client, const char *line)
{
	struct hmp h = { .d = d, .client = client };
	char *text;
	size_t len = 0;

	h.out = printbuf_new();
	if (!h.out)
		return NULL;
	if (*skip_blank(line))
		run_table(&h, hmp_cmds, "", line);
	/* The monitor's output has "\r\n" line ends. */
	text = malloc(2 * (size_t)printbuf_length(h.out) + 1);
	for (int i = 0; text && i < printbuf_length(h.out); i++) {
		if (h.out->buf[i] == '\n')
			text[len++] = '\r';
		text[len++] = h.out->buf[i];
	}
	if (text)
		text[len] = '\0';
	printbuf_free(h.out);
	return text;
}

static struct json_object *human_monitor_command(void *opaque, void *client,
						 struct json_object *args,
						 struct error *err)
{
	struct monitor *mon = opaque;
	struct json_object *cpu = json_object_object_get(args, "cpu-index");
	struct json_object *ret;
	char *text;

	/* HMP commands that act on "the current CPU" are not offered, so
	 * the index is only checked. */
	if (cpu && (json_object_get_int64(cpu) < 0 ||
		    json_object_get_int64(cpu) >= (int64_t)mon->vm->nr_vcpus)) {
		error_setg(err, "Parameter 'cpu-index' expects a CPU number");
		return NULL;
	}
	text = hmp_run(&mon->dispatcher, client, json_object_get_string(
		       json_object_object_get(args, "command-line")));
	if (!text)
		return NULL;
	ret = json_object_new_string(text);
	free(text);
	return ret;
}

static const struct qmp_arg hmc_args[] = {
	{ "command-line", QMP_ARG_STR, false },
	{ "cpu-index", QMP_ARG_INT, true },
	{ NULL },
};

const struct qmp_command qmp_cmds_hmp[] = {
	{ "human-monitor-command", human_monitor_command, hmc_args, false },
	{ NULL },
};
