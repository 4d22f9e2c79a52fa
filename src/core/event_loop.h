// SPDX-License-Identifier: MIT
/*
 * The main loop: one epoll set on the main thread for host fds (serial
 * input, signals, QMP sockets, later ioeventfds), one-shot timers, plus a
 * queue of calls posted from other threads (vCPUs asking for a reset).
 * Handlers run on the main thread with the device-model lock held.
 */
#ifndef FLEXVM_CORE_EVENT_LOOP_H
#define FLEXVM_CORE_EVENT_LOOP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/compiler.h"

/* @events is the epoll mask that fired (EPOLLIN, EPOLLHUP, ...). */
typedef void (*event_fd_fn)(void *opaque, uint32_t events);
typedef void (*event_call_fn)(void *opaque);

struct event_loop;

/*
 * event_loop_create - a loop whose handlers run with @lock held. The lock
 * is released only while the loop sleeps in epoll_wait.
 */
struct event_loop *event_loop_create(pthread_mutex_t *lock);
void event_loop_destroy(struct event_loop *el);

/* Watch @fd for @events (EPOLLIN...). 0 or -errno (-EPERM: regular file). */
int event_loop_add_fd(struct event_loop *el, int fd, uint32_t events,
		      event_fd_fn fn, void *opaque) __must_check;
/* Change the mask of a watched fd; 0 pauses it without forgetting it. */
int event_loop_mod_fd(struct event_loop *el, int fd, uint32_t events);
void event_loop_del_fd(struct event_loop *el, int fd);

/*
 * event_loop_post - run @fn(@opaque) on the main thread soon. Callable from
 * any thread, with or without the lock. Returns 0 or -ENOMEM.
 */
int event_loop_post(struct event_loop *el, event_call_fn fn, void *opaque);

/*
 * One-shot timers on timerfd (CLOCK_MONOTONIC), run as fd handlers: on the
 * main thread with the lock held. event_loop_add_timer() creates a timer
 * that is not armed; event_loop_mod_timer() (re)arms it to fire once after
 * @delay_ns (0 disarms); event_loop_del_timer() disarms and frees it.
 */
struct event_timer;
struct event_timer *event_loop_add_timer(struct event_loop *el,
					 event_call_fn fn, void *opaque);
int event_loop_mod_timer(struct event_timer *t, uint64_t delay_ns);
void event_loop_del_timer(struct event_timer *t);

/* CLOCK_MONOTONIC in nanoseconds, the timers' clock. */
uint64_t event_loop_now_ns(void);

/* Runs until event_loop_quit(); returns the status given to it. */
int event_loop_run(struct event_loop *el);
/*
 * Waits up to @timeout_ms for events and runs their handlers once (with
 * the lock), then returns: for unit tests that drive a loop step by step.
 */
void event_loop_run_once(struct event_loop *el, int timeout_ms);
/* Makes event_loop_run() return @status after the current handler. */
void event_loop_quit(struct event_loop *el, int status);
/*
 * event_loop_request_quit - from any thread: makes event_loop_run()
 * return @status once the calls posted before it have run. Allocates
 * nothing, so it works when memory has run out; the first request wins.
 */
void event_loop_request_quit(struct event_loop *el, int status);

#endif
