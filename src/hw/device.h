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
	 * -errno with a QEMU-worded message in @err.
	 */
	int (*create)(struct vm *vm, const struct opts *o, struct error *err);
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

#endif
