// SPDX-License-Identifier: MIT
/*
 * The harness of the cmdline unit tests: runs cmdline_parse() on an argv
 * built from string literals, captures what it prints, and asserts the
 * outcome. Shared by test_cmdline, test_cmdline_machine and
 * test_cmdline_devices; include it after <cmocka.h>. Single-threaded.
 */
#ifndef FLEXVM_TESTS_CMDLINE_TEST_UTIL_H
#define FLEXVM_TESTS_CMDLINE_TEST_UTIL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cmdline.h"

struct run {
	struct machine_config cfg;
	struct error err;
	char *out;
	size_t out_len;
	char **argv;		/* points at @args */
	const char *args[2 * MACHINE_MAX_DEVICES + 8];
	int ret;
};

static inline int run_argv(struct run *r, const char *const *args)
{
	FILE *out;
	int argc = 0;

	memset(r, 0, sizeof(*r));
	machine_config_init(&r->cfg);
	/* Copied: the caller's compound literal dies with its block. */
	for (; args[argc]; argc++) {
		assert_true((size_t)argc + 1 < ARRAY_SIZE(r->args));
		r->args[argc] = args[argc];
	}
	r->argv = (char **)r->args;
	out = open_memstream(&r->out, &r->out_len);
	assert_non_null(out);
	r->ret = cmdline_parse(argc, r->argv, &r->cfg, out, &r->err);
	fclose(out);
	return r->ret;
}

#define RUN(r, ...) \
	run_argv((r), (const char *const[]){ "flexvm", __VA_ARGS__, NULL })

static inline void run_free(struct run *r)
{
	free(r->out);
}

/* Parses, asserts success, returns the config through @r. */
#define ASSERT_PARSES(r, ...)                                          \
	do {                                                           \
		assert_int_equal(RUN((r), __VA_ARGS__), 0);            \
		assert_false(error_is_set(&(r)->err));                 \
	} while (0)

#define ASSERT_ERROR(text, ...)                                        \
	do {                                                           \
		struct run r_;                                         \
		assert_int_equal(RUN(&r_, __VA_ARGS__), -EINVAL);      \
		assert_string_equal(r_.err.msg, (text));               \
		run_free(&r_);                                         \
	} while (0)

/* Asserts the run printed something to @out and asked not to run. */
#define ASSERT_PRINTS(expected, ...)                                   \
	do {                                                           \
		struct run r_;                                         \
		assert_int_equal(RUN(&r_, __VA_ARGS__), 1);            \
		assert_string_equal(r_.out, (expected));               \
		run_free(&r_);                                         \
	} while (0)

#endif /* FLEXVM_TESTS_CMDLINE_TEST_UTIL_H */
