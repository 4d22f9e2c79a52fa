// SPDX-License-Identifier: MIT
/*
 * Loading a guest kernel into guest memory: a Linux bzImage through the
 * x86 boot protocol (64-bit entry), or any ELF with a Xen PVH entry note
 * (a vmlinux, flexvm's test guest). Also writes the tables every boot path
 * needs (MP table, e820). Runs on the main thread before vCPUs start, and
 * again on every machine reset.
 */
#ifndef FLEXVM_BOOT_BOOT_H
#define FLEXVM_BOOT_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "mem/guest_mem.h"
#include "mem/memmap.h"
#include "util/compiler.h"
#include "util/error.h"

enum boot_mode {
	/* Long mode, paging on (identity map), RSI = zero page. */
	BOOT_MODE_LINUX64,
	/* 32-bit protected mode, paging off, EBX = hvm_start_info. */
	BOOT_MODE_PVH,
};

struct mptable_pci_irq;

struct boot_request {
	const char *kernel_path;
	const char *initrd_path;	/* NULL: no initrd */
	int kernel_fd, initrd_fd;	/* boot_open(); -1: not open */
	const char *cmdline;		/* never NULL */
	unsigned nr_cpus;		/* for the MP table */
	/* PCI INTx routes for the MP table (vm.c fills them). */
	const struct mptable_pci_irq *pci_irqs;
	unsigned nr_pci_irqs;
};

/* Where the vCPU must start; cpu_setup.c turns this into registers. */
struct boot_info {
	enum boot_mode mode;
	uint64_t entry;		/* guest-physical RIP / EIP */
	uint64_t param_addr;	/* zero page (RSI) or start_info (EBX) */
	uint64_t cr3;		/* LINUX64: identity page tables */
	uint64_t gdt_addr;	/* LINUX64: GDT with the boot selectors */
	uint16_t gdt_limit;
	uint64_t kernel_start, kernel_end;	/* loaded image range */
	uint64_t initrd_addr, initrd_size;	/* 0 when no initrd */
};

/* GDT selectors the boot code sets up (same as Linux's boot GDT). */
#define BOOT_CS_SELECTOR 0x10
#define BOOT_DS_SELECTOR 0x18
#define BOOT_GDT_ENTRIES 4	/* null, null, code, data */

/*
 * The bytes a loader works on, already read from the files. The loaders
 * (bzimage_load, pvh_load) only take this, so unit tests and fuzzers can
 * hand them any buffer.
 */
struct boot_payload {
	const char *kernel_name;	/* path, for error messages */
	const uint8_t *kernel;
	size_t kernel_size;
	const uint8_t *initrd;		/* NULL: no initrd */
	size_t initrd_size;
	const char *cmdline;		/* never NULL */
};

/*
 * boot_open - open the kernel (and initrd) named in @req, read-only, and
 * keep them open in @req for every later boot_load(): a machine reset
 * reads them again, as QEMU's reset reloads its copy, and the sandboxed
 * main thread may not open files. Fails with QEMU's line for a file that
 * cannot be opened, all closed again.
 */
int boot_open(struct boot_request *req, struct error *err) __must_check;

/* boot_close - close what boot_open() opened; safe to call again. */
void boot_close(struct boot_request *req);

/*
 * boot_load - read the kernel (and initrd) boot_open() opened in @req,
 * recognise its format, load it and every boot structure into @gm, and
 * describe the entry state in @out. Fails with one clear line in @err for
 * an unreadable or empty file, an unknown format, a too old boot
 * protocol, or an image that does not fit in RAM.
 */
int boot_load(const struct guest_mem *gm, const struct memmap *mm,
	      const struct boot_request *req, struct boot_info *out,
	      struct error *err) __must_check;

/* Helpers shared by the loaders in src/boot/ (boot.c). */

/**
 * boot_place_initrd - highest address for @size bytes of initrd inside
 * [@lo, @hi): 2 MiB aligned if possible, else page aligned. Returns 0 with
 * *@addr set, or -ENOSPC with QEMU's "initrd is too large" line in @err
 * (which may be NULL).
 */
int boot_place_initrd(uint64_t lo, uint64_t hi, uint64_t size,
		      uint64_t *addr, struct error *err) __must_check;

/**
 * boot_write_cmdline - copy @cmdline and its NUL to BOOT_CMDLINE_ADDR.
 * Returns 0, -E2BIG when strlen(@cmdline) > @max_len or does not fit
 * BOOT_CMDLINE_MAX, -EFAULT when that memory is not RAM.
 */
int boot_write_cmdline(const struct guest_mem *gm, const char *cmdline,
		       size_t max_len) __must_check;

/**
 * boot_write_gdt - write the boot GDT at BOOT_GDT_ADDR: two null entries,
 * code at BOOT_CS_SELECTOR (64-bit for BOOT_MODE_LINUX64, flat 32-bit for
 * BOOT_MODE_PVH), flat data at BOOT_DS_SELECTOR; fills @out's gdt_addr
 * and gdt_limit. Returns 0 or -EFAULT.
 */
int boot_write_gdt(const struct guest_mem *gm, enum boot_mode mode,
		   struct boot_info *out) __must_check;

#endif
