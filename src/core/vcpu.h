// SPDX-License-Identifier: MIT
/*
 * vCPUs: one thread each, running KVM_RUN and dispatching exits to the
 * buses with the device-model lock held. The main thread parks and resumes
 * them (vm_pause / vm_resume) through a kick: immediate_exit plus a signal,
 * which also covers a kick that lands just before KVM_RUN is entered.
 */
#ifndef FLEXVM_CORE_VCPU_H
#define FLEXVM_CORE_VCPU_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>
#include <linux/kvm.h>

#include "util/compiler.h"
#include "util/error.h"

struct vm;

struct vcpu {
	struct vm *vm;
	unsigned index;		/* also the APIC id */
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool thread_started;
	pid_t tid;		/* dm_lock: host thread id, once started */
	bool parked;		/* dm_lock: thread waits in vcpu_park */
	bool stop;		/* dm_lock: thread must return */

	/* Power-on state captured at creation, restored on reset. */
	struct kvm_regs reset_regs;
	struct kvm_sregs reset_sregs;
	struct kvm_fpu reset_fpu;
	struct kvm_lapic_state reset_lapic;
};

/* Creates vCPU @index: fd, kvm_run mapping, CPUID, power-on snapshot. */
struct vcpu *vcpu_create(struct vm *vm, unsigned index, struct error *err);
void vcpu_destroy(struct vcpu *vcpu);

/*
 * Starts the thread (dm_lock held); it parks at once if the VM is paused.
 * Returns once the thread runs, so @tid is known (QMP query-cpus-fast).
 */
int vcpu_start(struct vcpu *vcpu) __must_check;

/* Makes a running KVM_RUN return soon (dm_lock held). */
void vcpu_kick(struct vcpu *vcpu);

/*
 * vcpu_reset - back to the power-on state: registers, FPU, LAPIC, MSRs,
 * MP state (the BSP runnable, APs waiting for INIT/SIPI). The vCPU must be
 * parked. The boot CPU's entry state is set afterwards by cpu_setup.
 */
int vcpu_reset(struct vcpu *vcpu) __must_check;

/* Installs the kick signal handler; once per process. */
void vcpu_init_signals(void);

#endif
