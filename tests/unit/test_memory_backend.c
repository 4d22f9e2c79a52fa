// SPDX-License-Identifier: MIT
/*
 * memory_backend: real host mappings of each backend type (small sizes),
 * QEMU's creation errors, discard that really frees (mincore() and the
 * file's allocated blocks) and reads back zero, populate with and without
 * MADV_POPULATE_WRITE, hugetlb exhaustion reported as an error instead of
 * SIGBUS, a 1 TiB reserve=off backend that costs nothing, and /objects/ID.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config/opts.h"
#include "mem/memory_backend.h"
#include "monitor/qom.h"

#define PAGE 4096u

static struct memory_backend B;
static struct error E;
static char dir[64];

/* A config from -object text, through the real parser. */
static struct memory_backend_config cfg_of(const char *text)
{
	struct memory_backend_config list[1];
	unsigned nr = 0;
	struct error err = { 0 };

	assert_int_equal(memory_backend_config_add_object(list, &nr, 1, text,
							  stdout, &err), 0);
	return list[0];
}

static int create(const char *text)
{
	struct memory_backend_config c = cfg_of(text);

	error_clear(&E);
	return memory_backend_create(&B, &c, &E);
}

static int setup(void **state)
{
	(void)state;
	memset(&B, 0, sizeof(B));
	B.fd = -1;
	snprintf(dir, sizeof(dir), "/tmp/flexvm-mb-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	memory_backend_destroy(&B);
	qom_reset_tree();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* Resident pages among the @n pages at backend offset @off. */
static unsigned resident(uint64_t off, unsigned n)
{
	unsigned char vec[512];
	unsigned i, count = 0;

	assert_true(n <= sizeof(vec));
	assert_int_equal(mincore(memory_backend_hva(&B, off), n * PAGE, vec),
			 0);
	for (i = 0; i < n; i++)
		count += vec[i] & 1;
	return count;
}

static long long fd_blocks(void)
{
	struct stat st;

	assert_int_equal(fstat(B.fd, &st), 0);
	return (long long)st.st_blocks;
}

/* Writes 0xa5 to the @n pages at @off. */
static void touch(uint64_t off, unsigned n)
{
	memset(memory_backend_hva(&B, off), 0xa5, (size_t)n * PAGE);
}

static bool all_zero(uint64_t off, size_t len)
{
	const unsigned char *p = memory_backend_hva(&B, off);

	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static void test_mb_ram_maps_aligned_private(void **state)
{
	(void)state;
	assert_int_equal(create("memory-backend-ram,id=m0,size=4M"), 0);
	assert_int_equal(B.fd, -1);
	assert_false(B.shared);
	assert_int_equal(B.page_size, PAGE);
	assert_int_equal(B.map_size, 4 << 20);
	assert_int_equal((uintptr_t)B.hva % (2 << 20), 0);
	touch(0, 1024);
	assert_int_equal(resident(0, 512), 512);
}

static void test_mb_ram_size_rounded_to_page(void **state)
{
	(void)state;
	assert_int_equal(create("memory-backend-ram,id=m0,size=4097"), 0);
	assert_int_equal(B.map_size, 2 * PAGE);
	assert_int_equal(B.cfg.size, 4097);
}

static void test_mb_ram_discard_frees_and_zeroes(void **state)
{
	(void)state;
	assert_int_equal(create("memory-backend-ram,id=m0,size=4M"), 0);
	touch(0, 16);
	assert_int_equal(resident(0, 16), 16);
	assert_int_equal(memory_backend_discard(&B, 4 * PAGE, 8 * PAGE), 0);
	assert_int_equal(resident(4 * PAGE, 8), 0);
	assert_int_equal(resident(0, 4), 4);	/* neighbours kept */
	assert_true(all_zero(4 * PAGE, 8 * PAGE));
	assert_int_equal(*(unsigned char *)memory_backend_hva(&B, 0), 0xa5);
}

static void test_mb_shared_ram_discard_removes(void **state)
{
	(void)state;
	assert_int_equal(create("memory-backend-ram,id=m0,size=2M,share=on"),
			 0);
	assert_true(B.shared);
	touch(0, 8);
	assert_int_equal(memory_backend_discard(&B, 0, 8 * PAGE), 0);
	/* MADV_REMOVE frees the shmem pages, not just this mapping */
	assert_int_equal(resident(0, 8), 0);
	assert_true(all_zero(0, 8 * PAGE));
}

static void test_mb_memfd_shared_sealed(void **state)
{
	(void)state;
	assert_int_equal(create("memory-backend-memfd,id=m0,size=2M"), 0);
	assert_true(B.fd >= 0);
	assert_true(B.shared);
	assert_int_equal(fcntl(B.fd, F_GET_SEALS),
			 F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
	assert_int_equal(ftruncate(B.fd, 4 << 20), -1);
}

static void test_mb_memfd_seal_off_unsealed(void **state)
{
	(void)state;
	assert_int_equal(create("memory-backend-memfd,id=m0,size=2M,seal=off"),
			 0);
	assert_int_equal(fcntl(B.fd, F_GET_SEALS), F_SEAL_SEAL);
}

static void test_mb_memfd_discard_punches_hole(void **state)
{
	long long before;

	(void)state;
	assert_int_equal(create("memory-backend-memfd,id=m0,size=2M"), 0);
	touch(0, 64);
	before = fd_blocks();
	assert_true(before >= 64 * PAGE / 512);
	assert_int_equal(memory_backend_discard(&B, 0, 32 * PAGE), 0);
	assert_int_equal(fd_blocks(), before - 32 * PAGE / 512);
	assert_int_equal(resident(0, 32), 0);
	assert_true(all_zero(0, 32 * PAGE));
}

static void test_mb_private_memfd_discard_drops_copies(void **state)
{
	(void)state;
	assert_int_equal(create("memory-backend-memfd,id=m0,size=2M,"
				"share=off"), 0);
	assert_false(B.shared);
	touch(0, 4);	/* copy-on-write pages, the file stays empty */
	assert_int_equal(memory_backend_discard(&B, 0, 4 * PAGE), 0);
	assert_int_equal(resident(0, 4), 0);
	assert_true(all_zero(0, 4 * PAGE));
}

static void test_mb_file_created_with_size(void **state)
{
	char text[160], path[96];
	long long before;
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/ram", dir);
	snprintf(text, sizeof(text), "memory-backend-file,id=f0,size=1M,"
		 "mem-path=%s,share=on", path);
	assert_int_equal(create(text), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 1 << 20);
	touch(0, 4);
	before = fd_blocks();
	/* the page cache may have used a large folio: count the hole only */
	assert_true(before >= 4 * PAGE / 512);
	assert_int_equal(memory_backend_discard(&B, 0, 4 * PAGE), 0);
	assert_int_equal(fd_blocks(), before - 4 * PAGE / 512);
	assert_true(all_zero(0, 4 * PAGE));
}

static void test_mb_file_in_directory_is_unlinked(void **state)
{
	char text[160];

	(void)state;
	snprintf(text, sizeof(text), "memory-backend-file,id=f0,size=1M,"
		 "mem-path=%s", dir);
	assert_int_equal(create(text), 0);
	assert_false(B.shared);	/* QEMU's file default: share=off */
	assert_int_equal(rmdir(dir), 0);	/* empty: the file is gone */
	assert_int_equal(mkdir(dir, 0700), 0);
}

static void test_mb_file_larger_kept_smaller_refused(void **state)
{
	char text[160], path[96];
	struct stat st;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/big", dir);
	fd = open(path, O_CREAT | O_RDWR, 0600);
	assert_int_equal(ftruncate(fd, 4 << 20), 0);
	snprintf(text, sizeof(text), "memory-backend-file,id=f0,size=1M,"
		 "mem-path=%s", path);
	assert_int_equal(create(text), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 4 << 20);	/* never truncated */
	memory_backend_destroy(&B);

	assert_int_equal(ftruncate(fd, 3), 0);
	close(fd);
	assert_int_equal(create(text), -EINVAL);
	assert_string_equal(E.msg, "backing store size 0x3 does not match "
			    "'size' option 0x100000");
}

static void test_mb_file_bad_path_fails(void **state)
{
	(void)state;
	assert_int_equal(create("memory-backend-file,id=f0,size=1M,"
				"mem-path=/nonexistent/x"), -ENOENT);
	assert_string_equal(E.msg, "can't open backing store /nonexistent/x "
			    "for guest RAM: No such file or directory");
	assert_int_equal(create("memory-backend-file,id=f0,size=1M,mem-path="),
			 -ENOENT);
	assert_string_equal(E.msg, "can't open backing store  for guest RAM: "
			    "No such file or directory");
}

static void test_mb_checks_run_at_creation(void **state)
{
	(void)state;
	assert_int_equal(create("memory-backend-ram,id=m0,size=0"), -EINVAL);
	assert_string_equal(E.msg, "property 'size' of memory-backend-ram "
			    "doesn't take value '0'");
	assert_null(B.hva);
}

static void test_mb_bad_ranges_einval(void **state)
{
	(void)state;
	assert_int_equal(create("memory-backend-ram,id=m0,size=1M"), 0);
	assert_int_equal(memory_backend_discard(&B, 1, PAGE), -EINVAL);
	assert_int_equal(memory_backend_discard(&B, 0, PAGE + 1), -EINVAL);
	assert_int_equal(memory_backend_discard(&B, 0, 0), -EINVAL);
	assert_int_equal(memory_backend_discard(&B, 1 << 20, PAGE), -EINVAL);
	assert_int_equal(memory_backend_discard(&B, PAGE, 1 << 20), -EINVAL);
	assert_int_equal(memory_backend_populate(&B, PAGE,
						 UINT64_MAX - PAGE + 1),
			 -EINVAL);
}

static void test_mb_populate_makes_resident(void **state)
{
	(void)state;
	assert_int_equal(create("memory-backend-ram,id=m0,size=4M"), 0);
	assert_int_equal(resident(2 << 20, 64), 0);
	assert_int_equal(memory_backend_populate(&B, 2 << 20, 64 * PAGE), 0);
	assert_int_equal(resident(2 << 20, 64), 64);
	/* THP may fill the rest of that 2 MiB, never the block before */
	assert_int_equal(resident(0, 512), 0);
}

static void test_mb_populate_fallback_keeps_contents(void **state)
{
	(void)state;
	assert_int_equal(create("memory-backend-memfd,id=m0,size=2M"), 0);
	B.no_populate_madvise = true;
	touch(0, 1);
	assert_int_equal(memory_backend_populate(&B, 0, 32 * PAGE), 0);
	assert_int_equal(resident(0, 32), 32);
	assert_int_equal(fd_blocks(), 32 * PAGE / 512);
	assert_int_equal(*(unsigned char *)memory_backend_hva(&B, 0), 0xa5);
}

static void test_mb_prealloc_populates_all(void **state)
{
	(void)state;
	assert_int_equal(create("memory-backend-ram,id=m0,size=1M,"
				"prealloc=on"), 0);
	assert_int_equal(resident(0, 256), 256);
}

/* 1 TiB with MAP_NORESERVE: no memory, no accounting, milliseconds. */
static void test_mb_1t_noreserve_is_cheap(void **state)
{
	struct timespec t0, t1;
	double ms;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(create("memory-backend-ram,id=m0,size=1T,"
				"reserve=off"), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	     (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	assert_true(ms < 100.0);
	assert_int_equal(B.map_size, 1ULL << 40);
	assert_int_equal(resident(0, 16), 0);
	touch((1ULL << 40) - PAGE, 1);	/* the last page is usable */
	assert_int_equal(memory_backend_discard(&B, (1ULL << 40) - PAGE, PAGE),
			 0);
}

/* Meaningful only where the overcommit heuristic refuses 1 TiB. */
static void test_mb_1t_reserved_fails_with_hint(void **state)
{
	long pages = sysconf(_SC_PHYS_PAGES);
	FILE *f = fopen("/proc/sys/vm/overcommit_memory", "r");
	int mode = -1;

	(void)state;
	if (f && fscanf(f, "%d", &mode) != 1)
		mode = -1;
	if (f)
		fclose(f);
	if (mode == 1 || mode < 0 ||
	    (double)pages * PAGE > 512.0 * (1ULL << 30))
		skip();
	assert_int_equal(create("memory-backend-ram,id=m0,size=1T"), -ENOMEM);
	assert_string_equal(E.msg, "cannot set up guest memory 'm0': Cannot "
			    "allocate memory\nA sparse backend (virtio-mem) "
			    "wants reserve=off, which reserves no swap space.");
}

static void test_mb_size_near_2_64_fails_cleanly(void **state)
{
	(void)state;
	/* QEMU 7.2 aborts on an assertion here */
	assert_int_equal(create("memory-backend-ram,id=m0,reserve=off,"
				"size=18446744073709551615"), -ENOMEM);
	assert_string_equal(E.msg, "cannot set up guest memory 'm0': Cannot "
			    "allocate memory");
}

static bool no_free_hugepages(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long free_pages = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "HugePages_Free: %ld", &free_pages) == 1)
			break;
	if (f)
		fclose(f);
	return free_pages == 0;
}

static void test_mb_hugetlb_reserved_without_pages_fails(void **state)
{
	(void)state;
	if (!no_free_hugepages())
		skip();
	assert_int_equal(create("memory-backend-memfd,id=m0,size=2M,"
				"hugetlb=on"), -ENOMEM);
	assert_string_equal(E.msg, "unable to map backing store for guest "
			    "RAM: Cannot allocate memory");
}

/* What device prealloc relies on: an error, never SIGBUS. */
static void test_mb_hugetlb_populate_exhausted_errors(void **state)
{
	int ret;

	(void)state;
	if (!no_free_hugepages())
		skip();
	assert_int_equal(create("memory-backend-memfd,id=m0,size=4M,"
				"hugetlb=on,hugetlbsize=2M,reserve=off"), 0);
	assert_true(B.hugetlbfs);
	assert_int_equal(B.page_size, 2 << 20);
	ret = memory_backend_populate(&B, 0, 2 << 20);
	assert_true(ret == -ENOMEM || ret == -EFAULT);
	B.no_populate_madvise = true;
	ret = memory_backend_populate(&B, 2 << 20, 2 << 20);
	assert_true(ret == -ENOSPC || ret == -ENOMEM);
	/* hugetlbfs discard is a punch alone, aligned to 2 MiB */
	assert_int_equal(memory_backend_discard(&B, 0, PAGE), -EINVAL);
	assert_int_equal(memory_backend_discard(&B, 0, 2 << 20), 0);
}

static void test_mb_hugetlb_memfd_errors_as_qemu(void **state)
{
	(void)state;
	assert_int_equal(create("memory-backend-memfd,id=m0,size=1M,"
				"hugetlb=on,reserve=off"), -EINVAL);
	assert_string_equal(E.msg, "failed to resize memfd to 1048576: "
			    "Invalid argument");
	assert_int_equal(create("memory-backend-memfd,id=m0,size=1M,"
				"hugetlb=on,hugetlbsize=4K"), -ENODEV);
	assert_string_equal(E.msg, "failed to create memfd with flags "
			    "0x30000007: No such device");
}

static void test_mb_claim_second_user_busy(void **state)
{
	(void)state;
	assert_int_equal(create("memory-backend-ram,id=m0,size=1M"), 0);
	assert_int_equal(memory_backend_claim(&B, "vm0", &E), 0);
	assert_int_equal(memory_backend_claim(&B, "vm1", &E), -EBUSY);
	assert_string_equal(E.msg, "'memdev' property specifies a busy "
			    "memdev: m0");
	assert_string_equal(B.user, "vm0");
}

static void test_mb_create_all_registers_objects(void **state)
{
	struct memory_backend_config c[2] = {
		cfg_of("memory-backend-ram,id=m0,size=1M,reserve=off"),
		cfg_of("memory-backend-memfd,id=m1,size=2M"),
	};
	struct memory_backend_list l;
	struct qom_object *o;
	struct qom_value v;

	(void)state;
	assert_int_equal(memory_backend_create_all(&l, c, 2, &E), 0);
	assert_ptr_equal(memory_backend_find(&l, "m1"), &l.b[1]);
	assert_null(memory_backend_find(&l, "m2"));
	o = qom_resolve("/objects/m0");
	assert_non_null(o);
	assert_string_equal(qom_object_type(o), "memory-backend-ram");
	assert_int_equal(qom_get(o, "size", &v, &E), 0);
	assert_int_equal(v.u, 1 << 20);
	assert_int_equal(qom_get(o, "reserve", &v, &E), 0);
	assert_false(v.b);
	o = qom_resolve("/objects/m1");
	assert_int_equal(qom_get(o, "share", &v, &E), 0);
	assert_true(v.b);
	assert_int_equal(qom_get(o, "seal", &v, &E), 0);
	assert_true(v.b);
	memory_backend_destroy_all(&l);
	assert_null(qom_resolve("/objects/m0"));
}

static void test_mb_create_all_failure_undoes_all(void **state)
{
	struct memory_backend_config c[2] = {
		cfg_of("memory-backend-ram,id=m0,size=1M"),
		cfg_of("memory-backend-file,id=f0,size=1M,mem-path=/no/x"),
	};
	struct memory_backend_list l;

	(void)state;
	assert_int_equal(memory_backend_create_all(&l, c, 2, &E), -ENOENT);
	assert_int_equal(l.nr, 0);
	assert_null(l.b);
	assert_null(qom_resolve("/objects/m0"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mb_ram_maps_aligned_private),
		T(test_mb_ram_size_rounded_to_page),
		T(test_mb_ram_discard_frees_and_zeroes),
		T(test_mb_shared_ram_discard_removes),
		T(test_mb_memfd_shared_sealed),
		T(test_mb_memfd_seal_off_unsealed),
		T(test_mb_memfd_discard_punches_hole),
		T(test_mb_private_memfd_discard_drops_copies),
		T(test_mb_file_created_with_size),
		T(test_mb_file_in_directory_is_unlinked),
		T(test_mb_file_larger_kept_smaller_refused),
		T(test_mb_file_bad_path_fails),
		T(test_mb_checks_run_at_creation),
		T(test_mb_bad_ranges_einval),
		T(test_mb_populate_makes_resident),
		T(test_mb_populate_fallback_keeps_contents),
		T(test_mb_prealloc_populates_all),
		T(test_mb_1t_noreserve_is_cheap),
		T(test_mb_1t_reserved_fails_with_hint),
		T(test_mb_size_near_2_64_fails_cleanly),
		T(test_mb_hugetlb_reserved_without_pages_fails),
		T(test_mb_hugetlb_populate_exhausted_errors),
		T(test_mb_hugetlb_memfd_errors_as_qemu),
		T(test_mb_claim_second_user_busy),
		T(test_mb_create_all_registers_objects),
		T(test_mb_create_all_failure_undoes_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
