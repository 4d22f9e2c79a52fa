// SPDX-License-Identifier: MIT
/*
 * The Xen PVH boot ABI as seen by the guest: struct hvm_start_info (passed
 * in EBX at the 32-bit entry) and its memory map and module list. The
 * layout follows Xen's public arch-x86/hvm/start_info.h, version 1.
 */
#ifndef GUEST_PVH_H
#define GUEST_PVH_H

#include <stdint.h>

#define HVM_START_MAGIC 0x336ec578

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	/* version >= 1 */
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* E820 types: 1 RAM, 2 reserved, 3 ACPI, ... */
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "start_info v1 size");
_Static_assert(sizeof(struct hvm_memmap_entry) == 24, "memmap entry size");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "modlist entry size");

#define PVH_MAX_MEMMAP 128
#define PVH_MAX_CMDLINE 1024

/*
 * The guest copies what it needs out of the loader's structures first
 * thing, so that later scenarios may reuse low memory (AP trampoline).
 */
struct pvh_info {
	uint64_t start_info_paddr;
	struct hvm_start_info si;
	unsigned int nr_memmap;
	struct hvm_memmap_entry memmap[PVH_MAX_MEMMAP];
	char cmdline[PVH_MAX_CMDLINE];
	const char *error; /* why the start_info is unusable, or NULL */
};

extern struct pvh_info pvh;

void pvh_init(uint64_t start_info_paddr);

#endif
