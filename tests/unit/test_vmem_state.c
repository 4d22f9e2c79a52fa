// SPDX-License-Identifier: MIT
/*
 * vmem_state: parameter checks with QEMU's realize and qom-set messages,
 * the usable region rules (requested + 256 MiB in whole blocks, grow-only,
 * shrink only on UNPLUG_ALL and system reset) and the config bytes.
 */
#include "vmem_fixture.h"

/* ---- init and parameter checks ---- */

static void test_vmem_state_init_fields_set(void **state)
{
	struct vmem_state *st = *state;

	assert_int_equal(st->addr, ADDR);
	assert_int_equal(st->region_size, REGION);
	assert_int_equal(st->block_size, BS);
	assert_int_equal(st->requested_size, REQ);
	assert_int_equal(st->usable_region_size, REQ + 256 * MiB);
	assert_int_equal(st->plugged_size, 0);
	assert_int_equal(st->nr_blocks, 512);
	assert_false(vmem_state_any_plugged(st, 0, NR_BLOCKS));
}

static void test_vmem_state_init_requested_zero_usable_zero(void **state)
{
	struct vmem_params p = fixture_params;
	struct vmem_state st;

	(void)state;
	p.requested_size = 0;
	assert_int_equal(vmem_state_init(&st, &p), 0);
	assert_int_equal(st.usable_region_size, 0);
	vmem_state_destroy(&st);
}

static void test_vmem_state_init_usable_capped_at_region(void **state)
{
	struct vmem_params p = fixture_params;
	struct vmem_state st;

	(void)state;
	p.requested_size = REGION - BS;
	assert_int_equal(vmem_state_init(&st, &p), 0);
	assert_int_equal(st.usable_region_size, REGION);
	vmem_state_destroy(&st);
}

static void test_vmem_state_init_usable_aligned_up_to_block(void **state)
{
	const struct vmem_params p = {
		.addr = 8 * GiB, .region_size = 4 * GiB,
		.block_size = 1 * GiB, .requested_size = 1 * GiB,
	};
	struct vmem_state st;

	(void)state;
	assert_int_equal(vmem_state_init(&st, &p), 0);
	/* 1 GiB + 256 MiB rounded up to whole 1 GiB blocks. */
	assert_int_equal(st.usable_region_size, 2 * GiB);
	vmem_state_destroy(&st);
}

static void test_vmem_state_init_16tib_region_ok(void **state)
{
	const struct vmem_params p = {
		.addr = 16 * TiB, .region_size = 16 * TiB,
		.block_size = 2 * MiB, .requested_size = 0,
	};
	struct vmem_state st;

	(void)state;
	assert_int_equal(vmem_state_init(&st, &p), 0);
	assert_int_equal(st.nr_blocks, 8ULL * 1024 * 1024);
	assert_false(vmem_state_any_plugged(&st, 0, st.nr_blocks));
	vmem_state_destroy(&st);
}

static void test_vmem_state_init_bad_params_einval(void **state)
{
	struct vmem_params p;
	struct vmem_state st;

	(void)state;
	p = fixture_params, p.block_size = 3 * MiB;
	assert_int_equal(vmem_state_init(&st, &p), -EINVAL);
	p = fixture_params, p.block_size = 512 * KiB;
	assert_int_equal(vmem_state_init(&st, &p), -EINVAL);
	p = fixture_params, p.addr = ADDR + MiB;
	assert_int_equal(vmem_state_init(&st, &p), -EINVAL);
	p = fixture_params, p.region_size = REGION + MiB;
	assert_int_equal(vmem_state_init(&st, &p), -EINVAL);
	p = fixture_params, p.requested_size = REQ + MiB;
	assert_int_equal(vmem_state_init(&st, &p), -EINVAL);
	p = fixture_params, p.requested_size = REGION + BS;
	assert_int_equal(vmem_state_init(&st, &p), -EINVAL);
	p = fixture_params, p.addr = 0 - REGION;
	assert_int_equal(vmem_state_init(&st, &p), -EINVAL);
	assert_null(st.bitmap);
}

static void check_msg(const struct vmem_params *p, uint64_t page_size,
		      const char *want)
{
	struct error err = { 0 };

	assert_int_equal(vmem_state_check_params(p, page_size, &err), -EINVAL);
	assert_string_equal(err.msg, want);
}

static void test_vmem_state_check_params_block_size_qemu_msgs(void **state)
{
	struct vmem_params p = fixture_params;

	(void)state;
	p.block_size = 512 * KiB;
	check_msg(&p, 4096,
		  "'block-size' property has to be at least 0x100000");
	p.block_size = 0;
	check_msg(&p, 4096,
		  "'block-size' property has to be at least 0x100000");
	p.block_size = 3 * MiB;
	check_msg(&p, 4096, "'block-size' property has to be a power of two");
	p.block_size = 1 * MiB;
	check_msg(&p, 2 * MiB, "'block-size' property has to be at least the "
		  "page size (0x200000)");
}

static void test_vmem_state_check_params_alignment_qemu_msgs(void **state)
{
	struct vmem_params p;

	(void)state;
	p = fixture_params, p.requested_size = MiB;
	check_msg(&p, 4096, "'requested-size' property has to be multiples "
		  "of 'block-size' (0x200000)");
	p = fixture_params, p.addr = ADDR + MiB;
	check_msg(&p, 4096, "'memaddr' property has to be multiples of "
		  "'block-size' (0x200000)");
	p = fixture_params, p.region_size = 3 * MiB;
	check_msg(&p, 4096, "'memdev' property memdev size has to be "
		  "multiples of'block-size' (0x200000)");
}

static void test_vmem_state_check_params_first_failure_wins(void **state)
{
	struct vmem_params p = fixture_params;

	(void)state;
	p.requested_size = MiB;
	p.addr = ADDR + MiB;
	p.region_size = 3 * MiB;
	check_msg(&p, 4096, "'requested-size' property has to be multiples "
		  "of 'block-size' (0x200000)");
}

static void test_vmem_state_check_params_flexvm_extras_msgs(void **state)
{
	struct vmem_params p;

	(void)state;
	p = fixture_params, p.requested_size = 2 * GiB;
	check_msg(&p, 4096, "'requested-size' cannot exceed the memory "
		  "backend size(0x40000000)");
	p = fixture_params, p.addr = 0 - 512 * MiB;
	check_msg(&p, 4096, "can't add memory device [0xffffffffe0000000:"
		  "0x40000000], the range wraps the address space");
}

static void test_vmem_state_check_params_valid_no_error(void **state)
{
	struct error err = { 0 };

	(void)state;
	assert_int_equal(vmem_state_check_params(&fixture_params, 4096, &err),
			 0);
	assert_false(error_is_set(&err));
	assert_int_equal(vmem_state_check_block_size(2 * MiB, &err), 0);
	assert_false(error_is_set(&err));
}

/* ---- requested-size and the usable region ---- */

static void test_vmem_state_set_requested_unaligned_qemu_msg(void **state)
{
	struct vmem_state *st = *state;
	struct error err = { 0 };

	assert_int_equal(vmem_state_set_requested_size(st, REQ + MiB, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "'requested-size' has to be multiples "
			    "of 'block-size' (0x200000)");
	assert_int_equal(st->requested_size, REQ);
	assert_int_equal(st->usable_region_size, REQ + 256 * MiB);
}

static void test_vmem_state_set_requested_too_big_qemu_msg(void **state)
{
	struct vmem_state *st = *state;
	struct error err = { 0 };

	assert_int_equal(vmem_state_set_requested_size(st, REGION + BS, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "'requested-size' cannot exceed the "
			    "memory backend size(0x40000000)");
	assert_int_equal(st->requested_size, REQ);
}

static void test_vmem_state_set_requested_grows_usable(void **state)
{
	struct vmem_state *st = *state;

	set_requested(st, 512 * MiB);
	assert_int_equal(st->requested_size, 512 * MiB);
	assert_int_equal(st->usable_region_size, 768 * MiB);
}

static void test_vmem_state_set_requested_lower_no_shrink(void **state)
{
	struct vmem_state *st = *state;

	set_requested(st, 512 * MiB);
	set_requested(st, 2 * MiB);
	assert_int_equal(st->usable_region_size, 768 * MiB);
	set_requested(st, 0);
	assert_int_equal(st->requested_size, 0);
	assert_int_equal(st->usable_region_size, 768 * MiB);
}

static void test_vmem_state_set_requested_capped_at_region(void **state)
{
	struct vmem_state *st = *state;

	set_requested(st, REGION);
	assert_int_equal(st->usable_region_size, REGION);
	assert_true(st->usable_region_size >= st->requested_size);
}

static void test_vmem_state_unplug_all_shrinks_usable(void **state)
{
	struct vmem_state *st = *state;

	set_requested(st, 512 * MiB);
	plug(st, 300, 4);
	set_requested(st, 0);

	vmem_state_unplug_all(st);
	assert_int_equal(st->plugged_size, 0);
	assert_int_equal(st->usable_region_size, 0);
	assert_false(vmem_state_any_plugged(st, 0, NR_BLOCKS));
}

static void test_vmem_state_unplug_all_nothing_plugged_resizes(void **state)
{
	struct vmem_state *st = *state;

	set_requested(st, 512 * MiB);
	set_requested(st, 64 * MiB);
	vmem_state_unplug_all(st);
	assert_int_equal(st->usable_region_size, 320 * MiB);
}

static void test_vmem_state_system_reset_unplugs_and_resizes(void **state)
{
	struct vmem_state *st = *state;

	set_requested(st, 512 * MiB);
	plug(st, 0, 64);
	plug(st, 100, 10);
	set_requested(st, 32 * MiB);

	vmem_state_system_reset(st);
	assert_int_equal(st->plugged_size, 0);
	assert_int_equal(st->requested_size, 32 * MiB);
	assert_int_equal(st->usable_region_size, 288 * MiB);
	assert_int_equal(vmem_state_count_plugged(st, 0, NR_BLOCKS), 0);
}

/* ---- config ---- */

static void test_vmem_state_get_config_exact_bytes(void **state)
{
	struct vmem_state *st = *state;
	struct virtio_mem_config cfg;
	uint8_t want[56] = { 0 };
	uint8_t *c = (uint8_t *)&cfg;

	plug(st, 0, 1);
	vmem_state_get_config(st, 0x0102, &cfg);
	want[0x02] = 0x20;			/* block_size 0x200000 */
	want[0x08] = 0x02, want[0x09] = 0x01;	/* node_id 0x0102 */
	want[0x14] = 0x01;			/* addr 0x100000000 */
	want[0x1b] = 0x40;			/* region 0x40000000 */
	want[0x23] = 0x18;			/* usable 0x18000000 */
	want[0x2a] = 0x20;			/* plugged 0x200000 */
	want[0x33] = 0x08;			/* requested 0x8000000 */
	assert_memory_equal(c, want, sizeof(want));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_vmem_state_init_fields_set),
		U(test_vmem_state_init_requested_zero_usable_zero),
		U(test_vmem_state_init_usable_capped_at_region),
		U(test_vmem_state_init_usable_aligned_up_to_block),
		U(test_vmem_state_init_16tib_region_ok),
		U(test_vmem_state_init_bad_params_einval),
		U(test_vmem_state_check_params_block_size_qemu_msgs),
		U(test_vmem_state_check_params_alignment_qemu_msgs),
		U(test_vmem_state_check_params_first_failure_wins),
		U(test_vmem_state_check_params_flexvm_extras_msgs),
		U(test_vmem_state_check_params_valid_no_error),
		T(test_vmem_state_set_requested_unaligned_qemu_msg),
		T(test_vmem_state_set_requested_too_big_qemu_msg),
		T(test_vmem_state_set_requested_grows_usable),
		T(test_vmem_state_set_requested_lower_no_shrink),
		T(test_vmem_state_set_requested_capped_at_region),
		T(test_vmem_state_unplug_all_shrinks_usable),
		T(test_vmem_state_unplug_all_nothing_plugged_resizes),
		T(test_vmem_state_system_reset_unplugs_and_resizes),
		T(test_vmem_state_get_config_exact_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
