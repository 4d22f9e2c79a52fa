// SPDX-License-Identifier: MIT
/*
 * i8042 PS/2 controller at ports 0x60 (data) and 0x64 (status/command),
 * with an always-ready keyboard and an empty AUX (mouse) port: enough for
 * Linux to probe it quickly and quietly, and for the guest to reset the
 * machine through it. vCPU threads call it with the device-model lock held.
 */
#ifndef FLEXVM_HW_I8042_H
#define FLEXVM_HW_I8042_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/bus.h"
#include "util/compiler.h"

#define I8042_DATA_PORT 0x60
#define I8042_COMMAND_PORT 0x64		/* status when read */
#define I8042_KBD_IRQ 1
#define I8042_AUX_IRQ 12
#define I8042_KBD_QUEUE_SIZE 16

/* Raise or lower ISA interrupt @irq (I8042_KBD_IRQ or I8042_AUX_IRQ). */
typedef void i8042_set_irq_fn(void *opaque, unsigned irq, bool level);
/* The guest pulsed the CPU reset line. */
typedef void i8042_reset_fn(void *opaque);

struct i8042 {
	i8042_reset_fn *reset_request;
	i8042_set_irq_fn *set_irq;
	void *opaque;

	uint8_t ctr;		/* controller configuration ("command byte") */
	uint8_t outport;	/* output port: bit 0 CPU reset, bit 1 A20 */
	uint8_t pending;	/* command waiting for its data byte, or 0 */
	bool last_was_cmd;	/* status bit 3: last write went to 0x64 */

	/* The one-byte output buffer the guest reads at 0x60. */
	bool obf;
	uint8_t out;
	bool out_aux;		/* the byte came from the AUX side */
	bool out_timeout;	/* the AUX device did not answer */
	bool out_from_kbd;	/* the byte was taken from the keyboard queue */

	/* The keyboard's own buffer: bytes it has yet to send. */
	uint8_t kbd_queue[I8042_KBD_QUEUE_SIZE];
	unsigned kbd_head;
	unsigned kbd_count;
	uint8_t kbd_pending;	/* keyboard command waiting for a parameter */

	bool irq_kbd;		/* current levels of IRQ 1 and IRQ 12 */
	bool irq_aux;
};

/**
 * i8042_init - reset @k and register ports 0x60 and 0x64 on @pio (two
 * 1-byte regions; 0x61 stays with KVM's in-kernel PIT).
 * @reset_request: called when the guest asks for a CPU reset (0xFE, any
 *	pulse command with bit 0 clear, or output port bit 0 written 0).
 * @opaque: passed to @reset_request and to the IRQ callback.
 *
 * Without i8042_set_irq_handler() no interrupts are raised and Linux's
 * keyboard probe has to time out, so machines should connect one.
 * Returns 0 or the negative errno of bus_add(); on failure nothing stays
 * registered.
 */
int i8042_init(struct i8042 *k, struct bus *pio, i8042_reset_fn *reset_request,
	       void *opaque) __must_check;

/**
 * i8042_set_irq_handler - connect IRQ 1 (keyboard) and IRQ 12 (AUX)
 * outputs; @set_irq gets the opaque given to i8042_init() and is called
 * on level changes only. NULL disconnects.
 */
void i8042_set_irq_handler(struct i8042 *k, i8042_set_irq_fn *set_irq);

/**
 * i8042_reset - power-on state: the configuration byte a BIOS leaves
 * (0x65: translation, system flag, keyboard IRQ on, AUX disabled), empty
 * buffers, interrupt lines lowered.
 */
void i8042_reset(struct i8042 *k);

/**
 * i8042_read - a guest read of @port (I8042_DATA_PORT or
 * I8042_COMMAND_PORT; any other value reads 0xff). Reading the data
 * port empties the output buffer and lets the next keyboard byte in.
 */
uint8_t i8042_read(struct i8042 *k, uint16_t port);

/**
 * i8042_write - a guest write of @val to @port: a controller command at
 * I8042_COMMAND_PORT, a command's data byte or a keyboard command at
 * I8042_DATA_PORT. Writes to other ports are ignored.
 */
void i8042_write(struct i8042 *k, uint16_t port, uint8_t val);

#endif
