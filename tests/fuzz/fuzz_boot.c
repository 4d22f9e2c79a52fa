// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the bzImage and PVH ELF loaders: the input gives
 * a command line, an initrd and the kernel image, loaded into 32 MiB of
 * guest RAM (one calloc'ed buffer for the whole run: ASan catches a write
 * outside it). A guest_mem filter records every range a loader reaches;
 * a refused image must leave those ranges zero, an accepted one must
 * describe ranges inside RAM. Only the recorded ranges are zeroed again
 * after each load, so an input costs what the loader touched, not 32 MiB.
 * Single-threaded; also run by replay.c over the seed corpus.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/bzimage.h"
#include "boot/pvh.h"
#include "mem/guest_mem.h"
#include "mem/memmap.h"
#include "util/log.h"

#include "fuzz.h"

/* Fits the seeds' bzImages: 16 MiB pref_address + 8 MiB init_size. */
#define RAM_SIZE (32 * MiB)
#define MAX_TOUCHED 64		/* ranges a load may reach, before "all" */
#define SCAN_EVERY 256		/* loads between two whole-RAM checks */

enum loader { BY_PROBE, BZIMAGE, PVH, BOTH };

struct run {
	struct guest_mem gm;
	struct memmap mm;
	struct boot_payload pl;
};

/* What the loaders reached through guest_mem since the last reset. */
static struct touched {
	uint8_t *ram;
	unsigned nr;
	bool all;		/* more ranges than fit: reset everything */
	struct { uint64_t gpa, len; } r[MAX_TOUCHED];
} touched;

/* The guest_mem filter: allows everything, remembers the range. */
static bool record_access(void *opaque, uint64_t gpa, uint64_t len)
{
	struct touched *t = opaque;

	if (t->nr == MAX_TOUCHED) {
		t->all = true;
		return true;
	}
	t->r[t->nr].gpa = gpa;
	t->r[t->nr].len = len;
	t->nr++;
	return true;
}

/* Every byte a refused load reached must still be zero. */
static void check_untouched(const struct touched *t)
{
	static const uint8_t zero[4096];
	const uint8_t *p, *end;
	size_t n;

	for (unsigned i = 0; i < (t->all ? 1 : t->nr); i++) {
		p = t->ram + (t->all ? 0 : t->r[i].gpa);
		end = t->all ? t->ram + RAM_SIZE : p + t->r[i].len;
		for (; p < end; p += n) {
			n = MIN((size_t)(end - p), sizeof(zero));
			CHECK(!memcmp(p, zero, n));
		}
	}
}

/*
 * Back to all-zero RAM, writing only what the last load reached. A write
 * that bypassed guest_mem (past a pointer it granted) would stay: every
 * SCAN_EVERY resets, all of RAM is checked, at a small amortized cost.
 */
static void reset_touched(struct touched *t)
{
	static const uint8_t zero[4096];
	static unsigned count;

	if (t->all)
		memset(t->ram, 0, RAM_SIZE);
	else
		for (unsigned i = 0; i < t->nr; i++)
			memset(t->ram + t->r[i].gpa, 0, t->r[i].len);
	t->nr = 0;
	t->all = false;
	if (count++ % SCAN_EVERY)
		return;
	for (size_t off = 0; off < RAM_SIZE; off += sizeof(zero)) {
		if (memcmp(t->ram + off, zero, sizeof(zero))) {
			fprintf(stderr, "fuzz_boot: RAM at 0x%zx written "
				"outside guest_mem by one of the last %u "
				"loads\n", off, SCAN_EVERY);
			abort();
		}
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

/* One load into all-zero RAM; @bz picks the loader. */
static void load_once(struct run *r, bool bz)
{
	struct boot_info bi = { 0 };
	struct error err = { 0 };
	int ret;

	if (!touched.ram) {
		touched.ram = calloc(1, RAM_SIZE);
		CHECK(touched.ram);
	}
	memset(&r->gm, 0, sizeof(r->gm));
	CHECK(guest_mem_add(&r->gm, "ram", 0, RAM_SIZE, touched.ram) == 0);
	CHECK(guest_mem_set_filter(&r->gm, 0, record_access, &touched) == 0);
	if (bz)
		ret = bzimage_load(&r->gm, &r->mm, &r->pl, &bi, &err);
	else
		ret = pvh_load(&r->gm, &r->mm, &r->pl, &bi, &err);
	if (ret) {
		CHECK(ret < 0 && error_is_set(&err));
		check_untouched(&touched);
	} else {
		CHECK(!error_is_set(&err));
		check_accepted(&bi, &r->pl);
	}
	reset_touched(&touched);
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

	/* Warnings about bad input are expected: writing them is waste. */
	log_set_level(LOG_ERROR);
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
