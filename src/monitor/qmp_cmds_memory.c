// SPDX-License-Identifier: MIT
/*
 * The memory commands: query-memory-devices and query-memory-size-summary
 * in QEMU 7.2's shape, and flexvm's own x-query-memslots, which lists
 * every KVM memslot (boot RAM and virtio-mem) with its owner and a host
 * cost summary. Built on the plain-C query API of virtio_mem.h.
 * Main thread, dm_lock held.
 */
#include <json-c/json.h>

#include "core/vm.h"
#include "hw/virtio/virtio_mem.h"
#include "mem/memslot_policy.h"
#include "monitor/monitor.h"
#include "monitor/qmp_cmds.h"

static void put_u64(struct json_object *obj, const char *key, uint64_t v)
{
	json_object_object_add(obj, key, json_object_new_uint64(v));
}

static void put_str(struct json_object *obj, const char *key, const char *s)
{
	json_object_object_add(obj, key, json_object_new_string(s));
}

static struct json_object *virtio_mem_data(const struct virtio_mem_info *i)
{
	struct json_object *d = json_object_new_object();

	if (i->id)
		put_str(d, "id", i->id);
	put_u64(d, "memaddr", i->memaddr);
	put_u64(d, "requested-size", i->requested_size);
	put_u64(d, "size", i->size);
	put_u64(d, "max-size", i->max_size);
	put_u64(d, "block-size", i->block_size);
	put_u64(d, "node", i->node);
	put_str(d, "memdev", i->memdev);
	return d;
}

static struct json_object *query_memory_devices(void *opaque, void *client,
						struct json_object *args,
						struct error *err)
{
	struct monitor *mon = opaque;
	struct json_object *list = json_object_new_array();
	unsigned n = virtio_mem_query_count(mon->vm);

	(void)client, (void)args, (void)err;
	for (unsigned i = 0; i < n; i++) {
		struct virtio_mem_info info;
		struct json_object *dev;

		if (virtio_mem_query(mon->vm, i, &info))
			continue;
		dev = json_object_new_object();
		put_str(dev, "type", "virtio-mem");
		json_object_object_add(dev, "data", virtio_mem_data(&info));
		json_object_array_add(list, dev);
	}
	return list;
}

static struct json_object *query_memory_size_summary(void *opaque,
						     void *client,
						     struct json_object *args,
						     struct error *err)
{
	struct monitor *mon = opaque;
	struct json_object *ret = json_object_new_object();

	(void)client, (void)args, (void)err;
	put_u64(ret, "base-memory", mon->vm->mm.ram_size);
	/* QEMU lists plugged-memory only when memory devices can exist. */
	if (mon->vm->mm.device_mem_size)
		put_u64(ret, "plugged-memory",
			virtio_mem_query_plugged_total(mon->vm));
	return ret;
}

/* Every live KVM slot, whoever owns it (boot RAM, virtio-mem devices). */
static struct json_object *slots_json(const struct memslot_table *t,
				      uint64_t *kernel_cost)
{
	struct json_object *list = json_object_new_array();

	for (unsigned id = 0; id < t->nr_slots; id++) {
		const struct memslot *s = &t->slots[id];
		struct json_object *o;
		uint64_t cost;

		if (!s->used)
			continue;
		cost = memslot_kernel_cost(s->size);
		*kernel_cost += cost;
		o = json_object_new_object();
		put_u64(o, "slot", id);
		put_u64(o, "gpa", s->gpa);
		put_u64(o, "size", s->size);
		put_str(o, "owner", s->owner ? s->owner : "");
		put_u64(o, "kernel-cost", cost);
		json_object_array_add(list, o);
	}
	return list;
}

static struct json_object *devices_json(const struct vm *vm)
{
	struct json_object *list = json_object_new_array();
	unsigned n = virtio_mem_query_count(vm);

	for (unsigned i = 0; i < n; i++) {
		struct virtio_mem_info info;
		struct json_object *d;

		if (virtio_mem_query(vm, i, &info))
			continue;
		d = json_object_new_object();
		put_str(d, "qom-path", info.qom_path);
		put_str(d, "policy", info.policy);
		put_u64(d, "slot-limit", info.slot_limit);
		put_u64(d, "layout-slots", info.nr_slots);
		put_u64(d, "mapped-slots", info.nr_mapped);
		put_u64(d, "mapped-bytes", info.mapped_bytes);
		put_u64(d, "plugged-bytes", info.size);
		put_u64(d, "kernel-cost", info.kernel_cost);
		put_u64(d, "slot-adds", info.nr_slot_adds);
		put_u64(d, "slot-removes", info.nr_slot_removes);
		json_object_array_add(list, d);
	}
	return list;
}

static struct json_object *x_query_memslots(void *opaque, void *client,
					    struct json_object *args,
					    struct error *err)
{
	struct monitor *mon = opaque;
	const struct memslot_table *t = &mon->vm->slots;
	struct json_object *ret = json_object_new_object();
	struct json_object *sum = json_object_new_object();
	uint64_t cost = 0;

	(void)client, (void)args, (void)err;
	json_object_object_add(ret, "slots", slots_json(t, &cost));
	json_object_object_add(ret, "devices", devices_json(mon->vm));
	put_u64(sum, "used-slots", t->nr_used);
	put_u64(sum, "kvm-slots", t->nr_slots);
	put_u64(sum, "mapped-bytes", t->stats.mapped_bytes);
	put_u64(sum, "kernel-cost", cost);
	put_u64(sum, "slot-adds", t->stats.nr_added);
	put_u64(sum, "slot-removes", t->stats.nr_removed);
	json_object_object_add(ret, "summary", sum);
	return ret;
}

const struct qmp_command qmp_cmds_memory[] = {
	{ "query-memory-devices", query_memory_devices, NULL, false },
	{ "query-memory-size-summary", query_memory_size_summary, NULL,
	  false },
	{ "x-query-memslots", x_query_memslots, NULL, false },
	{ NULL },
};
