// SPDX-License-Identifier: MIT
/*
 * The human monitor (HMP) behind QMP's human-monitor-command: a few of
 * QEMU's commands, parsed and printed as QEMU 7.2 does. Like QEMU's, the
 * commands call the QMP commands through the dispatcher, so HMP and QMP
 * never disagree. Main thread, dm_lock held.
 */
#ifndef FLEXVM_MONITOR_HMP_H
#define FLEXVM_MONITOR_HMP_H

#include "monitor/qmp_dispatch.h"

/**
 * hmp_run - run one HMP command line
 * @d: the QMP commands that HMP calls
 * @client: passed on to them
 * @line: e.g. "info status", "qom-get /machine type"
 *
 * Supported: help|? [cmd], info status|version|name|kvm, qom-list,
 * qom-get, qom-set [-j], stop|s, cont|c, system_reset, quit|q.
 * Return: the output, malloc'ed, with QEMU's "\r\n" line ends ("" for
 * none); NULL if out of memory.
 */
char *hmp_run(const struct qmp_dispatcher *d, void *client, const char *line);

#endif
