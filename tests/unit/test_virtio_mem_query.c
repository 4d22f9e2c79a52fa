// SPDX-License-Identifier: MIT
/*
 * The monitor's view of virtio-mem-pci: QOM properties of
 * /machine/peripheral/vm0 and its virtio-backend child, with QEMU 7.2's
 * qom-set errors, and the query API (virtio_mem_query*) that
 * query-memory-devices and x-query-memslots are built on. The device runs
 * on a fake KVM slot table; the VM is a zeroed struct vm that only lists
 * it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/vm.h"
#include "hw/virtio/virtio_mem_pci.h"
#include "monitor/qom.h"
#include "vq_fixture.h"

#define ADDR (4 * GiB)
#define BS (2 * MiB)
#define REGION GiB
#define PATH "/machine/peripheral/vm0"

static int fake_set_region(void *opaque, uint32_t slot, uint32_t flags,
			   uint64_t gpa, uint64_t size, void *hva)
{
	(void)opaque, (void)slot, (void)flags, (void)gpa, (void)size;
	(void)hva;
	return 0;
}

static int fake_range(struct memory_backend *b, uint64_t off, uint64_t len)
{
	(void)b, (void)off, (void)len;
	return 0;
}

static unsigned nr_config_irq;

static void count_config_irq(void *opaque)
{
	(void)opaque;
	nr_config_irq++;
}

static const struct virtio_transport_ops transport = {
	.notify_config = count_config_irq,
};

struct t {
	struct vq_fixture fx;
	struct memslot_table table;
	struct memory_backend backend;
	struct virtio_mem_pci d;
	struct vm vm;
};

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));
	const struct virtio_mem_params p = {
		.vmem = { .addr = ADDR, .region_size = REGION,
			  .block_size = BS, .requested_size = 0 },
		.unplugged_inaccessible = true, .dynamic_memslots = true,
		.policy = MEMSLOT_POLICY_FLEXVM, .slot_limit = 256,
		.owner = PATH,
	};

	if (!t || vq_fixture_init(&t->fx, 128) ||
	    memslot_table_init(&t->table, 64, fake_set_region, NULL))
		return -1;
	t->backend = (struct memory_backend){ .hva = (void *)(64 * GiB),
					      .page_size = 4 * KiB, .fd = -1 };
	t->d.id = strdup("vm0");
	t->d.qom_path = strdup(PATH);
	t->d.memdev_path = strdup("/objects/mem0");
	t->d.dynamic_memslots = true;
	t->d.slot_limit = 256;
	if (virtio_mem_init(&t->d.mem, &p, &t->backend, &t->table,
			    &t->fx.gm, NULL) ||
	    virtio_mem_query_qom_add(&t->d, NULL))
		return -1;
	t->d.mem.discard = fake_range;
	t->d.mem.populate = fake_range;
	virtio_set_transport(&t->d.mem.vdev, &transport, NULL);
	/* DRIVER_OK, so configuration change interrupts go out */
	t->d.mem.vdev.status = VIRTIO_CONFIG_S_DRIVER_OK;
	t->vm.memdevs[0] = &t->d;
	t->vm.nr_memdevs = 1;
	nr_config_irq = 0;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	qom_reset_tree();
	virtio_mem_destroy(&t->d.mem);
	memslot_table_destroy(&t->table);
	vq_fixture_destroy(&t->fx);
	free(t->d.id);
	free(t->d.qom_path);
	free(t->d.memdev_path);
	free(t);
	return 0;
}

static struct qom_value get(const char *path, const char *prop)
{
	struct qom_value v = { 0 };

	assert_int_equal(qom_get(qom_resolve(path), prop, &v, NULL), 0);
	return v;
}

/* Sets @prop to @u; returns the error text ("" on success). */
static const char *set(const char *prop, uint64_t u)
{
	static struct error err;
	struct qom_value v = { .type = QOM_TYPE_SIZE, .u = u };

	int ret;

	error_clear(&err);
	ret = qom_set(qom_resolve("vm0"), prop, &v, &err);
	assert_int_equal(ret == 0, err.msg[0] == '\0');
	return err.msg;
}

/* Plugs @nb blocks at the start through the device's own state. */
static void plug(struct t *t, uint16_t nb)
{
	assert_int_equal(virtio_mem_set_requested_size(&t->d.mem,
						       nb * BS, NULL), 0);
	assert_int_equal(vmem_state_commit_plug(&t->d.mem.st, ADDR, nb), 0);
}

static void test_query_qom_types_and_values(void **state)
{
	(void)state;
	assert_string_equal(qom_object_type(qom_resolve(PATH)),
			    "virtio-mem-pci");
	assert_string_equal(qom_object_type(qom_resolve(PATH
						"/virtio-backend")),
			    "virtio-mem");
	assert_int_equal(get(PATH, "memaddr").u, ADDR);
	assert_int_equal(get(PATH, "block-size").u, BS);
	assert_int_equal(get(PATH, "block-size").type, QOM_TYPE_SIZE);
	assert_int_equal(get(PATH, "size").u, 0);
	assert_int_equal(get(PATH, "node").u, 0);
	assert_string_equal(get(PATH, "memdev").s, "/objects/mem0");
	assert_string_equal(get(PATH, "unplugged-inaccessible").s, "on");
	assert_string_equal(get(PATH, "x-memslot-policy").s, "flexvm");
	assert_true(get(PATH "/virtio-backend", "dynamic-memslots").b);
}

static void test_query_qom_set_requested_size(void **state)
{
	(void)state;
	assert_string_equal(set("requested-size", 512 * MiB), "");
	assert_int_equal(get(PATH "/virtio-backend", "requested-size").u,
			 512 * MiB);
	assert_int_equal(nr_config_irq, 1);
}

static void test_query_qom_set_requested_size_errors(void **state)
{
	(void)state;
	assert_string_equal(set("requested-size", 3 * MiB),
			    "'requested-size' has to be multiples of "
			    "'block-size' (0x200000)");
	assert_string_equal(set("requested-size", 2 * GiB),
			    "'requested-size' cannot exceed the memory "
			    "backend size(0x40000000)");
	assert_int_equal(nr_config_irq, 0);
}

static void test_query_qom_other_properties_refused(void **state)
{
	(void)state;
	assert_string_equal(set("block-size", 4 * MiB),
			    "'block-size' cannot be changed");
	assert_string_equal(set("size", 0),
			    "Property 'virtio-mem.size' is not writable");
	assert_string_equal(set("node", 0),
			    "Attempt to set property 'node' on anonymous "
			    "device (type 'virtio-mem') after it was realized");
	assert_string_equal(set("memdev", 0),
			    "Attempt to set link property 'memdev' on device "
			    "'(null)' (type 'virtio-mem') after it was "
			    "realized");
}

static void test_query_reports_device(void **state)
{
	struct t *t = *state;
	struct virtio_mem_info info;

	plug(t, 2);
	assert_int_equal(virtio_mem_slots_map(&t->d.mem.slots, &t->d.mem.st,
					      0, 2 * BS), 0);
	assert_int_equal(virtio_mem_query_count(&t->vm), 1);
	assert_int_equal(virtio_mem_query(&t->vm, 0, &info), 0);
	assert_string_equal(info.id, "vm0");
	assert_string_equal(info.qom_path, PATH);
	assert_string_equal(info.memdev, "/objects/mem0");
	assert_int_equal(info.memaddr, ADDR);
	assert_int_equal(info.requested_size, 2 * BS);
	assert_int_equal(info.size, 2 * BS);
	assert_int_equal(info.max_size, REGION);
	assert_int_equal(info.block_size, BS);
	assert_string_equal(info.policy, "flexvm");
	assert_int_equal(info.nr_slots, 8);
	assert_int_equal(info.nr_mapped, 1);
	assert_int_equal(info.mapped_bytes, 128 * MiB);
	assert_int_equal(info.kernel_cost, 336 * KiB);
	assert_int_equal(info.nr_slot_adds, 1);
	assert_int_equal(virtio_mem_query_plugged_total(&t->vm), 2 * BS);
	assert_int_equal(virtio_mem_query(&t->vm, 1, &info), -ENOENT);
}

static void test_query_reports_slots(void **state)
{
	struct t *t = *state;
	struct virtio_mem_slot_info slot;

	plug(t, 1);
	assert_int_equal(virtio_mem_slots_map(&t->d.mem.slots, &t->d.mem.st,
					      0, BS), 0);
	assert_int_equal(virtio_mem_query_slot(&t->vm, 0, 0, &slot), 0);
	assert_true(slot.mapped);
	assert_int_equal(slot.kvm_slot, 0);
	assert_int_equal(slot.gpa, ADDR);
	assert_int_equal(slot.size, 128 * MiB);
	assert_int_equal(virtio_mem_query_slot(&t->vm, 0, 7, &slot), 0);
	assert_false(slot.mapped);
	assert_int_equal(slot.gpa, ADDR + 7 * 128 * MiB);
	assert_int_equal(virtio_mem_query_slot(&t->vm, 0, 8, &slot),
			 -ENOENT);
	assert_int_equal(virtio_mem_query_slot(&t->vm, 1, 0, &slot),
			 -ENOENT);
}

static void test_query_static_policy_named(void **state)
{
	struct t *t = *state;
	struct virtio_mem_info info;

	t->d.dynamic_memslots = false;
	assert_int_equal(virtio_mem_query(&t->vm, 0, &info), 0);
	assert_string_equal(info.policy, "static");
	assert_false(info.dynamic_memslots);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_query_qom_types_and_values),
		T(test_query_qom_set_requested_size),
		T(test_query_qom_set_requested_size_errors),
		T(test_query_qom_other_properties_refused),
		T(test_query_reports_device),
		T(test_query_reports_slots),
		T(test_query_static_policy_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
