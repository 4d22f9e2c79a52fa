// SPDX-License-Identifier: MIT
/*
 * Table-driven QEMU-style argv parser. getopt_long_only() is avoided on
 * purpose: it accepts abbreviations ("-kern"), which QEMU rejects. Each
 * option has a handler that checks its value with QEMU 7.2's rules and
 * words; see docs/cmdline.md for the differences. Main thread, once.
 */
#include "config/cmdline.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "config/opts.h"
#include "hw/device.h"
#include "mem/memslot.h"
#include "util/log.h"
#include "util/size.h"

#if __has_include("flexvm-version.h")
#include "flexvm-version.h"
#endif
#ifndef FLEXVM_VERSION
#define FLEXVM_VERSION "0.1.0"
#endif

struct cmdline_state {
	struct machine_config *cfg;
	FILE *out;
	const char *opt;	/* the option as typed, for "-opt arg: " */
	bool accel_opt;		/* -accel given */
	bool machine_accel;	/* -machine accel= or -enable-kvm given */
};

typedef int (*cmdline_fn)(struct cmdline_state *st, const char *arg,
			  struct error *err);

struct cmdline_option {
	const char *name;	/* without the dash */
	bool has_arg;
	cmdline_fn fn;
	const char *usage;	/* NULL: an alias, left out of -help */
	const char *help;
};

/* Prefixes QEMU's location ("-m abc: ") to the message in @err. */
static int cmdline_loc(const struct cmdline_state *st, const char *arg,
		       struct error *err, int ret)
{
	if (arg)
		error_prepend(err, "%s %s: ", st->opt, arg);
	else
		error_prepend(err, "%s: ", st->opt);
	return ret;
}

static int cmdline_fail(const struct cmdline_state *st, const char *arg,
			struct error *err, const char *msg)
{
	error_setg(err, "%s", msg);
	return cmdline_loc(st, arg, err, -EINVAL);
}

typedef int (*cmdline_opts_fn)(struct cmdline_state *st, const char *arg,
			       const struct opts *o, struct error *err);

/*
 * Splits @arg and hands the list to @fn. Syntax errors always carry the
 * location; @fn's errors get it when @locate (QemuOpts-time checks) and
 * not otherwise (QEMU checks those later, when the machine is built).
 */
static int cmdline_with_opts(struct cmdline_state *st, const char *arg,
			     const char *implied, enum opts_syntax syntax,
			     cmdline_opts_fn fn, bool locate,
			     struct error *err)
{
	struct opts o;
	int ret;

	ret = opts_parse(&o, arg, implied, syntax, err);
	if (ret) {
		/* -E2BIG too: cmdline_parse() promises -EINVAL. */
		ret = cmdline_loc(st, arg, err, -EINVAL);
	} else {
		ret = fn(st, arg, &o, err);
		if (ret < 0 && locate)
			cmdline_loc(st, arg, err, ret);
	}
	opts_free(&o);
	return ret;
}

static bool cmdline_last_is_digit(const char *s)
{
	size_t len = strlen(s);

	return len && isdigit((unsigned char)s[len - 1]);
}

/* -m [size=]SIZE[,slots=N][,maxmem=SIZE]: QemuOpts group "memory". */
static int cmdline_m_opts(struct cmdline_state *st, const char *arg,
			  const struct opts *o, struct error *err)
{
	static const struct opts_desc desc[] = {
		{ "maxmem", OPTS_TYPE_SIZE }, { "size", OPTS_TYPE_SIZE },
		{ "slots", OPTS_TYPE_NUMBER }, { NULL, OPTS_TYPE_STRING },
	};
	struct machine_config *cfg = st->cfg;
	const char *size = opts_get(o, "size");
	uint64_t v = 0;

	if (opts_validate(o, desc, err))
		return cmdline_loc(st, arg, err, -EINVAL);
	if (o->help) {
		opts_print_help(st->out, "memory", desc);
		return 1;
	}
	/*
	 * No suffix means MiB: QEMU appends "M" and parses again, so a
	 * fraction without a suffix ("-m 1.5") was already refused above.
	 */
	if (size && !size_parse(size, 1, &cfg->ram_size) &&
	    cmdline_last_is_digit(size) &&
	    size_parse(size, MiB, &cfg->ram_size)) {
		error_setg(err, "Parameter 'memory.size' expects size");
		return -EINVAL;
	}
	if (opts_get(o, "maxmem")) {
		cfg->has_maxmem = !opts_get_size(o, "maxmem", &cfg->maxmem,
						 err);
	}
	if (opts_get(o, "slots") && !opts_get_number(o, "slots", &v, err)) {
		if (v > UINT32_MAX) {
			error_setg(err, "unsupported amount of memory slots: "
				   "%llu", (unsigned long long)v);
			return -EINVAL;
		}
		cfg->mem_slots = (unsigned)v;
		cfg->has_mem_slots = true;
	}
	return 0;
}

static int cmdline_m(struct cmdline_state *st, const char *arg,
		     struct error *err)
{
	return cmdline_with_opts(st, arg, "size", OPTS_QEMUOPTS,
				 cmdline_m_opts, false, err);
}

/* -smp keys, sorted as QEMU's "-smp help" lists them. */
static const struct opts_desc cmdline_smp_desc[] = {
	{ "clusters", OPTS_TYPE_NUMBER }, { "cores", OPTS_TYPE_NUMBER },
	{ "cpus", OPTS_TYPE_NUMBER }, { "dies", OPTS_TYPE_NUMBER },
	{ "maxcpus", OPTS_TYPE_NUMBER }, { "sockets", OPTS_TYPE_NUMBER },
	{ "threads", OPTS_TYPE_NUMBER }, { NULL, OPTS_TYPE_STRING },
};

static unsigned *cmdline_smp_field(struct smp_config *smp, const char *key)
{
	unsigned *const fields[] = {
		&smp->clusters, &smp->cores, &smp->cpus, &smp->dies,
		&smp->maxcpus, &smp->sockets, &smp->threads,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fields); i++)
		if (!strcmp(cmdline_smp_desc[i].key, key))
			return fields[i];
	return NULL;
}

/*
 * -smp goes through keyval and QAPI in QEMU 7.2: value errors name
 * "smp.KEY" and carry no location; known keys are checked before unknown.
 */
static int cmdline_smp_opts(struct cmdline_state *st, const char *arg __unused,
			    const struct opts *o, struct error *err)
{
	struct smp_config smp = st->cfg->smp;
	bool zero = false;
	char name[64];
	uint32_t v;
	unsigned i;

	if (o->help) {
		opts_print_help(st->out, "smp-opts", cmdline_smp_desc);
		return 1;
	}
	for (i = 0; i < o->nr; i++) {
		unsigned *field = cmdline_smp_field(&smp, o->list[i].key);

		if (!field)
			continue;
		snprintf(name, sizeof(name), "smp.%s", o->list[i].key);
		if (opts_parse_u32(name, o->list[i].value, &v, err))
			return -EINVAL;
		*field = v;
		zero |= v == 0;
	}
	for (i = 0; i < o->nr; i++) {
		if (!cmdline_smp_field(&smp, o->list[i].key)) {
			error_setg(err, "Parameter 'smp.%s' is unexpected",
				   o->list[i].key);
			return -EINVAL;
		}
	}
	/* QEMU 7.2 only warns; QEMU 9 refuses it, and so does flexvm. */
	if (zero) {
		error_setg(err, "Invalid CPU topology: CPU topology parameters "
			   "must be greater than zero");
		return -EINVAL;
	}
	st->cfg->smp = smp;
	return 0;
}

static int cmdline_smp(struct cmdline_state *st, const char *arg,
		       struct error *err)
{
	return cmdline_with_opts(st, arg, "cpus", OPTS_KEYVAL,
				 cmdline_smp_opts, false, err);
}

/* QEMU's "accel=a:b:c" tries each in turn; flexvm can only offer kvm. */
static int cmdline_machine_accel(struct cmdline_state *st, const char *list,
				 struct error *err)
{
	const char *p = list;
	size_t n;

	st->machine_accel = true;
	if (!*list) {
		error_setg(err, "no accelerator found");
		return -EINVAL;
	}
	for (;;) {
		n = strcspn(p, ":");
		if (n == 3 && !strncmp(p, "kvm", 3))
			return 0;
		if (!p[n])
			break;
		p += n + 1;
	}
	error_setg(err, "invalid accelerator %.*s", (int)strcspn(list, ":"),
		   list);
	return -EINVAL;
}

/* flexvm's own: the KVM slots all memory devices share (QEMU: 256). */
static int cmdline_memslot_budget(struct cmdline_state *st, const char *v,
				  struct error *err)
{
	uint32_t n;

	if (opts_parse_u32("x-memslot-budget", v, &n, err))
		return -EINVAL;
	if (n == 0 || n >= MEMSLOT_MAX_SLOTS) {
		error_setg(err, "Parameter 'x-memslot-budget' expects a number "
			   "of memslots from 1 to %u", MEMSLOT_MAX_SLOTS - 1);
		return -EINVAL;
	}
	st->cfg->memslot_budget = n;
	return 0;
}

static int cmdline_machine_opts(struct cmdline_state *st,
				const char *arg __unused, const struct opts *o,
				struct error *err)
{
	static const char *const keys[] = { "type", "accel",
					    "x-memslot-budget", "x-canary",
					    NULL };
	const char *type = opts_get(o, "type");
	const char *accel = opts_get(o, "accel");
	const char *budget = opts_get(o, "x-memslot-budget");
	const char *unknown;

	if (o->help || (type && !strcmp(type, "help"))) {
		fprintf(st->out, "Supported machines are:\n"
			"%-20s Standard PC (KVM, no firmware) (default)\n",
			MACHINE_TYPE);
		return 1;
	}
	if (type && strcmp(type, MACHINE_TYPE)) {
		error_setg(err, "unsupported machine type\n"
			   "Use -machine help to list supported machines");
		return -EINVAL;
	}
	unknown = opts_find_unknown(o, keys);
	if (unknown) {
		error_setg(err, "Property '%s-machine.%s' not found",
			   MACHINE_TYPE, unknown);
		return -EINVAL;
	}
	if (budget && cmdline_memslot_budget(st, budget, err))
		return -EINVAL;
	/* Debugging aid (src/mem/canary.h): guard guest memory's mappings. */
	if (opts_get_bool(o, "x-canary", &st->cfg->canary, err))
		return -EINVAL;
	if (accel)
		return cmdline_machine_accel(st, accel, err);
	return 0;
}

static int cmdline_machine(struct cmdline_state *st, const char *arg,
			   struct error *err)
{
	return cmdline_with_opts(st, arg, "type", OPTS_KEYVAL,
				 cmdline_machine_opts, false, err);
}

static int cmdline_accel_opts(struct cmdline_state *st,
			      const char *arg __unused, const struct opts *o,
			      struct error *err)
{
	static const char *const keys[] = { "accel", "kernel-irqchip", NULL };
	const char *accel = opts_get(o, "accel");
	const char *irqchip = opts_get(o, "kernel-irqchip");
	const char *unknown = o->help ? "help" : opts_find_unknown(o, keys);

	/* QEMU lists the accelerators when none is named, too. */
	if (!accel || !strcmp(accel, "help")) {
		fprintf(st->out, "Accelerators supported in flexvm binary:\n"
			"kvm\n");
		return 1;
	}
	if (strcmp(accel, "kvm")) {
		error_setg(err, "invalid accelerator %s", accel);
		return -EINVAL;
	}
	if (unknown) {
		error_setg(err, "Property 'kvm-accel.%s' not found", unknown);
		return -EINVAL;
	}
	if (irqchip && strcmp(irqchip, "on")) {
		error_setg(err, "flexvm supports only kernel-irqchip=on");
		return -EINVAL;
	}
	return 0;
}

static int cmdline_accel(struct cmdline_state *st, const char *arg,
			 struct error *err)
{
	st->accel_opt = true;
	return cmdline_with_opts(st, arg, "accel", OPTS_QEMUOPTS,
				 cmdline_accel_opts, true, err);
}

static int cmdline_cpu(struct cmdline_state *st, const char *arg,
		       struct error *err)
{
	size_t len = strcspn(arg, ",");

	if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
		fprintf(st->out, "Available CPUs:\n"
			"x86 %-20s  processor with all supported host "
			"features\n"
			"x86 %-20s  Enables all features supported by the "
			"accelerator in the current host\n", "host", "max");
		return 1;
	}
	if (len == 4 && !strncmp(arg, "host", 4)) {
		st->cfg->cpu_model = "host";
	} else if (len == 3 && !strncmp(arg, "max", 3)) {
		st->cfg->cpu_model = "max";	/* under KVM: same as host */
	} else {
		error_setg(err, "unable to find CPU model '%.*s'", (int)len,
			   arg);
		return -EINVAL;
	}
	if (arg[len])
		return cmdline_fail(st, arg, err,
				    "flexvm does not support CPU properties");
	return 0;
}

static int cmdline_serial(struct cmdline_state *st, const char *arg,
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

static int cmdline_display(struct cmdline_state *st, const char *arg,
			   struct error *err)
{
	if (!strncmp(arg, "vnc=", 4))	/* QEMU's legacy spelling */
		return cmdline_fail(st, arg, err, "flexvm has no graphical "
				    "display: use -display none or -nographic");
	return cmdline_with_opts(st, arg, "type", OPTS_KEYVAL,
				 cmdline_display_opts, true, err);
}

static int cmdline_name_opts(struct cmdline_state *st,
			     const char *arg __unused, const struct opts *o,
			     struct error *err)
{
	static const struct opts_desc desc[] = {
		{ "debug-threads", OPTS_TYPE_BOOL },
		{ "guest", OPTS_TYPE_STRING },
		{ "process", OPTS_TYPE_STRING },
		{ NULL, OPTS_TYPE_STRING },
	};
	struct machine_config *cfg = st->cfg;
	const char *guest = opts_get(o, "guest");

	if (opts_validate(o, desc, err))
		return -EINVAL;
	if (o->help) {
		opts_print_help(st->out, "name", desc);
		return 1;
	}
	if (guest && strlen(guest) >= sizeof(cfg->name_buf)) {
		error_setg(err, "guest name too long (the maximum is %zu "
			   "bytes)", sizeof(cfg->name_buf) - 1);
		return -EINVAL;
	}
	if (guest) {
		strcpy(cfg->name_buf, guest);
		cfg->name = cfg->name_buf;
	}
	return 0;
}

static int cmdline_name(struct cmdline_state *st, const char *arg,
			struct error *err)
{
	return cmdline_with_opts(st, arg, "guest", OPTS_QEMUOPTS,
				 cmdline_name_opts, true, err);
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

static int cmdline_device(struct cmdline_state *st, const char *arg,
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

static int cmdline_raw(struct cmdline_state *st, const char *arg,
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
static int cmdline_object(struct cmdline_state *st, const char *arg,
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

static int cmdline_sandbox_opts(struct cmdline_state *st,
				const char *arg __unused, const struct opts *o,
				struct error *err)
{
	return machine_config_set_sandbox(st->cfg, o, st->out, err);
}

/* -sandbox on|off[,...]: QemuOpts with "enable" implied, as QEMU. */
static int cmdline_sandbox(struct cmdline_state *st, const char *arg,
			   struct error *err)
{
	return cmdline_with_opts(st, arg, "enable", OPTS_QEMUOPTS,
				 cmdline_sandbox_opts, true, err);
}

/* Options whose argument is kept as is; the last one given wins. */
static int cmdline_string(struct cmdline_state *st, const char *arg,
			  struct error *err __unused)
{
	struct machine_config *cfg = st->cfg;
	const char *name = st->opt + 1 + (st->opt[1] == '-');

	if (!strcmp(name, "kernel"))
		cfg->kernel = arg;
	else if (!strcmp(name, "initrd"))
		cfg->initrd = arg;
	else if (!strcmp(name, "append"))
		cfg->append = arg;
	else if (!strcmp(name, "pidfile"))
		cfg->pidfile = arg;	/* "" fails when written, as QEMU */
	return 0;
}

static int cmdline_flag(struct cmdline_state *st, const char *arg __unused,
			struct error *err __unused)
{
	struct machine_config *cfg = st->cfg;
	const char *o = st->opt + 1 + (st->opt[1] == '-');

	if (!strcmp(o, "S"))
		cfg->start_paused = true;
	else if (!strcmp(o, "no-reboot"))
		cfg->no_reboot = true;
	else if (!strcmp(o, "nodefaults"))
		cfg->nodefaults = true;
	else if (!strcmp(o, "nographic"))
		cfg->nographic = true;
	else if (!strcmp(o, "enable-kvm"))
		st->machine_accel = true;	/* QEMU: -machine accel=kvm */
	return 0;
}

static int cmdline_help(struct cmdline_state *st, const char *arg,
			struct error *err);

static int cmdline_version(struct cmdline_state *st,
			   const char *arg __unused,
			   struct error *err __unused)
{
	fprintf(st->out, "flexvm version %s (QEMU-compatible command line)\n",
		FLEXVM_VERSION);
	return 1;
}

static const struct cmdline_option cmdline_options[] = {
	{ "h", false, cmdline_help, "-h or -help",
	  "display this help and exit" },
	{ "help", false, cmdline_help, NULL, NULL },
	{ "version", false, cmdline_version, "-version",
	  "display version information and exit" },
	{ "machine", true, cmdline_machine,
	  "-machine [type=]pc[,accel=kvm][,x-memslot-budget=N]",
	  "the machine ('-machine help' for list); -M is the same" },
	{ "M", true, cmdline_machine, NULL, NULL },
	{ "accel", true, cmdline_accel, "-accel kvm[,kernel-irqchip=on]",
	  "use KVM, the only accelerator of flexvm" },
	{ "enable-kvm", false, cmdline_flag, "-enable-kvm",
	  "same as -machine accel=kvm" },
	{ "cpu", true, cmdline_cpu, "-cpu host|max",
	  "CPU model: the host's CPU (default: host)" },
	{ "smp", true, cmdline_smp,
	  "-smp [cpus=]n[,maxcpus=,sockets=,dies=,cores=,threads=]",
	  "number of CPUs and topology (default: 1)" },
	{ "m", true, cmdline_m, "-m [size=]N[,slots=n,maxmem=size]",
	  "RAM size; no suffix means MiB (default: 128M)" },
	{ "kernel", true, cmdline_string, "-kernel bzImage",
	  "the Linux kernel to boot (required)" },
	{ "initrd", true, cmdline_string, "-initrd file",
	  "initial ram disk" },
	{ "append", true, cmdline_string, "-append cmdline",
	  "kernel command line" },
	{ "serial", true, cmdline_serial,
	  "-serial stdio|mon:stdio|file:PATH|null|none",
	  "next COM port, up to 4 (default: COM1 on stdio)" },
	{ "nographic", false, cmdline_flag, "-nographic",
	  "accepted: flexvm never has graphics" },
	{ "display", true, cmdline_display, "-display none",
	  "the only display flexvm has" },
	{ "device", true, cmdline_device,
	  "-device isa-debug-exit[,iobase=n][,iosize=n]",
	  "add a device ('-device help' for list)" },
	{ "object", true, cmdline_object,
	  "-object memory-backend-{ram,memfd,file},id=ID,size=N",
	  "add a memory backend ('-object help' for list)" },
	{ "chardev", true, cmdline_raw, NULL, NULL },
	{ "qmp", true, cmdline_raw, NULL, NULL },
	{ "mon", true, cmdline_raw, NULL, NULL },
	{ "name", true, cmdline_name, "-name [guest=]name",
	  "the guest's name" },
	{ "pidfile", true, cmdline_string, "-pidfile file",
	  "write the process id to file" },
	{ "sandbox", true, cmdline_sandbox, "-sandbox on|off",
	  "seccomp allow-list per thread (default: on)" },
	{ "S", false, cmdline_flag, "-S", "do not start the CPUs at startup" },
	{ "no-reboot", false, cmdline_flag, "-no-reboot",
	  "exit instead of rebooting" },
	{ "nodefaults", false, cmdline_flag, "-nodefaults",
	  "no default COM1 and no default isa-debug-exit" },
};

static int cmdline_help(struct cmdline_state *st, const char *arg __unused,
			struct error *err __unused)
{
	size_t i;

	fprintf(st->out, "usage: flexvm [options]\n"
		"Boots a Linux kernel under KVM; options follow QEMU's, "
		"with one or two dashes.\n\n");
	for (i = 0; i < ARRAY_SIZE(cmdline_options); i++) {
		const struct cmdline_option *o = &cmdline_options[i];

		if (o->usage)
			fprintf(st->out, "%-56s %s\n", o->usage, o->help);
	}
	return 1;
}

/* Exact names only: one or two dashes, never an abbreviation. */
static const struct cmdline_option *cmdline_lookup(const char *arg)
{
	const char *name = arg + 1 + (arg[1] == '-');
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmdline_options); i++)
		if (!strcmp(cmdline_options[i].name, name))
			return &cmdline_options[i];
	return NULL;
}

/* QEMU's first pass: any unknown option or missing argument wins. */
static int cmdline_check_syntax(int argc, char **argv, struct error *err)
{
	const struct cmdline_option *o;
	int i;

	for (i = 1; i < argc; i++) {
		if (argv[i][0] != '-')
			continue;
		o = cmdline_lookup(argv[i]);
		if (!o) {
			error_setg(err, "%s: invalid option", argv[i]);
			return -EINVAL;
		}
		if (o->has_arg && ++i == argc) {
			error_setg(err, "%s: requires an argument",
				   argv[i - 1]);
			return -EINVAL;
		}
	}
	return 0;
}

int cmdline_parse(int argc, char **argv, struct machine_config *cfg,
		  FILE *out, struct error *err)
{
	struct cmdline_state st = { .cfg = cfg, .out = out };
	const struct cmdline_option *o;
	int i, ret;

	ret = cmdline_check_syntax(argc, argv, err);
	for (i = 1; !ret && i < argc; i++) {
		if (argv[i][0] != '-') {
			error_setg(err, "%s: flexvm does not boot disk images: "
				   "use -kernel", argv[i]);
			return -EINVAL;
		}
		o = cmdline_lookup(argv[i]);
		st.opt = argv[i];
		ret = o->fn(&st, o->has_arg ? argv[++i] : NULL, err);
	}
	if (ret)
		return ret;
	if (st.accel_opt && st.machine_accel) {
		error_setg(err, "The -accel and \"-machine accel=\" options "
			   "are incompatible");
		return -EINVAL;
	}
	return 0;
}
