// SPDX-License-Identifier: MIT
/*
 * Copies the PVH start_info, its memory map and the command line into the
 * guest's own .bss at start-up, checking the magic and the bounds. Runs on
 * the BSP at CPL3 before anything else touches low memory.
 */
#include "guest.h"
#include "pvh.h"

struct pvh_info pvh;

/* Everything the loader hands over must sit in the identity-mapped 4 GiB. */
static bool below_4g(uint64_t paddr, uint64_t size)
{
	return paddr != 0 && paddr < (1ULL << 32) && size <= (1ULL << 32) - paddr;
}

static void copy_cmdline(uint64_t paddr)
{
	const char *src = (const char *)(uintptr_t)paddr;

	if (!below_4g(paddr, 1))
		return;
	/* A command line longer than the buffer is truncated, not rejected. */
	strlcpy(pvh.cmdline, src, sizeof(pvh.cmdline));
}

static void copy_memmap(uint64_t paddr, uint32_t entries)
{
	size_t size = (size_t)entries * sizeof(struct hvm_memmap_entry);

	if (entries > PVH_MAX_MEMMAP)
		entries = PVH_MAX_MEMMAP;
	if (!below_4g(paddr, size))
		return;
	memcpy(pvh.memmap, (const void *)(uintptr_t)paddr,
	       entries * sizeof(struct hvm_memmap_entry));
	pvh.nr_memmap = entries;
}

void pvh_init(uint64_t start_info_paddr)
{
	const struct hvm_start_info *si;

	pvh.start_info_paddr = start_info_paddr;
	if (!below_4g(start_info_paddr, sizeof(*si))) {
		pvh.error = "start_info address outside the first 4 GiB";
		return;
	}
	si = (const struct hvm_start_info *)(uintptr_t)start_info_paddr;
	if (si->magic != HVM_START_MAGIC) {
		pvh.error = "bad hvm_start_info magic";
		return;
	}
	/* Version 0 ends before memmap_paddr: do not read past it. */
	memcpy(&pvh.si, si, si->version >= 1 ? sizeof(*si)
					       : offsetof(struct hvm_start_info,
							  memmap_paddr));
	if (si->cmdline_paddr)
		copy_cmdline(si->cmdline_paddr);
	if (si->version >= 1 && si->memmap_entries)
		copy_memmap(si->memmap_paddr, si->memmap_entries);
}
