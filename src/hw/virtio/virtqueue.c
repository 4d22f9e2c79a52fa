// SPDX-License-Identifier: MIT
/*
 * Split virtqueue, device side (virtio 1.2 §2.7). Every guest-written
 * field is copied out of guest memory before it is checked and used;
 * nothing keeps a host pointer into a ring between calls. The 16-bit ring
 * indices are read and written with single atomic accesses so a guest
 * never sees (and never makes us see) a torn index.
 *
 * Context: dm_lock held (main loop queue handlers, or a vCPU thread on
 * the MMIO notify fallback).
 */
#include "hw/virtio/virtqueue.h"

#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <linux/virtio_ring.h>

#include "util/compiler.h"

_Static_assert(sizeof(struct vring_desc) == 16, "virtq_desc is 16 bytes");
_Static_assert(sizeof(struct vring_used_elem) == 8, "used elem is 8 bytes");

/* Offsets inside the rings (§2.7.6, §2.7.8). */
#define AVAIL_FLAGS 0
#define AVAIL_IDX 2
#define AVAIL_RING 4
#define USED_FLAGS 0
#define USED_IDX 2
#define USED_RING 4

/* Walk state shared by the main chain and an indirect table. */
struct vq_walk {
	struct virtqueue_elem *elem;
	uint64_t total;		/* bytes so far, readable + writable */
	bool writable_seen;
};

static int __printf(2, 3) vq_fail(struct virtqueue *vq, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vq->error, sizeof(vq->error), fmt, ap);
	va_end(ap);
	return -EPROTO;
}

/*
 * One aligned 16-bit ring field, read with acquire semantics: whatever
 * the driver wrote before publishing this index is visible afterwards.
 */
static int vq_load16(const struct virtqueue *vq, uint64_t gpa, uint16_t *out)
{
	uint16_t *p = guest_mem_ptr(vq->gm, gpa, sizeof(*p));

	if (!p)
		return -EFAULT;
	if ((uintptr_t)p & 1) {		/* an odd host mapping */
		memcpy(out, p, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} else {
		*out = __atomic_load_n(p, __ATOMIC_ACQUIRE);
	}
	*out = le16toh(*out);
	return 0;
}

/* Release store: the used entries written before are visible first. */
static int vq_store16(const struct virtqueue *vq, uint64_t gpa, uint16_t val)
{
	uint16_t *p = guest_mem_ptr(vq->gm, gpa, sizeof(*p));
	uint16_t le = htole16(val);

	if (!p)
		return -EFAULT;
	if ((uintptr_t)p & 1) {
		__atomic_thread_fence(__ATOMIC_RELEASE);
		memcpy(p, &le, sizeof(le));
	} else {
		__atomic_store_n(p, le, __ATOMIC_RELEASE);
	}
	return 0;
}

/*
 * Whether every byte of [gpa, gpa + len) is guest RAM that devices may
 * reach (len > 0). A buffer may run from one region into an adjacent
 * one: guest_mem_read/write split such copies. A region's filter is
 * asked too (virtio-mem: unplugged blocks are not RAM for DMA), so such
 * a chain is refused before the device acts on it, rather than failing
 * halfway through, after a request was carried out.
 */
static bool vq_range_is_ram(const struct guest_mem *gm, uint64_t gpa,
			    uint64_t len)
{
	const struct guest_mem_region *r;
	uint64_t chunk;

	if (gpa > UINT64_MAX - (len - 1))
		return false;
	while (len) {
		r = guest_mem_find(gm, gpa);
		if (!r)
			return false;
		chunk = MIN(len, r->size - (gpa - r->gpa));
		if (r->filter && !r->filter(r->filter_opaque, gpa, chunk))
			return false;
		len -= chunk;
		gpa += chunk;
	}
	return true;
}

void virtqueue_init(struct virtqueue *vq, const struct guest_mem *gm,
		    uint16_t max_size)
{
	assert(IS_POWER_OF_2(max_size) && max_size <= VIRTQUEUE_MAX_SIZE);
	memset(vq, 0, sizeof(*vq));
	vq->gm = gm;
	vq->max_size = max_size;
	vq->size = max_size;
}

void virtqueue_reset(struct virtqueue *vq)
{
	virtqueue_init(vq, vq->gm, vq->max_size);
}

void virtqueue_set_features(struct virtqueue *vq, uint64_t features)
{
	vq->indirect = features & (1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	vq->event_idx = features & (1ULL << VIRTIO_RING_F_EVENT_IDX);
}

bool virtqueue_size_valid(const struct virtqueue *vq, unsigned size)
{
	return IS_POWER_OF_2(size) && size <= vq->max_size;
}

/* One ring part: aligned to @align and @len bytes inside one region. */
static int vq_check_part(struct virtqueue *vq, const char *what,
			 uint64_t gpa, uint64_t align, uint64_t len)
{
	if (!IS_ALIGNED(gpa, align))
		return vq_fail(vq, "%s address 0x%" PRIx64 " is not %" PRIu64
			       "-byte aligned", what, gpa, align);
	if (!guest_mem_ptr(vq->gm, gpa, len))
		return vq_fail(vq, "%s [0x%" PRIx64 ", +0x%" PRIx64 ") is not "
			       "in guest RAM", what, gpa, len);
	return 0;
}

int virtqueue_enable(struct virtqueue *vq)
{
	uint64_t n = vq->size;
	int ret;

	if (!virtqueue_size_valid(vq, vq->size))
		return vq_fail(vq, "queue size %u is not a power of two up to "
			       "%u", vq->size, vq->max_size);
	/* §2.7: alignment and size of each part. */
	ret = vq_check_part(vq, "descriptor table", vq->desc_gpa, 16, 16 * n);
	if (!ret)
		ret = vq_check_part(vq, "available ring", vq->avail_gpa, 2,
				    6 + 2 * n);
	if (!ret)
		ret = vq_check_part(vq, "used ring", vq->used_gpa, 4,
				    6 + 8 * n);
	if (ret)
		return ret;
	vq->last_avail_idx = 0;
	vq->used_idx = 0;
	vq->signalled_used_valid = false;
	vq->enabled = true;
	return 0;
}

/* avail_event sits right after the used ring's entries (§2.7.10). */
static void vq_publish_avail_event(struct virtqueue *vq)
{
	/* Best effort: the ring was checked at enable and cannot move. */
	(void)vq_store16(vq, vq->used_gpa + USED_RING + 8ULL * vq->size,
			 vq->last_avail_idx);
}

/*
 * Number of entries the driver has made available, or -EPROTO. With
 * EVENT_IDX an empty ring republishes avail_event, then looks again:
 * the driver may have added a buffer before seeing the new value.
 */
static int vq_avail_count(struct virtqueue *vq)
{
	uint16_t idx, n;

	if (vq_load16(vq, vq->avail_gpa + AVAIL_IDX, &idx))
		return vq_fail(vq, "available ring is not guest RAM");
	n = (uint16_t)(idx - vq->last_avail_idx);
	if (n == 0 && vq->event_idx) {
		vq_publish_avail_event(vq);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (vq_load16(vq, vq->avail_gpa + AVAIL_IDX, &idx))
			return vq_fail(vq, "available ring is not guest RAM");
		n = (uint16_t)(idx - vq->last_avail_idx);
	}
	if (n > vq->size)
		return vq_fail(vq, "avail idx %u is %u entries ahead of %u "
			       "(queue size %u)", idx, n, vq->last_avail_idx,
			       vq->size);
	return n;
}

/* Copies descriptor @i of the table at @table out of guest memory. */
static int vq_read_desc(struct virtqueue *vq, uint64_t table, unsigned i,
			struct vring_desc *d)
{
	if (guest_mem_read(vq->gm, table + 16 * (uint64_t)i, d, sizeof(*d)))
		return vq_fail(vq, "descriptor %u at 0x%" PRIx64 " is not "
			       "guest RAM", i, table + 16 * (uint64_t)i);
	d->addr = le64toh(d->addr);
	d->len = le32toh(d->len);
	d->flags = le16toh(d->flags);
	d->next = le16toh(d->next);
	return 0;
}

/* Appends one direct descriptor (a copy) to the element. */
static int vq_add_desc(struct virtqueue *vq, struct vq_walk *w,
		       const struct vring_desc *d)
{
	struct virtqueue_elem *elem = w->elem;
	bool writable = d->flags & VRING_DESC_F_WRITE;
	unsigned nr = elem->nr_readable + elem->nr_writable;

	/* §2.7.4.2: device-writable elements follow device-readable ones. */
	if (!writable && w->writable_seen)
		return vq_fail(vq, "readable descriptor after a writable one");
	w->writable_seen |= writable;
	if (!d->len)
		return 0;
	w->total += d->len;
	if (w->total > VIRTQUEUE_MAX_CHAIN_BYTES)
		return vq_fail(vq, "descriptor chain longer than 4 GiB");
	if (!vq_range_is_ram(vq->gm, d->addr, d->len))
		return vq_fail(vq, "buffer [0x%" PRIx64 ", +0x%x) is not "
			       "guest RAM", (uint64_t)d->addr, d->len);
	if (nr == VIRTQUEUE_ELEM_MAX_SEGS)
		return vq_fail(vq, "descriptor chain has more than %u buffers",
			       VIRTQUEUE_ELEM_MAX_SEGS);
	elem->seg[nr].gpa = d->addr;
	elem->seg[nr].len = d->len;
	if (writable) {
		elem->nr_writable++;
		elem->writable_len += d->len;
	} else {
		elem->nr_readable++;
		elem->readable_len += d->len;
	}
	return 0;
}

/* The table an indirect descriptor refers to (§2.7.5.3). */
static int vq_check_indirect(struct virtqueue *vq, const struct vring_desc *d)
{
	if (!vq->indirect)
		return vq_fail(vq, "indirect descriptor without "
			       "VIRTIO_RING_F_INDIRECT_DESC");
	if (d->flags & VRING_DESC_F_NEXT)
		return vq_fail(vq, "indirect descriptor with the NEXT flag");
	if (!d->len || d->len % 16)
		return vq_fail(vq, "indirect table length %u is not a "
			       "non-zero multiple of 16", d->len);
	if (d->len / 16 > vq->size)
		return vq_fail(vq, "indirect table of %u entries is longer "
			       "than the queue (%u)", d->len / 16, vq->size);
	if (!vq_range_is_ram(vq->gm, d->addr, d->len))
		return vq_fail(vq, "indirect table [0x%" PRIx64 ", +0x%x) is "
			       "not guest RAM", (uint64_t)d->addr, d->len);
	return 0;
}

/* Walks an indirect table; it ends the chain that referred to it. */
static int vq_walk_indirect(struct virtqueue *vq, const struct vring_desc *ind,
			    struct vq_walk *w)
{
	unsigned n, i = 0, seen = 0;
	struct vring_desc d;
	int ret;

	ret = vq_check_indirect(vq, ind);
	if (ret)
		return ret;
	n = ind->len / 16;
	for (;;) {
		if (++seen > n)
			return vq_fail(vq, "loop in an indirect table");
		ret = vq_read_desc(vq, ind->addr, i, &d);
		if (ret)
			return ret;
		if (d.flags & VRING_DESC_F_INDIRECT)
			return vq_fail(vq, "indirect descriptor inside an "
				       "indirect table");
		ret = vq_add_desc(vq, w, &d);
		if (ret || !(d.flags & VRING_DESC_F_NEXT))
			return ret;
		if (d.next >= n)
			return vq_fail(vq, "indirect next index %u out of "
				       "range (%u entries)", d.next, n);
		i = d.next;
	}
}

/*
 * Walks the chain starting at @head (< size). Zero or more direct
 * descriptors may be followed by one indirect descriptor (§2.7.5.3.2).
 */
static int vq_walk_chain(struct virtqueue *vq, uint16_t head,
			 struct virtqueue_elem *elem)
{
	struct vq_walk w = { .elem = elem };
	unsigned i = head, seen = 0;
	struct vring_desc d;
	int ret;

	for (;;) {
		/* No chain is longer than the table: a longer one loops. */
		if (++seen > vq->size)
			return vq_fail(vq, "descriptor chain longer than the "
				       "queue (%u): a loop", vq->size);
		ret = vq_read_desc(vq, vq->desc_gpa, i, &d);
		if (ret)
			return ret;
		if (d.flags & VRING_DESC_F_INDIRECT)
			return vq_walk_indirect(vq, &d, &w);
		ret = vq_add_desc(vq, &w, &d);
		if (ret || !(d.flags & VRING_DESC_F_NEXT))
			return ret;
		if (d.next >= vq->size)
			return vq_fail(vq, "next index %u out of range (queue "
				       "size %u)", d.next, vq->size);
		i = d.next;
	}
}

int virtqueue_pop(struct virtqueue *vq, struct virtqueue_elem *elem)
{
	uint64_t slot;
	uint16_t head;
	int ret;

	if (!vq->enabled)
		return 0;
	ret = vq_avail_count(vq);
	if (ret <= 0)
		return ret;
	slot = vq->avail_gpa + AVAIL_RING + 2ULL * (vq->last_avail_idx &
						    (vq->size - 1));
	if (guest_mem_read(vq->gm, slot, &head, sizeof(head)))
		return vq_fail(vq, "available ring is not guest RAM");
	head = le16toh(head);
	if (head >= vq->size)
		return vq_fail(vq, "head index %u out of range (queue size "
			       "%u)", head, vq->size);
	elem->gm = vq->gm;
	elem->head = head;
	elem->nr_readable = elem->nr_writable = 0;
	elem->readable_len = elem->writable_len = 0;
	ret = vq_walk_chain(vq, head, elem);
	if (ret)
		return ret;
	vq->last_avail_idx++;
	if (vq->event_idx)
		vq_publish_avail_event(vq);
	return 1;
}

int virtqueue_push(struct virtqueue *vq, const struct virtqueue_elem *elem,
		   uint32_t written)
{
	struct vring_used_elem ent;
	uint64_t gpa;

	if (!vq->enabled || written > elem->writable_len)
		return -EINVAL;
	ent.id = htole32(elem->head);
	ent.len = htole32(written);
	gpa = vq->used_gpa + USED_RING + 8ULL * (vq->used_idx &
						 (vq->size - 1));
	if (guest_mem_write(vq->gm, gpa, &ent, sizeof(ent)))
		return vq_fail(vq, "used ring is not guest RAM");
	/* §2.7.8.2: the entry (and its len) before the index. */
	vq->used_idx++;
	if (vq_store16(vq, vq->used_gpa + USED_IDX, vq->used_idx))
		return vq_fail(vq, "used ring is not guest RAM");
	return 0;
}

bool virtqueue_should_notify(struct virtqueue *vq)
{
	uint16_t val, old = vq->signalled_used;
	bool valid = vq->signalled_used_valid;

	/* The used idx store must be visible before we read the driver's
	 * suppression fields, or both sides may skip a notification. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx) {
		if (vq_load16(vq, vq->avail_gpa + AVAIL_FLAGS, &val))
			return true;
		return !(val & VRING_AVAIL_F_NO_INTERRUPT);
	}
	vq->signalled_used = vq->used_idx;
	vq->signalled_used_valid = true;
	if (!valid || vq_load16(vq, vq->avail_gpa + AVAIL_RING +
				2ULL * vq->size, &val))
		return true;
	return vring_need_event(val, vq->used_idx, old);
}

/* Copies between @buf and the readable or writable segments. */
static int vq_elem_copy(const struct virtqueue_elem *elem, bool to_guest,
			uint64_t offset, uint8_t *buf, size_t len)
{
	const struct virtqueue_seg *seg = elem->seg;
	unsigned nr = elem->nr_readable;
	uint64_t total = elem->readable_len, chunk;
	int ret;

	if (to_guest) {
		seg += elem->nr_readable;
		nr = elem->nr_writable;
		total = elem->writable_len;
	}
	if (offset > total || len > total - offset)
		return -EINVAL;
	for (unsigned i = 0; i < nr && len; i++) {
		if (offset >= seg[i].len) {
			offset -= seg[i].len;
			continue;
		}
		chunk = MIN((uint64_t)len, seg[i].len - offset);
		ret = to_guest ? guest_mem_write(elem->gm, seg[i].gpa + offset,
						 buf, chunk)
			       : guest_mem_read(elem->gm, seg[i].gpa + offset,
						buf, chunk);
		if (ret)
			return ret;
		buf += chunk;
		len -= chunk;
		offset = 0;
	}
	return 0;
}

int virtqueue_elem_read(const struct virtqueue_elem *elem, uint64_t offset,
			void *buf, size_t len)
{
	return vq_elem_copy(elem, false, offset, buf, len);
}

int virtqueue_elem_write(const struct virtqueue_elem *elem, uint64_t offset,
			 const void *buf, size_t len)
{
	/* vq_elem_copy only reads from @buf in this direction. */
	return vq_elem_copy(elem, true, offset, (uint8_t *)buf, len);
}
