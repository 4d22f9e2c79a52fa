// SPDX-License-Identifier: MIT
/*
 * x86 vCPU state: CPUID with the machine's topology, the MSRs a BIOS would
 * leave behind, LAPIC virtual-wire mode, and the register state each boot
 * path enters with. The cpu_*_build/patch functions are pure (unit tested);
 * cpu_setup_* apply them to a vCPU fd. Main thread, vCPUs not running.
 */
#ifndef FLEXVM_BOOT_CPU_SETUP_H
#define FLEXVM_BOOT_CPU_SETUP_H

#include <stdint.h>
#include <linux/kvm.h>

#include "boot/boot.h"
#include "util/compiler.h"

/*
 * cpu_cpuid_patch - turn KVM's supported CPUID into vCPU @index's view of
 * an @nr_cpus-CPU machine: APIC ids, logical counts, x2APIC topology
 * leaves, the hypervisor bit.
 */
void cpu_cpuid_patch(struct kvm_cpuid2 *cpuid, unsigned index,
		     unsigned nr_cpus);

/* Guest physical address width from CPUID 0x80000008 (36 if absent). */
unsigned cpu_phys_bits(const struct kvm_cpuid2 *cpuid);

/* Segment and control registers for @bi's entry mode, on top of @sregs. */
void cpu_boot_sregs_build(const struct boot_info *bi, struct kvm_sregs *sregs);
/* General registers for @bi's entry mode. */
void cpu_boot_regs_build(const struct boot_info *bi, struct kvm_regs *regs);

/* KVM_GET_SUPPORTED_CPUID on the /dev/kvm fd; NULL on failure. */
struct kvm_cpuid2 *cpu_supported_cpuid(int kvm_fd);

int cpu_setup_cpuid(int vcpu_fd, const struct kvm_cpuid2 *supported,
		    unsigned index, unsigned nr_cpus) __must_check;
int cpu_setup_msrs(int vcpu_fd) __must_check;
int cpu_setup_lapic(int vcpu_fd) __must_check;
/* Enter @bi (whose GDT boot_load wrote): regs, sregs, FPU. */
int cpu_setup_boot(int vcpu_fd, const struct boot_info *bi) __must_check;

#endif
