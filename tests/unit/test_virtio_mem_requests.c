// SPDX-License-Identifier: MIT
/*
 * virtio-mem device: the well-formed requests through a real virtqueue
 * (PLUG with and without prealloc, UNPLUG, UNPLUG_ALL, STATE), and the
 * order of slot mapping, discard and populate against the answer, also
 * when one of them fails. Single-threaded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>

#include "virtio_mem_test_util.h"

/* ---- PLUG ---- */

static void test_virtio_mem_plug_maps_before_ack(void **state)
{
	struct t *t = *state;

	go_live(t);
	assert_int_equal(request(t, VIRTIO_MEM_REQ_PLUG, gpa(0), 2),
			 VIRTIO_MEM_RESP_ACK);
	assert_int_equal(t->nr_log, 1);
	expect_op(t, 0, OP_ADD, ADDR, SLOT);
	assert_int_equal(t->log[0].used_idx, 0);	/* before the answer */
	assert_int_equal(config(t, 0x28), 2 * BS);
	assert_int_equal(t->nr_size_events, 1);
	assert_int_equal(t->last_size, 2 * BS);
}

/* Firecracker #5793: both slots a request crosses are mapped. */
static void test_virtio_mem_plug_across_slots_maps_both(void **state)
{
	struct t *t = *state;

	go_live(t);
	assert_int_equal(request(t, VIRTIO_MEM_REQ_PLUG, gpa(SLOT - BS), 2),
			 VIRTIO_MEM_RESP_ACK);
	assert_int_equal(t->nr_log, 2);
	expect_op(t, 0, OP_ADD, ADDR, SLOT);
	expect_op(t, 1, OP_ADD, ADDR + SLOT, SLOT);
}

static void test_virtio_mem_plug_beyond_requested_nacks(void **state)
{
	struct t *t = *state;

	go_live(t);
	assert_int_equal(request(t, VIRTIO_MEM_REQ_PLUG, gpa(0), 65),
			 VIRTIO_MEM_RESP_NACK);
	assert_int_equal(t->nr_log, 0);
	assert_int_equal(t->nr_size_events, 0);
}

static void test_virtio_mem_plug_unaligned_errors(void **state)
{
	struct t *t = *state;

	go_live(t);
	assert_int_equal(request(t, VIRTIO_MEM_REQ_PLUG, gpa(4096), 1),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(t->nr_log, 0);
}

static void test_virtio_mem_plug_map_failure_busy(void **state)
{
	struct t *t = *state;

	fail_nth(t, OP_ADD, 2, -ENOMEM);
	go_live(t);
	assert_int_equal(request(t, VIRTIO_MEM_REQ_PLUG, gpa(SLOT - BS), 2),
			 VIRTIO_MEM_RESP_BUSY);
	/* add, failed add, the first taken back: nothing left mapped */
	assert_int_equal(t->nr_log, 3);
	expect_op(t, 2, OP_REMOVE, ADDR, 0);
	assert_int_equal(t->table.nr_used, 0);
	assert_int_equal(config(t, 0x28), 0);
	assert_int_equal(t->nr_size_events, 0);
}

static void test_virtio_mem_prealloc_populates_then_maps(void **state)
{
	struct t *t = *state;

	t->mem.prealloc = true;
	go_live(t);
	assert_int_equal(request(t, VIRTIO_MEM_REQ_PLUG, gpa(BS), 3),
			 VIRTIO_MEM_RESP_ACK);
	assert_int_equal(t->nr_log, 2);
	expect_op(t, 0, OP_POPULATE, BS, 3 * BS);
	expect_op(t, 1, OP_ADD, ADDR, SLOT);
}

static void test_virtio_mem_prealloc_failure_busy(void **state)
{
	struct t *t = *state;

	t->mem.prealloc = true;
	fail_nth(t, OP_POPULATE, 1, -ENOMEM);
	go_live(t);
	assert_int_equal(request(t, VIRTIO_MEM_REQ_PLUG, gpa(BS), 3),
			 VIRTIO_MEM_RESP_BUSY);
	/* the partly populated range is given back; no slot was added */
	assert_int_equal(t->nr_log, 2);
	expect_op(t, 1, OP_DISCARD, BS, 3 * BS);
	assert_int_equal(t->table.nr_used, 0);
	assert_int_equal(config(t, 0x28), 0);
}

/* ---- UNPLUG ---- */

static void test_virtio_mem_unplug_keeps_slot_in_use(void **state)
{
	struct t *t = *state;

	go_live(t);
	request(t, VIRTIO_MEM_REQ_PLUG, gpa(0), 2);
	assert_int_equal(request(t, VIRTIO_MEM_REQ_UNPLUG, gpa(BS), 1),
			 VIRTIO_MEM_RESP_ACK);
	/* block 0 still lives in slot 0: only the discard */
	assert_int_equal(t->nr_log, 2);
	expect_op(t, 1, OP_DISCARD, BS, BS);
	assert_int_equal(config(t, 0x28), BS);
	assert_int_equal(t->last_size, BS);
}

static void test_virtio_mem_unplug_removes_then_discards(void **state)
{
	struct t *t = *state;

	go_live(t);
	request(t, VIRTIO_MEM_REQ_PLUG, gpa(SLOT - BS), 2);
	assert_int_equal(request(t, VIRTIO_MEM_REQ_UNPLUG, gpa(SLOT - BS), 2),
			 VIRTIO_MEM_RESP_ACK);
	assert_int_equal(t->nr_log, 5);
	expect_op(t, 2, OP_REMOVE, ADDR, 0);
	expect_op(t, 3, OP_REMOVE, ADDR + SLOT, 0);
	expect_op(t, 4, OP_DISCARD, SLOT - BS, 2 * BS);
	assert_int_equal(t->log[4].used_idx, 1);	/* before the ACK */
	assert_int_equal(t->table.nr_used, 0);
	assert_int_equal(t->last_size, 0);
}

static void test_virtio_mem_unplug_discard_failure_busy(void **state)
{
	struct t *t = *state;

	fail_nth(t, OP_DISCARD, 1, -EIO);
	go_live(t);
	request(t, VIRTIO_MEM_REQ_PLUG, gpa(0), 1);
	assert_int_equal(request(t, VIRTIO_MEM_REQ_UNPLUG, gpa(0), 1),
			 VIRTIO_MEM_RESP_BUSY);
	/* the slot came back: the block is still plugged, and usable */
	expect_op(t, 3, OP_ADD, ADDR, SLOT);
	assert_int_equal(t->table.nr_used, 1);
	assert_int_equal(config(t, 0x28), BS);
	assert_int_equal(t->nr_size_events, 1);
}

static void test_virtio_mem_unplug_not_plugged_errors(void **state)
{
	struct t *t = *state;

	go_live(t);
	assert_int_equal(request(t, VIRTIO_MEM_REQ_UNPLUG, gpa(0), 1),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(t->nr_log, 0);
}

/* ---- UNPLUG_ALL, STATE ---- */

static void test_virtio_mem_unplug_all_unmaps_and_discards(void **state)
{
	struct t *t = *state;

	go_live(t);
	request(t, VIRTIO_MEM_REQ_PLUG, gpa(SLOT - BS), 2);
	assert_int_equal(request(t, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0),
			 VIRTIO_MEM_RESP_ACK);
	assert_int_equal(t->nr_log, 5);
	assert_int_equal(t->log[2].op, OP_REMOVE);
	assert_int_equal(t->log[3].op, OP_REMOVE);
	expect_op(t, 4, OP_DISCARD, 0, REGION);
	assert_int_equal(config(t, 0x28), 0);
	assert_int_equal(t->last_size, 0);
}

static void test_virtio_mem_unplug_all_shrinks_usable(void **state)
{
	struct t *t = *state;

	go_live(t);
	assert_int_equal(virtio_mem_set_requested_size(&t->mem, 512 * MiB,
						       NULL), 0);
	assert_int_equal(virtio_mem_set_requested_size(&t->mem, 0, NULL), 0);
	assert_int_equal(config(t, 0x20), 768 * MiB);
	assert_int_equal(request(t, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0),
			 VIRTIO_MEM_RESP_ACK);
	assert_int_equal(config(t, 0x20), 0);
	assert_int_equal(t->nr_log, 0);	/* nothing was plugged */
	assert_int_equal(t->nr_size_events, 0);
}

static void test_virtio_mem_unplug_all_discard_failure_busy(void **state)
{
	struct t *t = *state;

	fail_nth(t, OP_DISCARD, 1, -EIO);
	go_live(t);
	request(t, VIRTIO_MEM_REQ_PLUG, gpa(0), 1);
	assert_int_equal(request(t, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0),
			 VIRTIO_MEM_RESP_BUSY);
	assert_int_equal(t->table.nr_used, 1);
	assert_int_equal(config(t, 0x28), BS);
}

static void test_virtio_mem_state_reports_mixed(void **state)
{
	struct t *t = *state;

	go_live(t);
	request(t, VIRTIO_MEM_REQ_PLUG, gpa(0), 1);
	assert_int_equal(request(t, VIRTIO_MEM_REQ_STATE, gpa(0), 2),
			 VIRTIO_MEM_RESP_ACK);
	assert_int_equal(fx_get16(&t->fx, RESP_GPA + 8),
			 VIRTIO_MEM_STATE_MIXED);
	assert_int_equal(request(t, VIRTIO_MEM_REQ_STATE, gpa(0), 1),
			 VIRTIO_MEM_RESP_ACK);
	assert_int_equal(fx_get16(&t->fx, RESP_GPA + 8),
			 VIRTIO_MEM_STATE_PLUGGED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_virtio_mem_plug_maps_before_ack),
		T(test_virtio_mem_plug_across_slots_maps_both),
		T(test_virtio_mem_plug_beyond_requested_nacks),
		T(test_virtio_mem_plug_unaligned_errors),
		T(test_virtio_mem_plug_map_failure_busy),
		T(test_virtio_mem_prealloc_populates_then_maps),
		T(test_virtio_mem_prealloc_failure_busy),
		T(test_virtio_mem_unplug_keeps_slot_in_use),
		T(test_virtio_mem_unplug_removes_then_discards),
		T(test_virtio_mem_unplug_discard_failure_busy),
		T(test_virtio_mem_unplug_not_plugged_errors),
		T(test_virtio_mem_unplug_all_unmaps_and_discards),
		T(test_virtio_mem_unplug_all_shrinks_usable),
		T(test_virtio_mem_unplug_all_discard_failure_busy),
		T(test_virtio_mem_state_reports_mixed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
