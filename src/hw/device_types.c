// SPDX-License-Identifier: MIT
/*
 * Every device type flexvm can create with -device, in one table, and the
 * generic -device entry point; the instances are listed in struct vm so
 * that vm_destroy() frees each through its type's destroy hook. Adding a
 * device means adding a row here. Main thread, machine build and teardown.
 */
#include "hw/device.h"

#include <errno.h>
#include <string.h>

#include "config/opts.h"
#include "core/vm.h"
#include "hw/virtio/virtio_mem.h"
#include "hw/virtio/virtio_rng.h"
#include "util/compiler.h"

/* Sorted by name, as QEMU lists them; a NULL desc prints none (QEMU). */
static const struct device_type device_types[] = {
	{ "virtio-mem-pci", "PCI", NULL, virtio_mem_pci_create,
	  virtio_mem_pci_destroy },
	{ "virtio-rng-pci", "PCI", NULL, virtio_rng_pci_create,
	  virtio_rng_pci_destroy },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct device_type *device_type_find(const char *name)
{
	for (unsigned i = 0; device_types[i].name; i++)
		if (!strcmp(device_types[i].name, name))
			return &device_types[i];
	return NULL;
}

void device_type_print_help(FILE *out)
{
	const struct device_type *t;

	for (t = device_types; t->name; t++) {
		fprintf(out, "name \"%s\", bus %s", t->name, t->bus);
		if (t->desc)
			fprintf(out, ", desc \"%s\"", t->desc);
		fputc('\n', out);
	}
}

/* The instance is listed as soon as the machine refers to it. */
static int device_create_type(struct vm *vm, const struct device_type *type,
			      const struct opts *o, struct error *err)
{
	struct device_list *l = &vm->devices;
	void *dev = NULL;
	int ret;

	/* cmdline.c refuses more -device options than the list holds. */
	if (l->nr == ARRAY_SIZE(l->d)) {
		error_setg(err, "too many -device options (at most %zu)",
			   ARRAY_SIZE(l->d));
		return -E2BIG;
	}
	ret = type->create(vm, o, &dev, err);
	if (dev) {
		l->d[l->nr].type = type;
		l->d[l->nr].dev = dev;
		l->nr++;
	}
	return ret;
}

int device_create(struct vm *vm, const char *text, struct error *err)
{
	const struct device_type *type;
	const char *driver;
	struct opts o;
	int ret;

	ret = opts_parse(&o, text, "driver", OPTS_QEMUOPTS, err);
	if (ret) {
		error_prepend(err, "-device %s: ", text);
		return ret;
	}
	driver = opts_get(&o, "driver");
	type = driver ? device_type_find(driver) : NULL;
	if (!type) {
		error_setg(err, "-device %s: '%s' is not a valid device model "
			   "name", text, driver ? driver : "");
		ret = -EINVAL;
	} else {
		ret = device_create_type(vm, type, &o, err);
		if (ret)
			error_prepend(err, "-device %s: ", text);
	}
	opts_free(&o);
	return ret;
}

void device_destroy_all(struct vm *vm)
{
	struct device_list *l = &vm->devices;

	while (l->nr) {
		l->nr--;
		l->d[l->nr].type->destroy(vm, l->d[l->nr].dev);
	}
}
