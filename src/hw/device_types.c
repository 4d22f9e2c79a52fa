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
#include "util/compiler.h"

static const struct device_type device_types[] = {
	/* Later steps add rows: virtio-rng-pci, virtio-mem-pci. */
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
	for (unsigned i = 0; device_types[i].name; i++)
		fprintf(out, "name \"%s\", bus %s, desc \"%s\"\n",
			device_types[i].name, device_types[i].bus,
			device_types[i].desc);
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
