// SPDX-License-Identifier: MIT
/*
 * User-visible errors: a QMP error class plus one fixed-size message line.
 * Code that talks to a person or a QMP client (command line, realize, QMP)
 * fills a struct error; internal code returns negative errno instead.
 * No allocation, so it is safe on any path.
 */
#ifndef FLEXVM_UTIL_ERROR_H
#define FLEXVM_UTIL_ERROR_H

#include <stdbool.h>

#include "util/compiler.h"

/* QEMU's QMP error classes (qapi/error.json), in QEMU's spelling. */
enum error_class {
	ERROR_CLASS_NONE = 0,
	ERROR_CLASS_GENERIC,		/* GenericError */
	ERROR_CLASS_COMMAND_NOT_FOUND,	/* CommandNotFound */
	ERROR_CLASS_DEVICE_NOT_ACTIVE,	/* DeviceNotActive */
	ERROR_CLASS_DEVICE_NOT_FOUND,	/* DeviceNotFound */
	ERROR_CLASS_KVM_MISSING_CAP,	/* KVMMissingCap */
};

struct error {
	enum error_class cls;
	char msg[512];
};

/* Sets @err (if not NULL and not already set) to class GenericError. */
void error_setg(struct error *err, const char *fmt, ...) __printf(2, 3);
/* Same, with an explicit class. */
void error_set(struct error *err, enum error_class cls, const char *fmt, ...)
	__printf(3, 4);
/* Like error_setg, appending ": strerror(errnum)" as QEMU's error_setg_errno. */
void error_setg_errno(struct error *err, int errnum, const char *fmt, ...)
	__printf(3, 4);
/* Prepends "prefix" to an already set message (QEMU's error_prepend). */
void error_prepend(struct error *err, const char *fmt, ...) __printf(2, 3);

static inline bool error_is_set(const struct error *err)
{
	return err && err->cls != ERROR_CLASS_NONE;
}

static inline void error_clear(struct error *err)
{
	err->cls = ERROR_CLASS_NONE;
	err->msg[0] = '\0';
}

/* QEMU's spelling of a class, e.g. "GenericError". */
const char *error_class_name(enum error_class cls);

#endif
