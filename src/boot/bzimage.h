// SPDX-License-Identifier: MIT
/*
 * Linux x86 boot protocol loader (Documentation/arch/x86/boot.rst), 64-bit
 * entry only. Works on a buffer so unit tests and fuzzers can feed it any
 * bytes. Main thread, before vCPUs run; no lock.
 */
#ifndef FLEXVM_BOOT_BZIMAGE_H
#define FLEXVM_BOOT_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/boot.h"

/* Oldest boot protocol flexvm accepts: 2.12 brought XLF_KERNEL_64. */
#define BZIMAGE_MIN_VERSION 0x020c
/* The 64-bit entry point is this far into the protected-mode code. */
#define BZIMAGE_ENTRY64_OFFSET 0x200

/** bzimage_probe - true when @image has the "HdrS" signature at 0x202. */
bool bzimage_probe(const uint8_t *image, size_t size);

/**
 * bzimage_load - load the bzImage in @p into @gm following the boot
 * protocol: protected-mode code at KERNEL_LOAD_ADDR, initrd at the top of
 * the allowed RAM, command line at BOOT_CMDLINE_ADDR, zero page at
 * ZERO_PAGE_ADDR (e820 from @mm), 0-4 GiB identity page tables at
 * BOOT_PML4_ADDR and the boot GDT at BOOT_GDT_ADDR.
 * @gm: guest memory; @mm: its layout (low RAM size, e820)
 * @p: the kernel (and initrd) bytes and the command line
 * @out: filled with the 64-bit entry state on success
 * @err: one line on failure
 *
 * Refuses (before writing anything) a bad signature or boot_flag, boot
 * protocol older than 2.12, no XLF_KERNEL_64, a zImage (no LOADED_HIGH),
 * a truncated image, a kernel whose init_size does not fit in low RAM, an
 * initrd that does not fit above it, a command line over cmdline_size.
 * Return: 0, or a negative errno with @err set.
 */
int bzimage_load(const struct guest_mem *gm, const struct memmap *mm,
		 const struct boot_payload *p, struct boot_info *out,
		 struct error *err) __must_check;

#endif
