// SPDX-License-Identifier: MIT
/*
 * cmos_rtc: a fixed clock gives exact BCD/binary/12-hour register values;
 * registers A-D, SET and the divider, guest-set time, index masking with
 * the NMI bit, the century and memory-size bytes, and the bus glue.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "hw/cmos_rtc.h"

#define INDEX 0x70
#define DATA 0x71

#define R_SEC 0x00
#define R_MIN 0x02
#define R_HOUR 0x04
#define R_DOW 0x06
#define R_DOM 0x07
#define R_MON 0x08
#define R_YEAR 0x09
#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d
#define R_CENTURY 0x32

#define T_THU_130509 1709211909	/* 2024-02-29 13:05:09 UTC, Thursday */
#define T_THU_130559 1709211959	/* 2024-02-29 13:05:59 */
#define T_THU_003000 1709166600	/* 2024-02-29 00:30:00 */
#define T_THU_120000 1709208000	/* 2024-02-29 12:00:00 */
#define T_THU_230000 1709247600	/* 2024-02-29 23:00:00 */
#define T_FRI_1999_END 946684799	/* 1999-12-31 23:59:59, Friday */
#define T_SUN_100000 1709460000	/* 2024-03-03 10:00:00, Sunday */

struct fixture {
	struct bus pio;
	struct cmos_rtc rtc;
	time_t now;
};

static time_t fake_now(void *opaque)
{
	struct fixture *f = opaque;

	return f->now;
}

static struct fixture *make(uint64_t low, uint64_t high, time_t now)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	bus_init(&f.pio, "pio");
	assert_int_equal(cmos_rtc_init(&f.rtc, &f.pio, low, high), 0);
	f.now = now;
	cmos_rtc_set_clock(&f.rtc, fake_now, &f);
	return &f;
}

/* Replaces the fixture setup() built with one for other RAM sizes. */
static struct fixture *remake(void **state, uint64_t low, uint64_t high)
{
	struct fixture *f = *state;

	bus_destroy(&f->pio);
	*state = make(low, high, T_THU_130509);
	return *state;
}

static int setup(void **state)
{
	*state = make(128ULL << 20, 0, T_THU_130509);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	bus_destroy(&f->pio);
	return 0;
}

static uint8_t rd(struct fixture *f, uint8_t idx)
{
	uint8_t v = idx, out = 0;

	assert_true(bus_write(&f->pio, INDEX, &v, 1));
	assert_true(bus_read(&f->pio, DATA, &out, 1));
	return out;
}

static void wr(struct fixture *f, uint8_t idx, uint8_t val)
{
	assert_true(bus_write(&f->pio, INDEX, &idx, 1));
	assert_true(bus_write(&f->pio, DATA, &val, 1));
}

static void test_cmos_rtc_time_registers_default_to_bcd(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f, R_SEC), 0x09);
	assert_int_equal(rd(f, R_MIN), 0x05);
	assert_int_equal(rd(f, R_HOUR), 0x13);
	assert_int_equal(rd(f, R_DOW), 0x05);
	assert_int_equal(rd(f, R_DOM), 0x29);
	assert_int_equal(rd(f, R_MON), 0x02);
	assert_int_equal(rd(f, R_YEAR), 0x24);
	assert_int_equal(rd(f, R_CENTURY), 0x20);
}

static void test_cmos_rtc_binary_mode_time_registers(void **state)
{
	struct fixture *f = *state;

	wr(f, REG_B, 0x06);
	assert_int_equal(rd(f, R_SEC), 9);
	assert_int_equal(rd(f, R_MIN), 5);
	assert_int_equal(rd(f, R_HOUR), 13);
	assert_int_equal(rd(f, R_DOM), 29);
	assert_int_equal(rd(f, R_MON), 2);
	assert_int_equal(rd(f, R_YEAR), 24);
	assert_int_equal(rd(f, R_CENTURY), 20);
}

static void test_cmos_rtc_12h_bcd_pm_hour(void **state)
{
	struct fixture *f = *state;

	wr(f, REG_B, 0x00);
	assert_int_equal(rd(f, R_HOUR), 0x81);
}

static void test_cmos_rtc_12h_midnight_and_noon_are_12(void **state)
{
	struct fixture *f = *state;

	wr(f, REG_B, 0x00);
	f->now = T_THU_003000;
	assert_int_equal(rd(f, R_SEC), 0x00);
	assert_int_equal(rd(f, R_HOUR), 0x12);
	f->now = T_THU_120000;
	assert_int_equal(rd(f, R_SEC), 0x00);
	assert_int_equal(rd(f, R_HOUR), 0x92);
}

static void test_cmos_rtc_12h_binary_pm_hour(void **state)
{
	struct fixture *f = *state;

	wr(f, REG_B, 0x04);
	f->now = T_THU_230000;
	assert_int_equal(rd(f, R_SEC), 0);
	assert_int_equal(rd(f, R_HOUR), 0x80 | 11);
}

static void test_cmos_rtc_day_of_week_sunday_is_1(void **state)
{
	struct fixture *f = *state;

	f->now = T_SUN_100000;
	assert_int_equal(rd(f, R_SEC), 0x00);
	assert_int_equal(rd(f, R_DOW), 0x01);
}

static void test_cmos_rtc_century_rolls_with_year(void **state)
{
	struct fixture *f = *state;

	f->now = T_FRI_1999_END;
	assert_int_equal(rd(f, R_SEC), 0x59);
	assert_int_equal(rd(f, R_YEAR), 0x99);
	assert_int_equal(rd(f, R_CENTURY), 0x19);
	f->now++;
	assert_int_equal(rd(f, R_SEC), 0x00);
	assert_int_equal(rd(f, R_YEAR), 0x00);
	assert_int_equal(rd(f, R_CENTURY), 0x20);
}

static void test_cmos_rtc_clock_advances_with_host(void **state)
{
	struct fixture *f = *state;

	f->now += 61;
	assert_int_equal(rd(f, R_SEC), 0x10);
	assert_int_equal(rd(f, R_MIN), 0x06);
}

/* Minutes read right after seconds come from the same instant. */
static void test_cmos_rtc_reads_after_seconds_are_consistent(void **state)
{
	struct fixture *f = *state;

	f->now = T_THU_130559;
	assert_int_equal(rd(f, R_SEC), 0x59);
	f->now++;			/* the minute rolls over meanwhile */
	assert_int_equal(rd(f, R_MIN), 0x05);
	f->now += 2;			/* a stale sample is refreshed */
	assert_int_equal(rd(f, R_MIN), 0x06);
}

static void test_cmos_rtc_reg_a_default_and_uip_clear(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f, REG_A), 0x26);
}

static void test_cmos_rtc_reg_a_uip_is_read_only(void **state)
{
	struct fixture *f = *state;

	wr(f, REG_A, 0xa3);
	assert_int_equal(rd(f, REG_A), 0x23);
}

static void test_cmos_rtc_reg_b_default_bcd_24h(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f, REG_B), 0x02);
}

static void test_cmos_rtc_reg_b_set_clears_uie(void **state)
{
	struct fixture *f = *state;

	wr(f, REG_B, 0x80 | 0x10 | 0x02);
	assert_int_equal(rd(f, REG_B), 0x82);
}

static void test_cmos_rtc_reg_d_reports_battery_good(void **state)
{
	struct fixture *f = *state;

	wr(f, REG_D, 0x00);
	assert_int_equal(rd(f, REG_D), 0x80);
}

static void test_cmos_rtc_reg_c_uf_once_per_second(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f, REG_C), 0x00);
	f->now++;
	assert_int_equal(rd(f, REG_C), 0x10);
	assert_int_equal(rd(f, REG_C), 0x00);	/* read clears */
}

static void test_cmos_rtc_reg_c_irqf_when_uie(void **state)
{
	struct fixture *f = *state;

	wr(f, REG_B, 0x12);
	f->now++;
	assert_int_equal(rd(f, REG_C), 0x90);
}

static void test_cmos_rtc_reg_c_is_read_only(void **state)
{
	struct fixture *f = *state;

	wr(f, REG_C, 0xf0);
	assert_int_equal(rd(f, REG_C), 0x00);
}

static void test_cmos_rtc_set_bit_freezes_time(void **state)
{
	struct fixture *f = *state;

	wr(f, REG_B, 0x82);
	f->now += 100;
	assert_int_equal(rd(f, R_SEC), 0x09);
	assert_int_equal(rd(f, R_MIN), 0x05);
	assert_int_equal(rd(f, REG_C), 0x00);	/* no updates either */
}

static void test_cmos_rtc_guest_sets_time_under_set(void **state)
{
	struct fixture *f = *state;

	wr(f, REG_B, 0x82);
	wr(f, R_HOUR, 0x08);
	wr(f, R_MIN, 0x30);
	wr(f, R_SEC, 0x00);
	wr(f, R_YEAR, 0x25);
	wr(f, REG_B, 0x02);
	f->now += 5;
	assert_int_equal(rd(f, R_SEC), 0x05);
	assert_int_equal(rd(f, R_MIN), 0x30);
	assert_int_equal(rd(f, R_HOUR), 0x08);
	assert_int_equal(rd(f, R_YEAR), 0x25);
	assert_int_equal(rd(f, R_MON), 0x03);	/* 2025 has no Feb 29 */
	assert_int_equal(rd(f, R_DOM), 0x01);
}

static void test_cmos_rtc_time_write_while_running(void **state)
{
	struct fixture *f = *state;

	wr(f, R_MIN, 0x59);
	assert_int_equal(rd(f, R_MIN), 0x59);
	f->now += 60;
	assert_int_equal(rd(f, R_SEC), 0x09);
	assert_int_equal(rd(f, R_MIN), 0x00);
	assert_int_equal(rd(f, R_HOUR), 0x14);
}

static void test_cmos_rtc_divider_reset_stops_clock(void **state)
{
	struct fixture *f = *state;

	wr(f, REG_A, 0x76);		/* divider chain held in reset */
	f->now += 30;
	assert_int_equal(rd(f, R_SEC), 0x09);
	wr(f, REG_A, 0x26);		/* runs on from the frozen time */
	f->now += 2;
	assert_int_equal(rd(f, R_SEC), 0x11);
}

static void test_cmos_rtc_format_change_shows_at_once(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f, R_SEC), 0x09);
	assert_int_equal(rd(f, R_HOUR), 0x13);
	wr(f, REG_B, 0x06);
	assert_int_equal(rd(f, R_HOUR), 13);
}

static void test_cmos_rtc_index_masks_nmi_bit(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f, 0x80 | REG_D), 0x80);
	assert_true(f->rtc.nmi_masked);
	assert_int_equal(f->rtc.index, REG_D);
	wr(f, 0x80 | 0x40, 0x5a);
	assert_int_equal(rd(f, 0x40), 0x5a);
	assert_false(f->rtc.nmi_masked);
}

static void test_cmos_rtc_index_port_reads_ff(void **state)
{
	struct fixture *f = *state;
	uint8_t v = 0;

	assert_true(bus_read(&f->pio, INDEX, &v, 1));
	assert_int_equal(v, 0xff);
	assert_int_equal(cmos_rtc_read(&f->rtc, 0x72), 0xff);
}

static void test_cmos_rtc_plain_bytes_hold_values(void **state)
{
	struct fixture *f = *state;

	wr(f, 0x01, 0x33);		/* seconds alarm: plain storage */
	wr(f, 0x7f, 0xc3);
	assert_int_equal(rd(f, 0x01), 0x33);
	assert_int_equal(rd(f, 0x7f), 0xc3);
}

static void test_cmos_rtc_word_write_sets_index_and_data(void **state)
{
	struct fixture *f = *state;
	uint16_t w = 0x5a40;

	assert_true(bus_write(&f->pio, INDEX, &w, 2));
	assert_int_equal(rd(f, 0x40), 0x5a);
}

static void test_cmos_rtc_memory_bytes_128m(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f, 0x15) | rd(f, 0x16) << 8, 640);
	assert_int_equal(rd(f, 0x17) | rd(f, 0x18) << 8, 0xffff);
	assert_int_equal(rd(f, 0x30) | rd(f, 0x31) << 8, 0xffff);
	assert_int_equal(rd(f, 0x34) | rd(f, 0x35) << 8, (128 - 16) * 16);
	assert_int_equal(rd(f, 0x5b) | rd(f, 0x5c) | rd(f, 0x5d), 0);
}

static void test_cmos_rtc_memory_bytes_32m(void **state)
{
	struct fixture *f = remake(state, 32ULL << 20, 0);

	assert_int_equal(rd(f, 0x17) | rd(f, 0x18) << 8, 31 * 1024);
	assert_int_equal(rd(f, 0x30) | rd(f, 0x31) << 8, 31 * 1024);
	assert_int_equal(rd(f, 0x34) | rd(f, 0x35) << 8, 16 * 16);
}

static void test_cmos_rtc_memory_bytes_above_4g(void **state)
{
	struct fixture *f = remake(state, 3ULL << 30, 5ULL << 30);

	assert_int_equal(rd(f, 0x34) | rd(f, 0x35) << 8, (3072 - 16) * 16);
	assert_int_equal(rd(f, 0x5b), 0x00);
	assert_int_equal(rd(f, 0x5c), 0x40);
	assert_int_equal(rd(f, 0x5d), 0x01);	/* 5 GiB / 64 KiB = 0x14000 */
}

static void test_cmos_rtc_memory_bytes_under_1m(void **state)
{
	struct fixture *f = remake(state, 512 << 10, 0);

	assert_int_equal(rd(f, 0x15) | rd(f, 0x16) << 8, 512);
	assert_int_equal(rd(f, 0x17) | rd(f, 0x18) << 8, 0);
	assert_int_equal(rd(f, 0x34) | rd(f, 0x35) << 8, 0);
}

static void test_cmos_rtc_default_clock_is_host_utc(void **state)
{
	struct fixture *f = *state;
	struct tm tm = { 0 };
	time_t before, after;

	cmos_rtc_set_clock(&f->rtc, NULL, NULL);
	wr(f, REG_B, 0x06);
	before = time(NULL);
	tm.tm_sec = rd(f, R_SEC);
	tm.tm_min = rd(f, R_MIN);
	tm.tm_hour = rd(f, R_HOUR);
	tm.tm_mday = rd(f, R_DOM);
	tm.tm_mon = rd(f, R_MON) - 1;
	tm.tm_year = rd(f, R_CENTURY) * 100 + rd(f, R_YEAR) - 1900;
	after = time(NULL);
	assert_in_range(timegm(&tm), before, after);
}

static void test_cmos_rtc_init_conflict_fails_ebusy(void **state)
{
	static const struct io_ops dummy;
	struct cmos_rtc r;
	struct bus pio;

	(void)state;
	bus_init(&pio, "pio");
	assert_int_equal(bus_add(&pio, DATA, 1, &dummy, NULL, "taken"), 0);
	assert_int_equal(cmos_rtc_init(&r, &pio, 0, 0), -EBUSY);
	bus_destroy(&pio);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_cmos_rtc_time_registers_default_to_bcd),
		T(test_cmos_rtc_binary_mode_time_registers),
		T(test_cmos_rtc_12h_bcd_pm_hour),
		T(test_cmos_rtc_12h_midnight_and_noon_are_12),
		T(test_cmos_rtc_12h_binary_pm_hour),
		T(test_cmos_rtc_day_of_week_sunday_is_1),
		T(test_cmos_rtc_century_rolls_with_year),
		T(test_cmos_rtc_clock_advances_with_host),
		T(test_cmos_rtc_reads_after_seconds_are_consistent),
		T(test_cmos_rtc_reg_a_default_and_uip_clear),
		T(test_cmos_rtc_reg_a_uip_is_read_only),
		T(test_cmos_rtc_reg_b_default_bcd_24h),
		T(test_cmos_rtc_reg_b_set_clears_uie),
		T(test_cmos_rtc_reg_d_reports_battery_good),
		T(test_cmos_rtc_reg_c_uf_once_per_second),
		T(test_cmos_rtc_reg_c_irqf_when_uie),
		T(test_cmos_rtc_reg_c_is_read_only),
		T(test_cmos_rtc_set_bit_freezes_time),
		T(test_cmos_rtc_guest_sets_time_under_set),
		T(test_cmos_rtc_time_write_while_running),
		T(test_cmos_rtc_divider_reset_stops_clock),
		T(test_cmos_rtc_format_change_shows_at_once),
		T(test_cmos_rtc_index_masks_nmi_bit),
		T(test_cmos_rtc_index_port_reads_ff),
		T(test_cmos_rtc_plain_bytes_hold_values),
		T(test_cmos_rtc_word_write_sets_index_and_data),
		T(test_cmos_rtc_memory_bytes_128m),
		T(test_cmos_rtc_memory_bytes_32m),
		T(test_cmos_rtc_memory_bytes_above_4g),
		T(test_cmos_rtc_memory_bytes_under_1m),
		T(test_cmos_rtc_default_clock_is_host_utc),
		T(test_cmos_rtc_init_conflict_fails_ebusy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
