// SPDX-License-Identifier: MIT
/*
 * struct error helpers. Messages are truncated, never allocated, so they can
 * be produced on any path, including out-of-memory ones.
 */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void error_vset(struct error *err, enum error_class cls,
		       const char *fmt, va_list ap)
{
	if (!err || err->cls != ERROR_CLASS_NONE)
		return;	/* keep the first, most specific error */
	err->cls = cls;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

void error_setg(struct error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(err, ERROR_CLASS_GENERIC, fmt, ap);
	va_end(ap);
}

void error_set(struct error *err, enum error_class cls, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(err, cls, fmt, ap);
	va_end(ap);
}

void error_setg_errno(struct error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (!err || err->cls != ERROR_CLASS_NONE)
		return;
	va_start(ap, fmt);
	error_vset(err, ERROR_CLASS_GENERIC, fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof(err->msg) - len, ": %s",
		 strerror(errnum));
}

void error_prepend(struct error *err, const char *fmt, ...)
{
	char prefix[sizeof(err->msg)];
	size_t plen, mlen;
	va_list ap;

	if (!error_is_set(err))
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	plen = strlen(prefix);
	mlen = strlen(err->msg);
	/* Keep the message's end truncated, never the prefix. */
	if (plen + mlen >= sizeof(err->msg))
		mlen = sizeof(err->msg) - 1 - plen;
	memmove(err->msg + plen, err->msg, mlen);
	memcpy(err->msg, prefix, plen);
	err->msg[plen + mlen] = '\0';
}

const char *error_class_name(enum error_class cls)
{
	switch (cls) {
	case ERROR_CLASS_NONE:
		return "None";
	case ERROR_CLASS_GENERIC:
		return "GenericError";
	case ERROR_CLASS_COMMAND_NOT_FOUND:
		return "CommandNotFound";
	case ERROR_CLASS_DEVICE_NOT_ACTIVE:
		return "DeviceNotActive";
	case ERROR_CLASS_DEVICE_NOT_FOUND:
		return "DeviceNotFound";
	case ERROR_CLASS_KVM_MISSING_CAP:
		return "KVMMissingCap";
	}
	return "GenericError";
}
