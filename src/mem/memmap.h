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
#define BIOS_ROM_START		0xF0000ULL	/* reserved, like a PC */
#define BIOS_ROM_END		0x100000ULL
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

/* e820 types, as in the Linux boot protocol. */
enum e820_type { E820_RAM = 1, E820_RESERVED = 2 };

struct e820_range {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

#define MEMMAP_E820_MAX 8

/*
 * memmap_init - lay out @ram_size bytes of RAM and a device-memory window
 * of @maxmem - @ram_size bytes (none when @maxmem is 0 or equal) under a
 * guest address width of @phys_bits. Fails, with a message in @err, when
 * RAM is zero or the layout does not fit below 2^phys_bits / 64 TiB.
 */
int memmap_init(struct memmap *mm, uint64_t ram_size, uint64_t maxmem,
		unsigned phys_bits, struct error *err) __must_check;

/* Fills @out (MEMMAP_E820_MAX entries) in address order; returns the count. */
unsigned memmap_e820(const struct memmap *mm, struct e820_range *out);

#endif
