// SPDX-License-Identifier: MIT
/*
 * virtio-mem, transport-facing half: finds virtio-mem-pci, negotiates
 * VERSION_1 + UNPLUGGED_INACCESSIBLE, reads the 56-byte config, sets up
 * the one request queue and sends one request at a time, completed by
 * polling the used ring, by MSI-X or by INTx. Config-change interrupts
 * (config MSI-X vector, or ISR bit 1) are counted. CPL3, BSP.
 */
#include "guest.h"
#include "cpu.h"
#include "virtio_mem.h"

#define VMEM_QUEUE 0          /* "guest-request", the only queue */
#define VMEM_QUEUE_SIZE 16    /* one request in flight needs 2 */
#define REQUEST_TIMEOUT_MS 30000
#define INTX_LATE_MS 100      /* INTx may land just after the used entry */
#define CFG_SIZES_OFF 0x20    /* usable_region_size, plugged, requested */

_Static_assert(__builtin_offsetof(struct virtio_mem_config,
				  usable_region_size) == CFG_SIZES_OFF,
	       "usable_region_size at 0x20");

static struct virtio_mem_req req_buf __attribute__((aligned(64)));
static struct virtio_mem_resp resp_buf __attribute__((aligned(64)));

struct virtio_mem_req *vmem_req_buf(void)
{
	return &req_buf;
}

struct virtio_mem_resp *vmem_resp_buf(void)
{
	return &resp_buf;
}

const char *vmem_resp_name(uint16_t type)
{
	static const char *const names[] = { "ACK", "NACK", "BUSY", "ERROR" };

	return type < ARRAY_SIZE(names) ? names[type] : "?";
}

const char *vmem_state_name(uint16_t state)
{
	static const char *const names[] = { "PLUGGED", "UNPLUGGED",
					     "MIXED" };

	return state < ARRAY_SIZE(names) ? names[state] : "?";
}

bool vmem_has_msix(void)
{
	struct pci_dev *d = virtio_pci_find(VIRTIO_ID_MEM, 0);

	return d && pci_find_cap(d, PCI_CAP_ID_MSIX, 0);
}

/* Starts counting from the slots' current values. */
static void sync_counts(struct vmem *v)
{
	v->msix_config_count = irq_count(VIRTIO_SLOT_CONFIG);
	v->msix_queue_count = irq_count(VIRTIO_SLOT_QUEUE);
	virtio_irq_take_isr(&v->irq);
}

int vmem_init(struct vmem *v, const char **why)
{
	const uint64_t want = 1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE;
	bool polled = v->mode == VIRTIO_IRQ_POLL;

	if (virtio_pci_negotiate(&v->vp, want, why) ||
	    virtio_irq_setup(&v->irq, &v->vp, v->mode, why))
		return -1;
	if (virtio_pci_setup_queue(&v->vp, &v->vq, VMEM_QUEUE,
				   VMEM_QUEUE_SIZE,
				   virtio_irq_queue_vector(&v->irq, VMEM_QUEUE,
							   !polled),
				   why))
		return -1;
	vq_set_no_interrupt(&v->vq, polled);
	virtio_pci_driver_ok(&v->vp);
	virtio_irq_start(&v->irq);
	sync_counts(v);
	if (vmem_read_config(v)) {
		*why = "the config never read twice with one generation";
		return -1;
	}
	return 0;
}

int vmem_probe(struct vmem *v, enum virtio_irq_mode mode, const char **why)
{
	struct pci_dev *d = virtio_pci_find(VIRTIO_ID_MEM, 0);

	memset(v, 0, sizeof(*v));
	v->mode = mode;
	if (!d) {
		*why = "no virtio-mem-pci function on bus 0";
		return -1;
	}
	if (virtio_pci_probe(&v->vp, d, why))
		return -1;
	if (v->vp.device.length < sizeof(struct virtio_mem_config)) {
		*why = "device config shorter than 56 bytes";
		return -1;
	}
	printf("vmem: %02x:%02x.%x %04x:%04x rev %02x, %u queues, irq=%s\n",
	       d->bus, d->dev, d->fn, d->vendor, d->device, d->revision,
	       v->vp.num_queues, virtio_irq_mode_name(mode));
	return vmem_init(v, why);
}

int vmem_reset(struct vmem *v)
{
	int ret = virtio_pci_reset(&v->vp);

	virtio_irq_teardown(&v->irq);
	vq_release(&v->vq);
	return ret;
}

int vmem_read_config(struct vmem *v)
{
	return virtio_pci_read_config(&v->vp, 0, &v->cfg, sizeof(v->cfg));
}

int vmem_read_sizes(struct vmem *v)
{
	return virtio_pci_read_config(&v->vp, CFG_SIZES_OFF,
				      &v->cfg.usable_region_size, 24);
}

bool vmem_events(struct vmem *v)
{
	uint64_t c, q;
	uint8_t isr;

	switch (v->mode) {
	case VIRTIO_IRQ_MSIX:
		c = irq_count(VIRTIO_SLOT_CONFIG);
		q = irq_count(VIRTIO_SLOT_QUEUE);
		v->config_irqs += c - v->msix_config_count;
		v->queue_irqs += q - v->msix_queue_count;
		v->msix_config_count = c;
		v->msix_queue_count = q;
		break;
	case VIRTIO_IRQ_INTX:
		/* A second PVM delivery reads ISR 0: not counted. */
		isr = virtio_irq_take_isr(&v->irq);
		v->config_irqs += !!(isr & VIRTIO_PCI_ISR_CONFIG);
		v->queue_irqs += !!(isr & VIRTIO_PCI_ISR_QUEUE);
		break;
	default:
		break;
	}
	return v->config_irqs != v->config_seen;
}

bool vmem_take_config_change(struct vmem *v)
{
	bool changed = vmem_events(v);

	v->config_seen = v->config_irqs;
	return changed;
}

/*
 * Waits for the completion of the one request in flight. MSI-X: the
 * queue interrupt comes first, then the used entry must be there. INTx:
 * QEMU raises ISR bit 0 for config changes too, so poll the used ring,
 * then expect a bit-0 interrupt since the kick. Poll: the used ring.
 */
static int wait_used(struct vmem *v, uint64_t q0, uint64_t deadline,
		     struct vq_used *u, const char **why)
{
	int ret;

	for (;;) {
		vmem_events(v);
		if (v->mode != VIRTIO_IRQ_MSIX || v->queue_irqs != q0) {
			ret = vq_get_used(&v->vq, u, why);
			if (ret)
				break;
			if (v->mode == VIRTIO_IRQ_MSIX) {
				*why = "queue interrupt before the used entry";
				return -1;
			}
		}
		if (tsc_expired(deadline)) {
			*why = "no completion (used entry or interrupt)";
			return 0;
		}
		cpu_relax();
	}
	if (ret < 0 || v->mode != VIRTIO_IRQ_INTX)
		return ret;
	deadline = tsc_deadline_ms(INTX_LATE_MS);
	while (v->queue_irqs == q0 && !tsc_expired(deadline))
		vmem_events(v);
	if (v->queue_irqs == q0) {
		*why = "completed without an INTx reading ISR bit 0";
		return -1;
	}
	return 1;
}

int vmem_submit_raw(struct vmem *v, const struct vq_buf *bufs,
		    unsigned int n, uint64_t timeout_ms, struct vq_used *u,
		    const char **why)
{
	uint64_t q0;
	int head, ret;

	vmem_events(v);
	q0 = v->queue_irqs;
	head = vq_add_any(&v->vq, bufs, n);
	if (head < 0) {
		*why = "no free descriptors";
		return -1;
	}
	vq_kick(&v->vq);
	ret = wait_used(v, q0, tsc_deadline_ms(timeout_ms), u, why);
	if (ret == 1 && u->head != head) {
		*why = "completion for another chain";
		return -1;
	}
	return ret;
}

int vmem_request(struct vmem *v, uint16_t type, uint64_t addr,
		 uint16_t nb_blocks, struct vmem_resp *r, const char **why)
{
	const struct vq_buf bufs[2] = {
		{ .addr = (uintptr_t)&req_buf, .len = VMEM_REQ_SIZE },
		{ .addr = (uintptr_t)&resp_buf, .len = VMEM_RESP_SIZE,
		  .write = true },
	};
	struct vq_used u;
	int ret;

	memset(&req_buf, 0, sizeof(req_buf));
	req_buf.type = type;
	req_buf.u.plug.addr = addr;
	req_buf.u.plug.nb_blocks = nb_blocks;
	/* A response the device never wrote must not read as ACK. */
	memset(&resp_buf, 0xff, sizeof(resp_buf));
	v->requests++;
	ret = vmem_submit_raw(v, bufs, 2, REQUEST_TIMEOUT_MS, &u, why);
	if (ret <= 0)
		return -1;
	if (u.len != VMEM_RESP_SIZE) {
		*why = "used length is not the 10-byte response";
		return -1;
	}
	r->type = resp_buf.type;
	r->state = resp_buf.u.state.state;
	r->used_len = u.len;
	return 0;
}
