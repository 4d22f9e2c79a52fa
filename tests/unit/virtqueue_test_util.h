// SPDX-License-Identifier: MIT
/*
 * The fixture of the virtqueue unit tests: a queue of QSIZE entries (QMAX
 * at most) over vq_fixture.h's malloc'd guest RAM, disabled, enabled, or
 * enabled with VIRTIO_RING_F_INDIRECT_DESC, and the T/TD/TI table macros.
 * Shared by test_virtqueue, test_virtqueue_malicious and
 * test_virtqueue_used; include it after <cmocka.h>.
 */
#ifndef FLEXVM_TESTS_VIRTQUEUE_TEST_UTIL_H
#define FLEXVM_TESTS_VIRTQUEUE_TEST_UTIL_H

#include <stdlib.h>

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

static inline int setup_disabled(void **state)
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

static inline int setup(void **state)
{
	struct t *t;

	if (setup_disabled(state))
		return -1;
	t = *state;
	return virtqueue_enable(&t->vq);
}

static inline int setup_indirect(void **state)
{
	struct t *t;

	if (setup(state))
		return -1;
	t = *state;
	virtqueue_set_features(&t->vq, 1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	return 0;
}

static inline int teardown(void **state)
{
	struct t *t = *state;

	vq_fixture_destroy(&t->fx);
	free(t);
	return 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define TD(fn) cmocka_unit_test_setup_teardown(fn, setup_disabled, teardown)
#define TI(fn) cmocka_unit_test_setup_teardown(fn, setup_indirect, teardown)

#endif /* FLEXVM_TESTS_VIRTQUEUE_TEST_UTIL_H */
