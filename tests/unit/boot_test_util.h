// SPDX-License-Identifier: MIT
/*
 * What the kernel loader tests share: 64 MiB of anonymous (lazily zeroed)
 * guest RAM with its memory map, the payload and boot_info a load fills,
 * little-endian byte access, a temporary kernel file, and the optional
 * test that loads a real kernel named by an environment variable. Shared
 * by test_bzimage*, test_boot_load and test_pvh; include it after
 * <cmocka.h>. Single-threaded.
 */
#ifndef FLEXVM_TESTS_BOOT_TEST_UTIL_H
#define FLEXVM_TESTS_BOOT_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot/boot.h"

#define RAM_SIZE (64 * MiB)
#define REAL_RAM_SIZE (512 * MiB)

static uint8_t *ram;
static struct guest_mem gm;
static struct memmap mm;
static struct boot_payload pl;
static struct boot_info bi;
static struct error err;

/* Fresh RAM and state for one test, and @kernel as the payload. */
static inline int boot_ram_setup(const char *name, const uint8_t *kernel,
				 size_t size, const char *cmdline)
{
	struct error e = { 0 };

	memset(&gm, 0, sizeof(gm));
	memset(&bi, 0, sizeof(bi));
	error_clear(&err);
	ram = guest_mem_alloc_anon(RAM_SIZE);
	if (!ram || guest_mem_add(&gm, "ram", 0, RAM_SIZE, ram) ||
	    memmap_init(&mm, RAM_SIZE, 0, 40, &e))
		return -1;
	pl = (struct boot_payload){ .kernel_name = name, .kernel = kernel,
				    .kernel_size = size, .cmdline = cmdline };
	return 0;
}

static inline int boot_ram_teardown(void **state)
{
	(void)state;
	guest_mem_free_anon(ram, RAM_SIZE);
	return 0;
}

/* The little-endian value of @len bytes of guest RAM at @gpa. */
static inline uint64_t get(uint64_t gpa, unsigned len)
{
	uint64_t v = 0;

	while (len--)
		v = v << 8 | ram[gpa + len];
	return v;
}

/* Writes @len bytes of @data to a new temporary file; returns its path. */
static inline char *temp_file(const void *data, size_t len)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/flexvm-test-boot-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

/*
 * Loads the kernel file @path through boot_open() and boot_load() into
 * REAL_RAM_SIZE of new guest RAM, which the caller frees.
 */
static inline uint8_t *boot_load_real(const char *path)
{
	struct boot_request req = { .kernel_path = path, .cmdline = "",
				    .nr_cpus = 1 };
	struct guest_mem bgm = { 0 };
	struct memmap big;
	uint8_t *bram = guest_mem_alloc_anon(REAL_RAM_SIZE);

	assert_non_null(bram);
	assert_int_equal(guest_mem_add(&bgm, "ram", 0, REAL_RAM_SIZE, bram),
			 0);
	assert_int_equal(memmap_init(&big, REAL_RAM_SIZE, 0, 40, &err), 0);
	assert_int_equal(boot_open(&req, &err), 0);
	assert_int_equal(boot_load(&bgm, &big, &req, &bi, &err), 0);
	boot_close(&req);
	return bram;
}

/*
 * Runs @tests, whose last one loads the real kernel named by @env: it is
 * left out when @env is unset, as cmocka 1.1's TAP output reports skip()
 * as "not ok", which meson counts as a failure.
 */
static inline int boot_run_tests(const struct CMUnitTest *tests, size_t n,
				 const char *env)
{
	const char *real = getenv(env);

	if (!real || !*real) {
		printf("# %s is not set: %s not run\n", env, tests[n - 1].name);
		n--;
	}
	return _cmocka_run_group_tests("tests", tests, n, NULL, NULL);
}

#endif /* FLEXVM_TESTS_BOOT_TEST_UTIL_H */
