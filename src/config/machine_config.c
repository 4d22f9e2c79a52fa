// SPDX-License-Identifier: MIT
/*
 * Defaults and the cross-option checks of struct machine_config, with the
 * messages QEMU 7.2 prints for the same mistakes, in QEMU's order (boot
 * options, then CPU topology, then memory, then board limits); the
 * monitors are parsed in machine_config_monitors.c. Main thread, before
 * the VM exists; no locks.
 */
#include "config/machine_config.h"

#include "config/opts.h"
#include "hw/device.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* QEMU rounds -m up to this (machine_set_mem). */
#define MACHINE_RAM_ALIGN	(8 * KiB)

void machine_config_init(struct machine_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ram_size = MACHINE_DEFAULT_RAM;
	cfg->nr_cpus = 1;
	cfg->machine_type = MACHINE_TYPE;
	cfg->cpu_model = "host";
	cfg->append = "";
	cfg->debug_exit = true;
	cfg->debug_exit_iobase = DEBUG_EXIT_IOBASE;
	cfg->debug_exit_iosize = DEBUG_EXIT_IOSIZE;
	cfg->sandbox = true;	/* unlike QEMU, whose default is off */
}

/* -serial backends of QEMU that flexvm lacks (prefixes end in ':'/'/'). */
static bool machine_config_serial_known(const char *dev)
{
	static const char *const known[] = {
		"vc", "pty", "msmouse", "braille", "testdev", "vc:", "con:",
		"pipe:", "tcp:", "telnet:", "websocket:", "udp:", "unix:",
		"chardev:", "/dev/",
	};
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(known); i++) {
		n = strlen(known[i]);
		if (known[i][n - 1] == ':' || known[i][n - 1] == '/') {
			if (!strncmp(dev, known[i], n))
				return true;
		} else if (!strcmp(dev, known[i])) {
			return true;
		}
	}
	return false;
}

static bool machine_config_stdio_used(const struct machine_config *cfg)
{
	unsigned i;

	for (i = 0; i < cfg->nr_serials; i++)
		if (cfg->serials[i].backend == SERIAL_BACKEND_STDIO)
			return true;
	return false;
}

static int machine_config_serial_backend(const struct machine_config *cfg,
					 const char *dev,
					 struct serial_config *sc,
					 struct error *err)
{
	if (!strcmp(dev, "stdio")) {
		if (machine_config_stdio_used(cfg)) {
			error_setg(err, "cannot use stdio by multiple character "
				   "devices");
			return -EINVAL;
		}
		sc->backend = SERIAL_BACKEND_STDIO;
	} else if (!strcmp(dev, "null")) {
		sc->backend = SERIAL_BACKEND_NONE;
	} else if (!strncmp(dev, "file:", 5) && dev[5]) {
		sc->backend = SERIAL_BACKEND_FILE;
		sc->path = dev + 5;
	} else if (!strcmp(dev, "file:")) {
		error_setg(err, "Could not open '': No such file or directory");
		return -EINVAL;
	} else if (machine_config_serial_known(dev)) {
		error_setg(err, "flexvm does not support this char driver "
			   "(use stdio, mon:stdio, file:PATH, null or none)");
		return -EINVAL;
	} else {
		error_setg(err, "'%s' is not a valid char driver", dev);
		return -EINVAL;
	}
	return 0;
}

int machine_config_add_serial(struct machine_config *cfg, const char *spec,
			      struct error *err)
{
	struct serial_config sc = { 0 };
	const char *dev = spec;
	int ret;

	cfg->serial_set = true;
	if (!strcmp(spec, "none"))
		return 0;	/* QEMU: no port at all, and no default */
	if (!strncmp(dev, "mon:", 4)) {
		sc.mux = true;
		dev += 4;
	}
	if (cfg->nr_serials == MACHINE_MAX_SERIALS) {
		error_setg(err, "too many serial ports");
		return -EINVAL;
	}
	ret = machine_config_serial_backend(cfg, dev, &sc, err);
	if (ret)
		return ret;
	cfg->serials[cfg->nr_serials++] = sc;
	return 0;
}

/* QEMU 7.2's -sandbox suboptions, in the order it checks them. */
struct sandbox_subopt {
	const char *key;
	const char *values[3];	/* what QEMU accepts; NULL-padded */
};

static const struct sandbox_subopt sandbox_subopts[] = {
	{ "obsolete", { "allow", "deny" } },
	{ "elevateprivileges", { "allow", "deny", "children" } },
	{ "spawn", { "allow", "deny" } },
	{ "resourcecontrol", { "allow", "deny" } },
};

static int machine_config_sandbox_subopt(const struct sandbox_subopt *so,
					 const char *value, struct error *err)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(so->values); i++)
		if (so->values[i] && !strcmp(value, so->values[i]))
			break;
	if (i == ARRAY_SIZE(so->values)) {
		error_setg(err, "invalid argument for %s", so->key);
		return -EINVAL;
	}
	/* flexvm's lists are allow-lists: "allow" cannot be honoured. */
	if (strcmp(value, "deny")) {
		error_setg(err, "Parameter '%s' expects 'deny': the "
			   "allow-lists of flexvm never permit these system "
			   "calls", so->key);
		return -EINVAL;
	}
	return 0;
}

int machine_config_set_sandbox(struct machine_config *cfg,
			       const struct opts *o, FILE *out,
			       struct error *err)
{
	static const struct opts_desc desc[] = {
		{ "elevateprivileges", OPTS_TYPE_STRING },
		{ "enable", OPTS_TYPE_BOOL },
		{ "obsolete", OPTS_TYPE_STRING },
		{ "resourcecontrol", OPTS_TYPE_STRING },
		{ "spawn", OPTS_TYPE_STRING },
		{ NULL, OPTS_TYPE_STRING },
	};
	bool on = false;
	const char *v;

	if (o->help) {
		opts_print_help(out, "sandbox", desc);
		return 1;
	}
	if (opts_validate(o, desc, err))
		return -EINVAL;
	if (!opts_get(o, "enable")) {
		error_setg(err, "Parameter 'enable' is missing");
		return -EINVAL;
	}
	if (opts_get_bool(o, "enable", &on, err))
		return -EINVAL;
	/* Like QEMU, the suboptions are only looked at when enabled. */
	for (unsigned i = 0; on && i < ARRAY_SIZE(sandbox_subopts); i++) {
		v = opts_get(o, sandbox_subopts[i].key);
		if (v && machine_config_sandbox_subopt(&sandbox_subopts[i], v,
							err))
			return -EINVAL;
	}
	cfg->sandbox = on;
	return 0;
}

static int machine_config_check_memory(struct machine_config *cfg,
				       struct error *err)
{
	/*
	 * QEMU 7.2 reads "-m 0" as its default size; a zero-sized machine is
	 * never what a user meant, so flexvm refuses it (docs/cmdline.md).
	 */
	if (cfg->ram_size == 0) {
		error_setg(err, "-m 0: RAM size must be greater than 0");
		return -EINVAL;
	}
	if (cfg->ram_size > UINT64_MAX - MACHINE_RAM_ALIGN + 1) {
		error_setg(err, "ram size too large");
		return -EINVAL;
	}
	cfg->ram_size = ALIGN_UP(cfg->ram_size, MACHINE_RAM_ALIGN);

	if (!cfg->has_maxmem) {
		if (cfg->has_mem_slots) {
			error_setg(err, "slots specified but no max-size");
			return -EINVAL;
		}
		return 0;
	}
	if (cfg->maxmem < cfg->ram_size) {
		error_setg(err, "invalid value of maxmem: maximum memory size "
			   "(0x%llx) must be at least the initial memory size "
			   "(0x%llx)", (unsigned long long)cfg->maxmem,
			   (unsigned long long)cfg->ram_size);
		return -EINVAL;
	}
	if (cfg->mem_slots && cfg->maxmem == cfg->ram_size) {
		error_setg(err, "invalid value of maxmem: memory slots were "
			   "specified but maximum memory size (0x%llx) is equal "
			   "to the initial memory size (0x%llx)",
			   (unsigned long long)cfg->maxmem,
			   (unsigned long long)cfg->ram_size);
		return -EINVAL;
	}
	return 0;
}

static unsigned or_one(unsigned v)
{
	return v ? v : 1;
}

/*
 * QEMU 7.2's machine_parse_smp_config() for a machine with dies but no
 * clusters: omitted counts are derived from maxcpus, preferring cores over
 * sockets over threads (QEMU >= 6.2). Products use 64 bits so absurd
 * inputs fail the consistency checks instead of wrapping.
 */
static void machine_config_smp_derive(const struct smp_config *smp,
				      struct machine_config *cfg)
{
	uint64_t cpus = smp->cpus, maxcpus = smp->maxcpus;
	uint64_t sockets = smp->sockets, cores = smp->cores;
	uint64_t threads = smp->threads, dies = or_one(smp->dies);

	if (cpus == 0 && maxcpus == 0) {
		sockets = or_one(smp->sockets);
		cores = or_one(smp->cores);
		threads = or_one(smp->threads);
	} else {
		maxcpus = maxcpus ? maxcpus : cpus;
		if (cores == 0) {
			sockets = sockets ? sockets : 1;
			threads = threads ? threads : 1;
			cores = maxcpus / (sockets * dies * threads);
		} else if (sockets == 0) {
			threads = threads ? threads : 1;
			sockets = maxcpus / (dies * cores * threads);
		}
		if (threads == 0)
			threads = maxcpus / (sockets * dies * cores);
	}
	if (maxcpus == 0)
		maxcpus = sockets * dies * cores * threads;
	cfg->nr_cpus = (unsigned)(cpus ? cpus : maxcpus);
	cfg->max_cpus = (unsigned)maxcpus;
	cfg->cpu_sockets = (unsigned)sockets;
	cfg->cpu_dies = (unsigned)dies;
	cfg->cpu_cores = (unsigned)cores;
	cfg->cpu_threads = (unsigned)threads;
}

static int machine_config_check_smp(struct machine_config *cfg,
				    struct error *err)
{
	struct smp_config smp = cfg->smp;
	uint64_t total;

	if (!memcmp(&smp, &(struct smp_config){ 0 }, sizeof(smp)))
		smp.cpus = cfg->nr_cpus;	/* no -smp: keep nr_cpus */
	if (smp.clusters > 1) {
		error_setg(err, "clusters not supported by this machine's CPU "
			   "topology");
		return -EINVAL;
	}
	machine_config_smp_derive(&smp, cfg);

	total = (uint64_t)cfg->cpu_sockets * cfg->cpu_dies * cfg->cpu_cores *
		cfg->cpu_threads;
	if (total != cfg->max_cpus) {
		error_setg(err, "Invalid CPU topology: product of the hierarchy "
			   "must match maxcpus: sockets (%u) * dies (%u) * "
			   "cores (%u) * threads (%u) != maxcpus (%u)",
			   cfg->cpu_sockets, cfg->cpu_dies, cfg->cpu_cores,
			   cfg->cpu_threads, cfg->max_cpus);
		return -EINVAL;
	}
	if (cfg->max_cpus < cfg->nr_cpus) {
		error_setg(err, "Invalid CPU topology: maxcpus must be equal to "
			   "or greater than smp: sockets (%u) * dies (%u) * "
			   "cores (%u) * threads (%u) == maxcpus (%u) < "
			   "smp_cpus (%u)", cfg->cpu_sockets, cfg->cpu_dies,
			   cfg->cpu_cores, cfg->cpu_threads, cfg->max_cpus,
			   cfg->nr_cpus);
		return -EINVAL;
	}
	if (cfg->max_cpus > MACHINE_MAX_CPUS) {
		error_setg(err, "Invalid SMP CPUs %u. The max CPUs supported by "
			   "machine '%s' is %d", cfg->max_cpus, MACHINE_TYPE,
			   MACHINE_MAX_CPUS);
		return -EINVAL;
	}
	return 0;
}

static int machine_config_check_boot(const struct machine_config *cfg,
				     struct error *err)
{
	if (cfg->kernel)
		return 0;
	if (cfg->initrd)
		error_setg(err, "-initrd only allowed with -kernel option");
	else if (cfg->append && cfg->append[0])
		error_setg(err, "-append only allowed with -kernel option");
	else
		error_setg(err, "no kernel given: use -kernel");
	return -EINVAL;
}

/* The first comma-separated word of @text, into @buf. */
static const char *first_word(const char *text, char *buf, size_t len)
{
	size_t n = strcspn(text, ",");

	snprintf(buf, len, "%.*s", (int)MIN(n, len - 1), text);
	return buf;
}

/*
 * -device and -object text for types flexvm does not model: refused with
 * QEMU's words rather than ignored, so a script learns at once.
 */
static int machine_config_check_unmodelled(const struct machine_config *cfg,
					   struct error *err)
{
	char name[64];

	for (unsigned i = 0; i < cfg->nr_devices; i++) {
		const char *text = cfg->devices[i].text;

		if (device_type_find(first_word(text, name, sizeof(name))))
			continue;	/* vm_create() builds it */
		error_setg(err, "-device %s: '%s' is not a valid device model "
			   "name", text, name);
		return -EINVAL;
	}
	if (cfg->nr_objects) {
		const char *type = cfg->objects[0].text;

		if (!strncmp(type, "qom-type=", 9))
			type += 9;
		error_setg(err, "-object %s: invalid object type: %s",
			   cfg->objects[0].text,
			   first_word(type, name, sizeof(name)));
		return -EINVAL;
	}
	return 0;
}

/* What QEMU checks when it creates each memory backend (no location). */
static int machine_config_check_backends(const struct machine_config *cfg,
					 struct error *err)
{
	for (unsigned i = 0; i < cfg->nr_backends; i++)
		if (memory_backend_config_check(&cfg->backends[i], err))
			return -EINVAL;
	return 0;
}

static bool machine_config_qmp_on_stdio(const struct machine_config *cfg)
{
	for (unsigned i = 0; i < cfg->nr_monitors; i++)
		if (cfg->monitors[i].backend == MONITOR_BACKEND_STDIO)
			return true;
	return false;
}

/* QEMU opens -qmp stdio first, so the -serial stdio is what fails. */
static int machine_config_check_stdio(const struct machine_config *cfg,
				      struct error *err)
{
	if (!machine_config_qmp_on_stdio(cfg))
		return 0;
	for (unsigned i = 0; i < cfg->nr_serials; i++) {
		if (cfg->serials[i].backend != SERIAL_BACKEND_STDIO)
			continue;
		error_setg(err, "-serial %sstdio: cannot use stdio by multiple "
			   "character devices",
			   cfg->serials[i].mux ? "mon:" : "");
		return -EINVAL;
	}
	return 0;
}

static void machine_config_fill_defaults(struct machine_config *cfg)
{
	if (!cfg->serial_set && !cfg->nodefaults && cfg->nr_serials == 0) {
		/* QEMU's default COM1 is a console that -qmp stdio does not
		 * fight over; flexvm's is stdio, so it yields to QMP. */
		cfg->serials[0] = (struct serial_config){
			.backend = machine_config_qmp_on_stdio(cfg)
				   ? SERIAL_BACKEND_NONE : SERIAL_BACKEND_STDIO,
			/* QEMU's -nographic default is mon:stdio. */
			.mux = cfg->nographic,
		};
		cfg->nr_serials = 1;
	}
	if (cfg->nodefaults && !cfg->debug_exit_set)
		cfg->debug_exit = false;
}

int machine_config_validate(struct machine_config *cfg, struct error *err)
{
	int ret;

	/* QEMU's order: boot options, -smp, -m, then the board's limits. */
	ret = machine_config_check_boot(cfg, err);
	if (!ret)
		ret = machine_config_check_smp(cfg, err);
	if (!ret)
		ret = machine_config_check_memory(cfg, err);
	if (!ret && cfg->has_mem_slots &&
	    cfg->mem_slots > MACHINE_MAX_MEM_SLOTS) {
		error_setg(err, "unsupported amount of memory slots: %u",
			   cfg->mem_slots);
		ret = -EINVAL;
	}
	if (!ret)
		ret = machine_config_parse_monitors(cfg, err);
	if (!ret)
		ret = machine_config_check_stdio(cfg, err);
	if (!ret)
		ret = machine_config_check_unmodelled(cfg, err);
	if (!ret)
		ret = machine_config_check_backends(cfg, err);
	if (!ret)
		machine_config_fill_defaults(cfg);
	return ret;
}
