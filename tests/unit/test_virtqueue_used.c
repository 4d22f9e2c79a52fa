// SPDX-License-Identifier: MIT
/*
 * virtqueue: the used ring bytes, notification suppression (flags and
 * EVENT_IDX), copies in and out of an element's segments, and reset.
 * Guest RAM is a malloc'd buffer (vq_fixture.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "virtqueue_test_util.h"

static void pop_one(struct t *t, uint16_t head, uint32_t wlen)
{
	fx_desc(&t->fx, FX_DESC_GPA, head, FX_BUF_GPA, wlen, W, 0);
	fx_make_avail(&t->fx, head);
	assert_int_equal(virtqueue_pop(&t->vq, &t->elem), 1);
}

/* A driver's round trip: head @head popped, then used with no bytes. */
static void pop_push_empty(struct t *t, uint16_t head)
{
	pop_one(t, head, 8);
	assert_int_equal(virtqueue_push(&t->vq, &t->elem, 0), 0);
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
	pop_push_empty(t, 0);
	assert_false(virtqueue_should_notify(&t->vq));
}

static void test_virtqueue_notify_flags_zero_notifies(void **state)
{
	struct t *t = *state;

	pop_push_empty(t, 0);
	assert_true(virtqueue_should_notify(&t->vq));
}

static void test_virtqueue_notify_event_idx_reached_notifies(void **state)
{
	struct t *t = *state;

	virtqueue_set_features(&t->vq, 1ULL << VIRTIO_RING_F_EVENT_IDX);
	pop_push_empty(t, 0);
	assert_true(virtqueue_should_notify(&t->vq));	/* first: always */
	fx_set_used_event(&t->fx, 1);	/* wake me when idx passes 1 */
	pop_push_empty(t, 1);
	assert_true(virtqueue_should_notify(&t->vq));
}

static void test_virtqueue_notify_event_idx_not_reached_quiet(void **state)
{
	struct t *t = *state;

	virtqueue_set_features(&t->vq, 1ULL << VIRTIO_RING_F_EVENT_IDX);
	pop_push_empty(t, 0);
	assert_true(virtqueue_should_notify(&t->vq));
	fx_set_used_event(&t->fx, 5);
	pop_push_empty(t, 1);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
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
