// SPDX-License-Identifier: MIT
/*
 * Split virtqueue, driver side: descriptor free list, chain building,
 * avail ring publication, kicks and used ring consumption with sanity
 * checks of what the device wrote (it is the device under test). The
 * rings live in a static, zeroed, page-aligned pool in guest RAM. CPL3.
 */
#include "guest.h"
#include "cpu.h"
#include "io.h"
#include "virtqueue.h"

#define PAGE_SIZE 4096
#define VQ_PAGES 3 /* descriptors, avail ring, used ring: one page each */

_Static_assert(VQ_MAX_SIZE * sizeof(struct vring_desc) <= PAGE_SIZE,
	       "descriptor table fits a page");
_Static_assert(sizeof(struct vring_avail) + 2 * VQ_MAX_SIZE + 2 <= PAGE_SIZE,
	       "avail ring fits a page");
_Static_assert(sizeof(struct vring_used) +
		       VQ_MAX_SIZE * sizeof(struct vring_used_elem) + 2 <=
	       PAGE_SIZE, "used ring fits a page");

static uint8_t pool[VQ_POOL_QUEUES][VQ_PAGES][PAGE_SIZE]
	__attribute__((aligned(PAGE_SIZE)));
static unsigned int pool_used;

int vq_init(struct virtqueue *vq, uint16_t index, uint16_t size)
{
	uint8_t(*pages)[PAGE_SIZE];

	if (!size || size > VQ_MAX_SIZE || (size & (size - 1)))
		return -1;
	if (pool_used >= VQ_POOL_QUEUES)
		return -1;
	pages = pool[pool_used++];
	memset(pages, 0, VQ_PAGES * PAGE_SIZE);
	memset(vq, 0, sizeof(*vq));
	vq->index = index;
	vq->size = size;
	vq->desc = (struct vring_desc *)pages[0];
	vq->avail = (struct vring_avail *)pages[1];
	vq->used = (struct vring_used *)pages[2];
	for (uint16_t i = 0; i < size; i++)
		vq->desc[i].next = (uint16_t)(i + 1);
	vq->free_head = 0;
	vq->nr_free = size;
	return 0;
}

void vq_release(struct virtqueue *vq)
{
	if (pool_used && (uint8_t *)vq->desc == pool[pool_used - 1][0])
		pool_used--;
	vq->desc = NULL;
}

unsigned int vq_pool_mark(void)
{
	return pool_used;
}

void vq_pool_reset(unsigned int mark)
{
	if (mark < pool_used)
		pool_used = mark;
}

uint64_t vq_desc_addr(const struct virtqueue *vq)
{
	return (uintptr_t)vq->desc;
}

uint64_t vq_avail_addr(const struct virtqueue *vq)
{
	return (uintptr_t)vq->avail;
}

uint64_t vq_used_addr(const struct virtqueue *vq)
{
	return (uintptr_t)vq->used;
}

/* @n_out < 0: each buffer carries its own direction (vq_add_any). */
static int add_chain(struct virtqueue *vq, const struct vq_buf *bufs,
		     unsigned int n, int n_out)
{
	uint16_t head = vq->free_head, i = head;
	uint32_t in_len = 0;

	if (!n || n > vq->nr_free)
		return -1;
	for (unsigned int k = 0; k < n; k++) {
		struct vring_desc *d = &vq->desc[i];
		bool write = n_out < 0 ? bufs[k].write
				       : k >= (unsigned int)n_out;

		d->addr = bufs[k].addr;
		d->len = bufs[k].len;
		d->flags = write ? VRING_DESC_F_WRITE : 0;
		if (k + 1 < n)
			d->flags |= VRING_DESC_F_NEXT;
		if (write)
			in_len += bufs[k].len;
		i = d->next;
	}
	/* The free list continues after the chain's last descriptor. */
	vq->free_head = i;
	vq->nr_free -= n;
	vq->chain_len[head] = (uint16_t)n;
	vq->in_len[head] = in_len;
	vq->avail->ring[vq->avail_idx % vq->size] = head;
	/* The device may read the entry as soon as it sees the new index. */
	__atomic_store_n(&vq->avail->idx, ++vq->avail_idx, __ATOMIC_RELEASE);
	return head;
}

int vq_add(struct virtqueue *vq, const struct vq_buf *bufs,
	   unsigned int n_out, unsigned int n_in)
{
	return add_chain(vq, bufs, n_out + n_in, (int)n_out);
}

int vq_add_any(struct virtqueue *vq, const struct vq_buf *bufs,
	       unsigned int n)
{
	return add_chain(vq, bufs, n, -1);
}

void vq_kick(struct virtqueue *vq)
{
	/* Ring stores must be visible before the device is told to look. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	mmio_write16(vq->notify_addr, vq->index);
	vq->kicks++;
}

void vq_set_no_interrupt(struct virtqueue *vq, bool off)
{
	uint16_t flags = off ? VRING_AVAIL_F_NO_INTERRUPT : 0;

	__atomic_store_n(&vq->avail->flags, flags, __ATOMIC_RELEASE);
}

/* Puts the chain starting at @head back on the free list. */
static void free_chain(struct virtqueue *vq, uint16_t head)
{
	uint16_t tail = head;

	for (uint16_t k = 1; k < vq->chain_len[head]; k++)
		tail = vq->desc[tail].next;
	vq->desc[tail].next = vq->free_head;
	vq->free_head = head;
	vq->nr_free += vq->chain_len[head];
	vq->chain_len[head] = 0;
}

int vq_get_used(struct virtqueue *vq, struct vq_used *u, const char **why)
{
	uint16_t idx = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
	struct vring_used_elem e;

	if (idx == vq->last_used)
		return 0;
	if ((uint16_t)(idx - vq->last_used) > vq->size - vq->nr_free) {
		*why = "used index ran ahead of the requests in flight";
		return -1;
	}
	e = *(volatile struct vring_used_elem *)&vq->used
		     ->ring[vq->last_used % vq->size];
	vq->last_used++;
	if (e.id >= vq->size || !vq->chain_len[e.id]) {
		*why = "used element names a descriptor not in flight";
		return -1;
	}
	if (e.len > vq->in_len[e.id]) {
		*why = "used length exceeds the chain's writable bytes";
		return -1;
	}
	u->head = (uint16_t)e.id;
	u->len = e.len;
	free_chain(vq, u->head);
	return 1;
}

int vq_poll(struct virtqueue *vq, struct vq_used *u, uint64_t deadline,
	    const char **why)
{
	for (;;) {
		int ret = vq_get_used(vq, u, why);

		if (ret)
			return ret;
		if (tsc_expired(deadline)) {
			*why = "timed out waiting for the used ring";
			return 0;
		}
		cpu_relax();
	}
}

unsigned int vq_in_flight(const struct virtqueue *vq)
{
	return vq->size - vq->nr_free;
}
