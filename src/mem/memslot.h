// SPDX-License-Identifier: MIT
/*
 * The one owner of KVM memory slots. It hands out slot ids, keeps what each
 * slot maps, and accounts the VM's slot budget (KVM_CAP_NR_MEMSLOTS).
 * Adding and removing slots while the guest runs is the normal case: boot
 * RAM takes a few slots once, virtio-mem maps and unmaps slots as blocks
 * are plugged and unplugged.
 *
 * Context: callers hold the device-model lock (or run before vCPUs start).
 * The KVM call goes through an ops table so unit tests need no /dev/kvm.
 */
#ifndef FLEXVM_MEM_MEMSLOT_H
#define FLEXVM_MEM_MEMSLOT_H

#include <stdbool.h>
#include <stdint.h>

#include "util/compiler.h"

/*
 * Performs KVM_SET_USER_MEMORY_REGION; size 0 deletes. Returns 0 or -errno
 * (a positive value is taken as -EIO).
 */
typedef int (*memslot_set_region_fn)(void *opaque, uint32_t slot,
				     uint32_t flags, uint64_t gpa,
				     uint64_t size, void *hva);

struct memslot {
	uint64_t gpa;
	uint64_t size;
	void *hva;
	uint32_t flags;		/* KVM_MEM_* */
	const char *owner;	/* e.g. "ram-low", "vm0"; static storage */
	bool used;
};

struct memslot_stats {
	uint64_t nr_added;	/* slot operations since creation */
	uint64_t nr_removed;
	uint64_t mapped_bytes;	/* sum of sizes of the live slots */
};

/*
 * Cost with n live slots: find is O(log n) (binary search of by_gpa); add
 * and remove are O(log n) plus a memmove of at most n 4-byte ids and a
 * bitmap scan of n/64 words: microseconds for KVM's 32764 slots, against
 * 100+ us for the KVM call itself (docs host-kvm.md).
 */
struct memslot_table {
	struct memslot *slots;	/* indexed by slot id, nr_slots entries */
	unsigned nr_slots;	/* ids 0 .. nr_slots-1 exist in KVM */
	unsigned nr_used;
	memslot_set_region_fn set_region;
	void *opaque;
	struct memslot_stats stats;
	/* private to memslot.c */
	uint32_t *by_gpa;	/* ids of the live slots, sorted by gpa */
	uint64_t *used_map;	/* bit per id: live */
	unsigned free_hint;	/* every id below it is live */
};

/* Slot ids KVM can take: the low 16 bits of kvm_userspace_memory_region. */
#define MEMSLOT_MAX_SLOTS 0x10000u

/**
 * memslot_table_init - a table of @nr_slots ids (KVM_CAP_NR_MEMSLOTS) whose
 * changes are applied through @set_region(@opaque, ...).
 * Return: 0, -EINVAL for no callback or more than MEMSLOT_MAX_SLOTS ids,
 * or -ENOMEM.
 */
int memslot_table_init(struct memslot_table *t, unsigned nr_slots,
		       memslot_set_region_fn set_region,
		       void *opaque) __must_check;
/*
 * Frees the table. It does not delete the slots from KVM: closing the VM
 * fd does that.
 */
void memslot_table_destroy(struct memslot_table *t);

/**
 * memslot_add - map [gpa, gpa + size) to @hva in a new slot, taking the
 * lowest free id.
 * Return: the slot id (>= 0), -EINVAL for a zero, unaligned (4 KiB: gpa,
 * size and hva) or wrapping range, -EEXIST when it overlaps a live slot,
 * -ENOSPC when no id is free, or the error of the KVM call (the table is
 * then unchanged).
 */
int memslot_add(struct memslot_table *t, uint64_t gpa, uint64_t size,
		void *hva, uint32_t flags, const char *owner) __must_check;

/**
 * memslot_remove - delete slot @id (its id becomes free for reuse).
 * Return: 0, -ENOENT, or the KVM error (the slot then stays live).
 */
int memslot_remove(struct memslot_table *t, unsigned id) __must_check;

/* The live slot that contains @gpa, or -ENOENT. */
int memslot_find(const struct memslot_table *t, uint64_t gpa);

/**
 * memslot_kvm_ioctl - a memslot_set_region_fn doing KVM_SET_USER_MEMORY_REGION
 * on the VM fd that @opaque points to (an int *).
 * Return: 0 or -errno of the ioctl.
 */
int memslot_kvm_ioctl(void *opaque, uint32_t slot, uint32_t flags,
		      uint64_t gpa, uint64_t size, void *hva);

/* Number of ids still free. */
static inline unsigned memslot_free(const struct memslot_table *t)
{
	return t->nr_slots - t->nr_used;
}

#endif
