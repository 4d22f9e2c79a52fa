// SPDX-License-Identifier: MIT
/*
 * map_range(): extends the identity map from CPL3 by writing the page
 * tables directly (they are user-accessible and writable, like all guest
 * memory). Uses 1 GiB pages where the CPU has them and the range allows,
 * else 2 MiB pages; new tables come from a fixed pool (start.S .noinit).
 */
#include "guest.h"
#include "cpu.h"

#define PTE_P 0x001ULL
#define PTE_W 0x002ULL
#define PTE_U 0x004ULL
#define PTE_PWT 0x008ULL
#define PTE_PCD 0x010ULL
#define PTE_PS 0x080ULL
#define PTE_ADDR_MASK 0x000ffffffffff000ULL
#define PTE_TABLE (PTE_P | PTE_W | PTE_U)

#define SZ_2M (1ULL << 21)
#define SZ_1G (1ULL << 30)
#define VA_BITS 48 /* 4-level paging */

extern uint64_t pml4[512];
extern char pt_pool[], pt_pool_end[];

static char *pool_next = pt_pool;

unsigned int cpu_phys_bits(void)
{
	if (cpuid(0x80000000, 0).eax < 0x80000008)
		return 36;
	return cpuid(0x80000008, 0).eax & 0xff;
}

static bool has_1g_pages(void)
{
	return cpuid(0x80000001, 0).edx & (1u << 26);
}

unsigned int pt_pool_free(void)
{
	return (unsigned int)((pt_pool_end - pool_next) / 4096);
}

static uint64_t *pt_alloc(void)
{
	char *page;

	if (pool_next >= pt_pool_end)
		return NULL;
	page = pool_next;
	pool_next += 4096;
	memset(page, 0, 4096);
	return (uint64_t *)page;
}

static uint64_t *table_of(uint64_t entry)
{
	return (uint64_t *)(uintptr_t)(entry & PTE_ADDR_MASK);
}

/* Next-level table behind *entry, allocating it if absent. */
static uint64_t *next_table(uint64_t *entry)
{
	uint64_t *t;

	if (*entry & PTE_P)
		return table_of(*entry);
	t = pt_alloc();
	if (t)
		*entry = (uint64_t)(uintptr_t)t | PTE_TABLE;
	return t;
}

/*
 * Maps [gpa, gpa + len) rounded out to 2 MiB. Entries that are already
 * present are left alone: everything is identity mapped, so a present
 * entry already maps the right address. Returns 0, or -1 if the range is
 * beyond the physical address width or the pool ran out.
 */
int map_range_flags(uint64_t gpa, uint64_t size, unsigned int flags)
{
	uint64_t attr = PTE_P | PTE_W | PTE_U | PTE_PS;
	uint64_t addr = ALIGN_DOWN(gpa, SZ_2M);
	uint64_t end = ALIGN_UP(gpa + size, SZ_2M);
	bool gb = has_1g_pages();
	unsigned int bits = cpu_phys_bits();

	if (bits > VA_BITS - 1)
		bits = VA_BITS - 1; /* stay in the lower canonical half */
	if (end < addr || end > (1ULL << bits))
		return -1;
	if (flags & MAP_UNCACHED)
		attr |= PTE_PCD | PTE_PWT;
	while (addr < end) {
		uint64_t *pdpt = next_table(&pml4[(addr >> 39) & 511]);
		uint64_t *pdpte, *pd;

		if (!pdpt)
			return -1;
		pdpte = &pdpt[(addr >> 30) & 511];
		if ((*pdpte & (PTE_P | PTE_PS)) == (PTE_P | PTE_PS)) {
			addr = ALIGN_DOWN(addr, SZ_1G) + SZ_1G;
			continue;
		}
		if (gb && !(*pdpte & PTE_P) && !(addr & (SZ_1G - 1)) &&
		    end - addr >= SZ_1G) {
			*pdpte = addr | attr;
			addr += SZ_1G;
			continue;
		}
		pd = next_table(pdpte);
		if (!pd)
			return -1;
		if (!(pd[(addr >> 21) & 511] & PTE_P))
			pd[(addr >> 21) & 511] = addr | attr;
		addr += SZ_2M;
	}
	/* Not needed for not-present -> present on x86, but cheap and safe. */
	flush_tlb();
	return 0;
}

int map_range(uint64_t gpa, uint64_t size)
{
	return map_range_flags(gpa, size, 0);
}

/* Whether gpa is covered by the page tables (2 MiB or 1 GiB pages). */
bool is_mapped(uint64_t gpa)
{
	uint64_t e = pml4[(gpa >> 39) & 511];

	if (gpa >> VA_BITS || !(e & PTE_P))
		return false;
	e = table_of(e)[(gpa >> 30) & 511];
	if (!(e & PTE_P))
		return false;
	if (e & PTE_PS)
		return true;
	return table_of(e)[(gpa >> 21) & 511] & PTE_P;
}
