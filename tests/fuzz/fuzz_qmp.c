// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the QMP input path: qmp_stream framing bytes fed
 * in chunks whose sizes come from the input, and qmp_dispatch running
 * each complete message against a small command table with typed
 * arguments (no VM). Checks: every framed value or framing error gets
 * exactly one well-formed reply, values respect the nesting limit, and
 * replies format. Single-threaded; also run by replay.c in the unit suite.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "monitor/qmp_dispatch.h"
#include "monitor/qmp_stream.h"

#include "fuzz.h"

struct session {
	struct qmp_dispatcher d;
	bool negotiated;
	unsigned max_depth;
	unsigned values;	/* callbacks seen */
	unsigned replies;	/* well-formed replies built */
	unsigned budget;	/* callbacks left before asking to stop */
};

static struct json_object *cmd_caps(void *opaque, void *client,
				    struct json_object *args,
				    struct error *err)
{
	struct session *s = client;

	(void)opaque;
	(void)args;
	if (s->negotiated) {
		error_set(err, ERROR_CLASS_COMMAND_NOT_FOUND,
			  "Capabilities negotiation is already complete");
		return NULL;
	}
	s->negotiated = true;
	return json_object_new_object();
}

/* Echoes its typed arguments back, so handlers see what the spec let in. */
static struct json_object *cmd_echo(void *opaque, void *client,
				    struct json_object *args,
				    struct error *err)
{
	struct json_object *v;

	(void)opaque;
	(void)client;
	CHECK(json_object_is_type(args, json_type_object));
	CHECK(json_object_object_get_ex(args, "name", &v) &&
	      json_object_is_type(v, json_type_string));
	if (json_object_object_get_ex(args, "count", &v)) {
		CHECK(json_object_is_type(v, json_type_int));
		if (json_object_get_int64(v) < 0) {
			error_setg(err, "Parameter 'count' expects a "
				   "non-negative value");
			return NULL;
		}
	}
	if (json_object_object_get_ex(args, "flag", &v))
		CHECK(json_object_is_type(v, json_type_boolean));
	if (json_object_object_get_ex(args, "list", &v)) {
		CHECK(json_object_is_type(v, json_type_array));
		for (size_t i = 0; i < json_object_array_length(v); i++)
			CHECK(json_object_is_type(json_object_array_get_idx(v,
					i), json_type_string));
	}
	return json_object_get(args);
}

static struct json_object *cmd_fail(void *opaque, void *client,
				    struct json_object *args,
				    struct error *err)
{
	(void)opaque;
	(void)client;
	(void)args;
	error_set(err, ERROR_CLASS_DEVICE_NOT_FOUND, "Device 'x' not found");
	return NULL;
}

static const struct qmp_arg echo_args[] = {
	{ "name", QMP_ARG_STR, false },
	{ "count", QMP_ARG_INT, true },
	{ "flag", QMP_ARG_BOOL, true },
	{ "list", QMP_ARG_STR_LIST, true },
	{ "data", QMP_ARG_ANY, true },
	{ NULL, QMP_ARG_STR, false },
};

static const struct qmp_command commands[] = {
	{ "qmp_capabilities", cmd_caps, NULL, true },
	{ "echo", cmd_echo, echo_args, false },
	{ "fail", cmd_fail, NULL, false },
	{ NULL, NULL, NULL, false },
};

static unsigned depth_of(struct json_object *v)
{
	unsigned deepest = 0, d;

	if (json_object_is_type(v, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			d = depth_of(json_object_array_get_idx(v, i));
			deepest = d > deepest ? d : deepest;
		}
		return deepest + 1;
	}
	if (json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, key, val) {
			(void)key;
			d = depth_of(val);
			deepest = d > deepest ? d : deepest;
		}
		return deepest + 1;
	}
	return 0;
}

/* One reply: an object with exactly one of "return" or a class+desc. */
static void check_reply(struct json_object *reply)
{
	struct json_object *e, *cls, *desc;
	bool ret, error;
	char *text;

	CHECK(reply && json_object_is_type(reply, json_type_object));
	ret = json_object_object_get_ex(reply, "return", NULL);
	error = json_object_object_get_ex(reply, "error", &e);
	CHECK(ret != error);
	if (error) {
		CHECK(json_object_object_get_ex(e, "class", &cls) &&
		      json_object_is_type(cls, json_type_string));
		CHECK(json_object_object_get_ex(e, "desc", &desc) &&
		      json_object_is_type(desc, json_type_string));
	}
	text = qmp_stream_format(reply, false);
	CHECK(text && !strchr(text, '\n'));
	free(text);
}

static bool on_message(void *opaque, struct json_object *msg,
		       const struct error *err)
{
	struct session *s = opaque;
	struct json_object *reply;

	s->values++;
	if (msg) {
		CHECK(depth_of(msg) <= s->max_depth);
		CHECK(!err || !error_is_set(err));
	}
	if (msg || !err)
		reply = qmp_dispatch(&s->d, msg, s->negotiated, s);
	else
		reply = qmp_error_reply(err, false, NULL);
	json_object_put(msg);
	check_reply(reply);
	json_object_put(reply);
	s->replies++;
	return --s->budget > 0;
}

/*
 * Input: byte 0 picks the limits (small ones, so fuzzing reaches them),
 * byte 1 the chunk-size seed; the rest is the stream, cut into chunks
 * of 1..64 bytes whose sizes come from a generator seeded by byte 1.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct session s = { .budget = 4096 };
	struct qmp_stream st;
	size_t max_size, off = 0, chunk;
	uint32_t rng;
	bool going = true;

	if (size < 2)
		return 0;
	max_size = (data[0] & 0x80) ? 256u + (data[0] & 0x0fu) * 64u :
		   (size_t)QMP_STREAM_MAX_MSG;
	s.max_depth = (data[0] & 0x40) ? 1 + ((data[0] >> 4) & 3) * 4 :
		      QMP_STREAM_MAX_DEPTH;
	rng = data[1] * 2654435761u + 1;
	data += 2;
	size -= 2;
	qmp_dispatch_init(&s.d, NULL);
	CHECK(qmp_dispatch_add_table(&s.d, commands) == 0);
	CHECK(qmp_stream_init(&st, max_size, (int)s.max_depth, on_message,
			      &s) == 0);
	while (going && off < size) {
		rng = rng * 1103515245u + 12345u;
		chunk = 1 + ((rng >> 16) & 63);
		if (chunk > size - off)
			chunk = size - off;
		going = qmp_stream_feed(&st, (const char *)data + off, chunk);
		off += chunk;
	}
	qmp_stream_destroy(&st);
	CHECK(s.values == s.replies);
	CHECK(going || s.budget == 0);
	return 0;
}
