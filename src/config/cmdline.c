// SPDX-License-Identifier: MIT
/*
 * Table-driven QEMU-style argv parser: the option table, -help, and the
 * argv walk. getopt_long_only() is avoided on purpose: it accepts
 * abbreviations ("-kern"), which QEMU rejects. Each option has a handler
 * that checks its value with QEMU 7.2's rules and words (the larger ones
 * in cmdline_opts_*.c); see docs/cmdline.md for the differences. Main
 * thread, once; no locks.
 */
#include "config/cmdline.h"
#include "config/cmdline_internal.h"

#include <errno.h>
#include <string.h>

#include "config/opts.h"
#include "util/log.h"

#if __has_include("flexvm-version.h")
#include "flexvm-version.h"
#endif
#ifndef FLEXVM_VERSION
#define FLEXVM_VERSION "0.1.0"
#endif

struct cmdline_option {
	const char *name;	/* without the dash */
	bool has_arg;
	cmdline_fn fn;
	const char *usage;	/* NULL: an alias, left out of -help */
	const char *help;
};

int cmdline_loc(const struct cmdline_state *st, const char *arg,
		struct error *err, int ret)
{
	if (arg)
		error_prepend(err, "%s %s: ", st->opt, arg);
	else
		error_prepend(err, "%s: ", st->opt);
	return ret;
}

int cmdline_fail(const struct cmdline_state *st, const char *arg,
		 struct error *err, const char *msg)
{
	error_setg(err, "%s", msg);
	return cmdline_loc(st, arg, err, -EINVAL);
}

/*
 * Syntax errors always carry the location; @fn's errors only when asked,
 * because QEMU checks some values later, when the machine is built.
 */
int cmdline_with_opts(struct cmdline_state *st, const char *arg,
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
