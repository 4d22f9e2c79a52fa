// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the bzImage and PVH ELF loaders: the input gives
 * a command line, an initrd and the kernel image, loaded into 64 MiB of
 * fresh calloc'ed guest RAM (ASan catches a write outside it). A refused
 * image must leave RAM untouched (every resident page is zero, found with
 * mincore); an accepted one must describe ranges inside RAM.
 * Single-threaded; also run by replay.c over the seed corpus.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "boot/bzimage.h"
#include "boot/pvh.h"
#include "mem/guest_mem.h"
#include "mem/memmap.h"

#include "fuzz.h"

#define RAM_SIZE (64 * MiB)

enum loader { BY_PROBE, BZIMAGE, PVH, BOTH };

struct run {
	uint8_t *ram;
	struct guest_mem gm;
	struct memmap mm;
	struct boot_payload pl;
};

/* Every page the loader touched is resident; all of them must be zero. */
static void check_untouched(const uint8_t *ram)
{
	static unsigned char vec[RAM_SIZE / 4096 + 2];
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = ALIGN_UP((uintptr_t)ram, page);
	uintptr_t hi = ((uintptr_t)ram + RAM_SIZE) & ~(page - 1);
	const uint8_t *p;

	/* The unaligned head and tail are few bytes: just read them. */
	for (p = ram; p < (const uint8_t *)lo; p++)
		CHECK(*p == 0);
	for (p = (const uint8_t *)hi; p < ram + RAM_SIZE; p++)
		CHECK(*p == 0);
	if (mincore((void *)lo, hi - lo, vec) != 0) {
		/* No page residency info: fall back to a full scan. */
		for (p = ram; p < ram + RAM_SIZE; p++)
			CHECK(*p == 0);
		return;
	}
	for (size_t i = 0; i < (hi - lo) / page; i++) {
		if (!(vec[i] & 1))
			continue;
		p = (const uint8_t *)(lo + i * page);
		for (size_t j = 0; j < page; j++)
			CHECK(p[j] == 0);
	}
}

static void check_accepted(const struct boot_info *bi,
			   const struct boot_payload *pl)
{
	CHECK(bi->mode == BOOT_MODE_LINUX64 || bi->mode == BOOT_MODE_PVH);
	CHECK(bi->kernel_start < bi->kernel_end);
	CHECK(bi->kernel_end <= RAM_SIZE);
	CHECK(bi->entry < RAM_SIZE);
	CHECK(bi->param_addr < RAM_SIZE);
	if (pl->initrd) {
		CHECK(bi->initrd_size == pl->initrd_size);
		CHECK(bi->initrd_addr + bi->initrd_size <= RAM_SIZE);
		CHECK(bi->initrd_addr >= bi->kernel_end ||
		      bi->initrd_addr + bi->initrd_size <= bi->kernel_start);
	}
	if (bi->mode == BOOT_MODE_LINUX64)
		CHECK(bi->cr3 < RAM_SIZE && bi->gdt_addr < RAM_SIZE);
}

/* One load into fresh RAM; @bz picks the loader. */
static void load_once(struct run *r, bool bz)
{
	struct boot_info bi = { 0 };
	struct error err = { 0 };
	int ret;

	r->ram = calloc(1, RAM_SIZE);
	CHECK(r->ram);
	memset(&r->gm, 0, sizeof(r->gm));
	CHECK(guest_mem_add(&r->gm, "ram", 0, RAM_SIZE, r->ram) == 0);
	if (bz)
		ret = bzimage_load(&r->gm, &r->mm, &r->pl, &bi, &err);
	else
		ret = pvh_load(&r->gm, &r->mm, &r->pl, &bi, &err);
	if (ret) {
		CHECK(ret < 0 && error_is_set(&err));
		check_untouched(r->ram);
	} else {
		CHECK(!error_is_set(&err));
		check_accepted(&bi, &r->pl);
	}
	free(r->ram);
}

/*
 * Input: flags (bits 0-1 enum loader, bit 2 initrd), command line length,
 * initrd length (LE16), the command line, the initrd, then the kernel.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char cmdline[256];
	struct run r = { 0 };
	struct error err = { 0 };
	enum loader how;
	bool with_initrd;
	size_t clen, ilen;

	if (size < 4)
		return 0;
	how = (enum loader)(data[0] & 3);
	with_initrd = data[0] & 4;
	clen = data[1];
	ilen = data[2] | (size_t)data[3] << 8;
	data += 4;
	size -= 4;
	clen = clen < size ? clen : size;
	memcpy(cmdline, data, clen);
	cmdline[clen] = '\0';	/* an embedded NUL just ends it early */
	data += clen;
	size -= clen;
	ilen = ilen < size ? ilen : size;
	r.pl = (struct boot_payload){ .kernel_name = "fuzz", .cmdline = cmdline };
	if (with_initrd) {
		r.pl.initrd = data;
		r.pl.initrd_size = ilen;
	}
	data += r.pl.initrd_size;
	size -= r.pl.initrd_size;
	r.pl.kernel = data;
	r.pl.kernel_size = size;
	CHECK(memmap_init(&r.mm, RAM_SIZE, 0, 40, &err) == 0);

	if (how == BY_PROBE) {
		if (bzimage_probe(data, size))
			load_once(&r, true);
		else if (pvh_probe(data, size))
			load_once(&r, false);
		return 0;
	}
	if (how == BZIMAGE || how == BOTH)
		load_once(&r, true);
	if (how == PVH || how == BOTH)
		load_once(&r, false);
	return 0;
}
