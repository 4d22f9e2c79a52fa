// SPDX-License-Identifier: MIT
/*
 * Unit tests for the QOM tree: paths and containers, partial paths,
 * properties with getters and setters, children as properties, and
 * QEMU 7.2's error texts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "monitor/qom.h"

struct dev {
	uint64_t size;
	unsigned sets;
};

static int get_size(struct qom_object *obj, void *opaque,
		    struct qom_value *out, struct error *err)
{
	struct dev *d = opaque;

	(void)obj, (void)err;
	out->type = QOM_TYPE_SIZE;
	out->u = d->size;
	return 0;
}

static int set_size(struct qom_object *obj, void *opaque,
		    const struct qom_value *in, struct error *err)
{
	struct dev *d = opaque;

	(void)obj;
	if (in->u % 4096) {
		error_setg(err, "size must be a multiple of 4096");
		return -EINVAL;
	}
	d->size = in->u;
	d->sets++;
	return 0;
}

static struct dev dev;

static const struct qom_prop props[] = {
	{ "requested-size", "size", QOM_TYPE_SIZE, get_size, set_size, &dev },
	{ "size", "size", QOM_TYPE_SIZE, get_size, NULL, &dev },
	{ "secret", "string", QOM_TYPE_STR, NULL, NULL, &dev },
};

static int setup(void **state)
{
	(void)state;
	dev = (struct dev){ .size = 8192 };
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	qom_reset_tree();
	return 0;
}

static struct qom_object *add_vm0(void)
{
	struct error err = { 0 };
	struct qom_object *obj = qom_add("/machine/peripheral/vm0",
					 "virtio-mem-pci", props, 3, &err);

	assert_non_null(obj);
	return obj;
}

static void test_qom_add_makes_parent_containers(void **state)
{
	struct qom_object *parent;

	(void)state;
	add_vm0();
	parent = qom_resolve("/machine/peripheral");
	assert_non_null(parent);
	assert_string_equal(qom_object_type(parent), "container");
	assert_string_equal(qom_object_path(parent), "/machine/peripheral");
	assert_string_equal(qom_object_name(qom_child(parent, 0)), "vm0");
	assert_null(qom_child(parent, 1));
}

static void test_qom_add_duplicate_fails(void **state)
{
	struct error err = { 0 };

	(void)state;
	add_vm0();
	assert_null(qom_add("/machine/peripheral/vm0", "x", NULL, 0, &err));
	assert_string_equal(err.msg, "Duplicate ID 'vm0' for device");
}

static void test_qom_add_fills_implicit_container(void **state)
{
	struct error err = { 0 };
	struct qom_object *m;

	(void)state;
	add_vm0();
	m = qom_add("/machine", "pc-i440fx-7.2-machine", NULL, 0, &err);
	assert_non_null(m);
	assert_ptr_equal(m, qom_resolve("/machine"));
	assert_string_equal(qom_object_type(m), "pc-i440fx-7.2-machine");
	assert_non_null(qom_resolve("/machine/peripheral/vm0"));
}

static void test_qom_add_invalid_path_fails(void **state)
{
	struct error err = { 0 };

	(void)state;
	assert_null(qom_add("machine", "x", NULL, 0, &err));
	assert_string_equal(err.msg, "Invalid QOM path 'machine'");
	error_clear(&err);
	assert_null(qom_add("/a//b", "x", NULL, 0, &err));
	assert_string_equal(err.msg, "Invalid QOM path '/a//b'");
}

static void test_qom_resolve_root(void **state)
{
	struct qom_object *root;

	(void)state;
	root = qom_resolve("/");
	assert_non_null(root);
	assert_string_equal(qom_object_path(root), "/");
	assert_string_equal(qom_object_type(root), "container");
}

static void test_qom_resolve_missing_is_null(void **state)
{
	(void)state;
	add_vm0();
	assert_null(qom_resolve("/machine/peripheral/vm1"));
	assert_null(qom_resolve("/machinex"));
	assert_null(qom_resolve(""));
	assert_null(qom_resolve(NULL));
}

static void test_qom_resolve_partial_unique(void **state)
{
	struct qom_object *obj;

	(void)state;
	obj = add_vm0();
	assert_ptr_equal(qom_resolve("vm0"), obj);
	assert_ptr_equal(qom_resolve("peripheral/vm0"), obj);
	assert_null(qom_resolve("m0"));
}

static void test_qom_resolve_partial_ambiguous_is_null(void **state)
{
	struct error err = { 0 };

	(void)state;
	add_vm0();
	assert_non_null(qom_add("/objects/vm0", "memory-backend-ram", NULL, 0,
				&err));
	assert_null(qom_resolve("vm0"));
}

static void test_qom_type_is_first_property(void **state)
{
	struct qom_object *obj;
	struct qom_value v = { 0 };
	struct error err = { 0 };

	(void)state;
	obj = add_vm0();
	assert_int_equal(qom_nr_props(obj), 4);
	assert_string_equal(qom_prop_at(obj, 0)->name, "type");
	assert_string_equal(qom_prop_at(obj, 0)->type_name, "string");
	assert_string_equal(qom_prop_at(obj, 1)->name, "requested-size");
	assert_null(qom_prop_at(obj, 4));
	assert_int_equal(qom_get(obj, "type", &v, &err), 0);
	assert_string_equal(v.s, "virtio-mem-pci");
}

static void test_qom_get_calls_getter(void **state)
{
	struct qom_value v = { 0 };
	struct error err = { 0 };

	(void)state;
	assert_int_equal(qom_get(add_vm0(), "size", &v, &err), 0);
	assert_int_equal(v.type, QOM_TYPE_SIZE);
	assert_int_equal(v.u, 8192);
}

static void test_qom_get_child_gives_its_path(void **state)
{
	struct qom_value v = { 0 };
	struct error err = { 0 };

	(void)state;
	add_vm0();
	assert_int_equal(qom_get(qom_resolve("/machine"), "peripheral", &v,
				 &err), 0);
	assert_int_equal(v.type, QOM_TYPE_CHILD);
	assert_string_equal(v.s, "/machine/peripheral");
}

static void test_qom_get_unknown_property_fails(void **state)
{
	struct qom_value v = { 0 };
	struct error err = { 0 };

	(void)state;
	assert_int_equal(qom_get(add_vm0(), "nope", &v, &err), -ENOENT);
	assert_string_equal(err.msg, "Property 'virtio-mem-pci.nope' not "
			    "found");
	assert_int_equal(err.cls, ERROR_CLASS_GENERIC);
}

static void test_qom_get_unreadable_fails(void **state)
{
	struct qom_value v = { 0 };
	struct error err = { 0 };

	(void)state;
	assert_int_equal(qom_get(add_vm0(), "secret", &v, &err), -EPERM);
	assert_string_equal(err.msg, "Property 'virtio-mem-pci.secret' is not "
			    "readable");
}

static void test_qom_set_calls_setter(void **state)
{
	struct qom_value v = { .type = QOM_TYPE_SIZE, .u = 1 << 20 };
	struct error err = { 0 };

	(void)state;
	assert_int_equal(qom_set(add_vm0(), "requested-size", &v, &err), 0);
	assert_int_equal(dev.size, 1 << 20);
	assert_int_equal(dev.sets, 1);
}

static void test_qom_set_setter_error_is_passed_on(void **state)
{
	struct qom_value v = { .type = QOM_TYPE_SIZE, .u = 100 };
	struct error err = { 0 };

	(void)state;
	assert_int_equal(qom_set(add_vm0(), "requested-size", &v, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "size must be a multiple of 4096");
	assert_int_equal(dev.size, 8192);
}

static void test_qom_set_read_only_fails(void **state)
{
	struct qom_value v = { .type = QOM_TYPE_SIZE, .u = 4096 };
	struct error err = { 0 };

	(void)state;
	assert_int_equal(qom_set(add_vm0(), "size", &v, &err), -EPERM);
	assert_string_equal(err.msg, "Property 'virtio-mem-pci.size' is not "
			    "writable");
	assert_int_equal(dev.sets, 0);
}

static void test_qom_set_type_and_child_not_writable(void **state)
{
	struct qom_value v = { .type = QOM_TYPE_STR, .s = "x" };
	struct error err = { 0 };

	(void)state;
	add_vm0();
	assert_int_equal(qom_set(qom_resolve("/machine"), "type", &v, &err),
			 -EPERM);
	assert_string_equal(err.msg, "Property 'container.type' is not "
			    "writable");
	error_clear(&err);
	assert_int_equal(qom_set(qom_resolve("/machine"), "peripheral", &v,
				 &err), -EPERM);
	assert_string_equal(err.msg, "Property 'container.peripheral' is not "
			    "writable");
}

static void test_qom_set_unknown_property_fails(void **state)
{
	struct qom_value v = { .type = QOM_TYPE_STR, .s = "x" };
	struct error err = { 0 };

	(void)state;
	assert_int_equal(qom_set(add_vm0(), "nope", &v, &err), -ENOENT);
	assert_string_equal(err.msg, "Property 'virtio-mem-pci.nope' not "
			    "found");
}

static void test_qom_find_prop(void **state)
{
	struct qom_object *obj;

	(void)state;
	obj = add_vm0();
	assert_ptr_equal(qom_find_prop(obj, "size"), qom_prop_at(obj, 2));
	assert_null(qom_find_prop(obj, "peripheral"));
}

static void test_qom_remove_drops_subtree(void **state)
{
	(void)state;
	add_vm0();
	qom_remove("/machine/peripheral");
	assert_null(qom_resolve("/machine/peripheral/vm0"));
	assert_null(qom_resolve("/machine/peripheral"));
	assert_non_null(qom_resolve("/machine"));
	assert_null(qom_child(qom_resolve("/machine"), 0));
}

static void test_qom_remove_missing_is_harmless(void **state)
{
	(void)state;
	add_vm0();
	qom_remove("/nope");
	qom_remove("/");
	assert_non_null(qom_resolve("/machine/peripheral/vm0"));
}

static void test_qom_reset_tree_empties_it(void **state)
{
	(void)state;
	add_vm0();
	qom_reset_tree();
	assert_null(qom_resolve("/machine"));
	assert_null(qom_child(qom_resolve("/"), 0));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_qom_add_makes_parent_containers),
		T(test_qom_add_duplicate_fails),
		T(test_qom_add_fills_implicit_container),
		T(test_qom_add_invalid_path_fails),
		T(test_qom_resolve_root),
		T(test_qom_resolve_missing_is_null),
		T(test_qom_resolve_partial_unique),
		T(test_qom_resolve_partial_ambiguous_is_null),
		T(test_qom_type_is_first_property),
		T(test_qom_get_calls_getter),
		T(test_qom_get_child_gives_its_path),
		T(test_qom_get_unknown_property_fails),
		T(test_qom_get_unreadable_fails),
		T(test_qom_set_calls_setter),
		T(test_qom_set_setter_error_is_passed_on),
		T(test_qom_set_read_only_fails),
		T(test_qom_set_type_and_child_not_writable),
		T(test_qom_set_unknown_property_fails),
		T(test_qom_find_prop),
		T(test_qom_remove_drops_subtree),
		T(test_qom_remove_missing_is_harmless),
		T(test_qom_reset_tree_empties_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
