// SPDX-License-Identifier: MIT
/*
 * 16550A UART register model: DLAB divisor latch, IER/IIR with the chip's
 * interrupt priorities, a 16-byte RX FIFO with trigger levels, LSR/MSR,
 * loopback and the scratch register, plus its glue onto the PIO bus.
 * Called from vCPU threads (registers) and the main loop (input), always
 * with the device-model lock held.
 */
#include "hw/serial_8250.h"

#include <string.h>

#include <linux/serial_reg.h>

/* MSR line bits (high nibble) asserted by a host that is always ready. */
#define SERIAL_LINES_IDLE (UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)
#define SERIAL_MCR_MASK 0x1f		/* bits 5-7 read as 0 on a 16550A */
#define SERIAL_IER_MASK 0x0f
#define SERIAL_FCR_STICKY 0xc9		/* enable, DMA mode, RX trigger */
#define SERIAL_IIR_FIFO 0xc0		/* "FIFOs enabled" bits of IIR */
#define SERIAL_LSR_INT (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)
#define SERIAL_RESET_DIVISOR 12		/* 9600 baud with a 1.8432 MHz clock */

static bool serial_fifo_on(const struct serial_8250 *s)
{
	return s->fcr & UART_FCR_ENABLE_FIFO;
}

/* With the FIFO off the receiver is a single holding register. */
static unsigned serial_rx_capacity(const struct serial_8250 *s)
{
	return serial_fifo_on(s) ? SERIAL_8250_FIFO_SIZE : 1;
}

static unsigned serial_rx_trigger(const struct serial_8250 *s)
{
	static const unsigned levels[] = { 1, 4, 8, 14 };

	return levels[UART_FCR_R_TRIG_BITS(s->fcr)];
}

/*
 * The interrupt identification, highest priority first: line status, RX
 * data (trigger level reached, or a character timeout below it), THR
 * empty, modem status. With no baud clock, the four character times of
 * the timeout have always elapsed by the time the guest looks, so data
 * below the trigger level reports a timeout at once; that also means
 * input never waits in the FIFO without an interrupt.
 */
static uint8_t serial_iir(const struct serial_8250 *s)
{
	uint8_t id = UART_IIR_NO_INT;
	bool rx_on = s->ier & UART_IER_RDI;

	if ((s->ier & UART_IER_RLSI) && (s->lsr_err & SERIAL_LSR_INT))
		id = UART_IIR_RLSI;
	else if (rx_on && s->rx_count && serial_fifo_on(s) &&
		 s->rx_count < serial_rx_trigger(s))
		id = UART_IIR_RX_TIMEOUT;
	else if (rx_on && s->rx_count)
		id = UART_IIR_RDI;
	else if ((s->ier & UART_IER_THRI) && s->thr_ipending)
		id = UART_IIR_THRI;
	else if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_ANY_DELTA))
		id = UART_IIR_MSI;
	return id | (serial_fifo_on(s) ? SERIAL_IIR_FIFO : 0);
}

static void serial_update_irq(struct serial_8250 *s)
{
	bool level = !(serial_iir(s) & UART_IIR_NO_INT);

	if (level == s->irq_level)
		return;
	s->irq_level = level;
	if (s->ops && s->ops->set_irq)
		s->ops->set_irq(s->opaque, level);
}

/* Pay the rx_ready call owed since input was refused, once there is room. */
static void serial_maybe_rx_ready(struct serial_8250 *s)
{
	if (!s->rx_blocked || !serial_8250_rx_space(s))
		return;
	s->rx_blocked = false;
	if (s->ops && s->ops->rx_ready)
		s->ops->rx_ready(s->opaque);
}

static void serial_rx_flush(struct serial_8250 *s)
{
	s->rx_head = 0;
	s->rx_count = 0;
}

/*
 * A byte arrives at the receiver. On overrun the FIFO keeps its contents
 * and the new byte is lost; with the FIFO off the new byte replaces the
 * unread one, as on a 16450. Either way OE is set.
 */
static void serial_rx_push(struct serial_8250 *s, uint8_t byte)
{
	unsigned cap = serial_rx_capacity(s);

	if (s->rx_count == cap) {
		s->lsr_err |= UART_LSR_OE;
		if (cap == 1)
			s->rx_fifo[s->rx_head] = byte;
		return;
	}
	s->rx_fifo[(s->rx_head + s->rx_count) % SERIAL_8250_FIFO_SIZE] = byte;
	s->rx_count++;
}

static uint8_t serial_read_rbr(struct serial_8250 *s)
{
	if (s->rx_count) {
		s->rbr = s->rx_fifo[s->rx_head];
		s->rx_head = (s->rx_head + 1) % SERIAL_8250_FIFO_SIZE;
		s->rx_count--;
		serial_update_irq(s);
		serial_maybe_rx_ready(s);
	}
	return s->rbr;
}

/* Reading IIR while it reports THRE acknowledges that interrupt. */
static uint8_t serial_read_iir(struct serial_8250 *s)
{
	uint8_t iir = serial_iir(s);

	if ((iir & UART_IIR_ID) == UART_IIR_THRI) {
		s->thr_ipending = false;
		serial_update_irq(s);
	}
	return iir;
}

/* THRE and TEMT are always set: a written byte leaves at once. */
static uint8_t serial_read_lsr(struct serial_8250 *s)
{
	uint8_t lsr = UART_LSR_THRE | UART_LSR_TEMT | s->lsr_err;

	if (s->rx_count)
		lsr |= UART_LSR_DR;
	if (s->lsr_err) {
		s->lsr_err = 0;
		serial_update_irq(s);
	}
	return lsr;
}

static uint8_t serial_read_msr(struct serial_8250 *s)
{
	uint8_t msr = s->msr;

	if (msr & UART_MSR_ANY_DELTA) {
		s->msr &= ~UART_MSR_ANY_DELTA;
		serial_update_irq(s);
	}
	return msr;
}

uint8_t serial_8250_read(struct serial_8250 *s, unsigned reg)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	switch (reg & 7) {
	case UART_RX:
		return dlab ? (uint8_t)s->divisor : serial_read_rbr(s);
	case UART_IER:
		return dlab ? (uint8_t)(s->divisor >> 8) : s->ier;
	case UART_IIR:
		return serial_read_iir(s);
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		return serial_read_lsr(s);
	case UART_MSR:
		return serial_read_msr(s);
	default:
		return s->scr;
	}
}

/*
 * The modem input lines: wired to the outputs in loopback (DTR->DSR,
 * RTS->CTS, OUT1->RI, OUT2->DCD), otherwise a host that is always ready.
 * Each change sets its delta bit; RI only on its trailing edge.
 */
static void serial_update_lines(struct serial_8250 *s)
{
	uint8_t old = s->msr & 0xf0, now = SERIAL_LINES_IDLE, changed;

	if (s->mcr & UART_MCR_LOOP) {
		now = 0;
		if (s->mcr & UART_MCR_DTR)
			now |= UART_MSR_DSR;
		if (s->mcr & UART_MCR_RTS)
			now |= UART_MSR_CTS;
		if (s->mcr & UART_MCR_OUT1)
			now |= UART_MSR_RI;
		if (s->mcr & UART_MCR_OUT2)
			now |= UART_MSR_DCD;
	}
	changed = (old ^ now) >> 4;
	if (!(old & UART_MSR_RI) || (now & UART_MSR_RI))
		changed &= ~UART_MSR_TERI;
	s->msr = now | (s->msr & UART_MSR_ANY_DELTA) | changed;
}

static void serial_write_thr(struct serial_8250 *s, uint8_t byte)
{
	if (s->mcr & UART_MCR_LOOP)
		serial_rx_push(s, byte);
	else if (s->ops && s->ops->tx)
		s->ops->tx(s->opaque, byte);
	/* Transmit is instantaneous: THR is empty again, re-arm THRE. */
	s->thr_ipending = true;
	serial_update_irq(s);
}

/*
 * Enabling THRI while THR is empty raises the interrupt even when an IIR
 * read had acknowledged it: Linux's startup test toggles IER to check
 * this, and a UART that fails it gets the slower UART_BUG_THRE treatment.
 */
static void serial_write_ier(struct serial_8250 *s, uint8_t val)
{
	uint8_t changed = (s->ier ^ val) & UART_IER_THRI;

	s->ier = val & SERIAL_IER_MASK;
	if (changed)
		s->thr_ipending = s->ier & UART_IER_THRI;
	serial_update_irq(s);
}

/*
 * FCR bits other than "enable" only take when "enable" is written as 1
 * (PC16550D data sheet); switching the FIFO on or off empties both FIFOs.
 * The TX FIFO is always empty here, so clearing it changes nothing.
 */
static void serial_write_fcr(struct serial_8250 *s, uint8_t val)
{
	bool on = val & UART_FCR_ENABLE_FIFO;
	uint8_t fcr = on ? val & SERIAL_FCR_STICKY : 0;
	bool clear = on && (val & UART_FCR_CLEAR_RCVR);

	if (((fcr ^ s->fcr) & UART_FCR_ENABLE_FIFO) || clear)
		serial_rx_flush(s);
	s->fcr = fcr;
	serial_update_irq(s);
	serial_maybe_rx_ready(s);
}

static void serial_write_mcr(struct serial_8250 *s, uint8_t val)
{
	s->mcr = val & SERIAL_MCR_MASK;
	serial_update_lines(s);
	serial_update_irq(s);
	serial_maybe_rx_ready(s);	/* leaving loopback reconnects input */
}

void serial_8250_write(struct serial_8250 *s, unsigned reg, uint8_t val)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	switch (reg & 7) {
	case UART_TX:
		if (dlab)
			s->divisor = (s->divisor & 0xff00) | val;
		else
			serial_write_thr(s, val);
		break;
	case UART_IER:
		if (dlab)
			s->divisor = (uint16_t)((s->divisor & 0xff) |
						val << 8);
		else
			serial_write_ier(s, val);
		break;
	case UART_FCR:
		serial_write_fcr(s, val);
		break;
	case UART_LCR:
		s->lcr = val;
		break;
	case UART_MCR:
		serial_write_mcr(s, val);
		break;
	case UART_LSR:
	case UART_MSR:
		break;		/* factory test registers: writes ignored */
	default:
		s->scr = val;
		break;
	}
}

size_t serial_8250_rx_space(const struct serial_8250 *s)
{
	if (s->mcr & UART_MCR_LOOP)
		return 0;
	return serial_rx_capacity(s) - s->rx_count;
}

size_t serial_8250_receive(struct serial_8250 *s, const uint8_t *buf,
			   size_t len)
{
	size_t n = MIN(len, serial_8250_rx_space(s));

	for (size_t i = 0; i < n; i++)
		serial_rx_push(s, buf[i]);
	if (!serial_8250_rx_space(s))
		s->rx_blocked = true;
	serial_update_irq(s);
	return n;
}

void serial_8250_reset(struct serial_8250 *s)
{
	serial_rx_flush(s);
	s->rbr = 0;
	s->divisor = SERIAL_RESET_DIVISOR;
	s->ier = 0;
	s->fcr = 0;
	s->lcr = 0;
	s->mcr = 0;
	s->lsr_err = 0;
	s->msr = SERIAL_LINES_IDLE;
	s->scr = 0;
	s->thr_ipending = false;
	serial_update_irq(s);
	serial_maybe_rx_ready(s);
}

void serial_8250_init(struct serial_8250 *s, const struct serial_8250_ops *ops,
		      void *opaque)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->opaque = opaque;
	serial_8250_reset(s);
}

/* Bus glue: an ISA UART answers byte lanes, so wider accesses are split. */
static uint64_t serial_io_read(void *opaque, uint64_t offset, unsigned size)
{
	unsigned reg = (unsigned)offset;
	uint64_t value = 0;

	for (unsigned i = 0; i < size; i++)
		value |= (uint64_t)serial_8250_read(opaque, reg + i) << (8 * i);
	return value;
}

static void serial_io_write(void *opaque, uint64_t offset, uint64_t value,
			    unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		serial_8250_write(opaque, (unsigned)offset + i,
				  (uint8_t)(value >> (8 * i)));
}

static const struct io_ops serial_io_ops = {
	.read = serial_io_read,
	.write = serial_io_write,
};

int serial_8250_register(struct serial_8250 *s, struct bus *pio, uint16_t base)
{
	return bus_add(pio, base, SERIAL_8250_NR_PORTS, &serial_io_ops, s,
		       "serial");
}
