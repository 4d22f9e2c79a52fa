// SPDX-License-Identifier: MIT
/*
 * virtqueue: ring validation at enable and the walk of well-formed
 * chains (direct, indirect, direct then indirect, zero-length
 * descriptors, buffers across RAM regions). Guest RAM is a malloc'd
 * buffer (vq_fixture.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "virtqueue_test_util.h"

static void test_virtqueue_enable_valid_layout_succeeds(void **state)
{
	struct t *t = *state;

	assert_int_equal(virtqueue_enable(&t->vq), 0);
	assert_true(t->vq.enabled);
}

static void test_virtqueue_enable_bad_size_fails(void **state)
{
	struct t *t = *state;

	t->vq.size = 12;
	assert_int_equal(virtqueue_enable(&t->vq), -EPROTO);
	t->vq.size = 0;
	assert_int_equal(virtqueue_enable(&t->vq), -EPROTO);
	assert_false(t->vq.enabled);
}

static void test_virtqueue_enable_size_above_max_fails(void **state)
{
	struct t *t = *state;

	t->vq.size = 256;
	assert_int_equal(virtqueue_enable(&t->vq), -EPROTO);
	assert_false(virtqueue_size_valid(&t->vq, 256));
}

static void test_virtqueue_enable_misaligned_desc_fails(void **state)
{
	struct t *t = *state;

	t->vq.desc_gpa = FX_DESC_GPA + 8;
	assert_int_equal(virtqueue_enable(&t->vq), -EPROTO);
	assert_non_null(strstr(t->vq.error, "descriptor table"));
}

static void test_virtqueue_enable_misaligned_used_fails(void **state)
{
	struct t *t = *state;

	t->vq.used_gpa = FX_USED_GPA + 2;
	assert_int_equal(virtqueue_enable(&t->vq), -EPROTO);
	assert_non_null(strstr(t->vq.error, "used ring"));
}

static void test_virtqueue_enable_desc_outside_ram_fails(void **state)
{
	struct t *t = *state;

	t->vq.desc_gpa = 0x1000;
	assert_int_equal(virtqueue_enable(&t->vq), -EPROTO);
	assert_non_null(strstr(t->vq.error, "not in guest RAM"));
}

static void test_virtqueue_enable_used_straddles_ram_end_fails(void **state)
{
	struct t *t = *state;

	/* 6 + 8 * 16 = 134 bytes do not fit in the last 64. */
	t->vq.used_gpa = FX_RAM_END - 64;
	assert_int_equal(virtqueue_enable(&t->vq), -EPROTO);
}

static void test_virtqueue_enable_avail_wraps_fails(void **state)
{
	struct t *t = *state;

	t->vq.avail_gpa = UINT64_MAX - 1;
	assert_int_equal(virtqueue_enable(&t->vq), -EPROTO);
}

static void test_virtqueue_pop_disabled_returns_zero(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_BUF_GPA, 8, 0, 0);
	fx_make_avail(&t->fx, 0);
	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 0);
}

static void test_virtqueue_pop_empty_returns_zero(void **state)
{
	struct t *t = *state;

	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 0);
}

static void test_virtqueue_pop_single_readable_returns_segment(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_DESC_GPA, 3, FX_BUF_GPA, 24, 0, 0);
	fx_make_avail(&t->fx, 3);
	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 1);
	assert_int_equal(t->elem.head, 3);
	assert_int_equal(t->elem.nr_readable, 1);
	assert_int_equal(t->elem.nr_writable, 0);
	assert_int_equal(t->elem.seg[0].gpa, FX_BUF_GPA);
	assert_int_equal(t->elem.seg[0].len, 24);
	assert_int_equal(t->elem.readable_len, 24);
	assert_int_equal(t->vq.last_avail_idx, 1);
}

static void test_virtqueue_pop_readable_then_writable_splits(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_BUF_GPA, 24, N, 5);
	fx_desc(&t->fx, FX_DESC_GPA, 5, FX_BUF_GPA + 0x100, 10, W | N, 2);
	fx_desc(&t->fx, FX_DESC_GPA, 2, FX_BUF_GPA + 0x200, 6, W, 0);
	fx_make_avail(&t->fx, 0);
	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 1);
	assert_int_equal(t->elem.nr_readable, 1);
	assert_int_equal(t->elem.nr_writable, 2);
	assert_int_equal(t->elem.seg[1].gpa, FX_BUF_GPA + 0x100);
	assert_int_equal(t->elem.seg[2].gpa, FX_BUF_GPA + 0x200);
	assert_int_equal(t->elem.readable_len, 24);
	assert_int_equal(t->elem.writable_len, 16);
}

static void test_virtqueue_pop_two_heads_in_order(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_DESC_GPA, 1, FX_BUF_GPA, 4, 0, 0);
	fx_desc(&t->fx, FX_DESC_GPA, 7, FX_BUF_GPA + 4, 4, 0, 0);
	fx_make_avail(&t->fx, 7);
	fx_make_avail(&t->fx, 1);
	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 1);
	assert_int_equal(t->elem.head, 7);
	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 1);
	assert_int_equal(t->elem.head, 1);
	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 0);
}

static void test_virtqueue_pop_chain_of_queue_size_succeeds(void **state)
{
	struct t *t = *state;

	for (unsigned i = 0; i < QSIZE; i++)
		fx_desc(&t->fx, FX_DESC_GPA, i, FX_BUF_GPA + 16 * i, 16,
			i + 1 < QSIZE ? N : 0, (uint16_t)(i + 1));
	fx_make_avail(&t->fx, 0);
	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 1);
	assert_int_equal(t->elem.nr_readable, QSIZE);
	assert_int_equal(t->elem.readable_len, 16 * QSIZE);
}

static void test_virtqueue_pop_full_ring_accepted(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_BUF_GPA, 4, 0, 0);
	for (unsigned i = 0; i < QSIZE; i++)
		fx_make_avail(&t->fx, 0);
	for (unsigned i = 0; i < QSIZE; i++)
		assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 1);
	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 0);
}

static void test_virtqueue_pop_indirect_returns_segments(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_IND_GPA, 0, FX_BUF_GPA, 24, N, 2);
	fx_desc(&t->fx, FX_IND_GPA, 2, FX_BUF_GPA + 0x100, 10, W, 0);
	fx_desc(&t->fx, FX_DESC_GPA, 4, FX_IND_GPA, 3 * 16, I, 0);
	fx_make_avail(&t->fx, 4);
	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 1);
	assert_int_equal(t->elem.head, 4);
	assert_int_equal(t->elem.nr_readable, 1);
	assert_int_equal(t->elem.nr_writable, 1);
	assert_int_equal(t->elem.seg[1].gpa, FX_BUF_GPA + 0x100);
	assert_int_equal(t->elem.writable_len, 10);
}

static void test_virtqueue_pop_direct_then_indirect_joined(void **state)
{
	struct t *t = *state;

	/* §2.7.5.3.2: direct descriptors, then one indirect. */
	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_BUF_GPA, 8, N, 1);
	fx_desc(&t->fx, FX_DESC_GPA, 1, FX_IND_GPA, 16, I, 0);
	fx_desc(&t->fx, FX_IND_GPA, 0, FX_BUF_GPA + 0x100, 32, W, 0);
	fx_make_avail(&t->fx, 0);
	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 1);
	assert_int_equal(t->elem.readable_len, 8);
	assert_int_equal(t->elem.writable_len, 32);
}

static void test_virtqueue_pop_indirect_write_flag_ignored(void **state)
{
	struct t *t = *state;

	/* The WRITE flag of the descriptor naming a table is ignored. */
	fx_desc(&t->fx, FX_IND_GPA, 0, FX_BUF_GPA, 8, 0, 0);
	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_IND_GPA, 16, I | W, 0);
	fx_make_avail(&t->fx, 0);
	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 1);
	assert_int_equal(t->elem.nr_readable, 1);
}

static void test_virtqueue_pop_zero_length_skipped(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_BUF_GPA, 8, N, 1);
	fx_desc(&t->fx, FX_DESC_GPA, 1, FX_BUF_GPA + 8, 0, W | N, 2);
	fx_desc(&t->fx, FX_DESC_GPA, 2, FX_BUF_GPA + 16, 4, W, 0);
	fx_make_avail(&t->fx, 0);
	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 1);
	assert_int_equal(t->elem.nr_readable, 1);
	assert_int_equal(t->elem.nr_writable, 1);
	assert_int_equal(t->elem.seg[1].gpa, FX_BUF_GPA + 16);
}

static void test_virtqueue_pop_zero_length_outside_ram_accepted(void **state)
{
	struct t *t = *state;

	/* An empty buffer names no memory: its address is not checked. */
	fx_desc(&t->fx, FX_DESC_GPA, 0, 0xdead0000ULL, 0, W, 0);
	fx_make_avail(&t->fx, 0);
	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 1);
	assert_int_equal(t->elem.nr_writable, 0);
	assert_int_equal(t->elem.writable_len, 0);
}

static void test_virtqueue_pop_buffer_across_regions_accepted(void **state)
{
	struct t *t = *state;
	static uint8_t next_region[0x1000];

	assert_int_equal(guest_mem_add(&t->fx.gm, "next", FX_RAM_END,
				       sizeof(next_region), next_region), 0);
	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_RAM_END - 0x10, 0x20, 0, 0);
	fx_make_avail(&t->fx, 0);
	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 1);
	assert_int_equal(t->elem.readable_len, 0x20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TD(test_virtqueue_enable_valid_layout_succeeds),
		TD(test_virtqueue_enable_bad_size_fails),
		TD(test_virtqueue_enable_size_above_max_fails),
		TD(test_virtqueue_enable_misaligned_desc_fails),
		TD(test_virtqueue_enable_misaligned_used_fails),
		TD(test_virtqueue_enable_desc_outside_ram_fails),
		TD(test_virtqueue_enable_used_straddles_ram_end_fails),
		TD(test_virtqueue_enable_avail_wraps_fails),
		TD(test_virtqueue_pop_disabled_returns_zero),
		T(test_virtqueue_pop_empty_returns_zero),
		T(test_virtqueue_pop_single_readable_returns_segment),
		T(test_virtqueue_pop_readable_then_writable_splits),
		T(test_virtqueue_pop_two_heads_in_order),
		T(test_virtqueue_pop_chain_of_queue_size_succeeds),
		T(test_virtqueue_pop_full_ring_accepted),
		TI(test_virtqueue_pop_indirect_returns_segments),
		TI(test_virtqueue_pop_direct_then_indirect_joined),
		TI(test_virtqueue_pop_indirect_write_flag_ignored),
		T(test_virtqueue_pop_zero_length_skipped),
		T(test_virtqueue_pop_zero_length_outside_ram_accepted),
		T(test_virtqueue_pop_buffer_across_regions_accepted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
