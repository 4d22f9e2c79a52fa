// SPDX-License-Identifier: MIT
/*
 * The memtest scenario and the pattern code behind it: every page of the
 * e820 RAM above 1 MiB, except the guest's own image (code, data, stacks,
 * page tables), gets one word that depends on its address; then all of
 * them are read back. RAM above 4 GiB is mapped first. CPL3, BSP.
 */
#include "guest.h"
#include "cpu.h"
#include "layout.h"
#include "memtest.h"
#include "pvh.h"
#include "scenarios.h"

#define E820_RAM 1
#define SZ_1M (1ULL << 20)
#define SZ_4G (1ULL << 32)
#define MAX_RANGES (PVH_MAX_MEMMAP + 1) /* the image splits one range */
#define GOLDEN 0x9e3779b97f4a7c15ULL    /* 2^64 / phi: spreads the bits */

struct range {
	uint64_t start, end;
};

extern char __image_end[];

uint64_t memtest_pattern(uint64_t addr, uint64_t seed)
{
	uint64_t x = (addr ^ seed) * GOLDEN;

	/* Never 0: a page that reads back zero (fresh or lost) must fail. */
	return (x ^ (x >> 29)) | 1;
}

void memtest_fill(uint64_t start, uint64_t end, uint64_t seed)
{
	for (uint64_t a = start; a < end; a += MEMTEST_STRIDE)
		*(volatile uint64_t *)(uintptr_t)a = memtest_pattern(a, seed);
}

uint64_t memtest_verify(uint64_t start, uint64_t end, uint64_t seed,
			uint64_t *first_bad)
{
	uint64_t bad = 0;

	for (uint64_t a = start; a < end; a += MEMTEST_STRIDE) {
		if (*(volatile uint64_t *)(uintptr_t)a ==
		    memtest_pattern(a, seed))
			continue;
		if (!bad)
			*first_bad = a;
		bad++;
	}
	return bad;
}

static unsigned int add_range(struct range *r, unsigned int n,
			      uint64_t start, uint64_t end)
{
	start = ALIGN_UP(start, MEMTEST_STRIDE);
	end = ALIGN_DOWN(end, MEMTEST_STRIDE);
	if (start < end && n < MAX_RANGES)
		r[n++] = (struct range){ start, end };
	return n;
}

/* RAM above 1 MiB minus [GUEST_LOAD_ADDR, __image_end). */
static unsigned int collect_ranges(struct range *r)
{
	uint64_t img_start = GUEST_LOAD_ADDR;
	uint64_t img_end = ALIGN_UP((uintptr_t)__image_end, MEMTEST_STRIDE);
	unsigned int n = 0;

	for (unsigned int i = 0; i < pvh.nr_memmap; i++) {
		const struct hvm_memmap_entry *e = &pvh.memmap[i];
		uint64_t start = e->addr, end = e->addr + e->size;

		if (e->type != E820_RAM || end <= SZ_1M)
			continue;
		if (start < SZ_1M)
			start = SZ_1M;
		if (start < img_end && end > img_start) {
			n = add_range(r, n, start, img_start);
			n = add_range(r, n, img_end, end);
		} else {
			n = add_range(r, n, start, end);
		}
	}
	return n;
}

static bool map_high(const struct range *r, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		uint64_t start = r[i].start < SZ_4G ? SZ_4G : r[i].start;

		if (r[i].end > SZ_4G && map_range(start, r[i].end - start)) {
			fail("cannot map 0x%lx-0x%lx", (unsigned long)start,
			     (unsigned long)r[i].end);
			return false;
		}
	}
	return true;
}

static uint64_t parse_seed(void)
{
	uint64_t seed;

	/* A fresh seed per boot, unless the test asks for one. */
	if (cmdline_get_u64("seed", &seed) <= 0)
		seed = rdtsc();
	return seed;
}

int scenario_memtest(void)
{
	static struct range r[MAX_RANGES];
	uint64_t seed = parse_seed(), bytes = 0, bad = 0, first_bad = 0;
	uint64_t t0, t1, t2;
	unsigned int n = collect_ranges(r);

	printf("memtest: image 0x%x-0x%lx excluded, seed 0x%lx\n",
	       GUEST_LOAD_ADDR, (unsigned long)(uintptr_t)__image_end,
	       (unsigned long)seed);
	for (unsigned int i = 0; i < n; i++) {
		printf("memtest: range 0x%016lx-0x%016lx (%lu MiB)\n",
		       (unsigned long)r[i].start, (unsigned long)r[i].end - 1,
		       (unsigned long)((r[i].end - r[i].start) / SZ_1M));
		bytes += r[i].end - r[i].start;
	}
	if (!check(n > 0, "RAM above 1 MiB besides the image") ||
	    !map_high(r, n))
		return EXIT_FAIL;
	t0 = rdtsc();
	for (unsigned int i = 0; i < n; i++)
		memtest_fill(r[i].start, r[i].end, seed);
	t1 = rdtsc();
	for (unsigned int i = 0; i < n; i++) {
		uint64_t fb = 0;
		uint64_t nb = memtest_verify(r[i].start, r[i].end, seed, &fb);

		if (nb && !bad)
			first_bad = fb;
		bad += nb;
	}
	t2 = rdtsc();
	printf("memtest: %lu MiB in %u ranges, %lu pages, fill %lu ms, "
	       "verify %lu ms\n", (unsigned long)(bytes / SZ_1M), n,
	       (unsigned long)(bytes / MEMTEST_STRIDE),
	       (unsigned long)(tsc_to_us(t1 - t0) / 1000),
	       (unsigned long)(tsc_to_us(t2 - t1) / 1000));
	if (bad) {
		uint64_t got = *(volatile uint64_t *)(uintptr_t)first_bad;

		printf("memtest: first bad page at 0x%lx holds 0x%lx\n",
		       (unsigned long)first_bad, (unsigned long)got);
	}
	check(bad == 0, "%lu of %lu pages read back their pattern",
	      (unsigned long)(bytes / MEMTEST_STRIDE - bad),
	      (unsigned long)(bytes / MEMTEST_STRIDE));
	return EXIT_PASS;
}
