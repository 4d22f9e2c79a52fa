// SPDX-License-Identifier: MIT
/*
 * The smp scenario: start every enabled CPU of the MP table with
 * INIT-SIPI-SIPI (the ICR is written through the CPL0 service), one at a
 * time through the shared boot_slot, and wait for each to check in at CPL3
 * by incrementing a shared counter with a locked instruction.
 */
#include "guest.h"
#include "cpu.h"
#include "mptable.h"
#include "scenarios.h"

#define APIC_ID 0x20
#define APIC_SVR 0xf0
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define SVR_ENABLE 0x100
#define SPURIOUS_VECTOR 0xff
#define ICR_INIT 0x00000500
#define ICR_STARTUP 0x00000600
#define ICR_BUSY 0x00001000
#define ICR_ASSERT 0x00004000

/*
 * Real mode, the mode switches and CPL0 setup are all emulated, so be
 * generous; a healthy AP checks in within milliseconds.
 */
#define SMP_TIMEOUT_MS 20000

static unsigned int cpus_online; /* incremented by each CPU that arrives */
static uint32_t cpu_apic[MAX_CPUS];
/* Work for the first AP (smp_run_on_ap), taken by it when it is idle. */
static void (*ap_fn)(void *);
static void *ap_arg;
static bool ap_started;

void smp_ap_main(uint64_t cpu);

/* Entered at CPL3 on each AP (start.S cpl3_ap_entry); never returns. */
void smp_ap_main(uint64_t cpu)
{
	cpu_apic[cpu] = cpu_apic_id();
	__atomic_fetch_add(&cpus_online, 1, __ATOMIC_SEQ_CST); /* lock xadd */
	for (;;) {
		void (*fn)(void *) = NULL;

		if (cpu == 1)
			fn = __atomic_exchange_n(&ap_fn, NULL,
						 __ATOMIC_ACQ_REL);
		if (fn)
			fn(ap_arg);
		cpu_relax();
	}
}

static bool icr_idle(void)
{
	for (int i = 0; i < 1000; i++) {
		if (!(apic_read(APIC_ICR_LO) & ICR_BUSY))
			return true;
		cpu_relax();
	}
	return false;
}

static void send_ipi(uint8_t apic_id, uint32_t icr)
{
	icr_idle();
	apic_write(APIC_ICR_HI, (uint32_t)apic_id << 24);
	apic_write(APIC_ICR_LO, icr); /* the low half sends it */
	icr_idle();
}

static bool wait_online(unsigned int n, uint64_t deadline)
{
	while (__atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE) < n) {
		if (tsc_expired(deadline))
			return false;
		cpu_relax();
	}
	return true;
}

/* INIT, 10 ms, SIPI, 200 us, SIPI (MP spec B.4), then wait to check in. */
static bool start_ap(unsigned int idx, uint8_t apic_id, uint64_t deadline)
{
	uint32_t sipi = ICR_STARTUP | ICR_ASSERT | (AP_TRAMPOLINE_ADDR >> 12);

	boot_slot = (struct boot_slot){
		.cpu = idx,
		.rip = (uintptr_t)cpl3_ap_entry,
		.rsp = (uintptr_t)ap_stacks + (idx + 1) * USER_STACK_SIZE,
		.arg = idx,
	};
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	send_ipi(apic_id, ICR_INIT | ICR_ASSERT);
	mdelay(10);
	send_ipi(apic_id, sipi);
	udelay(200);
	/* A CPU that already left wait-for-SIPI ignores the second one. */
	send_ipi(apic_id, sipi);
	return wait_online(idx + 1, deadline);
}

static void prepare(const struct mp_info *mp)
{
	if (mp->lapic_base)
		lapic_base = mp->lapic_base;
	/* Software-enable our local APIC before it sends IPIs. */
	apic_write(APIC_SVR,
		   apic_read(APIC_SVR) | SVR_ENABLE | SPURIOUS_VECTOR);
	memcpy((void *)AP_TRAMPOLINE_ADDR, ap_trampoline_start,
	       (size_t)(ap_trampoline_end - ap_trampoline_start));
}

/* Starts the APs one by one; returns how many CPUs are online. */
static unsigned int boot_aps(const struct mp_info *mp, uint64_t deadline)
{
	uint32_t self = cpu_apic_id();
	unsigned int idx = 1;

	cpu_apic[0] = self;
	__atomic_store_n(&cpus_online, 1, __ATOMIC_RELEASE);
	printf("cpu %u online\n", self);
	for (unsigned int i = 0; i < mp->nr_cpus; i++) {
		uint8_t id = mp->cpu[i].apic_id;

		if (id == self)
			continue;
		if (!start_ap(idx, id, deadline)) {
			fail("cpu %u did not check in within %u ms", id,
			     SMP_TIMEOUT_MS);
			break; /* it might still read boot_slot: stop here */
		}
		printf("cpu %u online\n", cpu_apic[idx]);
		check(cpu_apic[idx] == id, "cpu %u reports apic id %u",
		      id, cpu_apic[idx]);
		idx++;
	}
	return __atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE);
}

/* Starts the first AP of the MP table once; true if it checked in. */
static bool start_first_ap(void)
{
	uint32_t self = cpu_apic_id();
	struct mp_info mp;

	if (ap_started)
		return true;
	if (mptable_find(&mp))
		return false;
	prepare(&mp);
	cpu_apic[0] = self;
	__atomic_store_n(&cpus_online, 1, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < mp.nr_cpus; i++) {
		if (mp.cpu[i].apic_id == self)
			continue;
		ap_started = start_ap(1, mp.cpu[i].apic_id,
				      tsc_deadline_ms(SMP_TIMEOUT_MS));
		break;
	}
	return ap_started;
}

int smp_run_on_ap(void (*fn)(void *), void *arg)
{
	if (!start_first_ap())
		return -1;
	while (__atomic_load_n(&ap_fn, __ATOMIC_ACQUIRE))
		cpu_relax(); /* the previous work was not taken yet */
	ap_arg = arg;
	__atomic_store_n(&ap_fn, fn, __ATOMIC_RELEASE);
	return 0;
}

int scenario_smp(void)
{
	struct mp_info mp;
	uint64_t want = 0, t0;
	unsigned int online;
	int have_want = cmdline_get_u64("cpus", &want);
	const char *err;

	if (have_want < 0) {
		fail("bad cpus= value '%s'", cmdline_get("cpus"));
		return EXIT_USAGE;
	}
	err = mptable_find(&mp);
	if (!check(!err, "MP table %s", err ? err : "found"))
		return EXIT_FAIL;
	printf("smp: MP floating pointer at 0x%lx, table at 0x%lx, "
	       "%u entries, %u CPUs, LAPIC at 0x%x\n",
	       (unsigned long)mp.fp_addr, (unsigned long)mp.table_addr,
	       mp.nr_entries, mp.nr_cpus, mp.lapic_base);
	printf("smp: TSC %lu kHz (%s)\n", (unsigned long)(tsc_hz() / 1000),
	       tsc_hz_source());
	if (have_want)
		check(mp.nr_cpus == want, "MP table lists %u CPUs (expected %lu)",
		      mp.nr_cpus, (unsigned long)want);
	if (mp.nr_listed > MAX_CPUS)
		fail("MP table lists %u CPUs, the guest supports %u",
		     mp.nr_listed, MAX_CPUS);
	prepare(&mp);
	t0 = rdtsc();
	online = boot_aps(&mp, tsc_deadline_ms(SMP_TIMEOUT_MS));
	check(online == mp.nr_cpus, "%u of %u CPUs checked in (%lu ms)", online,
	      mp.nr_cpus, (unsigned long)(tsc_to_us(rdtsc() - t0) / 1000));
	return EXIT_PASS;
}
