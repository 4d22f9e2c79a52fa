// SPDX-License-Identifier: MIT
/*
 * virtio_mem_slots: the split of the memslot budget, the layout each
 * policy builds within a device's share, and mapping slot by slot on a
 * fake KVM (a recording memslot callback): touched slots from the whole
 * range, undo on failure, removal of emptied slots only, sync, static
 * mapping for dynamic-memslots=off.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "hw/virtio/virtio_mem_slots.h"

#define GPA (4 * GiB)
#define BS (2 * MiB)
#define SLOT (128 * MiB)
#define HVA ((void *)0x7f0000000000ULL)

struct call {
	uint32_t slot;
	uint64_t gpa;
	uint64_t size;	/* 0: a removal */
};

static struct call calls[64];
static unsigned nr_calls;
static int fail_at = -1;	/* fail the call with this index */
static bool prepare;		/* the next new_t() maps ahead */

static int fake_set_region(void *opaque, uint32_t slot, uint32_t flags,
			   uint64_t gpa, uint64_t size, void *hva)
{
	(void)opaque;
	(void)flags;
	(void)hva;
	if ((int)nr_calls == fail_at) {
		nr_calls++;
		return -ENOMEM;
	}
	if (nr_calls < ARRAY_SIZE(calls))
		calls[nr_calls] = (struct call){ slot, gpa, size };
	nr_calls++;
	return 0;
}

struct t {
	struct memslot_table table;
	struct virtio_mem_slots s;
	struct vmem_state st;
};

static struct t *new_t(enum memslot_policy p, uint64_t region, bool dynamic,
		       unsigned limit)
{
	static struct t t;
	const struct vmem_params vp = {
		.addr = GPA, .region_size = region, .block_size = BS,
		.requested_size = region,
	};
	const struct virtio_mem_slots_config c = {
		.table = &t.table, .policy = p, .dynamic = dynamic,
		.prepare = prepare, .gpa = GPA, .region_size = region, .block_size = BS,
		.hva = HVA, .slot_limit = limit, .owner = "vm0",
	};

	memset(&t, 0, sizeof(t));
	nr_calls = 0;
	fail_at = -1;
	if (memslot_table_init(&t.table, 32764, fake_set_region, NULL) ||
	    vmem_state_init(&t.st, &vp) ||
	    virtio_mem_slots_init(&t.s, &c, NULL))
		return NULL;
	return &t;
}

static int setup(void **state)
{
	/* 1 GiB, flexvm policy: eight 128 MiB slots. */
	*state = new_t(MEMSLOT_POLICY_FLEXVM, GiB, true, 256);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	struct t *t = *state;

	virtio_mem_slots_destroy(&t->s);
	vmem_state_destroy(&t->st);
	memslot_table_destroy(&t->table);
	return 0;
}

static void plug(struct t *t, uint64_t offset, uint64_t len)
{
	assert_int_equal(vmem_state_commit_plug(&t->st, GPA + offset,
						(uint16_t)(len / BS)), 0);
}

static void unplug(struct t *t, uint64_t offset, uint64_t len)
{
	assert_int_equal(vmem_state_commit_unplug(&t->st, GPA + offset,
						  (uint16_t)(len / BS)), 0);
}

/* ---- the budget ---- */

static void test_slot_share_whole_window_gets_budget(void **state)
{
	(void)state;
	assert_int_equal(virtio_mem_slot_share(256, 0, 32000, TiB, 0, TiB),
			 256);
}

static void test_slot_share_quarter_window_gets_quarter(void **state)
{
	(void)state;
	assert_int_equal(virtio_mem_slot_share(256, 0, 32000, 4 * GiB, 0,
					       GiB), 64);
}

static void test_slot_share_second_device_splits_the_rest(void **state)
{
	(void)state;
	/* 192 left over 3 GiB unused: a 1 GiB device gets a third. */
	assert_int_equal(virtio_mem_slot_share(256, 64, 32000, 4 * GiB, GiB,
					       GiB), 64);
}

static void test_slot_share_last_device_gets_all_left(void **state)
{
	(void)state;
	assert_int_equal(virtio_mem_slot_share(256, 200, 32000, 4 * GiB,
					       3 * GiB, GiB), 56);
}

static void test_slot_share_spent_budget_gives_one(void **state)
{
	(void)state;
	assert_int_equal(virtio_mem_slot_share(256, 256, 32000, 4 * GiB,
					       3 * GiB, GiB), 1);
}

static void test_slot_share_capped_by_free_kvm_slots(void **state)
{
	(void)state;
	assert_int_equal(virtio_mem_slot_share(256, 0, 10, TiB, 0, TiB), 10);
}

static void test_slot_share_tiny_device_gets_one(void **state)
{
	(void)state;
	assert_int_equal(virtio_mem_slot_share(256, 0, 32000, 16 * TiB, 0,
					       128 * MiB), 1);
}

static void test_slot_share_configured_budget_used(void **state)
{
	(void)state;
	assert_int_equal(virtio_mem_slot_share(1024, 0, 32000, 2 * TiB, 0,
					       TiB), 512);
}

/* ---- layouts within the share ---- */

static void test_slots_flexvm_layout_fits_share(void **state)
{
	struct t *t = new_t(MEMSLOT_POLICY_FLEXVM, TiB, true, 128);

	(void)state;
	assert_non_null(t);
	assert_true(t->s.layout.nr <= 128);
	assert_int_equal(t->s.layout.nr, 74);	/* f = 1/8 at 128 */
	assert_int_equal(nr_calls, 0);
	teardown((void **)&t);
}

static void test_slots_qemu_layout_fits_share(void **state)
{
	struct t *t = new_t(MEMSLOT_POLICY_QEMU, TiB, true, 128);

	(void)state;
	assert_non_null(t);
	assert_int_equal(t->s.layout.nr, 128);
	assert_int_equal(t->s.layout.slots[0].size, 8 * GiB);
	teardown((void **)&t);
}

static void test_slots_firecracker_over_share_fails(void **state)
{
	static struct memslot_table table;
	struct virtio_mem_slots s;
	struct error err = { 0 };
	const struct virtio_mem_slots_config c = {
		.table = &table, .policy = MEMSLOT_POLICY_FIRECRACKER,
		.dynamic = true, .gpa = GPA, .region_size = 64 * GiB,
		.block_size = BS, .hva = HVA, .slot_limit = 256,
		.owner = "vm0",
	};

	(void)state;
	assert_int_equal(memslot_table_init(&table, 32764, fake_set_region,
					    NULL), 0);
	assert_int_equal(virtio_mem_slots_init(&s, &c, &err), -ENOSPC);
	assert_string_equal(err.msg, "x-memslot-policy=firecracker needs 512 "
			    "memslots for 0x1000000000 bytes, more than this "
			    "device's share of the memslot budget (256); raise "
			    "-machine x-memslot-budget");
	memslot_table_destroy(&table);
}

static void test_slots_firecracker_within_share_builds(void **state)
{
	struct t *t = new_t(MEMSLOT_POLICY_FIRECRACKER, 32 * GiB, true, 256);

	(void)state;
	assert_non_null(t);
	assert_int_equal(t->s.layout.nr, 256);
	teardown((void **)&t);
}

/* ---- dynamic mapping ---- */

static void test_slots_dynamic_init_maps_nothing(void **state)
{
	struct t *t = *state;

	assert_int_equal(t->s.layout.nr, 8);
	assert_int_equal(t->s.nr_mapped, 0);
	assert_int_equal(nr_calls, 0);
	assert_int_equal(t->table.nr_used, 0);
}

/* ---- mapping ahead of the guest's plugs (flexvm's default) ---- */

static struct t *new_preparing(void)
{
	struct t *t;

	prepare = true;
	t = new_t(MEMSLOT_POLICY_FLEXVM, GiB, true, 256);
	prepare = false;
	assert_non_null(t);
	return t;
}

static void test_slots_prepare_maps_slots_below_requested(void **state)
{
	struct t *t = new_preparing();

	(void)state;
	assert_int_equal(virtio_mem_slots_prepare(&t->s, &t->st,
						  3 * SLOT + BS), 0);
	assert_int_equal(nr_calls, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(calls[i].gpa, GPA + i * SLOT);
		assert_int_equal(calls[i].size, SLOT);
	}
	/* A plug there then finds its slot ready: no further KVM call. */
	assert_int_equal(virtio_mem_slots_map(&t->s, &t->st, 2 * SLOT, BS),
			 0);
	assert_int_equal(nr_calls, 4);
	teardown((void **)&t);
}

static void test_slots_prepare_shrink_keeps_only_plugged_slots(void **state)
{
	struct t *t = new_preparing();

	(void)state;
	assert_int_equal(virtio_mem_slots_prepare(&t->s, &t->st, 4 * SLOT),
			 0);
	plug(t, SLOT + BS, BS);
	assert_int_equal(virtio_mem_slots_prepare(&t->s, &t->st, 0), 0);
	assert_int_equal(t->s.nr_mapped, 1);
	assert_int_equal(t->s.mapped_bytes, SLOT);
	assert_true(t->s.kvm_ids[1] >= 0);
	assert_int_equal(nr_calls, 4 + 3);	/* three removals */
	teardown((void **)&t);
}

static void test_slots_prepare_off_maps_nothing(void **state)
{
	struct t *t = *state;

	assert_int_equal(virtio_mem_slots_prepare(&t->s, &t->st, GiB), 0);
	assert_int_equal(nr_calls, 0);
	assert_int_equal(t->s.nr_mapped, 0);
}

static void test_slots_map_adds_touched_slot(void **state)
{
	struct t *t = *state;

	assert_int_equal(virtio_mem_slots_map(&t->s, &t->st, SLOT + 4 * BS,
					      BS), 0);
	assert_int_equal(nr_calls, 1);
	assert_int_equal(calls[0].gpa, GPA + SLOT);
	assert_int_equal(calls[0].size, SLOT);
	assert_int_equal(t->s.nr_mapped, 1);
	assert_int_equal(t->s.mapped_bytes, SLOT);
}

/* Firecracker #5793: a range crossing a boundary needs both slots. */
static void test_slots_map_across_boundary_adds_both(void **state)
{
	struct t *t = *state;

	assert_int_equal(virtio_mem_slots_map(&t->s, &t->st, SLOT - BS,
					      2 * BS), 0);
	assert_int_equal(nr_calls, 2);
	assert_int_equal(calls[0].gpa, GPA);
	assert_int_equal(calls[1].gpa, GPA + SLOT);
}

static void test_slots_map_twice_adds_once(void **state)
{
	struct t *t = *state;

	assert_int_equal(virtio_mem_slots_map(&t->s, &t->st, 0, BS), 0);
	plug(t, 0, BS);
	assert_int_equal(virtio_mem_slots_map(&t->s, &t->st, BS, BS), 0);
	assert_int_equal(nr_calls, 1);
}

static void test_slots_map_failure_leaves_nothing_new(void **state)
{
	struct t *t = *state;

	fail_at = 2;	/* the third slot's add */
	assert_int_equal(virtio_mem_slots_map(&t->s, &t->st, SLOT / 2,
					      2 * SLOT), -ENOMEM);
	assert_int_equal(t->s.nr_mapped, 0);
	assert_int_equal(t->table.nr_used, 0);
	/* add, add, failed add, then both removed again */
	assert_int_equal(nr_calls, 5);
	assert_int_equal(calls[3].size, 0);
	assert_int_equal(calls[4].size, 0);
}

static void test_slots_map_failure_keeps_slots_with_blocks(void **state)
{
	struct t *t = *state;

	assert_int_equal(virtio_mem_slots_map(&t->s, &t->st, 0, BS), 0);
	plug(t, 0, BS);
	fail_at = 2;
	assert_int_equal(virtio_mem_slots_map(&t->s, &t->st, BS,
					      2 * SLOT), -ENOMEM);
	assert_int_equal(t->s.nr_mapped, 1);
	assert_true(t->s.kvm_ids[0] >= 0);
}

static void test_slots_unmap_unused_keeps_partly_plugged(void **state)
{
	struct t *t = *state;

	/* Blocks plugged at the end of slot 0 and the start of slot 1. */
	assert_int_equal(virtio_mem_slots_map(&t->s, &t->st, SLOT - 2 * BS,
					      4 * BS), 0);
	plug(t, SLOT - 2 * BS, 4 * BS);
	/* Unplugging the part in slot 1 only empties slot 1. */
	assert_int_equal(virtio_mem_slots_unmap_unused(&t->s, &t->st, SLOT,
						       2 * BS), 0);
	assert_true(t->s.kvm_ids[0] >= 0);
	assert_int_equal(t->s.kvm_ids[1], -1);
	assert_int_equal(t->s.nr_mapped, 1);
}

static void test_slots_unmap_unused_after_commit(void **state)
{
	struct t *t = *state;

	assert_int_equal(virtio_mem_slots_map(&t->s, &t->st, 0, 2 * BS), 0);
	plug(t, 0, 2 * BS);
	unplug(t, 0, BS);
	assert_int_equal(virtio_mem_slots_unmap_unused(&t->s, &t->st, 0, BS),
			 0);
	assert_int_equal(t->s.nr_mapped, 1);	/* block 1 is plugged */
	unplug(t, BS, BS);
	assert_int_equal(virtio_mem_slots_unmap_unused(&t->s, &t->st, BS, BS),
			 0);
	assert_int_equal(t->s.nr_mapped, 0);
}

static void test_slots_unmap_failure_reported_slot_kept(void **state)
{
	struct t *t = *state;

	assert_int_equal(virtio_mem_slots_map(&t->s, &t->st, 0, BS), 0);
	plug(t, 0, BS);
	fail_at = 1;
	assert_int_equal(virtio_mem_slots_unmap_unused(&t->s, &t->st, 0, BS),
			 -ENOMEM);
	assert_int_equal(t->s.nr_mapped, 1);
}

static void test_slots_unmap_all_removes_every_slot(void **state)
{
	struct t *t = *state;

	assert_int_equal(virtio_mem_slots_map(&t->s, &t->st, 0, GiB), 0);
	assert_int_equal(t->s.nr_mapped, 8);
	assert_int_equal(virtio_mem_slots_unmap_all(&t->s), 0);
	assert_int_equal(t->s.nr_mapped, 0);
	assert_int_equal(t->table.nr_used, 0);
	assert_int_equal(t->s.nr_maps, 8);
	assert_int_equal(t->s.nr_unmaps, 8);
}

static void test_slots_sync_maps_exactly_plugged(void **state)
{
	struct t *t = *state;

	assert_int_equal(virtio_mem_slots_map(&t->s, &t->st, 0, SLOT), 0);
	plug(t, 3 * SLOT, BS);	/* plugged but not mapped */
	assert_int_equal(virtio_mem_slots_sync(&t->s, &t->st), 0);
	assert_int_equal(t->s.kvm_ids[0], -1);
	assert_true(t->s.kvm_ids[3] >= 0);
	assert_int_equal(t->s.nr_mapped, 1);
}

static void test_slots_info_and_cost(void **state)
{
	struct t *t = *state;
	struct virtio_mem_slot_info info;

	assert_int_equal(virtio_mem_slots_map(&t->s, &t->st, SLOT, BS), 0);
	assert_int_equal(virtio_mem_slots_info(&t->s, 1, &info), 0);
	assert_int_equal(info.index, 1);
	assert_int_equal(info.kvm_slot, (int)calls[0].slot);
	assert_int_equal(info.gpa, GPA + SLOT);
	assert_int_equal(info.size, SLOT);
	assert_true(info.mapped);
	assert_int_equal(info.kernel_cost, 336 * KiB);
	assert_int_equal(virtio_mem_slots_cost(&t->s), 336 * KiB);
	assert_int_equal(virtio_mem_slots_info(&t->s, 0, &info), 0);
	assert_false(info.mapped);
	assert_int_equal(info.kvm_slot, -1);
	assert_int_equal(virtio_mem_slots_info(&t->s, 8, &info), -ENOENT);
}

static void test_slots_destroy_removes_from_kvm(void **state)
{
	struct t *t = *state;

	assert_int_equal(virtio_mem_slots_map(&t->s, &t->st, 0, 2 * SLOT), 0);
	virtio_mem_slots_destroy(&t->s);
	assert_int_equal(t->table.nr_used, 0);
	assert_int_equal(nr_calls, 4);
}

/* ---- dynamic-memslots=off ---- */

static void test_slots_static_maps_whole_region_once(void **state)
{
	struct t *t = new_t(MEMSLOT_POLICY_FLEXVM, GiB, false, 256);

	(void)state;
	assert_non_null(t);
	assert_int_equal(nr_calls, 1);
	assert_int_equal(calls[0].gpa, GPA);
	assert_int_equal(calls[0].size, GiB);
	/* Nothing is ever unmapped. */
	assert_int_equal(virtio_mem_slots_unmap_unused(&t->s, &t->st, 0, BS),
			 0);
	assert_int_equal(virtio_mem_slots_unmap_all(&t->s), 0);
	assert_int_equal(t->s.nr_mapped, 1);
	teardown((void **)&t);
}

static void test_slots_static_splits_above_4tib(void **state)
{
	struct t *t = new_t(MEMSLOT_POLICY_FLEXVM, 9 * TiB, false, 256);

	(void)state;
	assert_non_null(t);
	assert_int_equal(nr_calls, 3);
	assert_int_equal(calls[1].gpa, GPA + 4 * TiB);
	assert_int_equal(calls[2].size, TiB);
	teardown((void **)&t);
}

static void test_slots_static_map_failure_fails_init(void **state)
{
	static struct memslot_table table;
	struct virtio_mem_slots s;
	struct error err = { 0 };
	const struct virtio_mem_slots_config c = {
		.table = &table, .dynamic = false, .gpa = GPA,
		.region_size = GiB, .block_size = BS, .hva = HVA,
		.slot_limit = 256, .owner = "vm0",
	};

	(void)state;
	assert_int_equal(memslot_table_init(&table, 32764, fake_set_region,
					    NULL), 0);
	nr_calls = 0;
	fail_at = 0;
	assert_int_equal(virtio_mem_slots_init(&s, &c, &err), -ENOMEM);
	assert_string_equal(err.msg, "cannot map the memory of vm0 into KVM: "
			    "Cannot allocate memory");
	assert_int_equal(table.nr_used, 0);
	memslot_table_destroy(&table);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define P(f) cmocka_unit_test(f)
#define U(f) cmocka_unit_test(f)

int main(void)
{
	const struct CMUnitTest tests[] = {
		U(test_slot_share_whole_window_gets_budget),
		U(test_slot_share_quarter_window_gets_quarter),
		U(test_slot_share_second_device_splits_the_rest),
		U(test_slot_share_last_device_gets_all_left),
		U(test_slot_share_spent_budget_gives_one),
		U(test_slot_share_capped_by_free_kvm_slots),
		U(test_slot_share_tiny_device_gets_one),
		U(test_slot_share_configured_budget_used),
		U(test_slots_flexvm_layout_fits_share),
		U(test_slots_qemu_layout_fits_share),
		U(test_slots_firecracker_over_share_fails),
		U(test_slots_firecracker_within_share_builds),
		T(test_slots_dynamic_init_maps_nothing),
		P(test_slots_prepare_maps_slots_below_requested),
		P(test_slots_prepare_shrink_keeps_only_plugged_slots),
		T(test_slots_prepare_off_maps_nothing),
		T(test_slots_map_adds_touched_slot),
		T(test_slots_map_across_boundary_adds_both),
		T(test_slots_map_twice_adds_once),
		T(test_slots_map_failure_leaves_nothing_new),
		T(test_slots_map_failure_keeps_slots_with_blocks),
		T(test_slots_unmap_unused_keeps_partly_plugged),
		T(test_slots_unmap_unused_after_commit),
		T(test_slots_unmap_failure_reported_slot_kept),
		T(test_slots_unmap_all_removes_every_slot),
		T(test_slots_sync_maps_exactly_plugged),
		T(test_slots_info_and_cost),
		T(test_slots_destroy_removes_from_kvm),
		U(test_slots_static_maps_whole_region_once),
		U(test_slots_static_splits_above_4tib),
		U(test_slots_static_map_failure_fails_init),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
