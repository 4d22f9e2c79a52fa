// SPDX-License-Identifier: MIT
/*
 * The driver's side of a split virtqueue for unit tests: a malloc-backed
 * guest RAM region with the rings at fixed addresses, and helpers that
 * write descriptors and publish heads the way a guest driver does.
 * Shared by test_virtqueue, test_virtio, test_virtio_pci, test_virtio_rng.
 */
#ifndef FLEXVM_TESTS_VQ_FIXTURE_H
#define FLEXVM_TESTS_VQ_FIXTURE_H

#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_ring.h>

#include "mem/guest_mem.h"

#define FX_RAM_GPA 0x100000ULL
#define FX_RAM_SIZE 0x40000ULL
#define FX_RAM_END (FX_RAM_GPA + FX_RAM_SIZE)
#define FX_DESC_GPA FX_RAM_GPA			/* 16-aligned */
#define FX_AVAIL_GPA (FX_RAM_GPA + 0x1000)
#define FX_USED_GPA (FX_RAM_GPA + 0x2000)
#define FX_IND_GPA (FX_RAM_GPA + 0x8000)	/* indirect tables */
#define FX_BUF_GPA (FX_RAM_GPA + 0x10000)	/* data buffers */

struct vq_fixture {
	struct guest_mem gm;
	uint8_t *ram;
	uint16_t avail_idx;	/* the driver's shadow of avail->idx */
	uint16_t size;		/* ring size the helpers assume */
};

/* Zeroed RAM at FX_RAM_GPA; returns 0 or -1. */
static inline int vq_fixture_init(struct vq_fixture *fx, uint16_t size)
{
	memset(fx, 0, sizeof(*fx));
	fx->size = size;
	fx->ram = aligned_alloc(4096, FX_RAM_SIZE);
	if (!fx->ram)
		return -1;
	memset(fx->ram, 0, FX_RAM_SIZE);
	return guest_mem_add(&fx->gm, "ram", FX_RAM_GPA, FX_RAM_SIZE,
			     fx->ram) ? -1 : 0;
}

static inline void vq_fixture_destroy(struct vq_fixture *fx)
{
	free(fx->ram);
}

static inline uint8_t *fx_hva(struct vq_fixture *fx, uint64_t gpa)
{
	return fx->ram + (gpa - FX_RAM_GPA);
}

static inline void fx_put16(struct vq_fixture *fx, uint64_t gpa, uint16_t v)
{
	v = htole16(v);
	memcpy(fx_hva(fx, gpa), &v, sizeof(v));
}

static inline uint16_t fx_get16(struct vq_fixture *fx, uint64_t gpa)
{
	uint16_t v;

	memcpy(&v, fx_hva(fx, gpa), sizeof(v));
	return le16toh(v);
}

static inline uint32_t fx_get32(struct vq_fixture *fx, uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, fx_hva(fx, gpa), sizeof(v));
	return le32toh(v);
}

/* Descriptor @i of the table at @table (FX_DESC_GPA or FX_IND_GPA). */
static inline void fx_desc(struct vq_fixture *fx, uint64_t table, unsigned i,
			   uint64_t addr, uint32_t len, uint16_t flags,
			   uint16_t next)
{
	struct vring_desc d = {
		.addr = htole64(addr), .len = htole32(len),
		.flags = htole16(flags), .next = htole16(next),
	};

	memcpy(fx_hva(fx, table + 16ULL * i), &d, sizeof(d));
}

/* Puts @head in the next avail slot and publishes the new idx. */
static inline void fx_make_avail(struct vq_fixture *fx, uint16_t head)
{
	fx_put16(fx, FX_AVAIL_GPA + 4 + 2ULL * (fx->avail_idx % fx->size),
		 head);
	fx->avail_idx++;
	fx_put16(fx, FX_AVAIL_GPA + 2, fx->avail_idx);
}

static inline uint16_t fx_used_idx(struct vq_fixture *fx)
{
	return fx_get16(fx, FX_USED_GPA + 2);
}

/* Used ring entry @slot: id and len. */
static inline uint32_t fx_used_id(struct vq_fixture *fx, unsigned slot)
{
	return fx_get32(fx, FX_USED_GPA + 4 + 8ULL * slot);
}

static inline uint32_t fx_used_len(struct vq_fixture *fx, unsigned slot)
{
	return fx_get32(fx, FX_USED_GPA + 8 + 8ULL * slot);
}

/* avail->used_event and used->avail_event (EVENT_IDX). */
static inline void fx_set_used_event(struct vq_fixture *fx, uint16_t v)
{
	fx_put16(fx, FX_AVAIL_GPA + 4 + 2ULL * fx->size, v);
}

static inline uint16_t fx_avail_event(struct vq_fixture *fx)
{
	return fx_get16(fx, FX_USED_GPA + 4 + 8ULL * fx->size);
}

#endif
