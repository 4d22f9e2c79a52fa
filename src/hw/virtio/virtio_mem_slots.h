// SPDX-License-Identifier: MIT
/*
 * The KVM memslots of one virtio-mem device. Its region is cut into slots
 * once, at realize (memslot_policy_layout()), and a slot is mapped whole
 * while it holds a plugged block and removed when it holds none, so the
 * host pays KVM's per-page metadata only for what is plugged. A mapped slot
 * is never resized, so no remap ever needs the vCPUs paused. With
 * dynamic-memslots=off the whole region is mapped at realize and stays
 * mapped, as in QEMU 7.2.
 *
 * Context: dm_lock held (queue handler, QMP, system reset) or machine build.
 */
#ifndef FLEXVM_HW_VIRTIO_VIRTIO_MEM_SLOTS_H
#define FLEXVM_HW_VIRTIO_VIRTIO_MEM_SLOTS_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/virtio/vmem_state.h"
#include "mem/memslot.h"
#include "mem/memslot_policy.h"
#include "util/compiler.h"
#include "util/error.h"
#include "util/log.h"

/* QEMU's soft limit of memslots for all memory devices together. */
#define VIRTIO_MEM_DEFAULT_MEMSLOT_BUDGET 256u

struct virtio_mem_slots_config {
	struct memslot_table *table;	/* the VM's slots (or a test's) */
	enum memslot_policy policy;
	bool dynamic;		/* false: all mapped at init, never unmapped */
	bool prepare;		/* virtio_mem_slots_prepare() maps ahead */
	uint64_t gpa;		/* region start */
	uint64_t region_size;
	uint64_t block_size;
	void *hva;		/* host mapping of the region */
	unsigned slot_limit;	/* the device's share of the budget */
	const char *owner;	/* memslot owner; must outlive the slots */
};

struct virtio_mem_slots {
	struct memslot_table *table;
	struct slot_layout layout;
	int *kvm_ids;		/* per layout slot: KVM slot id, -1 unmapped */
	bool dynamic;
	bool prepare;		/* flexvm policy: map ahead on requested-size */
	uint64_t gpa;
	uint8_t *hva;
	const char *owner;
	unsigned nr_mapped;
	uint64_t mapped_bytes;
	uint64_t nr_maps;	/* slot adds and removes since init */
	uint64_t nr_unmaps;
	struct ratelimit rl;	/* KVM refusing a removal */
};

/* One slot of the layout, for the monitor (x-query-memslots). */
struct virtio_mem_slot_info {
	unsigned index;		/* in the device's layout */
	int kvm_slot;		/* KVM slot id, -1 when not mapped */
	uint64_t gpa;
	uint64_t size;
	bool mapped;
	/* memslot_kernel_cost(size): host kernel memory while mapped */
	uint64_t kernel_cost;
};

/**
 * virtio_mem_slot_share - how many memslots a new memory device may use:
 * QEMU 8.2's split of its 256-slot soft limit, with @budget in its place
 * @budget: slots for all memory devices (-machine x-memslot-budget)
 * @required: slots the devices built so far already use
 * @free_kvm: KVM slot ids still free (memslot_free())
 * @window: bytes of the device-memory window (maxmem - ram)
 * @used: bytes of the window the devices built so far occupy
 * @size: the new device's region size
 *
 * A device filling the whole window gets everything left; otherwise its
 * share is proportional to its size among the bytes still unused. Never
 * more than @free_kvm - @required, never less than 1 (QEMU's rules).
 * Return: the limit for memslot_policy_layout().
 */
unsigned virtio_mem_slot_share(unsigned budget, unsigned required,
			       unsigned free_kvm, uint64_t window,
			       uint64_t used, uint64_t size);

/**
 * virtio_mem_slots_init - build the layout and, without dynamic memslots,
 * map the whole region
 * @s: filled in; release with virtio_mem_slots_destroy()
 * @c: the device's parameters
 * @err: "x-memslot-policy=firecracker needs N memslots ..." when that
 *       layout exceeds the device's share, or the KVM error
 * Return: 0, -ENOSPC, -EINVAL, -ENOMEM or the memslot_add() error.
 */
int virtio_mem_slots_init(struct virtio_mem_slots *s,
			  const struct virtio_mem_slots_config *c,
			  struct error *err) __must_check;

/* Removes every mapped slot from KVM and frees; safe on a zeroed @s. */
void virtio_mem_slots_destroy(struct virtio_mem_slots *s);

/**
 * virtio_mem_slots_map - map every slot that [@offset, @offset + @len)
 * touches (all of them, not only the first: Firecracker bug #5793)
 * @st: the block state, not yet committed for this request
 *
 * Called before a PLUG is acknowledged. On failure, the touched slots
 * whose plugged blocks all lie inside the range are removed again: for a
 * plug (blocks still unplugged) exactly the slots this call added.
 * Return: 0, or the memslot_add() error (-ENOSPC, -EEXIST, KVM's).
 */
int virtio_mem_slots_map(struct virtio_mem_slots *s,
			 const struct vmem_state *st, uint64_t offset,
			 uint64_t len) __must_check;

/**
 * virtio_mem_slots_unmap_unused - remove every mapped slot that
 * [@offset, @offset + @len) touches and whose plugged blocks all lie
 * inside that range
 * @st: the block state. Before an UNPLUG commits, these are the slots the
 *      unplug empties; with the range unplugged, the slots holding none.
 *
 * Called before the memory under the range is discarded, so the guest
 * cannot fault freed pages back in through KVM. Every slot is tried.
 * Return: 0, or the first KVM error (that slot stays mapped).
 */
int virtio_mem_slots_unmap_unused(struct virtio_mem_slots *s,
				  const struct vmem_state *st,
				  uint64_t offset, uint64_t len);

/**
 * virtio_mem_slots_unmap_all - remove every mapped slot (UNPLUG_ALL,
 * system reset). Does nothing without dynamic memslots.
 * Return: 0, or the first KVM error.
 */
int virtio_mem_slots_unmap_all(struct virtio_mem_slots *s);

/**
 * virtio_mem_slots_sync - map exactly the slots holding a plugged block:
 * puts the mapping back after a discard failed half-way.
 * Return: 0, or the first error (the remaining slots are still tried).
 */
int virtio_mem_slots_sync(struct virtio_mem_slots *s,
			  const struct vmem_state *st);

/**
 * virtio_mem_slots_info - slot @i of the layout
 * Return: 0, or -ENOENT past the layout.
 */
/**
 * virtio_mem_slots_prepare - the host granted @requested bytes: map now
 * the slots that cover the first @requested bytes of the region, where
 * Linux's driver will plug them (upward from the start), so that no
 * plug request waits for KVM to build slot metadata; and unmap mapped
 * slots beyond @requested that hold no plugged block. Only for the flexvm
 * policy (qemu and firecracker map on plug, as those VMMs do). Once the
 * guest has settled (plugged == requested), exactly the slots mapping
 * would have created on demand are mapped. Does nothing unless the
 * slots were set up with .prepare (flexvm's default for its policy).
 * Return: 0 or the first error (slots map on plug then, as before).
 */
int virtio_mem_slots_prepare(struct virtio_mem_slots *s,
			     const struct vmem_state *st, uint64_t requested);

int virtio_mem_slots_info(const struct virtio_mem_slots *s, unsigned i,
			  struct virtio_mem_slot_info *out);

/* memslot_kernel_cost() summed over the mapped slots. */
uint64_t virtio_mem_slots_cost(const struct virtio_mem_slots *s);

#endif
