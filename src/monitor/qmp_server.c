// SPDX-License-Identifier: MIT
/*
 * QMP endpoints on the main loop: UNIX listeners, stdio, per-client input
 * streams (parsed only while the client's output is not paused) and
 * bounded output queues, the greeting, negotiation state and event
 * fan-out. Every handler runs on the main thread with dm_lock held.
 * A client that fails is marked dead and its fd closed at once; its
 * memory is freed at the end of the server's next handler (never while a
 * caller may still hold it).
 */
#include "monitor/qmp_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <json-c/json.h>

#include "monitor/qmp_socket.h"
#include "monitor/qmp_stream.h"
#include "util/log.h"

#define QMP_SERVER_READ_SIZE	16384
/*
 * Requests are parsed this many bytes at a time, and parsing stops while
 * the client's output is paused: a 16 KiB read of small requests with big
 * replies (query-pci) would otherwise queue megabytes at once and get a
 * client that reads its replies dropped as if it never did.
 */
#define QMP_SERVER_FEED_SLICE	256

struct qmp_client {
	struct qmp_server *srv;
	struct qmp_client *next;
	int in_fd, out_fd;
	bool is_socket;		/* in_fd == out_fd, owned, send() */
	bool out_sync;		/* out_fd cannot be polled: write at once */
	bool in_watched;	/* stdio: in_fd is in the event loop */
	bool out_watched;	/* stdio: out_fd is in the event loop */
	bool negotiated;
	bool eof;		/* no more input; close once drained */
	bool dead;
	struct qmp_stream stream;
	char in[QMP_SERVER_READ_SIZE];	/* read, not parsed yet: */
	size_t in_len, in_off;		/* in[in_off..in_len) */
	bool in_held;			/* parsing waits for the output */
	char *out;		/* pending output: out[out_off..out_len) */
	size_t out_len, out_off, out_cap;
};

struct qmp_server {
	struct qmp_server_config cfg;
	int listen_fd;
	bool listen_paused;
	struct qmp_socket_file file;	/* removed at exit if still ours */
	int stdio_fd[2];	/* stdio: the fds whose flags we changed */
	int saved_fl[2];	/* ... and their flags before */
	struct qmp_client *clients;
	unsigned nr_clients;
};

static size_t pending(const struct qmp_client *c)
{
	return c->out_len - c->out_off;
}

static bool output_paused(const struct qmp_client *c)
{
	return pending(c) >= QMP_SERVER_PAUSE_READ;
}

static bool wants_input(const struct qmp_client *c)
{
	return !c->eof && !c->dead && !c->in_held && !output_paused(c);
}

static void client_update_watch(struct qmp_client *c)
{
	struct event_loop *el = c->srv->cfg.loop;
	uint32_t in = wants_input(c) ? EPOLLIN : 0;
	uint32_t out = pending(c) && !c->out_sync ? EPOLLOUT : 0;

	if (c->dead)
		return;
	if (c->is_socket) {
		event_loop_mod_fd(el, c->in_fd, in | out);
		return;
	}
	if (c->in_watched)
		event_loop_mod_fd(el, c->in_fd, in);
	if (c->out_watched)
		event_loop_mod_fd(el, c->out_fd, out);
}

static void client_kill(struct qmp_client *c)
{
	struct event_loop *el = c->srv->cfg.loop;

	if (c->dead)
		return;
	c->dead = true;
	if (c->is_socket) {
		event_loop_del_fd(el, c->in_fd);
		close(c->in_fd);
		return;
	}
	if (c->in_watched)
		event_loop_del_fd(el, c->in_fd);
	if (c->out_watched)
		event_loop_del_fd(el, c->out_fd);
	c->in_watched = c->out_watched = false;
}

static void client_free(struct qmp_client *c)
{
	qmp_stream_destroy(&c->stream);
	free(c->out);
	free(c);
}

/* Writes what the fd takes now; kills the client on a hard error. */
static void client_flush(struct qmp_client *c)
{
	while (pending(c) && !c->dead) {
		const char *p = c->out + c->out_off;
		ssize_t n = c->is_socket
			? send(c->out_fd, p, pending(c), MSG_NOSIGNAL)
			: write(c->out_fd, p, pending(c));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
		    !c->out_sync)
			break;
		if (n <= 0) {
			client_kill(c);
			return;
		}
		c->out_off += (size_t)n;
	}
	if (!pending(c)) {
		c->out_off = c->out_len = 0;
		if (c->eof && c->is_socket && !c->in_len) {
			client_kill(c);
			return;
		}
	}
	client_update_watch(c);
}

static int client_reserve(struct qmp_client *c, size_t more)
{
	size_t need;
	char *p;

	if (c->out_off) {	/* reuse the flushed head first */
		memmove(c->out, c->out + c->out_off, pending(c));
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	need = c->out_len + more;
	if (need <= c->out_cap)
		return 0;
	p = realloc(c->out, MAX(need, 2 * c->out_cap));
	if (!p)
		return -ENOMEM;
	c->out = p;
	c->out_cap = MAX(need, 2 * c->out_cap);
	return 0;
}

/* Queues @text as QEMU's monitor writes it: every "\n" becomes "\r\n". */
static void client_queue(struct qmp_client *c, const char *text)
{
	size_t len = strlen(text), lines = 1;
	size_t max = c->srv->cfg.max_queue;

	for (const char *p = text; (p = strchr(p, '\n')); p++)
		lines++;
	if (pending(c) + len + 2 * lines > max) {
		log_warn("QMP client dropped: more than %zu bytes of output "
			 "unread", max);
		client_kill(c);
		return;
	}
	if (client_reserve(c, len + 2 * lines)) {
		client_kill(c);
		return;
	}
	for (const char *p = text; *p; p++) {
		if (*p == '\n')
			c->out[c->out_len++] = '\r';
		c->out[c->out_len++] = *p;
	}
	c->out[c->out_len++] = '\r';
	c->out[c->out_len++] = '\n';
}

static void client_send(struct qmp_client *c, struct json_object *msg)
{
	char *text;

	if (c->dead || !msg)
		return;
	text = qmp_stream_format(msg, c->srv->cfg.pretty);
	if (!text) {
		client_kill(c);
		return;
	}
	client_queue(c, text);
	free(text);
	if (!c->dead)
		client_flush(c);
}

static bool client_on_message(void *opaque, struct json_object *msg,
			      const struct error *err)
{
	struct qmp_client *c = opaque;
	const struct qmp_server_config *cfg = &c->srv->cfg;
	struct json_object *reply;

	if (c->dead || *cfg->stopped) {
		json_object_put(msg);
		return false;
	}
	if (msg || !err)	/* (NULL, NULL) is a JSON null */
		reply = qmp_dispatch(cfg->dispatcher, msg, c->negotiated, c);
	else
		reply = qmp_error_reply(err, false, NULL);
	json_object_put(msg);
	client_send(c, reply);
	json_object_put(reply);
	return !c->dead && !*cfg->stopped;
}

/*
 * Parses what was read, slice by slice, until the output is paused. The
 * stream takes a UTF-8 character split across calls (it decodes strings
 * only once their message is complete).
 */
static void client_feed(struct qmp_client *c)
{
	size_t end = c->in_len;

	while (c->in_off < end && !c->dead && !output_paused(c)) {
		size_t n = MIN(end - c->in_off, QMP_SERVER_FEED_SLICE);

		if (!qmp_stream_feed(&c->stream, c->in + c->in_off, n)) {
			c->in_off = c->in_len;	/* dead, or the VM stopped */
			break;
		}
		c->in_off += n;
	}
	c->in_held = c->in_off < end;
	if (!c->in_held) {
		c->in_len -= c->in_off;
		memmove(c->in, c->in + c->in_off, c->in_len);
		c->in_off = 0;
	}
	if (c->dead)
		return;
	if (c->eof && c->is_socket && !c->in_len && !pending(c))
		client_kill(c);
	else
		client_update_watch(c);
}

static void client_read(struct qmp_client *c)
{
	ssize_t n = read(c->in_fd, c->in + c->in_len,
			 sizeof(c->in) - c->in_len);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0)
		c->eof = true;
	else
		c->in_len += (size_t)n;
	client_feed(c);
}

static void server_reap(struct qmp_server *s)
{
	struct qmp_client **pp = &s->clients;

	while (*pp) {
		struct qmp_client *c = *pp;

		if (!c->dead) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		s->nr_clients--;
		client_free(c);
	}
	if (s->listen_paused && s->nr_clients < s->cfg.max_clients &&
	    !event_loop_mod_fd(s->cfg.loop, s->listen_fd, EPOLLIN))
		s->listen_paused = false;
}

static void on_client_io(void *opaque, uint32_t events)
{
	struct qmp_client *c = opaque;
	struct qmp_server *s = c->srv;

	if (events & EPOLLOUT) {
		client_flush(c);
		client_feed(c);	/* what waited for the output to drain */
	}
	if (!c->dead && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) &&
	    wants_input(c))
		client_read(c);
	if (!c->dead && (events & EPOLLERR))
		client_kill(c);
	server_reap(s);
}

/* stdio: stdout has its own watch. */
static void on_client_out(void *opaque, uint32_t events)
{
	struct qmp_client *c = opaque;

	(void)events;
	client_flush(c);
	client_feed(c);
	server_reap(c->srv);
}

static struct qmp_client *client_new(struct qmp_server *s, int in_fd,
				     int out_fd)
{
	struct qmp_client *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	*c = (struct qmp_client){ .srv = s, .in_fd = in_fd, .out_fd = out_fd,
				  .is_socket = in_fd == out_fd };
	if (qmp_stream_init(&c->stream, QMP_STREAM_MAX_MSG,
			    QMP_STREAM_MAX_DEPTH, client_on_message, c)) {
		free(c);
		return NULL;
	}
	c->next = s->clients;
	s->clients = c;
	s->nr_clients++;
	return c;
}

static int server_add_socket_client(struct qmp_server *s, int fd)
{
	struct qmp_client *c = client_new(s, fd, fd);

	if (!c || event_loop_add_fd(s->cfg.loop, fd, EPOLLIN, on_client_io,
				    c)) {
		if (c)
			c->dead = true;	/* reaped; fd closed below */
		close(fd);
		return -ENOMEM;
	}
	client_send(c, s->cfg.greeting);
	return 0;
}

static void on_listen(void *opaque, uint32_t events)
{
	struct qmp_server *s = opaque;

	(void)events;
	while (s->nr_clients < s->cfg.max_clients) {
		int fd = accept4(s->listen_fd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("QMP accept: %s", strerror(errno));
			break;
		}
		server_add_socket_client(s, fd);
	}
	/* Full: further clients wait in the backlog, as QEMU's do. */
	if (s->nr_clients >= s->cfg.max_clients &&
	    !event_loop_mod_fd(s->cfg.loop, s->listen_fd, 0))
		s->listen_paused = true;
	server_reap(s);
}

static struct qmp_server *server_new(const struct qmp_server_config *cfg)
{
	struct qmp_server *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cfg = *cfg;
	if (!s->cfg.max_queue)
		s->cfg.max_queue = QMP_SERVER_MAX_QUEUE;
	if (!s->cfg.max_clients)
		s->cfg.max_clients = QMP_SERVER_MAX_CLIENTS;
	s->listen_fd = -1;
	s->saved_fl[0] = s->saved_fl[1] = -1;
	s->stdio_fd[0] = s->stdio_fd[1] = -1;
	return s;
}

struct qmp_server *qmp_server_listen(const struct qmp_server_config *cfg,
				     const char *path, struct error *err)
{
	struct qmp_server *s = server_new(cfg);

	if (!s) {
		error_setg(err, "out of memory");
		return NULL;
	}
	s->listen_fd = qmp_socket_listen(&s->file, path, err);
	if (s->listen_fd < 0)
		goto fail;
	if (event_loop_add_fd(cfg->loop, s->listen_fd, EPOLLIN, on_listen,
			      s)) {
		error_setg(err, "cannot watch the QMP socket");
		goto fail;
	}
	return s;
fail:
	qmp_server_destroy(s, 0);
	return NULL;
}

int qmp_server_accept_blocking(struct qmp_server *s)
{
	struct pollfd pfd = { .fd = s->listen_fd, .events = POLLIN };
	int fd;

	do {
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return -errno;
		fd = accept4(s->listen_fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
	} while (fd < 0 && (errno == EAGAIN || errno == EINTR));
	if (fd < 0)
		return -errno;
	return server_add_socket_client(s, fd);
}

static int set_nonblock(int fd, int *saved)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	*saved = fl;
	return 0;
}

static int stdio_watch(struct qmp_client *c)
{
	struct event_loop *el = c->srv->cfg.loop;
	int ret = event_loop_add_fd(el, c->in_fd, EPOLLIN, on_client_io, c);

	/* Regular files cannot be polled: no input, or plain writes. */
	if (ret && ret != -EPERM)
		return ret;
	c->in_watched = !ret;
	if (!c->in_watched)
		c->eof = true;
	ret = event_loop_add_fd(el, c->out_fd, 0, on_client_out, c);
	if (ret && ret != -EPERM)
		return ret;
	c->out_watched = !ret;
	c->out_sync = !c->out_watched;
	return 0;
}

struct qmp_server *qmp_server_open_fds(const struct qmp_server_config *cfg,
				       int in_fd, int out_fd,
				       struct error *err)
{
	struct qmp_server *s = server_new(cfg);
	struct qmp_client *c = s ? client_new(s, in_fd, out_fd) : NULL;

	if (!c) {
		error_setg(err, "out of memory");
		qmp_server_destroy(s, 0);
		return NULL;
	}
	c->is_socket = false;
	s->stdio_fd[0] = in_fd;
	s->stdio_fd[1] = out_fd;
	if (set_nonblock(in_fd, &s->saved_fl[0]) ||
	    set_nonblock(out_fd, &s->saved_fl[1]) || stdio_watch(c)) {
		error_setg(err, "cannot use stdio for QMP");
		qmp_server_destroy(s, 0);
		return NULL;
	}
	client_send(c, cfg->greeting);
	return s;
}

/* Blocks up to @deadline_ns for @c's queue to drain. */
static void client_drain(struct qmp_client *c, uint64_t deadline_ns)
{
	while (!c->dead && pending(c)) {
		uint64_t now = event_loop_now_ns();
		struct pollfd pfd = { .fd = c->out_fd, .events = POLLOUT };

		if (now >= deadline_ns)
			break;
		int ms = (int)((deadline_ns - now) / 1000000 + 1);

		if (!c->out_sync && poll(&pfd, 1, ms) <= 0)
			break;
		client_flush(c);
	}
}

void qmp_server_destroy(struct qmp_server *s, unsigned flush_ms)
{
	uint64_t deadline = event_loop_now_ns() + flush_ms * 1000000ull;

	if (!s)
		return;
	for (struct qmp_client *c = s->clients; c; c = c->next) {
		client_drain(c, deadline);
		client_kill(c);
	}
	server_reap(s);
	if (s->listen_fd >= 0) {
		event_loop_del_fd(s->cfg.loop, s->listen_fd);
		close(s->listen_fd);
	}
	qmp_socket_remove(&s->file);
	for (int i = 0; i < 2; i++)
		if (s->saved_fl[i] >= 0)
			fcntl(s->stdio_fd[i], F_SETFL, s->saved_fl[i]);
	free(s);
}

void qmp_server_broadcast(struct qmp_server *s, struct json_object *msg)
{
	for (struct qmp_client *c = s->clients; c; c = c->next)
		if (c->negotiated)
			client_send(c, msg);
}

unsigned qmp_server_nr_clients(const struct qmp_server *s)
{
	unsigned n = 0;

	for (const struct qmp_client *c = s->clients; c; c = c->next)
		n += !c->dead;
	return n;
}

bool qmp_client_negotiated(const void *client)
{
	return ((const struct qmp_client *)client)->negotiated;
}

void qmp_client_set_negotiated(void *client)
{
	((struct qmp_client *)client)->negotiated = true;
}

struct json_object *qmp_throttle_offer(struct qmp_throttle *t,
				       struct json_object *data,
				       uint64_t *arm_ns)
{
	if (t->in_period) {
		json_object_put(t->pending);	/* the newest one wins */
		t->pending = data;
		*arm_ns = 0;
		return NULL;
	}
	t->in_period = true;
	*arm_ns = t->period_ns;
	return data;
}

struct json_object *qmp_throttle_expire(struct qmp_throttle *t,
					uint64_t *arm_ns)
{
	struct json_object *data = t->pending;

	t->pending = NULL;
	t->in_period = data != NULL;
	*arm_ns = data ? t->period_ns : 0;
	return data;
}

void qmp_throttle_clear(struct qmp_throttle *t)
{
	json_object_put(t->pending);
	t->pending = NULL;
	t->in_period = false;
}
