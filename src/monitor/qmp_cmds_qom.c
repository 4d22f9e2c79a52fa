// SPDX-License-Identifier: MIT
/*
 * qom-list, qom-get and qom-set over the QOM tree (qom.h), with QEMU
 * 7.2's errors: DeviceNotFound for a path, GenericError for a property
 * that is missing, not readable/writable, or given a value of the wrong
 * JSON type. Main thread, dm_lock held.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

#include "monitor/qmp_cmds.h"
#include "monitor/qom.h"

static struct qom_object *resolve(struct json_object *args, struct error *err)
{
	const char *path = json_object_get_string(
		json_object_object_get(args, "path"));
	struct qom_object *obj = qom_resolve(path);

	if (!obj)
		error_set(err, ERROR_CLASS_DEVICE_NOT_FOUND,
			  "Device '%s' not found", path);
	return obj;
}

static struct json_object *prop_info(const char *name, const char *type)
{
	struct json_object *info = json_object_new_object();

	json_object_object_add(info, "name", json_object_new_string(name));
	json_object_object_add(info, "type", json_object_new_string(type));
	return info;
}

static struct json_object *qom_list(void *opaque, void *client,
				    struct json_object *args,
				    struct error *err)
{
	struct qom_object *obj = resolve(args, err);
	struct json_object *list;
	struct qom_object *child;
	char type[160];

	(void)opaque, (void)client;
	if (!obj)
		return NULL;
	list = json_object_new_array();
	for (unsigned i = 0; i < qom_nr_props(obj); i++) {
		const struct qom_prop *p = qom_prop_at(obj, i);

		json_object_array_add(list, prop_info(p->name, p->type_name));
	}
	for (unsigned i = 0; (child = qom_child(obj, i)); i++) {
		snprintf(type, sizeof(type), "child<%s>",
			 qom_object_type(child));
		json_object_array_add(list, prop_info(qom_object_name(child),
						      type));
	}
	return list;
}

static struct json_object *qom_value_to_json(const struct qom_value *v)
{
	switch (v->type) {
	case QOM_TYPE_BOOL:
		return json_object_new_boolean(v->b);
	case QOM_TYPE_INT:
		return json_object_new_int64(v->i);
	case QOM_TYPE_UINT:
	case QOM_TYPE_SIZE:
		return json_object_new_uint64(v->u);
	default:
		return json_object_new_string(v->s ? v->s : "");
	}
}

static struct json_object *qom_get_cmd(void *opaque, void *client,
				       struct json_object *args,
				       struct error *err)
{
	struct qom_object *obj = resolve(args, err);
	struct qom_value v = { 0 };

	(void)opaque, (void)client;
	if (!obj || qom_get(obj, json_object_get_string(
			    json_object_object_get(args, "property")), &v,
			    err))
		return NULL;
	return qom_value_to_json(&v);
}

static bool json_is_uint64(struct json_object *j)
{
	return json_object_is_type(j, json_type_int) &&
	       json_object_get_int64(j) >= 0;
}

/* The QObject input visitor's rules for one property type. */
static int json_to_qom_value(const struct qom_prop *p, struct json_object *j,
			     struct qom_value *v, struct error *err)
{
	static const char *const expected[] = {
		[QOM_TYPE_BOOL] = "boolean", [QOM_TYPE_INT] = "integer",
		[QOM_TYPE_UINT] = "uint64", [QOM_TYPE_SIZE] = "size",
		[QOM_TYPE_STR] = "string", [QOM_TYPE_LINK] = "string",
		[QOM_TYPE_CHILD] = "string",
	};
	bool ok;

	v->type = p->type;
	switch (p->type) {
	case QOM_TYPE_BOOL:
		ok = json_object_is_type(j, json_type_boolean);
		v->b = ok && json_object_get_boolean(j);
		break;
	case QOM_TYPE_INT:
		ok = json_object_is_type(j, json_type_int) &&
		     !(json_object_get_int64(j) == INT64_MAX &&
		       json_object_get_uint64(j) > INT64_MAX);
		v->i = ok ? json_object_get_int64(j) : 0;
		break;
	case QOM_TYPE_UINT:
	case QOM_TYPE_SIZE:
		ok = json_is_uint64(j);
		v->u = ok ? json_object_get_uint64(j) : 0;
		break;
	default:
		ok = json_object_is_type(j, json_type_string);
		v->s = ok ? json_object_get_string(j) : NULL;
		break;
	}
	if (!ok)
		error_setg(err, "Invalid parameter type for '%s', expected: %s",
			   p->name, expected[p->type]);
	return ok ? 0 : -1;
}

static struct json_object *qom_set_cmd(void *opaque, void *client,
				       struct json_object *args,
				       struct error *err)
{
	struct qom_object *obj = resolve(args, err);
	const char *name = json_object_get_string(
		json_object_object_get(args, "property"));
	const struct qom_prop *p;
	struct qom_value v = { 0 };

	(void)opaque, (void)client;
	if (!obj)
		return NULL;
	/* QEMU's order: the property, its setter, then the value's type. */
	p = qom_find_prop(obj, name);
	if (p && p->set && json_to_qom_value(p, json_object_object_get(
					     args, "value"), &v, err))
		return NULL;
	if (qom_set(obj, name, &v, err))
		return NULL;
	return json_object_new_object();
}

static const struct qmp_arg list_args[] = {
	{ "path", QMP_ARG_STR, false },
	{ NULL },
};

static const struct qmp_arg get_args[] = {
	{ "path", QMP_ARG_STR, false },
	{ "property", QMP_ARG_STR, false },
	{ NULL },
};

static const struct qmp_arg set_args[] = {
	{ "path", QMP_ARG_STR, false },
	{ "property", QMP_ARG_STR, false },
	{ "value", QMP_ARG_ANY, false },
	{ NULL },
};

const struct qmp_command qmp_cmds_qom[] = {
	{ "qom-list", qom_list, list_args, false },
	{ "qom-get", qom_get_cmd, get_args, false },
	{ "qom-set", qom_set_cmd, set_args, false },
	{ NULL },
};
