// SPDX-License-Identifier: MIT
/*
 * serial_8250: Linux's UART autoconfig sequence played against the model,
 * which must come out as a plain 16550A with a 16-byte FIFO and leave no
 * trace (no byte sent, MCR and LCR restored). Single-threaded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "serial_8250_test_util.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_serial_linux_autoconfig_finds_16550a),
		T(test_serial_linux_autoconfig_sends_nothing_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
