// SPDX-License-Identifier: MIT
/*
 * Every device type flexvm can create with -device, in one table, and the
 * generic -device entry point. Adding a device means adding a row here.
 * Main thread, machine build time.
 */
#include "hw/device.h"

#include <errno.h>
#include <string.h>

#include "config/opts.h"
#include "hw/virtio/virtio_mem.h"
#include "hw/virtio/virtio_rng.h"
#include "util/compiler.h"

/* Sorted by name, as QEMU lists them; a NULL desc prints none (QEMU). */
static const struct device_type device_types[] = {
	{ "virtio-mem-pci", "PCI", NULL, virtio_mem_pci_create },
	{ "virtio-rng-pci", "PCI", NULL, virtio_rng_pci_create },
	{ NULL, NULL, NULL, NULL },
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
		ret = type->create(vm, &o, err);
		if (ret)
			error_prepend(err, "-device %s: ", text);
	}
	opts_free(&o);
	return ret;
}
