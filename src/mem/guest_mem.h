// SPDX-License-Identifier: MIT
/*
 * Guest-physical memory as the host sees it: a fixed set of regions, each a
 * guest-physical range backed by a host mapping. Every device access to
 * guest memory goes through these bounds-checked helpers, so a guest-chosen
 * address can never reach host memory outside a region.
 *
 * The region set is fixed once the machine is built, so lookups need no
 * lock. Unit tests and fuzzers back regions with plain malloc'd buffers.
 * Which parts are currently visible to KVM is memslot.h's business, not
 * this file's.
 */
#ifndef FLEXVM_MEM_GUEST_MEM_H
#define FLEXVM_MEM_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/compiler.h"

#define GUEST_MEM_MAX_REGIONS 16

/*
 * Whether a device may touch [gpa, gpa + len) of a region right now (for
 * virtio-mem: only plugged blocks). Called with dm_lock held.
 */
typedef bool (*guest_mem_filter_fn)(void *opaque, uint64_t gpa, uint64_t len);

struct guest_mem_region {
	const char *name;
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;
	guest_mem_filter_fn filter;	/* NULL: all of it is always RAM */
	void *filter_opaque;
};

/* Zero-initialise; regions are added with guest_mem_add(). */
struct guest_mem {
	struct guest_mem_region regions[GUEST_MEM_MAX_REGIONS];
	unsigned nr_regions;
};

/*
 * guest_mem_add - register [gpa, gpa + size) as backed by @hva.
 * Returns 0, -EINVAL for a zero size or a range that wraps, -EEXIST when it
 * overlaps an existing region, -ENOSPC when the table is full.
 */
int guest_mem_add(struct guest_mem *gm, const char *name, uint64_t gpa,
		  uint64_t size, void *hva) __must_check;

/*
 * guest_mem_set_filter - restrict device access to the region that starts
 * at @gpa to what @fn allows: the guest must not make a device read or
 * write (and so repopulate) memory it has unplugged. 0 or -ENOENT.
 */
int guest_mem_set_filter(struct guest_mem *gm, uint64_t gpa,
			 guest_mem_filter_fn fn, void *opaque);

/*
 * guest_mem_ptr - host pointer for [gpa, gpa + len), or NULL unless the whole
 * range lies inside a single region (len 0 is treated as 1). Never wraps.
 */
void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len);

/* The region containing @gpa, or NULL. */
const struct guest_mem_region *guest_mem_find(const struct guest_mem *gm,
					      uint64_t gpa);

/*
 * Copy to/from guest memory; 0 or -EFAULT when the range is not all RAM
 * (nothing is copied then). Unlike guest_mem_ptr(), a copy may span
 * adjacent regions.
 */
int guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *buf,
		   size_t len) __must_check;
int guest_mem_write(const struct guest_mem *gm, uint64_t gpa, const void *buf,
		    size_t len) __must_check;

/*
 * Host backing: anonymous private MAP_NORESERVE memory of @size bytes, so a
 * large guest costs only what it touches. Returns NULL and sets errno.
 */
void *guest_mem_alloc_anon(uint64_t size);
void guest_mem_free_anon(void *hva, uint64_t size);

/**
 * guest_mem_advise_hugepage - ask for transparent huge pages on a mapping
 * from guest_mem_alloc_anon(). Off by default: fewer TLB misses, but the
 * host then spends 2 MiB on the first touch of any byte of a 2 MiB page.
 * Return: 0 or -errno from madvise(MADV_HUGEPAGE) (-EINVAL without THP).
 */
int guest_mem_advise_hugepage(void *hva, uint64_t size) __must_check;

#endif
