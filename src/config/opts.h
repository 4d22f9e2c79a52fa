// SPDX-License-Identifier: MIT
/*
 * QEMU's "key=value,..." option lists (-m 1G,maxmem=4G, -device
 * drv,prop=val) split into pairs, plus typed getters with QEMU's error
 * wording. Two dialects exist in QEMU 7.2 and both are reproduced: QemuOpts
 * (-m, -name, -device, -accel) and keyval (-smp, -machine, -display).
 * Used by the command-line parser on the main thread before the VM exists.
 */
#ifndef FLEXVM_CONFIG_OPTS_H
#define FLEXVM_CONFIG_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/compiler.h"
#include "util/error.h"

#define OPTS_MAX 32	/* pairs in one list; QEMU has no limit */

enum opts_syntax {
	/*
	 * QemuOpts: the first item may omit "key=" when an implied key
	 * exists; a later bare "foo" means foo=on and "nofoo" foo=off (both
	 * deprecated, with a warning); "help" or "?" asks for help.
	 */
	OPTS_QEMUOPTS,
	/*
	 * keyval: the implied value ends at the first comma (no ",,"
	 * escape there); a bare key is an error ("Expected '=' after
	 * parameter 'foo'"); keys start with a letter.
	 */
	OPTS_KEYVAL,
};

struct opt {
	const char *key;
	const char *value;
};

/* Value types of a QemuOpts group, as QEMU's QemuOptDesc. */
enum opts_type {
	OPTS_TYPE_STRING,
	OPTS_TYPE_BOOL,		/* opts_parse_bool() */
	OPTS_TYPE_NUMBER,	/* opts_get_number() */
	OPTS_TYPE_SIZE,		/* opts_get_size() */
};

/* One accepted key; a table ends with a NULL key. */
struct opts_desc {
	const char *key;
	enum opts_type type;
};

struct opts {
	char *buf;	/* the one copy of the text; keys/values point here */
	struct opt list[OPTS_MAX];
	unsigned nr;
	bool help;	/* "help" or "?" was given as an item */
};

/**
 * opts_parse - split @text into key/value pairs in @opts
 * @opts: filled in; release with opts_free() whatever the result
 * @text: the option argument, e.g. "1G,maxmem=4G"
 * @implied_key: key of a first item without '=' ("size", "driver"), or NULL
 * @syntax: which QEMU dialect (see enum opts_syntax)
 * @err: set on error, with QEMU's message (no "-opt arg: " prefix)
 *
 * ",," stands for a literal comma inside values. Repeated keys are all
 * kept; opts_get() returns the last one, as QEMU does.
 *
 * Return: 0, -EINVAL (syntax), -E2BIG (more than OPTS_MAX items) or
 * -ENOMEM.
 */
int opts_parse(struct opts *opts, const char *text, const char *implied_key,
	       enum opts_syntax syntax, struct error *err) __must_check;

/* Frees the copy made by opts_parse(); @opts may then be parsed again. */
void opts_free(struct opts *opts);

/* The value of the last @key, or NULL when absent. */
const char *opts_get(const struct opts *opts, const char *key);

/**
 * opts_find_unknown - first key not in @known
 * @opts: parsed list
 * @known: NULL-terminated list of accepted keys
 *
 * Return: the key (for the caller's error message), or NULL if all known.
 */
const char *opts_find_unknown(const struct opts *opts,
			      const char *const *known);

/**
 * opts_validate - check every item, in order, against a QemuOpts table
 * @opts: parsed list
 * @desc: accepted keys and their types, ending with a NULL key
 * @err: "Invalid parameter 'KEY'" for an unknown key, or the typed
 *       getter's message for a bad value (no "-opt arg: " prefix)
 *
 * Return: 0 or -EINVAL/-ERANGE.
 */
int opts_validate(const struct opts *opts, const struct opts_desc *desc,
		  struct error *err) __must_check;

/**
 * opts_print_help - list a table the way QEMU answers "-m help":
 * "GROUP options:" then "  key=<type>" lines
 * @out: where to print
 * @group: the group name, e.g. "memory"
 * @desc: the table, ending with a NULL key
 */
void opts_print_help(FILE *out, const char *group,
		     const struct opts_desc *desc);

/**
 * opts_get_bool - read an on/off value (also yes/no, true/false, y/n)
 * @opts: parsed list
 * @key: the key; when absent *@out is left alone and 0 is returned
 * @out: result
 * @err: "Parameter 'KEY' expects 'on' or 'off'"
 *
 * Return: 0 or -EINVAL.
 */
int opts_get_bool(const struct opts *opts, const char *key, bool *out,
		  struct error *err) __must_check;

/**
 * opts_get_number - read a QemuOpts number: decimal, 0x hex or 0 octal,
 * where "-1" wraps to 2^64-1 as strtoull does
 * @opts: parsed list
 * @key: the key; when absent *@out is left alone and 0 is returned
 * @out: result
 * @err: "Parameter 'KEY' expects a number" or "Value 'V' is too large for
 *       parameter 'KEY'"
 *
 * Return: 0, -EINVAL or -ERANGE.
 */
int opts_get_number(const struct opts *opts, const char *key, uint64_t *out,
		    struct error *err) __must_check;

/**
 * opts_get_size - read a QemuOpts size (size_parse(), bytes by default)
 * @opts: parsed list
 * @key: the key; when absent *@out is left alone and 0 is returned
 * @out: result in bytes
 * @err: QEMU's two-line "expects a non-negative number below 2^64" text,
 *       or "Value 'V' is out of range for parameter 'KEY'"
 *
 * Return: 0, -EINVAL or -ERANGE.
 */
int opts_get_size(const struct opts *opts, const char *key, uint64_t *out,
		  struct error *err) __must_check;

/**
 * opts_parse_bool - the on/off rule of opts_get_bool() for one value
 * @name: parameter name for the message
 * @value: text to parse
 * @out: result
 * @err: "Parameter 'NAME' expects 'on' or 'off'"
 *
 * Return: 0 or -EINVAL.
 */
int opts_parse_bool(const char *name, const char *value, bool *out,
		    struct error *err) __must_check;

/**
 * opts_parse_int - a QOM/keyval integer: int64 in decimal, 0x hex or 0
 * octal, optional sign and leading blanks, nothing after it
 * @name: parameter name for the message (e.g. "smp.cpus", "iobase")
 * @value: text to parse
 * @out: result
 * @err: "Parameter 'NAME' expects integer"
 *
 * Return: 0 or -EINVAL.
 */
int opts_parse_int(const char *name, const char *value, int64_t *out,
		   struct error *err) __must_check;

/**
 * opts_parse_u32 - opts_parse_int() limited to 0..UINT32_MAX, as a QOM
 * uint32 property
 * @name: parameter name for the message
 * @value: text to parse
 * @out: result
 * @err: "Parameter 'NAME' expects integer" or "... expects uint32_t"
 *
 * Return: 0 or -EINVAL.
 */
int opts_parse_u32(const char *name, const char *value, uint32_t *out,
		   struct error *err) __must_check;

#endif
