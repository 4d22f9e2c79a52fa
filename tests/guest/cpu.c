// SPDX-License-Identifier: MIT
/*
 * CPU helpers at CPL3: APIC id, TSC frequency and delays, and the report
 * of unexpected CPU exceptions (start.S turns every exception into a call
 * of guest_fault() at CPL3, so the report itself is not emulated).
 */
#include "guest.h"
#include "cpu.h"

#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01
#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)
#define FALLBACK_TSC_HZ 2000000000ULL

/* KVM's per-vCPU time structure (pvclock ABI). */
struct pvclock_time {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad[2];
};

static uint64_t tsc_freq;
static const char *tsc_source = "";
static struct pvclock_time kvmclock __attribute__((aligned(64)));

uint32_t cpu_apic_id(void)
{
	return cpuid(1, 0).ebx >> 24;
}

/* CPUID 0x15: TSC = crystal * ebx / eax (Intel, when the crystal is known). */
static uint64_t tsc_from_leaf15(void)
{
	struct cpuid_regs r;

	if (cpuid(0, 0).eax < 0x15)
		return 0;
	r = cpuid(0x15, 0);
	if (!r.eax || !r.ebx || !r.ecx)
		return 0;
	return (uint64_t)r.ecx * r.ebx / r.eax;
}

static bool is_kvm(void)
{
	struct cpuid_regs r = cpuid(0x40000000, 0);

	return r.ebx == 0x4b4d564b && r.ecx == 0x564b4d56 && r.edx == 0x4d;
}

/* Hypervisor timing leaf 0x40000010 (VMware convention, also QEMU): kHz. */
static uint64_t tsc_from_hv_leaf(void)
{
	if (!(cpuid(1, 0).ecx & (1u << 31)))
		return 0;
	if (cpuid(0x40000000, 0).eax < 0x40000010)
		return 0;
	return (uint64_t)cpuid(0x40000010, 0).eax * 1000;
}

/*
 * kvmclock gives the TSC -> ns scale exactly: ns = (tsc << shift) * mul
 * >> 32, so Hz = 1e9 * 2^32 / mul, shifted back.
 */
static uint64_t tsc_from_kvmclock(void)
{
	uint64_t hz;
	uint32_t mul;
	int shift;

	if (!is_kvm() ||
	    !(cpuid(0x40000001, 0).eax & KVM_FEATURE_CLOCKSOURCE2))
		return 0;
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uint64_t)(uintptr_t)&kvmclock | 1);
	mul = __atomic_load_n(&kvmclock.tsc_to_system_mul, __ATOMIC_ACQUIRE);
	shift = kvmclock.tsc_shift;
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, 0);
	if (!mul)
		return 0;
	hz = (1000000000ULL << 32) / mul;
	return shift >= 0 ? hz >> shift : hz << -shift;
}

static uint64_t tsc_from_leaf16(void)
{
	if (cpuid(0, 0).eax < 0x16)
		return 0;
	return (uint64_t)(cpuid(0x16, 0).eax & 0xffff) * 1000000;
}

static void tsc_calibrate(void)
{
	static const struct {
		uint64_t (*fn)(void);
		const char *name;
	} sources[] = {
		{ tsc_from_leaf15, "cpuid 0x15" },
		{ tsc_from_hv_leaf, "cpuid 0x40000010" },
		{ tsc_from_kvmclock, "kvmclock" },
		{ tsc_from_leaf16, "cpuid 0x16" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(sources); i++) {
		tsc_freq = sources[i].fn();
		if (tsc_freq) {
			tsc_source = sources[i].name;
			return;
		}
	}
	/* Only timeouts depend on it; they are generous. */
	tsc_freq = FALLBACK_TSC_HZ;
	tsc_source = "assumed";
}

uint64_t tsc_hz(void)
{
	if (!tsc_freq)
		tsc_calibrate();
	return tsc_freq;
}

const char *tsc_hz_source(void)
{
	tsc_hz();
	return tsc_source;
}

uint64_t tsc_deadline_ms(uint64_t ms)
{
	return rdtsc() + ms * (tsc_hz() / 1000);
}

bool tsc_expired(uint64_t deadline)
{
	return (int64_t)(rdtsc() - deadline) >= 0;
}

uint64_t tsc_to_us(uint64_t cycles)
{
	return cycles / (tsc_hz() / 1000000);
}

void udelay(uint64_t us)
{
	uint64_t end = rdtsc() + us * (tsc_hz() / 1000000);

	while (!tsc_expired(end))
		cpu_relax();
}

void mdelay(uint64_t ms)
{
	udelay(ms * 1000);
}

static const char *const exception_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
	"#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

__noreturn void guest_fault(uint64_t vector, uint64_t error, uint64_t rip,
			    uint64_t cr2)
{
	const char *name = vector < 32 ? exception_names[vector] : "?";

	console_break_lock();
	fail("unexpected CPU exception %s (vector %lu) on apic %u: error 0x%lx "
	     "rip 0x%lx cr2 0x%lx",
	     name, (unsigned long)vector, cpu_apic_id(), (unsigned long)error,
	     (unsigned long)rip, (unsigned long)cr2);
	guest_exit(EXIT_EXCEPTION);
}
