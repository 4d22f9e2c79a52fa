// SPDX-License-Identifier: MIT
/*
 * The fixture of the qmp_stream input tests: a stream whose callback
 * records every message (as JSON text) and every error ("E:desc") in
 * order, with the default or small (64 bytes, depth 4) limits. Shared by
 * test_qmp_stream and test_qmp_stream_qemu; include it after <cmocka.h>.
 */
#ifndef FLEXVM_TESTS_QMP_STREAM_TEST_UTIL_H
#define FLEXVM_TESTS_QMP_STREAM_TEST_UTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "monitor/qmp_stream.h"

#define MAX_EVENTS 2048

/* What the callback saw, in order: a value as JSON text, or "E:desc". */
struct seen {
	char *items[MAX_EVENTS];
	unsigned n;
	unsigned stop_after;	/* 0: never ask to stop */
	bool qemu_text;		/* values as qmp_stream_format() prints them */
};

static inline bool record(void *opaque, struct json_object *msg,
			  const struct error *err)
{
	struct seen *s = opaque;
	char buf[600];

	if (err)
		snprintf(buf, sizeof(buf), "E:%s", err->msg);
	else if (s->qemu_text) {
		char *t = qmp_stream_format(msg, false);

		snprintf(buf, sizeof(buf), "%s", t ? t : "(nomem)");
		free(t);
	} else
		snprintf(buf, sizeof(buf), "%s", json_object_to_json_string_ext(
			 msg, JSON_C_TO_STRING_PLAIN |
			 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(msg);
	if (s->n < MAX_EVENTS)
		s->items[s->n++] = strdup(buf);
	return !s->stop_after || s->n < s->stop_after;
}

struct fixture {
	struct qmp_stream stream;
	struct seen seen;
};

static inline int setup_limits(void **state, size_t max, int depth)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(qmp_stream_init(&f->stream, max, depth, record,
					 &f->seen), 0);
	*state = f;
	return 0;
}

static inline int setup(void **state)
{
	return setup_limits(state, QMP_STREAM_MAX_MSG, QMP_STREAM_MAX_DEPTH);
}

static inline int setup_small(void **state)
{
	return setup_limits(state, 64, 4);
}

static inline int teardown(void **state)
{
	struct fixture *f = *state;

	for (unsigned i = 0; i < f->seen.n; i++)
		free(f->seen.items[i]);
	qmp_stream_destroy(&f->stream);
	free(f);
	return 0;
}

static inline bool feed(struct fixture *f, const char *text)
{
	return qmp_stream_feed(&f->stream, text, strlen(text));
}

/* The callback saw exactly the @n items @want, in order. */
static inline void assert_seen(const struct fixture *f, unsigned n,
			       const char *const *want)
{
	assert_int_equal(f->seen.n, n);
	for (unsigned i = 0; i < n; i++)
		assert_string_equal(f->seen.items[i], want[i]);
}

#define ASSERT_SEEN(f, ...) do {					\
	static const char *const s_[] = { __VA_ARGS__ };		\
	assert_seen(f, sizeof(s_) / sizeof(s_[0]), s_);			\
} while (0)

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
#define TS(name) cmocka_unit_test_setup_teardown(name, setup_small, teardown)

#endif /* FLEXVM_TESTS_QMP_STREAM_TEST_UTIL_H */
