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

#include "util/compiler.h"
#include "util/error.h"

#define MACHINE_MAX_SERIALS	4	/* COM1..COM4, like QEMU's -serial */
#define MACHINE_MAX_CPUS	255	/* xAPIC ids, MP table */
#define MACHINE_MAX_DEVICES	64
#define MACHINE_MAX_OBJECTS	64

enum serial_backend {
	SERIAL_BACKEND_NONE,	/* "none" or "null": port present, output dropped */
	SERIAL_BACKEND_STDIO,	/* "stdio" or "mon:stdio" */
	SERIAL_BACKEND_FILE,	/* "file:PATH" */
};

struct serial_config {
	enum serial_backend backend;
	const char *path;	/* SERIAL_BACKEND_FILE: points into argv */
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

	unsigned nr_cpus;	/* -smp [cpus=]N; default 1 */

	const char *kernel;	/* -kernel, required */
	const char *initrd;	/* -initrd, NULL if absent */
	const char *append;	/* -append, "" if absent */

	const char *name;	/* -name, NULL if absent */
	const char *pidfile;	/* -pidfile, NULL if absent */

	bool no_reboot;		/* -no-reboot: guest reset ends the process */
	bool start_paused;	/* -S */
	bool nodefaults;	/* -nodefaults */
	bool nographic;		/* -nographic */

	/*
	 * Serial ports in order. When the user gives no -serial, the default
	 * (COM1 on stdio) is filled in unless -nodefaults.
	 */
	struct serial_config serials[MACHINE_MAX_SERIALS];
	unsigned nr_serials;

	/*
	 * isa-debug-exit: present by default at QEMU's iobase 0x501, size 2
	 * (-nodefaults removes it), or as given by -device isa-debug-exit.
	 */
	bool debug_exit;
	uint16_t debug_exit_iobase;
	uint16_t debug_exit_iosize;

	/* -device / -object arguments flexvm does not consume yet. */
	struct raw_opts devices[MACHINE_MAX_DEVICES];
	unsigned nr_devices;
	struct raw_opts objects[MACHINE_MAX_OBJECTS];
	unsigned nr_objects;
};

/* Defaults: 128 MiB, 1 CPU, empty append, debug-exit on. */
void machine_config_init(struct machine_config *cfg);

/*
 * machine_config_validate - cross-option checks after parsing (kernel
 * given, sizes non-zero, maxmem >= ram, cpus in range...), with QEMU's
 * wording. Fills in the default serial. Returns 0 or -EINVAL with @err set.
 */
int machine_config_validate(struct machine_config *cfg,
			    struct error *err) __must_check;

#endif
