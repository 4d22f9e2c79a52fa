// SPDX-License-Identifier: MIT
/*
 * Internal to virtio-mem-pci: the device object shared by
 * virtio_mem_pci.c (building it from -device) and virtio_mem_query.c (its
 * QOM properties and the monitor's queries). Everything else uses the API
 * of virtio_mem.h. Context: dm_lock held, or machine build.
 */
#ifndef FLEXVM_HW_VIRTIO_VIRTIO_MEM_PCI_H
#define FLEXVM_HW_VIRTIO_VIRTIO_MEM_PCI_H

#include <stdbool.h>

#include "hw/virtio/virtio_mem.h"
#include "hw/virtio/virtio_pci.h"
#include "mem/memslot_policy.h"
#include "util/error.h"
#include "util/log.h"

/* What a QOM property reads or writes. */
enum virtio_mem_pci_field {
	VMP_MEMADDR, VMP_MEMDEV, VMP_NODE, VMP_REQUESTED_SIZE,
	VMP_BLOCK_SIZE, VMP_PREALLOC, VMP_UNPLUGGED_INACCESSIBLE, VMP_SIZE,
	VMP_DYNAMIC_MEMSLOTS, VMP_POLICY, VMP_NR_FIELDS,
};

struct virtio_mem_pci;

/* The opaque of each QOM property: the device and the field. */
struct virtio_mem_pci_ref {
	struct virtio_mem_pci *d;
	enum virtio_mem_pci_field field;
};

struct virtio_mem_pci {
	struct virtio_pci vp;
	struct virtio_mem mem;
	struct vm *vm;
	char *id;		/* NULL without id= */
	char *qom_path;		/* also the memslot owner */
	char *memdev_path;	/* "/objects/ID" */
	bool dynamic_memslots;
	enum memslot_policy policy;	/* the layout built */
	unsigned slot_limit;		/* share of the memslot budget */
	struct virtio_mem_pci_ref refs[VMP_NR_FIELDS];
	struct ratelimit mmio_rl;	/* guest touching unplugged memory */
};

/**
 * virtio_mem_query_qom_add - register d->qom_path (type virtio-mem-pci)
 * and its child "virtio-backend" (type virtio-mem), both with QEMU's
 * properties memaddr, memdev, node, requested-size (the only writable
 * one), block-size, prealloc, unplugged-inaccessible, size, and flexvm's
 * dynamic-memslots and x-memslot-policy.
 * Return: 0, or -EEXIST with "Duplicate ID ..." in @err.
 */
int virtio_mem_query_qom_add(struct virtio_mem_pci *d, struct error *err);

#endif
