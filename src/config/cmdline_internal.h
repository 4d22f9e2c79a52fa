// SPDX-License-Identifier: MIT
/*
 * Shared by the command-line parser's files only: the parse state, the
 * location helpers, and the option handlers that cmdline.c's table
 * points at (cmdline_opts_machine.c, cmdline_opts_devices.c). Main
 * thread, once, from cmdline_parse(); no locks.
 */
#ifndef FLEXVM_CONFIG_CMDLINE_INTERNAL_H
#define FLEXVM_CONFIG_CMDLINE_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include "config/machine_config.h"
#include "config/opts.h"
#include "util/compiler.h"
#include "util/error.h"

struct cmdline_state {
	struct machine_config *cfg;
	FILE *out;
	const char *opt;	/* the option as typed, for "-opt arg: " */
	bool accel_opt;		/* -accel given */
	bool machine_accel;	/* -machine accel= or -enable-kvm given */
};

/*
 * An option's handler: @arg is NULL for options without an argument.
 * Return: 0, 1 when something was printed to st->out and there is nothing
 * to run, or -EINVAL with @err set.
 */
typedef int (*cmdline_fn)(struct cmdline_state *st, const char *arg,
			  struct error *err);

typedef int (*cmdline_opts_fn)(struct cmdline_state *st, const char *arg,
			       const struct opts *o, struct error *err);

/**
 * cmdline_loc - prefix QEMU's location ("-m abc: ") to the message in @err
 * @st: parse state; st->opt is the option as typed
 * @arg: the option's argument, or NULL for "-opt: "
 * @err: the error to prefix
 * @ret: passed through
 *
 * Return: @ret.
 */
int cmdline_loc(const struct cmdline_state *st, const char *arg,
		struct error *err, int ret);

/**
 * cmdline_fail - set @msg in @err with QEMU's location prefixed
 * @st: parse state
 * @arg: the option's argument, or NULL
 * @err: set to "-opt arg: msg"
 * @msg: the message
 *
 * Return: -EINVAL.
 */
int cmdline_fail(const struct cmdline_state *st, const char *arg,
		 struct error *err, const char *msg);

/**
 * cmdline_with_opts - split @arg into a key=value list and hand it to @fn
 * @st: parse state
 * @arg: the option's argument
 * @implied: the key of a leading value without "key="
 * @syntax: QemuOpts or keyval rules
 * @fn: checks the list and stores it in st->cfg
 * @locate: prefix the location to @fn's errors too (QemuOpts-time checks);
 *          QEMU reports the others later, when it builds the machine,
 *          without it
 * @err: the error
 *
 * Syntax errors always carry the location.
 * Return: what @fn returns, or -EINVAL for a syntax error.
 */
int cmdline_with_opts(struct cmdline_state *st, const char *arg,
		      const char *implied, enum opts_syntax syntax,
		      cmdline_opts_fn fn, bool locate, struct error *err);

/*
 * The machine's own options (cmdline_opts_machine.c), each a cmdline_fn:
 * -m, -smp, -machine/-M, -accel, -cpu, -name, -sandbox.
 */
int cmdline_m(struct cmdline_state *st, const char *arg, struct error *err);
int cmdline_smp(struct cmdline_state *st, const char *arg,
		struct error *err);
int cmdline_machine(struct cmdline_state *st, const char *arg,
		    struct error *err);
int cmdline_accel(struct cmdline_state *st, const char *arg,
		  struct error *err);
int cmdline_cpu(struct cmdline_state *st, const char *arg,
		struct error *err);
int cmdline_name(struct cmdline_state *st, const char *arg,
		 struct error *err);
int cmdline_sandbox(struct cmdline_state *st, const char *arg,
		    struct error *err);

/*
 * Devices and their backends (cmdline_opts_devices.c), each a cmdline_fn:
 * -serial, -display, -device, -object, and -chardev/-qmp/-mon (raw).
 */
int cmdline_serial(struct cmdline_state *st, const char *arg,
		   struct error *err);
int cmdline_display(struct cmdline_state *st, const char *arg,
		    struct error *err);
int cmdline_device(struct cmdline_state *st, const char *arg,
		   struct error *err);
int cmdline_object(struct cmdline_state *st, const char *arg,
		   struct error *err);
int cmdline_raw(struct cmdline_state *st, const char *arg,
		struct error *err);

#endif
