// SPDX-License-Identifier: MIT
/*
 * QMP command dispatch: the request envelope checks, the command tables
 * (name, handler, argument spec), argument checking with QEMU's wording
 * before any handler runs, and the reply objects ({"return"} or
 * {"error": {"class", "desc"}}, with the request's "id" echoed as is).
 * Main thread, dm_lock held; handlers are plain functions.
 */
#ifndef FLEXVM_MONITOR_QMP_DISPATCH_H
#define FLEXVM_MONITOR_QMP_DISPATCH_H

#include <stdbool.h>

#include "util/compiler.h"
#include "util/error.h"

struct json_object;

/* Argument types, with QEMU's names in "expected: ..." messages. */
enum qmp_arg_type {
	QMP_ARG_STR,		/* "string" */
	QMP_ARG_INT,		/* "integer": int64 */
	QMP_ARG_BOOL,		/* "boolean" */
	QMP_ARG_ANY,		/* any JSON value */
	QMP_ARG_STR_LIST,	/* "array" of "string" */
};

struct qmp_arg {
	const char *name;	/* NULL ends a list */
	enum qmp_arg_type type;
	bool optional;
};

/*
 * A handler gets the dispatcher's @opaque (the monitor), the @client the
 * request came from, and @args already checked against its spec (never
 * NULL: {} when the request had none). It returns the "return" value (a
 * new reference; json_object_new_object() for {}), or NULL with @err set.
 */
typedef struct json_object *(*qmp_cmd_fn)(void *opaque, void *client,
					  struct json_object *args,
					  struct error *err);

struct qmp_command {
	const char *name;		/* NULL ends a table */
	qmp_cmd_fn fn;
	const struct qmp_arg *args;	/* NULL: takes no arguments */
	bool before_caps;		/* allowed before negotiation */
};

#define QMP_MAX_TABLES 8

struct qmp_dispatcher {
	const struct qmp_command *tables[QMP_MAX_TABLES];
	unsigned nr_tables;
	void *opaque;			/* passed to every handler */
};

void qmp_dispatch_init(struct qmp_dispatcher *d, void *opaque);

/**
 * qmp_dispatch_add_table - register a command table
 * @d: the dispatcher
 * @table: commands ending with a NULL name; must outlive @d
 *
 * Return: 0, or -ENOSPC beyond QMP_MAX_TABLES.
 */
int qmp_dispatch_add_table(struct qmp_dispatcher *d,
			   const struct qmp_command *table) __must_check;

/* The command called @name, or NULL. */
const struct qmp_command *qmp_dispatch_find(const struct qmp_dispatcher *d,
					    const char *name);

/* Calls @fn for every registered command, in registration order. */
void qmp_dispatch_foreach(const struct qmp_dispatcher *d,
			  void (*fn)(const struct qmp_command *cmd, void *arg),
			  void *arg);

/**
 * qmp_dispatch_check_args - check @args against @spec, as QEMU's
 * generated marshallers do: members in spec order ("Parameter 'x' is
 * missing", "Invalid parameter type for 'x', expected: string"), then
 * leftovers ("Parameter 'x' is unexpected").
 * @spec: NULL-terminated list, or NULL for none
 * @args: a JSON object
 * @err: GenericError on failure
 *
 * Return: 0 or -EINVAL.
 */
int qmp_dispatch_check_args(const struct qmp_arg *spec,
			    struct json_object *args, struct error *err);

/**
 * qmp_dispatch - run one request from @client
 * @d: the dispatcher
 * @req: the parsed request (any JSON value; borrowed)
 * @negotiated: the client has sent qmp_capabilities
 * @client: passed to the handler
 *
 * Return: the reply object (caller puts it), or NULL if out of memory.
 */
struct json_object *qmp_dispatch(const struct qmp_dispatcher *d,
				 struct json_object *req, bool negotiated,
				 void *client);

/*
 * {"error": {"class", "desc"}}, plus "id" (@id borrowed; NULL is JSON
 * null) when @has_id. NULL if out of memory.
 */
struct json_object *qmp_error_reply(const struct error *err, bool has_id,
				    struct json_object *id);

#endif
