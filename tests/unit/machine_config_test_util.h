// SPDX-License-Identifier: MIT
/*
 * Shared helpers of the machine_config unit tests: a config that passes
 * validation, and one-line checks of machine_config_validate()'s outcome.
 * Used by test_machine_config, test_machine_config_smp and
 * test_machine_config_monitors; include it after <cmocka.h>.
 */
#ifndef FLEXVM_TESTS_MACHINE_CONFIG_TEST_UTIL_H
#define FLEXVM_TESTS_MACHINE_CONFIG_TEST_UTIL_H

#include <errno.h>

#include "config/machine_config.h"

/* A config that passes validation: defaults plus a kernel. */
static inline void config_with_kernel(struct machine_config *cfg)
{
	machine_config_init(cfg);
	cfg->kernel = "bzImage";
}

static inline void assert_invalid(struct machine_config *cfg,
				  const char *msg)
{
	struct error err = { 0 };

	assert_int_equal(machine_config_validate(cfg, &err), -EINVAL);
	assert_string_equal(err.msg, msg);
}

static inline void assert_valid(struct machine_config *cfg)
{
	struct error err = { 0 };

	assert_int_equal(machine_config_validate(cfg, &err), 0);
	assert_false(error_is_set(&err));
}

#endif /* FLEXVM_TESTS_MACHINE_CONFIG_TEST_UTIL_H */
