// SPDX-License-Identifier: MIT
/*
 * virtio-rng: identity and features, filling writable buffers (one or
 * several segments, the 64 KiB cap, partial and failing entropy reads),
 * the max-bytes quota and new periods, no work before DRIVER_OK, a bad
 * chain answered with needs-reset, and the -device property checks with
 * QEMU 7.2's messages. The entropy source is a deterministic fake.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <linux/virtio_ids.h>

#include "config/opts.h"
#include "hw/virtio/virtio_rng.h"
#include "vq_fixture.h"

#define S(bit) VIRTIO_CONFIG_S_##bit
#define W VRING_DESC_F_WRITE
#define N VRING_DESC_F_NEXT

static unsigned entropy_chunk;	/* max bytes per call, 0: all */
static int entropy_errno;	/* fail every call with this */
static unsigned entropy_calls;

/* Returns bytes 0x5a, at most entropy_chunk per call. */
static ssize_t fake_entropy(void *buf, size_t len)
{
	entropy_calls++;
	if (entropy_errno) {
		errno = entropy_errno;
		return -1;
	}
	if (entropy_chunk && len > entropy_chunk)
		len = entropy_chunk;
	memset(buf, 0x5a, len);
	return (ssize_t)len;
}

struct t {
	struct vq_fixture fx;
	struct virtio_rng rng;
	unsigned nr_queue_irq;
};

static void count_queue_irq(void *opaque, unsigned qidx)
{
	(void)qidx;
	((struct t *)opaque)->nr_queue_irq++;
}

static const struct virtio_transport_ops transport = {
	.notify_queue = count_queue_irq,
};

static struct t *new_t(uint64_t max_bytes)
{
	struct t *t = calloc(1, sizeof(*t));

	if (!t || vq_fixture_init(&t->fx, VIRTIO_RNG_QUEUE_SIZE))
		return NULL;
	virtio_rng_init(&t->rng, &t->fx.gm, max_bytes, 1000);
	t->rng.entropy = fake_entropy;
	virtio_set_transport(&t->rng.vdev, &transport, t);
	entropy_chunk = 0;
	entropy_errno = 0;
	entropy_calls = 0;
	return t;
}

static int setup(void **state)
{
	*state = new_t(VIRTIO_RNG_DEFAULT_MAX_BYTES);
	return *state ? 0 : -1;
}

static int setup_quota(void **state)
{
	*state = new_t(10);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	struct t *t = *state;

	vq_fixture_destroy(&t->fx);
	free(t);
	return 0;
}

/* The driver side up to FEATURES_OK and the queue enabled. */
static void negotiate(struct t *t)
{
	struct virtio_device *vdev = &t->rng.vdev;
	struct virtqueue *vq = virtio_queue(vdev, 0);

	virtio_set_status(vdev, S(ACKNOWLEDGE) | S(DRIVER));
	virtio_set_driver_features(vdev, 1ULL << VIRTIO_F_VERSION_1);
	virtio_set_status(vdev, S(FEATURES_OK));
	vq->desc_gpa = FX_DESC_GPA;
	vq->avail_gpa = FX_AVAIL_GPA;
	vq->used_gpa = FX_USED_GPA;
	virtio_queue_enable(vdev, 0);
}

static void go_live(struct t *t)
{
	negotiate(t);
	virtio_set_status(&t->rng.vdev, S(DRIVER_OK));
}

/* One writable buffer of @len bytes at FX_BUF_GPA, made available. */
static void post_buffer(struct t *t, uint16_t head, uint32_t len)
{
	fx_desc(&t->fx, FX_DESC_GPA, head, FX_BUF_GPA, len, W, 0);
	fx_make_avail(&t->fx, head);
}

static void test_virtio_rng_identity_and_features(void **state)
{
	struct t *t = *state;
	struct virtio_device *vdev = &t->rng.vdev;

	assert_int_equal(vdev->device_id, VIRTIO_ID_RNG);
	assert_int_equal(vdev->nr_queues, 1);
	assert_int_equal(virtio_queue(vdev, 0)->max_size, 8);
	assert_int_equal(vdev->config_size, 0);
	assert_int_equal(virtio_host_features(vdev),
			 1ULL << VIRTIO_F_VERSION_1 |
			 1ULL << VIRTIO_RING_F_INDIRECT_DESC |
			 1ULL << VIRTIO_RING_F_EVENT_IDX);
}

static void test_virtio_rng_fills_writable_buffer(void **state)
{
	struct t *t = *state;

	go_live(t);
	post_buffer(t, 2, 64);
	virtio_queue_kick(&t->rng.vdev, 0);
	assert_int_equal(fx_used_idx(&t->fx), 1);
	assert_int_equal(fx_used_id(&t->fx, 0), 2);
	assert_int_equal(fx_used_len(&t->fx, 0), 64);
	assert_int_equal(fx_hva(&t->fx, FX_BUF_GPA)[0], 0x5a);
	assert_int_equal(fx_hva(&t->fx, FX_BUF_GPA)[63], 0x5a);
	assert_int_equal(fx_hva(&t->fx, FX_BUF_GPA)[64], 0);
	assert_int_equal(t->nr_queue_irq, 1);
}

static void test_virtio_rng_fills_every_segment(void **state)
{
	struct t *t = *state;

	go_live(t);
	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_BUF_GPA, 8, W | N, 1);
	fx_desc(&t->fx, FX_DESC_GPA, 1, FX_BUF_GPA + 0x100, 8, W, 0);
	fx_make_avail(&t->fx, 0);
	virtio_queue_kick(&t->rng.vdev, 0);
	assert_int_equal(fx_used_len(&t->fx, 0), 16);
	assert_int_equal(fx_hva(&t->fx, FX_BUF_GPA + 0x107)[0], 0x5a);
}

static void test_virtio_rng_request_capped_at_64k(void **state)
{
	struct t *t = *state;

	go_live(t);
	post_buffer(t, 0, 0x20000);
	virtio_queue_kick(&t->rng.vdev, 0);
	assert_int_equal(fx_used_len(&t->fx, 0), VIRTIO_RNG_MAX_REQUEST);
	assert_int_equal(fx_hva(&t->fx, FX_BUF_GPA + 0x10000)[0], 0);
}

static void test_virtio_rng_partial_entropy_reads_loop(void **state)
{
	struct t *t = *state;

	entropy_chunk = 3;
	go_live(t);
	post_buffer(t, 0, 10);
	virtio_queue_kick(&t->rng.vdev, 0);
	assert_int_equal(fx_used_len(&t->fx, 0), 10);
	assert_int_equal(entropy_calls, 4);
}

static void test_virtio_rng_entropy_failure_completes_short(void **state)
{
	struct t *t = *state;

	entropy_errno = EIO;
	go_live(t);
	post_buffer(t, 0, 10);
	virtio_queue_kick(&t->rng.vdev, 0);
	assert_int_equal(fx_used_idx(&t->fx), 1);
	assert_int_equal(fx_used_len(&t->fx, 0), 0);
}

static void test_virtio_rng_readable_only_chain_gets_zero(void **state)
{
	struct t *t = *state;

	go_live(t);
	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_BUF_GPA, 16, 0, 0);
	fx_make_avail(&t->fx, 0);
	virtio_queue_kick(&t->rng.vdev, 0);
	assert_int_equal(fx_used_idx(&t->fx), 1);
	assert_int_equal(fx_used_len(&t->fx, 0), 0);
	assert_int_equal(fx_hva(&t->fx, FX_BUF_GPA)[0], 0);
}

static void test_virtio_rng_quota_limits_bytes(void **state)
{
	struct t *t = *state;

	go_live(t);
	post_buffer(t, 0, 32);
	virtio_queue_kick(&t->rng.vdev, 0);
	assert_int_equal(fx_used_len(&t->fx, 0), 10);
	assert_int_equal(t->rng.quota, 0);
	post_buffer(t, 1, 32);
	virtio_queue_kick(&t->rng.vdev, 0);
	assert_int_equal(fx_used_idx(&t->fx), 1);	/* waits */
}

static void test_virtio_rng_new_period_serves_waiting(void **state)
{
	struct t *t = *state;

	go_live(t);
	post_buffer(t, 0, 32);
	post_buffer(t, 1, 4);
	virtio_queue_kick(&t->rng.vdev, 0);
	assert_int_equal(fx_used_idx(&t->fx), 1);
	virtio_rng_new_period(&t->rng);
	assert_int_equal(fx_used_idx(&t->fx), 2);
	assert_int_equal(fx_used_len(&t->fx, 1), 4);
	assert_int_equal(t->rng.quota, 6);
}

static void test_virtio_rng_idle_before_driver_ok(void **state)
{
	struct t *t = *state;

	negotiate(t);
	post_buffer(t, 0, 8);
	virtio_queue_kick(&t->rng.vdev, 0);
	virtio_rng_process(&t->rng);
	assert_int_equal(fx_used_idx(&t->fx), 0);
	virtio_set_status(&t->rng.vdev, S(DRIVER_OK));
	assert_int_equal(fx_used_idx(&t->fx), 1);	/* at DRIVER_OK */
}

static void test_virtio_rng_bad_chain_needs_reset(void **state)
{
	struct t *t = *state;

	go_live(t);
	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_RAM_END - 4, 8, W, 0);
	fx_make_avail(&t->fx, 0);
	virtio_queue_kick(&t->rng.vdev, 0);
	assert_true(t->rng.vdev.status & S(NEEDS_RESET));
	assert_int_equal(fx_used_idx(&t->fx), 0);
	assert_int_equal(entropy_calls, 0);
}

/* ---- -device properties ---- */

static int parse(const char *text, struct virtio_rng_pci_props *p,
		 struct error *err)
{
	struct opts o;
	int ret = opts_parse(&o, text, "driver", OPTS_QEMUOPTS, err);

	if (!ret)
		ret = virtio_rng_pci_parse(&o, p, err);
	opts_free(&o);
	return ret;
}

static void test_virtio_rng_pci_parse_defaults(void **state)
{
	struct virtio_rng_pci_props p;
	struct error err = { 0 };

	(void)state;
	assert_int_equal(parse("virtio-rng-pci", &p, &err), 0);
	assert_null(p.id);
	assert_int_equal(p.max_bytes, INT64_MAX);
	assert_int_equal(p.period_ms, 65536);
}

static void test_virtio_rng_pci_parse_values(void **state)
{
	struct virtio_rng_pci_props p;
	struct error err = { 0 };

	(void)state;
	assert_int_equal(parse("virtio-rng-pci,id=rng0,max-bytes=0x400,"
			       "period=010", &p, &err), 0);
	assert_int_equal(p.max_bytes, 1024);
	assert_int_equal(p.period_ms, 8);
}

static void expect_error(const char *text, const char *msg)
{
	struct virtio_rng_pci_props p;
	struct error err = { 0 };

	assert_int_equal(parse(text, &p, &err), -EINVAL);
	assert_string_equal(err.msg, msg);
}

static void test_virtio_rng_pci_parse_unknown_prop_fails(void **state)
{
	(void)state;
	expect_error("virtio-rng-pci,foo=1",
		     "Property 'virtio-rng-pci.foo' not found");
}

static void test_virtio_rng_pci_parse_bad_numbers_fail(void **state)
{
	(void)state;
	expect_error("virtio-rng-pci,max-bytes=abc",
		     "Parameter 'max-bytes' expects integer");
	expect_error("virtio-rng-pci,max-bytes=18446744073709551616",
		     "Parameter 'max-bytes' expects integer");
	expect_error("virtio-rng-pci,period=",
		     "Parameter 'period' expects integer");
	expect_error("virtio-rng-pci,period=5000000000",
		     "Parameter 'period' expects uint32_t");
}

static void test_virtio_rng_pci_parse_realize_checks_fail(void **state)
{
	(void)state;
	expect_error("virtio-rng-pci,period=0",
		     "'period' parameter expects a positive integer");
	expect_error("virtio-rng-pci,max-bytes=-1",
		     "'max-bytes' parameter must be non-negative, and less "
		     "than 2^63");
	expect_error("virtio-rng-pci,period=0,max-bytes=-1",
		     "'period' parameter expects a positive integer");
}

static void test_virtio_rng_pci_parse_bad_id_fails(void **state)
{
	(void)state;
	expect_error("virtio-rng-pci,id=1x,foo=1",
		     "Parameter 'id' expects an identifier");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define TQ(fn) cmocka_unit_test_setup_teardown(fn, setup_quota, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_virtio_rng_identity_and_features),
		T(test_virtio_rng_fills_writable_buffer),
		T(test_virtio_rng_fills_every_segment),
		T(test_virtio_rng_request_capped_at_64k),
		T(test_virtio_rng_partial_entropy_reads_loop),
		T(test_virtio_rng_entropy_failure_completes_short),
		T(test_virtio_rng_readable_only_chain_gets_zero),
		TQ(test_virtio_rng_quota_limits_bytes),
		TQ(test_virtio_rng_new_period_serves_waiting),
		T(test_virtio_rng_idle_before_driver_ok),
		T(test_virtio_rng_bad_chain_needs_reset),
		cmocka_unit_test(test_virtio_rng_pci_parse_defaults),
		cmocka_unit_test(test_virtio_rng_pci_parse_values),
		cmocka_unit_test(test_virtio_rng_pci_parse_unknown_prop_fails),
		cmocka_unit_test(test_virtio_rng_pci_parse_bad_numbers_fail),
		cmocka_unit_test(test_virtio_rng_pci_parse_realize_checks_fail),
		cmocka_unit_test(test_virtio_rng_pci_parse_bad_id_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
