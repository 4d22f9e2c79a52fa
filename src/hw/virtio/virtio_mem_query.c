// SPDX-License-Identifier: MIT
/*
 * The monitor's view of virtio-mem-pci: the QOM objects
 * /machine/peripheral/ID and its virtio-backend child (qom-get/qom-set,
 * with QEMU 7.2's errors), and the plain-C queries that
 * query-memory-devices, query-memory-size-summary, x-query-memslots and
 * HMP info memory-devices are built on. Main thread, dm_lock held.
 */
#include "hw/virtio/virtio_mem_pci.h"

#include <errno.h>
#include <stdio.h>

#include "core/vm.h"
#include "monitor/qom.h"

static int vmp_qom_get(struct qom_object *obj, void *opaque,
		       struct qom_value *out, struct error *err)
{
	const struct virtio_mem_pci_ref *r = opaque;
	const struct virtio_mem_pci *d = r->d;
	static const char *const ooa[] = { "off", "on" };
	const struct vmem_state *st = &d->mem.st;
	const uint64_t u[VMP_NR_FIELDS] = {
		[VMP_MEMADDR] = st->addr, [VMP_NODE] = d->mem.node,
		[VMP_REQUESTED_SIZE] = st->requested_size,
		[VMP_BLOCK_SIZE] = st->block_size,
		[VMP_SIZE] = st->plugged_size,
	};

	(void)obj;
	(void)err;
	out->type = QOM_TYPE_UINT;
	out->u = u[r->field];
	if (r->field == VMP_PREALLOC || r->field == VMP_DYNAMIC_MEMSLOTS) {
		out->type = QOM_TYPE_BOOL;
		out->b = r->field == VMP_PREALLOC ? d->mem.prealloc
						  : d->dynamic_memslots;
	} else if (r->field == VMP_MEMDEV) {
		out->type = QOM_TYPE_LINK;
		out->s = d->memdev_path;
	} else if (r->field == VMP_UNPLUGGED_INACCESSIBLE) {
		out->type = QOM_TYPE_STR;
		out->s = ooa[d->mem.unplugged_inaccessible];
	} else if (r->field == VMP_POLICY) {
		out->type = QOM_TYPE_STR;
		out->s = memslot_policy_name(d->policy);
	} else if (r->field != VMP_MEMADDR && r->field != VMP_NODE) {
		out->type = QOM_TYPE_SIZE;
	}
	return 0;
}

static const char *const vmp_field_names[VMP_NR_FIELDS] = {
	[VMP_MEMADDR] = "memaddr", [VMP_MEMDEV] = "memdev",
	[VMP_NODE] = "node", [VMP_REQUESTED_SIZE] = "requested-size",
	[VMP_BLOCK_SIZE] = "block-size", [VMP_PREALLOC] = "prealloc",
	[VMP_UNPLUGGED_INACCESSIBLE] = "unplugged-inaccessible",
	[VMP_SIZE] = "size", [VMP_DYNAMIC_MEMSLOTS] = "dynamic-memslots",
	[VMP_POLICY] = "x-memslot-policy",
};

/* Only requested-size changes after realize; the rest in QEMU's words. */
static int vmp_qom_set(struct qom_object *obj, void *opaque,
		       const struct qom_value *in, struct error *err)
{
	const struct virtio_mem_pci_ref *r = opaque;

	(void)obj;
	switch (r->field) {
	case VMP_REQUESTED_SIZE:
		return virtio_mem_set_requested_size(&r->d->mem, in->u, err);
	case VMP_BLOCK_SIZE:
		error_setg(err, "'block-size' cannot be changed");
		return -EPERM;
	case VMP_SIZE:
		error_setg(err, "Property 'virtio-mem.size' is not writable");
		return -EPERM;
	case VMP_MEMDEV:
		error_setg(err, "Attempt to set link property 'memdev' on "
			   "device '(null)' (type 'virtio-mem') after it was "
			   "realized");
		return -EPERM;
	default:
		error_setg(err, "Attempt to set property '%s' on anonymous "
			   "device (type 'virtio-mem') after it was realized",
			   vmp_field_names[r->field]);
		return -EPERM;
	}
}

int virtio_mem_query_qom_add(struct virtio_mem_pci *d, struct error *err)
{
	static const struct { const char *type_name; enum qom_type type; }
	types[VMP_NR_FIELDS] = {
		[VMP_MEMADDR] = { "uint64", QOM_TYPE_UINT },
		[VMP_MEMDEV] = { "link<memory-backend>", QOM_TYPE_LINK },
		[VMP_NODE] = { "uint32", QOM_TYPE_UINT },
		[VMP_REQUESTED_SIZE] = { "size", QOM_TYPE_SIZE },
		[VMP_BLOCK_SIZE] = { "size", QOM_TYPE_SIZE },
		[VMP_PREALLOC] = { "bool", QOM_TYPE_BOOL },
		[VMP_UNPLUGGED_INACCESSIBLE] = { "OnOffAuto", QOM_TYPE_STR },
		[VMP_SIZE] = { "size", QOM_TYPE_SIZE },
		[VMP_DYNAMIC_MEMSLOTS] = { "bool", QOM_TYPE_BOOL },
		[VMP_POLICY] = { "string", QOM_TYPE_STR },
	};
	struct qom_prop props[VMP_NR_FIELDS];
	char child[200];

	for (unsigned i = 0; i < VMP_NR_FIELDS; i++) {
		d->refs[i] = (struct virtio_mem_pci_ref){
			d, (enum virtio_mem_pci_field)i };
		props[i] = (struct qom_prop){
			.name = vmp_field_names[i],
			.type_name = types[i].type_name, .type = types[i].type,
			.get = vmp_qom_get, .set = vmp_qom_set,
			.opaque = &d->refs[i],
		};
	}
	/* QEMU's proxy forwards these to its virtio-mem child: both. */
	snprintf(child, sizeof(child), "%s/virtio-backend", d->qom_path);
	if (!qom_add(d->qom_path, "virtio-mem-pci", props, VMP_NR_FIELDS, err))
		return -EEXIST;
	if (!qom_add(child, "virtio-mem", props, VMP_NR_FIELDS, err)) {
		qom_remove(d->qom_path);
		return -EEXIST;
	}
	return 0;
}


/* ---- Queries ---- */

unsigned virtio_mem_query_count(const struct vm *vm)
{
	return vm->nr_memdevs;
}

int virtio_mem_query(const struct vm *vm, unsigned i,
		     struct virtio_mem_info *out)
{
	const struct virtio_mem_pci *d;
	const struct virtio_mem_slots *s;

	if (i >= vm->nr_memdevs)
		return -ENOENT;
	d = vm->memdevs[i];
	s = &d->mem.slots;
	*out = (struct virtio_mem_info){
		.id = d->id, .qom_path = d->qom_path,
		.memdev = d->memdev_path, .memaddr = d->mem.st.addr,
		.requested_size = d->mem.st.requested_size,
		.size = d->mem.st.plugged_size,
		.max_size = d->mem.st.region_size,
		.block_size = d->mem.st.block_size, .node = d->mem.node,
		.usable_region_size = d->mem.st.usable_region_size,
		.dynamic_memslots = d->dynamic_memslots,
		.policy = d->dynamic_memslots ? memslot_policy_name(d->policy)
					      : "static",
		.slot_limit = d->slot_limit, .nr_slots = s->layout.nr,
		.nr_mapped = s->nr_mapped, .mapped_bytes = s->mapped_bytes,
		.kernel_cost = virtio_mem_slots_cost(s),
		.nr_slot_adds = s->nr_maps, .nr_slot_removes = s->nr_unmaps,
	};
	return 0;
}

int virtio_mem_query_slot(const struct vm *vm, unsigned i, unsigned slot,
			  struct virtio_mem_slot_info *out)
{
	if (i >= vm->nr_memdevs)
		return -ENOENT;
	return virtio_mem_slots_info(&vm->memdevs[i]->mem.slots, slot, out);
}

uint64_t virtio_mem_query_plugged_total(const struct vm *vm)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < vm->nr_memdevs; i++)
		total += vm->memdevs[i]->mem.st.plugged_size;
	return total;
}
