// SPDX-License-Identifier: MIT
/*
 * Transport-agnostic virtio device core (virtio 1.2 §2, §3): the device
 * status machine, 64-bit feature negotiation, device configuration space
 * with its generation counter, device reset, and virtio_error() for
 * driver protocol errors. A device model embeds struct virtio_device and
 * fills a small ops table; a transport (virtio_pci.c) drives the core and
 * delivers its interrupts through struct virtio_transport_ops.
 *
 * Context: dm_lock held for every call (main loop or vCPU thread).
 */
#ifndef FLEXVM_HW_VIRTIO_VIRTIO_H
#define FLEXVM_HW_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_config.h>

#include "hw/virtio/virtqueue.h"
#include "mem/guest_mem.h"
#include "util/compiler.h"
#include "util/log.h"

#define VIRTIO_MAX_QUEUES 8
#define VIRTIO_CONFIG_MAX 256	/* device config bytes a device may have */

struct virtio_device;

/*
 * What a device model provides. Only queue_notify and host_features are
 * required. Context: dm_lock held.
 */
struct virtio_device_ops {
	/*
	 * Device-specific feature bits (0-23), plus any of the ring bits
	 * VIRTIO_RING_F_INDIRECT_DESC / VIRTIO_RING_F_EVENT_IDX the device
	 * wants offered. The core adds VIRTIO_F_VERSION_1. Must not change
	 * while the device exists.
	 */
	uint64_t (*host_features)(struct virtio_device *vdev);
	/*
	 * Extra check of the driver's feature set at FEATURES_OK (it is
	 * already a subset of the offer and has VERSION_1). false refuses
	 * FEATURES_OK (e.g. virtio-mem without UNPLUGGED_INACCESSIBLE).
	 */
	bool (*validate_features)(struct virtio_device *vdev,
				  uint64_t features);
	/* Fill all config_size bytes of the device config (little endian). */
	void (*get_config)(struct virtio_device *vdev, uint8_t *config);
	/* The driver changed the config: all config_size bytes. NULL:
	 * the config is read-only and writes are ignored. */
	void (*set_config)(struct virtio_device *vdev, const uint8_t *config);
	/* The driver notified queue @qidx (enabled, device live). */
	void (*queue_notify)(struct virtio_device *vdev, unsigned qidx);
	/* DRIVER_OK was set. Non-zero: the device fails (virtio_error). */
	int (*activate)(struct virtio_device *vdev);
	/*
	 * Device reset (status 0 written, or the transport reset). Drop
	 * per-driver state only: virtio-mem keeps its memory state.
	 */
	void (*reset)(struct virtio_device *vdev);
	/* Machine reset, after reset(): e.g. virtio-mem unplugs all. */
	void (*system_reset)(struct virtio_device *vdev);
};

/* How the core reaches the driver. Context: dm_lock held. */
struct virtio_transport_ops {
	void (*notify_queue)(void *opaque, unsigned qidx);
	void (*notify_config)(void *opaque);
};

struct virtio_device {
	const char *name;		/* "virtio-rng", for messages */
	uint16_t device_id;		/* VIRTIO_ID_* */
	const struct virtio_device_ops *ops;
	const struct guest_mem *gm;
	uint16_t config_size;

	uint8_t status;
	uint8_t config_gen;
	bool config_read;		/* the driver read config since bump */
	bool broken;			/* virtio_error() until reset */
	bool dma_off;			/* the transport forbids memory access */
	uint64_t driver_features;	/* as the driver wrote them */
	uint64_t features;		/* accepted at FEATURES_OK */

	unsigned nr_queues;
	struct virtqueue vqs[VIRTIO_MAX_QUEUES];

	const struct virtio_transport_ops *transport;
	void *transport_opaque;
	struct ratelimit rl;		/* guest-triggered messages */
};

/**
 * virtio_init - set up @vdev, no queues, status 0
 * @name: device name for messages; must outlive @vdev
 * @device_id: VIRTIO_ID_* (<linux/virtio_ids.h>)
 * @ops: the device model's callbacks
 * @config_size: bytes of device config, at most VIRTIO_CONFIG_MAX
 * @gm: guest memory for the queues
 */
void virtio_init(struct virtio_device *vdev, const char *name,
		 uint16_t device_id, const struct virtio_device_ops *ops,
		 uint16_t config_size, const struct guest_mem *gm);

/**
 * virtio_add_queue - add a queue offering @max_size entries (a power of
 * two up to VIRTQUEUE_MAX_SIZE). Return: its index, or -ENOSPC.
 */
int virtio_add_queue(struct virtio_device *vdev, uint16_t max_size);

/** virtio_set_transport - how interrupts reach the driver. */
void virtio_set_transport(struct virtio_device *vdev,
			  const struct virtio_transport_ops *ops,
			  void *opaque);

/* ---- Transport side: the driver's register accesses ---- */

/**
 * virtio_set_dma - whether the device may access guest memory (PCI: the
 * command register's bus master bit, PCI 3.0 §6.2.2). While it may not,
 * pops return 0 and no used buffer notification is sent, so the rings
 * are neither read nor written; notifications of that time are not
 * lost: turning it back on kicks every enabled queue of a live device.
 * A device reset leaves it alone (it is transport state). Starts on.
 */
void virtio_set_dma(struct virtio_device *vdev, bool on);

/** virtio_host_features - the offer: the device's bits | VERSION_1. */
uint64_t virtio_host_features(struct virtio_device *vdev);

/**
 * virtio_set_driver_features - the driver's feature word(s); ignored
 * once FEATURES_OK is set (§3.1.1: features are fixed by then).
 */
void virtio_set_driver_features(struct virtio_device *vdev,
				uint64_t features);

/**
 * virtio_set_status - a driver write of the device status byte
 *
 * 0 resets the device (virtio_reset()). Otherwise bits only accumulate
 * until reset; DEVICE_NEEDS_RESET is the device's and cannot be written.
 * FEATURES_OK is refused (does not stick) unless the driver's features
 * are a subset of the offer, include VIRTIO_F_VERSION_1 and pass the
 * device's validate_features. The first DRIVER_OK activates the device
 * (it is a protocol error without FEATURES_OK) and kicks every enabled
 * queue, so buffers made available before DRIVER_OK are seen.
 */
void virtio_set_status(struct virtio_device *vdev, uint8_t status);

/**
 * virtio_reset - device reset: status 0, features cleared, queues reset
 * and disabled, needs-reset cleared, then the device's reset op.
 */
void virtio_reset(struct virtio_device *vdev);

/** virtio_system_reset - machine reset: virtio_reset() + system_reset. */
void virtio_system_reset(struct virtio_device *vdev);

/**
 * virtio_config_read - @size (1, 2, 4 or 8) bytes at @offset of the
 * device config, little endian. All ones outside config_size (as QEMU).
 */
uint64_t virtio_config_read(struct virtio_device *vdev, uint32_t offset,
			    unsigned size);

/** virtio_config_write - ignored outside config_size or without set_config. */
void virtio_config_write(struct virtio_device *vdev, uint32_t offset,
			 uint64_t value, unsigned size);

/** virtio_queue - queue @qidx, or NULL when the device has no such queue. */
struct virtqueue *virtio_queue(struct virtio_device *vdev, unsigned qidx);

/**
 * virtio_queue_enable - the driver wrote queue_enable = 1: validate the
 * ring (virtqueue_enable()); an invalid ring is a protocol error
 * (virtio_error()). Already enabled queues are left alone.
 */
void virtio_queue_enable(struct virtio_device *vdev, unsigned qidx);

/**
 * virtio_queue_kick - the driver notified queue @qidx. Ignored for a
 * queue that does not exist or is disabled, before DRIVER_OK, and while
 * the device needs a reset.
 */
void virtio_queue_kick(struct virtio_device *vdev, unsigned qidx);

/* ---- Device side ---- */

/**
 * virtio_queue_pop - next chain of queue @qidx (see virtqueue_pop())
 * Return: 1 with @elem filled; 0 when empty, disabled, the device is
 * broken or may not access memory (virtio_set_dma()); -EPROTO after a
 * protocol error, already reported through
 * virtio_error().
 */
int virtio_queue_pop(struct virtio_device *vdev, unsigned qidx,
		     struct virtqueue_elem *elem);

/**
 * virtio_queue_push - complete @elem with @written bytes (no interrupt;
 * call virtio_notify() after a batch). Return: 0, -EIO when the device
 * is broken (nothing written), or virtqueue_push()'s error (-EPROTO is
 * reported through virtio_error(), -EINVAL logged as a device bug).
 */
int virtio_queue_push(struct virtio_device *vdev, unsigned qidx,
		      const struct virtqueue_elem *elem, uint32_t written);

/**
 * virtio_notify - send a used buffer notification for queue @qidx if the
 * driver has not suppressed it (virtqueue_should_notify()).
 */
void virtio_notify(struct virtio_device *vdev, unsigned qidx);

/**
 * virtio_config_changed - the device changed its config: bump the
 * generation if the driver read the config since the last bump, and
 * send a configuration change notification once DRIVER_OK is set.
 */
void virtio_config_changed(struct virtio_device *vdev);

/**
 * virtio_error - the driver broke the protocol: log (rate-limited), set
 * DEVICE_NEEDS_RESET, stop processing queues until reset, and send a
 * configuration change notification if DRIVER_OK is set (§2.1.2). Never
 * aborts.
 */
void virtio_error(struct virtio_device *vdev, const char *fmt, ...)
	__printf(2, 3);

/** virtio_has_feature - feature @bit was negotiated (FEATURES_OK). */
static inline bool virtio_has_feature(const struct virtio_device *vdev,
				      unsigned bit)
{
	return bit < 64 && (vdev->features & (1ULL << bit));
}

/** virtio_is_live - DRIVER_OK set and no pending protocol error. */
static inline bool virtio_is_live(const struct virtio_device *vdev)
{
	return (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) && !vdev->broken;
}

#endif
