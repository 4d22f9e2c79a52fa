// SPDX-License-Identifier: MIT
/*
 * Handlers for the options that shape the machine itself: -m, -smp,
 * -machine, -accel, -cpu, -name and -sandbox. Each checks its value with
 * QEMU 7.2's rules and words and stores it in struct machine_config.
 * Main thread, once, from cmdline_parse(); no locks.
 */
#include "config/cmdline_internal.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "config/opts.h"
#include "mem/memslot.h"
#include "util/size.h"

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

int cmdline_m(struct cmdline_state *st, const char *arg,
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

int cmdline_smp(struct cmdline_state *st, const char *arg,
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

int cmdline_machine(struct cmdline_state *st, const char *arg,
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

int cmdline_accel(struct cmdline_state *st, const char *arg,
		  struct error *err)
{
	st->accel_opt = true;
	return cmdline_with_opts(st, arg, "accel", OPTS_QEMUOPTS,
				 cmdline_accel_opts, true, err);
}

int cmdline_cpu(struct cmdline_state *st, const char *arg,
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

int cmdline_name(struct cmdline_state *st, const char *arg,
		 struct error *err)
{
	return cmdline_with_opts(st, arg, "guest", OPTS_QEMUOPTS,
				 cmdline_name_opts, true, err);
}

static int cmdline_sandbox_opts(struct cmdline_state *st,
				const char *arg __unused, const struct opts *o,
				struct error *err)
{
	return machine_config_set_sandbox(st->cfg, o, st->out, err);
}

/* -sandbox on|off[,...]: QemuOpts with "enable" implied, as QEMU. */
int cmdline_sandbox(struct cmdline_state *st, const char *arg,
		    struct error *err)
{
	return cmdline_with_opts(st, arg, "enable", OPTS_QEMUOPTS,
				 cmdline_sandbox_opts, true, err);
}
