// SPDX-License-Identifier: MIT
/*
 * Character backends for the serial ports: stdio (raw terminal, with
 * QEMU's Ctrl-a escapes when multiplexed), an output file, or nothing.
 * Output is written from vCPU threads, input is read on the main loop;
 * both with the device-model lock held.
 */
#ifndef FLEXVM_CORE_CHARDEV_H
#define FLEXVM_CORE_CHARDEV_H

#include <stddef.h>
#include <stdint.h>

#include "config/machine_config.h"
#include "core/event_loop.h"
#include "util/error.h"

struct chardev;

struct chardev_input_ops {
	/* How many bytes the frontend can take now; 0 pauses reading. */
	size_t (*can_read)(void *opaque);
	void (*read)(void *opaque, const uint8_t *buf, size_t len);
};

/*
 * chardev_create - open the backend @sc names. @mux enables QEMU's
 * -nographic escapes on stdio (Ctrl-a x quits, Ctrl-a Ctrl-a sends
 * Ctrl-a); @quit(@quit_opaque) is called for Ctrl-a x.
 */
struct chardev *chardev_create(const struct serial_config *sc,
			       struct event_loop *el, bool mux,
			       void (*quit)(void *), void *quit_opaque,
			       struct error *err);
void chardev_destroy(struct chardev *chr);

/* Connect the frontend that receives input; reading starts now. */
void chardev_set_input(struct chardev *chr, const struct chardev_input_ops *ops,
		       void *opaque);
/* The frontend has room again after can_read() returned 0. */
void chardev_input_resume(struct chardev *chr);

void chardev_write(struct chardev *chr, const uint8_t *buf, size_t len);

#endif
