// SPDX-License-Identifier: MIT
/*
 * QMP's wire format. Input: QEMU 7.2's JSON lexer, streamer and parser
 * rebuilt on json-c's object model: bytes become tokens (with QEMU's error
 * recovery), tokens become a message when the brackets balance, and the
 * message becomes json-c values with QEMU's strings (modified UTF-8),
 * numbers and error texts; plus flexvm's size and nesting limits. Output:
 * QEMU's JSON layout (QDict key order, ", " and ": ", \uXXXX escapes,
 * optional pretty form). Pure code, no I/O; one stream per client (main).
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

/*
 * Receives each complete top-level value (@msg, a reference the callee
 * must put; a JSON null is NULL with a NULL @err), or NULL with @err for
 * a malformed or oversized one. Returns false to stop the feed (the
 * client went away).
 */
typedef bool (*qmp_stream_fn)(void *opaque, struct json_object *msg,
			      const struct error *err);

struct qmp_stream {
	size_t max_size;
	unsigned max_depth;
	unsigned char lex;	/* enum qmp_lex_state (qmp_lexer.h) */
	bool open;		/* a message has begun */
	bool skipping;		/* discarding the rest of an over-limit one */
	int braces, brackets;	/* open { and [ of the message */
	size_t msg_len;		/* bytes of the message so far */
	char *text;		/* its tokens so far, each ended by a NUL */
	size_t text_len, text_cap;
	size_t tok_start;	/* where the current token begins in @text */
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
 * Return: 0, or -EINVAL if @max_size is 2 GiB or more.
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
 * each error, in QEMU's order and wording ("JSON parse error, ..."): a
 * byte no token can take is reported at once and the lexer resyncs at the
 * next structural or control byte; a value over the size or nesting limit
 * is reported once and skipped up to the bracket that ends it.
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
