// SPDX-License-Identifier: MIT
/*
 * 16550A UART register model (the PC's COM ports), pure: it knows nothing
 * of KVM or chardevs and reaches the outside only through its ops. vCPU
 * threads call the register accessors and the main loop calls the input
 * functions, both with the device-model lock held, so no locking here.
 */
#ifndef FLEXVM_HW_SERIAL_8250_H
#define FLEXVM_HW_SERIAL_8250_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/bus.h"
#include "util/compiler.h"

#define SERIAL_8250_NR_PORTS 8		/* I/O ports per UART */
#define SERIAL_8250_FIFO_SIZE 16	/* 16550A receive FIFO depth */

/* Every callback is optional (NULL is ignored). */
struct serial_8250_ops {
	/* One byte left the transmitter (never called in loopback mode). */
	void (*tx)(void *opaque, uint8_t byte);
	/* The interrupt output changed to @level; called on changes only. */
	void (*set_irq)(void *opaque, bool level);
	/*
	 * The receiver has room again after serial_8250_receive() found it
	 * full: the main loop may resume reading the host input it paused.
	 */
	void (*rx_ready)(void *opaque);
};

struct serial_8250 {
	const struct serial_8250_ops *ops;
	void *opaque;

	uint8_t rx_fifo[SERIAL_8250_FIFO_SIZE];
	unsigned rx_head;		/* index of the oldest byte */
	unsigned rx_count;
	uint8_t rbr;			/* last byte the guest read */

	uint16_t divisor;		/* DLM:DLL */
	uint8_t ier;
	uint8_t fcr;			/* sticky bits: enable, DMA, trigger */
	uint8_t lcr;
	uint8_t mcr;
	uint8_t lsr_err;		/* LSR error bits (OE), read clears */
	uint8_t msr;			/* line states (high nibble) + deltas */
	uint8_t scr;

	bool thr_ipending;		/* THR-empty interrupt armed */
	bool irq_level;
	bool rx_blocked;		/* input refused: rx_ready owed */
};

/**
 * serial_8250_init - set up @s in its power-on state.
 * @ops: callbacks, kept by reference (may be NULL: no callbacks).
 * @opaque: passed to every callback.
 */
void serial_8250_init(struct serial_8250 *s, const struct serial_8250_ops *ops,
		      void *opaque);

/**
 * serial_8250_reset - hardware reset (system reset): registers return to
 * their power-on values, both FIFOs are emptied and the interrupt output
 * is lowered. The divisor latch is reset to 12 (9600 baud).
 */
void serial_8250_reset(struct serial_8250 *s);

/**
 * serial_8250_read - a guest read of register @reg (0-7; higher bits are
 * ignored, like the three address lines of the chip). Reads have side
 * effects: RBR pops the FIFO, IIR acknowledges THRE, LSR clears OE, MSR
 * clears the delta bits.
 */
uint8_t serial_8250_read(struct serial_8250 *s, unsigned reg);

/**
 * serial_8250_write - a guest write of @val to register @reg (0-7). A THR
 * write transmits at once (there is no baud clock), through ops->tx or,
 * in loopback mode, into the receiver.
 */
void serial_8250_write(struct serial_8250 *s, unsigned reg, uint8_t val);

/**
 * serial_8250_rx_space - how many bytes serial_8250_receive() would take
 * now: the free FIFO entries (1 or 0 with the FIFO off), and 0 in
 * loopback mode, where the serial input is disconnected.
 */
size_t serial_8250_rx_space(const struct serial_8250 *s);

/**
 * serial_8250_receive - host input for the guest. Takes at most
 * serial_8250_rx_space() bytes and never overruns: the caller keeps the
 * rest and waits for ops->rx_ready. Returns the number of bytes taken.
 */
size_t serial_8250_receive(struct serial_8250 *s, const uint8_t *buf,
			   size_t len);

/**
 * serial_8250_register - route the 8 ports [@base, @base + 8) of @pio to
 * @s. Wider accesses are split into byte accesses, as on an ISA bus.
 * Returns 0 or the negative errno of bus_add() (-EBUSY on overlap).
 */
int serial_8250_register(struct serial_8250 *s, struct bus *pio,
			 uint16_t base) __must_check;

#endif
