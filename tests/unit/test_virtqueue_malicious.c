// SPDX-License-Identifier: MIT
/*
 * virtqueue: every malicious chain a driver can build (loops, indices and
 * buffers out of range, wrapping and overflowing lengths, memory refused
 * by a guest_mem filter, wrong direction order, indirect misuse, avail
 * idx jumps) must fail without consuming the head. Guest RAM is a
 * malloc'd buffer (vq_fixture.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "virtqueue_test_util.h"

/* Pop that must fail; checks the reason mentions @what. */
static void pop_fails(struct t *t, const char *what)
{
	uint16_t before = t->vq.last_avail_idx;

	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), -EPROTO);
	assert_non_null(strstr(t->vq.error, what));
	assert_int_equal(t->vq.last_avail_idx, before);
}

static void test_virtqueue_pop_loop_fails(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_BUF_GPA, 0, N, 1);
	fx_desc(&t->fx, FX_DESC_GPA, 1, FX_BUF_GPA, 0, N, 0);
	fx_make_avail(&t->fx, 0);
	pop_fails(t, "loop");
}

static void test_virtqueue_pop_self_loop_fails(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_DESC_GPA, 3, FX_BUF_GPA, 4, N, 3);
	fx_make_avail(&t->fx, 3);
	pop_fails(t, "loop");
}

static void test_virtqueue_pop_next_out_of_range_fails(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_BUF_GPA, 4, N, QSIZE);
	fx_make_avail(&t->fx, 0);
	pop_fails(t, "next index 16 out of range");
}

static void test_virtqueue_pop_head_out_of_range_fails(void **state)
{
	struct t *t = *state;

	fx_make_avail(&t->fx, QSIZE);
	pop_fails(t, "head index 16 out of range");
}

static void test_virtqueue_pop_avail_idx_jump_fails(void **state)
{
	struct t *t = *state;

	fx_put16(&t->fx, FX_AVAIL_GPA + 2, QSIZE + 1);
	pop_fails(t, "entries ahead");
}

static void test_virtqueue_pop_avail_idx_backwards_fails(void **state)
{
	struct t *t = *state;

	/* Decrementing idx looks like a jump of 65535 entries. */
	fx_put16(&t->fx, FX_AVAIL_GPA + 2, 0xffff);
	pop_fails(t, "entries ahead");
}

/*
 * Makes descriptor 0 (@gpa, @len, @flags, no next) the next available
 * head, then pops; see pop_fails().
 */
static void pop_one_desc_fails(struct t *t, uint64_t gpa, uint32_t len,
			       uint16_t flags, const char *what)
{
	fx_desc(&t->fx, FX_DESC_GPA, 0, gpa, len, flags, 0);
	fx_make_avail(&t->fx, 0);
	pop_fails(t, what);
}

static void test_virtqueue_pop_buffer_outside_ram_fails(void **state)
{
	pop_one_desc_fails(*state, 0x1000, 16, 0, "not guest RAM");
}

static void test_virtqueue_pop_buffer_straddles_ram_end_fails(void **state)
{
	pop_one_desc_fails(*state, FX_RAM_END - 8, 16, W, "not guest RAM");
}

static void test_virtqueue_pop_buffer_wraps_address_space_fails(void **state)
{
	pop_one_desc_fails(*state, UINT64_MAX - 7, 16, 0, "not guest RAM");
}

/* A guest_mem filter that refuses the first page of the data buffers,
 * as virtio-mem refuses its unplugged blocks. */
static bool refuse_buf_page(void *opaque, uint64_t gpa, uint64_t len)
{
	(void)opaque;
	return gpa >= FX_BUF_GPA + 0x1000 || gpa + len <= FX_BUF_GPA;
}

static void test_virtqueue_pop_buffer_refused_by_filter_fails(void **state)
{
	struct t *t = *state;

	assert_int_equal(guest_mem_set_filter(&t->fx.gm, FX_RAM_GPA,
					      refuse_buf_page, NULL), 0);
	pop_one_desc_fails(t, FX_BUF_GPA + 0x800, 16, W, "not guest RAM");
}

static void test_virtqueue_pop_buffer_beside_filter_succeeds(void **state)
{
	struct t *t = *state;

	assert_int_equal(guest_mem_set_filter(&t->fx.gm, FX_RAM_GPA,
					      refuse_buf_page, NULL), 0);
	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_BUF_GPA + 0x1000, 16, W, 0);
	fx_make_avail(&t->fx, 0);
	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 1);
	assert_int_equal(t->elem.writable_len, 16);
}

static void test_virtqueue_pop_total_over_4gib_fails(void **state)
{
	struct t *t = *state;
	uint64_t big = 3 * GiB;
	void *hva = guest_mem_alloc_anon(big);

	/* Two 3 GiB buffers, each in RAM: 6 GiB is over the 2^32 cap. */
	assert_non_null(hva);
	assert_int_equal(guest_mem_add(&t->fx.gm, "big", 4 * GiB, big, hva),
			 0);
	fx_desc(&t->fx, FX_DESC_GPA, 0, 4 * GiB, (uint32_t)big, N, 1);
	fx_desc(&t->fx, FX_DESC_GPA, 1, 4 * GiB, (uint32_t)big, 0, 0);
	fx_make_avail(&t->fx, 0);
	pop_fails(t, "longer than 4 GiB");
	guest_mem_free_anon(hva, big);
}

static void test_virtqueue_pop_readable_after_writable_fails(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_BUF_GPA, 8, W | N, 1);
	fx_desc(&t->fx, FX_DESC_GPA, 1, FX_BUF_GPA + 8, 8, 0, 0);
	fx_make_avail(&t->fx, 0);
	pop_fails(t, "readable descriptor after a writable");
}

static void test_virtqueue_pop_too_many_segments_fails(void **state)
{
	struct t *t = *state;
	unsigned n = VIRTQUEUE_ELEM_MAX_SEGS + 1;

	t->vq.enabled = false;
	t->vq.size = QMAX;
	t->fx.size = QMAX;
	assert_int_equal(virtqueue_enable(&t->vq), 0);
	for (unsigned i = 0; i < n; i++)
		fx_desc(&t->fx, FX_DESC_GPA, i, FX_BUF_GPA + i, 1,
			i + 1 < n ? N : 0, (uint16_t)(i + 1));
	fx_make_avail(&t->fx, 0);
	pop_fails(t, "more than 64 buffers");
}

static void test_virtqueue_pop_indirect_without_feature_fails(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_IND_GPA, 0, FX_BUF_GPA, 8, 0, 0);
	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_IND_GPA, 16, I, 0);
	fx_make_avail(&t->fx, 0);
	pop_fails(t, "without VIRTIO_RING_F_INDIRECT_DESC");
}

static void test_virtqueue_pop_nested_indirect_fails(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_IND_GPA, 0, FX_IND_GPA + 0x100, 16, I, 0);
	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_IND_GPA, 16, I, 0);
	fx_make_avail(&t->fx, 0);
	pop_fails(t, "inside an indirect table");
}

static void test_virtqueue_pop_indirect_with_next_fails(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_IND_GPA, 0, FX_BUF_GPA, 8, 0, 0);
	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_IND_GPA, 16, I | N, 1);
	fx_desc(&t->fx, FX_DESC_GPA, 1, FX_BUF_GPA, 8, 0, 0);
	fx_make_avail(&t->fx, 0);
	pop_fails(t, "with the NEXT flag");
}

static void test_virtqueue_pop_indirect_bad_length_fails(void **state)
{
	pop_one_desc_fails(*state, FX_IND_GPA, 24, I,
			   "length 24 is not a non-zero multiple of 16");
}

static void test_virtqueue_pop_indirect_zero_length_fails(void **state)
{
	pop_one_desc_fails(*state, FX_IND_GPA, 0, I, "length 0 is not");
}

static void test_virtqueue_pop_indirect_longer_than_queue_fails(void **state)
{
	pop_one_desc_fails(*state, FX_IND_GPA, 16 * (QSIZE + 1), I,
			   "longer than the queue");
}

static void test_virtqueue_pop_indirect_outside_ram_fails(void **state)
{
	pop_one_desc_fails(*state, FX_RAM_END - 16, 32, I, "indirect table");
}

static void test_virtqueue_pop_indirect_refused_by_filter_fails(void **state)
{
	struct t *t = *state;

	assert_int_equal(guest_mem_set_filter(&t->fx.gm, FX_RAM_GPA,
					      refuse_buf_page, NULL), 0);
	pop_one_desc_fails(t, FX_BUF_GPA, 32, I, "indirect table");
}

static void test_virtqueue_pop_indirect_loop_fails(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_IND_GPA, 0, FX_BUF_GPA, 4, N, 1);
	fx_desc(&t->fx, FX_IND_GPA, 1, FX_BUF_GPA, 4, N, 0);
	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_IND_GPA, 32, I, 0);
	fx_make_avail(&t->fx, 0);
	pop_fails(t, "loop in an indirect table");
}

static void test_virtqueue_pop_indirect_next_out_of_range_fails(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_IND_GPA, 0, FX_BUF_GPA, 4, N, 2);
	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_IND_GPA, 32, I, 0);
	fx_make_avail(&t->fx, 0);
	pop_fails(t, "indirect next index 2 out of range");
}

static void test_virtqueue_pop_indirect_bad_direction_fails(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_BUF_GPA, 8, W | N, 1);
	fx_desc(&t->fx, FX_DESC_GPA, 1, FX_IND_GPA, 16, I, 0);
	fx_desc(&t->fx, FX_IND_GPA, 0, FX_BUF_GPA + 8, 8, 0, 0);
	fx_make_avail(&t->fx, 0);
	pop_fails(t, "readable descriptor after a writable");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_virtqueue_pop_loop_fails),
		T(test_virtqueue_pop_self_loop_fails),
		T(test_virtqueue_pop_next_out_of_range_fails),
		T(test_virtqueue_pop_head_out_of_range_fails),
		T(test_virtqueue_pop_avail_idx_jump_fails),
		T(test_virtqueue_pop_avail_idx_backwards_fails),
		T(test_virtqueue_pop_buffer_outside_ram_fails),
		T(test_virtqueue_pop_buffer_straddles_ram_end_fails),
		T(test_virtqueue_pop_buffer_wraps_address_space_fails),
		T(test_virtqueue_pop_buffer_refused_by_filter_fails),
		T(test_virtqueue_pop_buffer_beside_filter_succeeds),
		T(test_virtqueue_pop_total_over_4gib_fails),
		T(test_virtqueue_pop_readable_after_writable_fails),
		T(test_virtqueue_pop_too_many_segments_fails),
		T(test_virtqueue_pop_indirect_without_feature_fails),
		TI(test_virtqueue_pop_nested_indirect_fails),
		TI(test_virtqueue_pop_indirect_with_next_fails),
		TI(test_virtqueue_pop_indirect_bad_length_fails),
		TI(test_virtqueue_pop_indirect_zero_length_fails),
		TI(test_virtqueue_pop_indirect_longer_than_queue_fails),
		TI(test_virtqueue_pop_indirect_outside_ram_fails),
		TI(test_virtqueue_pop_indirect_refused_by_filter_fails),
		TI(test_virtqueue_pop_indirect_loop_fails),
		TI(test_virtqueue_pop_indirect_next_out_of_range_fails),
		TI(test_virtqueue_pop_indirect_bad_direction_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
