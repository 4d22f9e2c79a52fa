// SPDX-License-Identifier: MIT
/*
 * The QMP monitors of struct machine_config: the raw -qmp, -chardev socket
 * and -mon arguments that cmdline.c kept become @monitors, with QEMU
 * 7.2's wording. Called by machine_config_validate(); main thread, before
 * the VM exists; no locks.
 */
#include "config/machine_config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/opts.h"

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
