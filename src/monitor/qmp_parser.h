// SPDX-License-Identifier: MIT
/*
 * QMP input, last stage: QEMU 7.2's JSON parser over the tokens of one
 * complete message, building json-c values with QEMU's strings (modified
 * UTF-8), numbers, keywords and "JSON parse error, ..." texts. The
 * streamer (qmp_stream.c) decides where a message ends and calls it.
 * Internal to the monitor; pure, main thread, no locks.
 */
#ifndef FLEXVM_MONITOR_QMP_PARSER_H
#define FLEXVM_MONITOR_QMP_PARSER_H

#include <stddef.h>

#include "util/compiler.h"
#include "util/error.h"

struct json_object;

/**
 * qmp_parser_parse - the value of one message
 * @tokens: its tokens in order, each followed by a NUL (as the streamer
 *          keeps them), so a string token's escapes never run past it
 * @len: bytes in @tokens, NULs included
 * @value: set to a new reference to the value, or NULL for a JSON null
 *         (and, as before the split, when json-c runs out of memory)
 * @err: set on failure to QEMU's text for the first error it would report
 *
 * Only the first value is parsed: the streamer ends a message where its
 * brackets balance, so nothing meaningful can follow it.
 *
 * Return: 0, or -EINVAL with @err set and *@value NULL.
 */
int qmp_parser_parse(const char *tokens, size_t len,
		     struct json_object **value, struct error *err)
	__must_check;

#endif
