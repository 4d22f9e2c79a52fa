// SPDX-License-Identifier: MIT
/*
 * virtio-mem device model: features and config, the request queue, and
 * the side effects of each request between vmem_state's check and commit
 * (KVM slots, preallocation, discard). Also the memory-device placement in
 * the device-memory window. Context: dm_lock held (queue handler on the
 * main loop or a vCPU thread, QMP, system reset, machine build).
 */
#include "hw/virtio/virtio_mem.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

static struct virtio_mem *to_mem(struct virtio_device *vdev)
{
	return container_of(vdev, struct virtio_mem, vdev);
}

/*
 * QEMU's virtio-mem-pci offers indirect descriptors and event idx (its
 * virtio-pci defaults), and UNPLUGGED_INACCESSIBLE when the property is
 * on. ACPI_PXM needs an SRAT, which flexvm has not: node_id stays
 * meaningless to the guest.
 */
static uint64_t virtio_mem_host_features(struct virtio_device *vdev)
{
	uint64_t f = 1ULL << VIRTIO_RING_F_INDIRECT_DESC |
		     1ULL << VIRTIO_RING_F_EVENT_IDX;

	if (to_mem(vdev)->unplugged_inaccessible)
		f |= 1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE;
	return f;
}

/* As QEMU: a driver that may still read unplugged memory is refused. */
static bool virtio_mem_validate_features(struct virtio_device *vdev,
					 uint64_t features)
{
	return !to_mem(vdev)->unplugged_inaccessible ||
	       (features & (1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE));
}

static void virtio_mem_get_config(struct virtio_device *vdev,
				  uint8_t *config)
{
	struct virtio_mem *m = to_mem(vdev);
	struct virtio_mem_config cfg;

	vmem_state_get_config(&m->st, (uint16_t)m->node, &cfg);
	memcpy(config, &cfg, sizeof(cfg));
}

static void virtio_mem_queue_notify(struct virtio_device *vdev,
				    unsigned qidx)
{
	(void)qidx;
	virtio_mem_process(to_mem(vdev));
}

static void virtio_mem_system_reset(struct virtio_device *vdev)
{
	virtio_mem_unplug_everything(to_mem(vdev));
}

/* No reset op: a virtio reset must not change any block (spec §5.15.6). */
static const struct virtio_device_ops virtio_mem_ops = {
	.host_features = virtio_mem_host_features,
	.validate_features = virtio_mem_validate_features,
	.get_config = virtio_mem_get_config,
	.queue_notify = virtio_mem_queue_notify,
	.system_reset = virtio_mem_system_reset,
};

int virtio_mem_init(struct virtio_mem *m, const struct virtio_mem_params *p,
		    struct memory_backend *b, struct memslot_table *table,
		    const struct guest_mem *gm, struct error *err)
{
	const struct virtio_mem_slots_config sc = {
		.table = table, .policy = p->policy,
		.dynamic = p->dynamic_memslots, .prepare = p->prepare_slots,
		.gpa = p->vmem.addr,
		.region_size = p->vmem.region_size,
		.block_size = p->vmem.block_size, .hva = b->hva,
		.slot_limit = p->slot_limit, .owner = p->owner,
	};
	int ret;

	memset(m, 0, sizeof(*m));
	m->backend = b;
	m->node = p->node;
	m->prealloc = p->prealloc;
	m->unplugged_inaccessible = p->unplugged_inaccessible;
	m->owner = p->owner;
	m->discard = memory_backend_discard;
	m->populate = memory_backend_populate;
	m->rl = (struct ratelimit){ .burst = 5, .interval_ms = 1000 };
	ret = vmem_state_init(&m->st, &p->vmem);
	if (ret) {
		error_setg_errno(err, -ret, "cannot set up %s", p->owner);
		return ret;
	}
	ret = virtio_mem_slots_init(&m->slots, &sc, err);
	if (ret) {
		vmem_state_destroy(&m->st);
		return ret;
	}
	(void)virtio_mem_slots_prepare(&m->slots, &m->st,
				       m->st.requested_size);
	virtio_init(&m->vdev, "virtio-mem", VIRTIO_ID_MEM, &virtio_mem_ops,
		    sizeof(struct virtio_mem_config), gm);
	(void)virtio_add_queue(&m->vdev, VIRTIO_MEM_QUEUE_SIZE);
	return 0;
}

void virtio_mem_destroy(struct virtio_mem *m)
{
	virtio_mem_slots_destroy(&m->slots);
	vmem_state_destroy(&m->st);
}

static void virtio_mem_size_changed(struct virtio_mem *m)
{
	if (m->size_changed)
		m->size_changed(m->size_opaque, m->st.plugged_size);
}

static uint16_t virtio_mem_plug(struct virtio_mem *m, uint64_t addr,
				uint16_t nb_blocks)
{
	uint16_t resp = vmem_state_check_plug(&m->st, addr, nb_blocks);
	const uint64_t offset = addr - m->st.addr;
	const uint64_t len = nb_blocks * m->st.block_size;
	int ret;

	if (resp != VIRTIO_MEM_RESP_ACK)
		return resp;
	/*
	 * Preallocate before mapping, as QEMU: a failure then costs no KVM
	 * slot add and remove. What was populated is given back.
	 */
	if (m->prealloc) {
		ret = m->populate(m->backend, offset, len);
		if (ret) {
			log_ratelimited(&m->rl, "%s: cannot preallocate 0x%"
					PRIx64 " bytes at 0x%" PRIx64 ": %s",
					m->owner, len, addr, strerror(-ret));
			(void)m->discard(m->backend, offset, len);
			return VIRTIO_MEM_RESP_BUSY;
		}
	}
	/* The slots go in before the ACK: the guest may touch at once. */
	if (virtio_mem_slots_map(&m->slots, &m->st, offset, len)) {
		if (m->prealloc)
			(void)m->discard(m->backend, offset, len);
		return VIRTIO_MEM_RESP_BUSY;
	}
	if (vmem_state_commit_plug(&m->st, addr, nb_blocks))
		return VIRTIO_MEM_RESP_ERROR;	/* cannot happen: checked */
	virtio_mem_size_changed(m);
	return VIRTIO_MEM_RESP_ACK;
}

/*
 * UNPLUG: slots that the range empties leave KVM first, then the memory
 * is discarded, then the blocks are marked unplugged. A discard failure is
 * answered BUSY as QEMU does, with the blocks still plugged: their slots
 * go back in. Only if that fails too is the unplug completed anyway (the
 * memory then stays allocated on the host, but the guest's view is sound).
 */
static uint16_t virtio_mem_unplug(struct virtio_mem *m, uint64_t addr,
				  uint16_t nb_blocks)
{
	uint16_t resp = vmem_state_check_unplug(&m->st, addr, nb_blocks);
	const uint64_t offset = addr - m->st.addr;
	const uint64_t len = nb_blocks * m->st.block_size;
	int ret;

	if (resp != VIRTIO_MEM_RESP_ACK)
		return resp;
	ret = virtio_mem_slots_unmap_unused(&m->slots, &m->st, offset, len);
	if (!ret)
		ret = m->discard(m->backend, offset, len);
	if (ret) {
		log_ratelimited(&m->rl, "%s: cannot unplug 0x%" PRIx64
				" bytes at 0x%" PRIx64 ": %s", m->owner, len,
				addr, strerror(-ret));
		if (!virtio_mem_slots_map(&m->slots, &m->st, offset, len))
			return VIRTIO_MEM_RESP_BUSY;
	}
	if (vmem_state_commit_unplug(&m->st, addr, nb_blocks))
		return VIRTIO_MEM_RESP_ERROR;	/* cannot happen: checked */
	virtio_mem_size_changed(m);
	return VIRTIO_MEM_RESP_ACK;
}

/* Slots out, memory discarded: 0, or -errno with the slots put back. */
static int virtio_mem_discard_all(struct virtio_mem *m)
{
	int ret = virtio_mem_slots_unmap_all(&m->slots);

	if (!ret)
		ret = m->discard(m->backend, 0, m->st.region_size);
	if (ret) {
		log_ratelimited(&m->rl, "%s: cannot unplug all memory: %s",
				m->owner, strerror(-ret));
		if (virtio_mem_slots_sync(&m->slots, &m->st))
			(void)virtio_mem_slots_unmap_all(&m->slots);
	}
	return ret;
}

static uint16_t virtio_mem_unplug_all(struct virtio_mem *m)
{
	if (m->st.plugged_size) {
		if (virtio_mem_discard_all(m) && m->slots.nr_mapped)
			return VIRTIO_MEM_RESP_BUSY;
		vmem_state_unplug_all(&m->st);
		virtio_mem_size_changed(m);
	} else {
		vmem_state_unplug_all(&m->st);	/* may shrink usable */
	}
	return VIRTIO_MEM_RESP_ACK;
}

void virtio_mem_unplug_everything(struct virtio_mem *m)
{
	uint64_t before = m->st.plugged_size;

	if (before)
		(void)virtio_mem_discard_all(m);
	(void)virtio_mem_slots_unmap_all(&m->slots);
	vmem_state_system_reset(&m->st);
	if (before)
		virtio_mem_size_changed(m);
}

static uint16_t virtio_mem_execute(struct virtio_mem *m,
				   const struct vmem_request *req,
				   uint16_t *state)
{
	*state = 0;
	switch (req->type) {
	case VIRTIO_MEM_REQ_PLUG:
		return virtio_mem_plug(m, req->addr, req->nb_blocks);
	case VIRTIO_MEM_REQ_UNPLUG:
		return virtio_mem_unplug(m, req->addr, req->nb_blocks);
	case VIRTIO_MEM_REQ_UNPLUG_ALL:
		return virtio_mem_unplug_all(m);
	default:	/* VIRTIO_MEM_REQ_STATE: the parser let no other in */
		return vmem_state_query(&m->st, req->addr, req->nb_blocks,
					state);
	}
}

/* One element. Return: true if answered, false after virtio_error(). */
static bool virtio_mem_handle(struct virtio_mem *m,
			      const struct virtqueue_elem *elem)
{
	uint8_t buf[VMEM_REQ_SIZE], resp[VMEM_RESP_SIZE];
	size_t len = (size_t)MIN(elem->readable_len, (uint64_t)sizeof(buf));
	struct vmem_request req;
	enum vmem_violation v;
	uint16_t type, state;
	char msg[128];

	/* Copied out first: the driver may change guest memory any time. */
	if (virtqueue_elem_read(elem, 0, buf, len)) {
		virtio_error(&m->vdev, "virtio-mem: cannot read the request");
		return false;
	}
	v = vmem_request_parse(buf, elem->readable_len, elem->writable_len,
			       &req);
	if (v != VMEM_VIOLATION_NONE) {
		vmem_violation_format(msg, sizeof(msg), v, &req,
				      elem->writable_len);
		virtio_error(&m->vdev, "%s", msg);
		return false;
	}
	type = virtio_mem_execute(m, &req, &state);
	vmem_response_build(resp, type, state);
	if (virtqueue_elem_write(elem, 0, resp, sizeof(resp))) {
		virtio_error(&m->vdev, "virtio-mem: cannot write the response");
		return false;
	}
	return true;
}

void virtio_mem_process(struct virtio_mem *m)
{
	struct virtqueue_elem elem;
	bool pushed = false;

	while (virtio_is_live(&m->vdev)) {
		if (virtio_queue_pop(&m->vdev, 0, &elem) <= 0)
			break;
		if (!virtio_mem_handle(m, &elem))
			break;
		if (virtio_queue_push(&m->vdev, 0, &elem, VMEM_RESP_SIZE))
			break;
		pushed = true;
	}
	if (pushed)
		virtio_notify(&m->vdev, 0);
}

int virtio_mem_set_requested_size(struct virtio_mem *m, uint64_t size,
				  struct error *err)
{
	int ret = vmem_state_set_requested_size(&m->st, size, err);

	if (ret)
		return ret;
	/* Before the guest hears of it, so its plugs find the slots ready;
	 * a failure only means the plugs map them (or answer BUSY). */
	(void)virtio_mem_slots_prepare(&m->slots, &m->st, size);
	virtio_config_changed(&m->vdev);
	return 0;
}

/* ---- Placement in the device-memory window ---- */

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b,
			   uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * The lowest address >= @start aligned to @align where @size bytes overlap
 * no region of @used and end by @end. Jumping past an overlapping region
 * skips only positions that overlap it too, so the first fit is found in
 * at most @nr jumps per region.
 */
static bool place_first_fit(const struct virtio_mem_region *used,
			    unsigned nr, uint64_t start, uint64_t end,
			    uint64_t size, uint64_t align, uint64_t *addr)
{
	uint64_t a = ALIGN_UP(start, align);
	bool moved = true;

	while (moved) {
		if (a < start || a > end || size > end - a)
			return false;	/* wrapped or past the window */
		moved = false;
		for (unsigned i = 0; i < nr; i++) {
			if (!ranges_overlap(a, size, used[i].addr,
					    used[i].size))
				continue;
			a = ALIGN_UP(used[i].addr + used[i].size, align);
			moved = true;
			break;
		}
	}
	*addr = a;
	return true;
}

/* QEMU names the lowest conflicting device. */
static const struct virtio_mem_region *
place_conflict(const struct virtio_mem_region *used, unsigned nr,
	       uint64_t addr, uint64_t size)
{
	const struct virtio_mem_region *hit = NULL;

	for (unsigned i = 0; i < nr; i++)
		if (ranges_overlap(addr, size, used[i].addr, used[i].size) &&
		    (!hit || used[i].addr < hit->addr))
			hit = &used[i];
	return hit;
}

static int place_at_hint(uint64_t base, uint64_t window_size,
			 const struct virtio_mem_region *used, unsigned nr,
			 uint64_t size, uint64_t hint, struct error *err)
{
	const struct virtio_mem_region *hit;

	if (hint < base || hint - base > window_size ||
	    size > window_size - (hint - base)) {
		error_setg(err, "can't add memory device [0x%" PRIx64 ":0x%"
			   PRIx64 "], usable range for memory devices [0x%"
			   PRIx64 ":0x%" PRIx64 "]", hint, size, base,
			   window_size);
		return -EINVAL;
	}
	hit = place_conflict(used, nr, hint, size);
	if (hit) {
		error_setg(err, "address range conflicts with memory device "
			   "id='%s'", hit->id ? hit->id : "(unnamed)");
		return -EBUSY;
	}
	return 0;
}

int virtio_mem_place(uint64_t base, uint64_t window_size,
		     const struct virtio_mem_region *used, unsigned nr,
		     uint64_t size, uint64_t align, const uint64_t *hint,
		     uint64_t *addr, struct error *err)
{
	const uint64_t end = base + window_size;
	uint64_t in_use = 0;

	for (unsigned i = 0; i < nr; i++)
		in_use += used[i].size;
	if (in_use + size < in_use || in_use + size > window_size) {
		error_setg(err, "not enough space, currently 0x%" PRIx64
			   " in use of total space for memory devices 0x%"
			   PRIx64, in_use, window_size);
		return -ENOSPC;
	}
	if (hint && !IS_ALIGNED(*hint, align)) {
		error_setg(err, "address must be aligned to 0x%" PRIx64
			   " bytes", align);
		return -EINVAL;
	}
	if (!IS_ALIGNED(size, align)) {
		error_setg(err, "backend memory size must be multiple of 0x%"
			   PRIx64, align);
		return -EINVAL;
	}
	if (hint) {
		*addr = *hint;
		return place_at_hint(base, window_size, used, nr, size, *hint,
				     err);
	}
	if (place_first_fit(used, nr, base, end, size,
			    MAX(align, VIRTIO_MEM_PREFERRED_ALIGN), addr) ||
	    place_first_fit(used, nr, base, end, size, align, addr))
		return 0;
	error_setg(err, "could not find position in guest address space for "
		   "memory device - memory fragmented due to alignments");
	return -ENOSPC;
}
