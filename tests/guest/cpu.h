// SPDX-License-Identifier: MIT
/*
 * CPU-level helpers for CPL3 code: the CPL0 service (layout.h), CPUID,
 * TSC timing, map_range() for the user-accessible page tables, and the
 * boot slot that tells start.S how to bring the next CPU to CPL3.
 */
#ifndef GUEST_CPU_H
#define GUEST_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include "layout.h"

/* Read by start.S (SLOT_* offsets) when a CPU enters long mode. */
struct boot_slot {
	uint64_t cpu;      /* index: selects TSS and CPL0 stack */
	uint64_t rip;      /* CPL3 entry */
	uint64_t rsp;      /* CPL3 stack */
	uint64_t arg;      /* passed in rdi */
};

extern struct boot_slot boot_slot;
extern uint64_t lapic_base; /* used by SVC_APIC_READ/WRITE */
extern char ap_stacks[], ap_trampoline_start[], ap_trampoline_end[];
extern char cpl3_ap_entry[];

static inline uint64_t svc_call(uint64_t nr, uint64_t a0, uint64_t a1)
{
	uint64_t ret;

	__asm__ volatile("ud1 %%eax, %%eax"
			 : "=a"(ret)
			 : "0"(nr), "D"(a0), "S"(a1)
			 : "rcx", "rdx", "memory");
	return ret;
}

static inline uint32_t apic_read(uint32_t reg)
{
	return (uint32_t)svc_call(SVC_APIC_READ, reg, 0);
}

static inline void apic_write(uint32_t reg, uint32_t val)
{
	svc_call(SVC_APIC_WRITE, reg, val);
}

static inline uint64_t rdmsr(uint32_t msr)
{
	return svc_call(SVC_RDMSR, msr, 0);
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	svc_call(SVC_WRMSR, msr, val);
}

static inline void flush_tlb(void)
{
	svc_call(SVC_FLUSH_TLB, 0, 0);
}

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

/*
 * CPUID as the VMM configured it. Under PVM, CPUID at CPL3 is not
 * intercepted: it runs natively and reports the *host's* CPU (features,
 * APIC ids of host CPUs). At CPL0 it is emulated from the VMM's table,
 * so ask the CPL0 service (about 25 us per call here).
 */
static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	__asm__ volatile("ud1 %%eax, %%eax"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "0"((uint64_t)SVC_CPUID), "D"((uint64_t)leaf),
			   "S"((uint64_t)subleaf)
			 : "memory");
	return r;
}

/* The CPUID instruction at CPL3: the host's values under PVM. */
static inline struct cpuid_regs cpuid_native(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* cpu.c */
uint32_t cpu_apic_id(void);
uint64_t tsc_hz(void);
const char *tsc_hz_source(void);
uint64_t tsc_deadline_ms(uint64_t ms);
bool tsc_expired(uint64_t deadline);
uint64_t tsc_to_us(uint64_t cycles);
void udelay(uint64_t us);
void mdelay(uint64_t ms);
__noreturn void guest_fault(uint64_t vector, uint64_t error, uint64_t rip,
			    uint64_t cr2);

/*
 * smp.c: runs @fn(@arg) at CPL3 on the first AP of the MP table, started
 * on first use; @fn returns when the caller tells it to (through @arg),
 * and the AP then waits for the next call. Returns 0, or -1 if no AP
 * checked in. Not for the smp scenario, which starts every AP itself.
 */
int smp_run_on_ap(void (*fn)(void *), void *arg);

/* paging.c */
#define MAP_UNCACHED 1 /* PCD|PWT, for MMIO on real hardware */
int map_range(uint64_t gpa, uint64_t size);
int map_range_flags(uint64_t gpa, uint64_t size, unsigned int flags);
bool is_mapped(uint64_t gpa);
unsigned int pt_pool_free(void);
unsigned int cpu_phys_bits(void);

#endif
