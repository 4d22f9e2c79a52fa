// SPDX-License-Identifier: MIT
/*
 * Unit tests for the QMP endpoints over real UNIX sockets and pipes on a
 * real event loop, driven step by step: socket file mode and stale files,
 * greeting and negotiation, event fan-out, a client that never reads,
 * many clients, limits, shutdown; plus the event rate-limit rule and the
 * loop's timers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <json-c/json.h>

#include "core/event_loop.h"
#include "monitor/qmp_server.h"
#include "monitor/qmp_stream.h"

#define GREETING "{\"QMP\": {\"capabilities\": []}}\r\n"
#define OK "{\"return\": {}}\r\n"
#define NEGOTIATE "{\"execute\":\"qmp_capabilities\"}\n"

static struct json_object *caps(void *opaque, void *client,
				struct json_object *args, struct error *err)
{
	(void)opaque, (void)args, (void)err;
	qmp_client_set_negotiated(client);
	return json_object_new_object();
}

static struct json_object *ping(void *opaque, void *client,
				struct json_object *args, struct error *err)
{
	(void)opaque, (void)client, (void)args, (void)err;
	return json_object_new_object();
}

/* A reply of about 2 KiB, like query-pci's with a dozen devices. */
static struct json_object *big(void *opaque, void *client,
			       struct json_object *args, struct error *err)
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

static int setup(void **state)
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

static int teardown(void **state)
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

static void pump(struct fixture *f, int ms)
{
	uint64_t end = event_loop_now_ns() + (uint64_t)ms * 1000000;

	while (event_loop_now_ns() < end)
		event_loop_run_once(f->el, 5);
}

static void start(struct fixture *f)
{
	struct error err = { 0 };

	f->srv = qmp_server_listen(&f->cfg, f->path, &err);
	assert_non_null(f->srv);
}

static int client(struct fixture *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	strcpy(sa.sun_path, f->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	pump(f, 20);
	return fd;
}

static void say(struct fixture *f, int fd, const char *text)
{
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	pump(f, 20);
}

/* Everything the client has received so far (static buffer). */
static const char *heard(int fd)
{
	static char buf[1 << 16];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void test_qmp_server_socket_file_is_private(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	umask(0);	/* even with no umask, the file is 0600 */
	start(f);
	umask(022);
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_qmp_server_stale_socket_is_replaced(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int old = socket(AF_UNIX, SOCK_STREAM, 0);
	int fd;

	strcpy(sa.sun_path, f->path);
	assert_int_equal(bind(old, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(old);	/* the file stays behind, nobody listens */
	start(f);
	fd = client(f);
	assert_string_equal(heard(fd), GREETING);
	close(fd);
}

static void test_qmp_server_regular_file_is_not_removed(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	struct stat st;
	int fd = open(f->path, O_CREAT | O_WRONLY, 0644);

	close(fd);
	assert_null(qmp_server_listen(&f->cfg, f->path, &err));
	assert_non_null(strstr(err.msg, "Failed to unlink socket"));
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
}

static void test_qmp_server_missing_dir_fails(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };

	assert_null(qmp_server_listen(&f->cfg, "/nonexistent/dir/q.sock",
				      &err));
	assert_string_equal(err.msg, "Failed to bind socket to "
			    "/nonexistent/dir/q.sock: No such file or "
			    "directory");
}

static void test_qmp_server_path_too_long_fails(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	char path[200];

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_null(qmp_server_listen(&f->cfg, path, &err));
	assert_non_null(strstr(err.msg, "is too long"));
}

static void test_qmp_server_greeting_then_negotiation(void **state)
{
	struct fixture *f = *state;
	int fd;

	start(f);
	fd = client(f);
	assert_string_equal(heard(fd), GREETING);
	say(f, fd, "{\"execute\":\"ping\"}");
	assert_string_equal(heard(fd), "{\"error\": {\"class\": "
			    "\"CommandNotFound\", \"desc\": \"Expecting "
			    "capabilities negotiation with "
			    "'qmp_capabilities'\"}}\r\n");
	say(f, fd, NEGOTIATE);
	assert_string_equal(heard(fd), OK);
	say(f, fd, "{\"execute\":\"ping\",\"id\":\"p1\"}");
	assert_string_equal(heard(fd), "{\"return\": {}, \"id\": \"p1\"}\r\n");
	close(fd);
}

static void test_qmp_server_request_split_over_writes(void **state)
{
	struct fixture *f = *state;
	int fd;

	start(f);
	fd = client(f);
	heard(fd);
	say(f, fd, "{\"execute\":");
	assert_string_equal(heard(fd), "");
	say(f, fd, "\"qmp_capabilities\"}{\"execute\":\"ping\"}");
	assert_string_equal(heard(fd), OK OK);
	close(fd);
}

/* How many times @unit repeats in @text, which holds nothing else. */
static unsigned count_of(const char *text, const char *unit)
{
	unsigned n = 0;

	while (!strncmp(text, unit, strlen(unit))) {
		text += strlen(unit);
		n++;
	}
	assert_string_equal(text, "");
	return n;
}

static void test_qmp_server_malformed_input_session_goes_on(void **state)
{
	struct fixture *f = *state;
	const char *err = "{\"error\": {\"class\": \"GenericError\", "
			  "\"desc\": \"JSON parse error, expecting "
			  "value\"}}\r\n";
	unsigned got = 0;
	int fd;

	start(f);
	fd = client(f);
	heard(fd);
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(write(fd, "{\"a\": ]\n", 8), 8);
		if (i % 50 == 49) {	/* read as we go: replies pile up */
			pump(f, 2);
			got += count_of(heard(fd), err);
		}
	}
	pump(f, 20);
	got += count_of(heard(fd), err);
	assert_int_equal(got, 1000);
	say(f, fd, NEGOTIATE);
	assert_string_equal(heard(fd), OK);
	close(fd);
}

static void test_qmp_server_oversized_request_session_goes_on(void **state)
{
	struct fixture *f = *state;
	size_t len = QMP_STREAM_MAX_MSG + 4096;
	char *big = malloc(len + 1);
	size_t off = 0;
	int fd;

	start(f);
	fd = client(f);
	heard(fd);
	memset(big, ' ', len);
	memcpy(big, "{\"id\": \"", 8);
	memcpy(big + len - 2, "\"}", 2);
	big[len] = '\0';
	while (off < len) {
		ssize_t n = write(fd, big + off, len - off);

		if (n > 0)
			off += (size_t)n;
		pump(f, 1);
	}
	free(big);
	say(f, fd, NEGOTIATE);
	assert_string_equal(heard(fd), "{\"error\": {\"class\": "
			    "\"GenericError\", \"desc\": \"JSON token size "
			    "limit exceeded\"}}\r\n" OK);
	close(fd);
}

static void test_qmp_server_events_only_to_negotiated(void **state)
{
	struct fixture *f = *state;
	struct json_object *ev = json_tokener_parse("{\"event\": \"STOP\"}");
	int a, b;

	start(f);
	a = client(f);
	b = client(f);
	heard(a);
	heard(b);
	say(f, a, NEGOTIATE);
	heard(a);
	qmp_server_broadcast(f->srv, ev);
	assert_string_equal(heard(a), "{\"event\": \"STOP\"}\r\n");
	assert_string_equal(heard(b), "");
	json_object_put(ev);
	close(a);
	close(b);
}

static void test_qmp_server_pretty_uses_crlf(void **state)
{
	struct fixture *f = *state;
	int fd;

	f->cfg.pretty = true;
	start(f);
	fd = client(f);
	heard(fd);
	say(f, fd, NEGOTIATE);
	assert_string_equal(heard(fd), "{\r\n    \"return\": {\r\n    }\r\n}"
			    "\r\n");
	close(fd);
}

static void test_qmp_server_non_reader_dropped_others_served(void **state)
{
	struct fixture *f = *state;
	struct json_object *ev;
	char data[1100];
	int idle, live, rcv = 4096;

	f->cfg.max_queue = 16384;
	start(f);
	idle = client(f);
	setsockopt(idle, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	live = client(f);
	say(f, idle, NEGOTIATE);
	say(f, live, NEGOTIATE);
	heard(live);
	snprintf(data, sizeof(data),
		 "{\"event\": \"X\", \"data\": \"%01000d\"}", 0);
	ev = json_tokener_parse(data);
	for (int i = 0; i < 5000 && qmp_server_nr_clients(f->srv) == 2; i++) {
		qmp_server_broadcast(f->srv, ev);
		heard(live);	/* this one keeps up */
		pump(f, 0);
	}
	json_object_put(ev);
	assert_int_equal(qmp_server_nr_clients(f->srv), 1);
	say(f, live, "{\"execute\":\"ping\"}");
	assert_non_null(strstr(heard(live), OK));
	close(idle);
	close(live);
}

#define BIG "{\"execute\":\"big\"}\n"
#define BIG_LEN (sizeof(BIG) - 1)

/* Reads replies until @want have come or the server goes quiet. */
static unsigned read_replies(struct fixture *f, int fd, unsigned want)
{
	static char buf[1 << 16];
	unsigned got = 0, quiet = 0;

	while (got < want && quiet < 50) {
		ssize_t n;

		pump(f, 1);
		n = read(fd, buf, sizeof(buf));
		quiet = n > 0 ? 0 : quiet + 1;
		for (ssize_t i = 0; i < n; i++)
			got += buf[i] == '\n';
	}
	return got;
}

/* One write of 16 KiB of requests whose replies make 2 MiB. */
static unsigned pipeline_big(struct fixture *f, int fd)
{
	static char reqs[16384];
	unsigned n = sizeof(reqs) / BIG_LEN;

	for (unsigned i = 0; i < n; i++)
		memcpy(reqs + i * BIG_LEN, BIG, BIG_LEN);
	assert_int_equal(write(fd, reqs, n * BIG_LEN), (ssize_t)(n * BIG_LEN));
	pump(f, 20);
	return n;
}

static void test_qmp_server_pipelined_big_replies_reader_kept(void **state)
{
	struct fixture *f = *state;
	unsigned n;
	int fd;

	start(f);
	fd = client(f);
	say(f, fd, NEGOTIATE);
	heard(fd);
	n = pipeline_big(f, fd);
	assert_true(n * 2048 > QMP_SERVER_MAX_QUEUE);
	assert_int_equal(read_replies(f, fd, n), n);
	assert_int_equal(qmp_server_nr_clients(f->srv), 1);
	say(f, fd, "{\"execute\":\"ping\"}");
	assert_string_equal(heard(fd), OK);
	close(fd);
}

static void test_qmp_server_pipelined_then_eof_all_answered(void **state)
{
	struct fixture *f = *state;
	unsigned n;
	int fd;

	start(f);
	fd = client(f);
	say(f, fd, NEGOTIATE);
	heard(fd);
	n = pipeline_big(f, fd);
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	assert_int_equal(read_replies(f, fd, n), n);
	pump(f, 20);
	assert_int_equal(read(fd, (char[1]){ 0 }, 1), 0);	/* closed */
	assert_int_equal(qmp_server_nr_clients(f->srv), 0);
	close(fd);
}

static void test_qmp_server_utf8_split_across_reads_accepted(void **state)
{
	struct fixture *f = *state;
	int fd;

	start(f);
	fd = client(f);
	say(f, fd, NEGOTIATE);
	heard(fd);
	say(f, fd, "{\"execute\":\"ping\",\"id\":\"\xc3");
	say(f, fd, "\xa9\xf0\x9f");
	say(f, fd, "\x98\x80\"}");
	assert_string_equal(heard(fd),
			    "{\"return\": {}, \"id\": \"\\u00E9\\uD83D\\uDE00\"}\r\n");
	close(fd);
}

static void test_qmp_server_utf8_across_a_slice_accepted(void **state)
{
	struct fixture *f = *state;
	char req[600];
	int fd, pad;

	start(f);
	fd = client(f);
	say(f, fd, NEGOTIATE);
	heard(fd);
	/* "\xe2\x82\xac" (the euro sign) from byte 255 to 257 of one write */
	pad = 255 - (int)strlen("{\"execute\":\"ping\",\"id\":\"");
	snprintf(req, sizeof(req), "{\"execute\":\"ping\",\"id\":\"%0*d"
		 "\xe2\x82\xac\"}", pad, 0);
	assert_int_equal(req[255], '\xe2');
	say(f, fd, req);
	assert_non_null(strstr(heard(fd), "\\u20AC\"}\r\n"));
	close(fd);
}

static void test_qmp_server_clients_come_and_go(void **state)
{
	struct fixture *f = *state;

	start(f);
	for (int round = 0; round < 3; round++) {
		int fds[32];

		for (int i = 0; i < 32; i++)
			fds[i] = client(f);
		assert_int_equal(qmp_server_nr_clients(f->srv), 32);
		for (int i = 0; i < 32; i++) {
			assert_string_equal(heard(fds[i]), GREETING);
			close(fds[i]);
		}
		pump(f, 20);
		assert_int_equal(qmp_server_nr_clients(f->srv), 0);
	}
}

static void test_qmp_server_burst_of_64_connects_all_get_in(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fds[64];

	start(f);
	strcpy(sa.sun_path, f->path);
	for (int i = 0; i < 64; i++) {	/* no accept in between */
		fds[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		assert_true(fds[i] >= 0);
		assert_int_equal(connect(fds[i], (struct sockaddr *)&sa,
					 sizeof(sa)), 0);
	}
	pump(f, 20);
	assert_int_equal(qmp_server_nr_clients(f->srv), 64);
	for (int i = 0; i < 64; i++) {
		assert_string_equal(heard(fds[i]), GREETING);
		close(fds[i]);
	}
}

static void test_qmp_server_full_server_makes_clients_wait(void **s)
{
	struct fixture *f = *s;
	int a, b, c;

	f->cfg.max_clients = 2;
	start(f);
	a = client(f);
	b = client(f);
	c = client(f);	/* in the backlog: connected, not served */
	assert_string_equal(heard(c), "");
	close(a);
	pump(f, 20);
	pump(f, 20);
	assert_string_equal(heard(c), GREETING);
	close(b);
	close(c);
}

static void test_qmp_server_stopped_runs_no_request(void **state)
{
	struct fixture *f = *state;
	int fd;

	start(f);
	fd = client(f);
	heard(fd);
	f->stopped = true;
	say(f, fd, NEGOTIATE);
	assert_string_equal(heard(fd), "");
	close(fd);
}

static void test_qmp_server_destroy_removes_socket(void **state)
{
	struct fixture *f = *state;
	int fd;

	start(f);
	fd = client(f);
	qmp_server_destroy(f->srv, 100);
	f->srv = NULL;
	assert_int_equal(access(f->path, F_OK), -1);
	assert_string_equal(heard(fd), GREETING);
	close(fd);
}

static void test_qmp_server_destroy_keeps_foreign_file(void **state)
{
	struct fixture *f = *state;
	int fd;

	start(f);
	unlink(f->path);
	fd = open(f->path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	qmp_server_destroy(f->srv, 0);
	f->srv = NULL;
	assert_int_equal(access(f->path, F_OK), 0);
}

static void test_qmp_server_accept_blocking_serves_first(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	start(f);
	strcpy(sa.sun_path, f->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(qmp_server_accept_blocking(f->srv), 0);
	assert_int_equal(qmp_server_nr_clients(f->srv), 1);
	assert_string_equal(heard(fd), GREETING);
	close(fd);
}

static void test_qmp_server_fds_pair_like_stdio(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	int in[2], out[2];

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	f->srv = qmp_server_open_fds(&f->cfg, in[0], out[1], &err);
	assert_non_null(f->srv);
	assert_string_equal(heard(out[0]), GREETING);
	say(f, in[1], NEGOTIATE);
	assert_string_equal(heard(out[0]), OK);
	qmp_server_destroy(f->srv, 0);
	f->srv = NULL;
	assert_int_equal(fcntl(in[0], F_GETFL) & O_NONBLOCK, 0);
	assert_int_equal(fcntl(out[1], F_GETFL) & O_NONBLOCK, 0);
	for (int i = 0; i < 2; i++) {
		close(in[i]);
		close(out[i]);
	}
}

/* ---- rate limiting and timers ---- */

static void test_qmp_throttle_first_goes_out_and_arms(void **state)
{
	struct qmp_throttle t = { .period_ns = 1000 };
	struct json_object *a = json_object_new_int(1);
	uint64_t arm = 0;

	(void)state;
	assert_ptr_equal(qmp_throttle_offer(&t, a, &arm), a);
	assert_int_equal(arm, 1000);
	json_object_put(a);
}

static void test_qmp_throttle_last_held_wins(void **state)
{
	struct qmp_throttle t = { .period_ns = 1000 };
	struct json_object *b = json_object_new_int(2);
	struct json_object *c = json_object_new_int(3);
	uint64_t arm = 7;

	(void)state;
	json_object_put(qmp_throttle_offer(&t, json_object_new_int(1), &arm));
	assert_null(qmp_throttle_offer(&t, b, &arm));
	assert_int_equal(arm, 0);
	assert_null(qmp_throttle_offer(&t, c, &arm));
	assert_ptr_equal(qmp_throttle_expire(&t, &arm), c);
	assert_int_equal(arm, 1000);
	json_object_put(c);
}

static void test_qmp_throttle_idle_after_quiet_period(void **state)
{
	struct qmp_throttle t = { .period_ns = 1000 };
	struct json_object *d = json_object_new_int(4);
	uint64_t arm = 7;

	(void)state;
	json_object_put(qmp_throttle_offer(&t, json_object_new_int(1), &arm));
	assert_null(qmp_throttle_expire(&t, &arm));
	assert_int_equal(arm, 0);
	assert_ptr_equal(qmp_throttle_offer(&t, d, &arm), d);
	assert_int_equal(arm, 1000);
	json_object_put(d);
}

static void test_qmp_throttle_clear_drops_held(void **state)
{
	struct qmp_throttle t = { .period_ns = 1000 };
	uint64_t arm;

	(void)state;
	json_object_put(qmp_throttle_offer(&t, json_object_new_int(1), &arm));
	assert_null(qmp_throttle_offer(&t, json_object_new_int(2), &arm));
	qmp_throttle_clear(&t);
	assert_null(t.pending);
	assert_false(t.in_period);
}

static void count_fire(void *opaque)
{
	(*(int *)opaque)++;
}

static void test_event_loop_timer_fires_once(void **state)
{
	struct fixture *f = *state;
	int fired = 0;
	struct event_timer *t = event_loop_add_timer(f->el, count_fire,
						     &fired);

	assert_non_null(t);
	assert_int_equal(event_loop_mod_timer(t, 20 * 1000000ull), 0);
	pump(f, 5);
	assert_int_equal(fired, 0);
	pump(f, 60);
	assert_int_equal(fired, 1);
	pump(f, 40);
	assert_int_equal(fired, 1);
	event_loop_del_timer(t);
}

static void test_event_loop_timer_disarmed_does_not_fire(void **state)
{
	struct fixture *f = *state;
	int fired = 0;
	struct event_timer *t = event_loop_add_timer(f->el, count_fire,
						     &fired);

	assert_int_equal(event_loop_mod_timer(t, 10 * 1000000ull), 0);
	assert_int_equal(event_loop_mod_timer(t, 0), 0);
	pump(f, 40);
	assert_int_equal(fired, 0);
	event_loop_del_timer(t);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_qmp_server_socket_file_is_private),
		T(test_qmp_server_stale_socket_is_replaced),
		T(test_qmp_server_regular_file_is_not_removed),
		T(test_qmp_server_missing_dir_fails),
		T(test_qmp_server_path_too_long_fails),
		T(test_qmp_server_greeting_then_negotiation),
		T(test_qmp_server_request_split_over_writes),
		T(test_qmp_server_malformed_input_session_goes_on),
		T(test_qmp_server_oversized_request_session_goes_on),
		T(test_qmp_server_events_only_to_negotiated),
		T(test_qmp_server_pretty_uses_crlf),
		T(test_qmp_server_non_reader_dropped_others_served),
		T(test_qmp_server_pipelined_big_replies_reader_kept),
		T(test_qmp_server_pipelined_then_eof_all_answered),
		T(test_qmp_server_utf8_split_across_reads_accepted),
		T(test_qmp_server_utf8_across_a_slice_accepted),
		T(test_qmp_server_clients_come_and_go),
		T(test_qmp_server_burst_of_64_connects_all_get_in),
		T(test_qmp_server_full_server_makes_clients_wait),
		T(test_qmp_server_stopped_runs_no_request),
		T(test_qmp_server_destroy_removes_socket),
		T(test_qmp_server_destroy_keeps_foreign_file),
		T(test_qmp_server_accept_blocking_serves_first),
		T(test_qmp_server_fds_pair_like_stdio),
		cmocka_unit_test(test_qmp_throttle_first_goes_out_and_arms),
		cmocka_unit_test(test_qmp_throttle_last_held_wins),
		cmocka_unit_test(test_qmp_throttle_idle_after_quiet_period),
		cmocka_unit_test(test_qmp_throttle_clear_drops_held),
		T(test_event_loop_timer_fires_once),
		T(test_event_loop_timer_disarmed_does_not_fire),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
