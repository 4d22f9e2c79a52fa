// SPDX-License-Identifier: MIT
/*
 * Linux x86 boot protocol, 64-bit entry (Documentation/arch/x86/boot.rst):
 * checks a bzImage's setup header, copies its protected-mode code to 1 MiB,
 * places the initrd, and writes the zero page (boot_params.c), identity
 * page tables and the boot GDT. Every check runs before the first write.
 * Main thread, before vCPUs run (and at reset); no lock.
 */
#include "boot/bzimage.h"

#include <errno.h>
#include <string.h>

#include <asm/bootparam.h>

#include "boot/boot_params.h"

#define BZIMAGE_MAGIC		0x53726448	/* "HdrS" */
#define BZIMAGE_BOOT_FLAG	0xaa55
#define BZIMAGE_SECTOR		512
#define BZIMAGE_DEFAULT_SECTS	4	/* boot.rst: setup_sects 0 means 4 */

/* The setup header fields we read end with init_size (protocol 2.10). */
#define BZIMAGE_HDR_MIN_END \
	(offsetof(struct boot_params, hdr.init_size) + sizeof(uint32_t))

/* Identity map: 4 page directories of 2 MiB pages cover 0-4 GiB. */
#define PT_ENTRIES	512
#define PT_PRESENT	(1ULL << 0)
#define PT_WRITE	(1ULL << 1)
#define PT_HUGE		(1ULL << 7)
#define BOOT_NR_PDS	4

_Static_assert(BOOT_PD_ADDR + BOOT_NR_PDS * 4096 <= BOOT_CMDLINE_ADDR,
	       "page directories overlap the command line");
_Static_assert(ZERO_PAGE_ADDR + 4096 <= BOOT_PML4_ADDR,
	       "zero page overlaps the page tables");

/* What the checks learned about one image. */
struct bzimage {
	struct setup_header hdr;	/* zero past the image's header */
	size_t hdr_end;			/* 0x202 + byte at 0x201 */
	size_t setup_size;		/* boot sector + setup sectors */
	uint64_t load_addr;		/* protected-mode code goes here */
	uint64_t kernel_end;		/* end of what the kernel may use */
};

bool bzimage_probe(const uint8_t *image, size_t size)
{
	uint32_t magic;

	if (size < offsetof(struct boot_params, hdr.header) + sizeof(magic))
		return false;
	memcpy(&magic, image + offsetof(struct boot_params, hdr.header),
	       sizeof(magic));
	return magic == BZIMAGE_MAGIC;
}

/* Signature, boot_flag and protocol version: is this a kernel we know? */
static int bzimage_check_magic(const struct boot_payload *p,
			       struct bzimage *bz, struct error *err)
{
	size_t avail;

	if (!bzimage_probe(p->kernel, p->kernel_size)) {
		error_setg(err,
			   "kernel '%s' is not a Linux bzImage (no \"HdrS\" signature at 0x202)",
			   p->kernel_name);
		return -ENOEXEC;
	}
	/* Read what the file has of the header; the rest stays zero. */
	memset(&bz->hdr, 0, sizeof(bz->hdr));
	avail = MIN(p->kernel_size - BOOT_PARAMS_HDR_OFFSET, sizeof(bz->hdr));
	memcpy(&bz->hdr, p->kernel + BOOT_PARAMS_HDR_OFFSET, avail);
	if (bz->hdr.boot_flag != BZIMAGE_BOOT_FLAG) {
		error_setg(err,
			   "kernel '%s' is not a Linux bzImage (boot_flag is 0x%04x, not 0xaa55)",
			   p->kernel_name, bz->hdr.boot_flag);
		return -ENOEXEC;
	}
	if (bz->hdr.version < BZIMAGE_MIN_VERSION) {
		error_setg(err,
			   "Linux boot protocol %u.%02u of kernel '%s' is too old: flexvm needs 2.12 or later",
			   bz->hdr.version >> 8, bz->hdr.version & 0xff,
			   p->kernel_name);
		return -ENOEXEC;
	}
	return 0;
}

/* Header length, setup size and flags of a 2.12+ kernel. */
static int bzimage_check_header(const struct boot_payload *p,
				struct bzimage *bz, struct error *err)
{
	const struct setup_header *h = &bz->hdr;
	unsigned sects = h->setup_sects ? h->setup_sects : BZIMAGE_DEFAULT_SECTS;

	/* boot.rst: the header ends at 0x202 + the jump's byte at 0x201. */
	bz->hdr_end = offsetof(struct boot_params, hdr.header) +
		      p->kernel[offsetof(struct boot_params, hdr.jump) + 1];
	bz->setup_size = (sects + 1) * BZIMAGE_SECTOR;
	if (bz->hdr_end < BZIMAGE_HDR_MIN_END ||
	    bz->hdr_end > BOOT_PARAMS_HDR_MAX_END ||
	    bz->hdr_end > p->kernel_size) {
		error_setg(err,
			   "kernel '%s' has an invalid setup header (it ends at 0x%zx)",
			   p->kernel_name, bz->hdr_end);
		return -ENOEXEC;
	}
	if (bz->setup_size >= p->kernel_size) {
		error_setg(err,
			   "kernel '%s' is truncated: %zu bytes of setup code, but the file has %zu bytes",
			   p->kernel_name, bz->setup_size, p->kernel_size);
		return -ENOEXEC;
	}
	if (!(h->xloadflags & XLF_KERNEL_64)) {
		error_setg(err,
			   "kernel '%s' has no 64-bit entry point (XLF_KERNEL_64 is not set in xloadflags)",
			   p->kernel_name);
		return -ENOEXEC;
	}
	if (!(h->loadflags & LOADED_HIGH)) {
		error_setg(err,
			   "kernel '%s' is a zImage (LOADED_HIGH is not set): flexvm loads only a bzImage",
			   p->kernel_name);
		return -ENOEXEC;
	}
	if (h->relocatable_kernel && !IS_POWER_OF_2(h->kernel_alignment)) {
		error_setg(err,
			   "kernel '%s' has an invalid kernel_alignment 0x%x",
			   p->kernel_name, h->kernel_alignment);
		return -ENOEXEC;
	}
	return 0;
}

/*
 * The 64-bit entry decompresses the kernel to where it will run: a
 * relocatable kernel to the load address rounded up to kernel_alignment
 * but not below pref_address (LOAD_PHYSICAL_ADDR), any other kernel to
 * pref_address. It needs init_size bytes from there. Loading always at
 * 1 MiB (like QEMU and Firecracker) is simplest; reserving up to that end
 * keeps the initrd out of the kernel's way.
 */
static int bzimage_layout(const struct boot_payload *p,
			  const struct memmap *mm, struct bzimage *bz,
			  struct error *err)
{
	const struct setup_header *h = &bz->hdr;
	uint64_t code_size = p->kernel_size - bz->setup_size;
	uint64_t ram_end = mm->low_ram_size;
	uint64_t run = h->pref_address;
	uint64_t end;

	bz->load_addr = KERNEL_LOAD_ADDR;
	if (h->relocatable_kernel)
		run = MAX(ALIGN_UP(bz->load_addr, (uint64_t)h->kernel_alignment),
			  run);
	if (run < bz->load_addr) {
		error_setg(err,
			   "kernel '%s' has an invalid pref_address 0x%llx (below 1 MiB)",
			   p->kernel_name, (unsigned long long)run);
		return -ENOEXEC;
	}
	if (__builtin_add_overflow(run, (uint64_t)h->init_size, &end))
		end = UINT64_MAX;
	bz->kernel_end = MAX(end, bz->load_addr + code_size);
	if (bz->kernel_end > ram_end) {
		error_setg(err,
			   "kernel '%s' does not fit in guest RAM: it needs 0x%llx-0x%llx (init_size 0x%x), but RAM below 4 GiB ends at 0x%llx",
			   p->kernel_name, (unsigned long long)bz->load_addr,
			   (unsigned long long)bz->kernel_end, h->init_size,
			   (unsigned long long)ram_end);
		return -ENOMEM;
	}
	return 0;
}

/* Highest spot below initrd_addr_max (and low RAM end), above the kernel. */
static int bzimage_place_initrd(const struct boot_payload *p,
				const struct memmap *mm,
				const struct bzimage *bz, uint64_t *addr,
				struct error *err)
{
	uint64_t top = mm->low_ram_size;

	/* Like QEMU: XLF_CAN_BE_LOADED_ABOVE_4G lifts initrd_addr_max. */
	if (!(bz->hdr.xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G))
		top = MIN(top, (uint64_t)bz->hdr.initrd_addr_max + 1);
	return boot_place_initrd(bz->kernel_end, top, p->initrd_size, addr,
				 err);
}

static int bzimage_write_page_tables(const struct guest_mem *gm)
{
	uint64_t table[PT_ENTRIES];
	uint64_t pd_gpa;
	unsigned i, j;
	int ret;

	memset(table, 0, sizeof(table));
	table[0] = BOOT_PDPT_ADDR | PT_PRESENT | PT_WRITE;
	ret = guest_mem_write(gm, BOOT_PML4_ADDR, table, sizeof(table));
	if (ret)
		return ret;

	memset(table, 0, sizeof(table));
	for (i = 0; i < BOOT_NR_PDS; i++)
		table[i] = (BOOT_PD_ADDR + i * sizeof(table)) | PT_PRESENT |
			   PT_WRITE;
	ret = guest_mem_write(gm, BOOT_PDPT_ADDR, table, sizeof(table));
	if (ret)
		return ret;

	for (i = 0; i < BOOT_NR_PDS; i++) {
		for (j = 0; j < PT_ENTRIES; j++)
			table[j] = ((uint64_t)i * PT_ENTRIES + j) * 2 * MiB |
				   PT_PRESENT | PT_WRITE | PT_HUGE;
		pd_gpa = BOOT_PD_ADDR + i * sizeof(table);
		ret = guest_mem_write(gm, pd_gpa, table, sizeof(table));
		if (ret)
			return ret;
	}
	return 0;
}

/* Copies the code and the initrd; writes cmdline, zero page, tables. */
static int bzimage_write(const struct guest_mem *gm, const struct memmap *mm,
			 const struct boot_payload *p, const struct bzimage *bz,
			 struct boot_info *out)
{
	struct boot_params_args args = {
		.cmdline_addr = BOOT_CMDLINE_ADDR,
		.initrd_addr = out->initrd_addr,
		.initrd_size = out->initrd_size,
		.mm = mm,
	};
	struct boot_params bp;
	int ret;

	ret = guest_mem_write(gm, bz->load_addr, p->kernel + bz->setup_size,
			      p->kernel_size - bz->setup_size);
	if (!ret && out->initrd_size)
		ret = guest_mem_write(gm, out->initrd_addr, p->initrd,
				      p->initrd_size);
	if (!ret)
		ret = boot_write_cmdline(gm, p->cmdline, bz->hdr.cmdline_size);
	if (ret)
		return ret;
	boot_params_build(&bp, p->kernel, bz->hdr_end, &args);
	ret = guest_mem_write(gm, ZERO_PAGE_ADDR, &bp, sizeof(bp));
	if (!ret)
		ret = bzimage_write_page_tables(gm);
	if (!ret)
		ret = boot_write_gdt(gm, BOOT_MODE_LINUX64, out);
	return ret;
}

int bzimage_load(const struct guest_mem *gm, const struct memmap *mm,
		 const struct boot_payload *p, struct boot_info *out,
		 struct error *err)
{
	size_t cmdline_len = strlen(p->cmdline);
	struct bzimage bz;
	int ret;

	ret = bzimage_check_magic(p, &bz, err);
	if (!ret)
		ret = bzimage_check_header(p, &bz, err);
	if (!ret)
		ret = bzimage_layout(p, mm, &bz, err);
	if (ret)
		return ret;
	if (cmdline_len > bz.hdr.cmdline_size ||
	    cmdline_len >= BOOT_CMDLINE_MAX) {
		error_setg(err,
			   "kernel command line is too long for kernel '%s': %zu bytes, at most %u",
			   p->kernel_name, cmdline_len,
			   (unsigned)MIN(bz.hdr.cmdline_size,
					 BOOT_CMDLINE_MAX - 1));
		return -E2BIG;
	}

	memset(out, 0, sizeof(*out));
	if (p->initrd && p->initrd_size) {
		ret = bzimage_place_initrd(p, mm, &bz, &out->initrd_addr, err);
		if (ret)
			return ret;
		out->initrd_size = p->initrd_size;
	}
	ret = bzimage_write(gm, mm, p, &bz, out);
	if (ret) {
		error_setg_errno(err, -ret,
				 "cannot write kernel '%s' to guest memory",
				 p->kernel_name);
		return ret;
	}
	out->mode = BOOT_MODE_LINUX64;
	out->entry = bz.load_addr + BZIMAGE_ENTRY64_OFFSET;
	out->param_addr = ZERO_PAGE_ADDR;
	out->cr3 = BOOT_PML4_ADDR;
	out->kernel_start = bz.load_addr;
	out->kernel_end = bz.kernel_end;
	return 0;
}
