// SPDX-License-Identifier: MIT
/*
 * Defaults and the cross-option checks of struct machine_config, with the
 * messages QEMU 7.2 prints for the same mistakes, in QEMU's order (boot
 * options, then CPU topology, then memory, then board limits). Main
 * thread, before the VM exists; no locks.
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

/* ---- QMP monitors: -qmp, -chardev socket, -mon ---- */

struct chardev_socket {
	char id[64];
	char path[MACHINE_MAX_SOCKET_PATH];
	bool wait;
	bool used;		/* by a -mon already */
};

/* Prefixes QEMU's location ("-qmp foo: ") and fails. */
static int monitor_fail(struct error *err, const char *opt, const char *text)
{
	error_prepend(err, "%s %s: ", opt, text);
	return -EINVAL;
}

static int monitor_set_path(char *dst, const char *path, struct error *err)
{
	if (!*path) {
		error_setg(err, "UNIX socket path must not be empty");
		return -EINVAL;
	}
	if (strlen(path) >= MACHINE_MAX_SOCKET_PATH) {
		error_setg(err, "UNIX socket path '%s' is too long", path);
		return -EINVAL;
	}
	strcpy(dst, path);
	return 0;
}

/* server=on is all flexvm serves; wait defaults to on, as in QEMU. */
static int monitor_check_server(bool server, struct error *err)
{
	if (server)
		return 0;
	error_setg(err, "flexvm only listens for QMP clients: use "
		   "server=on,wait=off");
	return -EINVAL;
}

/*
 * The legacy "unix:PATH,server,nowait" spelling of -qmp. Parsed by hand:
 * QEMU gives no deprecation warning for bare flags here (opts_parse would).
 */
static int monitor_parse_unix(struct monitor_config *mc, const char *spec,
			      struct error *err)
{
	struct opts o = { 0 };
	bool server = false;
	const char *bad;
	int ret;

	mc->wait = true;
	ret = opts_parse(&o, spec, "path", OPTS_QEMUOPTS, err);
	if (ret)
		goto out;
	bad = opts_find_unknown(&o, (const char *const[]){ "path", "server",
				"wait", NULL });
	if (bad) {
		error_setg(err, "Invalid parameter '%s'", bad);
		ret = -EINVAL;
		goto out;
	}
	ret = opts_get_bool(&o, "server", &server, err);
	if (!ret)
		ret = opts_get_bool(&o, "wait", &mc->wait, err);
	if (!ret)
		ret = monitor_set_path(mc->path, opts_get(&o, "path") ?
				       opts_get(&o, "path") : "", err);
	if (!ret)
		ret = monitor_check_server(server, err);
out:
	opts_free(&o);
	return ret;
}

/* "server" alone means server=on, "nowait" wait=off (QEMU's compat). */
static void monitor_expand_flags(const char *text, char *buf, size_t len)
{
	size_t n = 0;

	for (const char *p = text; *p && n + 12 < len;) {
		size_t item = strcspn(p, ",");

		while (p[item] == ',' && p[item + 1] == ',')	/* ",," */
			item += 2 + strcspn(p + item + 2, ",");
		if (item == 6 && !strncmp(p, "server", 6))
			n += (size_t)snprintf(buf + n, len - n, "server=on");
		else if (item == 6 && !strncmp(p, "nowait", 6))
			n += (size_t)snprintf(buf + n, len - n, "wait=off");
		else if (item == 4 && !strncmp(p, "wait", 4))
			n += (size_t)snprintf(buf + n, len - n, "wait=on");
		else
			n += (size_t)snprintf(buf + n, len - n, "%.*s",
					      (int)MIN(item, len - n - 1), p);
		p += item;
		if (*p == ',' && n + 1 < len) {
			buf[n++] = ',';
			buf[n] = '\0';
			p++;
		}
	}
	buf[MIN(n, len - 1)] = '\0';
}

static bool monitor_driver_known(const char *spec)
{
	static const char *const known[] = {
		"tcp:", "telnet:", "websocket:", "udp:", "pipe:", "file:",
		"chardev:", "/dev/", "mon:", "pty", "vc", "null", "msmouse",
		"braille", "testdev",
	};

	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (!strncmp(spec, known[i], strlen(known[i])))
			return true;
	return false;
}

static int monitor_parse_qmp(struct machine_config *cfg, const char *text,
			     struct error *err)
{
	struct monitor_config *mc = &cfg->monitors[cfg->nr_monitors];
	char buf[512];
	int ret = 0;

	*mc = (struct monitor_config){ .opt = "-qmp", .text = text };
	if (!strcmp(text, "stdio")) {
		mc->backend = MONITOR_BACKEND_STDIO;
		for (unsigned i = 0; i < cfg->nr_monitors && !ret; i++)
			if (cfg->monitors[i].backend == MONITOR_BACKEND_STDIO) {
				error_setg(err, "cannot use stdio by multiple "
					   "character devices");
				ret = -EINVAL;
			}
	} else if (!strncmp(text, "unix:", 5)) {
		monitor_expand_flags(text + 5, buf, sizeof(buf));
		ret = monitor_parse_unix(mc, buf, err);
	} else if (monitor_driver_known(text)) {
		error_setg(err, "flexvm does not support this char driver "
			   "(use unix:PATH,server=on,wait=off or stdio)");
		ret = -EINVAL;
	} else {
		error_setg(err, "'%s' is not a valid char driver", text);
		ret = -EINVAL;
	}
	if (ret)
		return monitor_fail(err, "-qmp", text);
	cfg->nr_monitors++;
	return 0;
}

static int chardev_check_backend(const struct opts *o, struct error *err)
{
	static const char *const others[] = {
		"null", "stdio", "file", "pipe", "pty", "vc", "udp", "serial",
		"tty", "parallel", "ringbuf", "memory", "msmouse", "braille",
		"testdev", "mux", "spicevmc", "spiceport", "qemu-vdagent",
		"dbus",
	};
	const char *backend = opts_get(o, "backend");

	if (backend && !strcmp(backend, "socket")) {
		if (opts_get(o, "id"))
			return 0;
		error_setg(err, "chardev: no id specified");
		return -EINVAL;
	}
	for (size_t i = 0; backend && i < ARRAY_SIZE(others); i++) {
		if (strcmp(backend, others[i]))
			continue;
		error_setg(err, "flexvm does not support this char driver "
			   "(use socket for a QMP monitor)");
		return -EINVAL;
	}
	error_setg(err, "'%s' is not a valid char driver name",
		   backend ? backend : "");
	return -EINVAL;
}

static int chardev_parse_opts(struct chardev_socket *cs, const struct opts *o,
			      struct error *err)
{
	bool server = false;
	const char *bad, *path = opts_get(o, "path");
	int ret;

	bad = opts_find_unknown(o, (const char *const[]){ "backend", "id",
				"path", "server", "wait", NULL });
	if (bad) {
		error_setg(err, "Invalid parameter '%s'", bad);
		return -EINVAL;
	}
	cs->wait = true;
	ret = opts_get_bool(o, "server", &server, err);
	if (!ret)
		ret = opts_get_bool(o, "wait", &cs->wait, err);
	if (!ret && !path) {
		error_setg(err, "flexvm supports only UNIX sockets: give "
			   "path=PATH");
		ret = -EINVAL;
	}
	if (!ret)
		ret = monitor_set_path(cs->path, path, err);
	if (!ret)
		ret = monitor_check_server(server, err);
	if (!ret && strlen(opts_get(o, "id")) >= sizeof(cs->id)) {
		error_setg(err, "chardev id too long");
		ret = -EINVAL;
	}
	if (!ret)
		strcpy(cs->id, opts_get(o, "id"));
	return ret;
}

static int chardev_parse(struct chardev_socket *list, unsigned nr,
			 const char *text, struct error *err)
{
	struct opts o = { 0 };
	int ret = opts_parse(&o, text, "backend", OPTS_QEMUOPTS, err);

	if (!ret)
		ret = chardev_check_backend(&o, err);
	if (!ret)
		ret = chardev_parse_opts(&list[nr], &o, err);
	for (unsigned i = 0; !ret && i < nr; i++) {
		if (strcmp(list[i].id, list[nr].id))
			continue;
		error_setg(err, "Duplicate ID '%s' for chardev", list[nr].id);
		ret = -EINVAL;
	}
	opts_free(&o);
	return ret ? monitor_fail(err, "-chardev", text) : 0;
}

static int mon_check_opts(const struct opts *o, struct monitor_config *mc,
			  struct error *err)
{
	const char *bad, *mode = opts_get(o, "mode");

	/* libvirt adds id=monitor; QemuOpts takes an id in every group. */
	bad = opts_find_unknown(o, (const char *const[]){ "chardev", "mode",
				"pretty", "id", NULL });
	if (bad) {
		error_setg(err, "Invalid parameter '%s'", bad);
		return -EINVAL;
	}
	if (mode && strcmp(mode, "control") && strcmp(mode, "readline")) {
		error_setg(err, "Parameter 'mode' does not accept value '%s'",
			   mode);
		return -EINVAL;
	}
	if (opts_get_bool(o, "pretty", &mc->pretty, err))
		return -EINVAL;
	if (!opts_get(o, "chardev")) {
		error_setg(err, "Parameter 'chardev' is missing");
		return -EINVAL;
	}
	return 0;
}

static int mon_parse(struct machine_config *cfg, struct chardev_socket *list,
		     unsigned nr, const char *text, struct error *err)
{
	struct monitor_config *mc = &cfg->monitors[cfg->nr_monitors];
	struct chardev_socket *cs = NULL;
	struct opts o = { 0 };
	const char *id, *mode;
	int ret;

	*mc = (struct monitor_config){ .opt = "-mon", .text = text };
	ret = opts_parse(&o, text, "chardev", OPTS_QEMUOPTS, err);
	if (!ret)
		ret = mon_check_opts(&o, mc, err);
	id = ret ? NULL : opts_get(&o, "chardev");
	for (unsigned i = 0; id && i < nr && !cs; i++)
		cs = strcmp(list[i].id, id) ? NULL : &list[i];
	mode = ret ? NULL : opts_get(&o, "mode");
	if (!ret && !cs)
		error_setg(err, "chardev \"%s\" not found", id);
	else if (!ret && cs->used)
		error_setg(err, "Device '%s' is in use", id);
	else if (!ret && (!mode || strcmp(mode, "control")))
		error_setg(err, "flexvm has no human monitor on a chardev: use "
			   "mode=control (HMP goes through QMP's "
			   "human-monitor-command)");
	opts_free(&o);
	if (ret || error_is_set(err))
		return monitor_fail(err, "-mon", text);
	cs->used = true;
	mc->backend = MONITOR_BACKEND_UNIX;
	strcpy(mc->path, cs->path);
	mc->wait = cs->wait;
	cfg->nr_monitors++;
	return 0;
}

int machine_config_parse_monitors(struct machine_config *cfg,
				  struct error *err)
{
	struct chardev_socket socks[MACHINE_MAX_CHARDEVS];
	int ret = 0;

	memset(socks, 0, sizeof(socks));
	cfg->nr_monitors = 0;
	for (unsigned i = 0; i < cfg->nr_qmps && !ret; i++)
		ret = monitor_parse_qmp(cfg, cfg->qmps[i].text, err);
	for (unsigned i = 0; i < cfg->nr_chardevs && !ret; i++)
		ret = chardev_parse(socks, i, cfg->chardevs[i].text, err);
	for (unsigned i = 0; i < cfg->nr_mons && !ret; i++)
		ret = mon_parse(cfg, socks, cfg->nr_chardevs,
				cfg->mons[i].text, err);
	return ret;
}
