// SPDX-License-Identifier: MIT
/*
 * A minimal QOM tree, as QEMU's monitor shows it: /machine,
 * /machine/peripheral/<id> for -device ... id=<id>, /objects/<id> for
 * -object, each with typed properties that qom-list/qom-get/qom-set reach.
 * Devices register their object and properties when they are built;
 * nothing here knows JSON, so device code stays free of json-c.
 *
 * Context: main thread, dm_lock held (QMP runs on the main loop).
 */
#ifndef FLEXVM_MONITOR_QOM_H
#define FLEXVM_MONITOR_QOM_H

#include <stdbool.h>
#include <stdint.h>

#include "util/compiler.h"
#include "util/error.h"

/* Property value types, with QEMU's type names in qom-list. */
enum qom_type {
	QOM_TYPE_BOOL,		/* "bool" */
	QOM_TYPE_INT,		/* "int" (int64) */
	QOM_TYPE_UINT,		/* "uint64" / "uint32" / "uint16" / "uint8" */
	QOM_TYPE_SIZE,		/* "size": uint64, only numbers over QMP */
	QOM_TYPE_STR,		/* "string" */
	QOM_TYPE_LINK,		/* "link<TYPE>": a path string */
	QOM_TYPE_CHILD,		/* "child<TYPE>": a path string */
};

struct qom_value {
	enum qom_type type;
	union {
		bool b;
		int64_t i;
		uint64_t u;
		const char *s;	/* owned by the object */
	};
};

struct qom_object;

/* Returns 0, or -errno with a QEMU-worded message in @err. */
typedef int (*qom_get_fn)(struct qom_object *obj, void *opaque,
			  struct qom_value *out, struct error *err);
typedef int (*qom_set_fn)(struct qom_object *obj, void *opaque,
			  const struct qom_value *in, struct error *err);

struct qom_prop {
	const char *name;
	const char *type_name;	/* as qom-list prints it, e.g. "size" */
	enum qom_type type;
	qom_get_fn get;		/* NULL: not readable */
	qom_set_fn set;		/* NULL: read-only ("... is not writable") */
	void *opaque;
};

/*
 * qom_add - register an object at @path (e.g. "/machine/peripheral/vm0")
 * of QOM type @type_name with @nr_props properties (copied). Parents are
 * created as "container" objects on demand. Returns the object, or NULL
 * with @err set when @path exists ("Duplicate ID 'vm0' for device").
 */
struct qom_object *qom_add(const char *path, const char *type_name,
			   const struct qom_prop *props, unsigned nr_props,
			   struct error *err);
void qom_remove(const char *path);

/*
 * qom_resolve - find an object by absolute path, or by a partial path
 * that matches exactly one object (QEMU: "vm0" finds
 * /machine/peripheral/vm0). NULL if none or ambiguous.
 */
struct qom_object *qom_resolve(const char *path);

const char *qom_object_path(const struct qom_object *obj);
const char *qom_object_type(const struct qom_object *obj);

/* Iterate children (qom-list): returns the i-th child or NULL. */
struct qom_object *qom_child(const struct qom_object *obj, unsigned i);
const char *qom_object_name(const struct qom_object *obj);

/* Properties (qom-list, qom-get, qom-set). */
unsigned qom_nr_props(const struct qom_object *obj);
const struct qom_prop *qom_prop_at(const struct qom_object *obj, unsigned i);
const struct qom_prop *qom_find_prop(const struct qom_object *obj,
				     const char *name);
int qom_get(struct qom_object *obj, const char *name, struct qom_value *out,
	    struct error *err) __must_check;
int qom_set(struct qom_object *obj, const char *name,
	    const struct qom_value *in, struct error *err) __must_check;

/* Drops every object (machine teardown, unit tests). */
void qom_reset_tree(void);

#endif
