// SPDX-License-Identifier: MIT
/*
 * struct vm: the one virtual machine of a flexvm process. It owns the KVM
 * fds, guest memory and memslots, the buses, every device, the vCPUs and
 * the main loop, and builds them in a fixed order (vm_create) that reads
 * top to bottom. See ARCHITECTURE.md for threads and locking.
 *
 * Locking: dm_lock (the device-model lock) guards all device, bus and run
 * state. The main loop holds it while handlers run; vCPU threads take it
 * around exit dispatch.
 */
#ifndef FLEXVM_CORE_VM_H
#define FLEXVM_CORE_VM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "boot/boot.h"
#include "boot/mptable.h"
#include "config/machine_config.h"
#include "core/chardev.h"
#include "core/event_loop.h"
#include "hw/bus.h"
#include "hw/cmos_rtc.h"
#include "hw/debug_exit.h"
#include "hw/device.h"
#include "hw/i8042.h"
#include "hw/irq.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_host.h"
#include "hw/serial_8250.h"
#include "mem/canary.h"
#include "mem/guest_mem.h"
#include "mem/memmap.h"
#include "mem/memory_backend.h"
#include "mem/memslot.h"
#include "util/error.h"
#include "util/log.h"

struct vcpu;
struct kvm_cpuid2;
struct monitor;
struct virtio_mem_pci;

/* QEMU's run states, the subset flexvm reaches. */
enum runstate {
	RUNSTATE_PRELAUNCH,	/* built, -S given, never ran */
	RUNSTATE_RUNNING,
	RUNSTATE_PAUSED,	/* stopped by the user */
	RUNSTATE_SHUTDOWN,	/* the process is about to exit */
};

/* What happened to the machine, for the monitor's events. */
enum vm_event_kind {
	VM_EVENT_STOP,		/* paused by the user */
	VM_EVENT_RESUME,
	VM_EVENT_RESET,
	VM_EVENT_SHUTDOWN,	/* the process is about to exit */
	VM_EVENT_MEMORY_SIZE_CHANGE,	/* a memory device's plugged size */
};

/* QEMU's ShutdownCause, the subset flexvm produces. */
enum vm_cause {
	VM_CAUSE_NONE,
	VM_CAUSE_HOST_QMP_QUIT,
	VM_CAUSE_HOST_QMP_SYSTEM_RESET,
	VM_CAUSE_HOST_SIGNAL,
	VM_CAUSE_HOST_UI,		/* Ctrl-a x on the console */
	VM_CAUSE_GUEST_SHUTDOWN,
	VM_CAUSE_GUEST_RESET,
};

struct vm_event {
	enum vm_event_kind kind;
	enum vm_cause cause;	/* RESET and SHUTDOWN */
	bool guest;		/* the guest asked for it */
	/* MEMORY_SIZE_CHANGE: the device (strings live as long as the VM) */
	const char *id;		/* -device id=, NULL without one */
	const char *qom_path;
	uint64_t size;		/* plugged bytes now */
};

typedef void (*vm_event_fn)(void *opaque, const struct vm_event *ev);

#define VM_MAX_LISTENERS 4
#define VM_MAX_MEMORY_DEVICES 8	/* virtio-mem-pci devices */

struct vm_serial {
	struct serial_8250 uart;
	struct chardev *chr;
	struct vm *vm;
	unsigned irq;
	bool irq_level;		/* this UART's own request */
};

struct vm {
	const struct machine_config *cfg;
	int kvm_fd;
	int vm_fd;
	int vcpu_mmap_size;
	unsigned phys_bits;		/* guest MAXPHYADDR */
	struct kvm_cpuid2 *cpuid;	/* KVM_GET_SUPPORTED_CPUID */

	struct memmap mm;
	struct guest_mem gm;
	void *ram_hva;			/* one mapping for low + high RAM */
	struct canary ram_canary;	/* -machine x-canary=on */
	struct memslot_table slots;
	/* -object memory-backend-*, created before any -device. */
	struct memory_backend_list backends;
	/*
	 * Memory devices (virtio-mem-pci) in creation order. They share the
	 * device-memory window (mm.device_mem_*) and a budget of KVM slots
	 * (-machine x-memslot-budget, 256 by default, as QEMU's soft limit).
	 */
	struct virtio_mem_pci *memdevs[VM_MAX_MEMORY_DEVICES];
	unsigned nr_memdevs;
	unsigned memslot_budget;

	pthread_mutex_t dm_lock;
	pthread_cond_t vcpu_cond;	/* with dm_lock: vCPU parked/resumed */
	struct event_loop *loop;
	int signal_fd;			/* SIGINT/SIGTERM/SIGHUP */
	enum runstate runstate;
	bool pause_requested;		/* vCPUs must park */
	bool reset_pending;

	struct bus pio;
	struct bus mmio;
	struct vm_serial serials[MACHINE_MAX_SERIALS];
	unsigned nr_serials;
	struct i8042 kbd;
	struct cmos_rtc rtc;
	struct debug_exit debug_exit;

	/* KVM GSI routing, PCI bus 0 (-device PCI devices plug in here). */
	struct irq irq;
	struct pci_bus pci;
	struct pci_host pci_host;
	struct mptable_pci_irq pci_irqs[PCI_NR_SLOTS];	/* boot_req's */
	/* -device instances, freed by their type's destroy hook. */
	struct device_list devices;

	struct boot_request boot_req;
	struct boot_info boot;

	/* Power-on state of the in-kernel irqchip, restored on reset. */
	void *irqchip_snapshot;

	struct vcpu **vcpus;
	unsigned nr_vcpus;

	struct ratelimit unassigned_rl;	/* guest pokes at empty ports */

	struct {
		vm_event_fn fn;
		void *opaque;
	} listeners[VM_MAX_LISTENERS];
	unsigned nr_listeners;

	/* The QMP monitor (monitor_create), for devices' events; or NULL. */
	struct monitor *monitor;
};

/*
 * vm_create - build the machine @cfg describes: KVM, memory, irqchip,
 * buses and devices, the kernel, then the vCPUs (created, not started).
 * Returns NULL with one clear line in @err.
 */
struct vm *vm_create(const struct machine_config *cfg, struct error *err);
void vm_destroy(struct vm *vm);

/**
 * vm_check_canaries - with -machine x-canary=on, check the canaries
 * around guest RAM and every memory backend (mem/canary.h): one line on
 * stderr per damaged mapping, or one saying all are intact. Does nothing
 * without the option. Main thread, after vm_run(), before vm_destroy().
 * Return: 0, or -EFAULT when a canary was overwritten.
 */
int vm_check_canaries(struct vm *vm);

/*
 * vm_run - start the vCPUs (unless -S) and run the main loop until the
 * guest or the user ends the VM. Returns the process exit status.
 */
int vm_run(struct vm *vm);

/*
 * Requests from any thread with dm_lock held (vCPU exits, devices):
 * vm_request_reset() resets the machine, or ends the VM under -no-reboot;
 * vm_request_exit() ends the VM with @status.
 */
void vm_request_reset(struct vm *vm);
void vm_request_exit(struct vm *vm, int status);

/* Pause/resume all vCPUs; main thread, dm_lock held. */
void vm_pause(struct vm *vm);
void vm_resume(struct vm *vm);

/*
 * The run state as QEMU's monitor sees it. Main thread, dm_lock held.
 * vm_stop() pauses a running machine (STOP event) and returns once no
 * vCPU is in the guest; vm_cont() runs a paused or -S machine (RESUME).
 * Both do nothing in any other state. vm_system_reset() resets the
 * machine now (RESET), or shuts it down under -no-reboot.
 * vm_shutdown() ends the main loop with @status (SHUTDOWN).
 */
void vm_stop(struct vm *vm);
void vm_cont(struct vm *vm);
void vm_system_reset(struct vm *vm, enum vm_cause cause);
void vm_shutdown(struct vm *vm, enum vm_cause cause, int status);

/* Called on the main thread, dm_lock held, for every vm_event. */
int vm_add_listener(struct vm *vm, vm_event_fn fn, void *opaque);

/**
 * vm_emit_memory_size_change - a memory device's plugged size changed:
 * VM_EVENT_MEMORY_SIZE_CHANGE reaches the listeners from the main loop
 * (posted, since a request may be served on a vCPU thread), in order.
 * @id: the device's id or NULL; @qom_path: its QOM path (both must live
 * as long as @vm). Any thread, dm_lock held.
 */
void vm_emit_memory_size_change(struct vm *vm, const char *id,
				const char *qom_path, uint64_t size);

const char *vm_runstate_name(enum runstate state);
/* QEMU's spelling of a cause: "guest-reset", "host-qmp-quit"... */
const char *vm_cause_name(enum vm_cause cause);
bool vm_cause_is_guest(enum vm_cause cause);

/* Raise or lower an ISA/IOAPIC interrupt line (KVM_IRQ_LINE). */
void vm_set_irq(struct vm *vm, unsigned gsi, bool level);

/* Internal to src/core: shared by vm.c (build) and runstate.c (reset). */
int vm_load_boot(struct vm *vm, struct error *err);
/* System reset of the PCI devices: power-on config, BARs placed again. */
int vm_reset_pci(struct vm *vm, struct error *err);
int vm_snapshot_irqchip(struct vm *vm);

#endif
