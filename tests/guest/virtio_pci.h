// SPDX-License-Identifier: MIT
/*
 * The modern virtio-pci transport, driver side (virtio 1.2 section 4.1):
 * the vendor capabilities mapped for CPL3, reset and status, feature
 * negotiation, queue setup with MSI-X vectors, notify addresses, the ISR
 * and the device configuration. Device drivers (the rng scenario, and
 * virtio-mem next) sit on top of it. CPL3, BSP, no locking.
 */
#ifndef GUEST_VIRTIO_PCI_H
#define GUEST_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_pci.h>

#include "pci.h"
#include "virtqueue.h"

#define VIRTIO_PCI_VENDOR 0x1af4
#define VIRTIO_PCI_MODERN_BASE 0x1040 /* device id = base + virtio id */
#define VIRTIO_PCI_TRANSITIONAL_FIRST 0x1000
#define VIRTIO_PCI_TRANSITIONAL_LAST 0x103f
#define VIRTIO_PCI_ISR_QUEUE 0x1 /* <linux/virtio_pci.h> has only _CONFIG */

/* One vendor capability: where its structure is, and its mapping. */
struct virtio_pci_region {
	uint8_t cap;     /* config offset, 0 if absent */
	uint8_t bar;
	uint32_t offset; /* in the BAR */
	uint32_t length;
	uint64_t addr;   /* mapped guest-physical address */
};

struct virtio_pci {
	struct pci_dev *pci;
	uint16_t device_id;  /* virtio device id (VIRTIO_ID_*) */
	struct virtio_pci_region common, notify, isr, device;
	bool has_pci_cfg;    /* the VIRTIO_PCI_CAP_PCI_CFG window exists */
	uint32_t notify_mult;
	uint16_t num_queues;
	uint64_t offered;    /* device features */
	uint64_t accepted;   /* what the driver wrote back */
};

/*
 * The virtio device id of a PCI function, from its device id (modern) or
 * its subsystem id (transitional), or 0 if it is no virtio device.
 */
uint16_t virtio_pci_device_id(const struct pci_dev *d);

/* The @idx-th virtio-pci function of type @device_id, or NULL. */
struct pci_dev *virtio_pci_find(uint16_t device_id, unsigned int idx);

/*
 * Sizes the BARs, parses the vendor capabilities (the first usable one
 * of each type, as Linux does), checks each lies inside its BAR, maps
 * them, and enables memory decoding and bus mastering. Returns 0, or -1
 * with the reason in *why.
 */
int virtio_pci_probe(struct virtio_pci *vp, struct pci_dev *d,
		     const char **why);

/* Writes 0 to device_status and waits until it reads 0 (-1: timeout). */
int virtio_pci_reset(struct virtio_pci *vp);

uint8_t virtio_pci_get_status(const struct virtio_pci *vp);
void virtio_pci_add_status(struct virtio_pci *vp, uint8_t bits);

/*
 * Reset, ACKNOWLEDGE, DRIVER, read the 64 feature bits, accept @wanted &
 * offered (VERSION_1 must be offered and is always accepted), FEATURES_OK,
 * and check the device kept it. Returns 0, or -1 (status FAILED set).
 */
int virtio_pci_negotiate(struct virtio_pci *vp, uint64_t wanted,
			 const char **why);

/*
 * Sets config_msix_vector and returns what reads back (NO_VECTOR: the
 * device refused).
 */
uint16_t virtio_pci_set_config_vector(struct virtio_pci *vp, uint16_t vector);

/*
 * Sets up queue @index: size min(device maximum, @max_size) rounded down
 * to a power of 2, rings from the pool, @msix_vector (VIRTIO_MSI_NO_VECTOR
 * for none; it must read back), the notify address, then queue_enable.
 * Returns 0, or -1 with the reason in *why.
 */
int virtio_pci_setup_queue(struct virtio_pci *vp, struct virtqueue *vq,
			   uint16_t index, uint16_t max_size,
			   uint16_t msix_vector, const char **why);

/* DRIVER_OK: the device may now use the queues. */
void virtio_pci_driver_ok(struct virtio_pci *vp);

/* Reads and clears the ISR (bit 0 queue, bit 1 config change). */
uint8_t virtio_pci_read_isr(struct virtio_pci *vp);

uint8_t virtio_pci_config_generation(const struct virtio_pci *vp);

/*
 * Copies @len bytes of device configuration from @off with naturally
 * sized accesses, retrying until config_generation is stable. Returns 0,
 * or -1 if the range is outside the DEVICE_CFG structure.
 */
int virtio_pci_read_config(struct virtio_pci *vp, uint32_t off, void *buf,
			   uint32_t len);

/* "common", "notify", "isr", "device", "pci-cfg" or "?" */
const char *virtio_pci_cap_name(uint8_t cfg_type);

#endif
