// SPDX-License-Identifier: MIT
/*
 * The basic scenarios: hello (boot information), exit (a chosen exit
 * code), reboot (i8042 reset), triple (triple fault), echo (UART input)
 * and rtc (CMOS clock). Each is short enough to read at a glance; see
 * README.md for what a test expects from each.
 */
#include "guest.h"
#include "cpu.h"
#include "io.h"
#include "pvh.h"
#include "scenarios.h"

#define E820_RAM 1
#define I8042_CMD 0x64
#define I8042_PULSE_RESET 0xfe
#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define ECHO_LINE_MAX 256

int scenario_hello(void)
{
	uint64_t image = 0x100000;
	bool image_in_ram = false;

	printf("hello from the flexvm test guest\n");
	printf("start_info: version %u, flags 0x%x, %u modules, rsdp 0x%lx\n",
	       pvh.si.version, pvh.si.flags, pvh.si.nr_modules,
	       (unsigned long)pvh.si.rsdp_paddr);
	for (unsigned int i = 0; i < pvh.nr_memmap; i++) {
		const struct hvm_memmap_entry *e = &pvh.memmap[i];

		/* Inclusive end, as Linux prints its e820 map. */
		printf("e820: 0x%016lx-0x%016lx type %u\n",
		       (unsigned long)e->addr,
		       (unsigned long)(e->addr + e->size - 1), e->type);
		if (e->type == E820_RAM && e->addr <= image &&
		    image - e->addr < e->size)
			image_in_ram = true;
	}
	printf("cmdline: %s\n", cmdline_raw());
	check(pvh.nr_memmap > 0, "memory map has %u entries", pvh.nr_memmap);
	check(image_in_ram, "the image at 1 MiB lies in RAM");
	return EXIT_PASS;
}

int scenario_exit(void)
{
	uint64_t code = 0;

	if (cmdline_get_u64("code", &code) < 0 || code > 255) {
		fail("bad code= value '%s'", cmdline_get("code"));
		return EXIT_USAGE;
	}
	printf("exit: code %lu\n", (unsigned long)code);
	return (int)code;
}

int scenario_reboot(void)
{
	printf("reboot: pulsing the reset line through the i8042\n");
	printf("flexvm-test-guest: done\n");
	uart_flush();
	outb(I8042_CMD, I8042_PULSE_RESET);
	mdelay(1000);
	fail("still running 1 s after the i8042 reset");
	return EXIT_FAIL;
}

int scenario_triple(void)
{
	printf("triple: empty IDT, then an exception at CPL0\n");
	printf("flexvm-test-guest: done\n");
	uart_flush();
	svc_call(SVC_TRIPLE_FAULT, 0, 0);
	fail("still running after the triple fault");
	return EXIT_FAIL;
}

/*
 * Reads one line; '\r', '\n' and "\r\n" all end it (a terminal sends '\r',
 * a pipe '\n'). Bytes beyond the buffer are dropped.
 */
static void read_line(char *line, size_t size)
{
	static bool after_cr;
	size_t n = 0;

	for (;;) {
		char c = (char)uart_getc();

		if (c == '\n' && after_cr) {
			after_cr = false;
			continue;
		}
		after_cr = c == '\r';
		if (c == '\r' || c == '\n')
			break;
		if (n + 1 < size)
			line[n++] = c;
	}
	line[n] = '\0';
}

int scenario_echo(void)
{
	char line[ECHO_LINE_MAX];
	unsigned int lines = 0;

	printf("echo: ready\n");
	do {
		read_line(line, sizeof(line));
		printf("echo: %s\n", line);
		lines++;
	} while (strcmp(line, "quit"));
	pass("echoed %u lines", lines);
	return EXIT_PASS;
}

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

struct rtc_time {
	unsigned int sec, min, hour, day, mon, year, century;
};

static void rtc_sample(struct rtc_time *t)
{
	/* Wait for the update-in-progress flag (register A bit 7) to clear. */
	for (long i = 0; i < 10000000 && (cmos_read(0x0a) & 0x80); i++)
		cpu_relax();
	t->sec = cmos_read(0x00);
	t->min = cmos_read(0x02);
	t->hour = cmos_read(0x04);
	t->day = cmos_read(0x07);
	t->mon = cmos_read(0x08);
	t->year = cmos_read(0x09);
	t->century = cmos_read(0x32);
}

static unsigned int bcd(unsigned int v)
{
	return (v >> 4) * 10 + (v & 0x0f);
}

/* Register B: bit 2 = binary (else BCD), bit 1 = 24-hour (else 12 + PM). */
static void rtc_decode(struct rtc_time *t, uint8_t regb)
{
	bool pm = !(regb & 0x02) && (t->hour & 0x80);

	t->hour &= 0x7f;
	if (!(regb & 0x04)) {
		t->sec = bcd(t->sec);
		t->min = bcd(t->min);
		t->hour = bcd(t->hour);
		t->day = bcd(t->day);
		t->mon = bcd(t->mon);
		t->year = bcd(t->year);
		t->century = bcd(t->century);
	}
	if (!(regb & 0x02))
		t->hour = (t->hour % 12) + (pm ? 12 : 0);
	/* The century register is not standard: trust it only if plausible. */
	if (t->century < 19 || t->century > 29)
		t->century = 20;
}

int scenario_rtc(void)
{
	struct rtc_time a, b;
	uint8_t regb;

	/* Read until two samples agree, so no field rolled over in between. */
	for (int i = 0; i < 10; i++) {
		rtc_sample(&a);
		rtc_sample(&b);
		if (!memcmp(&a, &b, sizeof(a)))
			break;
	}
	regb = cmos_read(0x0b);
	rtc_decode(&b, regb);
	printf("rtc: %04u-%02u-%02u %02u:%02u:%02u\n",
	       b.century * 100 + b.year, b.mon, b.day, b.hour, b.min, b.sec);
	check(b.sec < 60 && b.min < 60 && b.hour < 24 && b.day >= 1 &&
		      b.day <= 31 && b.mon >= 1 && b.mon <= 12,
	      "RTC fields in range (register B 0x%02x)", regb);
	return EXIT_PASS;
}
