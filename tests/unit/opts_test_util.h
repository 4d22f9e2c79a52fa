// SPDX-License-Identifier: MIT
/*
 * Parsing helpers of the opts unit tests: QemuOpts text with implied key
 * "size" (as -m) and keyval text with implied key "cpus" (as -smp), both
 * asserted to succeed. Shared by test_opts and test_opts_getters; include
 * it after <cmocka.h>. The caller frees the result with opts_free().
 */
#ifndef FLEXVM_TESTS_OPTS_TEST_UTIL_H
#define FLEXVM_TESTS_OPTS_TEST_UTIL_H

#include "config/opts.h"

/* Parses @text as QemuOpts with implied key "size"; asserts success. */
static inline void parse_qemuopts(struct opts *o, const char *text)
{
	struct error err = { 0 };

	assert_int_equal(opts_parse(o, text, "size", OPTS_QEMUOPTS, &err), 0);
	assert_false(error_is_set(&err));
}

static inline void parse_keyval(struct opts *o, const char *text)
{
	struct error err = { 0 };

	assert_int_equal(opts_parse(o, text, "cpus", OPTS_KEYVAL, &err), 0);
	assert_false(error_is_set(&err));
}

#endif /* FLEXVM_TESTS_OPTS_TEST_UTIL_H */
