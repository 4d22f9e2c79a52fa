// SPDX-License-Identifier: MIT
/*
 * virtio-mem device: identity, features and config bytes, protocol
 * violations (needs reset, not completed), requested-size, virtio and
 * system reset, with the recording fixture of virtio_mem_test_util.h.
 * The requests themselves are in test_virtio_mem_requests.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>

#include <linux/virtio_ids.h>

#include "virtio_mem_test_util.h"

/* ---- identity, features, config ---- */

static void test_virtio_mem_identity_and_features(void **state)
{
	struct t *t = *state;
	struct virtio_device *vdev = &t->mem.vdev;

	assert_int_equal(vdev->device_id, VIRTIO_ID_MEM);
	assert_int_equal(vdev->config_size, 56);
	assert_int_equal(vdev->nr_queues, 1);
	assert_int_equal(virtio_queue(vdev, 0)->max_size, 128);
	assert_int_equal(virtio_host_features(vdev),
			 1ULL << VIRTIO_F_VERSION_1 |
			 1ULL << VIRTIO_RING_F_INDIRECT_DESC |
			 1ULL << VIRTIO_RING_F_EVENT_IDX |
			 1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE);
}

static void test_virtio_mem_driver_without_ui_refused(void **state)
{
	struct t *t = *state;

	negotiate(t, 1ULL << VIRTIO_F_VERSION_1);
	assert_int_equal(t->mem.vdev.status & S(FEATURES_OK), 0);
}

static void test_virtio_mem_driver_with_ui_accepted(void **state)
{
	struct t *t = *state;

	negotiate(t, 1ULL << VIRTIO_F_VERSION_1 |
		     1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE);
	assert_int_equal(t->mem.vdev.status & S(FEATURES_OK), S(FEATURES_OK));
}

static void test_virtio_mem_ui_off_neither_offered_nor_required(void **state)
{
	struct t *t = new_t(false);

	(void)state;
	assert_non_null(t);
	assert_int_equal(virtio_host_features(&t->mem.vdev) &
			 (1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE), 0);
	negotiate(t, 1ULL << VIRTIO_F_VERSION_1);
	assert_int_equal(t->mem.vdev.status & S(FEATURES_OK), S(FEATURES_OK));
	teardown((void **)&t);
}

static void test_virtio_mem_config_bytes(void **state)
{
	struct t *t = *state;

	assert_int_equal(config(t, 0x00), BS);
	assert_int_equal(virtio_config_read(&t->mem.vdev, 0x08, 2), 0);
	assert_int_equal(config(t, 0x10), ADDR);
	assert_int_equal(config(t, 0x18), REGION);
	assert_int_equal(config(t, 0x20), REQUESTED + 256 * MiB);
	assert_int_equal(config(t, 0x28), 0);
	assert_int_equal(config(t, 0x30), REQUESTED);
}

/* ---- protocol violations: needs reset, not completed ---- */

static void expect_needs_reset(struct t *t)
{
	assert_int_equal(fx_used_idx(&t->fx), 0);
	assert_int_equal(t->mem.vdev.status & S(NEEDS_RESET), S(NEEDS_RESET));
	assert_int_equal(t->nr_config_irq, 1);
	assert_int_equal(t->nr_log, 0);
}

static void test_virtio_mem_short_request_needs_reset(void **state)
{
	struct t *t = *state;

	go_live(t);
	post(t, VIRTIO_MEM_REQ_PLUG, gpa(0), 1, 16, VMEM_RESP_SIZE);
	expect_needs_reset(t);
}

static void test_virtio_mem_short_response_needs_reset(void **state)
{
	struct t *t = *state;

	go_live(t);
	post(t, VIRTIO_MEM_REQ_PLUG, gpa(0), 1, VMEM_REQ_SIZE, 8);
	expect_needs_reset(t);
	assert_int_equal(config(t, 0x28), 0);
}

static void test_virtio_mem_unknown_type_needs_reset(void **state)
{
	struct t *t = *state;

	go_live(t);
	post(t, 7, gpa(0), 1, VMEM_REQ_SIZE, VMEM_RESP_SIZE);
	expect_needs_reset(t);
}

/* ---- requested-size ---- */

static void test_virtio_mem_requested_size_grows_usable(void **state)
{
	struct t *t = *state;

	go_live(t);
	assert_int_equal(virtio_mem_set_requested_size(&t->mem, 512 * MiB,
						       NULL), 0);
	assert_int_equal(config(t, 0x30), 512 * MiB);
	assert_int_equal(config(t, 0x20), 768 * MiB);
	assert_int_equal(t->nr_config_irq, 1);
}

static void test_virtio_mem_same_requested_size_still_notifies(void **state)
{
	struct t *t = *state;

	go_live(t);
	assert_int_equal(virtio_mem_set_requested_size(&t->mem, REQUESTED,
						       NULL), 0);
	assert_int_equal(t->nr_config_irq, 1);
}

static void test_virtio_mem_requested_size_unaligned_fails(void **state)
{
	struct t *t = *state;
	struct error err = { 0 };

	go_live(t);
	assert_int_equal(virtio_mem_set_requested_size(&t->mem, 3 * MiB,
						       &err), -EINVAL);
	assert_string_equal(err.msg, "'requested-size' has to be multiples "
			    "of 'block-size' (0x200000)");
	assert_int_equal(config(t, 0x30), REQUESTED);
	assert_int_equal(t->nr_config_irq, 0);
}

static void test_virtio_mem_requested_size_too_big_fails(void **state)
{
	struct t *t = *state;
	struct error err = { 0 };

	go_live(t);
	assert_int_equal(virtio_mem_set_requested_size(&t->mem, 2 * GiB,
						       &err), -EINVAL);
	assert_string_equal(err.msg, "'requested-size' cannot exceed the "
			    "memory backend size(0x40000000)");
	assert_int_equal(t->nr_config_irq, 0);
}

/* ---- resets ---- */

static void test_virtio_mem_virtio_reset_keeps_blocks(void **state)
{
	struct t *t = *state;

	go_live(t);
	request(t, VIRTIO_MEM_REQ_PLUG, gpa(0), 4);
	virtio_set_status(&t->mem.vdev, 0);
	assert_int_equal(config(t, 0x28), 4 * BS);
	assert_int_equal(t->table.nr_used, 1);
	assert_int_equal(t->nr_log, 1);	/* no remove, no discard */
}

static void test_virtio_mem_system_reset_unplugs_all(void **state)
{
	struct t *t = *state;

	go_live(t);
	assert_int_equal(virtio_mem_set_requested_size(&t->mem, 512 * MiB,
						       NULL), 0);
	request(t, VIRTIO_MEM_REQ_PLUG, gpa(SLOT - BS), 2);
	virtio_system_reset(&t->mem.vdev);
	assert_int_equal(t->mem.vdev.status, 0);
	assert_int_equal(config(t, 0x28), 0);
	assert_int_equal(config(t, 0x20), 768 * MiB);
	assert_int_equal(t->table.nr_used, 0);
	expect_op(t, 4, OP_DISCARD, 0, REGION);
	assert_int_equal(t->last_size, 0);
	assert_int_equal(t->nr_size_events, 2);
}

static void test_virtio_mem_system_reset_discard_failure_unplugs(void **state)
{
	struct t *t = *state;

	fail_nth(t, OP_DISCARD, 1, -EIO);
	go_live(t);
	request(t, VIRTIO_MEM_REQ_PLUG, gpa(0), 1);
	virtio_system_reset(&t->mem.vdev);
	assert_int_equal(config(t, 0x28), 0);
	assert_int_equal(t->table.nr_used, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_virtio_mem_identity_and_features),
		T(test_virtio_mem_driver_without_ui_refused),
		T(test_virtio_mem_driver_with_ui_accepted),
		U(test_virtio_mem_ui_off_neither_offered_nor_required),
		T(test_virtio_mem_config_bytes),
		T(test_virtio_mem_short_request_needs_reset),
		T(test_virtio_mem_short_response_needs_reset),
		T(test_virtio_mem_unknown_type_needs_reset),
		T(test_virtio_mem_requested_size_grows_usable),
		T(test_virtio_mem_same_requested_size_still_notifies),
		T(test_virtio_mem_requested_size_unaligned_fails),
		T(test_virtio_mem_requested_size_too_big_fails),
		T(test_virtio_mem_virtio_reset_keeps_blocks),
		T(test_virtio_mem_system_reset_unplugs_all),
		T(test_virtio_mem_system_reset_discard_failure_unplugs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
