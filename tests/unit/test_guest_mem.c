// SPDX-License-Identifier: MIT
/*
 * guest_mem: region registration, the overflow-proof gpa -> hva translation
 * (wrap, len 0, straddling adjacent regions), copies, and anonymous host
 * mappings. Regions are backed by static buffers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mem/guest_mem.h"

#define LOW_GPA 0x1000ULL
#define HIGH_GPA 0x3000ULL	/* right after LOW: adjacent regions */
#define REGION_SIZE 0x2000ULL

static uint8_t low_buf[REGION_SIZE];
static uint8_t high_buf[REGION_SIZE];

/* Two adjacent regions: [0x1000, 0x3000) and [0x3000, 0x5000). */
static int setup_two(void **state)
{
	static struct guest_mem gm;

	memset(&gm, 0, sizeof(gm));
	memset(low_buf, 0x11, sizeof(low_buf));
	memset(high_buf, 0x22, sizeof(high_buf));
	if (guest_mem_add(&gm, "low", LOW_GPA, REGION_SIZE, low_buf) ||
	    guest_mem_add(&gm, "high", HIGH_GPA, REGION_SIZE, high_buf))
		return -1;
	*state = &gm;
	return 0;
}

static void test_guest_mem_add_zero_size_einval(void **state)
{
	struct guest_mem gm = { 0 };

	(void)state;
	assert_int_equal(guest_mem_add(&gm, "x", 0, 0, low_buf), -EINVAL);
	assert_int_equal(gm.nr_regions, 0);
}

static void test_guest_mem_add_wrapping_einval(void **state)
{
	struct guest_mem gm = { 0 };

	(void)state;
	assert_int_equal(guest_mem_add(&gm, "x", UINT64_MAX - 0xFFF, 0x1001,
				       low_buf),
			 -EINVAL);
}

static void test_guest_mem_add_ending_at_top_ok(void **state)
{
	struct guest_mem gm = { 0 };

	(void)state;
	assert_int_equal(guest_mem_add(&gm, "top", UINT64_MAX - 0xFFF, 0x1000,
				       low_buf),
			 0);
	assert_ptr_equal(guest_mem_ptr(&gm, UINT64_MAX, 1), low_buf + 0xFFF);
	assert_null(guest_mem_ptr(&gm, UINT64_MAX, 2));
}

static void test_guest_mem_add_null_hva_einval(void **state)
{
	struct guest_mem gm = { 0 };

	(void)state;
	assert_int_equal(guest_mem_add(&gm, "x", 0, 0x1000, NULL), -EINVAL);
}

static void test_guest_mem_add_overlap_eexist(void **state)
{
	struct guest_mem *gm = *state;

	assert_int_equal(guest_mem_add(gm, "x", HIGH_GPA - 1, 2, low_buf),
			 -EEXIST);
	assert_int_equal(guest_mem_add(gm, "x", 0, 0x10000, low_buf),
			 -EEXIST);
	assert_int_equal(gm->nr_regions, 2);
}

static void test_guest_mem_add_adjacent_ok(void **state)
{
	struct guest_mem *gm = *state;

	assert_int_equal(guest_mem_add(gm, "x", 0, LOW_GPA, low_buf), 0);
	assert_int_equal(gm->nr_regions, 3);
}

static void test_guest_mem_add_table_full_enospc(void **state)
{
	struct guest_mem gm = { 0 };
	unsigned i;

	(void)state;
	for (i = 0; i < GUEST_MEM_MAX_REGIONS; i++)
		assert_int_equal(guest_mem_add(&gm, "r", i * 0x1000ULL, 0x1000,
					       low_buf),
				 0);
	assert_int_equal(guest_mem_add(&gm, "r", 1ULL << 40, 0x1000, low_buf),
			 -ENOSPC);
}

static void test_guest_mem_ptr_inside_offset(void **state)
{
	struct guest_mem *gm = *state;

	assert_ptr_equal(guest_mem_ptr(gm, LOW_GPA + 0x10, 16),
			 low_buf + 0x10);
	assert_ptr_equal(guest_mem_ptr(gm, HIGH_GPA, REGION_SIZE), high_buf);
}

static void test_guest_mem_ptr_past_region_end_null(void **state)
{
	struct guest_mem *gm = *state;

	/* runs one byte past the high region, into nothing */
	assert_null(guest_mem_ptr(gm, HIGH_GPA + 1, REGION_SIZE));
}

static void test_guest_mem_ptr_straddling_adjacent_null(void **state)
{
	struct guest_mem *gm = *state;

	/* both bytes are RAM, but in two different host mappings */
	assert_null(guest_mem_ptr(gm, HIGH_GPA - 1, 2));
}

static void test_guest_mem_ptr_len_zero_as_one(void **state)
{
	struct guest_mem *gm = *state;

	assert_ptr_equal(guest_mem_ptr(gm, HIGH_GPA - 1, 0),
			 low_buf + REGION_SIZE - 1);
	assert_null(guest_mem_ptr(gm, HIGH_GPA + REGION_SIZE, 0));
}

static void test_guest_mem_ptr_wrapping_len_null(void **state)
{
	struct guest_mem *gm = *state;

	/* gpa + len wraps to a small value inside the low region */
	assert_null(guest_mem_ptr(gm, LOW_GPA + 0x10, UINT64_MAX - 0x8));
	assert_null(guest_mem_ptr(gm, LOW_GPA, UINT64_MAX));
}

static void test_guest_mem_ptr_unbacked_null(void **state)
{
	struct guest_mem *gm = *state;

	assert_null(guest_mem_ptr(gm, 0, 1));
	assert_null(guest_mem_ptr(gm, UINT64_MAX, 1));
}

static void test_guest_mem_find_returns_region(void **state)
{
	struct guest_mem *gm = *state;
	const struct guest_mem_region *r;

	r = guest_mem_find(gm, HIGH_GPA + REGION_SIZE - 1);
	assert_non_null(r);
	assert_string_equal(r->name, "high");
	assert_null(guest_mem_find(gm, HIGH_GPA + REGION_SIZE));
	assert_null(guest_mem_find(gm, LOW_GPA - 1));
}

static void test_guest_mem_write_read_round_trip(void **state)
{
	struct guest_mem *gm = *state;
	uint8_t out[4] = { 1, 2, 3, 4 }, in[4] = { 0 };

	assert_int_equal(guest_mem_write(gm, LOW_GPA + 8, out, 4), 0);
	assert_int_equal(guest_mem_read(gm, LOW_GPA + 8, in, 4), 0);
	assert_memory_equal(in, out, 4);
	assert_int_equal(low_buf[8], 1);
	assert_int_equal(low_buf[11], 4);
}

static void test_guest_mem_write_across_adjacent_split(void **state)
{
	struct guest_mem *gm = *state;
	uint8_t out[4] = { 0xa, 0xb, 0xc, 0xd };

	assert_int_equal(guest_mem_write(gm, HIGH_GPA - 2, out, 4), 0);
	assert_int_equal(low_buf[REGION_SIZE - 2], 0xa);
	assert_int_equal(low_buf[REGION_SIZE - 1], 0xb);
	assert_int_equal(high_buf[0], 0xc);
	assert_int_equal(high_buf[1], 0xd);
}

static void test_guest_mem_read_across_adjacent_split(void **state)
{
	struct guest_mem *gm = *state;
	uint8_t in[4] = { 0 };
	const uint8_t want[4] = { 0x11, 0x11, 0x22, 0x22 };

	assert_int_equal(guest_mem_read(gm, HIGH_GPA - 2, in, 4), 0);
	assert_memory_equal(in, want, 4);
}

static void test_guest_mem_write_partly_outside_efault_untouched(void **state)
{
	struct guest_mem *gm = *state;
	uint8_t out[4] = { 0xee, 0xee, 0xee, 0xee };

	/* the last two bytes are past the high region */
	assert_int_equal(guest_mem_write(gm, HIGH_GPA + REGION_SIZE - 2, out,
					 4),
			 -EFAULT);
	assert_int_equal(high_buf[REGION_SIZE - 2], 0x22);
	assert_int_equal(high_buf[REGION_SIZE - 1], 0x22);
}

static void test_guest_mem_read_wrapping_efault(void **state)
{
	struct guest_mem gm = { 0 };
	uint8_t in[2];

	(void)state;
	assert_int_equal(guest_mem_add(&gm, "top", UINT64_MAX - 0xFFF, 0x1000,
				       low_buf),
			 0);
	assert_int_equal(guest_mem_read(&gm, UINT64_MAX, in, 2), -EFAULT);
}

static void test_guest_mem_read_zero_len_ok(void **state)
{
	struct guest_mem *gm = *state;
	uint8_t in = 0x5a;

	assert_int_equal(guest_mem_read(gm, LOW_GPA, &in, 0), 0);
	assert_int_equal(in, 0x5a);
}

static void test_guest_mem_alloc_anon_zeroed_writable(void **state)
{
	uint8_t *p = guest_mem_alloc_anon(2 * MiB);

	(void)state;
	assert_non_null(p);
	assert_int_equal(p[0], 0);
	assert_int_equal(p[2 * MiB - 1], 0);
	p[4096] = 0x77;
	assert_int_equal(p[4096], 0x77);
	guest_mem_free_anon(p, 2 * MiB);
}

static void test_guest_mem_alloc_anon_zero_size_einval(void **state)
{
	(void)state;
	errno = 0;
	assert_null(guest_mem_alloc_anon(0));
	assert_int_equal(errno, EINVAL);
}

static void test_guest_mem_alloc_anon_1t_noreserve_ok(void **state)
{
	FILE *f = fopen("/proc/sys/vm/overcommit_memory", "r");
	int mode = -1;
	void *p;

	(void)state;
	if (f) {
		if (fscanf(f, "%d", &mode) != 1)
			mode = -1;
		fclose(f);
	}
	/* strict accounting (mode 2) ignores MAP_NORESERVE */
	if (mode == 2)
		skip();
	/* far more than this machine's RAM + swap: needs MAP_NORESERVE */
	p = guest_mem_alloc_anon(1 * TiB);
	assert_non_null(p);
	guest_mem_free_anon(p, 1 * TiB);
}

static void test_guest_mem_advise_hugepage_null_einval(void **state)
{
	(void)state;
	assert_int_equal(guest_mem_advise_hugepage(NULL, 2 * MiB), -EINVAL);
}

static void test_guest_mem_advise_hugepage_with_thp_ok(void **state)
{
	void *p;
	int ret;

	(void)state;
	if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK))
		skip();	/* kernel without THP: madvise says EINVAL */
	p = guest_mem_alloc_anon(4 * MiB);
	assert_non_null(p);
	ret = guest_mem_advise_hugepage(p, 4 * MiB);
	guest_mem_free_anon(p, 4 * MiB);
	assert_int_equal(ret, 0);
}

/* Allows only the first half of the region it guards. */
static bool first_half_only(void *opaque, uint64_t gpa, uint64_t len)
{
	uint64_t base = *(uint64_t *)opaque;

	return gpa + len <= base + REGION_SIZE / 2;
}

static void test_guest_mem_filter_refuses_ptr_outside_allowed(void **state)
{
	struct guest_mem *gm = *state;
	static uint64_t base = HIGH_GPA;

	assert_int_equal(guest_mem_set_filter(gm, HIGH_GPA, first_half_only,
					      &base), 0);
	assert_non_null(guest_mem_ptr(gm, HIGH_GPA, 16));
	assert_null(guest_mem_ptr(gm, HIGH_GPA + REGION_SIZE / 2, 16));
	assert_null(guest_mem_ptr(gm, HIGH_GPA + REGION_SIZE / 2 - 8, 16));
	/* The other region is unaffected. */
	assert_non_null(guest_mem_ptr(gm, LOW_GPA + REGION_SIZE - 16, 16));
}

static void test_guest_mem_filter_refuses_copy_untouched(void **state)
{
	struct guest_mem *gm = *state;
	static uint64_t base = HIGH_GPA;
	uint8_t buf[32];

	memset(buf, 0x77, sizeof(buf));
	assert_int_equal(guest_mem_set_filter(gm, HIGH_GPA, first_half_only,
					      &base), 0);
	assert_int_equal(guest_mem_write(gm, HIGH_GPA + REGION_SIZE / 2 - 16,
					 buf, sizeof(buf)), -EFAULT);
	assert_int_equal(high_buf[REGION_SIZE / 2 - 16], 0x22);
	assert_int_equal(guest_mem_read(gm, HIGH_GPA, buf, 16), 0);
}

static void test_guest_mem_filter_unknown_region_enoent(void **state)
{
	struct guest_mem *gm = *state;

	assert_int_equal(guest_mem_set_filter(gm, HIGH_GPA + 4096,
					      first_half_only, NULL), -ENOENT);
}

#define T(f) cmocka_unit_test(f)
#define TS(f) cmocka_unit_test_setup(f, setup_two)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_guest_mem_add_zero_size_einval),
		T(test_guest_mem_add_wrapping_einval),
		T(test_guest_mem_add_ending_at_top_ok),
		T(test_guest_mem_add_null_hva_einval),
		TS(test_guest_mem_add_overlap_eexist),
		TS(test_guest_mem_add_adjacent_ok),
		T(test_guest_mem_add_table_full_enospc),
		TS(test_guest_mem_ptr_inside_offset),
		TS(test_guest_mem_ptr_past_region_end_null),
		TS(test_guest_mem_ptr_straddling_adjacent_null),
		TS(test_guest_mem_ptr_len_zero_as_one),
		TS(test_guest_mem_ptr_wrapping_len_null),
		TS(test_guest_mem_ptr_unbacked_null),
		TS(test_guest_mem_find_returns_region),
		TS(test_guest_mem_write_read_round_trip),
		TS(test_guest_mem_write_across_adjacent_split),
		TS(test_guest_mem_read_across_adjacent_split),
		TS(test_guest_mem_write_partly_outside_efault_untouched),
		T(test_guest_mem_read_wrapping_efault),
		TS(test_guest_mem_read_zero_len_ok),
		T(test_guest_mem_alloc_anon_zeroed_writable),
		T(test_guest_mem_alloc_anon_zero_size_einval),
		T(test_guest_mem_alloc_anon_1t_noreserve_ok),
		T(test_guest_mem_advise_hugepage_null_einval),
		T(test_guest_mem_advise_hugepage_with_thp_ok),
		TS(test_guest_mem_filter_refuses_ptr_outside_allowed),
		TS(test_guest_mem_filter_refuses_copy_untouched),
		TS(test_guest_mem_filter_unknown_region_enoent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
