// SPDX-License-Identifier: MIT
/*
 * Split virtqueue (virtio 1.2 §2.7), device side. The driver owns every
 * byte of the rings, so each pop copies descriptors out of guest memory
 * before using them and checks indices, chain length, direction order,
 * indirect tables and buffer ranges. Transport-agnostic and pure: unit
 * tests and fuzzers run it on a malloc-backed guest_mem.
 *
 * Context: main thread (queue handlers) or vCPU thread (MMIO notify
 * fallback), always with dm_lock held.
 */
#ifndef FLEXVM_HW_VIRTIO_VIRTQUEUE_H
#define FLEXVM_HW_VIRTIO_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem/guest_mem.h"
#include "util/compiler.h"

/* The split ring's largest size (virtio 1.2 §2.7: 32768). */
#define VIRTQUEUE_MAX_SIZE 32768U
/*
 * Buffer segments one element may carry (readable + writable). The spec
 * lets a device limit descriptors per chain (§2.7.4.1); 64 is generous for
 * request/response devices such as rng and mem, and keeps an element at
 * about 1 KiB so it lives on the stack.
 */
#define VIRTQUEUE_ELEM_MAX_SEGS 64U
/* A chain's total length may not exceed 2^32 bytes (§2.7.5.2). */
#define VIRTQUEUE_MAX_CHAIN_BYTES (1ULL << 32)

struct virtqueue_seg {
	uint64_t gpa;
	uint32_t len;	/* never 0: zero-length descriptors are skipped */
};

/*
 * A popped chain. seg[0 .. nr_readable) are device-readable, followed by
 * nr_writable device-writable segments. Every segment lies in guest RAM
 * (checked at pop time; the region set never changes afterwards).
 */
struct virtqueue_elem {
	const struct guest_mem *gm;
	uint16_t head;			/* id for the used ring */
	unsigned nr_readable;
	unsigned nr_writable;
	uint64_t readable_len;		/* sum of the readable segments */
	uint64_t writable_len;
	struct virtqueue_seg seg[VIRTQUEUE_ELEM_MAX_SEGS];
};

/*
 * One split virtqueue. The transport writes size/desc/avail/used while the
 * queue is disabled, then calls virtqueue_enable(); the rest is state.
 */
struct virtqueue {
	const struct guest_mem *gm;
	uint16_t max_size;	/* what the device offers (power of two) */
	uint16_t size;		/* negotiated; max_size after reset */
	bool enabled;		/* ring addresses validated and in use */
	bool indirect;		/* VIRTIO_RING_F_INDIRECT_DESC */
	bool event_idx;		/* VIRTIO_RING_F_EVENT_IDX */
	uint64_t desc_gpa;
	uint64_t avail_gpa;
	uint64_t used_gpa;

	uint16_t last_avail_idx;	/* next avail entry to pop */
	uint16_t used_idx;		/* next used entry to fill */
	uint16_t signalled_used;	/* used_idx at the last notify check */
	bool signalled_used_valid;

	/* Why the last call returned -EPROTO, for virtio_error(). */
	char error[96];
};

/**
 * virtqueue_init - set up a disabled queue offering @max_size entries
 * @vq: the queue
 * @gm: guest memory all ring and buffer accesses go through
 * @max_size: a power of two, at most VIRTQUEUE_MAX_SIZE (asserted: this is
 *            a device constant, not guest input)
 */
void virtqueue_init(struct virtqueue *vq, const struct guest_mem *gm,
		    uint16_t max_size);

/**
 * virtqueue_reset - back to the post-init state: disabled, size max_size,
 * addresses and indices 0, features off. Used by a device reset.
 */
void virtqueue_reset(struct virtqueue *vq);

/**
 * virtqueue_set_features - take the ring features the driver accepted
 * (VIRTIO_RING_F_INDIRECT_DESC, VIRTIO_RING_F_EVENT_IDX bits of @features)
 */
void virtqueue_set_features(struct virtqueue *vq, uint64_t features);

/**
 * virtqueue_size_valid - whether @size may be written as the queue size:
 * a power of two between 1 and max_size
 */
bool virtqueue_size_valid(const struct virtqueue *vq, unsigned size);

/**
 * virtqueue_enable - validate the ring layout and start using the queue
 *
 * Checks that size is a valid power of two (virtqueue_size_valid()) and
 * that the descriptor table (16-byte aligned, 16 * size bytes), available
 * ring (2-aligned, 6 + 2 * size) and used ring (4-aligned, 6 + 8 * size)
 * each lie inside one guest RAM region (§2.7 alignment table).
 *
 * Return: 0, or -EPROTO with the reason in vq->error (queue stays
 * disabled).
 */
int virtqueue_enable(struct virtqueue *vq) __must_check;

/**
 * virtqueue_pop - take the next available chain
 * @vq: an enabled queue
 * @elem: filled with the validated chain on success
 *
 * Reads avail->idx (acquire), refuses an index that ran more than size
 * entries ahead, reads the head (must be < size) and walks the chain:
 * every descriptor is copied out of guest memory first; indices must be
 * in range; a chain has at most size descriptors, an indirect table at
 * most its length (which must be a non-zero multiple of 16 and at most
 * size entries); indirect only when negotiated, never nested, never with
 * NEXT; readable descriptors come before writable ones; the total length
 * is at most 2^32 bytes; each non-empty buffer lies in guest RAM; at most
 * VIRTQUEUE_ELEM_MAX_SEGS non-empty buffers. Zero-length descriptors are
 * allowed (the spec does not forbid them) and skipped, but still count
 * for loop detection and direction order.
 *
 * With EVENT_IDX, an empty queue republishes avail_event and re-checks, so
 * a buffer added meanwhile is not missed.
 *
 * Return: 1 with @elem filled, 0 when the queue is empty or disabled,
 * -EPROTO on a driver protocol error (reason in vq->error; the queue
 * state is unchanged, the device is expected to need a reset).
 */
int virtqueue_pop(struct virtqueue *vq, struct virtqueue_elem *elem);

/**
 * virtqueue_push - return @elem to the driver with @written bytes
 *
 * Writes the used ring entry, then a release barrier, then used->idx.
 * Return: 0, -EINVAL if @written exceeds the element's writable length
 * (a device bug), -EPROTO if the used ring is no longer RAM.
 */
int virtqueue_push(struct virtqueue *vq, const struct virtqueue_elem *elem,
		   uint32_t written) __must_check;

/**
 * virtqueue_should_notify - whether a used buffer notification is due
 * after the pushes so far: VRING_AVAIL_F_NO_INTERRUPT without EVENT_IDX,
 * used_event with it (§2.7.10). Includes the full barrier the check needs.
 */
bool virtqueue_should_notify(struct virtqueue *vq);

/**
 * virtqueue_elem_read - copy @len bytes at @offset of the readable part
 * Return: 0, or -EINVAL when [offset, offset + len) is beyond the readable
 * length (nothing copied), -EFAULT if guest memory refused the copy.
 */
int virtqueue_elem_read(const struct virtqueue_elem *elem, uint64_t offset,
			void *buf, size_t len) __must_check;

/**
 * virtqueue_elem_write - copy @len bytes to @offset of the writable part
 * Return: as virtqueue_elem_read(), against the writable length.
 */
int virtqueue_elem_write(const struct virtqueue_elem *elem, uint64_t offset,
			 const void *buf, size_t len) __must_check;

#endif
