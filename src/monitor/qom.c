// SPDX-License-Identifier: MIT
/*
 * The QOM tree behind qom-list/qom-get/qom-set: objects with a path, a
 * type name, typed properties and children. Every object answers the
 * "type" property, and each child appears as a "child<TYPE>" property
 * whose value is the child's path, as in QEMU. Parents created on demand
 * are "container" objects that a later qom_add() may fill in.
 * Main thread, dm_lock held; one tree per process.
 */
#include "monitor/qom.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct qom_object {
	char *path;
	const char *name;	/* the last component of @path */
	char *type_name;
	struct qom_prop *props;	/* props[0] is the built-in "type" */
	unsigned nr_props;
	struct qom_object *parent;
	struct qom_object **children;
	unsigned nr_children;
	bool implicit;		/* made by a descendant's qom_add() */
};

static struct qom_object *qom_root;

static int get_type(struct qom_object *obj, void *opaque,
		    struct qom_value *out, struct error *err)
{
	(void)opaque;
	(void)err;
	out->type = QOM_TYPE_STR;
	out->s = obj->type_name;
	return 0;
}

static const struct qom_prop type_prop = {
	.name = "type", .type_name = "string", .type = QOM_TYPE_STR,
	.get = get_type,
};

static int object_set_props(struct qom_object *obj,
			    const struct qom_prop *props, unsigned nr)
{
	struct qom_prop *p = calloc(nr + 1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p[0] = type_prop;
	if (nr)
		memcpy(&p[1], props, nr * sizeof(*p));
	free(obj->props);
	obj->props = p;
	obj->nr_props = nr + 1;
	return 0;
}

static struct qom_object *object_new(struct qom_object *parent,
				     const char *path, const char *type)
{
	struct qom_object *obj = calloc(1, sizeof(*obj));

	if (!obj)
		return NULL;
	obj->path = strdup(path);
	obj->type_name = strdup(type);
	if (!obj->path || !obj->type_name || object_set_props(obj, NULL, 0))
		goto fail;
	obj->name = strrchr(obj->path, '/') ? strrchr(obj->path, '/') + 1
					    : obj->path;	/* the root */
	obj->parent = parent;
	if (parent) {
		struct qom_object **c = realloc(parent->children,
			(parent->nr_children + 1) * sizeof(*c));

		if (!c)
			goto fail;
		parent->children = c;
		c[parent->nr_children++] = obj;
	}
	return obj;
fail:
	free(obj->props);
	free(obj->path);
	free(obj->type_name);
	free(obj);
	return NULL;
}

static struct qom_object *find_child(const struct qom_object *obj,
				     const char *name, size_t len)
{
	for (unsigned i = 0; i < obj->nr_children; i++)
		if (strlen(obj->children[i]->name) == len &&
		    !strncmp(obj->children[i]->name, name, len))
			return obj->children[i];
	return NULL;
}

static struct qom_object *root(void)
{
	if (!qom_root)
		qom_root = object_new(NULL, "", "container");
	return qom_root;
}

/* The parent of @path (made on demand); NULL if @path is malformed. */
static struct qom_object *make_parents(const char *path)
{
	struct qom_object *obj = root();
	const char *p = path;

	while (obj && *p == '/') {
		const char *next = strchr(p + 1, '/');
		size_t len = next ? (size_t)(next - p - 1) : strlen(p + 1);
		struct qom_object *child;
		char *sub;

		if (!len)
			return NULL;
		if (!next)
			return obj;	/* @p + 1 is the new object's name */
		child = find_child(obj, p + 1, len);
		if (!child) {
			sub = strndup(path, (size_t)(next - path));
			child = sub ? object_new(obj, sub, "container") : NULL;
			if (child)
				child->implicit = true;
			free(sub);
		}
		obj = child;
		p = next;
	}
	return NULL;
}

struct qom_object *qom_add(const char *path, const char *type_name,
			   const struct qom_prop *props, unsigned nr_props,
			   struct error *err)
{
	struct qom_object *parent = make_parents(path);
	struct qom_object *obj;
	const char *name = strrchr(path, '/');

	if (!parent || !name || !name[1]) {
		error_setg(err, "Invalid QOM path '%s'", path);
		return NULL;
	}
	obj = find_child(parent, name + 1, strlen(name + 1));
	if (obj && !obj->implicit) {
		error_setg(err, "Duplicate ID '%s' for device", name + 1);
		return NULL;
	}
	if (!obj)
		obj = object_new(parent, path, type_name);
	if (obj && obj->implicit) {	/* a container made earlier */
		char *t = strdup(type_name);

		if (!t)
			return NULL;
		free(obj->type_name);
		obj->type_name = t;
		obj->implicit = false;
	}
	if (!obj || object_set_props(obj, props, nr_props)) {
		error_setg(err, "out of memory");
		return NULL;
	}
	return obj;
}

static void object_free(struct qom_object *obj)
{
	for (unsigned i = 0; i < obj->nr_children; i++)
		object_free(obj->children[i]);
	free(obj->children);
	free(obj->props);
	free(obj->path);
	free(obj->type_name);
	free(obj);
}

void qom_remove(const char *path)
{
	struct qom_object *obj = qom_resolve(path);
	struct qom_object *parent;

	if (!obj || obj == qom_root)
		return;
	parent = obj->parent;
	for (unsigned i = 0; i < parent->nr_children; i++) {
		if (parent->children[i] != obj)
			continue;
		memmove(&parent->children[i], &parent->children[i + 1],
			(parent->nr_children - i - 1) * sizeof(obj));
		parent->nr_children--;
		break;
	}
	object_free(obj);
}

static struct qom_object *resolve_absolute(const char *path)
{
	struct qom_object *obj = root();
	const char *p = path;

	while (obj && *p) {
		const char *next;
		size_t len;

		while (*p == '/')	/* QEMU ignores empty components */
			p++;
		if (!*p)
			break;
		next = strchr(p, '/');
		len = next ? (size_t)(next - p) : strlen(p);
		obj = find_child(obj, p, len);
		p += len;
	}
	return obj;
}

/* Objects whose path ends with "/@path"; stops counting at two. */
static void match_partial(struct qom_object *obj, const char *path,
			  size_t len, struct qom_object **found,
			  unsigned *nr)
{
	size_t plen = strlen(obj->path);

	if (*nr > 1)
		return;
	if (plen > len && obj->path[plen - len - 1] == '/' &&
	    !strcmp(obj->path + plen - len, path)) {
		*found = obj;
		(*nr)++;
	}
	for (unsigned i = 0; i < obj->nr_children; i++)
		match_partial(obj->children[i], path, len, found, nr);
}

struct qom_object *qom_resolve(const char *path)
{
	struct qom_object *found = NULL;
	unsigned nr = 0;

	if (!path || !*path)
		return NULL;
	if (path[0] == '/')
		return resolve_absolute(path);
	match_partial(root(), path, strlen(path), &found, &nr);
	return nr == 1 ? found : NULL;
}

const char *qom_object_path(const struct qom_object *obj)
{
	return obj->path[0] ? obj->path : "/";
}

const char *qom_object_type(const struct qom_object *obj)
{
	return obj->type_name;
}

struct qom_object *qom_child(const struct qom_object *obj, unsigned i)
{
	return i < obj->nr_children ? obj->children[i] : NULL;
}

const char *qom_object_name(const struct qom_object *obj)
{
	return obj->name;
}

unsigned qom_nr_props(const struct qom_object *obj)
{
	return obj->nr_props;
}

const struct qom_prop *qom_prop_at(const struct qom_object *obj, unsigned i)
{
	return i < obj->nr_props ? &obj->props[i] : NULL;
}

const struct qom_prop *qom_find_prop(const struct qom_object *obj,
				     const char *name)
{
	for (unsigned i = 0; i < obj->nr_props; i++)
		if (!strcmp(obj->props[i].name, name))
			return &obj->props[i];
	return NULL;
}

static void not_found(struct qom_object *obj, const char *name,
		      struct error *err)
{
	error_setg(err, "Property '%s.%s' not found", obj->type_name, name);
}

int qom_get(struct qom_object *obj, const char *name, struct qom_value *out,
	    struct error *err)
{
	const struct qom_prop *p = qom_find_prop(obj, name);
	struct qom_object *child;

	if (!p) {
		child = find_child(obj, name, strlen(name));
		if (!child) {
			not_found(obj, name, err);
			return -ENOENT;
		}
		out->type = QOM_TYPE_CHILD;
		out->s = child->path;
		return 0;
	}
	if (!p->get) {
		error_setg(err, "Property '%s.%s' is not readable",
			   obj->type_name, name);
		return -EPERM;
	}
	return p->get(obj, p->opaque, out, err);
}

int qom_set(struct qom_object *obj, const char *name,
	    const struct qom_value *in, struct error *err)
{
	const struct qom_prop *p = qom_find_prop(obj, name);

	if (!p && !find_child(obj, name, strlen(name))) {
		not_found(obj, name, err);
		return -ENOENT;
	}
	if (!p || !p->set) {
		error_setg(err, "Property '%s.%s' is not writable",
			   obj->type_name, name);
		return -EPERM;
	}
	return p->set(obj, p->opaque, in, err);
}

void qom_reset_tree(void)
{
	if (qom_root)
		object_free(qom_root);
	qom_root = NULL;
}
