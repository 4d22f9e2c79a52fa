// SPDX-License-Identifier: MIT
/*
 * Modern virtio-pci (virtio 1.2 §4.1): the PCI function, its five vendor
 * capabilities, the PCI_CFG window, interrupt delivery (MSI-X or INTx +
 * ISR) and ioeventfd notifications; the BAR 4 registers themselves are in
 * virtio_pci_regs.c. Config accesses come from vCPU threads, ioeventfds
 * from the main loop; both with dm_lock held.
 */
#include "hw/virtio/virtio_pci.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>
#include <linux/pci_regs.h>

#include "core/event_loop.h"
#include "hw/pci/msix.h"

#define NO_VECTOR VIRTIO_MSI_NO_VECTOR
#define ISR_QUEUE 0x1		/* <linux/virtio_pci.h> names only bit 1 */
#define ISR_CONFIG VIRTIO_PCI_ISR_CONFIG

/* virtio_pci_cfg_cap.pci_cfg_data, after the 16-byte virtio_pci_cap. */
#define PCI_CFG_DATA 16

_Static_assert(sizeof(struct virtio_pci_cap) == 16, "virtio_pci_cap");
_Static_assert(sizeof(struct virtio_pci_notify_cap) == 20, "notify cap");
_Static_assert(sizeof(struct virtio_pci_cfg_cap) == 20, "pci cfg cap");
_Static_assert(sizeof(struct virtio_pci_common_cfg) == 56, "common cfg");

/* ---- Interrupts ---- */

/*
 * As QEMU: the ISR bit is always set; with MSI-X enabled the vector is
 * signalled (nothing for NO_VECTOR), otherwise INTA# is raised until the
 * driver reads the ISR.
 */
static void vp_interrupt(struct virtio_pci *vp, uint16_t vector,
			 uint8_t isr_bit)
{
	vp->isr |= isr_bit;
	if (msix_enabled(&vp->pci)) {
		if (vector != NO_VECTOR)
			(void)msix_notify(&vp->pci, vector);
		return;
	}
	pci_set_irq(&vp->pci, true);
}

static void vp_notify_queue(void *opaque, unsigned qidx)
{
	struct virtio_pci *vp = opaque;

	vp_interrupt(vp, vp->queues[qidx].msix_vector, ISR_QUEUE);
}

static void vp_notify_config(void *opaque)
{
	struct virtio_pci *vp = opaque;

	vp_interrupt(vp, vp->config_vector, ISR_CONFIG);
}

static const struct virtio_transport_ops vp_transport_ops = {
	.notify_queue = vp_notify_queue,
	.notify_config = vp_notify_config,
};

/* ---- The PCI_CFG window (§4.1.4.9) ---- */

/* Performs the BAR access that cap.bar/offset/length describe. */
static void vp_cfg_window(struct virtio_pci *vp, bool is_write)
{
	struct pci_device *dev = &vp->pci;
	unsigned cap = vp->pci_cfg_cap;
	uint8_t bar = pci_get_byte(dev, cap + VIRTIO_PCI_CAP_BAR);
	uint32_t off = pci_get_long(dev, cap + VIRTIO_PCI_CAP_OFFSET);
	uint32_t len = pci_get_long(dev, cap + VIRTIO_PCI_CAP_LENGTH);
	uint64_t val;

	/* A driver MUST NOT ask for anything else; ignore it if it does. */
	if (bar != VIRTIO_PCI_BAR || (len != 1 && len != 2 && len != 4) ||
	    off % len || off > VIRTIO_PCI_BAR_SIZE - len)
		return;
	if (is_write) {
		val = pci_get_long(dev, cap + PCI_CFG_DATA);
		if (len < 4)
			val &= (1U << (8 * len)) - 1;
		virtio_pci_bar_ops.write(vp, off, val, len);
		return;
	}
	val = virtio_pci_bar_ops.read(vp, off, len);
	for (unsigned i = 0; i < len; i++)
		pci_set_byte(dev, cap + PCI_CFG_DATA + i,
			     (uint8_t)(val >> 8 * i));
}

static bool vp_touches_cfg_data(const struct virtio_pci *vp, unsigned offset,
				unsigned size)
{
	unsigned data = vp->pci_cfg_cap + PCI_CFG_DATA;

	return vp->pci_cfg_cap && offset < data + 4 && data < offset + size;
}

static uint32_t vp_config_read(struct pci_device *dev, unsigned offset,
			       unsigned size, uint32_t value)
{
	struct virtio_pci *vp = dev->opaque;

	if (!vp_touches_cfg_data(vp, offset, size))
		return value;
	vp_cfg_window(vp, false);
	value = 0;
	for (unsigned i = 0; i < size; i++)
		value |= (uint32_t)pci_get_byte(dev, offset + i) << (8 * i);
	return value;
}

/* PCI 3.0 §6.2.2: without bus mastering the function touches no memory. */
static void vp_update_dma(struct virtio_pci *vp)
{
	virtio_set_dma(vp->vdev,
		       pci_get_word(&vp->pci, PCI_COMMAND) & PCI_COMMAND_MASTER);
}

static void vp_config_write(struct pci_device *dev, unsigned offset,
			    uint32_t value, unsigned size)
{
	struct virtio_pci *vp = dev->opaque;

	(void)value;	/* already stored in pci_cfg_data by the masks */
	if (offset < PCI_COMMAND + 2 && PCI_COMMAND < offset + size)
		vp_update_dma(vp);
	if (vp_touches_cfg_data(vp, offset, size))
		vp_cfg_window(vp, true);
}

/* ---- ioeventfds ---- */

static int vp_kvm_ioeventfd(struct virtio_pci_queue *q, uint64_t gpa,
			    uint32_t len, bool deassign)
{
	struct kvm_ioeventfd req = {
		.addr = gpa,
		.len = len,
		.fd = q->ioeventfd,
		.flags = deassign ? KVM_IOEVENTFD_FLAG_DEASSIGN : 0,
	};

	return ioctl(q->vp->vm_fd, KVM_IOEVENTFD, &req) ? -errno : 0;
}

/*
 * Any-width (len 0) ioeventfds match every write, as QEMU's fast MMIO
 * notify; a 2-byte one is the fallback. When both fail, notify writes
 * still work as MMIO exits (vp_bar_write).
 */
static void vp_ioeventfd_assign(struct virtio_pci_queue *q, uint64_t gpa)
{
	int ret;

	if (q->ioeventfd < 0 || q->assigned)
		return;
	q->ioeventfd_len0 = !vp_kvm_ioeventfd(q, gpa, 0, false);
	ret = q->ioeventfd_len0 ? 0 : vp_kvm_ioeventfd(q, gpa, 2, false);
	if (ret) {
		log_ratelimited(&q->vp->rl, "%s: queue %u notifies by MMIO "
				"exit: KVM_IOEVENTFD: %s", q->vp->pci.name,
				q->index, strerror(-ret));
		return;
	}
	q->assigned = true;
	q->assigned_gpa = gpa;
}

static void vp_ioeventfd_deassign(struct virtio_pci_queue *q)
{
	if (!q->assigned)
		return;
	(void)vp_kvm_ioeventfd(q, q->assigned_gpa, q->ioeventfd_len0 ? 0 : 2,
			       true);
	q->assigned = false;
}

/* BAR 4 moved: the notify addresses move with it. */
static void vp_bar_map(struct pci_device *dev, unsigned bar, uint64_t gpa,
		       bool mapped)
{
	struct virtio_pci *vp = dev->opaque;

	if (bar != VIRTIO_PCI_BAR)
		return;
	for (unsigned i = 0; i < vp->vdev->nr_queues; i++) {
		if (mapped)
			vp_ioeventfd_assign(&vp->queues[i],
					    virtio_pci_notify_gpa(gpa, i));
		else
			vp_ioeventfd_deassign(&vp->queues[i]);
	}
}

/* Main loop, dm_lock held: the guest wrote this queue's notify address. */
static void vp_ioeventfd_ready(void *opaque, uint32_t events)
{
	struct virtio_pci_queue *q = opaque;
	uint64_t count;

	(void)events;
	if (read(q->ioeventfd, &count, sizeof(count)) != sizeof(count))
		return;		/* EAGAIN: already consumed */
	virtio_queue_kick(q->vp->vdev, q->index);
}

static void vp_ioeventfds_create(struct virtio_pci *vp)
{
	struct virtio_pci_queue *q;
	int fd;

	if (vp->vm_fd < 0 || !vp->loop)
		return;
	for (unsigned i = 0; i < vp->vdev->nr_queues; i++) {
		q = &vp->queues[i];
		fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (fd >= 0 && event_loop_add_fd(vp->loop, fd, EPOLLIN,
						 vp_ioeventfd_ready, q)) {
			close(fd);
			fd = -1;
		}
		if (fd < 0) {
			log_warn("%s: queue %u notifies by MMIO exit: no "
				 "eventfd", vp->pci.name, i);
			continue;
		}
		q->ioeventfd = fd;
	}
}

/* ---- PCI function ---- */

/* System reset: the PCI core restored config space and MSI-X. */
static void vp_pci_reset(struct pci_device *dev)
{
	struct virtio_pci *vp = dev->opaque;

	virtio_pci_reset_transport(vp);
	virtio_system_reset(vp->vdev);
	vp_update_dma(vp);
}

static const struct pci_device_ops vp_pci_ops = {
	.config_read = vp_config_read,
	.config_write = vp_config_write,
	.bar_map = vp_bar_map,
	.reset = vp_pci_reset,
};

/* One vendor capability pointing into BAR 4 (or, for PCI_CFG, nowhere). */
static int vp_add_cap(struct virtio_pci *vp, uint8_t type, uint32_t offset,
		      uint8_t cap_len)
{
	struct pci_device *dev = &vp->pci;
	int cap = pci_add_capability(dev, PCI_CAP_ID_VNDR, cap_len);

	if (cap < 0)
		return cap;
	pci_set_byte(dev, cap + VIRTIO_PCI_CAP_LEN, cap_len);
	pci_set_byte(dev, cap + VIRTIO_PCI_CAP_CFG_TYPE, type);
	if (type == VIRTIO_PCI_CAP_PCI_CFG)
		return cap;
	pci_set_byte(dev, cap + VIRTIO_PCI_CAP_BAR, VIRTIO_PCI_BAR);
	pci_set_long(dev, cap + VIRTIO_PCI_CAP_OFFSET, offset);
	pci_set_long(dev, cap + VIRTIO_PCI_CAP_LENGTH, VIRTIO_PCI_REGION_SIZE);
	return cap;
}

/* In QEMU's order: COMMON, ISR, DEVICE, NOTIFY, PCI_CFG (MSI-X is added
 * at plug time, after them). */
static int vp_add_caps(struct virtio_pci *vp)
{
	struct pci_device *dev = &vp->pci;
	int cap;

	cap = vp_add_cap(vp, VIRTIO_PCI_CAP_COMMON_CFG,
			 VIRTIO_PCI_COMMON_OFFSET, 16);
	if (cap >= 0)
		cap = vp_add_cap(vp, VIRTIO_PCI_CAP_ISR_CFG,
				 VIRTIO_PCI_ISR_OFFSET, 16);
	if (cap >= 0)
		cap = vp_add_cap(vp, VIRTIO_PCI_CAP_DEVICE_CFG,
				 VIRTIO_PCI_DEVICE_OFFSET, 16);
	if (cap >= 0)
		cap = vp_add_cap(vp, VIRTIO_PCI_CAP_NOTIFY_CFG,
				 VIRTIO_PCI_NOTIFY_OFFSET, 20);
	if (cap < 0)
		return cap;
	pci_set_long(dev, cap + VIRTIO_PCI_NOTIFY_CAP_MULT,
		     VIRTIO_PCI_NOTIFY_MULT);
	cap = vp_add_cap(vp, VIRTIO_PCI_CAP_PCI_CFG, 0, 20);
	if (cap < 0)
		return cap;
	/* cap.bar, cap.offset, cap.length and pci_cfg_data are RW. */
	memset(&dev->wmask[cap + VIRTIO_PCI_CAP_BAR], 0xff, 1);
	memset(&dev->wmask[cap + VIRTIO_PCI_CAP_OFFSET], 0xff, 12);
	vp->pci_cfg_cap = (unsigned)cap;
	return 0;
}

int virtio_pci_init(struct virtio_pci *vp, struct virtio_device *vdev,
		    const struct virtio_pci_config *cfg)
{
	struct pci_device *dev = &vp->pci;
	int ret;

	memset(vp, 0, sizeof(*vp));
	pci_device_init(dev, cfg->type_name, VIRTIO_PCI_VENDOR_ID,
			VIRTIO_PCI_DEVICE_ID_BASE + vdev->device_id,
			cfg->class_code, VIRTIO_PCI_REVISION);
	dev->qdev_id = cfg->qdev_id;
	dev->ops = &vp_pci_ops;
	dev->opaque = vp;
	pci_set_word(dev, PCI_SUBSYSTEM_VENDOR_ID, VIRTIO_PCI_SUBSYS_VENDOR_ID);
	pci_set_word(dev, PCI_SUBSYSTEM_ID, VIRTIO_PCI_SUBSYS_ID);
	pci_set_byte(dev, PCI_INTERRUPT_PIN, 1);

	vp->vdev = vdev;
	vp->loop = cfg->loop;
	vp->vm_fd = cfg->vm_fd;
	vp->nr_vectors = MIN(cfg->vectors, VIRTIO_PCI_MAX_VECTORS);
	vp->config_vector = NO_VECTOR;
	vp->rl = (struct ratelimit){ .burst = 5, .interval_ms = 1000 };
	for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++)
		vp->queues[i] = (struct virtio_pci_queue){
			.vp = vp, .index = i, .msix_vector = NO_VECTOR,
			.ioeventfd = -1,
		};

	ret = pci_register_bar(dev, VIRTIO_PCI_BAR, VIRTIO_PCI_BAR_SIZE,
			       PCI_BAR_MEM64 | PCI_BAR_PREFETCH,
			       &virtio_pci_bar_ops, vp);
	if (!ret && vp->nr_vectors)
		ret = pci_register_bar(dev, VIRTIO_PCI_MSIX_BAR,
				       VIRTIO_PCI_MSIX_BAR_SIZE, PCI_BAR_MEM32,
				       NULL, NULL);	/* all MSI-X */
	if (!ret)
		ret = vp_add_caps(vp);
	if (!ret) {
		virtio_set_transport(vdev, &vp_transport_ops, vp);
		vp_update_dma(vp);	/* bus mastering starts off */
	}
	return ret;
}

int virtio_pci_plug(struct virtio_pci *vp, struct pci_bus *bus,
		    const struct virtio_pci_config *cfg, struct error *err)
{
	const struct pci_bar *bar = &vp->pci.bars[VIRTIO_PCI_BAR];
	int ret;

	ret = pci_bus_add_device(bus, &vp->pci, cfg->devfn, err);
	if (ret)
		return ret;
	if (vp->nr_vectors) {
		ret = msix_init(&vp->pci, vp->nr_vectors, VIRTIO_PCI_MSIX_BAR,
				VIRTIO_PCI_MSIX_TABLE, VIRTIO_PCI_MSIX_PBA);
		if (ret) {
			/* As QEMU: carry on without MSI-X. */
			log_warn("%s: unable to init msix vectors to %u: %s",
				 vp->pci.name, vp->nr_vectors, strerror(-ret));
			vp->nr_vectors = 0;
		}
	}
	vp_ioeventfds_create(vp);
	if (bar->mapped)
		vp_bar_map(&vp->pci, VIRTIO_PCI_BAR, bar->mapped_gpa, true);
	return 0;
}

void virtio_pci_unplug(struct virtio_pci *vp)
{
	struct virtio_pci_queue *q;

	for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		q = &vp->queues[i];
		vp_ioeventfd_deassign(q);
		if (q->ioeventfd < 0)
			continue;
		event_loop_del_fd(vp->loop, q->ioeventfd);
		close(q->ioeventfd);
		q->ioeventfd = -1;
	}
}
