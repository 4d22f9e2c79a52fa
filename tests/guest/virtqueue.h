// SPDX-License-Identifier: MIT
/*
 * The driver side of a split virtqueue (virtio 1.2 section 2.7): rings in
 * guest RAM from a static pool, chains of device-readable then
 * device-writable buffers, a kick through the transport's notify address,
 * and completions taken from the used ring, polled with a TSC deadline.
 * Transport independent; CPL3, one CPU per queue, no locking.
 */
#ifndef GUEST_VIRTQUEUE_H
#define GUEST_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_ring.h>

#define VQ_MAX_SIZE 256 /* descriptors; each queue takes 3 pages */
#define VQ_POOL_QUEUES 8

/*
 * One buffer of a chain: guest-physical address and length. @write (the
 * device writes it) is only read by vq_add_any(); vq_add() sets the
 * direction from the buffer's position.
 */
struct vq_buf {
	uint64_t addr;
	uint32_t len;
	bool write;
};

struct virtqueue {
	uint16_t index;        /* queue number in the device */
	uint16_t size;         /* descriptors, a power of 2 */
	uint64_t notify_addr;  /* 16-bit MMIO write of index kicks it */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t avail_idx;    /* our copy of avail->idx */
	uint16_t last_used;    /* used->idx we have consumed up to */
	uint16_t free_head;
	uint16_t nr_free;
	uint16_t chain_len[VQ_MAX_SIZE]; /* by head: descriptors, 0 = free */
	uint32_t in_len[VQ_MAX_SIZE];    /* by head: writable bytes */
	uint64_t kicks;
};

/* A completion from the used ring. */
struct vq_used {
	uint16_t head; /* what vq_add() returned */
	uint32_t len;  /* bytes the device wrote */
};

/*
 * Sets up an empty queue of @size descriptors (a power of 2, at most
 * VQ_MAX_SIZE) with rings from the pool. Returns 0, or -1 if @size is bad
 * or the pool is used up. vq_release() returns the rings to the pool
 * (only the most recently taken ones can be reused).
 */
int vq_init(struct virtqueue *vq, uint16_t index, uint16_t size);
void vq_release(struct virtqueue *vq);

/*
 * How many queues of the pool are taken, and giving back every queue
 * taken since @mark (for a test that abandons queues on a broken device).
 */
unsigned int vq_pool_mark(void);
void vq_pool_reset(unsigned int mark);

/* Guest-physical addresses of the three rings, for the transport. */
uint64_t vq_desc_addr(const struct virtqueue *vq);
uint64_t vq_avail_addr(const struct virtqueue *vq);
uint64_t vq_used_addr(const struct virtqueue *vq);

/*
 * Adds a chain of @n_out device-readable buffers followed by @n_in
 * device-writable ones (@bufs holds them in that order) and publishes it
 * in the avail ring. Returns the head descriptor, or -1 if the chain is
 * empty or there are not enough free descriptors.
 */
int vq_add(struct virtqueue *vq, const struct vq_buf *bufs,
	   unsigned int n_out, unsigned int n_in);

/*
 * Like vq_add(), but each buffer's direction is its own @write, in any
 * order: for tests that break the readable-before-writable rule (virtio
 * 1.2 2.7.4.2) on purpose.
 */
int vq_add_any(struct virtqueue *vq, const struct vq_buf *bufs,
	       unsigned int n);

/* Notifies the device (after a full barrier). */
void vq_kick(struct virtqueue *vq);

/* Asks the device not to interrupt for this queue (a hint). */
void vq_set_no_interrupt(struct virtqueue *vq, bool off);

/*
 * Takes one completion if the device has published one: returns 1 and
 * fills *u, 0 if there is none, -1 if the used element is bogus (a head
 * not in flight, or more bytes than the chain can hold); *why says which.
 */
int vq_get_used(struct virtqueue *vq, struct vq_used *u, const char **why);

/*
 * Polls vq_get_used() until a completion arrives or @deadline (TSC)
 * passes: returns 1, -1 (bogus element) or 0 (timeout).
 */
int vq_poll(struct virtqueue *vq, struct vq_used *u, uint64_t deadline,
	    const char **why);

/* Descriptors in flight (added, not yet taken from the used ring). */
unsigned int vq_in_flight(const struct virtqueue *vq);

#endif
