// SPDX-License-Identifier: MIT
/*
 * epoll main loop with a cross-thread call queue woken through an eventfd.
 * Runs on the main thread; the owner's lock (the device-model lock) is held
 * while handlers run, so handlers may touch device state freely.
 */
#include "core/event_loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

#define EVENT_LOOP_MAX_FDS 256

struct fd_watch {
	int fd;
	event_fd_fn fn;
	void *opaque;
	bool used;
};

struct posted_call {
	event_call_fn fn;
	void *opaque;
	struct posted_call *next;
};

struct event_loop {
	int epfd;
	int wake_fd;
	pthread_mutex_t *lock;
	struct fd_watch watches[EVENT_LOOP_MAX_FDS];
	/* Posted calls; guarded by queue_lock, not by the owner's lock. */
	pthread_mutex_t queue_lock;
	struct posted_call *head, **tail;
	bool quit_requested;	/* event_loop_request_quit(), queue_lock */
	int requested_status;
	bool quit;
	int status;
};

struct event_loop *event_loop_create(pthread_mutex_t *lock)
{
	struct event_loop *el = calloc(1, sizeof(*el));
	struct epoll_event ev = { .events = EPOLLIN };

	if (!el)
		return NULL;
	el->lock = lock;
	el->tail = &el->head;
	pthread_mutex_init(&el->queue_lock, NULL);
	el->epfd = epoll_create1(EPOLL_CLOEXEC);
	el->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	/* data.ptr NULL marks the wake-up eventfd. */
	ev.data.ptr = NULL;
	if (el->epfd < 0 || el->wake_fd < 0 ||
	    epoll_ctl(el->epfd, EPOLL_CTL_ADD, el->wake_fd, &ev) < 0) {
		event_loop_destroy(el);
		return NULL;
	}
	return el;
}

void event_loop_destroy(struct event_loop *el)
{
	struct posted_call *c;

	if (!el)
		return;
	while ((c = el->head)) {
		el->head = c->next;
		free(c);
	}
	if (el->epfd >= 0)
		close(el->epfd);
	if (el->wake_fd >= 0)
		close(el->wake_fd);
	pthread_mutex_destroy(&el->queue_lock);
	free(el);
}

static struct fd_watch *find_watch(struct event_loop *el, int fd)
{
	for (unsigned i = 0; i < EVENT_LOOP_MAX_FDS; i++)
		if (el->watches[i].used && el->watches[i].fd == fd)
			return &el->watches[i];
	return NULL;
}

int event_loop_add_fd(struct event_loop *el, int fd, uint32_t events,
		      event_fd_fn fn, void *opaque)
{
	struct fd_watch *w = NULL;
	struct epoll_event ev = { .events = events };

	for (unsigned i = 0; !w && i < EVENT_LOOP_MAX_FDS; i++)
		if (!el->watches[i].used)
			w = &el->watches[i];
	if (!w)
		return -ENOSPC;
	ev.data.ptr = w;
	if (epoll_ctl(el->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	*w = (struct fd_watch){ .fd = fd, .fn = fn, .opaque = opaque,
				.used = true };
	return 0;
}

int event_loop_mod_fd(struct event_loop *el, int fd, uint32_t events)
{
	struct fd_watch *w = find_watch(el, fd);
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (!w)
		return -ENOENT;
	return epoll_ctl(el->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

void event_loop_del_fd(struct event_loop *el, int fd)
{
	struct fd_watch *w = find_watch(el, fd);

	if (!w)
		return;
	epoll_ctl(el->epfd, EPOLL_CTL_DEL, fd, NULL);
	w->used = false;
}

/* Wake the loop, whichever thread calls: the counter only has to move. */
static void event_loop_wake(struct event_loop *el)
{
	uint64_t one = 1;

	if (write(el->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("event loop wake-up failed");
}

int event_loop_post(struct event_loop *el, event_call_fn fn, void *opaque)
{
	struct posted_call *c = malloc(sizeof(*c));

	if (!c)
		return -ENOMEM;
	*c = (struct posted_call){ .fn = fn, .opaque = opaque };
	pthread_mutex_lock(&el->queue_lock);
	*el->tail = c;
	el->tail = &c->next;
	pthread_mutex_unlock(&el->queue_lock);
	event_loop_wake(el);
	return 0;
}

void event_loop_request_quit(struct event_loop *el, int status)
{
	pthread_mutex_lock(&el->queue_lock);
	if (!el->quit_requested) {	/* the first reason to stop wins */
		el->quit_requested = true;
		el->requested_status = status;
	}
	pthread_mutex_unlock(&el->queue_lock);
	event_loop_wake(el);
}

/* The calls posted so far run in order, then a requested quit applies. */
static void run_posted_calls(struct event_loop *el)
{
	struct posted_call *list, *c;
	bool quit_requested;
	int requested_status;
	uint64_t count;

	if (read(el->wake_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		log_warn("event loop wake-up read failed");
	pthread_mutex_lock(&el->queue_lock);
	list = el->head;
	el->head = NULL;
	el->tail = &el->head;
	quit_requested = el->quit_requested;
	requested_status = el->requested_status;
	pthread_mutex_unlock(&el->queue_lock);
	while ((c = list) && !el->quit) {
		list = c->next;
		c->fn(c->opaque);
		free(c);
	}
	while ((c = list)) {	/* quitting: drop the rest */
		list = c->next;
		free(c);
	}
	if (quit_requested)
		event_loop_quit(el, requested_status);
}

struct event_timer {
	struct event_loop *el;
	int fd;
	event_call_fn fn;
	void *opaque;
};

static void timer_fired(void *opaque, uint32_t events)
{
	struct event_timer *t = opaque;
	uint64_t expirations;

	(void)events;
	/* A timer re-armed before this read may have nothing to read. */
	if (read(t->fd, &expirations, sizeof(expirations)) !=
	    sizeof(expirations))
		return;
	t->fn(t->opaque);
}

struct event_timer *event_loop_add_timer(struct event_loop *el,
					 event_call_fn fn, void *opaque)
{
	struct event_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	*t = (struct event_timer){ .el = el, .fn = fn, .opaque = opaque };
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (t->fd < 0 || event_loop_add_fd(el, t->fd, EPOLLIN, timer_fired,
					   t)) {
		if (t->fd >= 0)
			close(t->fd);
		free(t);
		return NULL;
	}
	return t;
}

int event_loop_mod_timer(struct event_timer *t, uint64_t delay_ns)
{
	struct itimerspec its = {
		.it_value.tv_sec = (time_t)(delay_ns / 1000000000u),
		.it_value.tv_nsec = (long)(delay_ns % 1000000000u),
	};

	return timerfd_settime(t->fd, 0, &its, NULL) < 0 ? -errno : 0;
}

void event_loop_del_timer(struct event_timer *t)
{
	if (!t)
		return;
	event_loop_del_fd(t->el, t->fd);
	close(t->fd);
	free(t);
}

uint64_t event_loop_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void event_loop_quit(struct event_loop *el, int status)
{
	if (el->quit)
		return;	/* the first reason to stop wins */
	el->quit = true;
	el->status = status;
}

/* One epoll_wait and its handlers; called and returns with the lock. */
static void event_loop_dispatch(struct event_loop *el, int timeout_ms)
{
	struct epoll_event events[32];
	int n;

	pthread_mutex_unlock(el->lock);
	n = epoll_wait(el->epfd, events, ARRAY_SIZE(events), timeout_ms);
	pthread_mutex_lock(el->lock);
	if (n < 0 && errno != EINTR) {
		log_error("epoll_wait: %s", strerror(errno));
		event_loop_quit(el, 1);
	}
	for (int i = 0; i < n && !el->quit; i++) {
		struct fd_watch *w = events[i].data.ptr;

		if (!w)
			run_posted_calls(el);
		else if (w->used)
			w->fn(w->opaque, events[i].events);
	}
}

int event_loop_run(struct event_loop *el)
{
	pthread_mutex_lock(el->lock);
	while (!el->quit)
		event_loop_dispatch(el, -1);
	pthread_mutex_unlock(el->lock);
	return el->status;
}

void event_loop_run_once(struct event_loop *el, int timeout_ms)
{
	pthread_mutex_lock(el->lock);
	event_loop_dispatch(el, timeout_ms);
	pthread_mutex_unlock(el->lock);
}
