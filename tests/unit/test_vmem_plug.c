// SPDX-License-Identifier: MIT
/*
 * vmem_state requests: PLUG, UNPLUG and STATE answered in QEMU's order of
 * checks (range ERROR, then NACK, then state ERROR), edge ranges (usable
 * end, region end, 65535 blocks, wrap past 2^64), and vmem_state_handle()
 * from request bytes to response bytes.
 */
#include "vmem_fixture.h"

/* ---- PLUG ---- */

static void test_vmem_state_plug_ok_sets_blocks(void **state)
{
	struct vmem_state *st = *state;

	assert_int_equal(vmem_state_check_plug(st, gpa(10), 5),
			 VIRTIO_MEM_RESP_ACK);
	assert_int_equal(st->plugged_size, 0);	/* the check alone */
	assert_int_equal(vmem_state_commit_plug(st, gpa(10), 5), 0);
	assert_int_equal(st->plugged_size, 5 * BS);
	assert_false(vmem_state_block_plugged(st, 9));
	assert_true(vmem_state_all_plugged(st, 10, 5));
	assert_false(vmem_state_block_plugged(st, 15));
}

static void test_vmem_state_plug_over_requested_nack(void **state)
{
	struct vmem_state *st = *state;

	assert_int_equal(vmem_state_check_plug(st, gpa(0), REQ / BS + 1),
			 VIRTIO_MEM_RESP_NACK);
	assert_int_equal(vmem_state_check_plug(st, gpa(0), REQ / BS),
			 VIRTIO_MEM_RESP_ACK);
}

static void test_vmem_state_plug_at_requested_next_nack(void **state)
{
	struct vmem_state *st = *state;

	plug(st, 0, REQ / BS);
	assert_int_equal(st->plugged_size, REQ);
	assert_int_equal(vmem_state_check_plug(st, gpa(100), 1),
			 VIRTIO_MEM_RESP_NACK);
}

static void test_vmem_state_plug_after_requested_lowered_nack(void **state)
{
	struct vmem_state *st = *state;

	plug(st, 0, 32);
	set_requested(st, 32 * MiB);	/* below the 64 MiB plugged */
	assert_int_equal(vmem_state_check_plug(st, gpa(40), 1),
			 VIRTIO_MEM_RESP_NACK);
}

static void test_vmem_state_plug_already_plugged_error(void **state)
{
	struct vmem_state *st = *state;

	plug(st, 10, 4);
	assert_int_equal(vmem_state_check_plug(st, gpa(10), 4),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(vmem_state_commit_plug(st, gpa(10), 4), -EINVAL);
	assert_int_equal(st->plugged_size, 4 * BS);
}

static void test_vmem_state_plug_partly_plugged_error(void **state)
{
	struct vmem_state *st = *state;

	plug(st, 10, 4);
	assert_int_equal(vmem_state_check_plug(st, gpa(8), 3),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(vmem_state_check_plug(st, gpa(13), 2),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(vmem_state_check_plug(st, gpa(14), 2),
			 VIRTIO_MEM_RESP_ACK);
}

static void test_vmem_state_plug_nack_before_plugged_error(void **state)
{
	struct vmem_state *st = *state;

	plug(st, 0, REQ / BS);
	/* Already plugged and over requested: QEMU answers NACK first. */
	assert_int_equal(vmem_state_check_plug(st, gpa(0), 1),
			 VIRTIO_MEM_RESP_NACK);
}

static void test_vmem_state_plug_range_error_before_nack(void **state)
{
	struct vmem_state *st = *state;

	/* Unaligned and over requested: the range check comes first. */
	assert_int_equal(vmem_state_check_plug(st, gpa(0) + 4096, 1000),
			 VIRTIO_MEM_RESP_ERROR);
}

static void test_vmem_state_plug_unaligned_addr_error(void **state)
{
	struct vmem_state *st = *state;

	assert_int_equal(vmem_state_check_plug(st, gpa(1) - MiB, 1),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(vmem_state_check_plug(st, gpa(1) + 1, 1),
			 VIRTIO_MEM_RESP_ERROR);
}

static void test_vmem_state_plug_zero_blocks_error(void **state)
{
	struct vmem_state *st = *state;

	assert_int_equal(vmem_state_check_plug(st, gpa(0), 0),
			 VIRTIO_MEM_RESP_ERROR);
}

static void test_vmem_state_plug_below_region_error(void **state)
{
	struct vmem_state *st = *state;

	assert_int_equal(vmem_state_check_plug(st, ADDR - BS, 1),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(vmem_state_check_plug(st, ADDR - BS, 2),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(vmem_state_check_plug(st, 0, 1),
			 VIRTIO_MEM_RESP_ERROR);
}

static void test_vmem_state_plug_above_usable_in_region_error(void **state)
{
	struct vmem_state *st = *state;
	const uint64_t usable_blocks = st->usable_region_size / BS;

	assert_true(usable_blocks < NR_BLOCKS);
	assert_int_equal(vmem_state_check_plug(st, gpa(usable_blocks), 1),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(vmem_state_check_plug(st, gpa(usable_blocks - 1), 2),
			 VIRTIO_MEM_RESP_ERROR);
}

static void test_vmem_state_plug_exactly_at_usable_end_ack(void **state)
{
	struct vmem_state *st = *state;
	const uint64_t usable_blocks = st->usable_region_size / BS;

	plug(st, usable_blocks - 4, 4);
	assert_int_equal(st->plugged_size, 4 * BS);
	assert_true(vmem_state_all_plugged(st, usable_blocks - 4, 4));
}

static void test_vmem_state_plug_beyond_region_error(void **state)
{
	struct vmem_state *st = *state;

	set_requested(st, REGION);
	assert_int_equal(vmem_state_check_plug(st, gpa(NR_BLOCKS), 1),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(vmem_state_check_plug(st, gpa(NR_BLOCKS - 1), 2),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(vmem_state_check_plug(st, gpa(NR_BLOCKS - 1), 1),
			 VIRTIO_MEM_RESP_ACK);
}

static void test_vmem_state_plug_usable_zero_error(void **state)
{
	const struct vmem_params p = {
		.addr = ADDR, .region_size = REGION, .block_size = BS,
	};
	struct vmem_state st;

	(void)state;
	assert_int_equal(vmem_state_init(&st, &p), 0);
	assert_int_equal(vmem_state_check_plug(&st, gpa(0), 1),
			 VIRTIO_MEM_RESP_ERROR);
	vmem_state_destroy(&st);
}

static void test_vmem_state_plug_65535_blocks_ack(void **state)
{
	const struct vmem_params p = {
		.addr = 64 * GiB, .region_size = 256 * GiB, .block_size = BS,
		.requested_size = 128 * GiB,
	};
	struct vmem_state st;

	(void)state;
	assert_int_equal(vmem_state_init(&st, &p), 0);
	assert_int_equal(vmem_state_check_plug(&st, p.addr + BS, 65535),
			 VIRTIO_MEM_RESP_ACK);
	assert_int_equal(vmem_state_commit_plug(&st, p.addr + BS, 65535), 0);
	assert_int_equal(st.plugged_size, 65535 * BS);
	assert_int_equal(vmem_state_count_plugged(&st, 0, st.nr_blocks), 65535);
	assert_false(vmem_state_block_plugged(&st, 0));
	assert_true(vmem_state_block_plugged(&st, 65535));
	assert_false(vmem_state_block_plugged(&st, 65536));
	vmem_state_destroy(&st);
}

static void test_vmem_state_plug_size_wraps_2_64_error(void **state)
{
	/* A region ending 1 GiB below 2^64, in 1 GiB blocks. */
	const struct vmem_params p = {
		.addr = 0 - 2 * GiB, .region_size = 1 * GiB,
		.block_size = 1 * GiB, .requested_size = 1 * GiB,
	};
	struct vmem_state st;

	(void)state;
	assert_int_equal(vmem_state_init(&st, &p), 0);
	assert_int_equal(vmem_state_check_plug(&st, p.addr, 65535),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(vmem_state_check_plug(&st, 0 - GiB, 2),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(vmem_state_check_plug(&st, p.addr, 1),
			 VIRTIO_MEM_RESP_ACK);
	vmem_state_destroy(&st);
}

static void test_vmem_state_plug_size_product_overflow_error(void **state)
{
	/* 65535 blocks of 2^49 bytes do not fit in 64 bits. */
	const struct vmem_params p = {
		.addr = 1ULL << 49, .region_size = 1ULL << 50,
		.block_size = 1ULL << 49, .requested_size = 1ULL << 50,
	};
	struct vmem_state st;

	(void)state;
	assert_int_equal(vmem_state_init(&st, &p), 0);
	assert_int_equal(vmem_state_check_plug(&st, p.addr, 65535),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(vmem_state_check_plug(&st, p.addr, 2),
			 VIRTIO_MEM_RESP_ACK);
	vmem_state_destroy(&st);
}

/* ---- UNPLUG ---- */

static void test_vmem_state_unplug_ok_clears_blocks(void **state)
{
	struct vmem_state *st = *state;

	plug(st, 60, 10);
	assert_int_equal(vmem_state_check_unplug(st, gpa(62), 3),
			 VIRTIO_MEM_RESP_ACK);
	assert_int_equal(vmem_state_commit_unplug(st, gpa(62), 3), 0);
	assert_int_equal(st->plugged_size, 7 * BS);
	assert_true(vmem_state_all_plugged(st, 60, 2));
	assert_false(vmem_state_any_plugged(st, 62, 3));
	assert_true(vmem_state_all_plugged(st, 65, 5));
}

static void test_vmem_state_unplug_not_plugged_error(void **state)
{
	struct vmem_state *st = *state;

	assert_int_equal(vmem_state_check_unplug(st, gpa(0), 1),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(vmem_state_commit_unplug(st, gpa(0), 1), -EINVAL);
	assert_int_equal(st->plugged_size, 0);
}

static void test_vmem_state_unplug_partially_plugged_error(void **state)
{
	struct vmem_state *st = *state;

	plug(st, 10, 4);
	assert_int_equal(vmem_state_check_unplug(st, gpa(10), 5),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(vmem_state_check_unplug(st, gpa(9), 2),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(st->plugged_size, 4 * BS);
}

static void test_vmem_state_unplug_bad_range_error(void **state)
{
	struct vmem_state *st = *state;

	plug(st, 0, 4);
	assert_int_equal(vmem_state_check_unplug(st, gpa(0) + 4096, 1),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(vmem_state_check_unplug(st, gpa(0), 0),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(vmem_state_check_unplug(st, ADDR - BS, 2),
			 VIRTIO_MEM_RESP_ERROR);
}

static void test_vmem_state_unplug_over_requested_still_ack(void **state)
{
	struct vmem_state *st = *state;

	plug(st, 0, 8);
	set_requested(st, 0);
	assert_int_equal(vmem_state_check_unplug(st, gpa(0), 8),
			 VIRTIO_MEM_RESP_ACK);
}

/* ---- STATE ---- */

static void test_vmem_state_query_states(void **state)
{
	struct vmem_state *st = *state;
	uint16_t s = 0xffff;

	plug(st, 10, 4);
	assert_int_equal(vmem_state_query(st, gpa(10), 4, &s),
			 VIRTIO_MEM_RESP_ACK);
	assert_int_equal(s, VIRTIO_MEM_STATE_PLUGGED);
	assert_int_equal(vmem_state_query(st, gpa(0), 10, &s),
			 VIRTIO_MEM_RESP_ACK);
	assert_int_equal(s, VIRTIO_MEM_STATE_UNPLUGGED);
	assert_int_equal(vmem_state_query(st, gpa(9), 2, &s),
			 VIRTIO_MEM_RESP_ACK);
	assert_int_equal(s, VIRTIO_MEM_STATE_MIXED);
	assert_int_equal(vmem_state_query(st, gpa(13), 2, &s),
			 VIRTIO_MEM_RESP_ACK);
	assert_int_equal(s, VIRTIO_MEM_STATE_MIXED);
}

static void test_vmem_state_query_bad_range_error(void **state)
{
	struct vmem_state *st = *state;
	const uint64_t usable_blocks = st->usable_region_size / BS;
	uint16_t s = 0x7777;

	assert_int_equal(vmem_state_query(st, gpa(0), 0, &s),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(vmem_state_query(st, gpa(0) + MiB, 1, &s),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(vmem_state_query(st, gpa(usable_blocks), 1, &s),
			 VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(s, 0x7777);
}

/* ---- vmem_state_handle (bytes in, bytes out) ---- */

static enum vmem_violation handle(struct vmem_state *st, uint16_t type,
				  uint64_t addr, uint16_t nb, uint8_t *resp)
{
	uint8_t b[VMEM_REQ_SIZE];

	memset(b, 0xcc, sizeof(b));	/* padding must not matter */
	b[0] = type & 0xff;
	b[1] = type >> 8;
	for (int i = 0; i < 8; i++)
		b[8 + i] = (uint8_t)(addr >> (8 * i));
	b[16] = nb & 0xff;
	b[17] = nb >> 8;
	return vmem_state_handle(st, b, sizeof(b), VMEM_RESP_SIZE, resp);
}

static void test_vmem_state_handle_plug_then_state_bytes(void **state)
{
	struct vmem_state *st = *state;
	const uint8_t ack[VMEM_RESP_SIZE] = { 0 };
	const uint8_t mixed[VMEM_RESP_SIZE] = { 0, 0, 0, 0, 0, 0, 0, 0, 2, 0 };
	uint8_t resp[VMEM_RESP_SIZE];

	assert_int_equal(handle(st, VIRTIO_MEM_REQ_PLUG, gpa(2), 2, resp),
			 VMEM_VIOLATION_NONE);
	assert_memory_equal(resp, ack, sizeof(ack));
	assert_int_equal(handle(st, VIRTIO_MEM_REQ_STATE, gpa(0), 3, resp),
			 VMEM_VIOLATION_NONE);
	assert_memory_equal(resp, mixed, sizeof(mixed));
}

static void test_vmem_state_handle_nack_and_error_bytes(void **state)
{
	struct vmem_state *st = *state;
	uint8_t resp[VMEM_RESP_SIZE];

	handle(st, VIRTIO_MEM_REQ_PLUG, gpa(0), 65, resp);
	assert_int_equal(resp[0], VIRTIO_MEM_RESP_NACK);
	handle(st, VIRTIO_MEM_REQ_UNPLUG, gpa(0), 1, resp);
	assert_int_equal(resp[0], VIRTIO_MEM_RESP_ERROR);
	assert_int_equal(resp[8], 0);
}

static void test_vmem_state_handle_unplug_all_ack(void **state)
{
	struct vmem_state *st = *state;
	uint8_t resp[VMEM_RESP_SIZE];

	plug(st, 0, 64);
	assert_int_equal(handle(st, VIRTIO_MEM_REQ_UNPLUG_ALL, 0xbad, 7, resp),
			 VMEM_VIOLATION_NONE);
	assert_int_equal(resp[0], VIRTIO_MEM_RESP_ACK);
	assert_int_equal(st->plugged_size, 0);
}

static void test_vmem_state_handle_violation_changes_nothing(void **state)
{
	struct vmem_state *st = *state;
	uint8_t resp[VMEM_RESP_SIZE] = { 0x55 };
	uint8_t b[VMEM_REQ_SIZE] = { 0 };	/* PLUG of 0 blocks at 0 */

	plug(st, 0, 4);
	assert_int_equal(handle(st, 4, gpa(10), 1, resp), VMEM_VIOLATION_TYPE);
	assert_int_equal(vmem_state_handle(st, b, 23, 10, resp),
			 VMEM_VIOLATION_REQ_SIZE);
	assert_int_equal(vmem_state_handle(st, b, 24, 9, resp),
			 VMEM_VIOLATION_RESP_SIZE);
	assert_int_equal(resp[0], 0x55);
	assert_int_equal(st->plugged_size, 4 * BS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_vmem_state_plug_ok_sets_blocks),
		T(test_vmem_state_plug_over_requested_nack),
		T(test_vmem_state_plug_at_requested_next_nack),
		T(test_vmem_state_plug_after_requested_lowered_nack),
		T(test_vmem_state_plug_already_plugged_error),
		T(test_vmem_state_plug_partly_plugged_error),
		T(test_vmem_state_plug_nack_before_plugged_error),
		T(test_vmem_state_plug_range_error_before_nack),
		T(test_vmem_state_plug_unaligned_addr_error),
		T(test_vmem_state_plug_zero_blocks_error),
		T(test_vmem_state_plug_below_region_error),
		T(test_vmem_state_plug_above_usable_in_region_error),
		T(test_vmem_state_plug_exactly_at_usable_end_ack),
		T(test_vmem_state_plug_beyond_region_error),
		U(test_vmem_state_plug_usable_zero_error),
		U(test_vmem_state_plug_65535_blocks_ack),
		U(test_vmem_state_plug_size_wraps_2_64_error),
		U(test_vmem_state_plug_size_product_overflow_error),
		T(test_vmem_state_unplug_ok_clears_blocks),
		T(test_vmem_state_unplug_not_plugged_error),
		T(test_vmem_state_unplug_partially_plugged_error),
		T(test_vmem_state_unplug_bad_range_error),
		T(test_vmem_state_unplug_over_requested_still_ack),
		T(test_vmem_state_query_states),
		T(test_vmem_state_query_bad_range_error),
		T(test_vmem_state_handle_plug_then_state_bytes),
		T(test_vmem_state_handle_nack_and_error_bytes),
		T(test_vmem_state_handle_unplug_all_ack),
		T(test_vmem_state_handle_violation_changes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
