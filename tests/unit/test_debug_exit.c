// SPDX-License-Identifier: MIT
/*
 * debug_exit: QEMU 7.2's isa-debug-exit semantics (status (V << 1) | 1,
 * low byte; any width; any offset; reads 0; iobase 0x501, iosize 2),
 * measured against qemu-system-x86_64 with a boot-sector guest, and the
 * argument checks of debug_exit_init().
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "hw/debug_exit.h"

#define BASE DEBUG_EXIT_DEFAULT_IOBASE

struct fixture {
	struct bus pio;
	struct debug_exit dev;
	unsigned nr_exits;
	int status;
};

static void rec_exit(void *opaque, int status)
{
	struct fixture *f = opaque;

	f->nr_exits++;
	f->status = status;
}

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	bus_init(&f.pio, "pio");
	assert_int_equal(debug_exit_init(&f.dev, &f.pio, BASE,
					 DEBUG_EXIT_DEFAULT_IOSIZE, rec_exit,
					 &f), 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	bus_destroy(&f->pio);
	return 0;
}

static void out(struct fixture *f, uint16_t port, uint32_t v, unsigned size)
{
	assert_true(bus_write(&f->pio, port, &v, size));
}

static void test_debug_exit_byte_write_gives_shifted_status(void **state)
{
	struct fixture *f = *state;

	out(f, BASE, 5, 1);
	assert_int_equal(f->nr_exits, 1);
	assert_int_equal(f->status, 11);
}

static void test_debug_exit_zero_gives_status_1(void **state)
{
	struct fixture *f = *state;

	out(f, BASE, 0, 1);
	assert_int_equal(f->status, 1);
}

/*
 * QEMU 7.2 with iobase=0xf4,iosize=4 (the usual setting for 32-bit
 * writes): outl(0x81, 0xf4) ends the process with status 3.
 */
static void test_debug_exit_dword_write_keeps_low_byte(void **state)
{
	struct fixture *f = *state;
	struct debug_exit d;

	assert_int_equal(debug_exit_init(&d, &f->pio, 0xf4, 4, rec_exit, f),
			 0);
	out(f, 0xf4, 0x81, 4);
	assert_int_equal(f->status, 3);
}

static void test_debug_exit_word_write_uses_whole_value(void **state)
{
	struct fixture *f = *state;

	out(f, BASE, 0x0102, 2);
	assert_int_equal(f->status, 0x05);
}

/* QEMU 7.2: outb(5, 0x502) also exits, with status 11. */
static void test_debug_exit_second_port_also_exits(void **state)
{
	struct fixture *f = *state;

	out(f, BASE + 1, 5, 1);
	assert_int_equal(f->nr_exits, 1);
	assert_int_equal(f->status, 11);
}

/* QEMU 7.2: inb and inw at 0x501 read 0. */
static void test_debug_exit_reads_return_zero(void **state)
{
	struct fixture *f = *state;
	uint16_t w = 0xffff;
	uint8_t b = 0xff;

	assert_true(bus_read(&f->pio, BASE, &b, 1));
	assert_true(bus_read(&f->pio, BASE, &w, 2));
	assert_int_equal(b, 0);
	assert_int_equal(w, 0);
	assert_int_equal(f->nr_exits, 0);
}

static void test_debug_exit_claims_exactly_its_ports(void **state)
{
	struct fixture *f = *state;

	assert_null(bus_find(&f->pio, BASE - 1));
	assert_non_null(bus_find(&f->pio, BASE));
	assert_non_null(bus_find(&f->pio, BASE + 1));
	assert_null(bus_find(&f->pio, BASE + 2));
}

static void test_debug_exit_status_helper_keeps_low_byte(void **state)
{
	(void)state;
	assert_int_equal(debug_exit_status(0x7f), 0xff);
	assert_int_equal(debug_exit_status(0x80), 0x01);
	assert_int_equal(debug_exit_status(0xffffffffULL), 0xff);
}

static void test_debug_exit_custom_iobase_claims_iosize_ports(void **state)
{
	struct fixture *f = *state;
	struct debug_exit d;

	assert_int_equal(debug_exit_init(&d, &f->pio, 0xf4, 4, rec_exit, f),
			 0);
	assert_non_null(bus_find(&f->pio, 0xf7));
	assert_null(bus_find(&f->pio, 0xf8));
	out(f, 0xf7, 0x10, 1);
	assert_int_equal(f->status, 0x21);
}

static void test_debug_exit_zero_size_is_einval(void **state)
{
	struct fixture *f = *state;
	struct debug_exit d;

	assert_int_equal(debug_exit_init(&d, &f->pio, 0x600, 0, rec_exit, f),
			 -EINVAL);
}

static void test_debug_exit_range_past_port_space_is_einval(void **state)
{
	struct fixture *f = *state;
	struct debug_exit d;

	assert_int_equal(debug_exit_init(&d, &f->pio, 0xffff, 2, rec_exit, f),
			 -EINVAL);
	assert_null(bus_find(&f->pio, 0xffff));
}

static void test_debug_exit_last_ports_are_allowed(void **state)
{
	struct fixture *f = *state;
	struct debug_exit d;

	assert_int_equal(debug_exit_init(&d, &f->pio, 0xfffe, 2, rec_exit, f),
			 0);
}

static void test_debug_exit_overlap_is_ebusy(void **state)
{
	struct fixture *f = *state;
	struct debug_exit d;

	assert_int_equal(debug_exit_init(&d, &f->pio, BASE + 1, 2, rec_exit,
					 f), -EBUSY);
}

static void test_debug_exit_without_callback_is_ignored(void **state)
{
	struct fixture *f = *state;
	struct debug_exit d;

	assert_int_equal(debug_exit_init(&d, &f->pio, 0x700, 1, NULL, NULL),
			 0);
	out(f, 0x700, 1, 1);
	assert_int_equal(f->nr_exits, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_debug_exit_byte_write_gives_shifted_status),
		T(test_debug_exit_zero_gives_status_1),
		T(test_debug_exit_dword_write_keeps_low_byte),
		T(test_debug_exit_word_write_uses_whole_value),
		T(test_debug_exit_second_port_also_exits),
		T(test_debug_exit_reads_return_zero),
		T(test_debug_exit_claims_exactly_its_ports),
		T(test_debug_exit_status_helper_keeps_low_byte),
		T(test_debug_exit_custom_iobase_claims_iosize_ports),
		T(test_debug_exit_zero_size_is_einval),
		T(test_debug_exit_range_past_port_space_is_einval),
		T(test_debug_exit_last_ports_are_allowed),
		T(test_debug_exit_overlap_is_ebusy),
		T(test_debug_exit_without_callback_is_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
