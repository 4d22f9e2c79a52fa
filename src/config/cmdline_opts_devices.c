// SPDX-License-Identifier: MIT
/*
 * Handlers for the options that add devices and their backends: -device
 * (isa-debug-exit here, the rest kept for vm_create()), -serial, -display,
 * -object, and -chardev/-qmp/-mon, which are kept raw for validation.
 * Main thread, once, from cmdline_parse(); no locks.
 */
#include "config/cmdline_internal.h"

#include <errno.h>
#include <string.h>

#include "config/opts.h"
#include "hw/device.h"

int cmdline_serial(struct cmdline_state *st, const char *arg,
		   struct error *err)
{
	int ret = machine_config_add_serial(st->cfg, arg, err);

	return ret ? cmdline_loc(st, arg, err, ret) : 0;
}

static int cmdline_display_opts(struct cmdline_state *st,
				const char *arg __unused, const struct opts *o,
				struct error *err)
{
	static const char *const graphical[] = {
		"gtk", "sdl", "egl-headless", "curses", "spice-app", "dbus",
		"cocoa", "vnc",
	};
	static const char *const keys[] = { "type", NULL };
	const char *type = opts_get(o, "type");
	const char *unknown = opts_find_unknown(o, keys);
	size_t i;

	if (o->help) {
		fprintf(st->out, "Available display backend types:\nnone\n");
		return 1;
	}
	if (!type) {
		error_setg(err, "Parameter 'type' is missing");
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(graphical); i++) {
		if (!strcmp(type, graphical[i])) {
			error_setg(err, "flexvm has no graphical display: use "
				   "-display none or -nographic");
			return -EINVAL;
		}
	}
	if (strcmp(type, "none")) {
		error_setg(err, "Parameter 'type' does not accept value '%s'",
			   type);
		return -EINVAL;
	}
	if (unknown) {
		error_setg(err, "Parameter '%s' is unexpected", unknown);
		return -EINVAL;
	}
	return 0;
}

int cmdline_display(struct cmdline_state *st, const char *arg,
		    struct error *err)
{
	if (!strncmp(arg, "vnc=", 4))	/* QEMU's legacy spelling */
		return cmdline_fail(st, arg, err, "flexvm has no graphical "
				    "display: use -display none or -nographic");
	return cmdline_with_opts(st, arg, "type", OPTS_KEYVAL,
				 cmdline_display_opts, true, err);
}

static int cmdline_debug_exit(struct cmdline_state *st, const struct opts *o,
			      struct error *err)
{
	static const char *const keys[] = { "driver", "id", "iobase",
					    "iosize", NULL };
	struct machine_config *cfg = st->cfg;
	uint32_t base = DEBUG_EXIT_IOBASE, size = DEBUG_EXIT_IOSIZE;
	const char *unknown = opts_find_unknown(o, keys);

	if (unknown) {
		error_setg(err, "Property 'isa-debug-exit.%s' not found",
			   unknown);
		return -EINVAL;
	}
	if (opts_get(o, "iobase") &&
	    opts_parse_u32("iobase", opts_get(o, "iobase"), &base, err))
		return -EINVAL;
	if (opts_get(o, "iosize") &&
	    opts_parse_u32("iosize", opts_get(o, "iosize"), &size, err))
		return -EINVAL;
	if (cfg->debug_exit_set) {
		error_setg(err, "flexvm supports only one isa-debug-exit");
		return -EINVAL;
	}
	if (opts_get(o, "id") &&
	    strlen(opts_get(o, "id")) >= sizeof(cfg->debug_exit_id)) {
		error_setg(err, "id too long");
		return -EINVAL;
	}
	if (opts_get(o, "id"))	/* /machine/peripheral/ID in QOM */
		strcpy(cfg->debug_exit_id, opts_get(o, "id"));
	if (size == 0) {
		error_setg(err, "iosize must not be 0");
		return -EINVAL;
	}
	/* flexvm's port bus is 16 bits wide, QEMU's properties are 32. */
	if (base > 0xffff || size > 0x10000 - base) {
		error_setg(err, "iobase 0x%x + iosize 0x%x does not fit the "
			   "64 KiB I/O port space", base, size);
		return -EINVAL;
	}
	cfg->debug_exit = true;
	cfg->debug_exit_set = true;
	cfg->debug_exit_iobase = (uint16_t)base;
	cfg->debug_exit_iosize = (uint16_t)size;
	return 0;
}

static int cmdline_device_opts(struct cmdline_state *st, const char *arg,
			       const struct opts *o, struct error *err)
{
	const char *driver = opts_get(o, "driver");
	struct machine_config *cfg = st->cfg;

	if (!driver) {
		error_setg(err, "Parameter 'driver' is missing");
		return -EINVAL;
	}
	if (!strcmp(driver, "help") || !strcmp(driver, "?")) {
		/* QEMU's "Misc devices" list, sorted: isa-debug-exit (built
		 * in here) sorts before the -device table's virtio types. */
		fprintf(st->out, "Misc devices:\n"
			"name \"isa-debug-exit\", bus ISA\n");
		device_type_print_help(st->out);
		return 1;
	}
	if (!strcmp(driver, "isa-debug-exit") && o->help) {
		fprintf(st->out, "isa-debug-exit options:\n"
			"  iobase=<uint32>        -  (default: %d)\n"
			"  iosize=<uint32>        -  (default: %d)\n",
			DEBUG_EXIT_IOBASE, DEBUG_EXIT_IOSIZE);
		return 1;
	}
	if (!strcmp(driver, "isa-debug-exit"))
		return cmdline_debug_exit(st, o, err);
	if (!*driver) {
		error_setg(err, "'' is not a valid device model name");
		return -EINVAL;
	}
	if (cfg->nr_devices == MACHINE_MAX_DEVICES) {
		error_setg(err, "too many -device options (the maximum is %d)",
			   MACHINE_MAX_DEVICES);
		return -EINVAL;
	}
	cfg->devices[cfg->nr_devices++].text = arg;	/* for a later step */
	return 0;
}

int cmdline_device(struct cmdline_state *st, const char *arg,
		   struct error *err)
{
	if (arg[0] == '{')
		return cmdline_fail(st, arg, err, "flexvm does not support "
				    "the JSON form of -device");
	return cmdline_with_opts(st, arg, "driver", OPTS_QEMUOPTS,
				 cmdline_device_opts, true, err);
}

/* -object, -chardev, -qmp, -mon: kept raw for the steps that use them. */
static int cmdline_store_raw(struct cmdline_state *st, const char *arg,
			     struct raw_opts *slots, unsigned *nr,
			     unsigned max, struct error *err)
{
	if (*nr == max) {
		error_setg(err, "too many %s options (the maximum is %u)",
			   st->opt, max);
		return cmdline_loc(st, arg, err, -EINVAL);
	}
	slots[(*nr)++].text = arg;
	return 0;
}

int cmdline_raw(struct cmdline_state *st, const char *arg,
		struct error *err)
{
	struct machine_config *c = st->cfg;
	const char *name = st->opt + 1 + (st->opt[1] == '-');

	if (!strcmp(name, "chardev"))
		return cmdline_store_raw(st, arg, c->chardevs, &c->nr_chardevs,
					 MACHINE_MAX_CHARDEVS, err);
	if (!strcmp(name, "qmp"))
		return cmdline_store_raw(st, arg, c->qmps, &c->nr_qmps,
					 MACHINE_MAX_MONITORS, err);
	return cmdline_store_raw(st, arg, c->mons, &c->nr_mons,
				 MACHINE_MAX_MONITORS, err);
}

/*
 * -object: memory backends are parsed now, as QEMU does (so errors come in
 * command-line order); other types are kept as typed, for validation to
 * refuse.
 */
int cmdline_object(struct cmdline_state *st, const char *arg,
		   struct error *err)
{
	struct machine_config *c = st->cfg;
	int ret;

	ret = memory_backend_config_add_object(c->backends, &c->nr_backends,
					       MACHINE_MAX_BACKENDS, arg,
					       st->out, err);
	if (ret == -ENOENT)
		return cmdline_store_raw(st, arg, c->objects, &c->nr_objects,
					 MACHINE_MAX_OBJECTS, err);
	return ret < 0 ? cmdline_loc(st, arg, err, ret) : ret;
}
