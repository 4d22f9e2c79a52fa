// SPDX-License-Identifier: MIT
/*
 * i8042: controller commands, the status register, the reset paths, the
 * keyboard's answers, the empty AUX port, IRQ 1/12 edges, and the probe
 * sequence Linux's i8042 and atkbd drivers run, all through the PIO bus.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "hw/i8042.h"

#define DATA 0x60
#define CMD 0x64

#define ST_OBF 0x01
#define ST_SYS 0x04
#define ST_CMD 0x08
#define ST_UNLOCKED 0x10
#define ST_AUX 0x20
#define ST_TIMEOUT 0x40

struct fixture {
	struct bus pio;
	struct i8042 kbd;
	unsigned nr_resets;
	bool level[16];
	unsigned edges[16];		/* rising edges per IRQ */
	unsigned nr_irq_calls;
};

static void rec_reset(void *opaque)
{
	struct fixture *f = opaque;

	f->nr_resets++;
}

static void rec_irq(void *opaque, unsigned irq, bool level)
{
	struct fixture *f = opaque;

	assert_true(irq == I8042_KBD_IRQ || irq == I8042_AUX_IRQ);
	if (level && !f->level[irq])
		f->edges[irq]++;
	f->level[irq] = level;
	f->nr_irq_calls++;
}

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	bus_init(&f.pio, "pio");
	assert_int_equal(i8042_init(&f.kbd, &f.pio, rec_reset, &f), 0);
	i8042_set_irq_handler(&f.kbd, rec_irq);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	bus_destroy(&f->pio);
	return 0;
}

static uint8_t in(struct fixture *f, uint16_t port)
{
	uint8_t v = 0;

	assert_true(bus_read(&f->pio, port, &v, 1));
	return v;
}

static void out(struct fixture *f, uint16_t port, uint8_t v)
{
	assert_true(bus_write(&f->pio, port, &v, 1));
}

/* Like Linux's i8042_command(): a result must be there at once. */
static uint8_t command_result(struct fixture *f, uint8_t cmd)
{
	out(f, CMD, cmd);
	assert_true(in(f, CMD) & ST_OBF);
	return in(f, DATA);
}

static uint8_t read_ctr(struct fixture *f)
{
	return command_result(f, 0x20);
}

static void write_ctr(struct fixture *f, uint8_t ctr)
{
	out(f, CMD, 0x60);
	out(f, DATA, ctr);
}

/* Reads @n bytes that must all be waiting, then checks nothing is left. */
static void expect_bytes(struct fixture *f, const uint8_t *want, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		assert_true(in(f, CMD) & ST_OBF);
		assert_int_equal(in(f, DATA), want[i]);
	}
	assert_false(in(f, CMD) & ST_OBF);
}

static void test_i8042_status_after_reset(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(in(f, CMD), ST_UNLOCKED | ST_SYS);
}

static void test_i8042_read_ctr_returns_bios_value(void **state)
{
	struct fixture *f = *state;

	out(f, CMD, 0x20);
	assert_int_equal(in(f, CMD), ST_UNLOCKED | ST_SYS | ST_CMD | ST_OBF);
	assert_int_equal(in(f, DATA), 0x65);
	assert_int_equal(in(f, CMD), ST_UNLOCKED | ST_SYS | ST_CMD);
}

static void test_i8042_write_ctr_is_read_back(void **state)
{
	struct fixture *f = *state;

	write_ctr(f, 0x47);
	assert_int_equal(read_ctr(f), 0x47);
}

static void test_i8042_status_sys_flag_follows_ctr(void **state)
{
	struct fixture *f = *state;

	write_ctr(f, 0x61);
	assert_false(in(f, CMD) & ST_SYS);
}

static void test_i8042_status_cmd_bit_tracks_last_port(void **state)
{
	struct fixture *f = *state;

	out(f, CMD, 0xa7);
	assert_true(in(f, CMD) & ST_CMD);
	out(f, DATA, 0xf4);
	assert_false(in(f, CMD) & ST_CMD);
}

static void test_i8042_self_test_answers_0x55(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(command_result(f, 0xaa), 0x55);
}

static void test_i8042_interface_tests_answer_ok(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(command_result(f, 0xab), 0x00);
	assert_int_equal(command_result(f, 0xa9), 0x00);
}

static void test_i8042_aux_disable_enable_toggle_ctr_bit5(void **state)
{
	struct fixture *f = *state;

	out(f, CMD, 0xa8);
	assert_int_equal(read_ctr(f), 0x45);
	out(f, CMD, 0xa7);
	assert_int_equal(read_ctr(f), 0x65);
}

static void test_i8042_kbd_disable_enable_toggle_ctr_bit4(void **state)
{
	struct fixture *f = *state;

	out(f, CMD, 0xad);
	assert_int_equal(read_ctr(f), 0x75);
	out(f, CMD, 0xae);
	assert_int_equal(read_ctr(f), 0x65);
}

static void test_i8042_cmd_0xfe_requests_reset(void **state)
{
	struct fixture *f = *state;

	out(f, CMD, 0xfe);
	assert_int_equal(f->nr_resets, 1);
}

static void test_i8042_pulse_with_bit0_low_requests_reset(void **state)
{
	struct fixture *f = *state;

	out(f, CMD, 0xf0);
	out(f, CMD, 0xf2);
	assert_int_equal(f->nr_resets, 2);
}

static void test_i8042_pulse_with_bit0_high_does_not_reset(void **state)
{
	struct fixture *f = *state;

	out(f, CMD, 0xff);
	out(f, CMD, 0xf1);
	assert_int_equal(f->nr_resets, 0);
}

static void test_i8042_outport_bit0_clear_requests_reset(void **state)
{
	struct fixture *f = *state;

	out(f, CMD, 0xd1);
	out(f, DATA, 0xdf);
	assert_int_equal(f->nr_resets, 0);
	out(f, CMD, 0xd1);
	out(f, DATA, 0xde);
	assert_int_equal(f->nr_resets, 1);
}

static void test_i8042_outport_is_read_back(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(command_result(f, 0xd0), 0xcf);
	out(f, CMD, 0xd1);
	out(f, DATA, 0x03);
	assert_int_equal(command_result(f, 0xd0), 0x03);
}

static void test_i8042_a20_commands_toggle_outport_bit1(void **state)
{
	struct fixture *f = *state;

	out(f, CMD, 0xdd);
	assert_int_equal(command_result(f, 0xd0), 0xcd);
	out(f, CMD, 0xdf);
	assert_int_equal(command_result(f, 0xd0), 0xcf);
}

static void test_i8042_kbd_loop_echoes_as_keyboard_data(void **state)
{
	struct fixture *f = *state;

	out(f, CMD, 0xd2);
	out(f, DATA, 0x42);
	assert_int_equal(in(f, CMD) & (ST_OBF | ST_AUX), ST_OBF);
	assert_int_equal(in(f, DATA), 0x42);
}

static void test_i8042_aux_loop_echoes_as_aux_data(void **state)
{
	struct fixture *f = *state;

	out(f, CMD, 0xd3);
	out(f, DATA, 0x5a);
	assert_int_equal(in(f, CMD) & (ST_OBF | ST_AUX), ST_OBF | ST_AUX);
	assert_int_equal(in(f, DATA), 0x5a);
}

static void test_i8042_aux_send_reports_timeout(void **state)
{
	struct fixture *f = *state;

	out(f, CMD, 0xd4);
	out(f, DATA, 0xf2);
	assert_int_equal(in(f, CMD) & (ST_OBF | ST_AUX | ST_TIMEOUT),
			 ST_OBF | ST_AUX | ST_TIMEOUT);
	assert_int_equal(in(f, DATA), 0xfe);
	assert_false(in(f, CMD) & (ST_OBF | ST_TIMEOUT));
}

static void test_i8042_kbd_command_gets_ack(void **state)
{
	struct fixture *f = *state;

	out(f, DATA, 0xf4);
	expect_bytes(f, (const uint8_t[]){ 0xfa }, 1);
}

static void test_i8042_kbd_reset_answers_ack_then_bat_ok(void **state)
{
	struct fixture *f = *state;

	out(f, DATA, 0xff);
	expect_bytes(f, (const uint8_t[]){ 0xfa, 0xaa }, 2);
}

static void test_i8042_kbd_getid_is_translated_mf2(void **state)
{
	struct fixture *f = *state;

	out(f, DATA, 0xf2);
	expect_bytes(f, (const uint8_t[]){ 0xfa, 0xab, 0x41 }, 3);
}

static void test_i8042_kbd_getid_untranslated_mf2(void **state)
{
	struct fixture *f = *state;

	write_ctr(f, 0x25);	/* XLATE off */
	out(f, DATA, 0xf2);
	expect_bytes(f, (const uint8_t[]){ 0xfa, 0xab, 0x83 }, 3);
}

static void test_i8042_kbd_echo_answers_0xee(void **state)
{
	struct fixture *f = *state;

	out(f, DATA, 0xee);
	expect_bytes(f, (const uint8_t[]){ 0xee }, 1);
}

static void test_i8042_kbd_set_leds_takes_parameter(void **state)
{
	struct fixture *f = *state;

	out(f, DATA, 0xed);
	expect_bytes(f, (const uint8_t[]){ 0xfa }, 1);
	out(f, DATA, 0xff);	/* a parameter here, not a reset */
	expect_bytes(f, (const uint8_t[]){ 0xfa }, 1);
}

static void test_i8042_kbd_scan_set_query_answers_set_2(void **state)
{
	struct fixture *f = *state;

	out(f, DATA, 0xf0);
	out(f, DATA, 0x00);
	expect_bytes(f, (const uint8_t[]){ 0xfa, 0xfa, 0x02 }, 3);
}

static void test_i8042_kbd_write_reenables_kbd_interface(void **state)
{
	struct fixture *f = *state;

	out(f, CMD, 0xad);
	out(f, DATA, 0xf4);
	expect_bytes(f, (const uint8_t[]){ 0xfa }, 1);
	assert_int_equal(read_ctr(f) & 0x10, 0);
}

static void test_i8042_kbd_bytes_wait_while_kbd_disabled(void **state)
{
	struct fixture *f = *state;

	out(f, DATA, 0xf2);
	out(f, CMD, 0xad);
	assert_int_equal(in(f, DATA), 0xfa);	/* already in the buffer */
	assert_false(in(f, CMD) & ST_OBF);
	out(f, CMD, 0xae);
	expect_bytes(f, (const uint8_t[]){ 0xab, 0x41 }, 2);
}

static void test_i8042_controller_answer_goes_first(void **state)
{
	struct fixture *f = *state;

	out(f, DATA, 0xf2);		/* ACK now sits in the buffer */
	out(f, CMD, 0x20);
	expect_bytes(f, (const uint8_t[]){ 0x65, 0xfa, 0xab, 0x41 }, 4);
}

static void test_i8042_new_command_cancels_pending_one(void **state)
{
	struct fixture *f = *state;

	out(f, CMD, 0x60);
	out(f, CMD, 0xaa);
	out(f, DATA, 0x00);	/* goes to the keyboard, not into CTR */
	expect_bytes(f, (const uint8_t[]){ 0x55, 0xfa }, 2);
	assert_int_equal(read_ctr(f), 0x65);
}

static void test_i8042_empty_buffer_reads_last_byte(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(command_result(f, 0xaa), 0x55);
	assert_int_equal(in(f, DATA), 0x55);
	assert_false(in(f, CMD) & ST_OBF);
}

static void test_i8042_irq1_edge_per_keyboard_byte(void **state)
{
	struct fixture *f = *state;

	out(f, DATA, 0xf2);
	assert_true(f->level[I8042_KBD_IRQ]);
	(void)in(f, DATA);
	(void)in(f, DATA);
	(void)in(f, DATA);
	assert_int_equal(f->edges[I8042_KBD_IRQ], 3);
	assert_false(f->level[I8042_KBD_IRQ]);
	assert_int_equal(f->edges[I8042_AUX_IRQ], 0);
}

static void test_i8042_irq1_masked_by_ctr_kbdint(void **state)
{
	struct fixture *f = *state;

	write_ctr(f, 0x64);
	out(f, DATA, 0xf4);
	assert_true(in(f, CMD) & ST_OBF);
	assert_int_equal(f->nr_irq_calls, 0);
}

static void test_i8042_irq12_for_aux_data_when_auxint(void **state)
{
	struct fixture *f = *state;

	write_ctr(f, 0x47);	/* AUXINT on, AUX enabled */
	out(f, CMD, 0xd3);
	out(f, DATA, 0xa5);
	assert_true(f->level[I8042_AUX_IRQ]);
	assert_false(f->level[I8042_KBD_IRQ]);
	(void)in(f, DATA);
	assert_false(f->level[I8042_AUX_IRQ]);
}

static void test_i8042_irq12_masked_without_auxint(void **state)
{
	struct fixture *f = *state;

	out(f, CMD, 0xd3);
	out(f, DATA, 0xa5);
	assert_false(f->level[I8042_AUX_IRQ]);
	assert_false(f->level[I8042_KBD_IRQ]);
}

static void test_i8042_reset_restores_power_on_state(void **state)
{
	struct fixture *f = *state;

	write_ctr(f, 0x03);
	out(f, DATA, 0xf2);
	assert_true(f->level[I8042_KBD_IRQ]);
	i8042_reset(&f->kbd);
	assert_false(f->level[I8042_KBD_IRQ]);
	assert_int_equal(in(f, CMD), ST_UNLOCKED | ST_SYS);
	assert_int_equal(read_ctr(f), 0x65);
}

static void test_i8042_other_ports_read_ff(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(i8042_read(&f->kbd, 0x61), 0xff);
	i8042_write(&f->kbd, 0x61, 0xfe);
	assert_int_equal(f->nr_resets, 0);
}

static void test_i8042_init_leaves_port_0x61_free(void **state)
{
	struct fixture *f = *state;

	assert_null(bus_find(&f->pio, 0x61));
	assert_non_null(bus_find(&f->pio, DATA));
	assert_non_null(bus_find(&f->pio, CMD));
}

static void test_i8042_init_conflict_fails_and_unwinds(void **state)
{
	static const struct io_ops dummy;
	struct i8042 k;
	struct bus pio;

	(void)state;
	bus_init(&pio, "pio");
	assert_int_equal(bus_add(&pio, CMD, 1, &dummy, NULL, "taken"), 0);
	assert_int_equal(i8042_init(&k, &pio, NULL, NULL), -EBUSY);
	assert_null(bus_find(&pio, DATA));
	bus_destroy(&pio);
}

static void test_i8042_works_without_callbacks(void **state)
{
	struct i8042 k;
	struct bus pio;

	(void)state;
	bus_init(&pio, "pio");
	assert_int_equal(i8042_init(&k, &pio, NULL, NULL), 0);
	i8042_write(&k, CMD, 0xfe);
	i8042_write(&k, DATA, 0xf4);
	assert_int_equal(i8042_read(&k, DATA), 0xfa);
	bus_destroy(&pio);
}

/*
 * Linux's i8042_check_aux(): the AUX loop answers with AUX data, the
 * enable bit toggles, and the loop byte raises IRQ 12 once AUXINT is on;
 * then i8042_check_mux() sees a plain echo (no multiplexer).
 */
static void test_i8042_linux_check_aux_finds_port_without_mux(void **state)
{
	struct fixture *f = *state;
	const uint8_t mux_probe[] = { 0xf0, 0x56, 0xa4 };

	out(f, CMD, 0xd3);
	out(f, DATA, 0x5a);
	assert_true(in(f, CMD) & ST_AUX);
	assert_int_equal(in(f, DATA), 0x5a);
	out(f, CMD, 0xa7);
	assert_true(read_ctr(f) & 0x20);
	out(f, CMD, 0xa8);
	assert_false(read_ctr(f) & 0x20);
	write_ctr(f, 0x47);
	out(f, CMD, 0xd3);
	out(f, DATA, 0xa5);
	assert_int_equal(f->edges[I8042_AUX_IRQ], 1);
	assert_int_equal(in(f, DATA), 0xa5);
	for (unsigned i = 0; i < 3; i++) {
		out(f, CMD, 0xd3);
		out(f, DATA, mux_probe[i]);
		assert_int_equal(in(f, DATA), mux_probe[i]);	/* no MUX */
	}
}

/* atkbd_probe() + activation as Linux 6.1 runs them, IRQ-driven. */
static void test_i8042_linux_atkbd_probe_gets_keyboard(void **state)
{
	struct fixture *f = *state;
	const uint8_t cmds[] = { 0xf5, 0xed, 0x00, 0xf3, 0x00, 0xf4 };

	write_ctr(f, 0x45);		/* i8042_enable_kbd_port() */
	out(f, DATA, 0xf2);
	expect_bytes(f, (const uint8_t[]){ 0xfa, 0xab, 0x41 }, 3);
	for (unsigned i = 0; i < sizeof(cmds); i++) {
		out(f, DATA, cmds[i]);
		expect_bytes(f, (const uint8_t[]){ 0xfa }, 1);
	}
	assert_int_equal(f->edges[I8042_KBD_IRQ], 3 + sizeof(cmds));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_i8042_status_after_reset),
		T(test_i8042_read_ctr_returns_bios_value),
		T(test_i8042_write_ctr_is_read_back),
		T(test_i8042_status_sys_flag_follows_ctr),
		T(test_i8042_status_cmd_bit_tracks_last_port),
		T(test_i8042_self_test_answers_0x55),
		T(test_i8042_interface_tests_answer_ok),
		T(test_i8042_aux_disable_enable_toggle_ctr_bit5),
		T(test_i8042_kbd_disable_enable_toggle_ctr_bit4),
		T(test_i8042_cmd_0xfe_requests_reset),
		T(test_i8042_pulse_with_bit0_low_requests_reset),
		T(test_i8042_pulse_with_bit0_high_does_not_reset),
		T(test_i8042_outport_bit0_clear_requests_reset),
		T(test_i8042_outport_is_read_back),
		T(test_i8042_a20_commands_toggle_outport_bit1),
		T(test_i8042_kbd_loop_echoes_as_keyboard_data),
		T(test_i8042_aux_loop_echoes_as_aux_data),
		T(test_i8042_aux_send_reports_timeout),
		T(test_i8042_kbd_command_gets_ack),
		T(test_i8042_kbd_reset_answers_ack_then_bat_ok),
		T(test_i8042_kbd_getid_is_translated_mf2),
		T(test_i8042_kbd_getid_untranslated_mf2),
		T(test_i8042_kbd_echo_answers_0xee),
		T(test_i8042_kbd_set_leds_takes_parameter),
		T(test_i8042_kbd_scan_set_query_answers_set_2),
		T(test_i8042_kbd_write_reenables_kbd_interface),
		T(test_i8042_kbd_bytes_wait_while_kbd_disabled),
		T(test_i8042_controller_answer_goes_first),
		T(test_i8042_new_command_cancels_pending_one),
		T(test_i8042_empty_buffer_reads_last_byte),
		T(test_i8042_irq1_edge_per_keyboard_byte),
		T(test_i8042_irq1_masked_by_ctr_kbdint),
		T(test_i8042_irq12_for_aux_data_when_auxint),
		T(test_i8042_irq12_masked_without_auxint),
		T(test_i8042_reset_restores_power_on_state),
		T(test_i8042_other_ports_read_ff),
		T(test_i8042_init_leaves_port_0x61_free),
		T(test_i8042_init_conflict_fails_and_unwinds),
		T(test_i8042_works_without_callbacks),
		T(test_i8042_linux_check_aux_finds_port_without_mux),
		T(test_i8042_linux_atkbd_probe_gets_keyboard),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
