// SPDX-License-Identifier: MIT
/*
 * Polled 16550 driver for COM1 (0x3F8), 115200 8N1, no interrupts, plus
 * the console lock that keeps lines from different CPUs apart. Runs at
 * CPL3; the port accesses go through the TSS I/O bitmap.
 */
#include "guest.h"
#include "cpu.h"
#include "io.h"

#define COM1 0x3f8
#define UART_RBR 0 /* receive buffer (read, DLAB=0) */
#define UART_THR 0 /* transmit holding (write, DLAB=0) */
#define UART_DLL 0 /* divisor low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1 /* divisor high (DLAB=1) */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5

#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define MCR_DTR_RTS 0x03      /* no OUT2: we never want the IRQ */
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

/*
 * Bounded waits: with no UART at all LSR reads 0xff (THRE set), but a
 * wedged device model must not hang the guest forever on output.
 */
#define TX_SPIN_LIMIT 10000000

static int console_locked;

/*
 * FCR is deliberately not written: changing the FIFO enable bit resets the
 * receive FIFO, which loses bytes a test already sent (the VMM delivers
 * stdin while the firmware runs) and, in QEMU 7.2, stalls further input.
 * Polled I/O works the same with or without the FIFO.
 */
void uart_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, 1); /* 115200 baud = 1.8432 MHz / 16 / 1 */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_MCR, MCR_DTR_RTS);
}

static void uart_tx(char c)
{
	for (long i = 0; i < TX_SPIN_LIMIT; i++) {
		if (inb(COM1 + UART_LSR) & LSR_THRE)
			break;
		cpu_relax();
	}
	outb(COM1 + UART_THR, (uint8_t)c);
}

/* Plain '\n': the host tty (OPOST) adds the '\r' where one is wanted. */
void uart_putc(char c)
{
	uart_tx(c);
}

bool uart_try_getc(char *c)
{
	if (!(inb(COM1 + UART_LSR) & LSR_DR))
		return false;
	*c = (char)inb(COM1 + UART_RBR);
	return true;
}

int uart_getc(void)
{
	char c;

	while (!uart_try_getc(&c))
		cpu_relax();
	return (unsigned char)c;
}

/* Wait until the last byte has left the shift register (before exit). */
void uart_flush(void)
{
	for (long i = 0; i < TX_SPIN_LIMIT; i++) {
		if (inb(COM1 + UART_LSR) & LSR_TEMT)
			return;
		cpu_relax();
	}
}

void console_lock(void)
{
	while (__atomic_exchange_n(&console_locked, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
}

void console_unlock(void)
{
	__atomic_store_n(&console_locked, 0, __ATOMIC_RELEASE);
}

/* For the fault reporter: the faulting CPU may hold the lock itself. */
void console_break_lock(void)
{
	console_unlock();
}
