// SPDX-License-Identifier: MIT
/*
 * The fixture of the serial_8250 unit tests: a UART at power-on whose tx,
 * set_irq and rx_ready callbacks are recorded, and register accessors.
 * Shared by test_serial_8250, _fifo and _autoconfig; include it after
 * <cmocka.h>. Single-threaded.
 */
#ifndef FLEXVM_TESTS_SERIAL_8250_TEST_UTIL_H
#define FLEXVM_TESTS_SERIAL_8250_TEST_UTIL_H

#include <string.h>

#include <linux/serial_reg.h>

#include "hw/serial_8250.h"

#define COM1 0x3f8

struct rec {
	uint8_t tx[300];
	unsigned nr_tx;
	bool irq;
	unsigned nr_irq_calls;
	unsigned nr_rx_ready;
};

static inline void rec_tx(void *opaque, uint8_t byte)
{
	struct rec *r = opaque;

	if (r->nr_tx < sizeof(r->tx))
		r->tx[r->nr_tx] = byte;
	r->nr_tx++;
}

static inline void rec_set_irq(void *opaque, bool level)
{
	struct rec *r = opaque;

	r->irq = level;
	r->nr_irq_calls++;
}

static inline void rec_rx_ready(void *opaque)
{
	struct rec *r = opaque;

	r->nr_rx_ready++;
}

static const struct serial_8250_ops rec_ops = {
	.tx = rec_tx,
	.set_irq = rec_set_irq,
	.rx_ready = rec_rx_ready,
};

struct fixture {
	struct serial_8250 uart;
	struct rec rec;
};

static inline int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	serial_8250_init(&f.uart, &rec_ops, &f.rec);
	*state = &f;
	return 0;
}

static inline uint8_t rd(struct fixture *f, unsigned reg)
{
	return serial_8250_read(&f->uart, reg);
}

static inline void wr(struct fixture *f, unsigned reg, uint8_t val)
{
	serial_8250_write(&f->uart, reg, val);
}

static inline size_t rx(struct fixture *f, const char *s)
{
	return serial_8250_receive(&f->uart, (const uint8_t *)s, strlen(s));
}

#define T(name) cmocka_unit_test_setup(name, setup)

#endif /* FLEXVM_TESTS_SERIAL_8250_TEST_UTIL_H */
