// SPDX-License-Identifier: MIT
/*
 * QMP endpoints: a UNIX socket server (many clients at once) or a pair of
 * fds (stdio). Each client gets the greeting, its own input stream and
 * output queue, and QEMU's negotiation; negotiated clients receive the
 * events. Output never blocks: a client that does not read is paused
 * (its requests wait) and dropped once its queue passes the cap.
 * Main thread, dm_lock held (the handlers run on the main loop).
 */
#ifndef FLEXVM_MONITOR_QMP_SERVER_H
#define FLEXVM_MONITOR_QMP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event_loop.h"
#include "monitor/qmp_dispatch.h"
#include "util/compiler.h"
#include "util/error.h"

#define QMP_SERVER_MAX_QUEUE	(1 * MiB)	/* pending output per client */
#define QMP_SERVER_PAUSE_READ	(64 * KiB)	/* stop reading requests */
#define QMP_SERVER_MAX_CLIENTS	64		/* per server; more wait */

struct json_object;
struct qmp_server;

struct qmp_server_config {
	struct event_loop *loop;
	const struct qmp_dispatcher *dispatcher;
	struct json_object *greeting;	/* borrowed; sent on connect */
	const bool *stopped;		/* true: run no more requests */
	bool pretty;			/* -mon pretty=on */
	size_t max_queue;		/* 0: QMP_SERVER_MAX_QUEUE */
	unsigned max_clients;		/* 0: QMP_SERVER_MAX_CLIENTS */
};

/**
 * qmp_server_listen - listen on the UNIX socket @path
 * @cfg: copied
 * @path: the socket file; created with mode 0600. An existing socket file
 *        is replaced, as QEMU does; any other kind of file is refused.
 * @err: QEMU's wording ("Failed to bind socket to PATH: ...")
 *
 * Return: the server, or NULL with @err set.
 */
struct qmp_server *qmp_server_listen(const struct qmp_server_config *cfg,
				     const char *path, struct error *err);

/**
 * qmp_server_open_fds - one client on @in_fd/@out_fd (-qmp stdio); both
 * made non-blocking until qmp_server_destroy(), which does not close them.
 * The greeting is queued at once.
 *
 * Return: the server, or NULL with @err set.
 */
struct qmp_server *qmp_server_open_fds(const struct qmp_server_config *cfg,
				       int in_fd, int out_fd,
				       struct error *err);

/* wait=on: blocks until a first client connects. 0 or -errno. */
int qmp_server_accept_blocking(struct qmp_server *s) __must_check;

/*
 * qmp_server_destroy - write what is queued (for at most @flush_ms; quit's
 * reply and the SHUTDOWN event must reach the client), close every
 * client and remove the socket file.
 */
void qmp_server_destroy(struct qmp_server *s, unsigned flush_ms);

/* Sends @msg (borrowed) to every negotiated client of @s. */
void qmp_server_broadcast(struct qmp_server *s, struct json_object *msg);

/* Connected clients (tests, HMP). */
unsigned qmp_server_nr_clients(const struct qmp_server *s);

/* The client argument of a command handler. */
bool qmp_client_negotiated(const void *client);
void qmp_client_set_negotiated(void *client);

/*
 * Rate limiting of one event stream (one event name and key), QEMU's rule:
 * the first event goes out at once and opens a period; events during the
 * period replace each other, and the last one goes out when it ends,
 * opening a new period. Pure logic: the caller owns the timer.
 */
struct qmp_throttle {
	uint64_t period_ns;
	bool in_period;			/* a timer is running */
	struct json_object *pending;	/* held back; owned */
};

/*
 * qmp_throttle_offer - @data (owned) arrives. Returns @data when it may
 * be sent now (and sets *@arm_ns to the period to time), or NULL when it
 * is held (*@arm_ns = 0: the running timer stays as it is).
 */
struct json_object *qmp_throttle_offer(struct qmp_throttle *t,
				       struct json_object *data,
				       uint64_t *arm_ns);

/*
 * qmp_throttle_expire - the period ended. Returns the held event to send
 * (and *@arm_ns = the next period), or NULL when none was held (the
 * stream is idle again, *@arm_ns = 0).
 */
struct json_object *qmp_throttle_expire(struct qmp_throttle *t,
					uint64_t *arm_ns);

/* Drops a held event. */
void qmp_throttle_clear(struct qmp_throttle *t);

#endif
