// SPDX-License-Identifier: MIT
/*
 * KVM memory slots: id allocation (lowest free id first), overlap checks,
 * accounting, and the KVM_SET_USER_MEMORY_REGION call behind an ops hook.
 * Callers hold the device-model lock or run before the vCPUs start; the
 * table is changed only after KVM accepted the change, so a failed call
 * leaves it exactly as it was.
 */
#include "mem/memslot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#define MEMSLOT_ALIGN (4 * KiB)

static inline uint64_t memslot_end(const struct memslot *s)
{
	return s->gpa + s->size;	/* memslot_add() refused wrapping */
}

int memslot_table_init(struct memslot_table *t, unsigned nr_slots,
		       memslot_set_region_fn set_region, void *opaque)
{
	unsigned nr_words = (nr_slots + 63) / 64;

	memset(t, 0, sizeof(*t));
	if (!set_region || nr_slots > MEMSLOT_MAX_SLOTS)
		return -EINVAL;
	/* +1: calloc(0) may return NULL, and zero slots is a valid budget */
	t->slots = calloc(nr_slots + 1, sizeof(*t->slots));
	t->by_gpa = calloc(nr_slots + 1, sizeof(*t->by_gpa));
	t->used_map = calloc(nr_words + 1, sizeof(*t->used_map));
	if (!t->slots || !t->by_gpa || !t->used_map) {
		memslot_table_destroy(t);
		return -ENOMEM;
	}
	t->nr_slots = nr_slots;
	t->set_region = set_region;
	t->opaque = opaque;
	return 0;
}

void memslot_table_destroy(struct memslot_table *t)
{
	free(t->slots);
	free(t->by_gpa);
	free(t->used_map);
	memset(t, 0, sizeof(*t));
}

/* Index in by_gpa of the first live slot whose gpa is >= @gpa. */
static unsigned memslot_lower_bound(const struct memslot_table *t,
				    uint64_t gpa)
{
	unsigned lo = 0, hi = t->nr_used, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (t->slots[t->by_gpa[mid]].gpa < gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The lowest free id, or -ENOSPC. All ids below free_hint are live. */
static int memslot_alloc_id(const struct memslot_table *t)
{
	unsigned w, id;

	for (w = t->free_hint / 64; w * 64 < t->nr_slots; w++) {
		if (t->used_map[w] == UINT64_MAX)
			continue;
		id = w * 64 + (unsigned)__builtin_ctzll(~t->used_map[w]);
		return id < t->nr_slots ? (int)id : -ENOSPC;
	}
	return -ENOSPC;
}

static bool memslot_overlaps(const struct memslot_table *t, unsigned pos,
			     uint64_t gpa, uint64_t size)
{
	if (pos > 0 && memslot_end(&t->slots[t->by_gpa[pos - 1]]) > gpa)
		return true;
	return pos < t->nr_used && t->slots[t->by_gpa[pos]].gpa - gpa < size;
}

int memslot_add(struct memslot_table *t, uint64_t gpa, uint64_t size,
		void *hva, uint32_t flags, const char *owner)
{
	struct memslot *s;
	unsigned pos;
	int id, ret;

	if (!size || !IS_ALIGNED(gpa | size, MEMSLOT_ALIGN) ||
	    !IS_ALIGNED((uintptr_t)hva, MEMSLOT_ALIGN) ||
	    gpa > UINT64_MAX - size)
		return -EINVAL;
	pos = memslot_lower_bound(t, gpa);
	if (memslot_overlaps(t, pos, gpa, size))
		return -EEXIST;
	id = memslot_alloc_id(t);
	if (id < 0)
		return id;

	ret = t->set_region(t->opaque, (uint32_t)id, flags, gpa, size, hva);
	if (ret)
		return ret < 0 ? ret : -EIO;

	s = &t->slots[id];
	*s = (struct memslot){ .gpa = gpa, .size = size, .hva = hva,
			       .flags = flags, .owner = owner, .used = true };
	t->used_map[id / 64] |= 1ULL << (id % 64);
	t->free_hint = (unsigned)id + 1;
	memmove(&t->by_gpa[pos + 1], &t->by_gpa[pos],
		(t->nr_used - pos) * sizeof(*t->by_gpa));
	t->by_gpa[pos] = (uint32_t)id;
	t->nr_used++;
	t->stats.nr_added++;
	t->stats.mapped_bytes += size;
	return id;
}

int memslot_remove(struct memslot_table *t, unsigned id)
{
	struct memslot *s;
	unsigned pos;
	int ret;

	if (id >= t->nr_slots || !t->slots[id].used)
		return -ENOENT;
	s = &t->slots[id];
	/* KVM deletes a slot when memory_size is 0; the rest is ignored */
	ret = t->set_region(t->opaque, id, s->flags, s->gpa, 0, s->hva);
	if (ret)
		return ret < 0 ? ret : -EIO;

	pos = memslot_lower_bound(t, s->gpa);	/* gpas are unique */
	memmove(&t->by_gpa[pos], &t->by_gpa[pos + 1],
		(t->nr_used - pos - 1) * sizeof(*t->by_gpa));
	t->nr_used--;
	t->stats.nr_removed++;
	t->stats.mapped_bytes -= s->size;
	t->used_map[id / 64] &= ~(1ULL << (id % 64));
	t->free_hint = MIN(t->free_hint, id);
	memset(s, 0, sizeof(*s));
	return 0;
}

int memslot_find(const struct memslot_table *t, uint64_t gpa)
{
	const struct memslot *s;
	unsigned pos;

	/* The candidate is the last slot starting at or below gpa. */
	pos = memslot_lower_bound(t, gpa);
	if (pos < t->nr_used && t->slots[t->by_gpa[pos]].gpa == gpa)
		return (int)t->by_gpa[pos];
	if (pos == 0)
		return -ENOENT;
	s = &t->slots[t->by_gpa[pos - 1]];
	return gpa < memslot_end(s) ? (int)t->by_gpa[pos - 1] : -ENOENT;
}

int memslot_kvm_ioctl(void *opaque, uint32_t slot, uint32_t flags,
		      uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};
	int vm_fd = *(const int *)opaque;

	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return -errno;
	return 0;
}
