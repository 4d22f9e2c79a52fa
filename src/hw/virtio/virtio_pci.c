// SPDX-License-Identifier: MIT
/*
 * Modern virtio-pci (virtio 1.2 §4.1): the PCI function, its five vendor
 * capabilities, the BAR 4 registers (common cfg, ISR, device cfg,
 * notify), the PCI_CFG window, interrupt delivery (MSI-X or INTx + ISR)
 * and ioeventfd notifications. Register accesses come from vCPU threads,
 * ioeventfds from the main loop; both with dm_lock held.
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

/* Transport state a virtio reset clears (QEMU: virtio_pci_reset). */
static void vp_reset_transport(struct virtio_pci *vp)
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
		vp_reset_transport(vp);
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
		vp_bar_write(vp, off, val, len);
		return;
	}
	val = vp_bar_read(vp, off, len);
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

	vp_reset_transport(vp);
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
