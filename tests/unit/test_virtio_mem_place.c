// SPDX-License-Identifier: MIT
/*
 * The memory-device layer: where a virtio-mem device goes in the
 * device-memory window (QEMU 7.2's first fit and checks, with its
 * messages, plus flexvm's preference for 2 GiB alignment).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "hw/virtio/virtio_mem.h"

#define BS (2 * MiB)

#define WIN (8 * GiB)	/* window base, as memmap puts it */

static void test_place_first_device_at_window_start(void **state)
{
	uint64_t addr = 0;

	(void)state;
	assert_int_equal(virtio_mem_place(WIN, 4 * GiB, NULL, 0, GiB, BS,
					  NULL, &addr, NULL), 0);
	assert_int_equal(addr, WIN);
}

static void test_place_prefers_2gib_alignment(void **state)
{
	const struct virtio_mem_region used[] = { { WIN, GiB, "vm0" } };
	uint64_t addr = 0;

	(void)state;
	assert_int_equal(virtio_mem_place(WIN, 8 * GiB, used, 1, GiB, BS,
					  NULL, &addr, NULL), 0);
	assert_int_equal(addr, WIN + 2 * GiB);
}

static void test_place_falls_back_to_block_alignment(void **state)
{
	const struct virtio_mem_region used[] = { { WIN, GiB, "vm0" } };
	uint64_t addr = 0;

	(void)state;
	assert_int_equal(virtio_mem_place(WIN, 2 * GiB, used, 1, GiB, BS,
					  NULL, &addr, NULL), 0);
	assert_int_equal(addr, WIN + GiB);
}

static void test_place_skips_past_device_at_hint(void **state)
{
	const struct virtio_mem_region used[] = {
		{ WIN + GiB, GiB, "vm0" },
	};
	uint64_t addr = 0;

	(void)state;
	/* [WIN, +2G) collides, [WIN+2G, +2G) is free and aligned */
	assert_int_equal(virtio_mem_place(WIN, 8 * GiB, used, 1, 2 * GiB, BS,
					  NULL, &addr, NULL), 0);
	assert_int_equal(addr, WIN + 2 * GiB);
}

static void test_place_not_enough_space_fails(void **state)
{
	const struct virtio_mem_region used[] = { { WIN, 3 * GiB, "vm0" } };
	struct error err = { 0 };
	uint64_t addr;

	(void)state;
	assert_int_equal(virtio_mem_place(WIN, 0xe0000000, used, 1, GiB, BS,
					  NULL, &addr, &err), -ENOSPC);
	assert_string_equal(err.msg, "not enough space, currently 0xc0000000 "
			    "in use of total space for memory devices "
			    "0xe0000000");
}

static void test_place_misaligned_hint_fails(void **state)
{
	struct error err = { 0 };
	uint64_t addr, hint = WIN + 0x1000;

	(void)state;
	assert_int_equal(virtio_mem_place(WIN, 4 * GiB, NULL, 0, GiB, BS,
					  &hint, &addr, &err), -EINVAL);
	assert_string_equal(err.msg, "address must be aligned to 0x200000 "
			    "bytes");
}

static void test_place_size_not_aligned_fails(void **state)
{
	struct error err = { 0 };
	uint64_t addr;

	(void)state;
	assert_int_equal(virtio_mem_place(WIN, 4 * GiB, NULL, 0, GiB,
					  2 * GiB, NULL, &addr, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "backend memory size must be multiple of "
			    "0x80000000");
}

static void test_place_hint_outside_window_fails(void **state)
{
	struct error err = { 0 };
	uint64_t addr, hint = 0x200000;

	(void)state;
	assert_int_equal(virtio_mem_place(0x100000000, 0x60000000, NULL, 0,
					  GiB, BS, &hint, &addr, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "can't add memory device [0x200000:"
			    "0x40000000], usable range for memory devices "
			    "[0x100000000:0x60000000]");
}

static void test_place_hint_conflict_names_device(void **state)
{
	const struct virtio_mem_region used[] = {
		{ WIN + 2 * GiB, GiB, NULL }, { WIN, GiB, "vm0" },
	};
	struct error err = { 0 };
	uint64_t addr, hint = WIN + GiB / 2;

	(void)state;
	assert_int_equal(virtio_mem_place(WIN, 8 * GiB, used, 2, 2 * GiB, BS,
					  &hint, &addr, &err), -EBUSY);
	assert_string_equal(err.msg, "address range conflicts with memory "
			    "device id='vm0'");
	hint = WIN + GiB;
	error_clear(&err);
	assert_int_equal(virtio_mem_place(WIN, 8 * GiB, used, 2, 2 * GiB, BS,
					  &hint, &addr, &err), -EBUSY);
	assert_string_equal(err.msg, "address range conflicts with memory "
			    "device id='(unnamed)'");
}

static void test_place_hint_taken_as_given(void **state)
{
	uint64_t addr = 0, hint = WIN + 6 * MiB;

	(void)state;
	assert_int_equal(virtio_mem_place(WIN, 4 * GiB, NULL, 0, GiB, BS,
					  &hint, &addr, NULL), 0);
	assert_int_equal(addr, hint);
}

static void test_place_fragmented_window_fails(void **state)
{
	const struct virtio_mem_region used[] = {
		{ WIN + GiB, GiB, "vm0" },
	};
	struct error err = { 0 };
	uint64_t addr;

	(void)state;
	/* 2 GiB free in total, but in two 1 GiB holes */
	assert_int_equal(virtio_mem_place(WIN, 3 * GiB, used, 1, 2 * GiB, BS,
					  NULL, &addr, &err), -ENOSPC);
	assert_string_equal(err.msg, "could not find position in guest "
			    "address space for memory device - memory "
			    "fragmented due to alignments");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_place_first_device_at_window_start),
		cmocka_unit_test(test_place_prefers_2gib_alignment),
		cmocka_unit_test(test_place_falls_back_to_block_alignment),
		cmocka_unit_test(test_place_skips_past_device_at_hint),
		cmocka_unit_test(test_place_not_enough_space_fails),
		cmocka_unit_test(test_place_misaligned_hint_fails),
		cmocka_unit_test(test_place_size_not_aligned_fails),
		cmocka_unit_test(test_place_hint_outside_window_fails),
		cmocka_unit_test(test_place_hint_conflict_names_device),
		cmocka_unit_test(test_place_hint_taken_as_given),
		cmocka_unit_test(test_place_fragmented_window_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
