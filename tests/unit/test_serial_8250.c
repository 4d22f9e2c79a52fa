// SPDX-License-Identifier: MIT
/*
 * serial_8250: the 16550A register model seen from the guest (DLAB, IIR
 * priorities, THRE re-arm, LSR/MSR, loopback), reset, and the bus glue.
 * The FIFO and the host side are in test_serial_8250_fifo.c, Linux's UART
 * autoconfig sequence in test_serial_8250_autoconfig.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "serial_8250_test_util.h"

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

/* A port I/O bus with the fixture's UART at COM1. */
static void com1_on_bus(struct fixture *f, struct bus *pio)
{
	bus_init(pio, "pio");
	assert_int_equal(serial_8250_register(&f->uart, pio, COM1), 0);
}

static void test_serial_register_routes_port_io(void **state)
{
	struct fixture *f = *state;
	struct bus pio;
	uint8_t v = 'P', lsr = 0;

	com1_on_bus(f, &pio);
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

	com1_on_bus(f, &pio);
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

	com1_on_bus(f, &pio);
	serial_8250_init(&other, NULL, NULL);
	assert_int_equal(serial_8250_register(&other, &pio, COM1 + 4),
			 -EBUSY);
	bus_destroy(&pio);
}

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
		T(test_serial_reset_clears_state_and_lowers_irq),
		T(test_serial_null_ops_are_allowed),
		T(test_serial_register_routes_port_io),
		T(test_serial_register_splits_word_access),
		T(test_serial_register_overlap_fails_ebusy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
