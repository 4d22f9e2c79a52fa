// SPDX-License-Identifier: MIT
/*
 * The fixture of the virtio-mem device tests: a device on a real split
 * virtqueue (vq_fixture) with a fake KVM slot callback and fake backend
 * discard/populate, all recorded in one log with the used index at the
 * time, so the order of side effects against the answer can be checked;
 * any op can be made to fail on its n-th call. Shared by test_virtio_mem
 * and test_virtio_mem_requests; include it after <cmocka.h>.
 */
#ifndef FLEXVM_TESTS_VIRTIO_MEM_TEST_UTIL_H
#define FLEXVM_TESTS_VIRTIO_MEM_TEST_UTIL_H

#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "hw/virtio/virtio_mem.h"
#include "vq_fixture.h"

#define S(bit) VIRTIO_CONFIG_S_##bit
#define W VRING_DESC_F_WRITE
#define N VRING_DESC_F_NEXT

#define ADDR (4 * GiB)
#define BS (2 * MiB)
#define REGION GiB
#define REQUESTED (128 * MiB)
#define SLOT (128 * MiB)	/* flexvm's first slots */
#define HVA ((void *)0x7f0000000000ULL)
#define REQ_GPA FX_BUF_GPA
#define RESP_GPA (FX_BUF_GPA + 0x100)

enum op { OP_ADD, OP_REMOVE, OP_DISCARD, OP_POPULATE };

struct op_rec {
	enum op op;
	uint64_t a;	/* gpa (slots) or backend offset */
	uint64_t len;
	uint16_t used_idx;	/* answers pushed when it happened */
};

struct t {
	struct vq_fixture fx;
	struct memslot_table table;
	struct memory_backend backend;
	struct virtio_mem mem;
	unsigned nr_config_irq;
	unsigned nr_size_events;
	uint64_t last_size;
	struct op_rec log[32];
	unsigned nr_log;
	int fail_op[4];	/* error to return for the n-th call of an op */
	unsigned fail_nth[4];
	unsigned nr_op[4];
};

/* The fixture the fake callbacks record into (one test at a time). */
static struct t *cur;

static inline int record(enum op op, uint64_t a, uint64_t len)
{
	if (cur->nr_log < ARRAY_SIZE(cur->log))
		cur->log[cur->nr_log++] = (struct op_rec){
			op, a, len, fx_used_idx(&cur->fx) };
	if (cur->fail_op[op] && ++cur->nr_op[op] == cur->fail_nth[op])
		return cur->fail_op[op];
	return 0;
}

static inline int fake_set_region(void *opaque, uint32_t slot,
				  uint32_t flags, uint64_t gpa, uint64_t size,
				  void *hva)
{
	(void)opaque;
	(void)slot;
	(void)flags;
	(void)hva;
	return size ? record(OP_ADD, gpa, size) : record(OP_REMOVE, gpa, 0);
}

static inline int fake_discard(struct memory_backend *b, uint64_t off,
			       uint64_t len)
{
	(void)b;
	return record(OP_DISCARD, off, len);
}

static inline int fake_populate(struct memory_backend *b, uint64_t off,
				uint64_t len)
{
	(void)b;
	return record(OP_POPULATE, off, len);
}

static inline void fail_nth(struct t *t, enum op op, unsigned n, int err)
{
	t->fail_op[op] = err;
	t->fail_nth[op] = n;
}

static inline void count_config_irq(void *opaque)
{
	((struct t *)opaque)->nr_config_irq++;
}

static inline void count_queue_irq(void *opaque, unsigned qidx)
{
	(void)opaque;
	(void)qidx;
}

static const struct virtio_transport_ops transport = {
	.notify_queue = count_queue_irq,
	.notify_config = count_config_irq,
};

static inline void size_event(void *opaque, uint64_t plugged)
{
	struct t *t = opaque;

	t->nr_size_events++;
	t->last_size = plugged;
}

static inline struct t *new_t(bool ui)
{
	struct t *t = calloc(1, sizeof(*t));
	const struct virtio_mem_params p = {
		.vmem = { .addr = ADDR, .region_size = REGION,
			  .block_size = BS, .requested_size = REQUESTED },
		.unplugged_inaccessible = ui, .dynamic_memslots = true,
		.policy = MEMSLOT_POLICY_FLEXVM, .slot_limit = 256,
		.owner = "vm0",
	};

	if (!t || vq_fixture_init(&t->fx, VIRTIO_MEM_QUEUE_SIZE) ||
	    memslot_table_init(&t->table, 512, fake_set_region, NULL))
		return NULL;
	t->backend.hva = HVA;
	t->backend.page_size = 4 * KiB;
	t->backend.fd = -1;
	t->backend.cfg.size = REGION;
	if (virtio_mem_init(&t->mem, &p, &t->backend, &t->table, &t->fx.gm,
			    NULL))
		return NULL;
	t->mem.discard = fake_discard;
	t->mem.populate = fake_populate;
	t->mem.size_changed = size_event;
	t->mem.size_opaque = t;
	virtio_set_transport(&t->mem.vdev, &transport, t);
	cur = t;
	return t;
}

static inline int setup(void **state)
{
	*state = new_t(true);
	return *state ? 0 : -1;
}

static inline int teardown(void **state)
{
	struct t *t = *state;

	virtio_mem_destroy(&t->mem);
	memslot_table_destroy(&t->table);
	vq_fixture_destroy(&t->fx);
	free(t);
	return 0;
}

static inline void negotiate(struct t *t, uint64_t features)
{
	struct virtio_device *vdev = &t->mem.vdev;
	struct virtqueue *vq = virtio_queue(vdev, 0);

	virtio_set_status(vdev, S(ACKNOWLEDGE) | S(DRIVER));
	virtio_set_driver_features(vdev, features);
	virtio_set_status(vdev, S(FEATURES_OK));
	vq->desc_gpa = FX_DESC_GPA;
	vq->avail_gpa = FX_AVAIL_GPA;
	vq->used_gpa = FX_USED_GPA;
	virtio_queue_enable(vdev, 0);
}

static inline void go_live(struct t *t)
{
	negotiate(t, 1ULL << VIRTIO_F_VERSION_1 |
		     1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE);
	virtio_set_status(&t->mem.vdev, S(DRIVER_OK));
}

/* A request of @req_len readable bytes and @resp_len writable ones. */
static inline void post(struct t *t, uint16_t type, uint64_t addr,
			uint16_t nb, uint32_t req_len, uint32_t resp_len)
{
	struct virtio_mem_req req = {
		.type = htole16(type),
		.u.plug = { .addr = htole64(addr), .nb_blocks = htole16(nb) },
	};

	memcpy(fx_hva(&t->fx, REQ_GPA), &req, sizeof(req));
	memset(fx_hva(&t->fx, RESP_GPA), 0xee, 16);
	fx_desc(&t->fx, FX_DESC_GPA, 0, REQ_GPA, req_len, N, 1);
	fx_desc(&t->fx, FX_DESC_GPA, 1, RESP_GPA, resp_len, W, 0);
	fx_make_avail(&t->fx, 0);
	virtio_queue_kick(&t->mem.vdev, 0);
}

/* Sends a well-formed request; returns the response type. */
static inline uint16_t request(struct t *t, uint16_t type, uint64_t addr,
			       uint16_t nb)
{
	uint16_t before = fx_used_idx(&t->fx);

	post(t, type, addr, nb, VMEM_REQ_SIZE, VMEM_RESP_SIZE);
	assert_int_equal(fx_used_idx(&t->fx), (uint16_t)(before + 1));
	assert_int_equal(fx_used_len(&t->fx, before % VIRTIO_MEM_QUEUE_SIZE),
			 VMEM_RESP_SIZE);
	return fx_get16(&t->fx, RESP_GPA);
}

static inline uint64_t gpa(uint64_t offset)
{
	return ADDR + offset;
}

static inline uint64_t config(struct t *t, uint32_t offset)
{
	return virtio_config_read(&t->mem.vdev, offset, 8);
}

static inline void expect_op(struct t *t, unsigned i, enum op op,
			     uint64_t a, uint64_t len)
{
	assert_true(i < t->nr_log);
	assert_int_equal(t->log[i].op, op);
	assert_int_equal(t->log[i].a, a);
	assert_int_equal(t->log[i].len, len);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define U(f) cmocka_unit_test(f)

#endif /* FLEXVM_TESTS_VIRTIO_MEM_TEST_UTIL_H */
