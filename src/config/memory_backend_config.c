// SPDX-License-Identifier: MIT
/*
 * -object memory-backend-* options. One table lists each property in the
 * order of QEMU 7.2's QAPI schema (MemoryBackendProperties, then the
 * file/memfd extras), because QEMU checks them in that order whatever the
 * order on the command line; messages were taken from qemu-system-x86_64
 * 7.2 run with bad input. Main thread, before the VM exists.
 */
#include "config/memory_backend_config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config/opts.h"
#include "util/size.h"

#define BIT_RAM		(1u << MEMORY_BACKEND_RAM)
#define BIT_MEMFD	(1u << MEMORY_BACKEND_MEMFD)
#define BIT_FILE	(1u << MEMORY_BACKEND_FILE)
#define BIT_ALL		(BIT_RAM | BIT_MEMFD | BIT_FILE)

enum mb_kind {
	MB_BOOL,
	MB_SIZE,
	MB_U32,
	MB_PATH,
	MB_UNSUPPORTED,	/* a QEMU property flexvm does not implement */
};

struct mb_prop {
	const char *name;
	enum mb_kind kind;
	unsigned types;		/* BIT_* of the types that have it */
	bool required;
	size_t offset;		/* in struct memory_backend_config */
	const char *help;	/* "name=<type>" and the description */
	const char *desc;
};

#define F(field) offsetof(struct memory_backend_config, field)

/* QEMU 7.2's QAPI order; flexvm's help lists only what it implements. */
static const struct mb_prop mb_props[] = {
	{ "dump", MB_UNSUPPORTED, BIT_ALL },
	{ "host-nodes", MB_UNSUPPORTED, BIT_ALL },
	{ "merge", MB_UNSUPPORTED, BIT_ALL },
	{ "policy", MB_UNSUPPORTED, BIT_ALL },
	{ "prealloc", MB_BOOL, BIT_ALL, false, F(prealloc),
	  "prealloc=<bool>", "Preallocate memory" },
	{ "prealloc-threads", MB_U32, BIT_ALL, false, F(prealloc_threads),
	  "prealloc-threads=<int>", "Number of CPU threads to use for "
	  "prealloc" },
	{ "prealloc-context", MB_UNSUPPORTED, BIT_ALL },
	{ "share", MB_BOOL, BIT_ALL, false, F(share), "share=<bool>",
	  "Mark the memory as private to QEMU or shared" },
	{ "reserve", MB_BOOL, BIT_ALL, false, F(reserve), "reserve=<bool>",
	  "Reserve swap space (or huge pages) if applicable" },
	{ "size", MB_SIZE, BIT_ALL, true, F(size), "size=<int>",
	  "Size of the memory region (ex: 500M)" },
	{ "x-use-canonical-path-for-ramblock-id", MB_UNSUPPORTED, BIT_ALL },
	{ "align", MB_UNSUPPORTED, BIT_FILE },
	{ "discard-data", MB_UNSUPPORTED, BIT_FILE },
	{ "mem-path", MB_PATH, BIT_FILE, true, F(mem_path),
	  "mem-path=<string>", NULL },
	{ "pmem", MB_UNSUPPORTED, BIT_FILE },
	{ "readonly", MB_UNSUPPORTED, BIT_FILE },
	{ "hugetlb", MB_BOOL, BIT_MEMFD, false, F(hugetlb), "hugetlb=<bool>",
	  "Use huge pages" },
	{ "hugetlbsize", MB_SIZE, BIT_MEMFD, false, F(hugetlbsize),
	  "hugetlbsize=<int>", "Huge pages size (ex: 2M, 1G)" },
	{ "seal", MB_BOOL, BIT_MEMFD, false, F(seal), "seal=<bool>",
	  "Seal growing & shrinking" },
};

static const char *const mb_type_names[] = {
	[MEMORY_BACKEND_RAM] = "memory-backend-ram",
	[MEMORY_BACKEND_MEMFD] = "memory-backend-memfd",
	[MEMORY_BACKEND_FILE] = "memory-backend-file",
};

const char *memory_backend_config_type_name(enum memory_backend_type t)
{
	return (unsigned)t < ARRAY_SIZE(mb_type_names) ? mb_type_names[t]
						       : "?";
}

int memory_backend_config_type_find(const char *name,
				    enum memory_backend_type *out)
{
	for (unsigned i = 0; i < ARRAY_SIZE(mb_type_names); i++) {
		if (!strcmp(name, mb_type_names[i])) {
			*out = (enum memory_backend_type)i;
			return 0;
		}
	}
	return -ENOENT;
}

void memory_backend_config_print_types(FILE *out)
{
	/* QEMU sorts the list by name. */
	fprintf(out, "List of user creatable objects:\n"
		"  %s\n  %s\n  %s\n", mb_type_names[MEMORY_BACKEND_FILE],
		mb_type_names[MEMORY_BACKEND_MEMFD],
		mb_type_names[MEMORY_BACKEND_RAM]);
}

static int mb_help_cmp(const void *a, const void *b)
{
	const struct mb_prop *pa = *(const struct mb_prop *const *)a;
	const struct mb_prop *pb = *(const struct mb_prop *const *)b;

	return strcmp(pa->help, pb->help);
}

void memory_backend_config_print_help(FILE *out, enum memory_backend_type t)
{
	const struct mb_prop *list[ARRAY_SIZE(mb_props)];
	unsigned n = 0, i;

	for (i = 0; i < ARRAY_SIZE(mb_props); i++)
		if (mb_props[i].help && (mb_props[i].types & (1u << t)))
			list[n++] = &mb_props[i];
	/* QEMU sorts the "name=<type>" strings, so '-' sorts before '='. */
	qsort(list, n, sizeof(list[0]), mb_help_cmp);
	fprintf(out, "%s options:\n", memory_backend_config_type_name(t));
	for (i = 0; i < n; i++) {
		if (list[i]->desc)
			fprintf(out, "  %-22s - %s\n", list[i]->help,
				list[i]->desc);
		else
			fprintf(out, "  %s\n", list[i]->help);
	}
}

/* QEMU's id_wellformed(): a letter, then letters, digits, '-', '.', '_'. */
static bool mb_id_wellformed(const char *id)
{
	if (!isalpha((unsigned char)id[0]))
		return false;
	for (id++; *id; id++)
		if (!isalnum((unsigned char)*id) && !strchr("-._", *id))
			return false;
	return true;
}

static int mb_parse_id(const struct opts *o, struct memory_backend_config *c,
		       struct error *err)
{
	const char *id = opts_get(o, "id");

	if (!id) {
		error_setg(err, "Parameter 'id' is missing");
		return -EINVAL;
	}
	if (!mb_id_wellformed(id)) {
		error_setg(err, "Parameter 'id' expects an identifier\n"
			   "Identifiers consist of letters, digits, '-', '.', "
			   "'_', starting with a letter.");
		return -EINVAL;
	}
	if (strlen(id) >= sizeof(c->id)) {
		error_setg(err, "Parameter 'id' is too long for flexvm (the "
			   "maximum is %d characters)",
			   MEMORY_BACKEND_ID_MAX - 1);
		return -EINVAL;
	}
	strcpy(c->id, id);
	return 0;
}

/* An unsigned number as QEMU's options visitor reads a uint32. */
static int mb_parse_u32(const char *name, const char *value, uint32_t *out,
			struct error *err)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = isdigit((unsigned char)value[0]) ? strtoull(value, &end, 0) : 0;
	if (!isdigit((unsigned char)value[0]) || *end || errno == ERANGE) {
		error_setg(err, "Parameter '%s' expects a uint64 value", name);
		return -EINVAL;
	}
	if (v > UINT32_MAX) {
		error_setg(err, "Parameter '%s' expects uint32_t", name);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static int mb_parse_value(const struct mb_prop *p, const char *value,
			  struct memory_backend_config *c, struct error *err)
{
	void *field = (char *)c + p->offset;

	switch (p->kind) {
	case MB_BOOL:
		return opts_parse_bool(p->name, value, field, err);
	case MB_SIZE:
		if (size_parse(value, 1, field)) {
			error_setg(err, "Parameter '%s' expects a size value",
				   p->name);
			return -EINVAL;
		}
		return 0;
	case MB_U32:
		return mb_parse_u32(p->name, value, field, err);
	case MB_PATH:
		if (strlen(value) >= sizeof(c->mem_path)) {
			error_setg(err, "Parameter '%s' is too long", p->name);
			return -EINVAL;
		}
		strcpy(field, value);
		return 0;
	case MB_UNSUPPORTED:
		break;
	}
	return 0;	/* refused later, with the unknown keys */
}

static const struct mb_prop *mb_find_prop(const char *name,
					  enum memory_backend_type t)
{
	for (unsigned i = 0; i < ARRAY_SIZE(mb_props); i++)
		if ((mb_props[i].types & (1u << t)) &&
		    !strcmp(mb_props[i].name, name))
			return &mb_props[i];
	return NULL;
}

/* After the schema walk: keys the type lacks, in command-line order. */
static int mb_check_keys(const struct opts *o, enum memory_backend_type t,
			 struct error *err)
{
	for (unsigned i = 0; i < o->nr; i++) {
		const char *key = o->list[i].key;
		const struct mb_prop *p = mb_find_prop(key, t);

		if (!strcmp(key, "qom-type") || !strcmp(key, "id"))
			continue;
		if (!p) {
			error_setg(err, "Invalid parameter '%s'", key);
			return -EINVAL;
		}
		if (p->kind == MB_UNSUPPORTED) {
			error_setg(err, "flexvm does not support property '%s' "
				   "of %s", key,
				   memory_backend_config_type_name(t));
			return -EINVAL;
		}
	}
	return 0;
}

static void mb_defaults(struct memory_backend_config *c,
			enum memory_backend_type t)
{
	memset(c, 0, sizeof(*c));
	c->type = t;
	c->reserve = true;
	c->prealloc_threads = 1;
	/* QEMU's memfd backend is shared and sealed unless told otherwise. */
	c->share = t == MEMORY_BACKEND_MEMFD;
	c->seal = t == MEMORY_BACKEND_MEMFD;
}

int memory_backend_config_parse(const struct opts *o,
				enum memory_backend_type t,
				struct memory_backend_config *out,
				struct error *err)
{
	int ret;

	mb_defaults(out, t);
	ret = mb_parse_id(o, out, err);
	for (unsigned i = 0; !ret && i < ARRAY_SIZE(mb_props); i++) {
		const struct mb_prop *p = &mb_props[i];
		const char *value = opts_get(o, p->name);

		if (!(p->types & (1u << t)))
			continue;
		if (value) {
			ret = mb_parse_value(p, value, out, err);
		} else if (p->required) {
			error_setg(err, "Parameter '%s' is missing", p->name);
			ret = -EINVAL;
		}
	}
	if (!ret)
		ret = mb_check_keys(o, t, err);
	out->has_hugetlbsize = opts_get(o, "hugetlbsize") != NULL;
	return ret;
}

static int mb_add_parsed(struct memory_backend_config *list, unsigned *nr,
			 unsigned max, const struct opts *o,
			 enum memory_backend_type t, struct error *err)
{
	struct memory_backend_config *c;
	unsigned i;

	if (*nr == max) {
		error_setg(err, "too many memory backends (the maximum is %u)",
			   max);
		return -EINVAL;
	}
	c = &list[*nr];
	if (memory_backend_config_parse(o, t, c, err))
		return -EINVAL;
	for (i = 0; i < *nr; i++) {
		if (!strcmp(list[i].id, c->id)) {
			error_setg(err, "Duplicate ID '%s' for object", c->id);
			return -EINVAL;
		}
	}
	(*nr)++;
	return 0;
}

static int mb_add_opts(struct memory_backend_config *list, unsigned *nr,
		       unsigned max, const struct opts *o, FILE *out,
		       struct error *err)
{
	const char *type = opts_get(o, "qom-type");
	enum memory_backend_type t;

	if (!type && o->help) {
		memory_backend_config_print_types(out);
		return 1;
	}
	if (!type) {
		error_setg(err, "Parameter 'qom-type' is missing");
		return -EINVAL;
	}
	if (!strcmp(type, "help") || !strcmp(type, "?")) {
		memory_backend_config_print_types(out);
		return 1;
	}
	if (!*type) {
		error_setg(err, "Parameter 'qom-type' does not accept value "
			   "''");
		return -EINVAL;
	}
	if (memory_backend_config_type_find(type, &t))
		return -ENOENT;
	if (o->help) {
		memory_backend_config_print_help(out, t);
		return 1;
	}
	return mb_add_parsed(list, nr, max, o, t, err);
}

int memory_backend_config_add_object(struct memory_backend_config *list,
				     unsigned *nr, unsigned max,
				     const char *text, FILE *out,
				     struct error *err)
{
	struct opts o;
	int ret;

	if (text[0] == '{') {
		error_setg(err, "flexvm does not support the JSON form of "
			   "-object");
		return -EINVAL;
	}
	ret = opts_parse(&o, text, "qom-type", OPTS_QEMUOPTS, err);
	if (!ret)
		ret = mb_add_opts(list, nr, max, &o, out, err);
	opts_free(&o);
	return ret < 0 && ret != -ENOENT ? -EINVAL : ret;
}

int memory_backend_config_check(const struct memory_backend_config *c,
				struct error *err)
{
	const char *type = memory_backend_config_type_name(c->type);

	/* QEMU sets the properties in this order, then allocates. */
	if (c->prealloc && !c->reserve)
		error_setg(err, "'prealloc=on' and 'reserve=off' are "
			   "incompatible");
	else if (c->type == MEMORY_BACKEND_MEMFD && c->hugetlbsize == 0 &&
		 c->has_hugetlbsize)
		error_setg(err, "Property '%s.hugetlbsize' doesn't take value "
			   "'0'", type);
	else if (c->prealloc_threads == 0)
		error_setg(err, "property 'prealloc-threads' of %s doesn't "
			   "take value '0'", type);
	else if (c->size == 0)
		error_setg(err, "property 'size' of %s doesn't take value '0'",
			   type);
	else if (c->hugetlb && c->hugetlbsize &&
		 !IS_POWER_OF_2(c->hugetlbsize))
		error_setg(err, "Hugepage size must be a power of 2");
	else
		return 0;
	return -EINVAL;
}
