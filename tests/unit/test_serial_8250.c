// SPDX-License-Identifier: MIT
/*
 * serial_8250: the 16550A register model seen from the guest (DLAB, IIR
 * priorities, THRE re-arm, FIFO trigger and timeout, overrun, loopback,
 * LSR/MSR), the host side (receive, rx_space, rx_ready), Linux's UART
 * autoconfig sequence, and the bus glue.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
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

static void rec_tx(void *opaque, uint8_t byte)
{
	struct rec *r = opaque;

	if (r->nr_tx < sizeof(r->tx))
		r->tx[r->nr_tx] = byte;
	r->nr_tx++;
}

static void rec_set_irq(void *opaque, bool level)
{
	struct rec *r = opaque;

	r->irq = level;
	r->nr_irq_calls++;
}

static void rec_rx_ready(void *opaque)
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

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	serial_8250_init(&f.uart, &rec_ops, &f.rec);
	*state = &f;
	return 0;
}

static uint8_t rd(struct fixture *f, unsigned reg)
{
	return serial_8250_read(&f->uart, reg);
}

static void wr(struct fixture *f, unsigned reg, uint8_t val)
{
	serial_8250_write(&f->uart, reg, val);
}

static size_t rx(struct fixture *f, const char *s)
{
	return serial_8250_receive(&f->uart, (const uint8_t *)s, strlen(s));
}

static void test_serial_reset_registers_have_power_on_values(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f, UART_IER), 0x00);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(rd(f, UART_LCR), 0x00);
	assert_int_equal(rd(f, UART_MCR), 0x00);
	assert_int_equal(rd(f, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(rd(f, UART_MSR),
			 UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	assert_int_equal(rd(f, UART_SCR), 0x00);
	assert_false(f->rec.irq);
	assert_int_equal(f->rec.nr_irq_calls, 0);
}

static void test_serial_reset_divisor_is_9600_baud(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_LCR, UART_LCR_DLAB);
	assert_int_equal(rd(f, UART_DLL), 12);
	assert_int_equal(rd(f, UART_DLM), 0);
}

static void test_serial_dlab_routes_offsets_0_1_to_divisor(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_LCR, UART_LCR_DLAB | UART_LCR_WLEN8);
	wr(f, UART_DLL, 0x01);
	wr(f, UART_DLM, 0x02);
	assert_int_equal(rd(f, UART_DLL), 0x01);
	assert_int_equal(rd(f, UART_DLM), 0x02);
	wr(f, UART_LCR, UART_LCR_WLEN8);
	assert_int_equal(rd(f, UART_IER), 0x00);	/* IER untouched */
	assert_int_equal(f->rec.nr_tx, 0);		/* nothing sent */
}

static void test_serial_thr_write_calls_tx(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_TX, 'A');
	wr(f, UART_TX, 'b');
	assert_int_equal(f->rec.nr_tx, 2);
	assert_memory_equal(f->rec.tx, "Ab", 2);
}

static void test_serial_lsr_thre_temt_set_right_after_write(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_TX, 'x');
	assert_int_equal(rd(f, UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT),
			 UART_LSR_THRE | UART_LSR_TEMT);
}

static void test_serial_ier_keeps_low_nibble_only(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_IER, 0xff);
	assert_int_equal(rd(f, UART_IER), 0x0f);
}

static void test_serial_mcr_keeps_low_5_bits_only(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_MCR, 0xef);
	assert_int_equal(rd(f, UART_MCR), 0x0f);
}

static void test_serial_scratch_register_holds_value(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_SCR, 0xa5);
	assert_int_equal(rd(f, UART_SCR), 0xa5);
}

static void test_serial_register_number_wraps_at_8(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_SCR, 0x5a);
	assert_int_equal(rd(f, 8 + UART_SCR), 0x5a);
}

static void test_serial_thri_enable_raises_thre_interrupt(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_IER, UART_IER_THRI);
	assert_true(f->rec.irq);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_THRI);
}

static void test_serial_iir_read_acknowledges_thre(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_IER, UART_IER_THRI);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_THRI);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_NO_INT);
	assert_false(f->rec.irq);
}

static void test_serial_thr_write_rearms_thre(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_IER, UART_IER_THRI);
	(void)rd(f, UART_IIR);
	wr(f, UART_TX, 'z');
	assert_true(f->rec.irq);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_THRI);
}

/* Linux's startup check: THRE must re-assert when THRI is toggled. */
static void test_serial_ier_toggle_rearms_thre(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_IER, UART_IER_THRI);
	(void)rd(f, UART_IIR);
	wr(f, UART_IER, 0);
	wr(f, UART_IER, UART_IER_THRI);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_THRI);
}

static void test_serial_set_irq_called_on_changes_only(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_IER, UART_IER_THRI);	/* raise */
	wr(f, UART_IER, UART_IER_THRI | UART_IER_RDI);	/* still up */
	wr(f, UART_TX, 'a');			/* still up */
	(void)rd(f, UART_IIR);			/* lower */
	assert_int_equal(f->rec.nr_irq_calls, 2);
	assert_false(f->rec.irq);
}

static void test_serial_iir_rx_data_beats_thre(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_IER, UART_IER_THRI | UART_IER_RDI);
	assert_int_equal(rx(f, "k"), 1);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_RDI);
	assert_int_equal(rd(f, UART_RX), 'k');
	assert_int_equal(rd(f, UART_IIR), UART_IIR_THRI);
}

static void test_serial_iir_line_status_beats_rx_data(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_IER, UART_IER_RLSI | UART_IER_RDI);
	wr(f, UART_MCR, UART_MCR_LOOP);
	wr(f, UART_TX, '1');
	wr(f, UART_TX, '2');			/* overruns the holding reg */
	assert_int_equal(rd(f, UART_IIR), UART_IIR_RLSI);
	(void)rd(f, UART_LSR);			/* clears OE */
	assert_int_equal(rd(f, UART_IIR), UART_IIR_RDI);
}

static void test_serial_iir_modem_status_is_lowest(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_IER, UART_IER_MSI | UART_IER_THRI);
	wr(f, UART_MCR, UART_MCR_LOOP);		/* lines drop: deltas */
	assert_int_equal(rd(f, UART_IIR), UART_IIR_THRI);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_MSI);
	assert_true(f->rec.irq);
}

static void test_serial_msr_read_clears_deltas_and_msi(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_IER, UART_IER_MSI);
	wr(f, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
	assert_int_equal(rd(f, UART_MSR),
			 UART_MSR_CTS | UART_MSR_DDCD | UART_MSR_DDSR);
	assert_int_equal(rd(f, UART_MSR), UART_MSR_CTS);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_NO_INT);
	assert_false(f->rec.irq);
}

static void test_serial_msr_ri_delta_on_trailing_edge_only(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT1);	/* RI rises */
	(void)rd(f, UART_MSR);
	wr(f, UART_MCR, UART_MCR_LOOP);			/* RI falls */
	assert_int_equal(rd(f, UART_MSR), UART_MSR_TERI);
}

static void test_serial_loopback_msr_mirrors_mcr(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_OUT2);
	assert_int_equal(rd(f, UART_MSR) & 0xf0, UART_MSR_DCD | UART_MSR_CTS);
	wr(f, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1);
	assert_int_equal(rd(f, UART_MSR) & 0xf0, UART_MSR_DSR | UART_MSR_RI);
}

static void test_serial_loopback_tx_goes_to_rx_not_host(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_MCR, UART_MCR_LOOP);
	wr(f, UART_TX, 'L');
	assert_int_equal(f->rec.nr_tx, 0);
	assert_true(rd(f, UART_LSR) & UART_LSR_DR);
	assert_int_equal(rd(f, UART_RX), 'L');
}

static void test_serial_loopback_refuses_host_input(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_MCR, UART_MCR_LOOP);
	assert_int_equal(serial_8250_rx_space(&f->uart), 0);
	assert_int_equal(rx(f, "no"), 0);
	assert_false(rd(f, UART_LSR) & UART_LSR_DR);
}

static void test_serial_leaving_loopback_calls_rx_ready(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_MCR, UART_MCR_LOOP);
	assert_int_equal(rx(f, "x"), 0);
	wr(f, UART_MCR, 0);
	assert_int_equal(f->rec.nr_rx_ready, 1);
	assert_int_equal(rx(f, "x"), 1);
}

static void test_serial_fifo_enable_sets_iir_fifo_bits(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO);
	assert_int_equal(rd(f, UART_IIR), 0xc0 | UART_IIR_NO_INT);
}

static void test_serial_fcr_bits_ignored_without_enable(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_FCR, UART_FCR_TRIGGER_14);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(serial_8250_rx_space(&f->uart), 1);
}

static void test_serial_fifo_holds_16_bytes(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO);
	assert_int_equal(serial_8250_rx_space(&f->uart), 16);
	assert_int_equal(rx(f, "0123456789abcdefXYZ"), 16);
	assert_int_equal(serial_8250_rx_space(&f->uart), 0);
}

static void test_serial_fifo_off_holds_one_byte(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(serial_8250_rx_space(&f->uart), 1);
	assert_int_equal(rx(f, "ab"), 1);
	assert_int_equal(serial_8250_rx_space(&f->uart), 0);
}

static void test_serial_rbr_reads_fifo_in_order_then_dr_clears(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO);
	assert_int_equal(rx(f, "hi!"), 3);
	assert_int_equal(rd(f, UART_RX), 'h');
	assert_int_equal(rd(f, UART_RX), 'i');
	assert_true(rd(f, UART_LSR) & UART_LSR_DR);
	assert_int_equal(rd(f, UART_RX), '!');
	assert_false(rd(f, UART_LSR) & UART_LSR_DR);
}

/* Each trigger level: one byte short gives a timeout, the level RX data. */
static void test_serial_fifo_trigger_level_selects_rdi(void **state)
{
	static const struct { uint8_t fcr; unsigned level; } t[] = {
		{ UART_FCR_TRIGGER_1, 1 }, { UART_FCR_TRIGGER_4, 4 },
		{ UART_FCR_TRIGGER_8, 8 }, { UART_FCR_TRIGGER_14, 14 },
	};
	struct fixture *f = *state;
	const uint8_t bytes[14] = { 0 };

	wr(f, UART_IER, UART_IER_RDI);
	for (unsigned i = 0; i < 4; i++) {
		wr(f, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR |
					t[i].fcr);
		serial_8250_receive(&f->uart, bytes, t[i].level - 1);
		assert_int_equal(rd(f, UART_IIR), t[i].level == 1 ?
				 0xc1 : 0xc0 | UART_IIR_RX_TIMEOUT);
		serial_8250_receive(&f->uart, bytes, 1);
		assert_int_equal(rd(f, UART_IIR), 0xc0 | UART_IIR_RDI);
		assert_true(f->rec.irq);
	}
}

static void test_serial_fifo_timeout_masked_by_ier(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_TRIGGER_8);
	assert_int_equal(rx(f, "ab"), 2);
	assert_int_equal(rd(f, UART_IIR), 0xc0 | UART_IIR_NO_INT);
	assert_false(f->rec.irq);
}

static void test_serial_fcr_clear_rcvr_empties_fifo(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO);
	assert_int_equal(rx(f, "abc"), 3);
	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR);
	assert_false(rd(f, UART_LSR) & UART_LSR_DR);
	assert_int_equal(serial_8250_rx_space(&f->uart), 16);
}

static void test_serial_fifo_disable_empties_fifo(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO);
	assert_int_equal(rx(f, "abc"), 3);
	wr(f, UART_FCR, 0);
	assert_false(rd(f, UART_LSR) & UART_LSR_DR);
	assert_int_equal(serial_8250_rx_space(&f->uart), 1);
}

static void test_serial_overrun_sets_oe_and_drops_byte(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO);
	wr(f, UART_MCR, UART_MCR_LOOP);
	for (unsigned i = 0; i < 17; i++)
		wr(f, UART_TX, (uint8_t)i);
	assert_int_equal(rd(f, UART_LSR) & (UART_LSR_OE | UART_LSR_DR),
			 UART_LSR_OE | UART_LSR_DR);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(rd(f, UART_RX), i);
	assert_false(rd(f, UART_LSR) & UART_LSR_DR);	/* 16 was lost */
}

static void test_serial_overrun_without_fifo_keeps_newest(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_MCR, UART_MCR_LOOP);
	wr(f, UART_TX, 'o');
	wr(f, UART_TX, 'n');
	assert_true(rd(f, UART_LSR) & UART_LSR_OE);
	assert_int_equal(rd(f, UART_RX), 'n');
}

static void test_serial_lsr_read_clears_oe(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_MCR, UART_MCR_LOOP);
	wr(f, UART_TX, 1);
	wr(f, UART_TX, 2);
	assert_true(rd(f, UART_LSR) & UART_LSR_OE);
	assert_int_equal(rd(f, UART_LSR),
			 UART_LSR_THRE | UART_LSR_TEMT | UART_LSR_DR);
}

static void test_serial_rx_ready_after_full_fifo_drains(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO);
	assert_int_equal(rx(f, "0123456789abcdef"), 16);
	assert_int_equal(f->rec.nr_rx_ready, 0);
	(void)rd(f, UART_RX);
	assert_int_equal(f->rec.nr_rx_ready, 1);
	(void)rd(f, UART_RX);
	assert_int_equal(f->rec.nr_rx_ready, 1);	/* once per stall */
}

static void test_serial_rx_ready_not_called_when_never_full(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO);
	assert_int_equal(rx(f, "abc"), 3);
	(void)rd(f, UART_RX);
	(void)rd(f, UART_RX);
	assert_int_equal(f->rec.nr_rx_ready, 0);
}

static void test_serial_reset_clears_state_and_lowers_irq(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO);
	wr(f, UART_IER, UART_IER_RDI);
	wr(f, UART_SCR, 0x77);
	assert_int_equal(rx(f, "0123456789abcdef"), 16);
	assert_true(f->rec.irq);
	serial_8250_reset(&f->uart);
	assert_false(f->rec.irq);
	assert_int_equal(f->rec.nr_rx_ready, 1);	/* room again */
	assert_int_equal(rd(f, UART_SCR), 0);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(serial_8250_rx_space(&f->uart), 1);
}

static void test_serial_null_ops_are_allowed(void **state)
{
	struct serial_8250 s;

	(void)state;
	serial_8250_init(&s, NULL, NULL);
	serial_8250_write(&s, UART_IER, UART_IER_THRI);
	serial_8250_write(&s, UART_TX, 'q');
	assert_int_equal(serial_8250_read(&s, UART_IIR), UART_IIR_THRI);
}

/*
 * Linux's 8250 autoconfig(), step by step (drivers/tty/serial/8250/
 * 8250_port.c): IER probe, loopback test, FIFO bits of IIR, then the
 * tests that tell a 16550A from its relatives, and size_fifo().
 */
static unsigned linux_size_fifo(struct fixture *f)
{
	uint8_t lcr = rd(f, UART_LCR), fcr, mcr, dll, dlm;
	unsigned n;

	wr(f, UART_LCR, 0);
	fcr = rd(f, UART_FCR);		/* reads IIR, as Linux does */
	mcr = rd(f, UART_MCR);
	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR |
				UART_FCR_CLEAR_XMIT);
	wr(f, UART_MCR, UART_MCR_LOOP);
	wr(f, UART_LCR, UART_LCR_CONF_MODE_A);
	dll = rd(f, UART_DLL);
	dlm = rd(f, UART_DLM);
	wr(f, UART_DLL, 1);
	wr(f, UART_DLM, 0);
	wr(f, UART_LCR, UART_LCR_WLEN8);
	for (n = 0; n < 256; n++)
		wr(f, UART_TX, (uint8_t)n);
	for (n = 0; (rd(f, UART_LSR) & UART_LSR_DR) && n < 256; n++)
		(void)rd(f, UART_RX);
	wr(f, UART_FCR, fcr);
	wr(f, UART_MCR, mcr);
	wr(f, UART_LCR, UART_LCR_CONF_MODE_A);
	wr(f, UART_DLL, dll);
	wr(f, UART_DLM, dlm);
	wr(f, UART_LCR, lcr);
	return n;
}

static bool linux_has_efr_or_natsemi(struct fixture *f)
{
	uint8_t mcr, excr;

	wr(f, UART_LCR, UART_LCR_CONF_MODE_A);
	if (rd(f, UART_EFR) == 0)
		return true;			/* ST16C650V1 */
	wr(f, UART_LCR, UART_LCR_CONF_MODE_B);
	if (rd(f, UART_EFR) == 0)
		return true;			/* EFR v2 */
	wr(f, UART_LCR, 0);
	mcr = rd(f, UART_MCR);
	wr(f, UART_LCR, 0xe0);
	excr = rd(f, 2);
	if (!((excr ^ mcr) & UART_MCR_LOOP)) {
		wr(f, UART_LCR, 0);
		wr(f, UART_MCR, mcr ^ UART_MCR_LOOP);
		wr(f, UART_LCR, 0xe0);
		excr = rd(f, 2);
		wr(f, UART_LCR, 0);
		wr(f, UART_MCR, mcr);
		if ((excr ^ mcr) & UART_MCR_LOOP)
			return true;		/* NatSemi SuperIO */
	}
	return false;
}

static bool linux_is_16750_or_xscale(struct fixture *f)
{
	uint8_t a, b, ier;

	wr(f, UART_LCR, 0);
	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
	a = rd(f, UART_IIR) >> 5;
	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO);
	wr(f, UART_LCR, UART_LCR_CONF_MODE_A);
	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
	b = rd(f, UART_IIR) >> 5;
	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO);
	wr(f, UART_LCR, 0);
	if (a == 6 && b == 7)
		return true;
	ier = rd(f, UART_IER);
	wr(f, UART_IER, ier & ~0x40);
	if (!(rd(f, UART_IER) & 0x40)) {
		wr(f, UART_IER, ier | 0x40);
		if (rd(f, UART_IER) & 0x40)
			return true;		/* XScale UUE bit */
	}
	wr(f, UART_IER, ier);
	return false;
}

static const char *linux_autoconfig(struct fixture *f)
{
	uint8_t ier = rd(f, UART_IER), a, b, lcr, mcr, msr;
	const char *type = "16550A";

	wr(f, UART_IER, 0);
	a = rd(f, UART_IER) & 0x0f;
	wr(f, UART_IER, 0x0f);
	b = rd(f, UART_IER) & 0x0f;
	wr(f, UART_IER, ier);
	if (a != 0 || b != 0x0f)
		return "none (IER test)";
	mcr = rd(f, UART_MCR);
	lcr = rd(f, UART_LCR);
	wr(f, UART_MCR, UART_MCR_LOOP | 0x0a);
	msr = rd(f, UART_MSR) & 0xf0;
	wr(f, UART_MCR, mcr);
	if (msr != 0x90)
		return "none (loop test)";
	wr(f, UART_LCR, UART_LCR_CONF_MODE_B);
	wr(f, UART_EFR, 0);
	wr(f, UART_LCR, 0);
	wr(f, UART_FCR, UART_FCR_ENABLE_FIFO);
	if (rd(f, UART_IIR) >> 6 != 3)
		return "8250/16450/16550";
	if (linux_has_efr_or_natsemi(f) || linux_is_16750_or_xscale(f))
		type = "a 16550A relative";
	else if (linux_size_fifo(f) != 16)
		type = "U6_16550A";
	wr(f, UART_LCR, lcr);
	return type;
}

static void test_serial_linux_autoconfig_finds_16550a(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(linux_autoconfig(f), "16550A");
}

static void test_serial_linux_autoconfig_sends_nothing_out(void **state)
{
	struct fixture *f = *state;

	(void)linux_autoconfig(f);
	assert_int_equal(f->rec.nr_tx, 0);
	assert_int_equal(rd(f, UART_MCR), 0);
	assert_int_equal(rd(f, UART_LCR), 0);
}

static void test_serial_register_routes_port_io(void **state)
{
	struct fixture *f = *state;
	struct bus pio;
	uint8_t v = 'P', lsr = 0;

	bus_init(&pio, "pio");
	assert_int_equal(serial_8250_register(&f->uart, &pio, COM1), 0);
	assert_true(bus_write(&pio, COM1 + UART_TX, &v, 1));
	assert_true(bus_read(&pio, COM1 + UART_LSR, &lsr, 1));
	assert_int_equal(f->rec.nr_tx, 1);
	assert_int_equal(f->rec.tx[0], 'P');
	assert_int_equal(lsr, UART_LSR_THRE | UART_LSR_TEMT);
	bus_destroy(&pio);
}

static void test_serial_register_splits_word_access(void **state)
{
	struct fixture *f = *state;
	struct bus pio;
	uint16_t w = 0x0b83, back = 0;	/* LCR = 0x83, MCR = 0x0b */

	bus_init(&pio, "pio");
	assert_int_equal(serial_8250_register(&f->uart, &pio, COM1), 0);
	assert_true(bus_write(&pio, COM1 + UART_LCR, &w, 2));
	assert_int_equal(rd(f, UART_LCR), 0x83);
	assert_int_equal(rd(f, UART_MCR), 0x0b);
	assert_true(bus_read(&pio, COM1 + UART_LCR, &back, 2));
	assert_int_equal(back, 0x0b83);
	bus_destroy(&pio);
}

static void test_serial_register_overlap_fails_ebusy(void **state)
{
	struct fixture *f = *state;
	struct serial_8250 other;
	struct bus pio;

	bus_init(&pio, "pio");
	serial_8250_init(&other, NULL, NULL);
	assert_int_equal(serial_8250_register(&f->uart, &pio, COM1), 0);
	assert_int_equal(serial_8250_register(&other, &pio, COM1 + 4),
			 -EBUSY);
	bus_destroy(&pio);
}

#define T(name) cmocka_unit_test_setup(name, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_serial_reset_registers_have_power_on_values),
		T(test_serial_reset_divisor_is_9600_baud),
		T(test_serial_dlab_routes_offsets_0_1_to_divisor),
		T(test_serial_thr_write_calls_tx),
		T(test_serial_lsr_thre_temt_set_right_after_write),
		T(test_serial_ier_keeps_low_nibble_only),
		T(test_serial_mcr_keeps_low_5_bits_only),
		T(test_serial_scratch_register_holds_value),
		T(test_serial_register_number_wraps_at_8),
		T(test_serial_thri_enable_raises_thre_interrupt),
		T(test_serial_iir_read_acknowledges_thre),
		T(test_serial_thr_write_rearms_thre),
		T(test_serial_ier_toggle_rearms_thre),
		T(test_serial_set_irq_called_on_changes_only),
		T(test_serial_iir_rx_data_beats_thre),
		T(test_serial_iir_line_status_beats_rx_data),
		T(test_serial_iir_modem_status_is_lowest),
		T(test_serial_msr_read_clears_deltas_and_msi),
		T(test_serial_msr_ri_delta_on_trailing_edge_only),
		T(test_serial_loopback_msr_mirrors_mcr),
		T(test_serial_loopback_tx_goes_to_rx_not_host),
		T(test_serial_loopback_refuses_host_input),
		T(test_serial_leaving_loopback_calls_rx_ready),
		T(test_serial_fifo_enable_sets_iir_fifo_bits),
		T(test_serial_fcr_bits_ignored_without_enable),
		T(test_serial_fifo_holds_16_bytes),
		T(test_serial_fifo_off_holds_one_byte),
		T(test_serial_rbr_reads_fifo_in_order_then_dr_clears),
		T(test_serial_fifo_trigger_level_selects_rdi),
		T(test_serial_fifo_timeout_masked_by_ier),
		T(test_serial_fcr_clear_rcvr_empties_fifo),
		T(test_serial_fifo_disable_empties_fifo),
		T(test_serial_overrun_sets_oe_and_drops_byte),
		T(test_serial_overrun_without_fifo_keeps_newest),
		T(test_serial_lsr_read_clears_oe),
		T(test_serial_rx_ready_after_full_fifo_drains),
		T(test_serial_rx_ready_not_called_when_never_full),
		T(test_serial_reset_clears_state_and_lowers_irq),
		T(test_serial_null_ops_are_allowed),
		T(test_serial_linux_autoconfig_finds_16550a),
		T(test_serial_linux_autoconfig_sends_nothing_out),
		T(test_serial_register_routes_port_io),
		T(test_serial_register_splits_word_access),
		T(test_serial_register_overlap_fails_ebusy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
