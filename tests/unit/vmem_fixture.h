// SPDX-License-Identifier: MIT
/*
 * Shared fixture of the vmem_* unit tests: a 1 GiB device at 4 GiB in
 * 2 MiB blocks with 128 MiB requested (usable 384 MiB), and helpers.
 */
#ifndef FLEXVM_TESTS_VMEM_FIXTURE_H
#define FLEXVM_TESTS_VMEM_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "hw/virtio/vmem_state.h"

/* Fixture: 1 GiB at 4 GiB in 2 MiB blocks, 128 MiB requested. */
#define ADDR (4 * GiB)
#define BS (2 * MiB)
#define REGION (1 * GiB)
#define REQ (128 * MiB)
#define NR_BLOCKS (REGION / BS)

static inline uint64_t gpa(uint64_t block)
{
	return ADDR + block * BS;
}

static const struct vmem_params fixture_params __unused = {
	.addr = ADDR, .region_size = REGION, .block_size = BS,
	.requested_size = REQ,
};

static inline int setup(void **state)
{
	static struct vmem_state st;

	if (vmem_state_init(&st, &fixture_params))
		return -1;
	*state = &st;
	return 0;
}

static inline int teardown(void **state)
{
	vmem_state_destroy(*state);
	return 0;
}

/* Plugs [first, first + nb) or fails the test. */
static inline void plug(struct vmem_state *st, uint64_t first, uint16_t nb)
{
	assert_int_equal(vmem_state_check_plug(st, gpa(first), nb),
			 VIRTIO_MEM_RESP_ACK);
	assert_int_equal(vmem_state_commit_plug(st, gpa(first), nb), 0);
}

static inline void set_requested(struct vmem_state *st, uint64_t size)
{
	assert_int_equal(vmem_state_set_requested_size(st, size, NULL), 0);
}

/* Test entries with and without the fixture. */
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define U(f) cmocka_unit_test(f)

#endif
