// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the split virtqueue chain walk (virtqueue.c): the
 * input is carved into queue parameters, then a memory image that holds
 * the descriptor table, the rings and the buffers in one malloc-backed
 * guest_mem region. The harness pops chains until the queue is empty or
 * reports an error, reads and writes every element and pushes it back.
 * Single-threaded; also run by replay.c over the seed corpus.
 */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_ring.h>

#include "hw/virtio/virtqueue.h"
#include "mem/guest_mem.h"

#include "fuzz.h"

/*
 * One RAM region exactly as large as the image: ASan flags any access a
 * missed bounds check lets through. 64 KiB holds a 1024-entry ring.
 */
#define RAM_GPA 0x10000ULL
#define RAM_MAX 0x10000U
#define MAX_POPS 1024

struct hdr {
	uint8_t log2_max;	/* max_size = 1 << (log2_max % 11) */
	uint8_t log2_size;	/* negotiated size */
	uint8_t features;	/* bit0 INDIRECT_DESC, bit1 EVENT_IDX */
	uint8_t pad;
	uint16_t desc_off;	/* ring offsets within the image */
	uint16_t avail_off;
	uint16_t used_off;
	uint16_t last_avail;	/* start index, to exercise wrap-around */
};

static uint64_t ring_features(uint8_t f)
{
	uint64_t v = 0;

	if (f & 1)
		v |= 1ULL << VIRTIO_RING_F_INDIRECT_DESC;
	if (f & 2)
		v |= 1ULL << VIRTIO_RING_F_EVENT_IDX;
	return v;
}

/* Reads and writes the whole element, then out of range once each. */
static void touch_elem(const struct virtqueue_elem *e, uint8_t *scratch,
		       size_t scratch_len)
{
	size_t rlen = e->readable_len < scratch_len ? e->readable_len
						    : scratch_len;
	size_t wlen = e->writable_len < scratch_len ? e->writable_len
						    : scratch_len;

	CHECK(e->nr_readable + e->nr_writable <= VIRTQUEUE_ELEM_MAX_SEGS);
	CHECK(virtqueue_elem_read(e, 0, scratch, rlen) == 0);
	if (rlen > 1)
		CHECK(virtqueue_elem_read(e, 1, scratch, rlen - 1) == 0);
	CHECK(virtqueue_elem_read(e, e->readable_len, scratch, 1) == -EINVAL);
	CHECK(virtqueue_elem_write(e, 0, scratch, wlen) == 0);
	CHECK(virtqueue_elem_write(e, e->writable_len, scratch, 1) ==
	      -EINVAL);
	for (unsigned i = 0; i < e->nr_readable + e->nr_writable; i++)
		CHECK(e->seg[i].len != 0);
}

static void run_queue(struct virtqueue *vq, uint8_t *scratch, size_t len)
{
	struct virtqueue_elem e;
	int pops = 0;
	int r;

	while (pops++ < MAX_POPS) {
		uint16_t before = vq->last_avail_idx;

		r = virtqueue_pop(vq, &e);
		if (r == 0)
			break;
		if (r < 0) {
			CHECK(r == -EPROTO);
			CHECK(vq->error[0] != '\0');
			/* A refused chain leaves the queue where it was. */
			CHECK(vq->last_avail_idx == before);
			break;
		}
		CHECK(r == 1);
		CHECK(e.head < vq->size);
		touch_elem(&e, scratch, len);
		if (e.writable_len < UINT32_MAX)
			CHECK(virtqueue_push(vq, &e,
					     (uint32_t)e.writable_len + 1) ==
			      -EINVAL);
		r = virtqueue_push(vq, &e, (uint32_t)(e.writable_len / 2));
		CHECK(r == 0 || r == -EPROTO);
		if (r)
			break;
		(void)virtqueue_should_notify(vq);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t scratch[RAM_MAX];
	struct guest_mem gm = { 0 };
	struct virtqueue vq;
	struct hdr h;
	size_t ram_len;
	uint8_t *ram;

	if (size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	data += sizeof(h);
	size -= sizeof(h);
	/* At least one page so the rings can fit; at most RAM_MAX. */
	ram_len = size < 4096 ? 4096 : size > RAM_MAX ? RAM_MAX : size;
	ram = calloc(1, ram_len);
	CHECK(ram);
	memcpy(ram, data, size < ram_len ? size : ram_len);
	CHECK(guest_mem_add(&gm, "ram", RAM_GPA, ram_len, ram) == 0);

	virtqueue_init(&vq, &gm, (uint16_t)(1u << (h.log2_max % 11)));
	vq.size = (uint16_t)(1u << (h.log2_size % 12));
	virtqueue_set_features(&vq, ring_features(h.features));
	vq.desc_gpa = RAM_GPA + le16toh(h.desc_off);
	vq.avail_gpa = RAM_GPA + le16toh(h.avail_off);
	vq.used_gpa = RAM_GPA + le16toh(h.used_off);
	if (virtqueue_enable(&vq) == 0) {
		CHECK(virtqueue_size_valid(&vq, vq.size));
		vq.last_avail_idx = le16toh(h.last_avail);
		vq.used_idx = vq.last_avail_idx;
		run_queue(&vq, scratch, sizeof(scratch));
	} else {
		CHECK(!vq.enabled);
	}
	free(ram);
	return 0;
}
