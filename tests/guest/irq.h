// SPDX-License-Identifier: MIT
/*
 * Device interrupts for the drivers: counting handler slots (the CPL0
 * stubs in start.S, vectors IRQ_VECTOR_BASE + slot), MSI-X tables, and
 * PCI INTx through the I/O APIC, routed by the MP table. Everything here
 * runs at CPL3 on the BSP; the stubs write the LAPIC EOI themselves.
 */
#ifndef GUEST_IRQ_H
#define GUEST_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "layout.h"
#include "pci.h"

/*
 * Installs the slots' IDT gates and software-enables the local APIC.
 * Idempotent. Interrupts arrive at once: CPL3 always runs with IF=1.
 */
void irq_init(void);

static inline uint8_t irq_vector(unsigned int slot)
{
	return (uint8_t)(IRQ_VECTOR_BASE + slot);
}

/* Interrupts taken on @slot since boot. */
uint64_t irq_count(unsigned int slot);

/*
 * The byte register the slot's handler reads before its EOI (the virtio
 * ISR for INTx), or 0 for none. It must already be mapped.
 */
void irq_set_ack_reg(unsigned int slot, uint64_t addr);

/* The OR of the bytes the handler read since the last call; clears it. */
uint8_t irq_take_ack_bits(unsigned int slot);

/* Waits until @slot's count exceeds @count; false at @deadline (TSC). */
bool irq_wait(unsigned int slot, uint64_t count, uint64_t deadline);

/* MSI-X of one function: the capability and the CPL3-mapped table. */
struct msix {
	const struct pci_dev *pci;
	uint8_t cap;         /* config offset, 0 if the function has none */
	uint16_t nr_entries;
	uint64_t table;      /* guest-physical = virtual address */
	uint64_t pba;
};

/*
 * Finds the capability and maps the table and PBA (the BARs must have
 * addresses). Returns 0, or -1 with a reason in *why.
 */
int msix_init(struct msix *m, const struct pci_dev *d, const char **why);

/*
 * Enables MSI-X with every entry masked by the function mask, and turns
 * INTx off in the command register; msix_unmask_all() lifts the function
 * mask once the entries are set. msix_disable() undoes both.
 */
void msix_enable(struct msix *m);
void msix_unmask_all(struct msix *m);
void msix_disable(struct msix *m);

/* Entry @i: fixed delivery of @vector to APIC @apic_id, then unmasked. */
void msix_set_entry(struct msix *m, unsigned int i, uint8_t apic_id,
		    uint8_t vector);
void msix_mask_entry(struct msix *m, unsigned int i);
bool msix_pending(const struct msix *m, unsigned int i);

/* Where a PCI function's INTx arrives: an I/O APIC input. */
struct intx_route {
	uint64_t ioapic;   /* MMIO base */
	uint8_t ioapic_id;
	uint8_t pin;       /* I/O APIC input */
	bool level;
	bool active_low;
	const char *source; /* which table entry said so */
};

/*
 * Looks up the I/O APIC input of @d's interrupt pin in the MP table: the
 * PCI bus's I/O interrupt entry for (device, pin), else the ISA entry of
 * the interrupt line register. Returns 0, or -1 with a reason in *why.
 */
int intx_route_find(const struct pci_dev *d, struct intx_route *r,
		    const char **why);

/* Programs the redirection entry: @vector, fixed, to APIC @apic_id. */
void ioapic_route(const struct intx_route *r, uint8_t vector, uint8_t apic_id);
void ioapic_mask(const struct intx_route *r);
uint64_t ioapic_read_rte(const struct intx_route *r);

#endif
