// SPDX-License-Identifier: MIT
/*
 * Mapping a virtio-mem region into KVM slot by slot: a slot is added
 * before a plug into it is acknowledged and removed, once it holds no
 * plugged block, before the memory under it is discarded. Also the split
 * of the memslot budget between memory devices. Called with dm_lock held
 * (queue handler, QMP, system reset) or while the machine is built.
 */
#include "hw/virtio/virtio_mem_slots.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

unsigned virtio_mem_slot_share(unsigned budget, unsigned required,
			       unsigned free_kvm, uint64_t window,
			       uint64_t used, uint64_t size)
{
	uint64_t avail = window > used ? window - used : 0;
	unsigned left;
	uint64_t share;

	/* Other slot users took more than planned: keep to a minimum. */
	if (budget <= required || free_kvm <= required)
		return 1;
	left = MIN(budget - required, free_kvm - required);
	/* No other memory device can exist: this one gets all. */
	if (size >= window || size >= avail)
		return left;
	/* 128-bit: a 64 TiB window times a few thousand slots. */
	share = (uint64_t)((unsigned __int128)left * size / avail);
	return share ? (unsigned)share : 1;
}

/* Blocks of slot @i, in the numbering of vmem_state. */
static void slot_blocks(const struct virtio_mem_slots *s, unsigned i,
			uint64_t block_size, uint64_t *first, uint64_t *nr)
{
	*first = s->layout.slots[i].offset / block_size;
	*nr = s->layout.slots[i].size / block_size;
}

/* Whether slot @i holds no plugged block outside blocks [rfirst, rend). */
static bool slot_unused_outside(const struct virtio_mem_slots *s,
				const struct vmem_state *st, unsigned i,
				uint64_t rfirst, uint64_t rend)
{
	uint64_t first, nr, end;

	slot_blocks(s, i, st->block_size, &first, &nr);
	end = first + nr;
	rfirst = MAX(rfirst, first);
	rend = MIN(rend, end);
	if (rfirst >= rend)	/* the slot is outside the range */
		return !vmem_state_any_plugged(st, first, nr);
	return !vmem_state_any_plugged(st, first, rfirst - first) &&
	       !vmem_state_any_plugged(st, rend, end - rend);
}

static int slot_map(struct virtio_mem_slots *s, unsigned i)
{
	const struct slot_range *r = &s->layout.slots[i];
	int id;

	if (s->kvm_ids[i] >= 0)
		return 0;
	id = memslot_add(s->table, s->gpa + r->offset, r->size,
			 s->hva + r->offset, 0, s->owner);
	if (id < 0) {
		log_ratelimited(&s->rl, "%s: cannot map memslot [0x%" PRIx64
				", +0x%" PRIx64 ") into KVM: %s", s->owner,
				s->gpa + r->offset, r->size, strerror(-id));
		return id;
	}
	s->kvm_ids[i] = id;
	s->nr_mapped++;
	s->mapped_bytes += r->size;
	s->nr_maps++;
	return 0;
}

static int slot_unmap(struct virtio_mem_slots *s, unsigned i)
{
	int ret;

	if (s->kvm_ids[i] < 0)
		return 0;
	ret = memslot_remove(s->table, (unsigned)s->kvm_ids[i]);
	if (ret) {
		log_ratelimited(&s->rl, "%s: cannot remove memslot %d: %s",
				s->owner, s->kvm_ids[i], strerror(-ret));
		return ret;
	}
	s->kvm_ids[i] = -1;
	s->nr_mapped--;
	s->mapped_bytes -= s->layout.slots[i].size;
	s->nr_unmaps++;
	return 0;
}

/*
 * dynamic-memslots=off: QEMU 7.2 maps the region as one slot. KVM takes
 * at most 2^31 - 1 pages per slot, so regions above 4 TiB take several.
 */
static int slots_static_layout(struct slot_layout *l, uint64_t region,
			       uint64_t block_size)
{
	const uint64_t max = MAX(MEMSLOT_POLICY_MAX_SLOT, block_size);
	unsigned nr = (unsigned)((region + max - 1) / max);

	l->slots = calloc(nr, sizeof(*l->slots));
	if (!l->slots)
		return -ENOMEM;
	for (unsigned i = 0; i < nr; i++) {
		l->slots[i].offset = i * max;
		l->slots[i].size = MIN(max, region - i * max);
	}
	l->nr = nr;
	l->region_size = region;
	l->block_size = block_size;
	return 0;
}

static int slots_build_layout(struct virtio_mem_slots *s,
			      const struct virtio_mem_slots_config *c,
			      struct error *err)
{
	int ret;

	if (!c->dynamic)
		ret = slots_static_layout(&s->layout, c->region_size,
					  c->block_size);
	else
		ret = memslot_policy_layout(c->policy, c->region_size,
					    c->block_size, c->slot_limit,
					    &s->layout);
	if (ret == -ENOSPC) {
		error_setg(err, "x-memslot-policy=%s needs %u memslots for "
			   "0x%" PRIx64 " bytes, more than this device's share "
			   "of the memslot budget (%u); raise -machine "
			   "x-memslot-budget", memslot_policy_name(c->policy),
			   s->layout.nr, c->region_size, c->slot_limit);
		memslot_policy_free(&s->layout);
	} else if (ret) {
		error_setg_errno(err, -ret, "cannot cut the device memory "
				 "into memslots");
	}
	return ret;
}

int virtio_mem_slots_init(struct virtio_mem_slots *s,
			  const struct virtio_mem_slots_config *c,
			  struct error *err)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->table = c->table;
	s->dynamic = c->dynamic;
	s->prepare = c->dynamic && c->prepare;
	s->gpa = c->gpa;
	s->hva = c->hva;
	s->owner = c->owner;
	s->rl = (struct ratelimit){ .burst = 5, .interval_ms = 1000 };
	ret = slots_build_layout(s, c, err);
	if (ret)
		return ret;
	s->kvm_ids = malloc(s->layout.nr * sizeof(*s->kvm_ids));
	if (!s->kvm_ids) {
		memslot_policy_free(&s->layout);
		error_setg(err, "out of memory");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < s->layout.nr; i++)
		s->kvm_ids[i] = -1;
	for (unsigned i = 0; !s->dynamic && i < s->layout.nr; i++) {
		ret = slot_map(s, i);
		if (ret) {
			error_setg_errno(err, -ret, "cannot map the memory of "
					 "%s into KVM", c->owner);
			virtio_mem_slots_destroy(s);
			return ret;
		}
	}
	return 0;
}

void virtio_mem_slots_destroy(struct virtio_mem_slots *s)
{
	for (unsigned i = 0; s->kvm_ids && i < s->layout.nr; i++)
		(void)slot_unmap(s, i);
	free(s->kvm_ids);
	memslot_policy_free(&s->layout);
	memset(s, 0, sizeof(*s));
}

int virtio_mem_slots_map(struct virtio_mem_slots *s,
			 const struct vmem_state *st, uint64_t offset,
			 uint64_t len)
{
	unsigned first, last;
	int ret;

	if (!s->dynamic)
		return 0;
	ret = memslot_policy_touched(&s->layout, offset, len, &first, &last);
	if (ret)
		return ret;
	for (unsigned i = first; i <= last; i++) {
		ret = slot_map(s, i);
		if (ret) {
			/* Take back what only this range needed. */
			(void)virtio_mem_slots_unmap_unused(s, st, offset, len);
			return ret;
		}
	}
	return 0;
}

int virtio_mem_slots_unmap_unused(struct virtio_mem_slots *s,
				  const struct vmem_state *st,
				  uint64_t offset, uint64_t len)
{
	const uint64_t rfirst = offset / st->block_size;
	const uint64_t rend = rfirst + len / st->block_size;
	unsigned first, last;
	int ret, first_err = 0;

	if (!s->dynamic)
		return 0;
	ret = memslot_policy_touched(&s->layout, offset, len, &first, &last);
	if (ret)
		return ret;
	for (unsigned i = first; i <= last; i++) {
		if (s->kvm_ids[i] < 0 ||
		    !slot_unused_outside(s, st, i, rfirst, rend))
			continue;
		ret = slot_unmap(s, i);
		if (ret && !first_err)
			first_err = ret;
	}
	return first_err;
}

int virtio_mem_slots_unmap_all(struct virtio_mem_slots *s)
{
	int ret, first_err = 0;

	for (unsigned i = 0; s->dynamic && i < s->layout.nr; i++) {
		ret = slot_unmap(s, i);
		if (ret && !first_err)
			first_err = ret;
	}
	return first_err;
}

int virtio_mem_slots_sync(struct virtio_mem_slots *s,
			  const struct vmem_state *st)
{
	uint64_t first, nr;
	int ret, first_err = 0;

	for (unsigned i = 0; s->dynamic && i < s->layout.nr; i++) {
		slot_blocks(s, i, st->block_size, &first, &nr);
		if (vmem_state_any_plugged(st, first, nr))
			ret = slot_map(s, i);
		else
			ret = slot_unmap(s, i);
		if (ret && !first_err)
			first_err = ret;
	}
	return first_err;
}

int virtio_mem_slots_prepare(struct virtio_mem_slots *s,
			     const struct vmem_state *st, uint64_t requested)
{
	uint64_t first, nr;
	int ret, first_err = 0;

	for (unsigned i = 0; s->prepare && i < s->layout.nr; i++) {
		slot_blocks(s, i, st->block_size, &first, &nr);
		if (s->layout.slots[i].offset < requested)
			ret = slot_map(s, i);
		else if (!vmem_state_any_plugged(st, first, nr))
			ret = slot_unmap(s, i);
		else
			continue;
		if (ret && !first_err)
			first_err = ret;
	}
	return first_err;
}

int virtio_mem_slots_info(const struct virtio_mem_slots *s, unsigned i,
			  struct virtio_mem_slot_info *out)
{
	const struct slot_range *r;

	if (i >= s->layout.nr)
		return -ENOENT;
	r = &s->layout.slots[i];
	*out = (struct virtio_mem_slot_info){
		.index = i, .kvm_slot = s->kvm_ids[i],
		.gpa = s->gpa + r->offset, .size = r->size,
		.mapped = s->kvm_ids[i] >= 0,
		.kernel_cost = memslot_kernel_cost(r->size),
	};
	return 0;
}

uint64_t virtio_mem_slots_cost(const struct virtio_mem_slots *s)
{
	uint64_t cost = 0;

	for (unsigned i = 0; i < s->layout.nr; i++)
		if (s->kvm_ids[i] >= 0)
			cost += memslot_kernel_cost(s->layout.slots[i].size);
	return cost;
}
