// SPDX-License-Identifier: MIT
/*
 * MC146818 RTC and CMOS: index/data ports, time registers computed from
 * the host's UTC clock plus an offset the guest may set, registers A-D,
 * the century byte and the PC memory-size bytes. vCPU threads call it
 * with the device-model lock held.
 */
#include "hw/cmos_rtc.h"

#include <string.h>

/* Time and control registers. */
#define RTC_SECONDS 0x00
#define RTC_SECONDS_ALARM 0x01
#define RTC_MINUTES 0x02
#define RTC_MINUTES_ALARM 0x03
#define RTC_HOURS 0x04
#define RTC_HOURS_ALARM 0x05
#define RTC_DAY_OF_WEEK 0x06		/* 1 = Sunday */
#define RTC_DAY_OF_MONTH 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_REG_D 0x0d
#define RTC_CENTURY 0x32		/* where PC firmware and QEMU keep it */

#define RTC_A_UIP 0x80
#define RTC_A_DV_MASK 0x70
#define RTC_A_DV_32KHZ 0x20		/* highest divider setting that runs */
#define RTC_A_RESET 0x26		/* 32.768 kHz, 1024 Hz periodic rate */
#define RTC_B_SET 0x80
#define RTC_B_UIE 0x10
#define RTC_B_DM_BINARY 0x04
#define RTC_B_24H 0x02
#define RTC_B_RESET RTC_B_24H		/* BCD, 24-hour, like a PC BIOS */
#define RTC_C_IRQF 0x80
#define RTC_C_UF 0x10
#define RTC_D_VRT 0x80			/* battery good */
#define RTC_HOUR_PM 0x80

/* Memory-size bytes, as SeaBIOS and old kernels read them. */
#define CMOS_BASE_MEM_LO 0x15		/* KiB below 640 KiB */
#define CMOS_EXT_MEM_LO 0x17		/* KiB above 1 MiB, max 65535 */
#define CMOS_EXT_MEM2_LO 0x30		/* the same, second copy */
#define CMOS_MEM_16M_LO 0x34		/* 64 KiB units, 16 MiB to 4 GiB */
#define CMOS_MEM_4G_LO 0x5b		/* 64 KiB units above 4 GiB, 3 bytes */

static time_t cmos_rtc_host_now(void *opaque)
{
	(void)opaque;
	return time(NULL);
}

static time_t rtc_guest_now(const struct cmos_rtc *r)
{
	return (time_t)(r->now(r->now_opaque) + r->offset);
}

static bool rtc_is_time_reg(unsigned idx)
{
	return idx == RTC_SECONDS || idx == RTC_MINUTES || idx == RTC_HOURS ||
	       (idx >= RTC_DAY_OF_WEEK && idx <= RTC_YEAR) ||
	       idx == RTC_CENTURY;
}

/* SET, or a divider held in reset, stops the clock (MC146818 data sheet). */
static bool rtc_stopped(const struct cmos_rtc *r)
{
	return (r->cmos[RTC_REG_B] & RTC_B_SET) ||
	       (r->cmos[RTC_REG_A] & RTC_A_DV_MASK) > RTC_A_DV_32KHZ;
}

static uint8_t rtc_encode(const struct cmos_rtc *r, unsigned v)
{
	if (r->cmos[RTC_REG_B] & RTC_B_DM_BINARY)
		return (uint8_t)v;
	return (uint8_t)((v / 10) << 4 | v % 10);
}

static int rtc_decode(const struct cmos_rtc *r, uint8_t v)
{
	if (r->cmos[RTC_REG_B] & RTC_B_DM_BINARY)
		return v;
	return (v >> 4) * 10 + (v & 0x0f);
}

static uint8_t rtc_encode_hour(const struct cmos_rtc *r, int hour)
{
	int h12 = hour % 12 ? hour % 12 : 12;

	if (r->cmos[RTC_REG_B] & RTC_B_24H)
		return rtc_encode(r, (unsigned)hour);
	return rtc_encode(r, (unsigned)h12) | (hour >= 12 ? RTC_HOUR_PM : 0);
}

static int rtc_decode_hour(const struct cmos_rtc *r, uint8_t v)
{
	if (r->cmos[RTC_REG_B] & RTC_B_24H)
		return rtc_decode(r, v);
	int h = rtc_decode(r, v & ~RTC_HOUR_PM) % 12;

	return (v & RTC_HOUR_PM) ? h + 12 : h;
}

/* Writes @t into the time bytes, in the format register B selects. */
static void rtc_store_time(struct cmos_rtc *r, time_t t)
{
	struct tm tm;
	int year;

	gmtime_r(&t, &tm);
	year = tm.tm_year + 1900;
	r->cmos[RTC_SECONDS] = rtc_encode(r, (unsigned)tm.tm_sec);
	r->cmos[RTC_MINUTES] = rtc_encode(r, (unsigned)tm.tm_min);
	r->cmos[RTC_HOURS] = rtc_encode_hour(r, tm.tm_hour);
	r->cmos[RTC_DAY_OF_WEEK] = rtc_encode(r, (unsigned)tm.tm_wday + 1);
	r->cmos[RTC_DAY_OF_MONTH] = rtc_encode(r, (unsigned)tm.tm_mday);
	r->cmos[RTC_MONTH] = rtc_encode(r, (unsigned)tm.tm_mon + 1);
	r->cmos[RTC_YEAR] = rtc_encode(r, (unsigned)(year % 100));
	r->cmos[RTC_CENTURY] = rtc_encode(r, (unsigned)(year / 100));
	r->sample = t;
	r->sampled = true;
}

/* The time the bytes hold; timegm() normalises out-of-range fields. */
static time_t rtc_load_time(const struct cmos_rtc *r)
{
	struct tm tm = {
		.tm_sec = rtc_decode(r, r->cmos[RTC_SECONDS]),
		.tm_min = rtc_decode(r, r->cmos[RTC_MINUTES]),
		.tm_hour = rtc_decode_hour(r, r->cmos[RTC_HOURS]),
		.tm_mday = rtc_decode(r, r->cmos[RTC_DAY_OF_MONTH]),
		.tm_mon = rtc_decode(r, r->cmos[RTC_MONTH]) - 1,
		.tm_year = rtc_decode(r, r->cmos[RTC_CENTURY]) * 100 +
			   rtc_decode(r, r->cmos[RTC_YEAR]) - 1900,
	};

	return timegm(&tm);
}

/*
 * Brings the time bytes up to date. Reading the seconds register always
 * samples the clock; the other time registers reuse that sample while it
 * is under two seconds old. So a guest that reads seconds first (Linux,
 * SeaBIOS) gets minutes, hours and date from the same instant and never
 * a torn value across a second boundary, while one that reads only the
 * minutes still sees them advance.
 */
static void rtc_sample(struct cmos_rtc *r, bool force)
{
	time_t t;

	if (rtc_stopped(r))
		return;
	t = rtc_guest_now(r);
	if (force || !r->sampled || t < r->sample || t - r->sample > 1)
		rtc_store_time(r, t);
}

/* A time byte changed: the clock runs on from what the bytes now say. */
static void rtc_restart_from_bytes(struct cmos_rtc *r)
{
	time_t t = rtc_load_time(r);

	r->offset = (int64_t)t - (int64_t)r->now(r->now_opaque);
	r->sample = t;
	r->sampled = true;
}

static void rtc_write_time(struct cmos_rtc *r, unsigned idx, uint8_t val)
{
	if (rtc_stopped(r)) {
		r->cmos[idx] = val;	/* taken into account when SET clears */
		return;
	}
	rtc_sample(r, true);
	r->cmos[idx] = val;
	rtc_restart_from_bytes(r);
}

/*
 * Registers A and B. Stopping the clock freezes the time bytes in the
 * format they had; restarting it runs on from what the guest wrote into
 * them meanwhile. A running clock re-samples in the new format.
 */
static void rtc_write_control(struct cmos_rtc *r, unsigned idx, uint8_t val)
{
	bool was_stopped = rtc_stopped(r);

	if (!was_stopped)
		rtc_sample(r, true);
	if (idx == RTC_REG_A)
		val &= ~RTC_A_UIP;
	else if (val & RTC_B_SET)
		val &= ~RTC_B_UIE;	/* SET clears UIE (data sheet) */
	r->cmos[idx] = val;
	if (rtc_stopped(r))
		return;
	if (was_stopped)
		rtc_restart_from_bytes(r);
	else
		r->sampled = false;
}

/*
 * UF (update ended) is set once per second while the clock runs, so it
 * reads as "the second changed since C was last read". PF and AF need a
 * timer this model does not have and stay 0.
 */
static uint8_t rtc_read_reg_c(struct cmos_rtc *r)
{
	uint8_t c = 0;
	time_t t;

	if (rtc_stopped(r))
		return 0;
	t = rtc_guest_now(r);
	if (t != r->last_c_read)
		c |= RTC_C_UF;
	if ((c & RTC_C_UF) && (r->cmos[RTC_REG_B] & RTC_B_UIE))
		c |= RTC_C_IRQF;
	r->last_c_read = t;
	return c;
}

/*
 * UIP is always 0: UIP warns that the time bytes are about to change
 * within 244 us. Here every access computes them from one clock sample,
 * so there is never a half-updated register to avoid; rtc_sample()
 * keeps a multi-register read consistent instead.
 */
static uint8_t rtc_read_byte(struct cmos_rtc *r, unsigned idx)
{
	if (rtc_is_time_reg(idx))
		rtc_sample(r, idx == RTC_SECONDS);
	else if (idx == RTC_REG_C)
		return rtc_read_reg_c(r);
	else if (idx == RTC_REG_D)
		return RTC_D_VRT;
	return r->cmos[idx];
}

static void rtc_write_byte(struct cmos_rtc *r, unsigned idx, uint8_t val)
{
	if (rtc_is_time_reg(idx))
		rtc_write_time(r, idx, val);
	else if (idx == RTC_REG_A || idx == RTC_REG_B)
		rtc_write_control(r, idx, val);
	else if (idx != RTC_REG_C && idx != RTC_REG_D)
		r->cmos[idx] = val;
}

uint8_t cmos_rtc_read(struct cmos_rtc *r, uint16_t port)
{
	if (port != CMOS_RTC_DATA_PORT)
		return 0xff;
	return rtc_read_byte(r, r->index);
}

void cmos_rtc_write(struct cmos_rtc *r, uint16_t port, uint8_t val)
{
	if (port == CMOS_RTC_INDEX_PORT) {
		r->index = val & (CMOS_RTC_SIZE - 1);
		r->nmi_masked = val & 0x80;
	} else if (port == CMOS_RTC_DATA_PORT) {
		rtc_write_byte(r, r->index, val);
	}
}

void cmos_rtc_set_clock(struct cmos_rtc *r, cmos_rtc_clock_fn *now,
			void *opaque)
{
	r->now = now ? now : cmos_rtc_host_now;
	r->now_opaque = opaque;
	r->offset = 0;
	r->sampled = false;
	r->last_c_read = rtc_guest_now(r);
}

static void cmos_put16(struct cmos_rtc *r, unsigned idx, uint64_t val)
{
	r->cmos[idx] = (uint8_t)val;
	r->cmos[idx + 1] = (uint8_t)(val >> 8);
}

/* The same values QEMU's PC machine stores (hw/i386/pc.c). */
static void cmos_rtc_set_memory(struct cmos_rtc *r, uint64_t low_ram,
				uint64_t high_ram)
{
	uint64_t ext = low_ram > MiB ? (low_ram - MiB) / KiB : 0;
	uint64_t above_16m =
		low_ram > 16 * MiB ? (low_ram - 16 * MiB) / (64 * KiB) : 0;
	uint64_t above_4g = high_ram / (64 * KiB);

	cmos_put16(r, CMOS_BASE_MEM_LO, MIN(low_ram / KiB, 640));
	cmos_put16(r, CMOS_EXT_MEM_LO, MIN(ext, 0xffff));
	cmos_put16(r, CMOS_EXT_MEM2_LO, MIN(ext, 0xffff));
	cmos_put16(r, CMOS_MEM_16M_LO, MIN(above_16m, 0xffff));
	cmos_put16(r, CMOS_MEM_4G_LO, above_4g);
	r->cmos[CMOS_MEM_4G_LO + 2] = (uint8_t)(above_4g >> 16);
}

/* Bus glue: the index and data ports, byte lanes split like ISA does. */
static uint64_t cmos_rtc_io_read(void *opaque, uint64_t offset, unsigned size)
{
	uint64_t value = 0;

	for (unsigned i = 0; i < size; i++) {
		uint16_t port = (uint16_t)(CMOS_RTC_INDEX_PORT + offset + i);

		value |= (uint64_t)cmos_rtc_read(opaque, port) << (8 * i);
	}
	return value;
}

static void cmos_rtc_io_write(void *opaque, uint64_t offset, uint64_t value,
			      unsigned size)
{
	uint16_t port = (uint16_t)(CMOS_RTC_INDEX_PORT + offset);

	for (unsigned i = 0; i < size; i++)
		cmos_rtc_write(opaque, (uint16_t)(port + i),
			       (uint8_t)(value >> (8 * i)));
}

static const struct io_ops cmos_rtc_io_ops = {
	.read = cmos_rtc_io_read,
	.write = cmos_rtc_io_write,
};

int cmos_rtc_init(struct cmos_rtc *r, struct bus *pio, uint64_t low_ram,
		  uint64_t high_ram)
{
	memset(r, 0, sizeof(*r));
	r->cmos[RTC_REG_A] = RTC_A_RESET;
	r->cmos[RTC_REG_B] = RTC_B_RESET;
	r->cmos[RTC_REG_D] = RTC_D_VRT;
	cmos_rtc_set_memory(r, low_ram, high_ram);
	cmos_rtc_set_clock(r, NULL, NULL);
	return bus_add(pio, CMOS_RTC_INDEX_PORT, 2, &cmos_rtc_io_ops, r,
		       "cmos-rtc");
}
