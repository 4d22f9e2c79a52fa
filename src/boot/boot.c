// SPDX-License-Identifier: MIT
/*
 * boot_load(): reads the kernel and initrd files, recognises the kernel
 * format and hands the bytes to the matching loader (pvh.c, bzimage.c),
 * then writes the MP table. Also the small helpers both loaders share.
 * Main thread, before the vCPUs start and again at machine reset; no lock
 * (nothing else touches guest memory then).
 */
#include "boot/boot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot/bzimage.h"
#include "boot/mptable.h"
#include "boot/pvh.h"

/* Guest structures are written from host integers: x86 only. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "flexvm writes guest tables in host byte order");

/*
 * Nothing bigger can be placed in guest RAM below 4 GiB, so refuse it
 * before allocating a buffer for it.
 */
#define BOOT_FILE_MAX (4 * GiB)

/* Boot GDT descriptors: base 0, limit 4 GiB, present, DPL 0, accessed. */
#define GDT_CODE64 0x00af9b000000ffffULL	/* L=1: 64-bit code */
#define GDT_CODE32 0x00cf9b000000ffffULL	/* D=1: 32-bit code */
#define GDT_DATA   0x00cf93000000ffffULL	/* read/write data */

/*
 * Reads all of the regular file @fd, from its start, into a new buffer.
 * pread leaves the offset alone, so every reset reads the same bytes.
 * Returns 0, or -errno; -ENODATA for an empty file, -EIO when it shrinks
 * under us.
 */
static int boot_read_fd(int fd, uint8_t **data, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	size_t done = 0;
	ssize_t n;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size == 0)
		return -ENODATA;
	if ((uint64_t)st.st_size > BOOT_FILE_MAX)
		return -EFBIG;
	buf = malloc((size_t)st.st_size);
	if (!buf)
		return -ENOMEM;
	while (done < (size_t)st.st_size) {
		n = pread(fd, buf + done, (size_t)st.st_size - done,
			  (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			return n < 0 ? -errno : -EIO;
		}
		done += (size_t)n;
	}
	*data = buf;
	*size = done;
	return 0;
}

static const char *boot_strerror(int ret)
{
	if (ret == -ENODATA)
		return "the file is empty";
	if (ret == -EINVAL)
		return "not a regular file";
	return strerror(-ret);
}

void boot_close(struct boot_request *req)
{
	if (req->kernel_fd >= 0)
		close(req->kernel_fd);
	if (req->initrd_fd >= 0)
		close(req->initrd_fd);
	req->kernel_fd = req->initrd_fd = -1;
}

int boot_open(struct boot_request *req, struct error *err)
{
	int ret;

	req->initrd_fd = -1;
	req->kernel_fd = open(req->kernel_path, O_RDONLY | O_CLOEXEC);
	if (req->kernel_fd < 0) {
		ret = -errno;
		error_setg(err, "could not open kernel file '%s': %s",
			   req->kernel_path, strerror(-ret));
		return ret;
	}
	if (!req->initrd_path)
		return 0;
	req->initrd_fd = open(req->initrd_path, O_RDONLY | O_CLOEXEC);
	if (req->initrd_fd < 0) {
		ret = -errno;
		error_setg(err, "error reading initrd %s: %s",
			   req->initrd_path, strerror(-ret));
		boot_close(req);
		return ret;
	}
	return 0;
}

static int boot_read_files(const struct boot_request *req,
			   uint8_t **kernel, uint8_t **initrd,
			   struct boot_payload *p, struct error *err)
{
	int ret = boot_read_fd(req->kernel_fd, kernel, &p->kernel_size);

	if (ret) {
		error_setg(err, "could not load kernel '%s': %s",
			   req->kernel_path, boot_strerror(ret));
		return ret;
	}
	if (req->initrd_fd < 0)
		return 0;
	ret = boot_read_fd(req->initrd_fd, initrd, &p->initrd_size);
	if (ret)
		error_setg(err, "error reading initrd %s: %s",
			   req->initrd_path, boot_strerror(ret));
	return ret;
}

static int boot_load_kernel(const struct guest_mem *gm,
			    const struct memmap *mm,
			    const struct boot_payload *p, struct boot_info *out,
			    struct error *err)
{
	if (pvh_probe(p->kernel, p->kernel_size))
		return pvh_load(gm, mm, p, out, err);
	if (bzimage_probe(p->kernel, p->kernel_size))
		return bzimage_load(gm, mm, p, out, err);
	error_setg(err,
		   "kernel '%s' is neither an ELF kernel with a PVH entry note nor a Linux bzImage",
		   p->kernel_name);
	return -ENOEXEC;
}

int boot_load(const struct guest_mem *gm, const struct memmap *mm,
	      const struct boot_request *req, struct boot_info *out,
	      struct error *err)
{
	struct boot_payload p = {
		.kernel_name = req->kernel_path,
		.cmdline = req->cmdline,
	};
	uint8_t *kernel = NULL, *initrd = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = boot_read_files(req, &kernel, &initrd, &p, err);
	if (ret)
		goto out_free;
	p.kernel = kernel;
	p.initrd = initrd;

	ret = boot_load_kernel(gm, mm, &p, out, err);
	if (ret)
		goto out_free;
	ret = mptable_write(gm, req->nr_cpus, req->pci_irqs, req->nr_pci_irqs);
	if (ret)
		error_setg_errno(err, -ret, "cannot write the MP table for %u CPUs",
				 req->nr_cpus);
out_free:
	free(initrd);
	free(kernel);
	return ret;
}

int boot_place_initrd(uint64_t lo, uint64_t hi, uint64_t size,
		      uint64_t *addr, struct error *err)
{
	/* 2 MiB keeps the kernel's direct map in large pages; page is legal. */
	static const uint64_t aligns[] = { 2 * MiB, 4 * KiB };
	uint64_t a, max = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(aligns) && size && hi >= size; i++) {
		a = ALIGN_DOWN(hi - size, aligns[i]);
		if (a >= lo) {
			*addr = a;
			return 0;
		}
	}
	if (ALIGN_DOWN(hi, 4 * KiB) > ALIGN_UP(lo, 4 * KiB))
		max = ALIGN_DOWN(hi, 4 * KiB) - ALIGN_UP(lo, 4 * KiB);
	/* QEMU's wording (hw/i386/x86-common.c), with a space added. */
	error_setg(err, "initrd is too large, cannot support. "
		   "(max: %llu, need %llu)", (unsigned long long)max,
		   (unsigned long long)size);
	return -ENOSPC;
}

int boot_write_cmdline(const struct guest_mem *gm, const char *cmdline,
		       size_t max_len)
{
	size_t len = strlen(cmdline);

	if (len > max_len || len >= BOOT_CMDLINE_MAX)
		return -E2BIG;
	return guest_mem_write(gm, BOOT_CMDLINE_ADDR, cmdline, len + 1);
}

int boot_write_gdt(const struct guest_mem *gm, enum boot_mode mode,
		   struct boot_info *out)
{
	uint64_t gdt[BOOT_GDT_ENTRIES] = { 0 };
	int ret;

	gdt[BOOT_CS_SELECTOR / 8] =
		mode == BOOT_MODE_LINUX64 ? GDT_CODE64 : GDT_CODE32;
	gdt[BOOT_DS_SELECTOR / 8] = GDT_DATA;
	ret = guest_mem_write(gm, BOOT_GDT_ADDR, gdt, sizeof(gdt));
	if (ret)
		return ret;
	out->gdt_addr = BOOT_GDT_ADDR;
	out->gdt_limit = sizeof(gdt) - 1;
	return 0;
}
