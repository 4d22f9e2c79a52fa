// SPDX-License-Identifier: MIT
/*
 * The BSP's CPL3 main: UART, boot information, command line, then the
 * scenario named by "scenario=" (default "hello"). Also the reporting
 * protocol every test depends on: the scenario line, PASS/FAIL lines,
 * "done" and the isa-debug-exit write.
 */
#include "guest.h"
#include "cpu.h"
#include "io.h"
#include "pvh.h"
#include "scenarios.h"

#define DEBUG_EXIT_PORT 0x501 /* QEMU isa-debug-exit default iobase */

struct scenario {
	const char *name;
	int (*run)(void);
};

static const struct scenario scenarios[] = {
	{ "hello", scenario_hello },
	{ "exit", scenario_exit },
	{ "smp", scenario_smp },
	{ "reboot", scenario_reboot },
	{ "triple", scenario_triple },
	{ "echo", scenario_echo },
	{ "rtc", scenario_rtc },
	{ "selftest", scenario_selftest },
	{ "fault", scenario_fault },
	{ "pci", scenario_pci },
	{ "rng", scenario_rng },
	{ "memtest", scenario_memtest },
	{ "vmem", scenario_vmem },
	{ "hostile", scenario_hostile },
};

static unsigned int nr_fail;

static void report(const char *tag, const char *fmt, va_list ap)
{
	char line[256];

	/* One printf per line, so lines from several CPUs never interleave. */
	vsnprintf(line, sizeof(line), fmt, ap);
	printf("%s: %s\n", tag, line);
}

void pass(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("PASS", fmt, ap);
	va_end(ap);
}

void fail(const char *fmt, ...)
{
	va_list ap;

	__atomic_fetch_add(&nr_fail, 1, __ATOMIC_RELAXED);
	va_start(ap, fmt);
	report("FAIL", fmt, ap);
	va_end(ap);
}

bool check(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (!ok)
		__atomic_fetch_add(&nr_fail, 1, __ATOMIC_RELAXED);
	va_start(ap, fmt);
	report(ok ? "PASS" : "FAIL", fmt, ap);
	va_end(ap);
	return ok;
}

unsigned int fail_count(void)
{
	return __atomic_load_n(&nr_fail, __ATOMIC_RELAXED);
}

/*
 * QEMU exits with status (code << 1) | 1; flexvm does the same. If no
 * debug-exit device is present, spin: the runner's timeout ends the VM.
 */
__noreturn void guest_exit(int code)
{
	printf("flexvm-test-guest: done\n");
	uart_flush();
	outb(DEBUG_EXIT_PORT, (uint8_t)code);
	for (;;)
		cpu_relax();
}

static const struct scenario *find_scenario(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(scenarios); i++) {
		if (!strcmp(scenarios[i].name, name))
			return &scenarios[i];
	}
	return NULL;
}

static void list_scenarios(void)
{
	printf("scenarios:");
	for (size_t i = 0; i < ARRAY_SIZE(scenarios); i++)
		printf(" %s", scenarios[i].name);
	printf("\n");
}

__noreturn void guest_main(uint64_t start_info_paddr);

__noreturn void guest_main(uint64_t start_info_paddr)
{
	const struct scenario *sc;
	const char *name;
	int code;

	uart_init();
	pvh_init(start_info_paddr);
	cmdline_init(pvh.cmdline);
	name = cmdline_get("scenario");
	if (!name || !*name)
		name = "hello";
	printf("flexvm-test-guest: scenario=%s\n", name);
	if (pvh.error) {
		fail("%s (start_info at 0x%lx)", pvh.error,
		     (unsigned long)start_info_paddr);
		guest_exit(EXIT_USAGE);
	}
	sc = find_scenario(name);
	if (!sc) {
		fail("unknown scenario '%s'", name);
		list_scenarios();
		guest_exit(EXIT_USAGE);
	}
	code = sc->run();
	if (code == EXIT_PASS && fail_count())
		code = EXIT_FAIL;
	guest_exit(code);
}
