// SPDX-License-Identifier: MIT
/*
 * What the user asked for, as plain data. cmdline.c fills it from argv,
 * machine_config_validate() checks it in one place (with QEMU's wording),
 * and vm_create() builds the machine from it. Device code never reads it
 * after the machine is built.
 */
#ifndef FLEXVM_CONFIG_MACHINE_CONFIG_H
#define FLEXVM_CONFIG_MACHINE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config/memory_backend_config.h"
#include "config/opts.h"
#include "util/compiler.h"
#include "util/error.h"

#define MACHINE_MAX_SERIALS	4	/* COM1..COM4, like QEMU's -serial */
#define MACHINE_MAX_CPUS	255	/* xAPIC ids, MP table */
#define MACHINE_MAX_DEVICES	64
#define MACHINE_MAX_OBJECTS	64
#define MACHINE_MAX_BACKENDS	16	/* -object memory-backend-* */
#define MACHINE_MAX_CHARDEVS	16
#define MACHINE_MAX_MONITORS	8
#define MACHINE_MAX_SOCKET_PATH	108	/* sizeof(sun_path) */
#define MACHINE_MAX_MEM_SLOTS	256	/* QEMU pc: ACPI memory hotplug slots */
#define MACHINE_DEFAULT_RAM	(128 * MiB)
#define MACHINE_TYPE		"pc"	/* the one machine type flexvm has */
#define DEBUG_EXIT_IOBASE	0x501	/* QEMU's isa-debug-exit defaults */
#define DEBUG_EXIT_IOSIZE	2

enum serial_backend {
	SERIAL_BACKEND_NONE,	/* "null": port present, output dropped */
	SERIAL_BACKEND_STDIO,	/* "stdio" or "mon:stdio" */
	SERIAL_BACKEND_FILE,	/* "file:PATH" */
};

/* "-serial none" adds no port at all (as QEMU); it only drops the default. */
struct serial_config {
	enum serial_backend backend;
	const char *path;	/* SERIAL_BACKEND_FILE: points into argv */
	bool mux;		/* "mon:" prefix: QEMU muxes its monitor here */
};

/*
 * -smp as given; 0 means "not given" (QEMU 7.2 treats an explicit 0 the
 * same way, after a deprecation warning). machine_config_validate()
 * computes the omitted ones with QEMU's rules.
 */
struct smp_config {
	unsigned cpus, maxcpus;
	unsigned sockets, dies, clusters, cores, threads;
};

/* Where a QMP monitor listens. */
enum monitor_backend {
	MONITOR_BACKEND_UNIX,	/* a UNIX socket server */
	MONITOR_BACKEND_STDIO,	/* -qmp stdio */
};

/*
 * A QMP monitor, from "-qmp unix:PATH,server=on,wait=off", "-qmp stdio",
 * or "-mon chardev=ID,mode=control" plus "-chardev socket,id=ID,path=...".
 */
struct monitor_config {
	enum monitor_backend backend;
	char path[MACHINE_MAX_SOCKET_PATH];	/* UNIX: the socket file */
	bool wait;	/* wait=on: block until a client connects */
	bool pretty;	/* -mon pretty=on */
	const char *opt;	/* "-qmp" or "-mon", for messages */
	const char *text;	/* its argument (points into argv) */
};

/* A -device or -object argument, kept raw for the step that implements it. */
struct raw_opts {
	const char *text;	/* points into argv */
};

struct machine_config {
	/* -m [size=]SIZE[,slots=N][,maxmem=SIZE]; default 128 MiB as QEMU */
	uint64_t ram_size;
	uint64_t maxmem;	/* 0: not given (no device memory) */
	unsigned mem_slots;	/* -m slots=, 0: not given */
	bool has_maxmem;	/* maxmem= given (maxmem=0 is an error) */
	bool has_mem_slots;	/* slots= given (slots=0 still counts) */

	unsigned nr_cpus;	/* -smp [cpus=]N; default 1 */
	/* Filled in by machine_config_validate() from @smp (or @nr_cpus). */
	unsigned max_cpus;
	unsigned cpu_sockets, cpu_dies, cpu_cores, cpu_threads;
	struct smp_config smp;	/* as given on the command line */

	const char *machine_type;	/* -machine type=, "pc" */
	/* -machine x-memslot-budget=N: KVM slots for all memory devices
	 * together; 0 when not given (flexvm's default, 256). */
	unsigned memslot_budget;
	/* -machine x-canary=on: canaries around guest memory (debugging) */
	bool canary;
	const char *cpu_model;		/* -cpu: "host" (default) or "max" */

	const char *kernel;	/* -kernel, required */
	const char *initrd;	/* -initrd, NULL if absent */
	const char *append;	/* -append, "" if absent */

	const char *name;	/* -name, NULL if absent */
	/* @name's storage: a -name value may hold ",," escapes. */
	char name_buf[256];
	const char *pidfile;	/* -pidfile, NULL if absent */

	bool no_reboot;		/* -no-reboot: guest reset ends the process */
	bool start_paused;	/* -S */
	bool nodefaults;	/* -nodefaults */
	bool nographic;		/* -nographic */
	/* -sandbox on|off: the seccomp allow-lists; on unless -sandbox off */
	bool sandbox;

	/*
	 * Serial ports in order. When the user gives no -serial, the default
	 * (COM1 on stdio) is filled in unless -nodefaults.
	 */
	struct serial_config serials[MACHINE_MAX_SERIALS];
	unsigned nr_serials;
	bool serial_set;	/* some -serial was given, even "none" */

	/*
	 * isa-debug-exit: present by default at QEMU's iobase 0x501, size 2
	 * (-nodefaults removes it), or as given by -device isa-debug-exit.
	 */
	bool debug_exit;
	bool debug_exit_set;	/* from -device: survives -nodefaults */
	uint16_t debug_exit_iobase;
	uint16_t debug_exit_iosize;
	char debug_exit_id[64];	/* -device isa-debug-exit,id=: QOM name */

	/* -device arguments, built by vm_create() through device_create(). */
	struct raw_opts devices[MACHINE_MAX_DEVICES];
	unsigned nr_devices;
	/*
	 * -object: memory backends are parsed into @backends as the command
	 * line is read (memory_backend_config_add_object()), in order; other
	 * types stay raw in @objects, and validation refuses them.
	 */
	struct raw_opts objects[MACHINE_MAX_OBJECTS];
	unsigned nr_objects;
	struct memory_backend_config backends[MACHINE_MAX_BACKENDS];
	unsigned nr_backends;

	/*
	 * -chardev, -qmp and -mon arguments as given; validation turns them
	 * into @monitors.
	 */
	struct raw_opts chardevs[MACHINE_MAX_CHARDEVS];
	unsigned nr_chardevs;
	struct raw_opts qmps[MACHINE_MAX_MONITORS];	/* -qmp DEV */
	unsigned nr_qmps;
	struct raw_opts mons[MACHINE_MAX_MONITORS];	/* -mon OPTS */
	unsigned nr_mons;

	/* The QMP monitors, -qmp ones first; set by validation. */
	struct monitor_config monitors[2 * MACHINE_MAX_MONITORS];
	unsigned nr_monitors;
};

/* Defaults: 128 MiB, 1 CPU, empty append, debug-exit on. */
void machine_config_init(struct machine_config *cfg);

/**
 * machine_config_add_serial - append the next COM port from a -serial value
 * @cfg: the config being built
 * @spec: "stdio", "mon:stdio" (or "mon:" + any of these), "null",
 *        "file:PATH" (kept as a pointer into @spec), or "none" (no port,
 *        but no default COM1 either, as in QEMU)
 * @err: QEMU's wording, without the "-serial X: " location
 *
 * Return: 0 or -EINVAL (unknown or unsupported driver, stdio used twice,
 * more than MACHINE_MAX_SERIALS ports).
 */
int machine_config_add_serial(struct machine_config *cfg, const char *spec,
			      struct error *err) __must_check;

/**
 * machine_config_set_sandbox - apply a parsed -sandbox list
 * @cfg: the config being built
 * @o: the list, with "enable" as the implied key ("on", "off,spawn=deny")
 * @out: where "-sandbox on,help" lists the keys
 * @err: QEMU's wording, without the "-sandbox X: " location
 *
 * enable= takes QEMU's booleans. QEMU's obsolete=, elevateprivileges=,
 * spawn= and resourcecontrol= get QEMU's checks ("invalid argument for
 * spawn") and, with enable on, only "deny" is accepted: flexvm's
 * allow-lists hold none of those calls, so they cannot allow them. Unlike
 * QEMU, a list without enable= is refused instead of meaning off.
 *
 * Return: 0, 1 when help was printed, or -EINVAL.
 */
int machine_config_set_sandbox(struct machine_config *cfg,
			       const struct opts *o, FILE *out,
			       struct error *err) __must_check;

/**
 * machine_config_validate - cross-option checks after parsing, with QEMU's
 * wording, in QEMU's order
 * @cfg: the parsed config; completed in place
 * @err: the first problem found
 *
 * A kernel is required (-initrd/-append alone get QEMU's errors). CPUs:
 * the -smp topology is completed (max_cpus, cpu_sockets...) and nr_cpus
 * set from it; with no -smp at all, nr_cpus is kept. Memory: size 0
 * becomes the 128 MiB default and the size rounds up to 8 KiB (as QEMU's
 * -m); maxmem/slots must agree; maxmem stays 0 when not given. -qmp,
 * -chardev and -mon become @monitors (machine_config_parse_monitors()).
 * Last, the default COM1 on stdio is added unless -nodefaults or -serial
 * (on "null" when a QMP monitor uses stdio), and the default
 * isa-debug-exit is dropped by -nodefaults unless -device re-added it.
 * Returns 0 or -EINVAL with @err set.
 */
int machine_config_validate(struct machine_config *cfg,
			    struct error *err) __must_check;

/**
 * machine_config_parse_monitors - turn the raw -qmp, -chardev and -mon
 * arguments into @cfg->monitors, with QEMU 7.2's wording ("-qmp foo:
 * 'foo' is not a valid char driver", "-mon chardev=c0: chardev \"c0\"
 * not found"...). Accepted: -qmp stdio; -qmp unix:PATH with server[=on]
 * and wait=on|off (or the legacy nowait); -chardev socket,id=,path=,
 * server=on,wait= used by -mon chardev=ID,mode=control[,pretty=on|off].
 * Client sockets, TCP, other backends and mode=readline are refused.
 * Called by machine_config_validate().
 * Return: 0 or -EINVAL with @err set (prefixed with the option).
 */
int machine_config_parse_monitors(struct machine_config *cfg,
				  struct error *err) __must_check;

#endif
