// SPDX-License-Identifier: MIT
/*
 * query-pci, from the PCI layer's plain-C description of bus 0, in QEMU
 * 7.2's shape: optional keys ("irq", "desc", "prefetch", "mem_type_64")
 * appear exactly when QEMU prints them. Main thread, dm_lock held.
 */
#include <json-c/json.h>

#include "core/vm.h"
#include "hw/pci/pci.h"
#include "monitor/monitor.h"
#include "monitor/qmp_cmds.h"

#define QUERY_PCI_MAX 32	/* bus 0 has 32 slots, function 0 each */

static void put(struct json_object *obj, const char *key, int64_t v)
{
	json_object_object_add(obj, key, json_object_new_int64(v));
}

static struct json_object *region_json(const struct pci_query_region *r)
{
	struct json_object *o = json_object_new_object();

	put(o, "bar", r->bar);
	json_object_object_add(o, "type", json_object_new_string(
				       r->is_io ? "io" : "memory"));
	/* Unmapped BARs read as -1, like QEMU's PCI_BAR_UNMAPPED. */
	put(o, "address", r->address == UINT64_MAX ? -1
						   : (int64_t)r->address);
	put(o, "size", (int64_t)r->size);
	if (!r->is_io) {
		json_object_object_add(o, "prefetch",
				       json_object_new_boolean(r->prefetch));
		json_object_object_add(o, "mem_type_64",
				       json_object_new_boolean(r->mem_type_64));
	}
	return o;
}

static struct json_object *device_json(const struct pci_query_device *d)
{
	struct json_object *o = json_object_new_object();
	struct json_object *cls = json_object_new_object();
	struct json_object *id = json_object_new_object();
	struct json_object *regions = json_object_new_array();

	put(o, "bus", d->bus);
	put(o, "slot", d->slot);
	put(o, "function", d->function);
	put(cls, "class", d->class_code);
	if (d->class_desc)
		json_object_object_add(cls, "desc",
				       json_object_new_string(d->class_desc));
	json_object_object_add(o, "class_info", cls);
	put(id, "vendor", d->vendor);
	put(id, "device", d->device);
	put(id, "subsystem-vendor", d->subsystem_vendor);
	put(id, "subsystem", d->subsystem);
	json_object_object_add(o, "id", id);
	if (d->has_irq)
		put(o, "irq", d->irq);
	put(o, "irq_pin", d->irq_pin);
	json_object_object_add(o, "qdev_id",
			       json_object_new_string(d->qdev_id));
	for (unsigned i = 0; i < d->nr_regions; i++)
		json_object_array_add(regions, region_json(&d->regions[i]));
	json_object_object_add(o, "regions", regions);
	return o;
}

static struct json_object *query_pci(void *opaque, void *client,
				     struct json_object *args,
				     struct error *err)
{
	struct monitor *mon = opaque;
	struct pci_query_device devs[QUERY_PCI_MAX];
	unsigned n = pci_query(&mon->vm->pci, devs, QUERY_PCI_MAX);
	struct json_object *bus = json_object_new_object();
	struct json_object *list = json_object_new_array();
	struct json_object *ret = json_object_new_array();

	(void)client, (void)args, (void)err;
	for (unsigned i = 0; i < MIN(n, (unsigned)QUERY_PCI_MAX); i++)
		json_object_array_add(list, device_json(&devs[i]));
	put(bus, "bus", 0);
	json_object_object_add(bus, "devices", list);
	json_object_array_add(ret, bus);
	return ret;
}

const struct qmp_command qmp_cmds_pci[] = {
	{ "query-pci", query_pci, NULL, false },
	{ NULL },
};
