// SPDX-License-Identifier: MIT
/*
 * The QMP monitor of a VM: every endpoint the command line asks for, the
 * command tables, the QOM objects of the machine, and events. The VM's
 * run-state changes arrive through vm_add_listener() and go out as QEMU's
 * SHUTDOWN, STOP, RESUME and RESET events; devices emit their own events
 * with qmp_event_emit*(). Main thread, dm_lock held.
 */
#ifndef FLEXVM_MONITOR_MONITOR_H
#define FLEXVM_MONITOR_MONITOR_H

#include <stdbool.h>

#include "config/machine_config.h"
#include "monitor/qmp_dispatch.h"
#include "util/compiler.h"
#include "util/error.h"

/* What query-version reports: the QEMU whose QMP flexvm speaks. */
#define MONITOR_QEMU_MAJOR	7
#define MONITOR_QEMU_MINOR	2
#define MONITOR_QEMU_MICRO	0
/* The QOM type of /machine (QEMU 7.2's "pc" machine). */
#define MONITOR_MACHINE_TYPE	"pc-i440fx-7.2-machine"

struct vm;
struct json_object;
struct qmp_server;
struct monitor_ratelimit;

struct monitor {
	struct vm *vm;
	struct qmp_dispatcher dispatcher;	/* opaque: the monitor */
	struct json_object *greeting;
	struct qmp_server *servers[2 * MACHINE_MAX_MONITORS];
	unsigned nr_servers;
	bool stopped;		/* SHUTDOWN sent: run no more requests */
	struct monitor_ratelimit *ratelimits;
};

/**
 * monitor_create - build the QOM tree of @vm and open the monitors of
 * @vm->cfg (-qmp, -mon); sets @vm->monitor. With wait=on it blocks until
 * a client connects, as QEMU does. Main thread, before vm_run().
 * Return: the monitor (also when there is no endpoint: events and QOM
 * still work), or NULL with @err set, prefixed by the option at fault.
 */
struct monitor *monitor_create(struct vm *vm, struct error *err);

/*
 * monitor_destroy - after vm_run(): sends what is queued (quit's reply,
 * the SHUTDOWN event), closes the clients and removes socket files.
 */
void monitor_destroy(struct monitor *mon);

/* Adds a command table (e.g. a later step's qmp_cmds_*.c). 0 or -ENOSPC. */
int monitor_add_commands(struct monitor *mon,
			 const struct qmp_command *table) __must_check;

/**
 * qmp_event_emit - send event @name to every negotiated client
 * @mon: the monitor; NULL drops the event
 * @name: e.g. "STOP"
 * @data: the "data" member (ownership passes), or NULL for none
 *
 * The event gets QEMU's "timestamp" {seconds, microseconds}.
 */
void qmp_event_emit(struct monitor *mon, const char *name,
		    struct json_object *data);

/**
 * qmp_event_emit_ratelimited - qmp_event_emit() at most once per
 * @period_ms for each (@name, @key), with QEMU's rule: the first event
 * goes at once, later ones within the period replace each other and the
 * last is sent when the period ends (MEMORY_DEVICE_SIZE_CHANGE: 1000 ms,
 * keyed by the device's QOM path).
 */
void qmp_event_emit_ratelimited(struct monitor *mon, const char *name,
				const char *key, unsigned period_ms,
				struct json_object *data);

#endif
