// SPDX-License-Identifier: MIT
/*
 * Intel MultiProcessor Specification 1.4 tables, as far as the test guest
 * reads them: the floating pointer, the configuration table header, the
 * processor entries (the CPUs to start in the smp scenario), and the bus,
 * I/O APIC and I/O interrupt entries (where a PCI INTx line arrives).
 */
#ifndef GUEST_MPTABLE_H
#define GUEST_MPTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "layout.h"

struct mp_cpu {
	uint8_t apic_id;
	bool bsp;
};

#define MP_MAX_IOAPICS 8
#define MP_MAX_INTSRC 64

/* Bus types, by the 6-character name of the bus entry. */
enum mp_bus_type { MP_BUS_NONE, MP_BUS_ISA, MP_BUS_PCI, MP_BUS_OTHER };

/* I/O interrupt assignment entry flags (MP spec table 4-10). */
#define MP_IRQ_POLARITY_MASK 0x3 /* 0 conforms to the bus, 1 high, 3 low */
#define MP_IRQ_POLARITY_HIGH 0x1
#define MP_IRQ_POLARITY_LOW 0x3
#define MP_IRQ_TRIGGER_MASK 0xc /* 0 conforms to the bus, 4 edge, 0xc level */
#define MP_IRQ_TRIGGER_EDGE 0x4
#define MP_IRQ_TRIGGER_LEVEL 0xc
#define MP_IRQ_TYPE_INT 0 /* vectored (the others: NMI, SMI, ExtINT) */

struct mp_ioapic_info {
	uint8_t id;
	uint32_t addr;
};

/*
 * An I/O interrupt entry. For a PCI bus, src_irq is (device << 2) |
 * (pin - 1), pin 1 being INTA#; for ISA it is the IRQ number.
 */
struct mp_intsrc {
	uint8_t irq_type;
	uint16_t flags;
	uint8_t src_bus;
	uint8_t src_irq;
	uint8_t dst_apic;
	uint8_t dst_pin;
};

struct mp_info {
	uint64_t fp_addr;    /* floating pointer structure */
	uint64_t table_addr; /* configuration table */
	uint32_t lapic_base;
	unsigned int nr_entries; /* all entry types */
	unsigned int nr_cpus;    /* enabled processor entries */
	unsigned int nr_listed;  /* processor entries, enabled or not */
	struct mp_cpu cpu[MAX_CPUS];
	uint8_t bus_type[256]; /* enum mp_bus_type, by MP bus id */
	/*
	 * PCI bus number of a PCI bus entry, by MP bus id: the order of the
	 * entries, as Linux numbers them (flexvm's PCI bus has MP id 1).
	 */
	uint8_t pci_bus[256];
	unsigned int nr_pci_buses;
	unsigned int nr_ioapics;
	struct mp_ioapic_info ioapic[MP_MAX_IOAPICS];
	unsigned int nr_intsrc;
	struct mp_intsrc intsrc[MP_MAX_INTSRC];
};

/* Returns NULL on success, else why no usable table was found. */
const char *mptable_find(struct mp_info *mp);

/*
 * The I/O interrupt entry of PCI bus @bus, device @dev, pin @pin (1 =
 * INTA#), or NULL if the table has none.
 */
const struct mp_intsrc *mptable_pci_irq(const struct mp_info *mp,
					unsigned int bus, unsigned int dev,
					unsigned int pin);

/* The I/O interrupt entry of ISA IRQ @irq, or NULL. */
const struct mp_intsrc *mptable_isa_irq(const struct mp_info *mp,
					unsigned int irq);

/* The MMIO address of the I/O APIC with id @id, or 0 if not listed. */
uint32_t mptable_ioapic_addr(const struct mp_info *mp, uint8_t id);

#endif
