// SPDX-License-Identifier: MIT
/*
 * Memslot layouts of a memory device's region, chosen once at realize
 * time, and the KVM x86 memslot cost model. A mapped slot is never resized:
 * it is mapped whole or not at all, so no remap ever has to pause vCPUs.
 * Pure arithmetic; called by the virtio-mem glue (main thread) and the
 * benchmarks. No locks.
 */
#include "mem/memslot_policy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Why flexvm's slots grow geometrically.
 *
 * Under the shadow MMU, KVM allocates a slot's metadata for every page of
 * it when the slot is created: about 2.5 MiB per GiB (memslot_kernel_cost).
 * The floor for a device is the cost of slots covering exactly the plugged
 * bytes. Linux's driver plugs upward from the start of the region and
 * unplugs from the top, so the plugged bytes are a prefix [0, P), and what
 * is mapped is P rounded up to the end of the slot that holds byte P - 1.
 *
 * A slot starting at offset o gets size
 *	s(o) = max(B, ALIGN_DOWN(o * f, A))
 * where B = max(128 MiB, block) (Linux's memory block), f = 1/2^k, and A
 * is B, or 1 GiB once slots reach 1 GiB (the first such slot may be cut
 * short so that every large slot starts 1 GiB-aligned, for huge pages).
 * The slot holding P starts at o <= P, so the over-map is below
 * s(o) <= max(B, f * P):
 *	mapped(P) <= P + max(B, f * P),  i.e. <= (1 + f) P once P >= B / f,
 * and below that the over-map is one 128 MiB slot (about 0.3 MiB of kernel
 * memory). The slot count grows only logarithmically: about
 * 1/f + ln(R f / B) / ln(1 + f) for a region of R bytes. Firecracker's
 * fixed slots need R / 128 MiB (8192 per TiB); QEMU's equal slots of R/256
 * over-map up to 4 GiB at 1 TiB and 64 GiB at 16 TiB.
 *
 * f is the smallest of 1/32, 1/16, ... 1 whose count fits the limit.
 * Exact counts from this code (2 MiB blocks), and f at the default limit
 * of 256 (docs/memslots.md has the whole table and the measurements):
 *	region    f=1/32  f=1/16  f=1/8   f at 256   QEMU  Firecracker
 *	16 GiB        91      58     37   1/32         16          128
 *	256 GiB      200     112     62   1/32        256         2048
 *	1 TiB        246     135     74   1/32        256         8192
 *	16 TiB       337     181     98   1/16        256       131072
 * With the cost model below, kernel memory stays <= 1.1 x floor + 1 MiB
 * for every P (the +1 MiB absorbs the 128 MiB over-map of small P and
 * the 16 KiB of page-rounded small arrays each slot carries), and <= 1.1 x
 * floor for P >= 8 GiB; QEMU's layout reaches 2 x floor.
 */

#define PAGE_4K		(4 * KiB)

static const char *const memslot_policy_names[] = {
	[MEMSLOT_POLICY_FLEXVM] = "flexvm",
	[MEMSLOT_POLICY_QEMU] = "qemu",
	[MEMSLOT_POLICY_FIRECRACKER] = "firecracker",
};

/* Size of the flexvm slot that starts at @o (see the comment above). */
static uint64_t flexvm_slot_size(uint64_t o, unsigned shift, uint64_t base,
				 uint64_t region)
{
	uint64_t want = o >> shift;
	uint64_t s;

	if (base < MEMSLOT_POLICY_LARGE_ALIGN &&
	    want >= MEMSLOT_POLICY_LARGE_ALIGN) {
		s = ALIGN_DOWN(want, MEMSLOT_POLICY_LARGE_ALIGN);
		/* Reach 1 GiB alignment before the first large slot. */
		if (!IS_ALIGNED(o, MEMSLOT_POLICY_LARGE_ALIGN))
			s = ALIGN_UP(o, MEMSLOT_POLICY_LARGE_ALIGN) - o;
	} else {
		s = MAX(base, ALIGN_DOWN(want, base));
	}
	s = MIN(s, MEMSLOT_POLICY_MAX_SLOT);
	return MIN(s, region - o);
}

/* Walks the flexvm layout; fills @slots when not NULL. Returns the count. */
static uint64_t flexvm_walk(uint64_t region, uint64_t block, unsigned shift,
			    struct slot_range *slots)
{
	uint64_t base = MAX(MEMSLOT_POLICY_BASE_SLOT, block);
	uint64_t o = 0, n = 0, s;

	while (o < region) {
		s = flexvm_slot_size(o, shift, base, region);
		if (slots)
			slots[n] = (struct slot_range){ o, s };
		o += s;
		n++;
	}
	return n;
}

/* Equal slots of @size (the last one may be shorter). */
static uint64_t equal_walk(uint64_t region, uint64_t size,
			   struct slot_range *slots)
{
	uint64_t n = region / size + !!(region % size);
	uint64_t i;

	for (i = 0; slots && i < n; i++) {
		slots[i].offset = i * size;
		slots[i].size = MIN(size, region - i * size);
	}
	return n;
}

/* QEMU 8.2 memory_device / virtio-mem: at least 1 GiB, at most @limit. */
static uint64_t qemu_slot_size(uint64_t region, uint64_t block,
			       unsigned limit)
{
	uint64_t s = ALIGN_UP(region / limit, block);

	return MAX(s, MAX(block, MEMSLOT_POLICY_LARGE_ALIGN));
}

static int layout_alloc(struct slot_layout *out, uint64_t n)
{
	if (n > UINT32_MAX)
		return -ENOMEM;
	out->slots = calloc(n, sizeof(*out->slots));
	if (!out->slots)
		return -ENOMEM;
	out->nr = (unsigned)n;
	return 0;
}

static int layout_equal(struct slot_layout *out, uint64_t size)
{
	int ret = layout_alloc(out, equal_walk(out->region_size, size, NULL));

	if (!ret)
		equal_walk(out->region_size, size, out->slots);
	return ret;
}

static int layout_flexvm(struct slot_layout *out, unsigned limit)
{
	uint64_t region = out->region_size, block = out->block_size;
	unsigned k;
	int ret;

	/* The smallest growth fraction (largest shift) whose count fits. */
	for (k = MEMSLOT_POLICY_MAX_SHIFT + 1; k-- > 0;) {
		uint64_t n = flexvm_walk(region, block, k, NULL);

		if (n > limit)
			continue;
		out->growth_shift = k;
		ret = layout_alloc(out, n);
		if (!ret)
			flexvm_walk(region, block, k, out->slots);
		return ret;
	}
	/* Too few slots for growth: equal slots are all that fit. */
	out->policy = MEMSLOT_POLICY_QEMU;
	return layout_equal(out, qemu_slot_size(region, block, limit));
}

int memslot_policy_layout(enum memslot_policy p, uint64_t region_size,
			  uint64_t block_size, unsigned slot_limit,
			  struct slot_layout *out)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if (!region_size || !slot_limit || block_size < PAGE_4K ||
	    !IS_POWER_OF_2(block_size) || !IS_ALIGNED(region_size, block_size))
		return -EINVAL;
	out->region_size = region_size;
	out->block_size = block_size;
	out->policy = p;
	switch (p) {
	case MEMSLOT_POLICY_FLEXVM:
		return layout_flexvm(out, slot_limit);
	case MEMSLOT_POLICY_QEMU:
		return layout_equal(out, qemu_slot_size(region_size, block_size,
							 slot_limit));
	case MEMSLOT_POLICY_FIRECRACKER:
		ret = layout_equal(out, MAX(MEMSLOT_POLICY_BASE_SLOT,
					    block_size));
		if (!ret && out->nr > slot_limit)
			ret = -ENOSPC;
		return ret;
	}
	return -EINVAL;
}

void memslot_policy_free(struct slot_layout *l)
{
	free(l->slots);
	memset(l, 0, sizeof(*l));
}

int memslot_policy_find(const struct slot_layout *l, uint64_t offset)
{
	unsigned lo = 0, hi = l->nr, mid;

	if (offset >= l->region_size)
		return -ERANGE;
	/* The last slot whose offset is <= @offset; slot 0 starts at 0. */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (l->slots[mid].offset <= offset)
			lo = mid;
		else
			hi = mid;
	}
	return (int)lo;
}

int memslot_policy_touched(const struct slot_layout *l, uint64_t offset,
			   uint64_t len, unsigned *first, unsigned *last)
{
	if (!len || offset >= l->region_size ||
	    len > l->region_size - offset)
		return -EINVAL;
	*first = (unsigned)memslot_policy_find(l, offset);
	*last = (unsigned)memslot_policy_find(l, offset + len - 1);
	return 0;
}

uint64_t memslot_policy_mapped_prefix(const struct slot_layout *l,
				      uint64_t plugged)
{
	int i;

	if (!plugged)
		return 0;
	i = memslot_policy_find(l, MIN(plugged, l->region_size) - 1);
	return l->slots[i].offset + l->slots[i].size;
}

uint64_t memslot_policy_mapped_cost(const struct slot_layout *l,
				    unsigned first, unsigned last)
{
	uint64_t cost = 0;
	unsigned i;

	for (i = first; i <= last && i < l->nr; i++)
		cost += memslot_kernel_cost(l->slots[i].size);
	return cost;
}

/* One vmalloc'd array of @n entries of @size bytes. */
static uint64_t kvm_array(uint64_t n, uint64_t size)
{
	return ALIGN_UP(n * size, PAGE_4K);
}

uint64_t memslot_kernel_cost(uint64_t slot_size)
{
	uint64_t pages = ALIGN_UP(slot_size, PAGE_4K) / PAGE_4K;
	uint64_t n2m = (slot_size + 2 * MiB - 1) / (2 * MiB);
	uint64_t n1g = (slot_size + GiB - 1) / GiB;

	if (!slot_size)
		return 0;
	return kvm_array(pages, 8) + kvm_array(n2m, 8) + kvm_array(n1g, 8) +
	       kvm_array(n2m, 4) + kvm_array(n1g, 4) + kvm_array(pages, 2);
}

const char *memslot_policy_name(enum memslot_policy p)
{
	if ((unsigned)p >= ARRAY_SIZE(memslot_policy_names))
		return "?";
	return memslot_policy_names[p];
}

int memslot_policy_parse(const char *name, enum memslot_policy *out)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(memslot_policy_names); i++) {
		if (!strcmp(name, memslot_policy_names[i])) {
			*out = (enum memslot_policy)i;
			return 0;
		}
	}
	return -EINVAL;
}
