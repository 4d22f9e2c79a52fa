// SPDX-License-Identifier: MIT
/*
 * Modern-only (non-transitional) virtio-pci transport (virtio 1.2 §4.1).
 * BAR 4, 64-bit prefetchable memory, 16 KiB, QEMU's layout: common cfg at
 * 0x0000, ISR at 0x1000, device cfg at 0x2000, notify at 0x3000 (4 bytes
 * per queue). MSI-X table and PBA in BAR 1 (4 KiB), as QEMU. Vendor caps
 * COMMON, ISR, DEVICE, NOTIFY and PCI_CFG. Queue notifications arrive on
 * ioeventfds watched by the main loop, or as MMIO exits when KVM refused
 * them. Interrupts: MSI-X vectors, or INTx with the ISR byte.
 *
 * Context: dm_lock held (vCPU threads for MMIO/config, the main loop for
 * ioeventfds, the machine build for realize).
 */
#ifndef FLEXVM_HW_VIRTIO_VIRTIO_PCI_H
#define FLEXVM_HW_VIRTIO_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_pci.h>

#include "hw/bus.h"
#include "hw/pci/pci.h"
#include "hw/virtio/virtio.h"
#include "util/compiler.h"
#include "util/error.h"
#include "util/log.h"

struct event_loop;

#define VIRTIO_PCI_VENDOR_ID		0x1AF4
#define VIRTIO_PCI_DEVICE_ID_BASE	0x1040	/* + virtio device id */
#define VIRTIO_PCI_SUBSYS_VENDOR_ID	0x1AF4	/* QEMU's defaults */
#define VIRTIO_PCI_SUBSYS_ID		0x1100
#define VIRTIO_PCI_REVISION		1	/* non-transitional */

#define VIRTIO_PCI_BAR			4
#define VIRTIO_PCI_BAR_SIZE		0x4000
#define VIRTIO_PCI_COMMON_OFFSET	0x0000
#define VIRTIO_PCI_ISR_OFFSET		0x1000
#define VIRTIO_PCI_DEVICE_OFFSET	0x2000
#define VIRTIO_PCI_NOTIFY_OFFSET	0x3000
#define VIRTIO_PCI_REGION_SIZE		0x1000
#define VIRTIO_PCI_NOTIFY_MULT		4	/* bytes per queue */

#define VIRTIO_PCI_MSIX_BAR		1
#define VIRTIO_PCI_MSIX_BAR_SIZE	0x1000
#define VIRTIO_PCI_MSIX_TABLE		0x000
#define VIRTIO_PCI_MSIX_PBA		0x800
#define VIRTIO_PCI_MAX_VECTORS		64

/* Per-queue transport state. */
struct virtio_pci_queue {
	struct virtio_pci *vp;
	unsigned index;
	uint16_t msix_vector;
	int ioeventfd;		/* -1: notify uses MMIO exits */
	bool ioeventfd_len0;	/* registered with len 0 (any width) */
	bool assigned;		/* KVM_IOEVENTFD active at assigned_gpa */
	uint64_t assigned_gpa;
};

struct virtio_pci {
	struct pci_device pci;		/* pci.opaque points back here */
	struct virtio_device *vdev;
	struct event_loop *loop;	/* NULL: no ioeventfds */
	int vm_fd;			/* -1: no ioeventfds */
	unsigned nr_vectors;		/* MSI-X table size, 0: INTx only */

	uint32_t dfselect;
	uint32_t gfselect;
	uint16_t queue_select;
	uint16_t config_vector;
	uint8_t isr;			/* bit 0 queue, bit 1 config */
	unsigned pci_cfg_cap;		/* config offset of PCI_CFG */
	struct virtio_pci_queue queues[VIRTIO_MAX_QUEUES];
	struct ratelimit rl;
};

struct virtio_pci_config {
	const char *type_name;	/* QEMU's name, e.g. "virtio-rng-pci" */
	const char *qdev_id;	/* -device id=..., or NULL */
	uint32_t class_code;	/* class << 16 | subclass << 8 | prog-if */
	int devfn;		/* or PCI_DEVFN_AUTO */
	unsigned vectors;	/* MSI-X vectors (QEMU: queues + 1); 0: none */
	struct event_loop *loop;	/* ioeventfd handlers; NULL: none */
	int vm_fd;		/* KVM_IOEVENTFD; -1: MMIO exits only */
};

/**
 * virtio_pci_init - build the PCI function for @vdev (its queues must be
 * added already): IDs (0x1AF4:0x1040 + device id, revision 1, subsystem
 * 0x1AF4:0x1100, @cfg's class, INTA#), BAR 4 and, with vectors, BAR 1,
 * the five virtio capabilities, and the transport hooks in @vdev.
 * Pure: nothing is registered with KVM or a bus yet.
 * Return: 0, or -EINVAL/-ENOSPC/-EBUSY from the PCI layer.
 */
int virtio_pci_init(struct virtio_pci *vp, struct virtio_device *vdev,
		    const struct virtio_pci_config *cfg) __must_check;

/**
 * virtio_pci_plug - put the function on @bus at @cfg->devfn, add MSI-X
 * (@cfg->vectors, clamped to VIRTIO_PCI_MAX_VECTORS) and create one
 * eventfd per queue, watched by @cfg->loop (KVM_IOEVENTFD is assigned
 * when BAR 4 gets mapped). An eventfd or MSI-X failure is not fatal: the
 * device falls back to MMIO exits and INTx, with a warning.
 * Return: 0 or -errno with QEMU's wording in @err (slot taken...).
 */
int virtio_pci_plug(struct virtio_pci *vp, struct pci_bus *bus,
		    const struct virtio_pci_config *cfg,
		    struct error *err) __must_check;

/**
 * virtio_pci_unplug - deassign ioeventfds, close the eventfds and free
 * MSI-X. The PCI core does not free @vp; its owner does afterwards.
 */
void virtio_pci_unplug(struct virtio_pci *vp);

/*
 * BAR 4 accesses, for the PCI core and unit tests: @offset from the BAR
 * start. Common cfg fields need their natural width (64-bit fields may
 * also be accessed as two 32-bit halves); other widths read 0 and are
 * not written.
 */
extern const struct io_ops virtio_pci_bar_ops;

/*
 * virtio_pci_reset_transport - clear what a virtio reset clears in the
 * transport (feature selects, queue select, vectors, ISR, INTx): on a
 * device-status write of 0 and on a PCI reset (virtio_pci_regs.c).
 */
void virtio_pci_reset_transport(struct virtio_pci *vp);

/** virtio_pci_notify_gpa - queue @qidx's notify address, BAR 4 at @bar_gpa */
static inline uint64_t virtio_pci_notify_gpa(uint64_t bar_gpa, unsigned qidx)
{
	return bar_gpa + VIRTIO_PCI_NOTIFY_OFFSET +
	       (uint64_t)qidx * VIRTIO_PCI_NOTIFY_MULT;
}

#endif
