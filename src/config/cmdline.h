// SPDX-License-Identifier: MIT
/*
 * QEMU-compatible command line: argv -> struct machine_config. Options
 * take one or two dashes and are never abbreviated, as in QEMU; values
 * and errors follow qemu-system-x86_64 7.2. Main thread, once, at start.
 */
#ifndef FLEXVM_CONFIG_CMDLINE_H
#define FLEXVM_CONFIG_CMDLINE_H

#include <stdio.h>

#include "config/machine_config.h"
#include "util/compiler.h"
#include "util/error.h"

/**
 * cmdline_parse - fill @cfg from the command line
 * @argc: argument count, argv[0] included
 * @argv: arguments; @cfg keeps pointers into them, so they must outlive it
 * @cfg: initialised by the caller with machine_config_init(); still needs
 *       machine_config_validate() afterwards
 * @out: where -help, -version and the "help" listings are printed
 * @err: the error, worded as QEMU words it, without the program name
 *
 * Unknown options and missing arguments anywhere in @argv are reported
 * before any value is looked at, as QEMU does; the rest is processed in
 * order. Warnings for deprecated-but-accepted forms go to the log.
 *
 * Return: 0 to run the VM, 1 when something was printed to @out and there
 * is nothing to run (exit status 0), -EINVAL with @err set.
 */
int cmdline_parse(int argc, char **argv, struct machine_config *cfg,
		  FILE *out, struct error *err) __must_check;

#endif
