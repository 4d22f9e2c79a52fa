// SPDX-License-Identifier: MIT
/*
 * Intel MultiProcessor Specification 1.4 tables, so a guest without ACPI
 * finds its CPUs, the I/O APIC and the ISA interrupt routing. Written by
 * boot_load() on the main thread before vCPUs run (and at reset); no lock.
 */
#ifndef FLEXVM_BOOT_MPTABLE_H
#define FLEXVM_BOOT_MPTABLE_H

#include <stddef.h>

#include "mem/guest_mem.h"
#include "util/compiler.h"

/* APIC ids 0..254 (255 is the broadcast id); the I/O APIC takes nr_cpus. */
#define MPTABLE_MAX_CPUS	255
#define MPTABLE_APIC_VERSION	0x14	/* integrated xAPIC */
#define MPTABLE_IOAPIC_VERSION	0x11	/* 82093AA-compatible */
#define MPTABLE_NR_ISA_IRQS	16
#define MPTABLE_BDA_BASEMEM_ADDR 0x413ULL	/* BDA word: base RAM in KiB */

/*
 * Entries besides the processors: buses ISA (id 0) and PCI (id 1), one
 * I/O APIC, ISA IRQs 0-15 except the cascade IRQ 2, ExtINT and NMI.
 */
#define MPTABLE_NR_FIXED_ENTRIES (2 + 1 + (MPTABLE_NR_ISA_IRQS - 1) + 2)

/** mptable_size - bytes written at EBDA_START for @nr_cpus CPUs. */
size_t mptable_size(unsigned nr_cpus);

/**
 * mptable_write - write the MP floating pointer at EBDA_START, the MP
 * configuration table right after it, the EBDA segment in the BDA word at
 * BOOT_EBDA_PTR_ADDR (so the spec's search finds it) and 639 KiB of base
 * memory at MPTABLE_BDA_BASEMEM_ADDR.
 * @gm: guest memory
 * @nr_cpus: 1..MPTABLE_MAX_CPUS; CPU i gets APIC id i, CPU 0 is the BSP
 *
 * Up to 40 CPUs the tables stay inside the 1 KiB EBDA; with more they run
 * on into the legacy hole at 0xA0000 (which is never RAM to the guest),
 * as Firecracker's do.
 * Return: 0, -EINVAL for a CPU count out of range, -EFAULT when that
 * memory is not backed.
 */
int mptable_write(const struct guest_mem *gm, unsigned nr_cpus) __must_check;

#endif
