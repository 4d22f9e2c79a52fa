// SPDX-License-Identifier: MIT
/*
 * The x86 guest-physical layout of a flexvm machine (docs/memory-map.md is
 * the same table in prose). Pure computation: memmap_init() turns the
 * configured RAM sizes into ranges, memmap_e820() into the e820 table that
 * the boot code hands to the guest.
 */
#ifndef FLEXVM_MEM_MEMMAP_H
#define FLEXVM_MEM_MEMMAP_H

#include <stdint.h>

#include <asm/e820.h>	/* E820_RAM, E820_RESERVED */

#include "util/compiler.h"
#include "util/error.h"

/* Fixed low-memory addresses used by the boot code. */
#define BOOT_GDT_ADDR		0x500ULL	/* 64-bit entry GDT */
#define BOOT_EBDA_PTR_ADDR	0x40EULL	/* BDA word: EBDA segment */
#define PVH_START_INFO_ADDR	0x6000ULL	/* struct hvm_start_info */
#define PVH_MODLIST_ADDR	0x6040ULL	/* hvm_modlist_entry[] */
#define PVH_MEMMAP_ADDR		0x6100ULL	/* hvm_memmap_table_entry[] */
#define PVH_MEMMAP_MAX		128
#define ZERO_PAGE_ADDR		0x7000ULL	/* Linux struct boot_params */
#define BOOT_PML4_ADDR		0x9000ULL	/* identity page tables: */
#define BOOT_PDPT_ADDR		0xA000ULL	/*   PML4, PDPT, then  */
#define BOOT_PD_ADDR		0xB000ULL	/*   4 PDs = 4 GiB     */
#define BOOT_CMDLINE_ADDR	0x20000ULL
#define BOOT_CMDLINE_MAX	0x10000ULL
#define EBDA_START		0x9FC00ULL	/* MP table lives here */
#define EBDA_END		0xA0000ULL
/*
 * The BIOS F-segment, reserved like a PC's (the MP floating pointer may
 * live here). Not called BIOS_ROM_*: <asm/e820.h> already defines
 * BIOS_ROM_BASE/BIOS_ROM_END as the 2 MiB flash below 4 GiB, which flexvm
 * does not have; they are undefined so a stale use fails to compile.
 */
#define BIOS_FSEG_START		0xF0000ULL
#define BIOS_FSEG_END		0x100000ULL
#define BIOS_ROM_START		BIOS_FSEG_START	/* the first name */
#undef BIOS_ROM_BASE
#undef BIOS_ROM_END
#define KERNEL_LOAD_ADDR	0x100000ULL	/* 1 MiB */

/* The 32-bit hole below 4 GiB. */
#define MEMMAP_LOW_RAM_MAX	0xC0000000ULL	/* 3 GiB */
#define MEMMAP_PCI_MMIO32_START	0xC0000000ULL
#define MEMMAP_PCI_MMIO32_END	0xFEC00000ULL
#define MEMMAP_IOAPIC_ADDR	0xFEC00000ULL
#define MEMMAP_LAPIC_ADDR	0xFEE00000ULL
#define MEMMAP_HIGH_RAM_START	0x100000000ULL	/* 4 GiB */

/* Device memory (virtio-mem) is aligned so Linux can hot-add it. */
#define MEMMAP_DEVICE_MEM_ALIGN	(2 * GiB)
/* Beyond this, 4-level-paging Linux cannot hot-add memory. */
#define MEMMAP_MAX_GPA		(64 * TiB)

/*
 * The 64-bit PCI window follows device memory, 1 GiB aligned. It is
 * MEMMAP_PCI_MMIO64_SIZE (twice QEMU q35's 32 GiB default) unless less
 * room is left below the address limit; below MEMMAP_PCI_MMIO64_MIN the
 * layout is refused.
 */
#define MEMMAP_PCI_MMIO64_ALIGN	(1 * GiB)
#define MEMMAP_PCI_MMIO64_SIZE	(64 * GiB)
#define MEMMAP_PCI_MMIO64_MIN	(1 * GiB)

/*
 * Smallest RAM: the kernel is loaded at 1 MiB, so RAM must reach past it
 * (QEMU itself has no minimum). RAM sizes are multiples of 4 KiB.
 */
#define MEMMAP_RAM_MIN		(2 * MiB)
#define MEMMAP_PAGE_SIZE	(4 * KiB)

/* Accepted guest MAXPHYADDR values (CPUID 0x80000008 EAX[7:0]). */
#define MEMMAP_PHYS_BITS_MIN	36
#define MEMMAP_PHYS_BITS_MAX	52

struct memmap {
	uint64_t ram_size;		/* -m */
	uint64_t low_ram_size;		/* RAM at [0, low_ram_size) */
	uint64_t high_ram_size;		/* RAM at [4 GiB, 4 GiB + high) */
	uint64_t device_mem_base;	/* window for memory devices */
	uint64_t device_mem_size;	/* maxmem - ram_size, 0 if none */
	uint64_t pci_mmio64_base;	/* 64-bit BAR window (Step 3) */
	uint64_t pci_mmio64_size;
	unsigned phys_bits;		/* guest MAXPHYADDR */
};

/* One e820 entry; @type is E820_RAM or E820_RESERVED from <asm/e820.h>. */
struct e820_range {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

#define MEMMAP_E820_MAX 8

/**
 * memmap_init - lay out @ram_size bytes of RAM and a device-memory window
 * of @maxmem - @ram_size bytes (none when @maxmem is 0 or equal) under a
 * guest address width of @phys_bits.
 *
 * Low RAM is [0, min(R, 3 GiB)), high RAM [4 GiB, 4 GiB + rest). Device
 * memory starts at the first MEMMAP_DEVICE_MEM_ALIGN boundary at or above
 * the end of high RAM (and 4 GiB); the 64-bit PCI window follows it.
 *
 * Return: 0, or -EINVAL with a message in @err when RAM is below
 * MEMMAP_RAM_MIN or not a multiple of 4 KiB, maxmem is below RAM or not a
 * multiple of 4 KiB, @phys_bits is out of range, or the layout does not fit
 * below min(2^phys_bits, MEMMAP_MAX_GPA). @mm is zeroed on failure.
 */
int memmap_init(struct memmap *mm, uint64_t ram_size, uint64_t maxmem,
		unsigned phys_bits, struct error *err) __must_check;

/**
 * memmap_e820 - the e820 table the guest sees: RAM [0, EBDA_START),
 * reserved EBDA and BIOS F-segment, RAM [1 MiB, low end), and high RAM when
 * there is any. Device memory is not listed (virtio-mem finds it itself).
 * Fills @out (MEMMAP_E820_MAX entries) in address order; returns the count.
 */
unsigned memmap_e820(const struct memmap *mm, struct e820_range *out);

#endif
