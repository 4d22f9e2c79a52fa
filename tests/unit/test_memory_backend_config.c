// SPDX-License-Identifier: MIT
/*
 * memory_backend_config: -object memory-backend-* parsing with QEMU 7.2's
 * defaults, the order in which QEMU reports problems, its messages (each
 * expected string was printed by qemu-system-x86_64 7.2 for the same
 * input), help listings, and the checks made when QEMU creates the object.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/memory_backend_config.h"

#define MAX_BACKENDS 4

struct parsed {
	struct memory_backend_config list[MAX_BACKENDS];
	unsigned nr;
	struct error err;
	char *out;
	size_t out_len;
	int ret;
};

static struct parsed P;

/* Feeds one -object argument after those already in @P. */
static int add(const char *text)
{
	FILE *out;

	free(P.out);	/* only the last call's output is kept */
	P.out = NULL;
	out = open_memstream(&P.out, &P.out_len);
	assert_non_null(out);
	error_clear(&P.err);
	P.ret = memory_backend_config_add_object(P.list, &P.nr, MAX_BACKENDS,
						 text, out, &P.err);
	fclose(out);
	return P.ret;
}

static int setup(void **state)
{
	(void)state;
	memset(&P, 0, sizeof(P));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(P.out);
	return 0;
}

#define ASSERT_FAILS(text, expected)                                 \
	do {                                                         \
		assert_int_equal(add(text), -EINVAL);                \
		assert_string_equal(P.err.msg, (expected));          \
	} while (0)

/* Parses @text as the only backend and returns it. */
static const struct memory_backend_config *ok(const char *text)
{
	unsigned before = P.nr;

	assert_int_equal(add(text), 0);
	assert_false(error_is_set(&P.err));
	assert_int_equal(P.nr, before + 1);
	return &P.list[P.nr - 1];
}

static void test_mbc_ram_defaults_as_qemu(void **state)
{
	const struct memory_backend_config *c =
		ok("memory-backend-ram,id=m0,size=1G");

	(void)state;
	assert_int_equal(c->type, MEMORY_BACKEND_RAM);
	assert_string_equal(c->id, "m0");
	assert_int_equal(c->size, 1ULL << 30);
	assert_false(c->share);
	assert_true(c->reserve);
	assert_false(c->prealloc);
	assert_int_equal(c->prealloc_threads, 1);
}

static void test_mbc_memfd_defaults_shared_and_sealed(void **state)
{
	const struct memory_backend_config *c =
		ok("memory-backend-memfd,id=m1,size=2M");

	(void)state;
	assert_int_equal(c->type, MEMORY_BACKEND_MEMFD);
	assert_true(c->share);
	assert_true(c->seal);
	assert_false(c->hugetlb);
	assert_int_equal(c->hugetlbsize, 0);
}

static void test_mbc_every_property_parsed(void **state)
{
	const struct memory_backend_config *c =
		ok("memory-backend-memfd,id=m2,size=4M,share=off,seal=no,"
		   "reserve=off,prealloc=false,hugetlb=on,hugetlbsize=2M,"
		   "prealloc-threads=0x10");

	(void)state;
	assert_false(c->share);
	assert_false(c->seal);
	assert_false(c->reserve);
	assert_true(c->hugetlb);
	assert_int_equal(c->hugetlbsize, 2 << 20);
	assert_true(c->has_hugetlbsize);
	assert_int_equal(c->prealloc_threads, 16);
}

static void test_mbc_file_path_with_escaped_comma(void **state)
{
	const struct memory_backend_config *c =
		ok("qom-type=memory-backend-file,id=f0,size=1M,"
		   "mem-path=/tmp/a,,b,share=on");

	(void)state;
	assert_int_equal(c->type, MEMORY_BACKEND_FILE);
	assert_string_equal(c->mem_path, "/tmp/a,b");
	assert_true(c->share);
}

static void test_mbc_size_forms_accepted(void **state)
{
	(void)state;
	assert_int_equal(ok("memory-backend-ram,id=a,size=1000")->size, 1000);
	assert_int_equal(ok("memory-backend-ram,id=b,size=0x100000")->size,
			 1 << 20);
	assert_int_equal(ok("memory-backend-ram,id=c,size=1.5M")->size,
			 3 << 19);
	/* QemuOpts: the last of repeated keys wins */
	assert_int_equal(ok("memory-backend-ram,id=d,size=1M,size=2M")->size,
			 2 << 20);
}

static void test_mbc_short_form_boolean_accepted(void **state)
{
	(void)state;
	/* deprecated in QEMU, with a warning, but accepted */
	assert_true(ok("memory-backend-ram,id=m0,size=1M,share")->share);
	assert_false(ok("memory-backend-ram,id=m1,size=1M,noreserve")->reserve);
}

static void test_mbc_missing_id_fails_first(void **state)
{
	(void)state;
	ASSERT_FAILS("memory-backend-ram,size=1M", "Parameter 'id' is missing");
	ASSERT_FAILS("memory-backend-ram,foo=bar", "Parameter 'id' is missing");
}

static void test_mbc_bad_id_fails(void **state)
{
	static const char msg[] =
		"Parameter 'id' expects an identifier\nIdentifiers consist "
		"of letters, digits, '-', '.', '_', starting with a letter.";

	(void)state;
	ASSERT_FAILS("memory-backend-ram,id=0m,size=1M", msg);
	ASSERT_FAILS("memory-backend-ram,id=,size=1M", msg);
	ASSERT_FAILS("memory-backend-ram,size=1x,id=0", msg);
	ASSERT_FAILS("memory-backend-ram,id=a/b,size=1M", msg);
	assert_string_equal(ok("memory-backend-ram,id=m0.x-y_z,size=1M")->id,
			    "m0.x-y_z");
}

static void test_mbc_missing_size_or_path_fails(void **state)
{
	(void)state;
	ASSERT_FAILS("memory-backend-ram,id=m0", "Parameter 'size' is missing");
	/* a missing size is found before an unknown key */
	ASSERT_FAILS("memory-backend-ram,id=m0,foo=bar",
		     "Parameter 'size' is missing");
	ASSERT_FAILS("memory-backend-file,id=m0,size=1M",
		     "Parameter 'mem-path' is missing");
}

static void test_mbc_bad_size_fails(void **state)
{
	static const char *const bad[] = { "1x", "-1", "16E", "1.5", "" };
	char text[64];

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text), "memory-backend-ram,id=m0,size=%s",
			 bad[i]);
		ASSERT_FAILS(text, "Parameter 'size' expects a size value");
	}
	/* 1E fits in 64 bits: QEMU only fails to allocate it */
	assert_int_equal(ok("memory-backend-ram,id=m0,size=1E")->size,
			 1ULL << 60);
}

static void test_mbc_bad_bool_fails(void **state)
{
	(void)state;
	ASSERT_FAILS("memory-backend-ram,id=m0,size=1M,share=maybe",
		     "Parameter 'share' expects 'on' or 'off'");
	ASSERT_FAILS("memory-backend-ram,id=m0,size=1M,prealloc=ON",
		     "Parameter 'prealloc' expects 'on' or 'off'");
}

static void test_mbc_errors_in_schema_order(void **state)
{
	(void)state;
	/* QEMU visits prealloc before share before reserve before size */
	ASSERT_FAILS("memory-backend-ram,id=m0,share=maybe,size=1x",
		     "Parameter 'share' expects 'on' or 'off'");
	ASSERT_FAILS("memory-backend-ram,id=m0,share=maybe,prealloc=x",
		     "Parameter 'prealloc' expects 'on' or 'off'");
	ASSERT_FAILS("memory-backend-ram,id=m0,reserve=maybe,prealloc=x",
		     "Parameter 'prealloc' expects 'on' or 'off'");
	ASSERT_FAILS("memory-backend-memfd,id=m0,size=1M,hugetlbsize=x,"
		     "hugetlb=x,seal=x",
		     "Parameter 'hugetlb' expects 'on' or 'off'");
	ASSERT_FAILS("memory-backend-memfd,id=m0,size=1M,hugetlbsize=x,seal=x",
		     "Parameter 'hugetlbsize' expects a size value");
}

static void test_mbc_property_of_other_type_invalid(void **state)
{
	(void)state;
	ASSERT_FAILS("memory-backend-ram,id=m0,size=1M,hugetlb=on",
		     "Invalid parameter 'hugetlb'");
	ASSERT_FAILS("memory-backend-ram,id=m0,size=1M,mem-path=/tmp",
		     "Invalid parameter 'mem-path'");
	ASSERT_FAILS("memory-backend-ram,id=m0,size=1M,seal=on",
		     "Invalid parameter 'seal'");
	ASSERT_FAILS("memory-backend-file,id=m0,size=1M,mem-path=/tmp/x,"
		     "hugetlb=on", "Invalid parameter 'hugetlb'");
	ASSERT_FAILS("memory-backend-ram,id=m0,size=1M,foo=bar",
		     "Invalid parameter 'foo'");
}

static void test_mbc_flexvm_unsupported_property_fails(void **state)
{
	(void)state;
	ASSERT_FAILS("memory-backend-ram,id=m0,size=1M,dump=off",
		     "flexvm does not support property 'dump' of "
		     "memory-backend-ram");
	ASSERT_FAILS("memory-backend-file,id=m0,size=1M,mem-path=/x,pmem=on",
		     "flexvm does not support property 'pmem' of "
		     "memory-backend-file");
}

static void test_mbc_prealloc_threads_range(void **state)
{
	(void)state;
	ASSERT_FAILS("memory-backend-ram,id=m0,size=1M,prealloc-threads=x",
		     "Parameter 'prealloc-threads' expects a uint64 value");
	ASSERT_FAILS("memory-backend-ram,id=m0,size=1M,prealloc-threads=-1",
		     "Parameter 'prealloc-threads' expects a uint64 value");
	ASSERT_FAILS("memory-backend-ram,id=m0,size=1M,"
		     "prealloc-threads=4294967296",
		     "Parameter 'prealloc-threads' expects uint32_t");
	assert_int_equal(ok("memory-backend-ram,id=m0,size=1M,"
			    "prealloc-threads=4294967295")->prealloc_threads,
			 UINT32_MAX);
}

static void test_mbc_duplicate_id_fails(void **state)
{
	(void)state;
	ok("memory-backend-ram,id=m0,size=1M");
	ASSERT_FAILS("memory-backend-memfd,id=m0,size=1M",
		     "Duplicate ID 'm0' for object");
	assert_int_equal(P.nr, 1);
}

static void test_mbc_too_many_backends_fails(void **state)
{
	char text[64];

	(void)state;
	for (unsigned i = 0; i < MAX_BACKENDS; i++) {
		snprintf(text, sizeof(text),
			 "memory-backend-ram,id=m%u,size=1M", i);
		ok(text);
	}
	ASSERT_FAILS("memory-backend-ram,id=mx,size=1M",
		     "too many memory backends (the maximum is 4)");
}

static void test_mbc_qom_type_missing_or_empty_fails(void **state)
{
	(void)state;
	ASSERT_FAILS("id=m0,size=1M", "Parameter 'qom-type' is missing");
	ASSERT_FAILS(",id=m0,size=1M",
		     "Parameter 'qom-type' does not accept value ''");
	ASSERT_FAILS("qom-type=,id=m0,size=1M",
		     "Parameter 'qom-type' does not accept value ''");
}

static void test_mbc_other_type_left_to_caller(void **state)
{
	(void)state;
	assert_int_equal(add("rng-random,id=r0"), -ENOENT);
	assert_false(error_is_set(&P.err));
	assert_int_equal(P.nr, 0);
}

static void test_mbc_json_form_fails(void **state)
{
	(void)state;
	ASSERT_FAILS("{\"qom-type\":\"memory-backend-ram\",\"id\":\"m0\"}",
		     "flexvm does not support the JSON form of -object");
}

static void test_mbc_help_lists_types(void **state)
{
	static const char list[] = "List of user creatable objects:\n"
		"  memory-backend-file\n  memory-backend-memfd\n"
		"  memory-backend-ram\n";

	(void)state;
	assert_int_equal(add("help"), 1);
	assert_string_equal(P.out, list);
	free(P.out);
	P.out = NULL;
	assert_int_equal(add("?"), 1);
	assert_string_equal(P.out, list);
}

static void test_mbc_type_help_lists_properties(void **state)
{
	(void)state;
	/* sorted as QEMU sorts "name=<type>", flexvm's properties only */
	assert_int_equal(add("memory-backend-file,help,id=x"), 1);
	assert_string_equal(P.out, "memory-backend-file options:\n"
		"  mem-path=<string>\n"
		"  prealloc-threads=<int> - Number of CPU threads to use for "
		"prealloc\n"
		"  prealloc=<bool>        - Preallocate memory\n"
		"  reserve=<bool>         - Reserve swap space (or huge pages) "
		"if applicable\n"
		"  share=<bool>           - Mark the memory as private to QEMU "
		"or shared\n"
		"  size=<int>             - Size of the memory region (ex: "
		"500M)\n");
}

static void test_mbc_memfd_help_has_hugetlb(void **state)
{
	(void)state;
	assert_int_equal(add("memory-backend-memfd,?"), 1);
	assert_non_null(strstr(P.out, "\n  hugetlb=<bool>         - Use huge "
				      "pages\n  hugetlbsize=<int>      - Huge "
				      "pages size (ex: 2M, 1G)\n"));
	assert_non_null(strstr(P.out, "\n  seal=<bool>            - Seal "
				      "growing & shrinking\n"));
}

/* memory_backend_config_check(): the creation-time checks. */
static const char *check(const char *text)
{
	static struct error err;
	const struct memory_backend_config *c = ok(text);

	error_clear(&err);
	if (!memory_backend_config_check(c, &err))
		return "";
	return err.msg;
}

static void test_mbc_check_valid_ok(void **state)
{
	(void)state;
	assert_string_equal(check("memory-backend-memfd,id=m0,size=2M,"
				  "hugetlb=on,hugetlbsize=2M"), "");
	/* without hugetlb=on the page size is not looked at */
	assert_string_equal(check("memory-backend-memfd,id=m1,size=2M,"
				  "hugetlbsize=3M"), "");
}

static void test_mbc_check_prealloc_without_reserve_fails(void **state)
{
	(void)state;
	/* QEMU 7.2 reports this one even when size is 0 as well */
	assert_string_equal(check("memory-backend-ram,id=m0,size=0,"
				  "prealloc=on,reserve=off,"
				  "prealloc-threads=0"),
			    "'prealloc=on' and 'reserve=off' are incompatible");
}

static void test_mbc_check_zero_values_fail(void **state)
{
	(void)state;
	assert_string_equal(check("memory-backend-memfd,id=m0,size=0,"
				  "hugetlbsize=0,prealloc-threads=0"),
			    "Property 'memory-backend-memfd.hugetlbsize' "
			    "doesn't take value '0'");
	assert_string_equal(check("memory-backend-ram,id=m1,size=0,"
				  "prealloc-threads=0"),
			    "property 'prealloc-threads' of "
			    "memory-backend-ram doesn't take value '0'");
	assert_string_equal(check("memory-backend-ram,id=m2,size=0"),
			    "property 'size' of memory-backend-ram doesn't "
			    "take value '0'");
}

static void test_mbc_check_hugetlbsize_power_of_2(void **state)
{
	(void)state;
	assert_string_equal(check("memory-backend-memfd,id=m0,size=2M,"
				  "hugetlb=on,hugetlbsize=3M"),
			    "Hugepage size must be a power of 2");
}

static void test_mbc_type_names(void **state)
{
	enum memory_backend_type t = MEMORY_BACKEND_RAM;

	(void)state;
	assert_int_equal(memory_backend_config_type_find("memory-backend-file",
							 &t), 0);
	assert_int_equal(t, MEMORY_BACKEND_FILE);
	assert_int_equal(memory_backend_config_type_find("memory-backend-foo",
							 &t), -ENOENT);
	assert_string_equal(memory_backend_config_type_name(
				    MEMORY_BACKEND_MEMFD),
			    "memory-backend-memfd");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mbc_ram_defaults_as_qemu),
		T(test_mbc_memfd_defaults_shared_and_sealed),
		T(test_mbc_every_property_parsed),
		T(test_mbc_file_path_with_escaped_comma),
		T(test_mbc_size_forms_accepted),
		T(test_mbc_short_form_boolean_accepted),
		T(test_mbc_missing_id_fails_first),
		T(test_mbc_bad_id_fails),
		T(test_mbc_missing_size_or_path_fails),
		T(test_mbc_bad_size_fails),
		T(test_mbc_bad_bool_fails),
		T(test_mbc_errors_in_schema_order),
		T(test_mbc_property_of_other_type_invalid),
		T(test_mbc_flexvm_unsupported_property_fails),
		T(test_mbc_prealloc_threads_range),
		T(test_mbc_duplicate_id_fails),
		T(test_mbc_too_many_backends_fails),
		T(test_mbc_qom_type_missing_or_empty_fails),
		T(test_mbc_other_type_left_to_caller),
		T(test_mbc_json_form_fails),
		T(test_mbc_help_lists_types),
		T(test_mbc_type_help_lists_properties),
		T(test_mbc_memfd_help_has_hugetlb),
		T(test_mbc_check_valid_ok),
		T(test_mbc_check_prealloc_without_reserve_fails),
		T(test_mbc_check_zero_values_fail),
		T(test_mbc_check_hugetlbsize_power_of_2),
		T(test_mbc_type_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
