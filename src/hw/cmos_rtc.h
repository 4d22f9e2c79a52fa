// SPDX-License-Identifier: MIT
/*
 * MC146818 CMOS RTC at ports 0x70 (index, bit 7 masks NMI) and 0x71
 * (data): 128 bytes of CMOS whose time registers follow the host's UTC
 * clock, plus the memory-size bytes firmware and old kernels read. No
 * interrupts (IRQ 8). vCPU threads call it with the device-model lock held.
 */
#ifndef FLEXVM_HW_CMOS_RTC_H
#define FLEXVM_HW_CMOS_RTC_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "hw/bus.h"
#include "util/compiler.h"

#define CMOS_RTC_INDEX_PORT 0x70
#define CMOS_RTC_DATA_PORT 0x71
#define CMOS_RTC_SIZE 128

/* Returns the current UTC time in seconds since the epoch. */
typedef time_t cmos_rtc_clock_fn(void *opaque);

struct cmos_rtc {
	uint8_t cmos[CMOS_RTC_SIZE];
	uint8_t index;			/* selected byte, 0-127 */
	bool nmi_masked;		/* bit 7 of the last index write */

	cmos_rtc_clock_fn *now;
	void *now_opaque;
	int64_t offset;			/* guest time minus host time, s */

	time_t sample;			/* guest time the time bytes hold */
	bool sampled;			/* the time bytes hold @sample */
	time_t last_c_read;		/* guest time of the last reg C read */
};

/**
 * cmos_rtc_init - power-on state (BCD, 24-hour, 32.768 kHz time base,
 * clock = time(NULL)), memory-size bytes for @low_ram bytes of RAM below
 * 4 GiB and @high_ram above it, and ports 0x70-0x71 registered on @pio.
 * Returns 0 or the negative errno of bus_add().
 */
int cmos_rtc_init(struct cmos_rtc *r, struct bus *pio, uint64_t low_ram,
		  uint64_t high_ram) __must_check;

/**
 * cmos_rtc_set_clock - read time from @now(@opaque) instead of time(NULL)
 * (NULL restores time(NULL)). For tests; also forgets any time the guest
 * set, so the RTC shows @now's time.
 */
void cmos_rtc_set_clock(struct cmos_rtc *r, cmos_rtc_clock_fn *now,
			void *opaque);

/**
 * cmos_rtc_read - a guest read of @port (CMOS_RTC_INDEX_PORT reads 0xff,
 * as the index register is write-only; CMOS_RTC_DATA_PORT reads the
 * selected byte; other ports read 0xff). Time registers show the clock
 * in the format register B selects.
 */
uint8_t cmos_rtc_read(struct cmos_rtc *r, uint16_t port);

/**
 * cmos_rtc_write - a guest write: the index (low 7 bits) and NMI mask
 * (bit 7) at CMOS_RTC_INDEX_PORT, the selected byte at CMOS_RTC_DATA_PORT.
 * Writing a time register sets the guest's clock (kept as an offset from
 * the host's); registers C and D and bit 7 of A are read-only.
 */
void cmos_rtc_write(struct cmos_rtc *r, uint16_t port, uint8_t val);

#endif
