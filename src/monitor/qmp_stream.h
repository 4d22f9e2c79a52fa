// SPDX-License-Identifier: MIT
/*
 * QMP's wire format. Input: an incremental framer on json-c's tokener that
 * cuts a byte stream into top-level JSON values, enforces the size and
 * nesting limits, and after malformed input skips to the end of the bad
 * value so the session goes on. Output: QEMU's JSON layout (key order of
 * its QDict, ", " and ": " separators, \uXXXX escapes, optional pretty
 * form). Pure code, no I/O; each client owns one stream (main thread).
 */
#ifndef FLEXVM_MONITOR_QMP_STREAM_H
#define FLEXVM_MONITOR_QMP_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "util/compiler.h"
#include "util/error.h"

#define QMP_STREAM_MAX_MSG	(1 * MiB)	/* bytes in one message */
#define QMP_STREAM_MAX_DEPTH	1024		/* QEMU's MAX_NESTING */

struct json_object;
struct json_tokener;

/*
 * Receives each complete top-level value (@msg, a reference the callee
 * must put; a JSON null is NULL with a NULL @err), or NULL with @err for
 * a malformed or oversized one. Returns false to stop the feed (the
 * client went away).
 */
typedef bool (*qmp_stream_fn)(void *opaque, struct json_object *msg,
			      const struct error *err);

struct qmp_stream {
	struct json_tokener *tok;
	size_t max_size;
	unsigned max_depth;
	size_t msg_len;		/* bytes of the current value so far */
	unsigned depth;		/* open { and [ outside strings */
	char quote;		/* inside a string opened by this quote */
	bool escape;		/* the previous byte was a backslash */
	char last;		/* the last non-blank byte outside strings */
	bool started;		/* a value has begun (non-blank seen) */
	bool skipping;		/* discarding the rest of a bad value */
	bool skip_token;	/* ... which is a bare top-level token */
	qmp_stream_fn fn;
	void *opaque;
};

/**
 * qmp_stream_init - set up a framer
 * @s: the stream
 * @max_size: bytes allowed in one value (QMP_STREAM_MAX_MSG)
 * @max_depth: nesting allowed (QMP_STREAM_MAX_DEPTH)
 * @fn: called for every value or error, in stream order
 * @opaque: for @fn
 *
 * Return: 0 or -ENOMEM.
 */
int qmp_stream_init(struct qmp_stream *s, size_t max_size, int max_depth,
		    qmp_stream_fn fn, void *opaque) __must_check;
void qmp_stream_destroy(struct qmp_stream *s);

/**
 * qmp_stream_feed - parse @len more bytes; values may span calls
 * @s: the stream
 * @buf: bytes as read from the client
 * @len: their number
 *
 * Calls the callback for each value completed by these bytes and for
 * each malformed one (QEMU's "JSON parse error, ..." wording), then goes
 * on after the bad value.
 *
 * Return: false if the callback asked to stop.
 */
bool qmp_stream_feed(struct qmp_stream *s, const char *buf, size_t len);

/**
 * qmp_stream_format - QEMU's JSON text of @obj
 * @obj: the value (NULL prints "null")
 * @pretty: QEMU's pretty=on layout (newlines, four-space indent)
 *
 * Object members come in the order QEMU's QDict iterates them (its hash
 * buckets, later insertions first within a bucket), so replies and events
 * match QEMU byte for byte when built in QAPI member order.
 *
 * Return: a malloc'ed string without a line end, or NULL (no memory).
 */
char *qmp_stream_format(struct json_object *obj, bool pretty);

/* The QDict bucket QEMU puts @key in (exposed for the unit tests). */
unsigned qmp_stream_key_bucket(const char *key);

#endif
