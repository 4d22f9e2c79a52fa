// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the 8250/16550A model: the input is a sequence of
 * register reads and writes (direct or through a port I/O bus with any
 * access size), host input bytes and resets. After each step it checks
 * the FIFO bookkeeping, that set_irq fires on changes only and matches
 * the model's level, that loopback sends nothing and that rx_ready comes
 * only after a refusal. Single-threaded; also run by replay.c.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hw/bus.h"
#include "hw/serial_8250.h"

#include "fuzz.h"

#define BASE 0x3f8
#define MAX_STEPS 2048

struct fuzz {
	struct serial_8250 uart;
	bool level;		/* last level reported by set_irq */
	bool loop;		/* loopback was on at the last step */
	unsigned nr_tx;
	bool owed;		/* the model refused input: rx_ready may come */
};

static void on_tx(void *opaque, uint8_t byte)
{
	struct fuzz *f = opaque;

	(void)byte;
	CHECK(!(f->uart.mcr & 0x10));	/* never in loopback */
	f->nr_tx++;
}

static void on_irq(void *opaque, bool level)
{
	struct fuzz *f = opaque;

	CHECK(level != f->level);	/* changes only */
	f->level = level;
}

static void on_rx_ready(void *opaque)
{
	struct fuzz *f = opaque;

	CHECK(f->owed);
	CHECK(serial_8250_rx_space(&f->uart) > 0);
	f->owed = false;
}

static const struct serial_8250_ops ops = {
	.tx = on_tx,
	.set_irq = on_irq,
	.rx_ready = on_rx_ready,
};

static void check_state(struct fuzz *f)
{
	const struct serial_8250 *s = &f->uart;

	CHECK(s->rx_head < SERIAL_8250_FIFO_SIZE);
	CHECK(s->rx_count <= SERIAL_8250_FIFO_SIZE);
	CHECK(serial_8250_rx_space(s) <= SERIAL_8250_FIFO_SIZE - s->rx_count);
	CHECK(s->irq_level == f->level);
	CHECK((s->ier & 0xf0) == 0);
	CHECK((s->mcr & 0xe0) == 0);
}

static void step_receive(struct fuzz *f, const uint8_t *p, size_t n)
{
	size_t space = serial_8250_rx_space(&f->uart);
	size_t took = serial_8250_receive(&f->uart, p, n);

	CHECK(took == (n < space ? n : space));
	if (took < n || !serial_8250_rx_space(&f->uart))
		f->owed = true;
}

static void step_bus(struct fuzz *f, struct bus *pio, uint8_t op,
		     uint8_t val)
{
	static const unsigned sizes[] = { 1, 2, 4, 1 };
	unsigned sz = sizes[(op >> 4) & 3];
	uint64_t addr = BASE - 2 + (op & 15);	/* a little outside too */
	uint8_t buf[4] = { val, val, val, val };

	(void)f;
	if (op & 0x40)
		bus_write(pio, addr, buf, sz);
	else
		bus_read(pio, addr, buf, sz);
}

/*
 * Each step is an opcode byte and an argument byte: 0-7 read register,
 * 8-15 write it, 16 receive up to 32 following bytes, 17 reset, others
 * an access through the bus.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz f = { 0 };
	struct bus pio;
	size_t i = 0;
	unsigned steps = 0;

	bus_init(&pio, "pio");
	serial_8250_init(&f.uart, &ops, &f);
	f.level = f.uart.irq_level;
	CHECK(serial_8250_register(&f.uart, &pio, BASE) == 0);
	while (i + 1 < size && steps++ < MAX_STEPS) {
		uint8_t op = data[i], arg = data[i + 1];

		i += 2;
		if (op < 8) {
			serial_8250_read(&f.uart, op);
		} else if (op < 16) {
			serial_8250_write(&f.uart, op - 8, arg);
		} else if (op == 16) {
			size_t n = arg & 31;

			n = n < size - i ? n : size - i;
			step_receive(&f, data + i, n);
			i += n;
		} else if (op == 17) {
			serial_8250_reset(&f.uart);
		} else {
			step_bus(&f, &pio, op, arg);
		}
		check_state(&f);
	}
	bus_destroy(&pio);
	return 0;
}
