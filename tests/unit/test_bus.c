// SPDX-License-Identifier: MIT
/*
 * bus: registration and overlap rules, lookups at region edges, dispatch
 * with little-endian data, accesses that run past a region's end, the
 * unassigned (all ones) read value, removal and a bus of many regions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "hw/bus.h"

struct fake_dev {
	unsigned nr_reads, nr_writes;
	uint64_t offset;
	unsigned size;
	uint64_t value;		/* last written, or what reads return */
};

static uint64_t fake_read(void *opaque, uint64_t offset, unsigned size)
{
	struct fake_dev *d = opaque;

	d->nr_reads++;
	d->offset = offset;
	d->size = size;
	return d->value;
}

static void fake_write(void *opaque, uint64_t offset, uint64_t value,
		       unsigned size)
{
	struct fake_dev *d = opaque;

	d->nr_writes++;
	d->offset = offset;
	d->size = size;
	d->value = value;
}

static const struct io_ops fake_ops = { .read = fake_read,
					.write = fake_write };
static const struct io_ops no_ops = { 0 };

/* One device at [0x1000, 0x1010). */
struct fixture {
	struct bus bus;
	struct fake_dev dev;
};

#define BASE 0x1000ULL
#define LEN 0x10ULL

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	bus_init(&f.bus, "mmio");
	if (bus_add(&f.bus, BASE, LEN, &fake_ops, &f.dev, "dev"))
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	bus_destroy(&f->bus);
	return 0;
}

static void test_bus_add_empty_einval(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(bus_add(&f->bus, 0x2000, 0, &fake_ops, NULL, "x"),
			 -EINVAL);
}

static void test_bus_add_wrapping_einval(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(bus_add(&f->bus, UINT64_MAX - 1, 3, &fake_ops, NULL,
				 "x"),
			 -EINVAL);
}

static void test_bus_add_null_ops_einval(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(bus_add(&f->bus, 0x2000, 1, NULL, NULL, "x"),
			 -EINVAL);
}

static void test_bus_add_overlap_ebusy(void **state)
{
	struct fixture *f = *state;
	struct bus *b = &f->bus;

	assert_int_equal(bus_add(b, BASE, LEN, &fake_ops, NULL, "x"), -EBUSY);
	assert_int_equal(bus_add(b, BASE - 1, 2, &fake_ops, NULL, "x"),
			 -EBUSY);
	assert_int_equal(bus_add(b, BASE + LEN - 1, 4, &fake_ops, NULL, "x"),
			 -EBUSY);
	assert_int_equal(bus_add(b, BASE + 4, 1, &fake_ops, NULL, "x"),
			 -EBUSY);
	assert_int_equal(bus_add(b, 0, 0x10000, &fake_ops, NULL, "x"),
			 -EBUSY);
	assert_int_equal(b->nr_regions, 1);
}

static void test_bus_add_adjacent_ok(void **state)
{
	struct fixture *f = *state;
	struct bus *b = &f->bus;

	assert_int_equal(bus_add(b, BASE - 8, 8, &fake_ops, NULL, "lo"), 0);
	assert_int_equal(bus_add(b, BASE + LEN, 8, &fake_ops, NULL, "hi"), 0);
	assert_int_equal(b->nr_regions, 3);
	assert_int_equal(b->regions[0].base, BASE - 8);
	assert_int_equal(b->regions[2].base, BASE + LEN);
}

static void test_bus_find_edges(void **state)
{
	struct fixture *f = *state;

	assert_ptr_equal(bus_find(&f->bus, BASE), &f->bus.regions[0]);
	assert_ptr_equal(bus_find(&f->bus, BASE + LEN - 1),
			 &f->bus.regions[0]);
	assert_null(bus_find(&f->bus, BASE + LEN));
	assert_null(bus_find(&f->bus, BASE - 1));
	assert_null(bus_find(&f->bus, UINT64_MAX));
}

static void test_bus_read_dispatches_little_endian(void **state)
{
	struct fixture *f = *state;
	uint8_t data[8];
	const uint8_t want[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	f->dev.value = 0x0807060504030201ULL;
	assert_true(bus_read(&f->bus, BASE + 8, data, 8));
	assert_memory_equal(data, want, 8);
	assert_int_equal(f->dev.offset, 8);
	assert_int_equal(f->dev.size, 8);
}

static void test_bus_read_2_bytes_leaves_rest(void **state)
{
	struct fixture *f = *state;
	uint8_t data[4] = { 0xaa, 0xaa, 0xaa, 0xaa };
	const uint8_t want[4] = { 0x34, 0x12, 0xaa, 0xaa };

	f->dev.value = 0x1234;
	assert_true(bus_read(&f->bus, BASE + 2, data, 2));
	assert_memory_equal(data, want, 4);
	assert_int_equal(f->dev.offset, 2);
	assert_int_equal(f->dev.size, 2);
}

static void test_bus_write_dispatches_little_endian(void **state)
{
	struct fixture *f = *state;
	const uint8_t data[4] = { 0x78, 0x56, 0x34, 0x12 };

	assert_true(bus_write(&f->bus, BASE + 4, data, 4));
	assert_int_equal(f->dev.nr_writes, 1);
	assert_int_equal(f->dev.offset, 4);
	assert_int_equal(f->dev.size, 4);
	assert_int_equal(f->dev.value, 0x12345678);
}

static void test_bus_read_last_bytes_of_region_assigned(void **state)
{
	struct fixture *f = *state;
	uint8_t data[4];

	assert_true(bus_read(&f->bus, BASE + LEN - 4, data, 4));
	assert_int_equal(f->dev.offset, LEN - 4);
}

static void test_bus_read_straddling_end_unassigned(void **state)
{
	struct fixture *f = *state;
	uint8_t data[4] = { 0 };
	const uint8_t ones[4] = { 0xff, 0xff, 0xff, 0xff };

	f->dev.value = 0;
	assert_false(bus_read(&f->bus, BASE + LEN - 2, data, 4));
	assert_memory_equal(data, ones, 4);
	assert_int_equal(f->dev.nr_reads, 0);
}

static void test_bus_write_straddling_end_dropped(void **state)
{
	struct fixture *f = *state;
	const uint8_t data[8] = { 0 };

	assert_false(bus_write(&f->bus, BASE + LEN - 4, data, 8));
	assert_int_equal(f->dev.nr_writes, 0);
}

static void test_bus_access_straddling_two_regions_unassigned(void **state)
{
	struct fixture *f = *state;
	struct fake_dev next = { 0 };
	uint8_t data[2];

	assert_int_equal(bus_add(&f->bus, BASE + LEN, 4, &fake_ops, &next,
				 "next"),
			 0);
	assert_false(bus_read(&f->bus, BASE + LEN - 1, data, 2));
	assert_int_equal(f->dev.nr_reads, 0);
	assert_int_equal(next.nr_reads, 0);
}

static void test_bus_read_unassigned_all_ones(void **state)
{
	struct fixture *f = *state;
	uint8_t data[9];
	const uint8_t want[9] = { 0xff, 0xff, 0xff, 0xff, 0xff,
				  0xff, 0xff, 0xff, 0x00 };

	memset(data, 0, sizeof(data));
	assert_false(bus_read(&f->bus, 0x60, data, 8));
	assert_memory_equal(data, want, 9);
}

static void test_bus_read_unassigned_1_byte_only(void **state)
{
	struct fixture *f = *state;
	uint8_t data[2] = { 0, 0 };

	assert_false(bus_read(&f->bus, 0x80, data, 1));
	assert_int_equal(data[0], 0xff);
	assert_int_equal(data[1], 0x00);
}

static void test_bus_write_unassigned_returns_false(void **state)
{
	struct fixture *f = *state;
	const uint8_t data[1] = { 1 };

	assert_false(bus_write(&f->bus, 0x80, data, 1));
	assert_int_equal(f->dev.nr_writes, 0);
}

static void test_bus_read_odd_size_unassigned(void **state)
{
	struct fixture *f = *state;
	uint8_t data[3] = { 0 };
	const uint8_t ones[3] = { 0xff, 0xff, 0xff };

	assert_false(bus_read(&f->bus, BASE, data, 3));
	assert_memory_equal(data, ones, 3);
	assert_int_equal(f->dev.nr_reads, 0);
}

static void test_bus_read_wrapping_address_unassigned(void **state)
{
	struct fixture *f = *state;
	struct fake_dev top = { 0 };
	uint8_t data[4];

	/* [2^64 - 4, 2^64): an access of 4 at 2^64 - 2 would wrap */
	assert_int_equal(bus_add(&f->bus, UINT64_MAX - 3, 4, &fake_ops, &top,
				 "top"),
			 0);
	assert_false(bus_read(&f->bus, UINT64_MAX - 1, data, 4));
	assert_true(bus_read(&f->bus, UINT64_MAX - 3, data, 4));
	assert_int_equal(top.nr_reads, 1);
}

static void test_bus_read_no_read_callback_all_ones(void **state)
{
	struct fixture *f = *state;
	uint8_t data[2] = { 0 };
	const uint8_t data_w[1] = { 1 };

	assert_int_equal(bus_add(&f->bus, 0x3000, 2, &no_ops, NULL, "wo"), 0);
	assert_true(bus_read(&f->bus, 0x3000, data, 2));
	assert_int_equal(data[0], 0xff);
	assert_int_equal(data[1], 0xff);
	assert_true(bus_write(&f->bus, 0x3001, data_w, 1));
}

static void test_bus_remove_makes_unassigned(void **state)
{
	struct fixture *f = *state;
	uint8_t data[1] = { 0 };

	assert_int_equal(bus_remove(&f->bus, BASE), 0);
	assert_int_equal(f->bus.nr_regions, 0);
	assert_false(bus_read(&f->bus, BASE, data, 1));
	assert_int_equal(data[0], 0xff);
	assert_int_equal(f->dev.nr_reads, 0);
}

static void test_bus_remove_not_a_base_enoent(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(bus_remove(&f->bus, BASE + 1), -ENOENT);
	assert_int_equal(bus_remove(&f->bus, 0), -ENOENT);
	assert_int_equal(f->bus.nr_regions, 1);
}

static void test_bus_remove_then_add_same_range_ok(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(bus_remove(&f->bus, BASE), 0);
	assert_int_equal(bus_add(&f->bus, BASE, LEN, &fake_ops, &f->dev, "d"),
			 0);
}

#define NR_MANY 1000

/* Regions of 4 bytes every 8, added in a scattered order. */
static void test_bus_many_regions_each_routed(void **state)
{
	static struct fake_dev devs[NR_MANY];
	struct fixture *f = *state;
	uint8_t data[4];
	unsigned i, k;

	memset(devs, 0, sizeof(devs));
	for (i = 0; i < NR_MANY; i++) {
		/* 7919 is prime to 1000: a permutation of 0..999 */
		k = (i * 7919u) % NR_MANY;
		devs[k].value = k;
		assert_int_equal(bus_add(&f->bus, 0x100000 + k * 8ULL, 4,
					 &fake_ops, &devs[k], "m"),
				 0);
	}
	for (k = 0; k < NR_MANY; k++) {
		assert_true(bus_read(&f->bus, 0x100000 + k * 8ULL + 2, data,
				     2));
		assert_int_equal(data[0] | data[1] << 8, k);
		assert_false(bus_read(&f->bus, 0x100000 + k * 8ULL + 4, data,
				      1));
	}
	for (i = 1; i < f->bus.nr_regions; i++)
		assert_true(f->bus.regions[i - 1].base <
			    f->bus.regions[i].base);
}

#define TF(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TF(test_bus_add_empty_einval),
		TF(test_bus_add_wrapping_einval),
		TF(test_bus_add_null_ops_einval),
		TF(test_bus_add_overlap_ebusy),
		TF(test_bus_add_adjacent_ok),
		TF(test_bus_find_edges),
		TF(test_bus_read_dispatches_little_endian),
		TF(test_bus_read_2_bytes_leaves_rest),
		TF(test_bus_write_dispatches_little_endian),
		TF(test_bus_read_last_bytes_of_region_assigned),
		TF(test_bus_read_straddling_end_unassigned),
		TF(test_bus_write_straddling_end_dropped),
		TF(test_bus_access_straddling_two_regions_unassigned),
		TF(test_bus_read_unassigned_all_ones),
		TF(test_bus_read_unassigned_1_byte_only),
		TF(test_bus_write_unassigned_returns_false),
		TF(test_bus_read_odd_size_unassigned),
		TF(test_bus_read_wrapping_address_unassigned),
		TF(test_bus_read_no_read_callback_all_ones),
		TF(test_bus_remove_makes_unassigned),
		TF(test_bus_remove_not_a_base_enoent),
		TF(test_bus_remove_then_add_same_range_ok),
		TF(test_bus_many_regions_each_routed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
