// SPDX-License-Identifier: MIT
/*
 * The fixture of the qmp_server unit tests: a real event loop, a
 * dispatcher with qmp_capabilities, ping and a 2 KiB "big" command, and a
 * socket path in a fresh temporary directory; plus helpers that connect a
 * client, write to it and read what it heard, pumping the loop in between.
 * Shared by test_qmp_server, _session and _clients; include it after
 * <cmocka.h>. Single-threaded: the tests run the loop themselves.
 */
#ifndef FLEXVM_TESTS_QMP_SERVER_TEST_UTIL_H
#define FLEXVM_TESTS_QMP_SERVER_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <json-c/json.h>

#include "core/event_loop.h"
#include "monitor/qmp_server.h"
#include "monitor/qmp_stream.h"

#define GREETING "{\"QMP\": {\"capabilities\": []}}\r\n"
#define OK "{\"return\": {}}\r\n"
#define NEGOTIATE "{\"execute\":\"qmp_capabilities\"}\n"

static inline struct json_object *caps(void *opaque, void *client,
				       struct json_object *args,
				       struct error *err)
{
	(void)opaque, (void)args, (void)err;
	qmp_client_set_negotiated(client);
	return json_object_new_object();
}

static inline struct json_object *ping(void *opaque, void *client,
				       struct json_object *args,
				       struct error *err)
{
	(void)opaque, (void)client, (void)args, (void)err;
	return json_object_new_object();
}

/* A reply of about 2 KiB, like query-pci's with a dozen devices. */
static inline struct json_object *big(void *opaque, void *client,
				      struct json_object *args,
				      struct error *err)
{
	char text[2048];

	(void)opaque, (void)client, (void)args, (void)err;
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	return json_object_new_string(text);
}

static const struct qmp_command cmds[] = {
	{ "qmp_capabilities", caps, NULL, true },
	{ "ping", ping, NULL, false },
	{ "big", big, NULL, false },
	{ NULL },
};

struct fixture {
	pthread_mutex_t lock;
	struct event_loop *el;
	struct qmp_dispatcher d;
	struct json_object *greeting;
	bool stopped;
	struct qmp_server_config cfg;
	char dir[64];
	char path[128];
	struct qmp_server *srv;
};

static inline int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	pthread_mutex_init(&f->lock, NULL);
	f->el = event_loop_create(&f->lock);
	assert_non_null(f->el);
	qmp_dispatch_init(&f->d, NULL);
	assert_int_equal(qmp_dispatch_add_table(&f->d, cmds), 0);
	f->greeting = json_tokener_parse("{\"QMP\": {\"capabilities\": []}}");
	f->cfg = (struct qmp_server_config){ .loop = f->el,
		.dispatcher = &f->d, .greeting = f->greeting,
		.stopped = &f->stopped };
	strcpy(f->dir, "/tmp/flexvm-qmp-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/qmp.sock", f->dir);
	*state = f;
	return 0;
}

static inline int teardown(void **state)
{
	struct fixture *f = *state;

	qmp_server_destroy(f->srv, 0);
	unlink(f->path);
	rmdir(f->dir);
	json_object_put(f->greeting);
	event_loop_destroy(f->el);
	pthread_mutex_destroy(&f->lock);
	free(f);
	return 0;
}

static inline void pump(struct fixture *f, int ms)
{
	uint64_t end = event_loop_now_ns() + (uint64_t)ms * 1000000;

	while (event_loop_now_ns() < end)
		event_loop_run_once(f->el, 5);
}

static inline void start(struct fixture *f)
{
	struct error err = { 0 };

	f->srv = qmp_server_listen(&f->cfg, f->path, &err);
	assert_non_null(f->srv);
}

static inline int client(struct fixture *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	strcpy(sa.sun_path, f->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	pump(f, 20);
	return fd;
}

static inline void say(struct fixture *f, int fd, const char *text)
{
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	pump(f, 20);
}

/* Everything the client has received so far (static buffer). */
static inline const char *heard(int fd)
{
	static char buf[1 << 16];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Starts the server and connects a client that has read its greeting. */
static inline int greeted_client(struct fixture *f)
{
	int fd;

	start(f);
	fd = client(f);
	heard(fd);
	return fd;
}

/* Starts the server and connects a client past qmp_capabilities. */
static inline int negotiated_client(struct fixture *f)
{
	int fd;

	start(f);
	fd = client(f);
	say(f, fd, NEGOTIATE);
	heard(fd);
	return fd;
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

#endif /* FLEXVM_TESTS_QMP_SERVER_TEST_UTIL_H */
