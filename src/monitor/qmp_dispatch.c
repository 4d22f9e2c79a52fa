// SPDX-License-Identifier: MIT
/*
 * QMP dispatch: envelope checks, command lookup, argument checks and the
 * reply objects, in the order and wording of QEMU 7.2's qmp_dispatch()
 * and its generated marshallers. Main thread, dm_lock held.
 */
#include "monitor/qmp_dispatch.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "monitor/qmp_stream.h"

void qmp_dispatch_init(struct qmp_dispatcher *d, void *opaque)
{
	memset(d, 0, sizeof(*d));
	d->opaque = opaque;
}

int qmp_dispatch_add_table(struct qmp_dispatcher *d,
			   const struct qmp_command *table)
{
	if (d->nr_tables == QMP_MAX_TABLES)
		return -ENOSPC;
	d->tables[d->nr_tables++] = table;
	return 0;
}

const struct qmp_command *qmp_dispatch_find(const struct qmp_dispatcher *d,
					    const char *name)
{
	for (unsigned t = 0; t < d->nr_tables; t++)
		for (const struct qmp_command *c = d->tables[t]; c->name; c++)
			if (!strcmp(c->name, name))
				return c;
	return NULL;
}

void qmp_dispatch_foreach(const struct qmp_dispatcher *d,
			  void (*fn)(const struct qmp_command *cmd, void *arg),
			  void *arg)
{
	for (unsigned t = 0; t < d->nr_tables; t++)
		for (const struct qmp_command *c = d->tables[t]; c->name; c++)
			fn(c, arg);
}

static const char *arg_type_name(enum qmp_arg_type type)
{
	switch (type) {
	case QMP_ARG_STR:
		return "string";
	case QMP_ARG_INT:
		return "integer";
	case QMP_ARG_BOOL:
		return "boolean";
	case QMP_ARG_STR_LIST:
		return "array";
	case QMP_ARG_ANY:
		break;
	}
	return "any";
}

/* An integer that fits int64 (QEMU's qnum_get_try_int). */
static bool is_int64(struct json_object *v)
{
	return json_object_is_type(v, json_type_int) &&
	       !(json_object_get_int64(v) == INT64_MAX &&
		 json_object_get_uint64(v) > INT64_MAX);
}

static int check_str_list(const struct qmp_arg *a, struct json_object *v,
			  struct error *err)
{
	size_t n = json_object_array_length(v);

	for (size_t i = 0; i < n; i++) {
		if (json_object_is_type(json_object_array_get_idx(v, i),
					json_type_string))
			continue;
		error_setg(err, "Invalid parameter type for '%s[%zu]', "
			   "expected: string", a->name, i);
		return -EINVAL;
	}
	return 0;
}

static int check_one(const struct qmp_arg *a, struct json_object *v,
		     struct error *err)
{
	bool ok;

	switch (a->type) {
	case QMP_ARG_STR:
		ok = json_object_is_type(v, json_type_string);
		break;
	case QMP_ARG_INT:
		ok = is_int64(v);
		break;
	case QMP_ARG_BOOL:
		ok = json_object_is_type(v, json_type_boolean);
		break;
	case QMP_ARG_STR_LIST:
		ok = json_object_is_type(v, json_type_array);
		if (ok)
			return check_str_list(a, v, err);
		break;
	default:
		ok = true;
		break;
	}
	if (!ok)
		error_setg(err, "Invalid parameter type for '%s', expected: %s",
			   a->name, arg_type_name(a->type));
	return ok ? 0 : -EINVAL;
}

static bool spec_has(const struct qmp_arg *spec, const char *name)
{
	for (; spec && spec->name; spec++)
		if (!strcmp(spec->name, name))
			return true;
	return false;
}

int qmp_dispatch_check_args(const struct qmp_arg *spec,
			    struct json_object *args, struct error *err)
{
	for (const struct qmp_arg *a = spec; a && a->name; a++) {
		struct json_object *v;

		if (!json_object_object_get_ex(args, a->name, &v)) {
			if (a->optional)
				continue;
			error_setg(err, "Parameter '%s' is missing", a->name);
			return -EINVAL;
		}
		/* JSON null is not a value of any typed member. */
		if (!v && a->type != QMP_ARG_ANY) {
			error_setg(err, "Invalid parameter type for '%s', "
				   "expected: %s", a->name,
				   arg_type_name(a->type));
			return -EINVAL;
		}
		if (v && check_one(a, v, err))
			return -EINVAL;
	}
	json_object_object_foreach(args, key, val) {
		(void)val;
		if (spec_has(spec, key))
			continue;
		error_setg(err, "Parameter '%s' is unexpected", key);
		return -EINVAL;
	}
	return 0;
}

struct json_object *qmp_error_reply(const struct error *err, bool has_id,
				    struct json_object *id)
{
	struct json_object *reply = json_object_new_object();
	struct json_object *body = json_object_new_object();

	if (!reply || !body) {
		json_object_put(reply);
		json_object_put(body);
		return NULL;
	}
	json_object_object_add(body, "class", json_object_new_string(
			       error_class_name(err->cls)));
	json_object_object_add(body, "desc", json_object_new_string(err->msg));
	json_object_object_add(reply, "error", body);
	if (has_id)
		json_object_object_add(reply, "id", json_object_get(id));
	return reply;
}

/* The envelope member QEMU would complain about first (its QDict order). */
static const char *envelope_first_bad(struct json_object *req,
				      struct error *err)
{
	const char *bad = NULL;
	unsigned best = UINT32_MAX;

	json_object_object_foreach(req, key, val) {
		unsigned b = qmp_stream_key_bucket(key);
		bool ok;

		if (!strcmp(key, "execute"))
			ok = json_object_is_type(val, json_type_string);
		else if (!strcmp(key, "arguments"))
			ok = json_object_is_type(val, json_type_object);
		else
			ok = !strcmp(key, "id");
		/* Ties within a bucket: QEMU meets later insertions first. */
		if (!ok && b <= best) {
			best = b;
			bad = key;
		}
	}
	if (!bad)
		return NULL;
	if (!strcmp(bad, "execute"))
		error_setg(err, "QMP input member 'execute' must be a string");
	else if (!strcmp(bad, "arguments"))
		error_setg(err, "QMP input member 'arguments' must be an "
			   "object");
	else
		error_setg(err, "QMP input member '%s' is unexpected", bad);
	return bad;
}

static struct json_object *run_command(const struct qmp_dispatcher *d,
				       struct json_object *req,
				       bool negotiated, void *client,
				       struct error *err)
{
	const char *name = json_object_get_string(
		json_object_object_get(req, "execute"));
	const struct qmp_command *cmd = qmp_dispatch_find(d, name);
	struct json_object *args = NULL, *ret;
	bool own_args = false;

	if (!cmd || (!negotiated && !cmd->before_caps)) {
		/* QEMU's monitor rewords any CommandNotFound before
		 * negotiation, even for names that do not exist. */
		if (!negotiated)
			error_set(err, ERROR_CLASS_COMMAND_NOT_FOUND,
				  "Expecting capabilities negotiation with "
				  "'qmp_capabilities'");
		else
			error_set(err, ERROR_CLASS_COMMAND_NOT_FOUND,
				  "The command %s has not been found", name);
		return NULL;
	}
	if (!json_object_object_get_ex(req, "arguments", &args)) {
		args = json_object_new_object();
		own_args = true;
	}
	ret = NULL;
	if (!qmp_dispatch_check_args(cmd->args, args, err)) {
		ret = cmd->fn(d->opaque, client, args, err);
		if (!ret && !error_is_set(err))
			error_setg(err, "out of memory");
	}
	if (own_args)
		json_object_put(args);
	return ret;
}

struct json_object *qmp_dispatch(const struct qmp_dispatcher *d,
				 struct json_object *req, bool negotiated,
				 void *client)
{
	struct error err = { 0 };
	struct json_object *id = NULL, *ret = NULL, *reply;
	bool has_id = false;

	if (!json_object_is_type(req, json_type_object)) {
		error_setg(&err, "QMP input must be a JSON object");
		return qmp_error_reply(&err, false, NULL);
	}
	has_id = json_object_object_get_ex(req, "id", &id);
	if (!envelope_first_bad(req, &err)) {
		if (!json_object_object_get_ex(req, "execute", NULL))
			error_setg(&err, "QMP input lacks member 'execute'");
		else
			ret = run_command(d, req, negotiated, client, &err);
	}
	if (!ret)
		return qmp_error_reply(&err, has_id, id);
	reply = json_object_new_object();
	if (!reply) {
		json_object_put(ret);
		return NULL;
	}
	json_object_object_add(reply, "return", ret);
	if (has_id)
		json_object_object_add(reply, "id", json_object_get(id));
	return reply;
}
