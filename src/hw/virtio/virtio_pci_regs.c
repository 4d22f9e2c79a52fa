// SPDX-License-Identifier: MIT
/*
 * The virtio-pci registers of BAR 4 (virtio 1.2 §4.1.4): common
 * configuration, ISR, device configuration and the notify region reached
 * by an MMIO exit. The PCI function, its capabilities, the PCI_CFG window,
 * interrupts and ioeventfds are in virtio_pci.c. Called from vCPU threads
 * with dm_lock held.
 */
#include "hw/virtio/virtio_pci.h"

#include <linux/pci_regs.h>

#define NO_VECTOR VIRTIO_MSI_NO_VECTOR

/* Transport state a virtio reset clears (QEMU: virtio_pci_reset). */
void virtio_pci_reset_transport(struct virtio_pci *vp)
{
	vp->dfselect = 0;
	vp->gfselect = 0;
	vp->queue_select = 0;
	vp->config_vector = NO_VECTOR;
	for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++)
		vp->queues[i].msix_vector = NO_VECTOR;
	vp->isr = 0;
	pci_set_irq(&vp->pci, false);
}

/* ---- Common configuration (§4.1.4.3) ---- */

#define CC(x) VIRTIO_PCI_COMMON_##x

/* Natural width of each field; 64-bit fields also as 32-bit halves. */
static bool vp_common_access_ok(uint64_t off, unsigned size)
{
	if (off >= CC(Q_DESCLO) && off < CC(Q_NDATA))
		return size == 4 || (size == 8 && IS_ALIGNED(off, 8));
	switch (off) {
	case CC(DFSELECT): case CC(DF): case CC(GFSELECT): case CC(GF):
		return size == 4;
	case CC(STATUS): case CC(CFGGENERATION):
		return size == 1;
	case CC(MSIX): case CC(NUMQ): case CC(Q_SELECT): case CC(Q_SIZE):
	case CC(Q_MSIX): case CC(Q_ENABLE): case CC(Q_NOFF):
		return size == 2;
	}
	return false;
}

static uint64_t *vp_queue_addr(struct virtqueue *vq, uint64_t off)
{
	if (off < CC(Q_AVAILLO))
		return &vq->desc_gpa;
	if (off < CC(Q_USEDLO))
		return &vq->avail_gpa;
	return &vq->used_gpa;
}

static uint16_t vp_vector_or_none(const struct virtio_pci *vp, uint64_t val)
{
	return val < vp->nr_vectors ? (uint16_t)val : NO_VECTOR;
}

static uint64_t vp_queue_read(struct virtio_pci *vp, struct virtqueue *vq,
			      uint64_t off, unsigned size)
{
	uint64_t addr;

	switch (off) {
	case CC(Q_SIZE):
		return vq->size;
	case CC(Q_MSIX):
		return vp->queues[vp->queue_select].msix_vector;
	case CC(Q_ENABLE):
		return vq->enabled;
	case CC(Q_NOFF):
		return vp->queue_select;	/* notify slot = queue index */
	}
	addr = *vp_queue_addr(vq, off);
	if (size == 8)
		return addr;
	return (uint32_t)(off & 4 ? addr >> 32 : addr);
}

static uint64_t vp_common_read(struct virtio_pci *vp, uint64_t off,
			       unsigned size)
{
	struct virtio_device *vdev = vp->vdev;
	struct virtqueue *vq = virtio_queue(vdev, vp->queue_select);

	if (!vp_common_access_ok(off, size))
		return 0;
	switch (off) {
	case CC(DFSELECT):
		return vp->dfselect;
	case CC(DF):
		if (vp->dfselect >= 2)
			return 0;
		return (uint32_t)(virtio_host_features(vdev) >>
				  (32 * vp->dfselect));
	case CC(GFSELECT):
		return vp->gfselect;
	case CC(GF):
		return vp->gfselect < 2 ? (uint32_t)(vdev->driver_features >>
						     (32 * vp->gfselect)) : 0;
	case CC(MSIX):
		return vp->config_vector;
	case CC(NUMQ):
		return vdev->nr_queues;
	case CC(STATUS):
		return vdev->status;
	case CC(CFGGENERATION):
		return vdev->config_gen;
	case CC(Q_SELECT):
		return vp->queue_select;
	}
	/* §4.1.4.3.2: an absent queue reads size 0. */
	if (!vq)
		return off == CC(Q_MSIX) ? NO_VECTOR : 0;
	return vp_queue_read(vp, vq, off, size);
}

static void vp_write_driver_features(struct virtio_pci *vp, uint32_t val)
{
	uint64_t f = vp->vdev->driver_features;
	unsigned shift = 32 * vp->gfselect;

	if (vp->gfselect >= 2)
		return;		/* no feature bit above 63 is offered */
	f = (f & ~(0xffffffffULL << shift)) | (uint64_t)val << shift;
	virtio_set_driver_features(vp->vdev, f);
}

static void vp_write_status(struct virtio_pci *vp, uint8_t val)
{
	virtio_set_status(vp->vdev, val);
	if (!val)
		virtio_pci_reset_transport(vp);
}

/* Queue registers; ring fields only change while the queue is off. */
static void vp_queue_write(struct virtio_pci *vp, struct virtqueue *vq,
			   uint64_t off, uint64_t val, unsigned size)
{
	uint64_t *addr;

	switch (off) {
	case CC(Q_SIZE):
		if (!vq->enabled && virtqueue_size_valid(vq, (unsigned)val))
			vq->size = (uint16_t)val;
		return;
	case CC(Q_MSIX):
		vp->queues[vp->queue_select].msix_vector =
			vp_vector_or_none(vp, val);
		return;
	case CC(Q_ENABLE):
		/* §4.1.4.3.2: only 1 is meaningful; 0 is not a disable. */
		if (val == 1)
			virtio_queue_enable(vp->vdev, vp->queue_select);
		return;
	case CC(Q_NOFF):
		return;
	}
	if (vq->enabled)
		return;
	addr = vp_queue_addr(vq, off);
	if (size == 8)
		*addr = val;
	else if (off & 4)
		*addr = (*addr & 0xffffffffULL) | val << 32;
	else
		*addr = (*addr & ~0xffffffffULL) | (uint32_t)val;
}

static void vp_common_write(struct virtio_pci *vp, uint64_t off,
			    uint64_t val, unsigned size)
{
	struct virtqueue *vq = virtio_queue(vp->vdev, vp->queue_select);

	if (!vp_common_access_ok(off, size))
		return;
	switch (off) {
	case CC(DFSELECT):
		vp->dfselect = (uint32_t)val;
		return;
	case CC(GFSELECT):
		vp->gfselect = (uint32_t)val;
		return;
	case CC(GF):
		vp_write_driver_features(vp, (uint32_t)val);
		return;
	case CC(MSIX):
		vp->config_vector = vp_vector_or_none(vp, val);
		return;
	case CC(STATUS):
		vp_write_status(vp, (uint8_t)val);
		return;
	case CC(Q_SELECT):
		vp->queue_select = (uint16_t)val;
		return;
	case CC(DF): case CC(NUMQ): case CC(CFGGENERATION):
		return;		/* read-only */
	}
	if (vq)
		vp_queue_write(vp, vq, off, val, size);
}

/* ---- BAR 4 ---- */

/* §4.1.4.5: reading the ISR clears it and de-asserts INTx. */
static uint64_t vp_isr_read(struct virtio_pci *vp, uint64_t off)
{
	uint8_t val = vp->isr;

	if (off)
		return 0;
	vp->isr = 0;
	pci_set_irq(&vp->pci, false);
	return val;
}

static uint64_t vp_bar_read(void *opaque, uint64_t offset, unsigned size)
{
	struct virtio_pci *vp = opaque;
	uint64_t off = offset % VIRTIO_PCI_REGION_SIZE;

	switch (offset / VIRTIO_PCI_REGION_SIZE) {
	case VIRTIO_PCI_COMMON_OFFSET / VIRTIO_PCI_REGION_SIZE:
		return vp_common_read(vp, off, size);
	case VIRTIO_PCI_ISR_OFFSET / VIRTIO_PCI_REGION_SIZE:
		return vp_isr_read(vp, off);
	case VIRTIO_PCI_DEVICE_OFFSET / VIRTIO_PCI_REGION_SIZE:
		return virtio_config_read(vp->vdev, (uint32_t)off, size);
	}
	return 0;	/* notify reads */
}

static void vp_bar_write(void *opaque, uint64_t offset, uint64_t value,
			 unsigned size)
{
	struct virtio_pci *vp = opaque;
	uint64_t off = offset % VIRTIO_PCI_REGION_SIZE;

	switch (offset / VIRTIO_PCI_REGION_SIZE) {
	case VIRTIO_PCI_COMMON_OFFSET / VIRTIO_PCI_REGION_SIZE:
		vp_common_write(vp, off, value, size);
		break;
	case VIRTIO_PCI_DEVICE_OFFSET / VIRTIO_PCI_REGION_SIZE:
		virtio_config_write(vp->vdev, (uint32_t)off, value, size);
		break;
	case VIRTIO_PCI_NOTIFY_OFFSET / VIRTIO_PCI_REGION_SIZE:
		/* The MMIO-exit path: the address names the queue. */
		if (off % VIRTIO_PCI_NOTIFY_MULT == 0)
			virtio_queue_kick(vp->vdev, (unsigned)off /
						    VIRTIO_PCI_NOTIFY_MULT);
		break;
	}
}

const struct io_ops virtio_pci_bar_ops = {
	.read = vp_bar_read,
	.write = vp_bar_write,
};

