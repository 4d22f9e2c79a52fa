// SPDX-License-Identifier: MIT
/*
 * vCPU threads. Each runs KVM_RUN outside the device-model lock and takes
 * the lock to dispatch an exit or to park. Parking is how the main thread
 * gets every vCPU out of the guest (pause, reset, exit): it sets
 * vm->pause_requested, kicks, and waits on vm->vcpu_cond until all are
 * parked.
 */
#include "core/vcpu.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "boot/cpu_setup.h"
#include "core/sandbox.h"
#include "core/vm.h"
#include "util/log.h"

/* The kick signal, as QEMU's SIG_IPI. */
#define SIG_KICK SIGUSR1

static void kick_handler(int sig)
{
	(void)sig;	/* its only job is to interrupt KVM_RUN */
}

void vcpu_init_signals(void)
{
	struct sigaction sa = { .sa_handler = kick_handler };

	sigemptyset(&sa.sa_mask);
	sigaction(SIG_KICK, &sa, NULL);
}

static int vcpu_snapshot_power_on(struct vcpu *v)
{
	if (ioctl(v->fd, KVM_GET_REGS, &v->reset_regs) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &v->reset_sregs) < 0 ||
	    ioctl(v->fd, KVM_GET_FPU, &v->reset_fpu) < 0 ||
	    ioctl(v->fd, KVM_GET_LAPIC, &v->reset_lapic) < 0)
		return -errno;
	return 0;
}

static int vcpu_configure(struct vcpu *v)
{
	struct vm *vm = v->vm;
	int ret;

	ret = cpu_setup_cpuid(v->fd, vm->cpuid, v->index, vm->nr_vcpus);
	if (!ret)
		ret = cpu_setup_msrs(v->fd);
	if (!ret)
		ret = cpu_setup_lapic(v->fd);
	if (!ret)
		ret = vcpu_snapshot_power_on(v);
	return ret;
}

struct vcpu *vcpu_create(struct vm *vm, unsigned index, struct error *err)
{
	struct vcpu *v = calloc(1, sizeof(*v));
	int ret;

	if (!v) {
		error_setg(err, "out of memory");
		return NULL;
	}
	v->vm = vm;
	v->index = index;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)index);
	if (v->fd < 0) {
		error_setg_errno(err, errno, "kvm_init_vcpu: KVM_CREATE_VCPU "
				 "failed (cpu %u)", index);
		free(v);
		return NULL;
	}
	v->run = mmap(NULL, (size_t)vm->vcpu_mmap_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		error_setg_errno(err, errno, "cannot map kvm_run of cpu %u",
				 index);
		close(v->fd);
		free(v);
		return NULL;
	}
	ret = vcpu_configure(v);
	if (ret) {
		error_setg_errno(err, -ret, "cannot set up cpu %u", index);
		vcpu_destroy(v);
		return NULL;
	}
	return v;
}

void vcpu_destroy(struct vcpu *v)
{
	if (!v)
		return;
	munmap(v->run, (size_t)v->vm->vcpu_mmap_size);
	close(v->fd);
	free(v);
}

int vcpu_reset(struct vcpu *v)
{
	struct kvm_mp_state mp = {
		/* With an in-kernel LAPIC, APs wait for INIT/SIPI. */
		.mp_state = v->index == 0 ? KVM_MP_STATE_RUNNABLE
					  : KVM_MP_STATE_UNINITIALIZED,
	};
	struct kvm_vcpu_events events;

	memset(&events, 0, sizeof(events));
	if (ioctl(v->fd, KVM_SET_REGS, &v->reset_regs) < 0 ||
	    ioctl(v->fd, KVM_SET_SREGS, &v->reset_sregs) < 0 ||
	    ioctl(v->fd, KVM_SET_FPU, &v->reset_fpu) < 0 ||
	    ioctl(v->fd, KVM_SET_LAPIC, &v->reset_lapic) < 0 ||
	    ioctl(v->fd, KVM_SET_VCPU_EVENTS, &events) < 0 ||
	    ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0)
		return -errno;
	return cpu_setup_msrs(v->fd);
}

void vcpu_kick(struct vcpu *v)
{
	/* immediate_exit covers a kick that lands before KVM_RUN starts;
	 * the signal covers a vCPU already inside it. */
	v->run->immediate_exit = 1;
	if (v->thread_started)
		pthread_kill(v->thread, SIG_KICK);
}

static void vcpu_handle_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	struct vm *vm = v->vm;

	/* String I/O (rep ins/outs) arrives as count back-to-back items. */
	for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size) {
		bool hit;

		if (run->io.direction == KVM_EXIT_IO_OUT)
			hit = bus_write(&vm->pio, run->io.port, data,
					run->io.size);
		else
			hit = bus_read(&vm->pio, run->io.port, data,
				       run->io.size);
		if (!hit)
			log_debug("cpu %u: unassigned port %#x %s", v->index,
				  run->io.port,
				  run->io.direction ? "write" : "read");
	}
}

static void vcpu_handle_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	struct vm *vm = v->vm;
	unsigned len = MIN(run->mmio.len, (uint32_t)sizeof(run->mmio.data));
	bool hit;

	if (run->mmio.is_write)
		hit = bus_write(&vm->mmio, run->mmio.phys_addr, run->mmio.data,
				len);
	else
		hit = bus_read(&vm->mmio, run->mmio.phys_addr, run->mmio.data,
			       len);
	if (!hit)
		log_ratelimited(&vm->unassigned_rl,
				"cpu %u: guest %s of %u bytes at unassigned "
				"address %#llx", v->index,
				run->mmio.is_write ? "write" : "read", len,
				(unsigned long long)run->mmio.phys_addr);
}

static void vcpu_report_failure(struct vcpu *v, const char *what)
{
	struct kvm_regs regs;

	if (ioctl(v->fd, KVM_GET_REGS, &regs) == 0)
		log_error("%s on cpu %u: RIP=%#llx RSP=%#llx RFLAGS=%#llx",
			  what, v->index, (unsigned long long)regs.rip,
			  (unsigned long long)regs.rsp,
			  (unsigned long long)regs.rflags);
	else
		log_error("%s on cpu %u", what, v->index);
}

/* Handles one exit with dm_lock held. Returns false to stop the thread. */
static bool vcpu_dispatch(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	struct vm *vm = v->vm;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		vcpu_handle_io(v);
		return true;
	case KVM_EXIT_MMIO:
		vcpu_handle_mmio(v);
		return true;
	case KVM_EXIT_INTR:
	case KVM_EXIT_HLT:
		return true;
	case KVM_EXIT_SHUTDOWN:	/* triple fault: a PC resets */
		vm_request_reset(vm);
		return true;
	case KVM_EXIT_SYSTEM_EVENT:
		if (run->system_event.type == KVM_SYSTEM_EVENT_RESET)
			vm_request_reset(vm);
		else
			vm_request_exit(vm, 0);
		return true;
	case KVM_EXIT_INTERNAL_ERROR:
		log_error("KVM internal error. Suberror: %u",
			  run->internal.suberror);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		log_error("KVM: entry failed, hardware error %#llx",
			  (unsigned long long)
			  run->fail_entry.hardware_entry_failure_reason);
		break;
	default:
		log_error("KVM: unexpected exit reason %u", run->exit_reason);
		break;
	}
	vcpu_report_failure(v, "guest stopped");
	vm_request_exit(vm, 1);
	return false;
}

/* Parks while the VM is paused; dm_lock held. False: the thread ends. */
static bool vcpu_wait_runnable(struct vcpu *v)
{
	struct vm *vm = v->vm;

	while ((vm->pause_requested || vm->runstate != RUNSTATE_RUNNING) &&
	       !v->stop) {
		v->parked = true;
		pthread_cond_broadcast(&vm->vcpu_cond);
		pthread_cond_wait(&vm->vcpu_cond, &vm->dm_lock);
	}
	v->parked = false;
	if (v->stop)
		return false;
	/* Cleared under the lock, so a concurrent kick cannot be lost. */
	v->run->immediate_exit = 0;
	return true;
}

/* The vCPU allow-list, unless -sandbox off. False: the thread must end. */
static bool vcpu_sandbox(struct vcpu *v)
{
	struct error err = { 0 };

	if (!v->vm->cfg->sandbox || !sandbox_apply(SANDBOX_VCPU, &err))
		return true;
	log_error("cpu %u: %s", v->index, err.msg);
	vm_request_exit(v->vm, 1);
	return false;
}

static void *vcpu_thread(void *opaque)
{
	struct vcpu *v = opaque;
	struct vm *vm = v->vm;
	bool may_run;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIG_KICK);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	/* Before the first KVM_RUN: no guest code runs unfiltered. */
	may_run = vcpu_sandbox(v);

	pthread_mutex_lock(&vm->dm_lock);
	v->tid = gettid();
	pthread_cond_broadcast(&vm->vcpu_cond);	/* vcpu_start waits for it */
	while (may_run && vcpu_wait_runnable(v)) {
		int ret;

		pthread_mutex_unlock(&vm->dm_lock);
		ret = ioctl(v->fd, KVM_RUN, 0);
		pthread_mutex_lock(&vm->dm_lock);
		if (ret < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (ret < 0) {
			log_error("KVM_RUN failed on cpu %u: %s", v->index,
				  strerror(errno));
			vm_request_exit(vm, 1);
			break;
		}
		if (!vcpu_dispatch(v))
			break;
	}
	v->parked = true;	/* a finished thread counts as parked */
	pthread_cond_broadcast(&vm->vcpu_cond);
	pthread_mutex_unlock(&vm->dm_lock);
	return NULL;
}

int vcpu_start(struct vcpu *v)
{
	char name[16];
	sigset_t set, old;
	int ret;

	/* The thread starts with SIG_KICK blocked and unblocks it itself, so
	 * the main thread (which keeps it blocked) never takes a kick. */
	sigemptyset(&set);
	sigaddset(&set, SIG_KICK);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	ret = pthread_create(&v->thread, NULL, vcpu_thread, v);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		return -ret;
	v->thread_started = true;
	snprintf(name, sizeof(name), "CPU %u/KVM", v->index);
	pthread_setname_np(v->thread, name);
	while (!v->tid)
		pthread_cond_wait(&v->vm->vcpu_cond, &v->vm->dm_lock);
	return 0;
}
