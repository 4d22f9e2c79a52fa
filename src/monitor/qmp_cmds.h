// SPDX-License-Identifier: MIT
/*
 * The command tables of the monitor, one per file, and the helpers they
 * share. Handlers run on the main thread with dm_lock held; their opaque
 * is the struct monitor.
 */
#ifndef FLEXVM_MONITOR_QMP_CMDS_H
#define FLEXVM_MONITOR_QMP_CMDS_H

#include "monitor/qmp_dispatch.h"

/* qmp_capabilities, query-*, stop, cont, system_reset, quit. */
extern const struct qmp_command qmp_cmds_machine[];
/* qom-list, qom-get, qom-set. */
extern const struct qmp_command qmp_cmds_qom[];
/* query-memory-devices, query-memory-size-summary, x-query-memslots. */
extern const struct qmp_command qmp_cmds_memory[];
/* query-pci. */
extern const struct qmp_command qmp_cmds_pci[];
/* human-monitor-command. */
extern const struct qmp_command qmp_cmds_hmp[];

/* {"qemu": {"major", "minor", "micro"}, "package"}, as query-version. */
struct json_object *qmp_cmds_version(void);

#endif
