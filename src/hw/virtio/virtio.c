// SPDX-License-Identifier: MIT
/*
 * The virtio device core: status machine, feature negotiation, device
 * config and generation, device reset, and the needs-reset answer to
 * driver protocol errors. Transports call in for the driver's register
 * accesses; device models call in to pop/push buffers and signal
 * changes. Context: dm_lock held (main loop or a vCPU thread).
 */
#include "hw/virtio/virtio.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <linux/virtio_ring.h>

#define STATUS(bit) VIRTIO_CONFIG_S_##bit

void virtio_init(struct virtio_device *vdev, const char *name,
		 uint16_t device_id, const struct virtio_device_ops *ops,
		 uint16_t config_size, const struct guest_mem *gm)
{
	assert(config_size <= VIRTIO_CONFIG_MAX);
	assert(ops && ops->host_features && ops->queue_notify);
	memset(vdev, 0, sizeof(*vdev));
	vdev->name = name;
	vdev->device_id = device_id;
	vdev->ops = ops;
	vdev->config_size = config_size;
	vdev->gm = gm;
	vdev->rl = (struct ratelimit){ .burst = 5, .interval_ms = 1000 };
}

int virtio_add_queue(struct virtio_device *vdev, uint16_t max_size)
{
	if (vdev->nr_queues == VIRTIO_MAX_QUEUES)
		return -ENOSPC;
	virtqueue_init(&vdev->vqs[vdev->nr_queues], vdev->gm, max_size);
	return (int)vdev->nr_queues++;
}

void virtio_set_transport(struct virtio_device *vdev,
			  const struct virtio_transport_ops *ops, void *opaque)
{
	vdev->transport = ops;
	vdev->transport_opaque = opaque;
}

static void virtio_notify_config_now(struct virtio_device *vdev)
{
	if (vdev->transport && vdev->transport->notify_config)
		vdev->transport->notify_config(vdev->transport_opaque);
}

void virtio_error(struct virtio_device *vdev, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_ratelimited(&vdev->rl, "%s: %s", vdev->name, msg);
	if (vdev->broken)
		return;
	vdev->broken = true;
	/* §2.1.2: tell a running driver; it reads the status and resets. */
	vdev->status |= STATUS(NEEDS_RESET);
	if (vdev->status & STATUS(DRIVER_OK))
		virtio_notify_config_now(vdev);
}

void virtio_set_dma(struct virtio_device *vdev, bool on)
{
	bool was_off = vdev->dma_off;

	vdev->dma_off = !on;
	if (!on || !was_off || !virtio_is_live(vdev))
		return;
	/* Serve what the driver made available while we could not look. */
	for (unsigned i = 0; i < vdev->nr_queues; i++)
		virtio_queue_kick(vdev, i);
}

uint64_t virtio_host_features(struct virtio_device *vdev)
{
	return vdev->ops->host_features(vdev) | 1ULL << VIRTIO_F_VERSION_1;
}

void virtio_set_driver_features(struct virtio_device *vdev, uint64_t features)
{
	if (!(vdev->status & STATUS(FEATURES_OK)))
		vdev->driver_features = features;
}

/* §2.2.1 and §6.1: a subset of the offer, with VERSION_1. */
static bool virtio_features_acceptable(struct virtio_device *vdev)
{
	uint64_t f = vdev->driver_features;

	if (f & ~virtio_host_features(vdev))
		return false;
	if (!(f & (1ULL << VIRTIO_F_VERSION_1)))
		return false;
	return !vdev->ops->validate_features ||
	       vdev->ops->validate_features(vdev, f);
}

static void virtio_accept_features(struct virtio_device *vdev)
{
	vdev->features = vdev->driver_features;
	for (unsigned i = 0; i < vdev->nr_queues; i++)
		virtqueue_set_features(&vdev->vqs[i], vdev->features);
}

static void virtio_activate(struct virtio_device *vdev)
{
	int ret;

	if (vdev->broken)
		return;		/* it needs a reset first */
	if (!(vdev->status & STATUS(FEATURES_OK))) {
		virtio_error(vdev, "DRIVER_OK set without FEATURES_OK");
		return;
	}
	ret = vdev->ops->activate ? vdev->ops->activate(vdev) : 0;
	if (ret) {
		virtio_error(vdev, "activation failed: %s", strerror(-ret));
		return;
	}
	/* Buffers may have been made available before DRIVER_OK. */
	for (unsigned i = 0; i < vdev->nr_queues; i++)
		virtio_queue_kick(vdev, i);
}

void virtio_set_status(struct virtio_device *vdev, uint8_t status)
{
	uint8_t old = vdev->status;

	if (!status) {
		virtio_reset(vdev);
		return;
	}
	/* The driver only adds bits; NEEDS_RESET is the device's. */
	status = (uint8_t)((status | old) & ~STATUS(NEEDS_RESET));
	status |= old & STATUS(NEEDS_RESET);
	if ((status & ~old & STATUS(FEATURES_OK))) {
		if (virtio_features_acceptable(vdev)) {
			virtio_accept_features(vdev);
		} else {
			log_debug("%s: driver features 0x%" PRIx64 " refused",
				  vdev->name, vdev->driver_features);
			status &= (uint8_t)~STATUS(FEATURES_OK);
		}
	}
	vdev->status = status;
	if (status & ~old & STATUS(DRIVER_OK))
		virtio_activate(vdev);
}

void virtio_reset(struct virtio_device *vdev)
{
	if (vdev->ops->reset)
		vdev->ops->reset(vdev);
	vdev->status = 0;
	vdev->broken = false;
	vdev->driver_features = 0;
	vdev->features = 0;
	vdev->config_read = false;
	for (unsigned i = 0; i < vdev->nr_queues; i++)
		virtqueue_reset(&vdev->vqs[i]);
}

void virtio_system_reset(struct virtio_device *vdev)
{
	virtio_reset(vdev);
	if (vdev->ops->system_reset)
		vdev->ops->system_reset(vdev);
}

static bool virtio_config_range_ok(const struct virtio_device *vdev,
				   uint32_t offset, unsigned size)
{
	return (size == 1 || size == 2 || size == 4 || size == 8) &&
	       offset <= vdev->config_size &&
	       size <= vdev->config_size - offset && vdev->ops->get_config;
}

uint64_t virtio_config_read(struct virtio_device *vdev, uint32_t offset,
			    unsigned size)
{
	uint8_t config[VIRTIO_CONFIG_MAX];
	uint64_t value = 0;

	if (!virtio_config_range_ok(vdev, offset, size))
		return size >= 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;
	vdev->ops->get_config(vdev, config);
	for (unsigned i = 0; i < size; i++)
		value |= (uint64_t)config[offset + i] << (8 * i);
	vdev->config_read = true;
	return value;
}

void virtio_config_write(struct virtio_device *vdev, uint32_t offset,
			 uint64_t value, unsigned size)
{
	uint8_t config[VIRTIO_CONFIG_MAX];

	if (!virtio_config_range_ok(vdev, offset, size) ||
	    !vdev->ops->set_config)
		return;
	vdev->ops->get_config(vdev, config);
	for (unsigned i = 0; i < size; i++)
		config[offset + i] = (uint8_t)(value >> (8 * i));
	vdev->ops->set_config(vdev, config);
}

void virtio_config_changed(struct virtio_device *vdev)
{
	/*
	 * §4.1.4.3.1: a driver that read the config must see a new
	 * generation; one that did not will read consistent new values.
	 */
	if (vdev->config_read) {
		vdev->config_gen++;
		vdev->config_read = false;
	}
	if (vdev->status & STATUS(DRIVER_OK))
		virtio_notify_config_now(vdev);
}

struct virtqueue *virtio_queue(struct virtio_device *vdev, unsigned qidx)
{
	return qidx < vdev->nr_queues ? &vdev->vqs[qidx] : NULL;
}

void virtio_queue_enable(struct virtio_device *vdev, unsigned qidx)
{
	struct virtqueue *vq = virtio_queue(vdev, qidx);

	if (!vq || vq->enabled)
		return;
	if (virtqueue_enable(vq))
		virtio_error(vdev, "queue %u: %s", qidx, vq->error);
}

void virtio_queue_kick(struct virtio_device *vdev, unsigned qidx)
{
	struct virtqueue *vq = virtio_queue(vdev, qidx);

	if (!vq || !vq->enabled || !virtio_is_live(vdev))
		return;
	vdev->ops->queue_notify(vdev, qidx);
}

int virtio_queue_pop(struct virtio_device *vdev, unsigned qidx,
		     struct virtqueue_elem *elem)
{
	struct virtqueue *vq = virtio_queue(vdev, qidx);
	int ret;

	if (!vq || vdev->broken || vdev->dma_off)
		return 0;
	ret = virtqueue_pop(vq, elem);
	if (ret < 0)
		virtio_error(vdev, "queue %u: %s", qidx, vq->error);
	return ret;
}

int virtio_queue_push(struct virtio_device *vdev, unsigned qidx,
		      const struct virtqueue_elem *elem, uint32_t written)
{
	struct virtqueue *vq = virtio_queue(vdev, qidx);
	int ret;

	if (!vq || vdev->broken)
		return -EIO;
	ret = virtqueue_push(vq, elem, written);
	if (ret == -EPROTO)
		virtio_error(vdev, "queue %u: %s", qidx, vq->error);
	else if (ret)
		log_error("%s: queue %u: bad completion of %u bytes (%"
			  PRIu64 " writable)", vdev->name, qidx, written,
			  elem->writable_len);
	return ret;
}

void virtio_notify(struct virtio_device *vdev, unsigned qidx)
{
	struct virtqueue *vq = virtio_queue(vdev, qidx);

	/* should_notify reads the driver's used_event from guest memory. */
	if (!vq || !vq->enabled || vdev->broken || vdev->dma_off)
		return;
	if (virtqueue_should_notify(vq) && vdev->transport &&
	    vdev->transport->notify_queue)
		vdev->transport->notify_queue(vdev->transport_opaque, qidx);
}
