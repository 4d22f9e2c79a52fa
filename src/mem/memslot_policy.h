// SPDX-License-Identifier: MIT
/*
 * How the region of a memory device (virtio-mem) is cut into KVM memslots,
 * decided once at realize time: flexvm's geometrically growing slots,
 * QEMU 8.2's dynamic-memslots and Firecracker's fixed 128 MiB slots. Also
 * the lookups "which slots does a request touch" and a model of the host
 * kernel memory a slot costs. Pure code: no KVM, no locks, any thread.
 * docs/memslots.md explains the choice and gives the numbers.
 */
#ifndef FLEXVM_MEM_MEMSLOT_POLICY_H
#define FLEXVM_MEM_MEMSLOT_POLICY_H

#include <stdint.h>

#include "util/compiler.h"

enum memslot_policy {
	MEMSLOT_POLICY_FLEXVM,		/* "flexvm": geometric, the default */
	MEMSLOT_POLICY_QEMU,		/* "qemu": QEMU 8.2 dynamic-memslots */
	MEMSLOT_POLICY_FIRECRACKER,	/* "firecracker": fixed 128 MiB */
};

/* Linux's x86 memory block: the first slots, and Firecracker's slot. */
#define MEMSLOT_POLICY_BASE_SLOT	(128 * MiB)
/* QEMU's smallest dynamic memslot, and flexvm's large-slot alignment. */
#define MEMSLOT_POLICY_LARGE_ALIGN	GiB
/* flexvm's cap on a slot: a power of two below KVM's 2^31 - 1 pages. */
#define MEMSLOT_POLICY_MAX_SLOT		(4 * TiB)
/* flexvm's growth fractions, 1/2^shift, tried from the smallest. */
#define MEMSLOT_POLICY_MAX_SHIFT	5u	/* f = 1/32 */

/* One memslot: [offset, offset + size) from the start of the region. */
struct slot_range {
	uint64_t offset;
	uint64_t size;
};

struct slot_layout {
	struct slot_range *slots;	/* ascending, gap-free, cover region */
	unsigned nr;
	uint64_t region_size;
	uint64_t block_size;
	enum memslot_policy policy;	/* what was built (see fallback) */
	unsigned growth_shift;		/* flexvm: f = 1/2^growth_shift */
};

/**
 * memslot_policy_layout - cut a region into memslots with policy @p
 * @p: the policy asked for
 * @region_size: bytes, a non-zero multiple of @block_size
 * @block_size: the device block size, a power of two >= 4 KiB; every slot
 *              is a multiple of it
 * @slot_limit: how many slots the device may use (its share of the budget)
 * @out: the layout; release it with memslot_policy_free() whenever the
 *       return value is 0 or -ENOSPC
 *
 * flexvm: slot sizes grow with their offset (see memslot_policy.c), with
 * the smallest growth fraction 1/32, 1/16, ... 1/1 whose slot count fits
 * @slot_limit; when none fits, QEMU's layout is built instead and
 * @out->policy says so. qemu: QEMU 8.2's formula, always within the limit.
 * firecracker: fixed max(128 MiB, block) slots, with no limit of its own:
 * the layout is built in full and -ENOSPC reports that it exceeds
 * @slot_limit, so the caller can refuse it (or a benchmark can count it).
 *
 * Return: 0; -ENOSPC (firecracker over budget, @out valid); -EINVAL for a
 * zero or misaligned region, a bad block size or a zero limit; -ENOMEM.
 */
int memslot_policy_layout(enum memslot_policy p, uint64_t region_size,
			  uint64_t block_size, unsigned slot_limit,
			  struct slot_layout *out) __must_check;

/* Frees @l->slots and zeroes @l; safe on a zeroed layout. */
void memslot_policy_free(struct slot_layout *l);

/**
 * memslot_policy_find - the slot that contains region offset @offset
 * Return: its index (binary search), or -ERANGE past the region.
 */
int memslot_policy_find(const struct slot_layout *l, uint64_t offset);

/**
 * memslot_policy_touched - the slots that [@offset, @offset + @len) touches
 * @l: the layout
 * @offset: region offset of the first byte
 * @len: bytes; the whole range counts, not just its start (the lesson of
 *       Firecracker bug #5793)
 * @first: index of the first slot touched
 * @last: index of the last slot touched (inclusive)
 *
 * Return: 0, or -EINVAL for an empty, wrapping or out-of-region range.
 */
int memslot_policy_touched(const struct slot_layout *l, uint64_t offset,
			   uint64_t len, unsigned *first,
			   unsigned *last) __must_check;

/**
 * memslot_policy_mapped_prefix - bytes mapped when the plugged bytes are
 * the prefix [0, @plugged) of the region, as Linux's driver plugs them
 * Return: the end of the slot that holds byte @plugged - 1 (0 for 0).
 */
uint64_t memslot_policy_mapped_prefix(const struct slot_layout *l,
				      uint64_t plugged);

/**
 * memslot_policy_mapped_cost - memslot_kernel_cost() summed over slots
 * @first .. @last (inclusive) of @l
 */
uint64_t memslot_policy_mapped_cost(const struct slot_layout *l,
				    unsigned first, unsigned last);

/**
 * memslot_kernel_cost - host kernel memory KVM x86 allocates when a slot
 * of @slot_size bytes is created under the shadow MMU (tdp_mmu=N), as on
 * the project's hosts: rmap arrays (8 bytes per 4 KiB, 2 MiB and 1 GiB
 * page), lpage_info (4 bytes per 2 MiB and 1 GiB page) and the write-track
 * array (2 bytes per 4 KiB page), each a separate vmalloc rounded up to
 * 4 KiB. Assumes a 2 MiB-aligned gpa; no dirty log; one address space
 * (SMM would double it). Matches VmallocUsed measured on the host within
 * 0.2 %: 24 KiB for 2 MiB, 336 KiB for 128 MiB, 2576 KiB for 1 GiB.
 * Return: bytes; 0 for 0.
 */
uint64_t memslot_kernel_cost(uint64_t slot_size);

/* "flexvm", "qemu", "firecracker". */
const char *memslot_policy_name(enum memslot_policy p);

/* The policy called @name (as above); 0 or -EINVAL. */
int memslot_policy_parse(const char *name,
			 enum memslot_policy *out) __must_check;

#endif
