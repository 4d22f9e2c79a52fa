// SPDX-License-Identifier: MIT
/*
 * virtio-mem device: features and config bytes, requests through a real
 * split virtqueue (vq_fixture) with a fake KVM slot callback and fake
 * backend discard/populate, all recorded in one log so the order of side
 * effects against the answer can be checked; protocol violations,
 * requested-size, virtio and system reset.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <endian.h>
#include <errno.h>
#include <string.h>

#include <linux/virtio_ids.h>

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

static struct t *cur;

static int record(enum op op, uint64_t a, uint64_t len)
{
	if (cur->nr_log < ARRAY_SIZE(cur->log))
		cur->log[cur->nr_log++] = (struct op_rec){
			op, a, len, fx_used_idx(&cur->fx) };
	if (cur->fail_op[op] && ++cur->nr_op[op] == cur->fail_nth[op])
		return cur->fail_op[op];
	return 0;
}

static int fake_set_region(void *opaque, uint32_t slot, uint32_t flags,
			   uint64_t gpa, uint64_t size, void *hva)
{
	(void)opaque;
	(void)slot;
	(void)flags;
	(void)hva;
	return size ? record(OP_ADD, gpa, size) : record(OP_REMOVE, gpa, 0);
}

static int fake_discard(struct memory_backend *b, uint64_t off, uint64_t len)
{
	(void)b;
	return record(OP_DISCARD, off, len);
}

static int fake_populate(struct memory_backend *b, uint64_t off,
			 uint64_t len)
{
	(void)b;
	return record(OP_POPULATE, off, len);
}

static void fail_nth(struct t *t, enum op op, unsigned n, int err)
{
	t->fail_op[op] = err;
	t->fail_nth[op] = n;
}

static void count_config_irq(void *opaque)
{
	((struct t *)opaque)->nr_config_irq++;
}

static void count_queue_irq(void *opaque, unsigned qidx)
{
	(void)opaque;
	(void)qidx;
}

static const struct virtio_transport_ops transport = {
	.notify_queue = count_queue_irq,
	.notify_config = count_config_irq,
};

static void size_event(void *opaque, uint64_t plugged)
{
	struct t *t = opaque;

	t->nr_size_events++;
	t->last_size = plugged;
}

static struct t *new_t(bool ui)
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

static int setup(void **state)
{
	*state = new_t(true);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	struct t *t = *state;

	virtio_mem_destroy(&t->mem);
	memslot_table_destroy(&t->table);
	vq_fixture_destroy(&t->fx);
	free(t);
	return 0;
}

static void negotiate(struct t *t, uint64_t features)
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

static void go_live(struct t *t)
{
	negotiate(t, 1ULL << VIRTIO_F_VERSION_1 |
		     1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE);
	virtio_set_status(&t->mem.vdev, S(DRIVER_OK));
}

/* A request of @req_len readable bytes and @resp_len writable ones. */
static void post(struct t *t, uint16_t type, uint64_t addr, uint16_t nb,
		 uint32_t req_len, uint32_t resp_len)
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
static uint16_t request(struct t *t, uint16_t type, uint64_t addr,
			uint16_t nb)
{
	uint16_t before = fx_used_idx(&t->fx);

	post(t, type, addr, nb, VMEM_REQ_SIZE, VMEM_RESP_SIZE);
	assert_int_equal(fx_used_idx(&t->fx), (uint16_t)(before + 1));
	assert_int_equal(fx_used_len(&t->fx, before % VIRTIO_MEM_QUEUE_SIZE),
			 VMEM_RESP_SIZE);
	return fx_get16(&t->fx, RESP_GPA);
}

static uint64_t gpa(uint64_t offset)
{
	return ADDR + offset;
}

static uint64_t config(struct t *t, uint32_t offset)
{
	return virtio_config_read(&t->mem.vdev, offset, 8);
}

static void expect_op(struct t *t, unsigned i, enum op op, uint64_t a,
		      uint64_t len)
{
	assert_true(i < t->nr_log);
	assert_int_equal(t->log[i].op, op);
	assert_int_equal(t->log[i].a, a);
	assert_int_equal(t->log[i].len, len);
}

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

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define U(f) cmocka_unit_test(f)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_virtio_mem_identity_and_features),
		T(test_virtio_mem_driver_without_ui_refused),
		T(test_virtio_mem_driver_with_ui_accepted),
		U(test_virtio_mem_ui_off_neither_offered_nor_required),
		T(test_virtio_mem_config_bytes),
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
