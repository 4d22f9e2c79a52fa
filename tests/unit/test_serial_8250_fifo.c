// SPDX-License-Identifier: MIT
/*
 * serial_8250: the receive FIFO and the host side: FIFO enable and size,
 * trigger levels and the character timeout, clearing, overrun, and when
 * rx_ready tells the host there is room again. Single-threaded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "serial_8250_test_util.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
