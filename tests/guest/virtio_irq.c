// SPDX-License-Identifier: MIT
/*
 * Interrupt set-up for a virtio-pci device, in the order Linux's
 * vp_find_vqs() uses: MSI-X enabled and its entries programmed before the
 * config and queue vectors are written, the function mask lifted once
 * the device is live; or INTx routed through the MP table's entry for
 * the device's pin. The handlers are the counting stubs of start.S.
 * CPL3, BSP.
 */
#include "guest.h"
#include "cpu.h"
#include "virtio_irq.h"

static const char *const mode_names[] = {
	[VIRTIO_IRQ_POLL] = "poll",
	[VIRTIO_IRQ_MSIX] = "msix",
	[VIRTIO_IRQ_INTX] = "intx",
};

int virtio_irq_parse(const char *s, enum virtio_irq_mode *mode)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(mode_names); i++) {
		if (!strcmp(s, mode_names[i])) {
			*mode = (enum virtio_irq_mode)i;
			return 0;
		}
	}
	return -1;
}

const char *virtio_irq_mode_name(enum virtio_irq_mode mode)
{
	return mode < ARRAY_SIZE(mode_names) ? mode_names[mode] : "?";
}

static int setup_msix(struct virtio_irq *vi, const char **why)
{
	uint8_t apic = (uint8_t)cpu_apic_id();
	struct msix *m = &vi->msix;

	if (msix_init(m, vi->vp->pci, why))
		return -1;
	if (m->nr_entries < 2) {
		*why = "fewer than 2 MSI-X entries (config and one queue)";
		return -1;
	}
	msix_enable(m);
	msix_set_entry(m, VIRTIO_MSIX_CONFIG, apic,
		       irq_vector(VIRTIO_SLOT_CONFIG));
	for (unsigned int i = VIRTIO_MSIX_CONFIG + 1; i < m->nr_entries; i++)
		msix_set_entry(m, i, apic, irq_vector(VIRTIO_SLOT_QUEUE));
	if (virtio_pci_set_config_vector(vi->vp, VIRTIO_MSIX_CONFIG) !=
	    VIRTIO_MSIX_CONFIG) {
		*why = "the device refused the config MSI-X vector";
		return -1;
	}
	printf("virtio: MSI-X with %u entries, table at 0x%lx, vector 0x%x "
	       "(config) 0x%x (queues)\n", m->nr_entries,
	       (unsigned long)m->table, irq_vector(VIRTIO_SLOT_CONFIG),
	       irq_vector(VIRTIO_SLOT_QUEUE));
	return 0;
}

static int setup_intx(struct virtio_irq *vi, const char **why)
{
	const struct pci_dev *d = vi->vp->pci;
	struct intx_route *r = &vi->intx;

	if (intx_route_find(d, r, why))
		return -1;
	printf("virtio: INT%c# (line %u) -> I/O APIC %u pin %u, %s, active "
	       "%s (%s)\n", '@' + d->irq_pin, d->irq_line, r->ioapic_id,
	       r->pin, r->level ? "level" : "edge",
	       r->active_low ? "low" : "high", r->source);
	/* The handler reads the ISR, which drops the line, then EOIs. */
	irq_set_ack_reg(VIRTIO_SLOT_INTX, vi->vp->isr.addr);
	irq_take_ack_bits(VIRTIO_SLOT_INTX);
	pci_disable(d, PCI_COMMAND_INTX_DISABLE);
	ioapic_route(r, irq_vector(VIRTIO_SLOT_INTX), (uint8_t)cpu_apic_id());
	return 0;
}

int virtio_irq_setup(struct virtio_irq *vi, struct virtio_pci *vp,
		     enum virtio_irq_mode mode, const char **why)
{
	memset(vi, 0, sizeof(*vi));
	vi->mode = mode;
	vi->vp = vp;
	irq_init();
	if (mode == VIRTIO_IRQ_MSIX)
		return setup_msix(vi, why);
	if (mode == VIRTIO_IRQ_INTX)
		return setup_intx(vi, why);
	return 0;
}

uint16_t virtio_irq_queue_vector(const struct virtio_irq *vi, unsigned int n,
				 bool interrupt)
{
	unsigned int entry = VIRTIO_MSIX_CONFIG + 1 + n;

	if (vi->mode != VIRTIO_IRQ_MSIX || !interrupt ||
	    entry >= vi->msix.nr_entries)
		return VIRTIO_MSI_NO_VECTOR;
	return (uint16_t)entry;
}

void virtio_irq_start(struct virtio_irq *vi)
{
	if (vi->mode == VIRTIO_IRQ_MSIX)
		msix_unmask_all(&vi->msix);
}

int virtio_irq_queue_slot(const struct virtio_irq *vi)
{
	switch (vi->mode) {
	case VIRTIO_IRQ_MSIX:
		return VIRTIO_SLOT_QUEUE;
	case VIRTIO_IRQ_INTX:
		return VIRTIO_SLOT_INTX;
	default:
		return -1;
	}
}

int virtio_irq_config_slot(const struct virtio_irq *vi)
{
	switch (vi->mode) {
	case VIRTIO_IRQ_MSIX:
		return VIRTIO_SLOT_CONFIG;
	case VIRTIO_IRQ_INTX:
		return VIRTIO_SLOT_INTX;
	default:
		return -1;
	}
}

uint8_t virtio_irq_take_isr(struct virtio_irq *vi)
{
	if (vi->mode != VIRTIO_IRQ_INTX)
		return 0;
	return irq_take_ack_bits(VIRTIO_SLOT_INTX);
}

void virtio_irq_teardown(struct virtio_irq *vi)
{
	if (vi->mode == VIRTIO_IRQ_MSIX)
		msix_disable(&vi->msix);
	if (vi->mode == VIRTIO_IRQ_INTX) {
		ioapic_mask(&vi->intx);
		irq_set_ack_reg(VIRTIO_SLOT_INTX, 0);
	}
}
