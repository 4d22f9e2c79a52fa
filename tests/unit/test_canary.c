// SPDX-License-Identifier: MIT
/*
 * canary: the aligned mapping with reserved margins, canaries placed
 * directly around it, damage found on either side at check time (and the
 * report's wording), the guard page beyond each canary, the release of
 * the margins, and memory backends armed through the backend list.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mem/canary.h"
#include "mem/memory_backend.h"
#include "util/size.h"

#define LEN	(2 * MiB)
#define ALIGN	(2 * MiB)
#define FLAGS	(MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)

static struct canary C;
static uint8_t *hva;

/* True when [p, p + len) is free address space (nothing mapped there). */
static bool is_free(void *p, size_t len)
{
	void *q = mmap(p, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_FIXED_NOREPLACE, -1, 0);

	if (q == MAP_FAILED)
		return false;
	munmap(q, len);
	return q == p;
}

static int setup(void **state)
{
	(void)state;
	hva = canary_mmap_aligned(LEN, ALIGN, FLAGS, -1, CANARY_MARGIN);
	if (hva == MAP_FAILED)
		return -1;
	return canary_arm(&C, "guest RAM", hva, LEN);
}

static int teardown(void **state)
{
	(void)state;
	canary_disarm(&C);
	munmap(hva, LEN);
	return 0;
}

static void test_canary_mmap_aligned_margin_reserved_and_aligned(void **s)
{
	uint8_t *p = canary_mmap_aligned(LEN, ALIGN, FLAGS, -1, CANARY_MARGIN);

	(void)s;
	assert_ptr_not_equal(p, MAP_FAILED);
	assert_int_equal((uintptr_t)p % ALIGN, 0);
	p[0] = 1;
	p[LEN - 1] = 2;
	/* Both margins are taken (reserved), and nothing beyond them. */
	assert_false(is_free(p - CANARY_MARGIN, CANARY_PAGE_SIZE));
	assert_false(is_free(p + LEN + CANARY_MARGIN - CANARY_PAGE_SIZE,
			     CANARY_PAGE_SIZE));
	munmap(p - CANARY_MARGIN, LEN + 2 * CANARY_MARGIN);
}

static void test_canary_mmap_aligned_zero_len_enomem(void **s)
{
	(void)s;
	errno = 0;
	assert_ptr_equal(canary_mmap_aligned(0, ALIGN, FLAGS, -1,
					     CANARY_MARGIN), MAP_FAILED);
	assert_int_equal(errno, ENOMEM);
}

static void test_canary_mmap_aligned_wrapping_len_enomem(void **s)
{
	(void)s;
	errno = 0;
	assert_ptr_equal(canary_mmap_aligned(UINT64_MAX - ALIGN, ALIGN, FLAGS,
					     -1, CANARY_MARGIN), MAP_FAILED);
	assert_int_equal(errno, ENOMEM);
}

static void test_canary_arm_canaries_touch_the_mapping(void **s)
{
	(void)s;
	assert_ptr_equal(C.before + CANARY_SIZE, hva);
	assert_ptr_equal(C.after, hva + LEN);
	assert_string_equal(C.name, "guest RAM");
}

static void test_canary_check_untouched_ok(void **s)
{
	struct error err = { 0 };

	(void)s;
	hva[0] = 0xff;		/* guest memory itself is not a canary */
	hva[LEN - 1] = 0xff;
	assert_int_equal(canary_check(&C, &err), 0);
	assert_string_equal(err.msg, "");
}

static void test_canary_check_byte_after_end_detected(void **s)
{
	struct error err = { 0 };
	char want[256];

	(void)s;
	hva[LEN] = (uint8_t)~hva[LEN];	/* one byte past guest memory */
	assert_int_equal(canary_check(&C, &err), -EFAULT);
	snprintf(want, sizeof(want), "canary after guest RAM at %p was "
		 "overwritten: 1 byte changed, the first at offset 0",
		 (void *)(hva + LEN));
	assert_string_equal(err.msg, want);
}

static void test_canary_check_bytes_before_start_detected(void **s)
{
	struct error err = { 0 };
	char want[256];

	(void)s;
	for (int i = 1; i <= 3; i++)	/* an underrun of three bytes */
		hva[-i] ^= 0x80;
	assert_int_equal(canary_check(&C, &err), -EFAULT);
	snprintf(want, sizeof(want), "canary before guest RAM at %p was "
		 "overwritten: %s, the first at offset %u",
		 (void *)(hva - CANARY_SIZE), "3 bytes changed",
		 CANARY_SIZE - 3);
	assert_string_equal(err.msg, want);
}

static void test_canary_check_shifted_pattern_detected(void **s)
{
	struct error err = { 0 };

	(void)s;
	/* The pattern moved by one byte: every byte is "canary-like". */
	memmove(C.after + 1, C.after, CANARY_SIZE - 1);
	assert_int_equal(canary_check(&C, &err), -EFAULT);
}

static void test_canary_check_zeroed_ok(void **s)
{
	struct canary none = { 0 };
	struct error err = { 0 };

	(void)s;
	assert_int_equal(canary_check(&none, &err), 0);
}

/* A write that runs past a canary stops at the guard page. */
static void test_canary_guard_beyond_canary_faults(void **s)
{
	int status;
	pid_t pid;

	(void)s;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		*(volatile uint8_t *)(C.after + CANARY_SIZE) = 1;
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSEGV);
}

static void test_canary_arm_unaligned_len_einval_unmaps(void **s)
{
	struct canary c;
	uint8_t *p = canary_mmap_aligned(LEN, ALIGN, FLAGS, -1, CANARY_MARGIN);

	(void)s;
	assert_ptr_not_equal(p, MAP_FAILED);
	assert_int_equal(canary_arm(&c, "x", p, LEN - 1), -EINVAL);
	assert_null(c.before);
	assert_null(c.after);
	assert_true(is_free(p - CANARY_MARGIN, CANARY_MARGIN));
	assert_true(is_free(p + LEN, CANARY_MARGIN));
	munmap(p, LEN);
}

static void test_canary_disarm_releases_margins(void **s)
{
	struct canary c;
	uint8_t *p = canary_mmap_aligned(LEN, ALIGN, FLAGS, -1, CANARY_MARGIN);

	(void)s;
	assert_ptr_not_equal(p, MAP_FAILED);
	assert_int_equal(canary_arm(&c, "x", p, LEN), 0);
	canary_disarm(&c);
	assert_null(c.before);
	assert_true(is_free(p - CANARY_MARGIN, CANARY_MARGIN));
	assert_true(is_free(p + LEN, CANARY_MARGIN));
	assert_false(is_free(p, CANARY_PAGE_SIZE));	/* the caller's */
	munmap(p, LEN);
}

static void test_canary_backend_list_arms_each_backend(void **s)
{
	struct memory_backend_config cfg[2] = {
		{ .type = MEMORY_BACKEND_RAM, .id = "mem0", .size = 4 * MiB,
		  .reserve = false, .prealloc_threads = 1 },
		{ .type = MEMORY_BACKEND_MEMFD, .id = "mem1", .size = 2 * MiB,
		  .reserve = true, .share = true, .seal = true,
		  .prealloc_threads = 1 },
	};
	struct memory_backend_list l = { .canary = true };
	struct error err = { 0 };

	(void)s;
	assert_int_equal(memory_backend_create_all(&l, cfg, 2, &err), 0);
	for (unsigned i = 0; i < 2; i++) {
		struct memory_backend *b = &l.b[i];

		assert_ptr_equal(b->canary.before + CANARY_SIZE, b->hva);
		assert_ptr_equal(b->canary.after,
				 (uint8_t *)b->hva + b->map_size);
		assert_int_equal(canary_check(&b->canary, &err), 0);
	}
	assert_string_equal(l.b[1].canary.name, "memory backend 'mem1'");
	((uint8_t *)l.b[1].hva)[l.b[1].map_size] ^= 1;
	assert_int_equal(canary_check(&l.b[1].canary, &err), -EFAULT);
	memory_backend_destroy_all(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_canary_mmap_aligned_margin_reserved_and_aligned),
		cmocka_unit_test(test_canary_mmap_aligned_zero_len_enomem),
		cmocka_unit_test(test_canary_mmap_aligned_wrapping_len_enomem),
		cmocka_unit_test_setup_teardown(
			test_canary_arm_canaries_touch_the_mapping, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_canary_check_untouched_ok,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_canary_check_byte_after_end_detected, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_canary_check_bytes_before_start_detected, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_canary_check_shifted_pattern_detected, setup,
			teardown),
		cmocka_unit_test(test_canary_check_zeroed_ok),
		cmocka_unit_test_setup_teardown(
			test_canary_guard_beyond_canary_faults, setup,
			teardown),
		cmocka_unit_test(test_canary_arm_unaligned_len_einval_unmaps),
		cmocka_unit_test(test_canary_disarm_releases_margins),
		cmocka_unit_test(test_canary_backend_list_arms_each_backend),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
