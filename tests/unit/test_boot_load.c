// SPDX-License-Identifier: MIT
/*
 * boot_open(), boot_load() and boot_close() on files: a bzImage file with
 * its MP table and initrd, each file error worded like QEMU's, and a
 * reset that loads the kept descriptors once the files are deleted.
 * Single-threaded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "bzimage_test_util.h"

/* Open, load and close, as vm_create() and vm_destroy() do. */
static int boot_file(const char *kernel, const char *initrd)
{
	struct boot_request req = { .kernel_path = kernel,
				    .initrd_path = initrd,
				    .cmdline = "console=ttyS0", .nr_cpus = 2 };
	int ret = boot_open(&req, &err);

	if (ret)
		return ret;
	ret = boot_load(&gm, &mm, &req, &bi, &err);
	boot_close(&req);
	assert_int_equal(req.kernel_fd, -1);
	assert_int_equal(req.initrd_fd, -1);
	return ret;
}

/*
 * A reset loads what start-up opened, even once the files are gone (QEMU
 * reloads its in-memory copy); the sandboxed main thread cannot open.
 */
static void test_boot_load_again_after_files_deleted(void **state)
{
	char kpath[64];
	char *ipath;
	struct boot_request req = { .cmdline = "", .nr_cpus = 1 };

	(void)state;
	strcpy(kpath, temp_file(image, IMAGE_SIZE));
	ipath = temp_file("initrd-bytes", 12);
	req.kernel_path = kpath;
	req.initrd_path = ipath;
	assert_int_equal(boot_open(&req, &err), 0);
	assert_int_equal(boot_load(&gm, &mm, &req, &bi, &err), 0);
	unlink(kpath);
	unlink(ipath);
	memset(ram, 0, RAM_SIZE);
	assert_int_equal(boot_load(&gm, &mm, &req, &bi, &err), 0);
	boot_close(&req);
	assert_memory_equal(ram + 0x100000, image + SETUP_SIZE, CODE_SIZE);
	assert_memory_equal(ram + bi.initrd_addr, "initrd-bytes", 12);
}

static void test_boot_load_bzimage_file_loaded_with_mptable(void **state)
{
	char *path = temp_file(image, IMAGE_SIZE);

	(void)state;
	assert_int_equal(boot_file(path, NULL), 0);
	unlink(path);
	assert_int_equal(bi.mode, BOOT_MODE_LINUX64);
	assert_memory_equal(ram + 0x100000, image + SETUP_SIZE, CODE_SIZE);
	assert_memory_equal(ram + 0x9fc00, "_MP_", 4);
}

static void test_boot_load_missing_kernel_enoent(void **state)
{
	(void)state;
	assert_int_equal(boot_file("/nonexistent/vmlinuz", NULL), -ENOENT);
	assert_string_equal(err.msg,
			    "could not open kernel file '/nonexistent/vmlinuz': No such file or directory");
}

static void test_boot_load_directory_kernel_eisdir(void **state)
{
	(void)state;
	assert_int_equal(boot_file("/tmp", NULL), -EISDIR);
	assert_string_equal(err.msg,
			    "could not load kernel '/tmp': Is a directory");
}

static void test_boot_load_empty_kernel_enodata(void **state)
{
	char *path = temp_file("", 0);
	char want[128];

	(void)state;
	assert_int_equal(boot_file(path, NULL), -ENODATA);
	snprintf(want, sizeof(want),
		 "could not load kernel '%s': the file is empty", path);
	unlink(path);
	assert_string_equal(err.msg, want);
}

static void test_boot_load_unknown_format_enoexec(void **state)
{
	char *path = temp_file("#!/bin/sh\necho not a kernel\n", 28);
	char want[160];

	(void)state;
	assert_int_equal(boot_file(path, NULL), -ENOEXEC);
	snprintf(want, sizeof(want),
		 "kernel '%s' is neither an ELF kernel with a PVH entry note nor a Linux bzImage",
		 path);
	unlink(path);
	assert_string_equal(err.msg, want);
}

static void test_boot_load_missing_initrd_enoent(void **state)
{
	char *path = temp_file(image, IMAGE_SIZE);

	(void)state;
	assert_int_equal(boot_file(path, "/nonexistent/initrd"), -ENOENT);
	unlink(path);
	assert_string_equal(err.msg,
			    "error reading initrd /nonexistent/initrd: No such file or directory");
}

static void test_boot_load_initrd_file_loaded(void **state)
{
	char kpath[64];
	char *ipath;

	(void)state;
	strcpy(kpath, temp_file(image, IMAGE_SIZE));
	ipath = temp_file("initrd-bytes", 12);
	assert_int_equal(boot_file(kpath, ipath), 0);
	unlink(kpath);
	unlink(ipath);
	assert_int_equal(bi.initrd_size, 12);
	assert_memory_equal(ram + bi.initrd_addr, "initrd-bytes", 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_boot_load_bzimage_file_loaded_with_mptable),
		T(test_boot_load_missing_kernel_enoent),
		T(test_boot_load_directory_kernel_eisdir),
		T(test_boot_load_empty_kernel_enodata),
		T(test_boot_load_unknown_format_enoexec),
		T(test_boot_load_missing_initrd_enoent),
		T(test_boot_load_initrd_file_loaded),
		T(test_boot_load_again_after_files_deleted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
