// SPDX-License-Identifier: MIT
/*
 * virtio-mem block state and request validation, following QEMU's
 * hw/virtio/virtio-mem.c in the order of checks and in the answers. Called
 * by the virtio-mem glue with the device-model lock held (and by tests and
 * the fuzzer); it keeps no global state.
 */
#include "hw/virtio/vmem_state.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define WORD_BITS 64u

/*
 * Bitmap helpers on [s, e): each step handles the part of one 64-bit word
 * inside the range, so a 65535-block request touches at most 1025 words
 * and clearing a 1 TiB region (512 K blocks) takes 8 K word stores.
 */
static uint64_t word_mask(uint64_t s, uint64_t e, uint64_t *n)
{
	uint64_t lo = s % WORD_BITS;

	*n = MIN(e - s, WORD_BITS - lo);
	return *n == WORD_BITS ? ~0ULL : ((1ULL << *n) - 1) << lo;
}

static void bm_fill(uint64_t *map, uint64_t s, uint64_t e, bool set)
{
	uint64_t n, mask;

	while (s < e) {
		mask = word_mask(s, e, &n);
		if (set)
			map[s / WORD_BITS] |= mask;
		else
			map[s / WORD_BITS] &= ~mask;
		s += n;
	}
}

static uint64_t bm_count(const uint64_t *map, uint64_t s, uint64_t e)
{
	uint64_t n, mask, count = 0;

	while (s < e) {
		mask = word_mask(s, e, &n);
		count += (uint64_t)__builtin_popcountll(map[s / WORD_BITS] &
							mask);
		s += n;
	}
	return count;
}

/* First block in [s, e) whose bit equals @set, or e. */
static uint64_t bm_find(const uint64_t *map, uint64_t s, uint64_t e, bool set)
{
	const uint64_t flip = set ? 0 : ~0ULL;
	uint64_t w;

	while (s < e) {
		w = (map[s / WORD_BITS] ^ flip) >> (s % WORD_BITS);
		if (w)
			return MIN(s + (uint64_t)__builtin_ctzll(w), e);
		s = ALIGN_DOWN(s, WORD_BITS) + WORD_BITS;
	}
	return e;
}

static uint64_t nr_words(uint64_t nr_blocks)
{
	return nr_blocks / WORD_BITS + (nr_blocks % WORD_BITS != 0);
}

int vmem_state_check_block_size(uint64_t block_size, struct error *err)
{
	if (block_size < VMEM_MIN_BLOCK_SIZE) {
		error_setg(err, "'block-size' property has to be at least 0x%"
			   PRIx64, (uint64_t)VMEM_MIN_BLOCK_SIZE);
		return -EINVAL;
	}
	if (!IS_POWER_OF_2(block_size)) {
		error_setg(err,
			   "'block-size' property has to be a power of two");
		return -EINVAL;
	}
	return 0;
}

int vmem_state_check_params(const struct vmem_params *p, uint64_t page_size,
			    struct error *err)
{
	const uint64_t bs = p->block_size;

	if (vmem_state_check_block_size(bs, err))
		return -EINVAL;
	if (bs < page_size) {
		error_setg(err,
			   "'block-size' property has to be at least the page size (0x%" PRIx64 ")",
			   page_size);
		return -EINVAL;
	}
	if (!IS_ALIGNED(p->requested_size, bs)) {
		error_setg(err,
			   "'requested-size' property has to be multiples of 'block-size' (0x%" PRIx64 ")",
			   bs);
		return -EINVAL;
	}
	if (!IS_ALIGNED(p->addr, bs)) {
		error_setg(err,
			   "'memaddr' property has to be multiples of 'block-size' (0x%" PRIx64 ")",
			   bs);
		return -EINVAL;
	}
	if (!IS_ALIGNED(p->region_size, bs)) {
		/* QEMU's text, missing space included. */
		error_setg(err,
			   "'memdev' property memdev size has to be multiples of'block-size' (0x%" PRIx64 ")",
			   bs);
		return -EINVAL;
	}
	if (p->requested_size > p->region_size) {
		error_setg(err,
			   "'requested-size' cannot exceed the memory backend size(0x%" PRIx64 ")",
			   p->region_size);
		return -EINVAL;
	}
	if (p->addr + p->region_size < p->addr) {
		error_setg(err, "can't add memory device [0x%" PRIx64 ":0x%"
			   PRIx64 "], the range wraps the address space",
			   p->addr, p->region_size);
		return -EINVAL;
	}
	return 0;
}

/*
 * QEMU's virtio_mem_resize_usable_region(): requested + extent, capped at
 * the region, in whole blocks; 0 for requested 0. Grows only, unless
 * @can_shrink (UNPLUG_ALL, system reset, init).
 */
static void resize_usable(struct vmem_state *st, uint64_t requested,
			  bool can_shrink)
{
	uint64_t size = st->region_size;

	if (requested < st->region_size &&
	    st->region_size - requested > VMEM_USABLE_EXTENT)
		size = requested + VMEM_USABLE_EXTENT;
	size = ALIGN_UP(size, st->block_size);
	if (!requested)
		size = 0;
	if (size < st->usable_region_size && !can_shrink)
		return;
	st->usable_region_size = size;
}

int vmem_state_init(struct vmem_state *st, const struct vmem_params *p)
{
	memset(st, 0, sizeof(*st));
	if (vmem_state_check_params(p, 1, NULL))
		return -EINVAL;

	st->addr = p->addr;
	st->region_size = p->region_size;
	st->block_size = p->block_size;
	st->block_shift = (unsigned)__builtin_ctzll(p->block_size);
	st->nr_blocks = p->region_size >> st->block_shift;
	/* One spare word, so an empty region still gets a valid pointer. */
	st->bitmap = calloc(nr_words(st->nr_blocks) + 1, sizeof(uint64_t));
	if (!st->bitmap)
		return -ENOMEM;
	st->requested_size = p->requested_size;
	resize_usable(st, p->requested_size, true);
	return 0;
}

void vmem_state_destroy(struct vmem_state *st)
{
	free(st->bitmap);
	st->bitmap = NULL;
}

int vmem_state_set_requested_size(struct vmem_state *st, uint64_t size,
				  struct error *err)
{
	if (!IS_ALIGNED(size, st->block_size)) {
		error_setg(err,
			   "'requested-size' has to be multiples of 'block-size' (0x%" PRIx64 ")",
			   st->block_size);
		return -EINVAL;
	}
	if (size > st->region_size) {
		error_setg(err,
			   "'requested-size' cannot exceed the memory backend size(0x%" PRIx64 ")",
			   st->region_size);
		return -EINVAL;
	}
	if (size != st->requested_size) {
		resize_usable(st, size, false);
		st->requested_size = size;
	}
	return 0;
}

/*
 * QEMU's virtio_mem_valid_range(): block aligned, at least one block, no
 * wrap, and wholly inside [addr, addr + usable_region_size). The
 * multiplication is checked too (QEMU's is not): 65535 blocks of 2^49
 * bytes do not fit in 64 bits.
 */
static bool range_valid(const struct vmem_state *st, uint64_t gpa,
			uint16_t nb_blocks, uint64_t *first, uint64_t *size)
{
	uint64_t off;

	if (!IS_ALIGNED(gpa, st->block_size) || !nb_blocks)
		return false;
	if (__builtin_mul_overflow((uint64_t)nb_blocks, st->block_size, size))
		return false;
	if (gpa + *size < gpa || gpa < st->addr)
		return false;
	off = gpa - st->addr;
	if (off >= st->usable_region_size ||
	    *size > st->usable_region_size - off)
		return false;
	*first = off >> st->block_shift;
	return true;
}

uint16_t vmem_state_check_plug(const struct vmem_state *st, uint64_t addr,
			       uint16_t nb_blocks)
{
	uint64_t first, size;

	if (!range_valid(st, addr, nb_blocks, &first, &size))
		return VIRTIO_MEM_RESP_ERROR;
	/* plugged + size > requested, without overflow; plugged may exceed
	 * requested after requested-size was lowered. */
	if (st->plugged_size > st->requested_size ||
	    size > st->requested_size - st->plugged_size)
		return VIRTIO_MEM_RESP_NACK;
	if (vmem_state_any_plugged(st, first, nb_blocks))
		return VIRTIO_MEM_RESP_ERROR;
	return VIRTIO_MEM_RESP_ACK;
}

int vmem_state_commit_plug(struct vmem_state *st, uint64_t addr,
			   uint16_t nb_blocks)
{
	uint64_t first = (addr - st->addr) >> st->block_shift;

	if (vmem_state_check_plug(st, addr, nb_blocks) != VIRTIO_MEM_RESP_ACK)
		return -EINVAL;
	bm_fill(st->bitmap, first, first + nb_blocks, true);
	st->plugged_size += (uint64_t)nb_blocks << st->block_shift;
	return 0;
}

uint16_t vmem_state_check_unplug(const struct vmem_state *st, uint64_t addr,
				 uint16_t nb_blocks)
{
	uint64_t first, size;

	if (!range_valid(st, addr, nb_blocks, &first, &size))
		return VIRTIO_MEM_RESP_ERROR;
	if (!vmem_state_all_plugged(st, first, nb_blocks))
		return VIRTIO_MEM_RESP_ERROR;
	return VIRTIO_MEM_RESP_ACK;
}

int vmem_state_commit_unplug(struct vmem_state *st, uint64_t addr,
			     uint16_t nb_blocks)
{
	uint64_t first = (addr - st->addr) >> st->block_shift;

	if (vmem_state_check_unplug(st, addr, nb_blocks) != VIRTIO_MEM_RESP_ACK)
		return -EINVAL;
	bm_fill(st->bitmap, first, first + nb_blocks, false);
	st->plugged_size -= (uint64_t)nb_blocks << st->block_shift;
	return 0;
}

void vmem_state_unplug_all(struct vmem_state *st)
{
	if (st->plugged_size) {
		memset(st->bitmap, 0,
		       nr_words(st->nr_blocks) * sizeof(uint64_t));
		st->plugged_size = 0;
	}
	resize_usable(st, st->requested_size, true);
}

void vmem_state_system_reset(struct vmem_state *st)
{
	vmem_state_unplug_all(st);
}

uint16_t vmem_state_query(const struct vmem_state *st, uint64_t addr,
			  uint16_t nb_blocks, uint16_t *state)
{
	uint64_t first, size, n;

	if (!range_valid(st, addr, nb_blocks, &first, &size))
		return VIRTIO_MEM_RESP_ERROR;
	n = vmem_state_count_plugged(st, first, nb_blocks);
	if (n == nb_blocks)
		*state = VIRTIO_MEM_STATE_PLUGGED;
	else if (n == 0)
		*state = VIRTIO_MEM_STATE_UNPLUGGED;
	else
		*state = VIRTIO_MEM_STATE_MIXED;
	return VIRTIO_MEM_RESP_ACK;
}

/* The commits cannot fail after an ACK check; BUSY would be the answer. */
static uint16_t handle_one(struct vmem_state *st,
			   const struct vmem_request *req, uint16_t *state)
{
	uint16_t type = VIRTIO_MEM_RESP_ERROR;

	switch (req->type) {
	case VIRTIO_MEM_REQ_PLUG:
		type = vmem_state_check_plug(st, req->addr, req->nb_blocks);
		if (type == VIRTIO_MEM_RESP_ACK &&
		    vmem_state_commit_plug(st, req->addr, req->nb_blocks))
			type = VIRTIO_MEM_RESP_BUSY;
		break;
	case VIRTIO_MEM_REQ_UNPLUG:
		type = vmem_state_check_unplug(st, req->addr, req->nb_blocks);
		if (type == VIRTIO_MEM_RESP_ACK &&
		    vmem_state_commit_unplug(st, req->addr, req->nb_blocks))
			type = VIRTIO_MEM_RESP_BUSY;
		break;
	case VIRTIO_MEM_REQ_UNPLUG_ALL:
		vmem_state_unplug_all(st);
		type = VIRTIO_MEM_RESP_ACK;
		break;
	case VIRTIO_MEM_REQ_STATE:
		type = vmem_state_query(st, req->addr, req->nb_blocks, state);
		break;
	}
	return type;
}

enum vmem_violation vmem_state_handle(struct vmem_state *st, const void *buf,
				      size_t len, size_t resp_space,
				      uint8_t resp[VMEM_RESP_SIZE])
{
	struct vmem_request req;
	enum vmem_violation v;
	uint16_t type, state = 0;

	v = vmem_request_parse(buf, len, resp_space, &req);
	if (v != VMEM_VIOLATION_NONE)
		return v;
	type = handle_one(st, &req, &state);
	vmem_response_build(resp, type,
			    type == VIRTIO_MEM_RESP_ACK ? state : 0);
	return VMEM_VIOLATION_NONE;
}

void vmem_state_get_config(const struct vmem_state *st, uint16_t node_id,
			   struct virtio_mem_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->block_size = htole64(st->block_size);
	cfg->node_id = htole16(node_id);
	cfg->addr = htole64(st->addr);
	cfg->region_size = htole64(st->region_size);
	cfg->usable_region_size = htole64(st->usable_region_size);
	cfg->plugged_size = htole64(st->plugged_size);
	cfg->requested_size = htole64(st->requested_size);
}

/* Clips (first, nr) to the region; returns the end block. */
static uint64_t clip(const struct vmem_state *st, uint64_t *first, uint64_t nr)
{
	*first = MIN(*first, st->nr_blocks);
	return *first + MIN(nr, st->nr_blocks - *first);
}

bool vmem_state_block_plugged(const struct vmem_state *st, uint64_t block)
{
	if (block >= st->nr_blocks)
		return false;
	return (st->bitmap[block / WORD_BITS] >> (block % WORD_BITS)) & 1;
}

uint64_t vmem_state_count_plugged(const struct vmem_state *st, uint64_t first,
				  uint64_t nr)
{
	uint64_t end = clip(st, &first, nr);

	return bm_count(st->bitmap, first, end);
}

bool vmem_state_any_plugged(const struct vmem_state *st, uint64_t first,
			    uint64_t nr)
{
	uint64_t end = clip(st, &first, nr);

	return bm_find(st->bitmap, first, end, true) < end;
}

bool vmem_state_all_plugged(const struct vmem_state *st, uint64_t first,
			    uint64_t nr)
{
	uint64_t end = clip(st, &first, nr);

	/* A range clipped by the region end is not all plugged. */
	if (!nr || end - first != nr)
		return false;
	return bm_find(st->bitmap, first, end, false) == end;
}

bool vmem_state_next_run(const struct vmem_state *st, bool plugged,
			 uint64_t *pos, uint64_t end, uint64_t *run_first,
			 uint64_t *run_nr)
{
	uint64_t s, e;

	end = MIN(end, st->nr_blocks);
	if (*pos >= end)
		return false;
	s = bm_find(st->bitmap, *pos, end, plugged);
	if (s == end) {
		*pos = end;
		return false;
	}
	e = bm_find(st->bitmap, s, end, !plugged);
	*run_first = s;
	*run_nr = e - s;
	*pos = e;
	return true;
}

int vmem_state_for_each_run(const struct vmem_state *st, bool plugged,
			    uint64_t first, uint64_t nr, vmem_run_fn fn,
			    void *opaque)
{
	uint64_t end = clip(st, &first, nr);
	uint64_t pos = first, s, n;
	int ret;

	while (vmem_state_next_run(st, plugged, &pos, end, &s, &n)) {
		ret = fn(opaque, s, n);
		if (ret)
			return ret;
	}
	return 0;
}
