// SPDX-License-Identifier: MIT
/* Unit tests for struct error: first error wins, errno text, prepend. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "util/error.h"

static void test_error_setg_sets_generic_class(void **state)
{
	struct error err = { 0 };

	(void)state;
	error_setg(&err, "bad %s %d", "size", 7);
	assert_true(error_is_set(&err));
	assert_string_equal(err.msg, "bad size 7");
	assert_string_equal(error_class_name(err.cls), "GenericError");
}

static void test_error_first_error_wins(void **state)
{
	struct error err = { 0 };

	(void)state;
	error_setg(&err, "first");
	error_set(&err, ERROR_CLASS_COMMAND_NOT_FOUND, "second");
	assert_string_equal(err.msg, "first");
	assert_int_equal(err.cls, ERROR_CLASS_GENERIC);
}

static void test_error_null_is_ignored(void **state)
{
	(void)state;
	error_setg(NULL, "nobody listens");
	assert_false(error_is_set(NULL));
}

static void test_error_setg_errno_appends_strerror(void **state)
{
	struct error err = { 0 };

	(void)state;
	error_setg_errno(&err, ENOENT, "Could not open '%s'", "/x");
	assert_string_equal(err.msg,
			    "Could not open '/x': No such file or directory");
}

static void test_error_prepend_adds_prefix(void **state)
{
	struct error err = { 0 };

	(void)state;
	error_setg(&err, "too big");
	error_prepend(&err, "-m %s: ", "9E");
	assert_string_equal(err.msg, "-m 9E: too big");
}

static void test_error_prepend_truncates_the_message_not_the_prefix(
	void **state)
{
	struct error err = { 0 };
	char longmsg[sizeof(err.msg) + 10];

	(void)state;
	memset(longmsg, 'x', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	error_setg(&err, "%s", longmsg);
	error_prepend(&err, "P: ");
	assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
	assert_memory_equal(err.msg, "P: xxx", 6);
}

static void test_error_clear_unsets(void **state)
{
	struct error err = { 0 };

	(void)state;
	error_setg(&err, "x");
	error_clear(&err);
	assert_false(error_is_set(&err));
	assert_string_equal(err.msg, "");
}

static void test_error_class_names_match_qemu(void **state)
{
	(void)state;
	assert_string_equal(error_class_name(ERROR_CLASS_COMMAND_NOT_FOUND),
			    "CommandNotFound");
	assert_string_equal(error_class_name(ERROR_CLASS_DEVICE_NOT_FOUND),
			    "DeviceNotFound");
	assert_string_equal(error_class_name(ERROR_CLASS_KVM_MISSING_CAP),
			    "KVMMissingCap");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_setg_sets_generic_class),
		cmocka_unit_test(test_error_first_error_wins),
		cmocka_unit_test(test_error_null_is_ignored),
		cmocka_unit_test(test_error_setg_errno_appends_strerror),
		cmocka_unit_test(test_error_prepend_adds_prefix),
		cmocka_unit_test(
			test_error_prepend_truncates_the_message_not_the_prefix),
		cmocka_unit_test(test_error_clear_unsets),
		cmocka_unit_test(test_error_class_names_match_qemu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
