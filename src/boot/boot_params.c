// SPDX-License-Identifier: MIT
/*
 * The Linux zero page: a clean struct boot_params, the image's setup header
 * copied to its place, then the fields boot.rst says a boot loader writes.
 * Pure computation on the caller's buffer; bzimage.c writes it to guest
 * memory. Main thread, no lock.
 */
#include "boot/boot_params.h"

#include <string.h>

_Static_assert(sizeof(struct boot_params) == 4096, "zero page is one page");
_Static_assert(offsetof(struct boot_params, hdr) == BOOT_PARAMS_HDR_OFFSET,
	       "setup header offset");
_Static_assert(offsetof(struct boot_params, edd_mbr_sig_buffer) ==
	       BOOT_PARAMS_HDR_MAX_END, "setup header limit");
_Static_assert(offsetof(struct boot_params, e820_table) == 0x2d0,
	       "e820 table offset");

static void boot_params_set_e820(struct boot_params *bp,
				 const struct memmap *mm)
{
	struct e820_range ranges[MEMMAP_E820_MAX];
	unsigned i, n;

	n = memmap_e820(mm, ranges);
	_Static_assert(MEMMAP_E820_MAX <= E820_MAX_ENTRIES_ZEROPAGE,
		       "zero page e820 table is large enough");
	for (i = 0; i < n && i < MEMMAP_E820_MAX; i++) {
		bp->e820_table[i].addr = ranges[i].addr;
		bp->e820_table[i].size = ranges[i].size;
		bp->e820_table[i].type = ranges[i].type;
	}
	bp->e820_entries = (uint8_t)i;
}

void boot_params_build(struct boot_params *bp, const uint8_t *image,
		       size_t hdr_end, const struct boot_params_args *a)
{
	/*
	 * boot.rst: start from a zeroed page and copy only the setup header,
	 * so the sentinel at 0x1ef stays 0 and the kernel trusts the rest.
	 */
	memset(bp, 0, sizeof(*bp));
	memcpy((uint8_t *)bp + BOOT_PARAMS_HDR_OFFSET,
	       image + BOOT_PARAMS_HDR_OFFSET,
	       hdr_end - BOOT_PARAMS_HDR_OFFSET);

	bp->hdr.type_of_loader = BOOT_PARAMS_LOADER_TYPE;
	bp->hdr.loadflags |= CAN_USE_HEAP;
	bp->hdr.heap_end_ptr = BOOT_PARAMS_HEAP_END_PTR;
	bp->hdr.cmd_line_ptr = (uint32_t)a->cmdline_addr;
	bp->ext_cmd_line_ptr = (uint32_t)(a->cmdline_addr >> 32);
	bp->hdr.ramdisk_image = (uint32_t)a->initrd_addr;
	bp->ext_ramdisk_image = (uint32_t)(a->initrd_addr >> 32);
	bp->hdr.ramdisk_size = (uint32_t)a->initrd_size;
	bp->ext_ramdisk_size = (uint32_t)(a->initrd_size >> 32);
	/* No setup_data list: whatever the file says there is not ours. */
	bp->hdr.setup_data = 0;
	boot_params_set_e820(bp, a->mm);
}
