// SPDX-License-Identifier: MIT
/*
 * Xen PVH direct boot of an ELF kernel (Linux vmlinux, flexvm's test
 * guest): loads the PT_LOAD segments at their physical addresses and
 * starts at the XEN_ELFNOTE_PHYS32_ENTRY note's address in 32-bit
 * protected mode with EBX = struct hvm_start_info. Works on a buffer so
 * unit tests and fuzzers can feed it any bytes. Main thread, no lock.
 */
#ifndef FLEXVM_BOOT_PVH_H
#define FLEXVM_BOOT_PVH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/boot.h"

/* Xen public ABI (xen/include/public/elfnote.h, arch-x86/hvm/start_info.h) */
#define XEN_ELFNOTE_PHYS32_ENTRY	18
#define XEN_HVM_START_MAGIC_VALUE	0x336ec578
#define XEN_HVM_START_INFO_VERSION	1	/* with the memory map */
#define XEN_HVM_MEMMAP_TYPE_RAM		1
#define XEN_HVM_MEMMAP_TYPE_RESERVED	2

/* EBX points at this at the PVH entry. */
struct hvm_start_info {
	uint32_t magic;			/* XEN_HVM_START_MAGIC_VALUE */
	uint32_t version;		/* 1 */
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;		/* struct hvm_modlist_entry[] */
	uint64_t cmdline_paddr;		/* NUL-terminated */
	uint64_t rsdp_paddr;		/* 0: guest searches for ACPI */
	uint64_t memmap_paddr;		/* version 1: hvm_memmap_table_entry[] */
	uint32_t memmap_entries;
	uint32_t reserved;
};
_Static_assert(sizeof(struct hvm_start_info) == 56, "start_info v1 size");
_Static_assert(offsetof(struct hvm_start_info, memmap_paddr) == 40,
	       "start_info memmap_paddr offset");

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "modlist entry size");

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;			/* XEN_HVM_MEMMAP_TYPE_*, as e820 */
	uint32_t reserved;
};
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24,
	       "memmap entry size");

/** pvh_probe - true when @image starts with the ELF magic. */
bool pvh_probe(const uint8_t *image, size_t size);

/**
 * pvh_load - load the ELF kernel in @p into @gm for a PVH boot: segments
 * at p_paddr (bss zeroed), initrd at the top of low RAM above the image,
 * command line at BOOT_CMDLINE_ADDR, hvm_start_info at PVH_START_INFO_ADDR,
 * module list at PVH_MODLIST_ADDR, memory map (from @mm) at
 * PVH_MEMMAP_ADDR, and a flat 32-bit boot GDT at BOOT_GDT_ADDR.
 * @gm: guest memory; @mm: its layout
 * @p: the kernel (and initrd) bytes and the command line
 * @out: BOOT_MODE_PVH, entry from the note, param_addr = start_info
 * @err: one line on failure
 *
 * ELF64 (EM_X86_64) and ELF32 (EM_386) little-endian ET_EXEC files are
 * accepted. Refuses (before writing anything) headers or segments outside
 * the file, p_filesz > p_memsz, segments that wrap, start below 1 MiB
 * (flexvm's boot tables live there) or end past low RAM, and a file
 * without the PVH entry note: flexvm does not boot plain ELF entry points.
 * Return: 0, or a negative errno with @err set.
 */
int pvh_load(const struct guest_mem *gm, const struct memmap *mm,
	     const struct boot_payload *p, struct boot_info *out,
	     struct error *err) __must_check;

#endif
