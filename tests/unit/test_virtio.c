// SPDX-License-Identifier: MIT
/*
 * virtio core: the status machine (FEATURES_OK refusal, DRIVER_OK
 * activation, reset), feature negotiation, device config access and its
 * generation counter, and the needs-reset answer to protocol errors,
 * with a fake device model and a fake transport that counts interrupts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "hw/virtio/virtio.h"
#include "vq_fixture.h"

#define S(bit) VIRTIO_CONFIG_S_##bit
#define F_VERSION_1 (1ULL << VIRTIO_F_VERSION_1)
#define F_INDIRECT (1ULL << VIRTIO_RING_F_INDIRECT_DESC)
#define F_DEV0 (1ULL << 0)
#define F_DEV1 (1ULL << 1)

struct fake {
	struct virtio_device vdev;
	struct vq_fixture fx;
	bool refuse;
	int activate_ret;
	unsigned nr_activate, nr_reset, nr_system_reset, nr_set_config;
	unsigned nr_queue_notify, last_qidx;
	unsigned nr_queue_irq, nr_config_irq;
	uint8_t config[8];
};

static struct fake *to_fake(struct virtio_device *vdev)
{
	return container_of(vdev, struct fake, vdev);
}

static uint64_t fake_host_features(struct virtio_device *vdev)
{
	(void)vdev;
	return F_DEV0 | F_DEV1 | F_INDIRECT;
}

static bool fake_validate(struct virtio_device *vdev, uint64_t features)
{
	(void)features;
	return !to_fake(vdev)->refuse;
}

static void fake_get_config(struct virtio_device *vdev, uint8_t *config)
{
	memcpy(config, to_fake(vdev)->config, 8);
}

static void fake_set_config(struct virtio_device *vdev, const uint8_t *config)
{
	memcpy(to_fake(vdev)->config, config, 8);
	to_fake(vdev)->nr_set_config++;
}

static void fake_queue_notify(struct virtio_device *vdev, unsigned qidx)
{
	to_fake(vdev)->nr_queue_notify++;
	to_fake(vdev)->last_qidx = qidx;
}

static int fake_activate(struct virtio_device *vdev)
{
	to_fake(vdev)->nr_activate++;
	return to_fake(vdev)->activate_ret;
}

static void fake_reset(struct virtio_device *vdev)
{
	to_fake(vdev)->nr_reset++;
}

static void fake_system_reset(struct virtio_device *vdev)
{
	to_fake(vdev)->nr_system_reset++;
}

static const struct virtio_device_ops fake_ops = {
	.host_features = fake_host_features,
	.validate_features = fake_validate,
	.get_config = fake_get_config,
	.queue_notify = fake_queue_notify,
	.activate = fake_activate,
	.reset = fake_reset,
	.system_reset = fake_system_reset,
};

static void fake_irq_queue(void *opaque, unsigned qidx)
{
	(void)qidx;
	((struct fake *)opaque)->nr_queue_irq++;
}

static void fake_irq_config(void *opaque)
{
	((struct fake *)opaque)->nr_config_irq++;
}

static const struct virtio_transport_ops fake_transport = {
	.notify_queue = fake_irq_queue,
	.notify_config = fake_irq_config,
};

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (!f || vq_fixture_init(&f->fx, 16))
		return -1;
	virtio_init(&f->vdev, "fake", 42, &fake_ops, sizeof(f->config),
		    &f->fx.gm);
	if (virtio_add_queue(&f->vdev, 16) != 0)
		return -1;
	virtio_set_transport(&f->vdev, &fake_transport, f);
	memcpy(f->config, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;

	vq_fixture_destroy(&f->fx);
	free(f);
	return 0;
}

/* Driver steps of §3.1.1, up to FEATURES_OK with @features. */
static void negotiate(struct fake *f, uint64_t features)
{
	virtio_set_status(&f->vdev, S(ACKNOWLEDGE));
	virtio_set_status(&f->vdev, S(ACKNOWLEDGE) | S(DRIVER));
	virtio_set_driver_features(&f->vdev, features);
	virtio_set_status(&f->vdev, S(ACKNOWLEDGE) | S(DRIVER) |
			  S(FEATURES_OK));
}

static void enable_queue0(struct fake *f)
{
	struct virtqueue *vq = virtio_queue(&f->vdev, 0);

	vq->desc_gpa = FX_DESC_GPA;
	vq->avail_gpa = FX_AVAIL_GPA;
	vq->used_gpa = FX_USED_GPA;
	virtio_queue_enable(&f->vdev, 0);
}

/* negotiate + queue 0 + DRIVER_OK. */
static void go_live(struct fake *f)
{
	negotiate(f, F_VERSION_1);
	enable_queue0(f);
	virtio_set_status(&f->vdev, S(ACKNOWLEDGE) | S(DRIVER) |
			  S(FEATURES_OK) | S(DRIVER_OK));
}

static void test_virtio_host_features_adds_version_1(void **state)
{
	struct fake *f = *state;

	assert_int_equal(virtio_host_features(&f->vdev),
			 F_DEV0 | F_DEV1 | F_INDIRECT | F_VERSION_1);
}

static void test_virtio_status_bits_accumulate(void **state)
{
	struct fake *f = *state;

	virtio_set_status(&f->vdev, S(ACKNOWLEDGE));
	virtio_set_status(&f->vdev, S(DRIVER));
	assert_int_equal(f->vdev.status, S(ACKNOWLEDGE) | S(DRIVER));
}

static void test_virtio_features_ok_valid_subset_sticks(void **state)
{
	struct fake *f = *state;

	negotiate(f, F_VERSION_1 | F_DEV1 | F_INDIRECT);
	assert_true(f->vdev.status & S(FEATURES_OK));
	assert_int_equal(f->vdev.features, F_VERSION_1 | F_DEV1 | F_INDIRECT);
	assert_true(virtio_has_feature(&f->vdev, 1));
	assert_true(virtio_queue(&f->vdev, 0)->indirect);
}

static void test_virtio_features_ok_without_version_1_refused(void **state)
{
	struct fake *f = *state;

	negotiate(f, F_DEV0);
	assert_false(f->vdev.status & S(FEATURES_OK));
	assert_int_equal(f->vdev.features, 0);
}

static void test_virtio_features_ok_unoffered_bit_refused(void **state)
{
	struct fake *f = *state;

	negotiate(f, F_VERSION_1 | (1ULL << 5));
	assert_false(f->vdev.status & S(FEATURES_OK));
}

static void test_virtio_features_ok_device_veto_refused(void **state)
{
	struct fake *f = *state;

	f->refuse = true;
	negotiate(f, F_VERSION_1);
	assert_false(f->vdev.status & S(FEATURES_OK));
	assert_int_equal(f->vdev.status, S(ACKNOWLEDGE) | S(DRIVER));
}

static void test_virtio_features_frozen_after_features_ok(void **state)
{
	struct fake *f = *state;

	negotiate(f, F_VERSION_1);
	virtio_set_driver_features(&f->vdev, F_VERSION_1 | F_DEV0);
	assert_int_equal(f->vdev.driver_features, F_VERSION_1);
	assert_int_equal(f->vdev.features, F_VERSION_1);
}

static void test_virtio_driver_ok_activates_and_kicks(void **state)
{
	struct fake *f = *state;

	go_live(f);
	assert_int_equal(f->nr_activate, 1);
	assert_int_equal(f->nr_queue_notify, 1);	/* queue 0 is enabled */
	assert_true(virtio_is_live(&f->vdev));
}

static void test_virtio_driver_ok_without_features_ok_fails(void **state)
{
	struct fake *f = *state;

	virtio_set_status(&f->vdev, S(ACKNOWLEDGE) | S(DRIVER) |
			  S(DRIVER_OK));
	assert_int_equal(f->nr_activate, 0);
	assert_true(f->vdev.status & S(NEEDS_RESET));
	assert_int_equal(f->nr_config_irq, 1);
}

static void test_virtio_activate_failure_needs_reset(void **state)
{
	struct fake *f = *state;

	f->activate_ret = -ENOMEM;
	go_live(f);
	assert_true(f->vdev.broken);
	assert_true(f->vdev.status & S(NEEDS_RESET));
	assert_int_equal(f->nr_queue_notify, 0);
}

static void test_virtio_needs_reset_not_writable(void **state)
{
	struct fake *f = *state;

	virtio_set_status(&f->vdev, S(ACKNOWLEDGE) | S(NEEDS_RESET));
	assert_int_equal(f->vdev.status, S(ACKNOWLEDGE));
}

static void test_virtio_status_zero_resets(void **state)
{
	struct fake *f = *state;

	go_live(f);
	virtio_error(&f->vdev, "test");
	virtio_set_status(&f->vdev, 0);
	assert_int_equal(f->vdev.status, 0);
	assert_int_equal(f->vdev.features, 0);
	assert_int_equal(f->vdev.driver_features, 0);
	assert_false(f->vdev.broken);
	assert_false(virtio_queue(&f->vdev, 0)->enabled);
	assert_int_equal(f->nr_reset, 1);
	assert_int_equal(f->nr_system_reset, 0);
}

static void test_virtio_system_reset_calls_both_ops(void **state)
{
	struct fake *f = *state;

	go_live(f);
	virtio_system_reset(&f->vdev);
	assert_int_equal(f->nr_reset, 1);
	assert_int_equal(f->nr_system_reset, 1);
	assert_int_equal(f->vdev.status, 0);
}

static void test_virtio_config_read_little_endian(void **state)
{
	struct fake *f = *state;

	assert_int_equal(virtio_config_read(&f->vdev, 0, 1), 0x11);
	assert_int_equal(virtio_config_read(&f->vdev, 2, 2), 0x4433);
	assert_int_equal(virtio_config_read(&f->vdev, 4, 4), 0x88776655);
	assert_int_equal(virtio_config_read(&f->vdev, 0, 8),
			 0x8877665544332211ULL);
}

static void test_virtio_config_read_out_of_range_all_ones(void **state)
{
	struct fake *f = *state;

	assert_int_equal(virtio_config_read(&f->vdev, 6, 4), 0xffffffff);
	assert_int_equal(virtio_config_read(&f->vdev, 0x1000, 2), 0xffff);
	assert_int_equal(virtio_config_read(&f->vdev, 0, 3), 0xffffff);
	assert_false(f->vdev.config_read);
}

static void test_virtio_config_write_read_only_ignored(void **state)
{
	struct fake *f = *state;

	virtio_config_write(&f->vdev, 0, 0xaa, 1);
	assert_int_equal(f->config[0], 0x11);
	assert_int_equal(f->nr_set_config, 0);
}

static void test_virtio_config_write_reaches_set_config(void **state)
{
	struct fake *f = *state;
	struct virtio_device_ops ops = fake_ops;

	ops.set_config = fake_set_config;
	f->vdev.ops = &ops;
	virtio_config_write(&f->vdev, 2, 0xbeef, 2);
	assert_int_equal(f->nr_set_config, 1);
	assert_memory_equal(f->config, "\x11\x22\xef\xbe\x55", 5);
	virtio_config_write(&f->vdev, 7, 0xbeef, 2);	/* past the end */
	assert_int_equal(f->nr_set_config, 1);
}

static void test_virtio_config_change_after_read_bumps_gen(void **state)
{
	struct fake *f = *state;

	(void)virtio_config_read(&f->vdev, 0, 4);
	virtio_config_changed(&f->vdev);
	assert_int_equal(f->vdev.config_gen, 1);
	virtio_config_changed(&f->vdev);	/* not read since */
	assert_int_equal(f->vdev.config_gen, 1);
}

static void test_virtio_config_change_unread_keeps_gen(void **state)
{
	struct fake *f = *state;

	virtio_config_changed(&f->vdev);
	assert_int_equal(f->vdev.config_gen, 0);
}

static void test_virtio_config_change_interrupt_after_driver_ok(void **state)
{
	struct fake *f = *state;

	virtio_config_changed(&f->vdev);
	assert_int_equal(f->nr_config_irq, 0);
	go_live(f);
	virtio_config_changed(&f->vdev);
	assert_int_equal(f->nr_config_irq, 1);
}

static void test_virtio_error_needs_reset_and_config_irq(void **state)
{
	struct fake *f = *state;

	go_live(f);
	virtio_error(&f->vdev, "bad %s", "thing");
	assert_true(f->vdev.status & S(NEEDS_RESET));
	assert_true(f->vdev.status & S(DRIVER_OK));
	assert_int_equal(f->nr_config_irq, 1);
	virtio_error(&f->vdev, "again");	/* one notification only */
	assert_int_equal(f->nr_config_irq, 1);
}

static void test_virtio_error_stops_queue_processing(void **state)
{
	struct fake *f = *state;
	struct virtqueue_elem elem;

	go_live(f);
	fx_desc(&f->fx, FX_DESC_GPA, 0, FX_BUF_GPA, 8, 0, 0);
	fx_make_avail(&f->fx, 0);
	virtio_error(&f->vdev, "test");
	virtio_queue_kick(&f->vdev, 0);
	assert_int_equal(f->nr_queue_notify, 1);	/* DRIVER_OK's kick */
	assert_int_equal(virtio_queue_pop(&f->vdev, 0, &elem), 0);
	assert_int_equal(virtio_queue_push(&f->vdev, 0, &elem, 0), -EIO);
}

static void test_virtio_error_before_driver_ok_no_irq(void **state)
{
	struct fake *f = *state;

	negotiate(f, F_VERSION_1);
	virtio_error(&f->vdev, "early");
	assert_true(f->vdev.status & S(NEEDS_RESET));
	assert_int_equal(f->nr_config_irq, 0);
}

static void test_virtio_pop_protocol_error_needs_reset(void **state)
{
	struct fake *f = *state;
	struct virtqueue_elem elem;

	go_live(f);
	fx_make_avail(&f->fx, 99);	/* head out of range */
	assert_int_equal(virtio_queue_pop(&f->vdev, 0, &elem), -EPROTO);
	assert_true(f->vdev.status & S(NEEDS_RESET));
	assert_int_equal(f->nr_config_irq, 1);
}

static void test_virtio_queue_enable_bad_ring_needs_reset(void **state)
{
	struct fake *f = *state;
	struct virtqueue *vq = virtio_queue(&f->vdev, 0);

	negotiate(f, F_VERSION_1);
	vq->desc_gpa = 0x10;	/* not RAM */
	vq->avail_gpa = FX_AVAIL_GPA;
	vq->used_gpa = FX_USED_GPA;
	virtio_queue_enable(&f->vdev, 0);
	assert_false(vq->enabled);
	assert_true(f->vdev.status & S(NEEDS_RESET));
}

static void test_virtio_kick_before_driver_ok_ignored(void **state)
{
	struct fake *f = *state;

	negotiate(f, F_VERSION_1);
	enable_queue0(f);
	virtio_queue_kick(&f->vdev, 0);
	assert_int_equal(f->nr_queue_notify, 0);
}

static void test_virtio_kick_unknown_queue_ignored(void **state)
{
	struct fake *f = *state;

	go_live(f);
	virtio_queue_kick(&f->vdev, 1);
	virtio_queue_kick(&f->vdev, 0xffff);
	assert_int_equal(f->nr_queue_notify, 1);
	assert_null(virtio_queue(&f->vdev, 1));
}

static void test_virtio_notify_raises_queue_irq(void **state)
{
	struct fake *f = *state;
	struct virtqueue_elem elem;

	go_live(f);
	fx_desc(&f->fx, FX_DESC_GPA, 0, FX_BUF_GPA, 8, VRING_DESC_F_WRITE, 0);
	fx_make_avail(&f->fx, 0);
	assert_int_equal(virtio_queue_pop(&f->vdev, 0, &elem), 1);
	assert_int_equal(virtio_queue_push(&f->vdev, 0, &elem, 8), 0);
	virtio_notify(&f->vdev, 0);
	assert_int_equal(f->nr_queue_irq, 1);
	assert_int_equal(fx_used_len(&f->fx, 0), 8);
}

static void test_virtio_notify_suppressed_by_driver(void **state)
{
	struct fake *f = *state;
	struct virtqueue_elem elem;

	go_live(f);
	fx_put16(&f->fx, FX_AVAIL_GPA, VRING_AVAIL_F_NO_INTERRUPT);
	fx_desc(&f->fx, FX_DESC_GPA, 0, FX_BUF_GPA, 8, 0, 0);
	fx_make_avail(&f->fx, 0);
	assert_int_equal(virtio_queue_pop(&f->vdev, 0, &elem), 1);
	assert_int_equal(virtio_queue_push(&f->vdev, 0, &elem, 0), 0);
	virtio_notify(&f->vdev, 0);
	assert_int_equal(f->nr_queue_irq, 0);
}

static void test_virtio_add_queue_beyond_max_enospc(void **state)
{
	struct fake *f = *state;

	for (unsigned i = 1; i < VIRTIO_MAX_QUEUES; i++)
		assert_int_equal(virtio_add_queue(&f->vdev, 8), (int)i);
	assert_int_equal(virtio_add_queue(&f->vdev, 8), -ENOSPC);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_virtio_host_features_adds_version_1),
		T(test_virtio_status_bits_accumulate),
		T(test_virtio_features_ok_valid_subset_sticks),
		T(test_virtio_features_ok_without_version_1_refused),
		T(test_virtio_features_ok_unoffered_bit_refused),
		T(test_virtio_features_ok_device_veto_refused),
		T(test_virtio_features_frozen_after_features_ok),
		T(test_virtio_driver_ok_activates_and_kicks),
		T(test_virtio_driver_ok_without_features_ok_fails),
		T(test_virtio_activate_failure_needs_reset),
		T(test_virtio_needs_reset_not_writable),
		T(test_virtio_status_zero_resets),
		T(test_virtio_system_reset_calls_both_ops),
		T(test_virtio_config_read_little_endian),
		T(test_virtio_config_read_out_of_range_all_ones),
		T(test_virtio_config_write_read_only_ignored),
		T(test_virtio_config_write_reaches_set_config),
		T(test_virtio_config_change_after_read_bumps_gen),
		T(test_virtio_config_change_unread_keeps_gen),
		T(test_virtio_config_change_interrupt_after_driver_ok),
		T(test_virtio_error_needs_reset_and_config_irq),
		T(test_virtio_error_stops_queue_processing),
		T(test_virtio_error_before_driver_ok_no_irq),
		T(test_virtio_pop_protocol_error_needs_reset),
		T(test_virtio_queue_enable_bad_ring_needs_reset),
		T(test_virtio_kick_before_driver_ok_ignored),
		T(test_virtio_kick_unknown_queue_ignored),
		T(test_virtio_notify_raises_queue_irq),
		T(test_virtio_notify_suppressed_by_driver),
		T(test_virtio_add_queue_beyond_max_enospc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
