// SPDX-License-Identifier: MIT
/*
 * Running the machine: start and park vCPUs, the main loop, machine reset
 * and exit. Requests from vCPU threads (reset, exit) are posted to the main
 * loop, which carries them out with every vCPU parked. Main thread, with
 * dm_lock held, unless a function says otherwise.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "boot/cpu_setup.h"
#include "core/sandbox.h"
#include "core/vcpu.h"
#include "core/vm.h"

/* Power-on state of the in-kernel PIC pair, IOAPIC and PIT. */
struct irqchip_snapshot {
	struct kvm_irqchip chips[3];
	struct kvm_pit_state2 pit;
};

int vm_snapshot_irqchip(struct vm *vm)
{
	struct irqchip_snapshot *snap = calloc(1, sizeof(*snap));

	if (!snap)
		return -ENOMEM;
	for (unsigned i = 0; i < ARRAY_SIZE(snap->chips); i++) {
		snap->chips[i].chip_id = i;	/* PIC master, slave, IOAPIC */
		if (ioctl(vm->vm_fd, KVM_GET_IRQCHIP, &snap->chips[i]) < 0)
			goto fail;
	}
	if (ioctl(vm->vm_fd, KVM_GET_PIT2, &snap->pit) < 0)
		goto fail;
	vm->irqchip_snapshot = snap;
	return 0;
fail:
	free(snap);
	return -errno;
}

static int vm_restore_irqchip(struct vm *vm)
{
	struct irqchip_snapshot *snap = vm->irqchip_snapshot;

	for (unsigned i = 0; i < ARRAY_SIZE(snap->chips); i++)
		if (ioctl(vm->vm_fd, KVM_SET_IRQCHIP, &snap->chips[i]) < 0)
			return -errno;
	if (ioctl(vm->vm_fd, KVM_SET_PIT2, &snap->pit) < 0)
		return -errno;
	return 0;
}

void vm_set_irq(struct vm *vm, unsigned gsi, bool level)
{
	struct kvm_irq_level line = { .irq = gsi, .level = level };

	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &line) < 0)
		log_ratelimited(&vm->unassigned_rl, "KVM_IRQ_LINE %u: %s",
				gsi, strerror(errno));
}

static bool all_vcpus_parked(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		if (v->thread_started && !v->parked)
			return false;
	}
	return true;
}

void vm_pause(struct vm *vm)
{
	vm->pause_requested = true;
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(vm->vcpus[i]);
	/* Waiting releases dm_lock, so a vCPU in the middle of an exit can
	 * finish its dispatch and park. */
	while (!all_vcpus_parked(vm))
		pthread_cond_wait(&vm->vcpu_cond, &vm->dm_lock);
}

void vm_resume(struct vm *vm)
{
	vm->pause_requested = false;
	pthread_cond_broadcast(&vm->vcpu_cond);
}

const char *vm_runstate_name(enum runstate state)
{
	switch (state) {
	case RUNSTATE_PRELAUNCH:
		return "prelaunch";
	case RUNSTATE_RUNNING:
		return "running";
	case RUNSTATE_PAUSED:
		return "paused";
	case RUNSTATE_SHUTDOWN:
		return "shutdown";
	}
	return "running";
}

const char *vm_cause_name(enum vm_cause cause)
{
	static const char *const names[] = {
		[VM_CAUSE_NONE] = "none",
		[VM_CAUSE_HOST_QMP_QUIT] = "host-qmp-quit",
		[VM_CAUSE_HOST_QMP_SYSTEM_RESET] = "host-qmp-system-reset",
		[VM_CAUSE_HOST_SIGNAL] = "host-signal",
		[VM_CAUSE_HOST_UI] = "host-ui",
		[VM_CAUSE_GUEST_SHUTDOWN] = "guest-shutdown",
		[VM_CAUSE_GUEST_RESET] = "guest-reset",
	};

	return names[cause];
}

bool vm_cause_is_guest(enum vm_cause cause)
{
	return cause == VM_CAUSE_GUEST_SHUTDOWN || cause == VM_CAUSE_GUEST_RESET;
}

int vm_add_listener(struct vm *vm, vm_event_fn fn, void *opaque)
{
	if (vm->nr_listeners == ARRAY_SIZE(vm->listeners))
		return -ENOSPC;
	vm->listeners[vm->nr_listeners].fn = fn;
	vm->listeners[vm->nr_listeners].opaque = opaque;
	vm->nr_listeners++;
	return 0;
}

static void vm_emit(struct vm *vm, enum vm_event_kind kind,
		    enum vm_cause cause)
{
	struct vm_event ev = { .kind = kind, .cause = cause,
			       .guest = vm_cause_is_guest(cause) };

	for (unsigned i = 0; i < vm->nr_listeners; i++)
		vm->listeners[i].fn(vm->listeners[i].opaque, &ev);
}

struct size_change {
	struct vm *vm;
	struct vm_event ev;
};

static void do_size_change(void *opaque)
{
	struct size_change *c = opaque;

	for (unsigned i = 0; i < c->vm->nr_listeners; i++)
		c->vm->listeners[i].fn(c->vm->listeners[i].opaque, &c->ev);
	free(c);
}

void vm_emit_memory_size_change(struct vm *vm, const char *id,
				const char *qom_path, uint64_t size)
{
	struct size_change *c = malloc(sizeof(*c));

	if (c)
		*c = (struct size_change){ .vm = vm, .ev = {
			.kind = VM_EVENT_MEMORY_SIZE_CHANGE, .id = id,
			.qom_path = qom_path, .size = size } };
	if (!c || event_loop_post(vm->loop, do_size_change, c)) {
		free(c);
		log_warn("%s: MEMORY_DEVICE_SIZE_CHANGE lost: out of memory",
			 qom_path);
	}
}

void vm_shutdown(struct vm *vm, enum vm_cause cause, int status)
{
	if (vm->runstate == RUNSTATE_SHUTDOWN)
		return;
	vm_emit(vm, VM_EVENT_SHUTDOWN, cause);
	vm->runstate = RUNSTATE_SHUTDOWN;
	event_loop_quit(vm->loop, status);
}

void vm_stop(struct vm *vm)
{
	if (vm->runstate != RUNSTATE_RUNNING)
		return;
	vm->runstate = RUNSTATE_PAUSED;
	vm_pause(vm);	/* returns once no vCPU is in the guest */
	vm->pause_requested = false;
	vm_emit(vm, VM_EVENT_STOP, VM_CAUSE_NONE);
}

void vm_cont(struct vm *vm)
{
	if (vm->runstate != RUNSTATE_PAUSED &&
	    vm->runstate != RUNSTATE_PRELAUNCH)
		return;
	vm->runstate = RUNSTATE_RUNNING;
	pthread_cond_broadcast(&vm->vcpu_cond);
	vm_emit(vm, VM_EVENT_RESUME, VM_CAUSE_NONE);
}

static int vm_reset_machine(struct vm *vm, struct error *err)
{
	int ret = vm_reset_pci(vm, err);

	if (ret)
		return ret;
	for (unsigned i = 0; i < vm->nr_serials; i++)
		serial_8250_reset(&vm->serials[i].uart);
	/* The RTC keeps its time and CMOS across reset, like a real one. */
	i8042_reset(&vm->kbd);
	for (unsigned i = 0; i < vm->nr_vcpus && !ret; i++)
		ret = vcpu_reset(vm->vcpus[i]);
	if (!ret)
		ret = vm_restore_irqchip(vm);
	if (ret) {
		error_setg_errno(err, -ret, "cannot reset the machine");
		return ret;
	}
	return vm_load_boot(vm, err);
}

void vm_system_reset(struct vm *vm, enum vm_cause cause)
{
	struct error err = { 0 };

	/* -no-reboot: QEMU turns any reset into a clean shutdown. */
	if (vm->cfg->no_reboot) {
		vm_shutdown(vm, cause, 0);
		return;
	}
	vm_pause(vm);
	if (vm_reset_machine(vm, &err)) {
		log_error("%s", err.msg);
		vm_shutdown(vm, cause, 1);
		return;
	}
	vm_emit(vm, VM_EVENT_RESET, cause);
	/* A paused machine stays paused, as in QEMU. */
	vm_resume(vm);
}

/* No allocation here: a vCPU thread may be asking because memory ran out. */
void vm_request_exit(struct vm *vm, int status)
{
	event_loop_request_quit(vm->loop, status);
}

static void do_guest_reset(void *opaque)
{
	struct vm *vm = opaque;

	vm->reset_pending = false;
	vm_system_reset(vm, VM_CAUSE_GUEST_RESET);
}

void vm_request_reset(struct vm *vm)
{
	if (vm->reset_pending)
		return;
	vm->reset_pending = true;
	if (event_loop_post(vm->loop, do_guest_reset, vm))
		vm_request_exit(vm, 1);
}

static void on_signal(void *opaque, uint32_t events)
{
	struct vm *vm = opaque;
	struct signalfd_siginfo si;

	(void)events;
	if (read(vm->signal_fd, &si, sizeof(si)) != sizeof(si))
		return;
	log_error("terminating on signal %u from pid %u", si.ssi_signo,
		  si.ssi_pid);
	vm_shutdown(vm, VM_CAUSE_HOST_SIGNAL, 0);
}

/* SIGINT/SIGTERM/SIGHUP arrive through the main loop, like QEMU's. */
static int vm_watch_signals(struct vm *vm)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -EINVAL;
	vm->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (vm->signal_fd < 0)
		return -errno;
	return event_loop_add_fd(vm->loop, vm->signal_fd, EPOLLIN, on_signal,
				 vm);
}

static void vm_stop_vcpus(struct vm *vm)
{
	vm->runstate = RUNSTATE_SHUTDOWN;
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vm->vcpus[i]->stop = true;
	vm_pause(vm);
	pthread_cond_broadcast(&vm->vcpu_cond);
	pthread_mutex_unlock(&vm->dm_lock);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->thread_started)
			pthread_join(vm->vcpus[i]->thread, NULL);
	pthread_mutex_lock(&vm->dm_lock);
}

/*
 * The main thread's allow-list goes in after the vCPU threads started (so
 * they do not inherit it) and before the main loop handles anything. A
 * reset reads the kernel and initrd again through the descriptors
 * boot_open() kept, so the list needs no open at all.
 */
static void vm_sandbox_main(struct vm *vm)
{
	struct error err = { 0 };

	if (vm->cfg->sandbox && sandbox_apply(SANDBOX_MAIN, &err)) {
		log_error("%s", err.msg);
		vm_request_exit(vm, 1);
	}
}

int vm_run(struct vm *vm)
{
	int status;
	int ret;

	vcpu_init_signals();
	if (vm->cfg->sandbox)
		sandbox_prepare();	/* before any other thread exists */
	ret = vm_watch_signals(vm);
	if (ret) {
		log_error("cannot watch signals: %s", strerror(-ret));
		return 1;
	}
	pthread_mutex_lock(&vm->dm_lock);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		ret = vcpu_start(vm->vcpus[i]);
		if (ret) {
			log_error("cannot start cpu %u: %s", i,
				  strerror(-ret));
			vm_request_exit(vm, 1);
			break;
		}
	}
	pthread_mutex_unlock(&vm->dm_lock);
	vm_sandbox_main(vm);
	status = event_loop_run(vm->loop);
	pthread_mutex_lock(&vm->dm_lock);
	vm_stop_vcpus(vm);
	pthread_mutex_unlock(&vm->dm_lock);
	return status;
}
