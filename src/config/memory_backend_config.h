// SPDX-License-Identifier: MIT
/*
 * -object memory-backend-ram|memfd|file: the options as plain data, parsed
 * and checked with QEMU 7.2's properties, defaults, order and wording.
 * Parse-time checks (types, missing id/size/mem-path, unknown keys) run as
 * the command line is read; memory_backend_config_check() holds the checks
 * QEMU makes when it creates the object. Main thread, before the VM exists.
 */
#ifndef FLEXVM_CONFIG_MEMORY_BACKEND_CONFIG_H
#define FLEXVM_CONFIG_MEMORY_BACKEND_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/compiler.h"
#include "util/error.h"

struct opts;

enum memory_backend_type {
	MEMORY_BACKEND_RAM,	/* "memory-backend-ram": anonymous memory */
	MEMORY_BACKEND_MEMFD,	/* "memory-backend-memfd" */
	MEMORY_BACKEND_FILE,	/* "memory-backend-file": mem-path */
};

/* flexvm's limit on an object id (QEMU has none). */
#define MEMORY_BACKEND_ID_MAX 128

struct memory_backend_config {
	enum memory_backend_type type;
	char id[MEMORY_BACKEND_ID_MAX];
	uint64_t size;			/* required, > 0 */
	bool share;			/* default: on for memfd, else off */
	bool reserve;			/* default on: no MAP_NORESERVE */
	bool prealloc;			/* touch every page at creation */
	uint32_t prealloc_threads;	/* accepted; flexvm uses 1 thread */
	bool hugetlb;			/* memfd only */
	uint64_t hugetlbsize;		/* memfd; 0: the default huge page */
	bool has_hugetlbsize;		/* given, even as 0 (then an error) */
	bool seal;			/* memfd; default on */
	char mem_path[PATH_MAX];	/* file; a file or a directory */
};

/* QEMU's type name, e.g. "memory-backend-ram". */
const char *memory_backend_config_type_name(enum memory_backend_type t);

/* The type called @name; 0 or -ENOENT. */
int memory_backend_config_type_find(const char *name,
				    enum memory_backend_type *out)
	__must_check;

/* "-object help": the user-creatable types flexvm has, as QEMU lists. */
void memory_backend_config_print_types(FILE *out);

/* "-object TYPE,help": "TYPE options:" and one line per property. */
void memory_backend_config_print_help(FILE *out, enum memory_backend_type t);

/**
 * memory_backend_config_parse - read one -object of type @t
 * @o: the parsed option list (QemuOpts syntax, implied key "qom-type")
 * @t: the type named by qom-type
 * @out: filled with QEMU's defaults, then the given values
 * @err: QEMU's wording, without the "-object ...: " location: "Parameter
 *       'id' is missing", "Parameter 'size' expects a size value",
 *       "Invalid parameter 'hugetlb'", ...
 *
 * Checks in QEMU's order: id, then each property in QEMU's schema order
 * (so a bad prealloc is reported before a bad share, whatever the command
 * line order), then keys the type does not have. QEMU properties flexvm
 * does not implement (dump, merge, host-nodes, policy, ...) are refused.
 *
 * Return: 0 or -EINVAL.
 */
int memory_backend_config_parse(const struct opts *o,
				enum memory_backend_type t,
				struct memory_backend_config *out,
				struct error *err) __must_check;

/**
 * memory_backend_config_add_object - read one -object argument as QEMU
 * does while it reads the command line, keeping the memory backends
 * @list: the backends parsed so far (cfg->backends)
 * @nr: how many; incremented when @text adds one
 * @max: capacity of @list
 * @text: the argument, "TYPE,id=ID,..." (QemuOpts, implied key qom-type)
 * @out: where "help" listings go
 * @err: QEMU's wording, without the "-object TEXT: " location
 *
 * "help" or "?" as the type lists the types, "TYPE,help" the properties
 * of TYPE. A memory backend is parsed (memory_backend_config_parse()) and
 * appended; its id must be new among @list ("Duplicate ID 'm0' for
 * object"). The JSON form, a missing or empty qom-type are refused.
 *
 * Return: 0 when a backend was added, 1 when help was printed (nothing
 * to run), -ENOENT (and no error) for a type that is not a memory backend,
 * -EINVAL.
 */
int memory_backend_config_add_object(struct memory_backend_config *list,
				     unsigned *nr, unsigned max,
				     const char *text, FILE *out,
				     struct error *err) __must_check;

/**
 * memory_backend_config_check - the checks QEMU makes when it creates the
 * object (after every option was parsed), in QEMU's order, without a
 * location: "'prealloc=on' and 'reserve=off' are incompatible", zero
 * hugetlbsize, prealloc-threads or size, a hugetlbsize that is not a
 * power of two.
 * Return: 0 or -EINVAL.
 */
int memory_backend_config_check(const struct memory_backend_config *c,
				struct error *err) __must_check;

#endif
