// SPDX-License-Identifier: MIT
/*
 * Intel MultiProcessor Specification 1.4 tables, so a guest without ACPI
 * finds its CPUs, the I/O APIC and the ISA interrupt routing. Written by
 * boot_load() on the main thread before vCPUs run (and at reset); no lock.
 */
#ifndef FLEXVM_BOOT_MPTABLE_H
#define FLEXVM_BOOT_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "mem/guest_mem.h"
#include "util/compiler.h"

/* APIC ids 0..254 (255 is the broadcast id); the I/O APIC takes nr_cpus. */
#define MPTABLE_MAX_CPUS	255
#define MPTABLE_APIC_VERSION	0x14	/* integrated xAPIC */
#define MPTABLE_IOAPIC_VERSION	0x11	/* 82093AA-compatible */
#define MPTABLE_NR_ISA_IRQS	16
#define MPTABLE_BDA_BASEMEM_ADDR 0x413ULL	/* BDA word: base RAM in KiB */

/*
 * Entries besides the processors and PCI interrupts: buses ISA (id 0) and
 * PCI (id 1), one I/O APIC, ISA IRQs 0-15 except the cascade IRQ 2,
 * ExtINT and NMI.
 */
#define MPTABLE_NR_FIXED_ENTRIES (2 + 1 + (MPTABLE_NR_ISA_IRQS - 1) + 2)

/* At most one route per interrupt pin of each of the 32 PCI slots. */
#define MPTABLE_MAX_PCI_IRQS	(32 * 4)

/*
 * One PCI INTx route, announced as an I/O interrupt entry on the PCI bus
 * (MP spec 1.4 §D.3: source IRQ = slot << 2 | pin - 1), level-triggered
 * and active low as PCI interrupts are.
 */
struct mptable_pci_irq {
	uint8_t slot;		/* device number on PCI bus 0, 0..31 */
	uint8_t pin;		/* 1 = INTA# .. 4 = INTD# */
	uint8_t ioapic_pin;	/* I/O APIC input, 0..23 */
};

/**
 * mptable_size - bytes written at EBDA_START for @nr_cpus CPUs and
 * @nr_pci_irqs PCI interrupt routes.
 */
size_t mptable_size(unsigned nr_cpus, unsigned nr_pci_irqs);

/**
 * mptable_write - write the MP floating pointer at EBDA_START, the MP
 * configuration table right after it, the EBDA segment in the BDA word at
 * BOOT_EBDA_PTR_ADDR (so the spec's search finds it) and 639 KiB of base
 * memory at MPTABLE_BDA_BASEMEM_ADDR.
 * @gm: guest memory
 * @nr_cpus: 1..MPTABLE_MAX_CPUS; CPU i gets APIC id i, CPU 0 is the BSP
 * @pci_irqs: PCI INTx routes (may be NULL when @nr_pci_irqs is 0)
 * @nr_pci_irqs: 0..MPTABLE_MAX_PCI_IRQS
 *
 * Up to 40 CPUs (without PCI routes) the tables stay inside the 1 KiB
 * EBDA; with more they run on into the legacy hole at 0xA0000 (which is
 * never RAM to the guest), as Firecracker's do.
 * Return: 0, -EINVAL for a CPU count out of range, too many PCI routes or
 * a route with a slot, pin or I/O APIC pin out of range, -EFAULT when that
 * memory is not backed.
 */
int mptable_write(const struct guest_mem *gm, unsigned nr_cpus,
		  const struct mptable_pci_irq *pci_irqs,
		  unsigned nr_pci_irqs) __must_check;

#endif
