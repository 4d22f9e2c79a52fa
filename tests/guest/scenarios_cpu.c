// SPDX-License-Identifier: MIT
/*
 * Self-checks of the guest's own CPU plumbing: the CPL0 service (and what
 * one round trip costs, i.e. how slow CPL0 is on this host), map_range()
 * above 4 GiB, and the exception reporter ("fault" ends with FAIL and
 * exit code 3 on purpose).
 */
#include "guest.h"
#include "cpu.h"
#include "scenarios.h"

#define MSR_APIC_BASE 0x1b
#define SVC_ROUNDS 1000
#define SZ_1G (1ULL << 30)
#define SZ_2M (1ULL << 21)

static void check_svc(void)
{
	uint64_t t0, us;
	bool ok = true;

	for (int i = 0; i < SVC_ROUNDS; i++) {
		if (svc_call(SVC_NOP, 0, 0) != SVC_NOP_MAGIC)
			ok = false;
	}
	t0 = rdtsc();
	for (int i = 0; i < SVC_ROUNDS; i++)
		svc_call(SVC_NOP, 0, 0);
	us = tsc_to_us(rdtsc() - t0);
	check(ok, "CPL0 service round trip");
	printf("selftest: %u service calls in %lu us (%lu ns each)\n",
	       SVC_ROUNDS, (unsigned long)us,
	       (unsigned long)(us * 1000 / SVC_ROUNDS));
	check(svc_call(SVC_COUNT, 0, 0) == (uint64_t)-1,
	      "unknown service number returns -1");
}

static void check_msr(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	check((base & ~0xfffULL) == lapic_base && (base & (1 << 11)),
	      "APIC base MSR 0x%lx (enabled, at 0x%lx)", (unsigned long)base,
	      (unsigned long)lapic_base);
}

/*
 * Maps ranges beyond RAM and reads them: nothing is there, so the reads
 * exit to the VMM as MMIO, but they must not fault. 1 GiB-aligned ranges
 * get 1 GiB pages, the unaligned one 2 MiB pages.
 */
static void check_map_range(void)
{
	unsigned int bits = cpu_phys_bits();
	uint64_t top = 1ULL << (bits < 47 ? bits : 47);
	uint64_t gb = 64 * SZ_1G < top ? 64 * SZ_1G : 4 * SZ_1G;
	uint64_t odd = gb + 3 * SZ_1G + 5 * SZ_2M;
	unsigned int pool = pt_pool_free();

	printf("selftest: %u physical address bits, %u spare page tables\n",
	       bits, pool);
	check(!is_mapped(gb), "0x%lx is not mapped yet", (unsigned long)gb);
	check(map_range(gb, 2 * SZ_1G) == 0, "map_range(0x%lx, 2 GiB)",
	      (unsigned long)gb);
	check(map_range(odd, 3 * SZ_2M) == 0, "map_range(0x%lx, 6 MiB)",
	      (unsigned long)odd);
	check(is_mapped(gb) && is_mapped(gb + 2 * SZ_1G - 1) &&
		      is_mapped(odd + 2 * SZ_2M) && !is_mapped(odd + 3 * SZ_2M),
	      "is_mapped agrees with what was mapped");
	(void)*(volatile uint32_t *)(uintptr_t)(gb + SZ_1G + 0x1000);
	(void)*(volatile uint32_t *)(uintptr_t)(odd + 2 * SZ_2M);
	pass("reads of the new mappings did not fault (%u tables used)",
	     pool - pt_pool_free());
	check(map_range(top, SZ_2M) != 0,
	      "map_range beyond the physical address width fails");
}

int scenario_selftest(void)
{
	printf("selftest: TSC %lu kHz (%s)\n", (unsigned long)(tsc_hz() / 1000),
	       tsc_hz_source());
	check_svc();
	check_msr();
	check_map_range();
	return EXIT_PASS;
}

int scenario_fault(void)
{
	printf("fault: reading a non-canonical address (expect #GP)\n");
	(void)*(volatile uint64_t *)0x8000000000000000ULL;
	fail("no exception");
	return EXIT_FAIL;
}
