// SPDX-License-Identifier: MIT
/*
 * memslot: id allocation and reuse, overlap and alignment checks, the slot
 * budget, KVM failures leaving the table untouched, stats, and a table of
 * thousands of slots. KVM is replaced by a callback that records calls.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "mem/memslot.h"

struct fake_kvm {
	int ret;		/* what the next calls return */
	unsigned nr_calls;
	uint32_t slot, flags;
	uint64_t gpa, size;
	void *hva;
};

static int fake_set_region(void *opaque, uint32_t slot, uint32_t flags,
			   uint64_t gpa, uint64_t size, void *hva)
{
	struct fake_kvm *k = opaque;

	k->nr_calls++;
	k->slot = slot;
	k->flags = flags;
	k->gpa = gpa;
	k->size = size;
	k->hva = hva;
	return k->ret;
}

struct fixture {
	struct memslot_table t;
	struct fake_kvm kvm;
};

/* Page-aligned fake host addresses: never dereferenced. */
#define HVA(n) ((void *)(uintptr_t)(0x7f0000000000ULL + (n) * 0x1000ULL))

static int setup_n(void **state, unsigned nr_slots)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	if (memslot_table_init(&f.t, nr_slots, fake_set_region, &f.kvm))
		return -1;
	*state = &f;
	return 0;
}

static int setup_8(void **state)
{
	return setup_n(state, 8);
}

static int setup_4096(void **state)
{
	return setup_n(state, 4096);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	memslot_table_destroy(&f->t);
	return 0;
}

static void test_memslot_init_no_callback_einval(void **state)
{
	struct memslot_table t;

	(void)state;
	assert_int_equal(memslot_table_init(&t, 8, NULL, NULL), -EINVAL);
}

static void test_memslot_init_too_many_ids_einval(void **state)
{
	struct memslot_table t;

	(void)state;
	assert_int_equal(memslot_table_init(&t, MEMSLOT_MAX_SLOTS + 1,
					    fake_set_region, NULL),
			 -EINVAL);
}

static void test_memslot_add_first_gets_id_0_and_calls_kvm(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(memslot_add(&f->t, 0x100000, 0x200000, HVA(1),
				     KVM_MEM_LOG_DIRTY_PAGES, "ram-low"),
			 0);
	assert_int_equal(f->kvm.nr_calls, 1);
	assert_int_equal(f->kvm.slot, 0);
	assert_int_equal(f->kvm.flags, KVM_MEM_LOG_DIRTY_PAGES);
	assert_int_equal(f->kvm.gpa, 0x100000);
	assert_int_equal(f->kvm.size, 0x200000);
	assert_ptr_equal(f->kvm.hva, HVA(1));
	assert_true(f->t.slots[0].used);
	assert_string_equal(f->t.slots[0].owner, "ram-low");
	assert_int_equal(memslot_free(&f->t), 7);
}

static void test_memslot_add_ids_ascend(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(memslot_add(&f->t, 0x3000, 0x1000, HVA(1), 0, "a"),
			 0);
	assert_int_equal(memslot_add(&f->t, 0x1000, 0x1000, HVA(2), 0, "b"),
			 1);
	assert_int_equal(memslot_add(&f->t, 0x2000, 0x1000, HVA(3), 0, "c"),
			 2);
}

static void test_memslot_add_invalid_ranges_einval(void **state)
{
	struct fixture *f = *state;
	struct memslot_table *t = &f->t;

	assert_int_equal(memslot_add(t, 0x1000, 0, HVA(1), 0, "x"), -EINVAL);
	assert_int_equal(memslot_add(t, 0x1800, 0x1000, HVA(1), 0, "x"),
			 -EINVAL);
	assert_int_equal(memslot_add(t, 0x1000, 0x1800, HVA(1), 0, "x"),
			 -EINVAL);
	assert_int_equal(memslot_add(t, 0x1000, 0x1000,
				     (char *)HVA(1) + 8, 0, "x"),
			 -EINVAL);
	assert_int_equal(memslot_add(t, UINT64_MAX - 0xFFF, 0x2000, HVA(1), 0,
				     "x"),
			 -EINVAL);
	assert_int_equal(f->kvm.nr_calls, 0);
	assert_int_equal(t->nr_used, 0);
}

/* Live slot [0x10000, 0x20000); each case overlaps it differently. */
static void test_memslot_add_overlap_eexist(void **state)
{
	struct fixture *f = *state;
	struct memslot_table *t = &f->t;

	assert_int_equal(memslot_add(t, 0x10000, 0x10000, HVA(0), 0, "a"), 0);
	assert_int_equal(memslot_add(t, 0x10000, 0x10000, HVA(1), 0, "x"),
			 -EEXIST);
	assert_int_equal(memslot_add(t, 0xF000, 0x2000, HVA(1), 0, "x"),
			 -EEXIST);
	assert_int_equal(memslot_add(t, 0x1F000, 0x2000, HVA(1), 0, "x"),
			 -EEXIST);
	assert_int_equal(memslot_add(t, 0x12000, 0x1000, HVA(1), 0, "x"),
			 -EEXIST);
	assert_int_equal(memslot_add(t, 0, 0x100000, HVA(1), 0, "x"),
			 -EEXIST);
	assert_int_equal(f->kvm.nr_calls, 1);
	assert_int_equal(t->nr_used, 1);
}

static void test_memslot_add_adjacent_both_sides_ok(void **state)
{
	struct fixture *f = *state;
	struct memslot_table *t = &f->t;

	assert_int_equal(memslot_add(t, 0x10000, 0x10000, HVA(0), 0, "a"), 0);
	assert_int_equal(memslot_add(t, 0x20000, 0x1000, HVA(1), 0, "b"), 1);
	assert_int_equal(memslot_add(t, 0xF000, 0x1000, HVA(2), 0, "c"), 2);
}

static void test_memslot_remove_then_add_reuses_lowest_id(void **state)
{
	struct fixture *f = *state;
	struct memslot_table *t = &f->t;
	unsigned i;

	for (i = 0; i < 4; i++)
		assert_int_equal(memslot_add(t, i * 0x1000ULL, 0x1000, HVA(i),
					     0, "r"),
				 (int)i);
	assert_int_equal(memslot_remove(t, 2), 0);
	assert_int_equal(memslot_remove(t, 1), 0);
	assert_int_equal(memslot_add(t, 0x10000, 0x1000, HVA(9), 0, "r"), 1);
	assert_int_equal(memslot_add(t, 0x11000, 0x1000, HVA(9), 0, "r"), 2);
	assert_int_equal(memslot_add(t, 0x12000, 0x1000, HVA(9), 0, "r"), 4);
}

static void test_memslot_remove_calls_kvm_with_size_0(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(memslot_add(&f->t, 0x4000, 0x2000, HVA(3), 0, "a"),
			 0);
	assert_int_equal(memslot_remove(&f->t, 0), 0);
	assert_int_equal(f->kvm.nr_calls, 2);
	assert_int_equal(f->kvm.slot, 0);
	assert_int_equal(f->kvm.size, 0);
	assert_int_equal(f->kvm.gpa, 0x4000);
	assert_false(f->t.slots[0].used);
	assert_int_equal(memslot_find(&f->t, 0x4000), -ENOENT);
}

static void test_memslot_remove_unknown_enoent(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(memslot_remove(&f->t, 0), -ENOENT);
	assert_int_equal(memslot_remove(&f->t, 8), -ENOENT);
	assert_int_equal(memslot_remove(&f->t, UINT32_MAX), -ENOENT);
	assert_int_equal(f->kvm.nr_calls, 0);
}

static void test_memslot_add_budget_exhausted_enospc(void **state)
{
	struct fixture *f = *state;
	unsigned i;

	for (i = 0; i < 8; i++)
		assert_int_equal(memslot_add(&f->t, i * 0x1000ULL, 0x1000,
					     HVA(i), 0, "r"),
				 (int)i);
	assert_int_equal(memslot_free(&f->t), 0);
	assert_int_equal(memslot_add(&f->t, 0x100000, 0x1000, HVA(9), 0, "r"),
			 -ENOSPC);
	assert_int_equal(f->kvm.nr_calls, 8);
}

static void test_memslot_zero_budget_enospc(void **state)
{
	struct memslot_table t;
	struct fake_kvm kvm = { 0 };

	(void)state;
	assert_int_equal(memslot_table_init(&t, 0, fake_set_region, &kvm), 0);
	assert_int_equal(memslot_add(&t, 0, 0x1000, HVA(0), 0, "r"), -ENOSPC);
	assert_int_equal(memslot_find(&t, 0), -ENOENT);
	memslot_table_destroy(&t);
}

static void test_memslot_add_kvm_failure_table_unchanged(void **state)
{
	struct fixture *f = *state;
	struct memslot_table *t = &f->t;

	assert_int_equal(memslot_add(t, 0, 0x1000, HVA(0), 0, "a"), 0);
	f->kvm.ret = -EFAULT;
	assert_int_equal(memslot_add(t, 0x1000, 0x1000, HVA(1), 0, "b"),
			 -EFAULT);
	assert_int_equal(t->nr_used, 1);
	assert_false(t->slots[1].used);
	assert_int_equal(memslot_find(t, 0x1000), -ENOENT);
	assert_int_equal(t->stats.nr_added, 1);
	assert_int_equal(t->stats.mapped_bytes, 0x1000);
	f->kvm.ret = 0;
	assert_int_equal(memslot_add(t, 0x1000, 0x1000, HVA(1), 0, "b"), 1);
}

static void test_memslot_remove_kvm_failure_slot_stays(void **state)
{
	struct fixture *f = *state;
	struct memslot_table *t = &f->t;

	assert_int_equal(memslot_add(t, 0x8000, 0x1000, HVA(0), 0, "a"), 0);
	f->kvm.ret = -EINVAL;
	assert_int_equal(memslot_remove(t, 0), -EINVAL);
	assert_true(t->slots[0].used);
	assert_int_equal(memslot_find(t, 0x8000), 0);
	assert_int_equal(t->stats.nr_removed, 0);
	assert_int_equal(t->stats.mapped_bytes, 0x1000);
}

static void test_memslot_add_positive_kvm_return_eio(void **state)
{
	struct fixture *f = *state;

	f->kvm.ret = 1;	/* a buggy callback must not look like success */
	assert_int_equal(memslot_add(&f->t, 0, 0x1000, HVA(0), 0, "a"), -EIO);
	assert_int_equal(f->t.nr_used, 0);
}

static void test_memslot_stats_count_operations_and_bytes(void **state)
{
	struct fixture *f = *state;
	struct memslot_table *t = &f->t;

	assert_int_equal(memslot_add(t, 0, 0x3000, HVA(0), 0, "a"), 0);
	assert_int_equal(memslot_add(t, 0x10000, 0x5000, HVA(1), 0, "b"), 1);
	assert_int_equal(memslot_remove(t, 0), 0);
	assert_int_equal(t->stats.nr_added, 2);
	assert_int_equal(t->stats.nr_removed, 1);
	assert_int_equal(t->stats.mapped_bytes, 0x5000);
}

static void test_memslot_find_boundaries(void **state)
{
	struct fixture *f = *state;
	struct memslot_table *t = &f->t;

	assert_int_equal(memslot_add(t, 0x20000, 0x10000, HVA(0), 0, "a"), 0);
	assert_int_equal(memslot_add(t, 0x40000, 0x1000, HVA(1), 0, "b"), 1);
	assert_int_equal(memslot_find(t, 0x20000), 0);
	assert_int_equal(memslot_find(t, 0x2FFFF), 0);
	assert_int_equal(memslot_find(t, 0x30000), -ENOENT);
	assert_int_equal(memslot_find(t, 0x1FFFF), -ENOENT);
	assert_int_equal(memslot_find(t, 0x40FFF), 1);
	assert_int_equal(memslot_find(t, UINT64_MAX), -ENOENT);
}

static void test_memslot_lowest_id_found_past_first_bitmap_word(void **state)
{
	struct fixture *f = *state;
	struct memslot_table *t = &f->t;
	unsigned i;

	for (i = 0; i < 130; i++)
		assert_int_equal(memslot_add(t, i * 0x1000ULL, 0x1000, HVA(i),
					     0, "r"),
				 (int)i);
	assert_int_equal(memslot_remove(t, 100), 0);
	assert_int_equal(memslot_remove(t, 70), 0);
	assert_int_equal(memslot_add(t, 0x200000, 0x1000, HVA(0), 0, "r"), 70);
	assert_int_equal(memslot_add(t, 0x201000, 0x1000, HVA(0), 0, "r"),
			 100);
	assert_int_equal(memslot_add(t, 0x202000, 0x1000, HVA(0), 0, "r"),
			 130);
}

/*
 * 4096 slots of 128 MiB added in a scattered gpa order (a virtio-mem
 * device plugging at random), every other one removed again.
 */
static void test_memslot_thousands_of_slots_find_each(void **state)
{
	struct fixture *f = *state;
	struct memslot_table *t = &f->t;
	const uint64_t sz = 128 * MiB;
	unsigned i, k;

	for (i = 0; i < 4096; i++) {
		/* odd multiplier mod 2^12: a permutation of 0..4095 */
		k = (i * 2654435761u) % 4096;
		assert_int_equal(memslot_add(t, k * sz, sz, HVA(k), 0, "vm0"),
				 (int)i);
	}
	assert_int_equal(memslot_free(t), 0);
	for (i = 0; i < 4096; i += 2)
		assert_int_equal(memslot_remove(t, i), 0);
	for (i = 0; i < 4096; i++) {
		k = (i * 2654435761u) % 4096;
		assert_int_equal(memslot_find(t, k * sz + sz / 2),
				 i % 2 ? (int)i : -ENOENT);
	}
	assert_int_equal(t->stats.mapped_bytes, 2048 * sz);
}

static void test_memslot_kvm_ioctl_bad_fd_ebadf(void **state)
{
	int fd = -1;

	(void)state;
	assert_int_equal(memslot_kvm_ioctl(&fd, 0, 0, 0, 0x1000, HVA(0)),
			 -EBADF);
}

static void test_memslot_kvm_ioctl_not_a_vm_enotty(void **state)
{
	int fd = open("/dev/null", O_RDONLY);
	int ret;

	(void)state;
	assert_true(fd >= 0);
	ret = memslot_kvm_ioctl(&fd, 0, 0, 0, 0x1000, HVA(0));
	close(fd);
	assert_int_equal(ret, -ENOTTY);
}

#define T(f) cmocka_unit_test(f)
#define T8(f) cmocka_unit_test_setup_teardown(f, setup_8, teardown)
#define TBIG(f) cmocka_unit_test_setup_teardown(f, setup_4096, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_memslot_init_no_callback_einval),
		T(test_memslot_init_too_many_ids_einval),
		T8(test_memslot_add_first_gets_id_0_and_calls_kvm),
		T8(test_memslot_add_ids_ascend),
		T8(test_memslot_add_invalid_ranges_einval),
		T8(test_memslot_add_overlap_eexist),
		T8(test_memslot_add_adjacent_both_sides_ok),
		T8(test_memslot_remove_then_add_reuses_lowest_id),
		T8(test_memslot_remove_calls_kvm_with_size_0),
		T8(test_memslot_remove_unknown_enoent),
		T8(test_memslot_add_budget_exhausted_enospc),
		T(test_memslot_zero_budget_enospc),
		T8(test_memslot_add_kvm_failure_table_unchanged),
		T8(test_memslot_remove_kvm_failure_slot_stays),
		T8(test_memslot_add_positive_kvm_return_eio),
		T8(test_memslot_stats_count_operations_and_bytes),
		T8(test_memslot_find_boundaries),
		TBIG(test_memslot_lowest_id_found_past_first_bitmap_word),
		TBIG(test_memslot_thousands_of_slots_find_each),
		T(test_memslot_kvm_ioctl_bad_fd_ebadf),
		T(test_memslot_kvm_ioctl_not_a_vm_enotty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
