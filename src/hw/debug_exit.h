// SPDX-License-Identifier: MIT
/*
 * QEMU's isa-debug-exit: a write of V to its ports ends the VM with exit
 * status (V << 1) | 1, so test guests can report a result. vCPU threads
 * call it with the device-model lock held.
 */
#ifndef FLEXVM_HW_DEBUG_EXIT_H
#define FLEXVM_HW_DEBUG_EXIT_H

#include <stdint.h>

#include "hw/bus.h"
#include "util/compiler.h"

/* QEMU's defaults for -device isa-debug-exit. */
#define DEBUG_EXIT_DEFAULT_IOBASE 0x501
#define DEBUG_EXIT_DEFAULT_IOSIZE 2

/* The guest asked to end the VM with process exit status @status. */
typedef void debug_exit_fn(void *opaque, int status);

struct debug_exit {
	uint16_t iobase;
	uint16_t iosize;
	debug_exit_fn *exit_request;
	void *opaque;
};

/**
 * debug_exit_init - register [@iobase, @iobase + @iosize) on @pio. A write
 * of any size (1, 2 or 4 bytes) at any offset calls @exit_request(@opaque,
 * status) with the status QEMU 7.2 exits with: ((V << 1) | 1) & 0xff,
 * where V is the value written. Reads return 0.
 * Returns 0, -EINVAL when @iosize is 0 or the range passes port 0xffff,
 * or the negative errno of bus_add() (-EBUSY on overlap).
 */
int debug_exit_init(struct debug_exit *d, struct bus *pio, uint16_t iobase,
		    uint16_t iosize, debug_exit_fn *exit_request,
		    void *opaque) __must_check;

/**
 * debug_exit_status - the exit status QEMU gives for a written @value:
 * exit((value << 1) | 1), of which the process status keeps the low byte.
 */
int debug_exit_status(uint64_t value);

#endif
