// SPDX-License-Identifier: MIT
/*
 * Builds the Linux zero page (struct boot_params) that bzimage.c hands to
 * the kernel in RSI: the image's setup header plus what the boot loader
 * fills in. Pure: it only writes the caller's buffer. Any thread, no lock.
 */
#ifndef FLEXVM_BOOT_BOOT_PARAMS_H
#define FLEXVM_BOOT_BOOT_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include <asm/bootparam.h>

#include "mem/memmap.h"

/* boot_params.hdr sits at this offset in the image and in the zero page. */
#define BOOT_PARAMS_HDR_OFFSET 0x1f1
/* The setup header may not run into edd_mbr_sig_buffer. */
#define BOOT_PARAMS_HDR_MAX_END 0x290
/*
 * heap_end_ptr: end of the setup heap minus 0x200, relative to the
 * real-mode code, as for a loader that puts it in a 64 KiB segment. The
 * 64-bit entry never runs that code, but the header stays consistent.
 */
#define BOOT_PARAMS_HEAP_END_PTR 0xfe00
/* type_of_loader: "undefined" boot loader, per boot.rst. */
#define BOOT_PARAMS_LOADER_TYPE 0xff

/* What the boot loader tells the kernel, besides the image's header. */
struct boot_params_args {
	uint64_t cmdline_addr;
	uint64_t initrd_addr;	/* both 0: no initrd */
	uint64_t initrd_size;
	const struct memmap *mm;	/* source of the e820 table */
};

/**
 * boot_params_build - fill @bp for a kernel whose setup header occupies
 * bytes [BOOT_PARAMS_HDR_OFFSET, @hdr_end) of @image.
 * @bp: cleared, then the header is copied to the same offset
 * @image: the bzImage; @hdr_end: 0x202 + the byte at 0x201, already
 *         checked to be <= BOOT_PARAMS_HDR_MAX_END and inside @image
 * @a: command line, initrd and memory map
 *
 * Sets type_of_loader 0xff, CAN_USE_HEAP with heap_end_ptr, cmd_line_ptr,
 * ramdisk_image/size (high halves in ext_*), clears setup_data, and copies
 * the e820 table from memmap_e820().
 */
void boot_params_build(struct boot_params *bp, const uint8_t *image,
		       size_t hdr_end, const struct boot_params_args *a);

#endif
