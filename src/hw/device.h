// SPDX-License-Identifier: MIT
/*
 * -device: the one table of device types flexvm can create from the
 * command line (device_types.c), and the entry point vm_create() calls for
 * each -device option, in command-line order. isa-debug-exit is the
 * exception: the command line parser handles it, as a fixed ISA device.
 *
 * Context: main thread, while the machine is built.
 */
#ifndef FLEXVM_HW_DEVICE_H
#define FLEXVM_HW_DEVICE_H

#include <stdio.h>

#include "config/machine_config.h"
#include "util/error.h"

struct vm;
struct opts;

struct device_type {
	const char *name;	/* QEMU's driver name, e.g. "virtio-rng-pci" */
	const char *bus;	/* "PCI", "ISA": for -device help */
	const char *desc;
	/*
	 * Builds the device from its parsed options (driver, id, props) and
	 * registers it with the machine and the QOM tree. Returns 0 or
	 * -errno with a QEMU-worded message in @err. Sets *@dev once the
	 * machine refers to the instance (e.g. it is plugged into the PCI
	 * bus): from then on, even if a later step fails, destroy() is how
	 * it is freed; a create() that fails before that frees it itself.
	 */
	int (*create)(struct vm *vm, const struct opts *o, void **dev,
		      struct error *err);
	/*
	 * Frees everything create() made for @dev, at vm_destroy() after
	 * the PCI bus (BARs, MSI-X) is torn down and before the memory
	 * backends are. The QOM tree may already be gone (monitor_destroy).
	 */
	void (*destroy)(struct vm *vm, void *dev);
};

/* The devices -device created, in creation order; embedded in struct vm. */
struct device_list {
	struct {
		const struct device_type *type;
		void *dev;
	} d[MACHINE_MAX_DEVICES];
	unsigned nr;
};

/* The type called @name, or NULL. */
const struct device_type *device_type_find(const char *name);

/* "name \"X\", bus Y, desc \"...\"" lines, as QEMU's -device help. */
void device_type_print_help(FILE *out);

/*
 * device_create - parse one -device argument and create the device.
 * Errors name the option as QEMU does ("-device foo: ...").
 */
int device_create(struct vm *vm, const char *text, struct error *err);

/**
 * device_destroy_all - destroy every device device_create() made for @vm,
 * newest first, and empty its list. vm_destroy() only; main thread.
 */
void device_destroy_all(struct vm *vm);

#endif
