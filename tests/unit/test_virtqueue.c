// SPDX-License-Identifier: MIT
/*
 * virtqueue: ring validation at enable, chain walking (direct, indirect,
 * direct then indirect), every malicious chain a driver can build (loops,
 * indices and buffers out of range, wrapping and overflowing lengths,
 * wrong direction order, indirect misuse, avail idx jumps), zero-length
 * descriptors, the used ring bytes, notification suppression and element
 * copies. Guest RAM is a malloc'd buffer (vq_fixture.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "hw/virtio/virtqueue.h"
#include "vq_fixture.h"

#define QMAX 128
#define QSIZE 16
#define W VRING_DESC_F_WRITE
#define N VRING_DESC_F_NEXT
#define I VRING_DESC_F_INDIRECT

struct t {
	struct vq_fixture fx;
	struct virtqueue vq;
	struct virtqueue_elem elem;
};

static int setup_disabled(void **state)
{
	struct t *t = calloc(1, sizeof(*t));

	if (!t || vq_fixture_init(&t->fx, QSIZE))
		return -1;
	virtqueue_init(&t->vq, &t->fx.gm, QMAX);
	t->vq.size = QSIZE;
	t->vq.desc_gpa = FX_DESC_GPA;
	t->vq.avail_gpa = FX_AVAIL_GPA;
	t->vq.used_gpa = FX_USED_GPA;
	*state = t;
	return 0;
}

static int setup(void **state)
{
	struct t *t;

	if (setup_disabled(state))
		return -1;
	t = *state;
	return virtqueue_enable(&t->vq);
}

static int setup_indirect(void **state)
{
	struct t *t;

	if (setup(state))
		return -1;
	t = *state;
	virtqueue_set_features(&t->vq, 1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	vq_fixture_destroy(&t->fx);
	free(t);
	return 0;
}

/* Pop that must fail; checks the reason mentions @what. */
static void pop_fails(struct t *t, const char *what)
{
	uint16_t before = t->vq.last_avail_idx;

	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), -EPROTO);
	assert_non_null(strstr(t->vq.error, what));
	assert_int_equal(t->vq.last_avail_idx, before);
}

/* ---- enable ---- */

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

/* ---- well-formed chains ---- */

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

/* ---- malicious chains ---- */

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

static void test_virtqueue_pop_buffer_outside_ram_fails(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_DESC_GPA, 0, 0x1000, 16, 0, 0);
	fx_make_avail(&t->fx, 0);
	pop_fails(t, "not guest RAM");
}

static void test_virtqueue_pop_buffer_straddles_ram_end_fails(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_RAM_END - 8, 16, W, 0);
	fx_make_avail(&t->fx, 0);
	pop_fails(t, "not guest RAM");
}

static void test_virtqueue_pop_buffer_wraps_address_space_fails(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_DESC_GPA, 0, UINT64_MAX - 7, 16, 0, 0);
	fx_make_avail(&t->fx, 0);
	pop_fails(t, "not guest RAM");
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
	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_BUF_GPA + 0x800, 16, W, 0);
	fx_make_avail(&t->fx, 0);
	pop_fails(t, "not guest RAM");
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
	struct t *t = *state;

	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_IND_GPA, 24, I, 0);
	fx_make_avail(&t->fx, 0);
	pop_fails(t, "length 24 is not a non-zero multiple of 16");
}

static void test_virtqueue_pop_indirect_zero_length_fails(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_IND_GPA, 0, I, 0);
	fx_make_avail(&t->fx, 0);
	pop_fails(t, "length 0 is not");
}

static void test_virtqueue_pop_indirect_longer_than_queue_fails(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_IND_GPA, 16 * (QSIZE + 1), I, 0);
	fx_make_avail(&t->fx, 0);
	pop_fails(t, "longer than the queue");
}

static void test_virtqueue_pop_indirect_outside_ram_fails(void **state)
{
	struct t *t = *state;

	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_RAM_END - 16, 32, I, 0);
	fx_make_avail(&t->fx, 0);
	pop_fails(t, "indirect table");
}

static void test_virtqueue_pop_indirect_refused_by_filter_fails(void **state)
{
	struct t *t = *state;

	assert_int_equal(guest_mem_set_filter(&t->fx.gm, FX_RAM_GPA,
					      refuse_buf_page, NULL), 0);
	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_BUF_GPA, 32, I, 0);
	fx_make_avail(&t->fx, 0);
	pop_fails(t, "indirect table");
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

/* ---- used ring and notifications ---- */

static void pop_one(struct t *t, uint16_t head, uint32_t wlen)
{
	fx_desc(&t->fx, FX_DESC_GPA, head, FX_BUF_GPA, wlen, W, 0);
	fx_make_avail(&t->fx, head);
	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 1);
}

static void test_virtqueue_push_writes_used_entry_then_idx(void **state)
{
	struct t *t = *state;

	pop_one(t, 9, 64);
	assert_int_equal(virtqueue_push(&t->vq, &t->elem, 40), 0);
	assert_int_equal(fx_used_id(&t->fx, 0), 9);
	assert_int_equal(fx_used_len(&t->fx, 0), 40);
	assert_int_equal(fx_used_idx(&t->fx), 1);
	/* The bytes as a driver reads them: id 9, len 40, little endian. */
	assert_memory_equal(fx_hva(&t->fx, FX_USED_GPA + 4),
			    "\x09\0\0\0\x28\0\0\0", 8);
}

static void test_virtqueue_push_wraps_used_slot(void **state)
{
	struct t *t = *state;

	/* The 17th completion lands in slot 0 again, with len 7. */
	for (unsigned i = 0; i < QSIZE + 1; i++) {
		pop_one(t, (uint16_t)(i % QSIZE), 8);
		assert_int_equal(virtqueue_push(&t->vq, &t->elem,
						i == QSIZE ? 7 : 1), 0);
	}
	assert_int_equal(fx_used_idx(&t->fx), QSIZE + 1);
	assert_int_equal(fx_used_len(&t->fx, 0), 7);
	assert_int_equal(fx_used_len(&t->fx, 1), 1);
}

static void test_virtqueue_push_more_than_writable_einval(void **state)
{
	struct t *t = *state;

	pop_one(t, 0, 8);
	assert_int_equal(virtqueue_push(&t->vq, &t->elem, 9), -EINVAL);
	assert_int_equal(fx_used_idx(&t->fx), 0);
}

static void test_virtqueue_notify_no_interrupt_flag_suppresses(void **state)
{
	struct t *t = *state;

	fx_put16(&t->fx, FX_AVAIL_GPA, VRING_AVAIL_F_NO_INTERRUPT);
	pop_one(t, 0, 8);
	assert_int_equal(virtqueue_push(&t->vq, &t->elem, 0), 0);
	assert_false(virtqueue_should_notify(&t->vq));
}

static void test_virtqueue_notify_flags_zero_notifies(void **state)
{
	struct t *t = *state;

	pop_one(t, 0, 8);
	assert_int_equal(virtqueue_push(&t->vq, &t->elem, 0), 0);
	assert_true(virtqueue_should_notify(&t->vq));
}

static void test_virtqueue_notify_event_idx_reached_notifies(void **state)
{
	struct t *t = *state;

	virtqueue_set_features(&t->vq, 1ULL << VIRTIO_RING_F_EVENT_IDX);
	pop_one(t, 0, 8);
	assert_int_equal(virtqueue_push(&t->vq, &t->elem, 0), 0);
	assert_true(virtqueue_should_notify(&t->vq));	/* first: always */
	fx_set_used_event(&t->fx, 1);	/* wake me when idx passes 1 */
	pop_one(t, 1, 8);
	assert_int_equal(virtqueue_push(&t->vq, &t->elem, 0), 0);
	assert_true(virtqueue_should_notify(&t->vq));
}

static void test_virtqueue_notify_event_idx_not_reached_quiet(void **state)
{
	struct t *t = *state;

	virtqueue_set_features(&t->vq, 1ULL << VIRTIO_RING_F_EVENT_IDX);
	pop_one(t, 0, 8);
	assert_int_equal(virtqueue_push(&t->vq, &t->elem, 0), 0);
	assert_true(virtqueue_should_notify(&t->vq));
	fx_set_used_event(&t->fx, 5);
	pop_one(t, 1, 8);
	assert_int_equal(virtqueue_push(&t->vq, &t->elem, 0), 0);
	assert_false(virtqueue_should_notify(&t->vq));
}

static void test_virtqueue_pop_event_idx_publishes_avail_event(void **state)
{
	struct t *t = *state;

	virtqueue_set_features(&t->vq, 1ULL << VIRTIO_RING_F_EVENT_IDX);
	pop_one(t, 0, 8);
	pop_one(t, 1, 8);
	assert_int_equal(fx_avail_event(&t->fx), 2);
	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 0);
	assert_int_equal(fx_avail_event(&t->fx), 2);
}

/* ---- element copies ---- */

static void pop_two_segments(struct t *t, uint16_t flags)
{
	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_BUF_GPA, 4, flags | N, 1);
	fx_desc(&t->fx, FX_DESC_GPA, 1, FX_BUF_GPA + 0x100, 8, flags, 0);
	fx_make_avail(&t->fx, 0);
	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 1);
}

static void test_virtqueue_elem_read_spans_segments(void **state)
{
	struct t *t = *state;
	uint8_t out[6];

	memcpy(fx_hva(&t->fx, FX_BUF_GPA), "abcd", 4);
	memcpy(fx_hva(&t->fx, FX_BUF_GPA + 0x100), "efghijkl", 8);
	pop_two_segments(t, 0);
	assert_int_equal(virtqueue_elem_read(&t->elem, 2, out, 6), 0);
	assert_memory_equal(out, "cdefgh", 6);
}

static void test_virtqueue_elem_read_beyond_length_einval(void **state)
{
	struct t *t = *state;
	uint8_t out[16];

	pop_two_segments(t, 0);
	assert_int_equal(virtqueue_elem_read(&t->elem, 4, out, 9), -EINVAL);
	assert_int_equal(virtqueue_elem_read(&t->elem, UINT64_MAX, out, 1),
			 -EINVAL);
}

static void test_virtqueue_elem_write_spans_segments(void **state)
{
	struct t *t = *state;

	pop_two_segments(t, W);
	assert_int_equal(virtqueue_elem_write(&t->elem, 0, "0123456789ab",
					      12), 0);
	assert_memory_equal(fx_hva(&t->fx, FX_BUF_GPA), "0123", 4);
	assert_memory_equal(fx_hva(&t->fx, FX_BUF_GPA + 0x100), "456789ab",
			    8);
}

static void test_virtqueue_elem_write_to_readable_only_einval(void **state)
{
	struct t *t = *state;

	pop_two_segments(t, 0);
	assert_int_equal(virtqueue_elem_write(&t->elem, 0, "x", 1), -EINVAL);
	assert_int_equal(fx_hva(&t->fx, FX_BUF_GPA)[0], 0);
}

static void test_virtqueue_reset_disables_and_restores_size(void **state)
{
	struct t *t = *state;

	pop_one(t, 0, 8);
	virtqueue_reset(&t->vq);
	assert_false(t->vq.enabled);
	assert_int_equal(t->vq.size, QMAX);
	assert_int_equal(t->vq.last_avail_idx, 0);
	assert_int_equal(t->vq.desc_gpa, 0);
	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define TD(fn) cmocka_unit_test_setup_teardown(fn, setup_disabled, teardown)
#define TI(fn) cmocka_unit_test_setup_teardown(fn, setup_indirect, teardown)

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
		T(test_virtqueue_push_writes_used_entry_then_idx),
		T(test_virtqueue_push_wraps_used_slot),
		T(test_virtqueue_push_more_than_writable_einval),
		T(test_virtqueue_notify_no_interrupt_flag_suppresses),
		T(test_virtqueue_notify_flags_zero_notifies),
		T(test_virtqueue_notify_event_idx_reached_notifies),
		T(test_virtqueue_notify_event_idx_not_reached_quiet),
		T(test_virtqueue_pop_event_idx_publishes_avail_event),
		T(test_virtqueue_elem_read_spans_segments),
		T(test_virtqueue_elem_read_beyond_length_einval),
		T(test_virtqueue_elem_write_spans_segments),
		T(test_virtqueue_elem_write_to_readable_only_einval),
		T(test_virtqueue_reset_disables_and_restores_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
