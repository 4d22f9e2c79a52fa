// SPDX-License-Identifier: MIT
/*
 * Unit tests for the QMP server with many or demanding clients over real
 * UNIX sockets: a client that never reads is dropped while others are
 * served, pipelined big replies, clients that come and go, a burst of
 * connects, and a full server that keeps newcomers waiting.
 * Single-threaded: the tests pump the event loop themselves.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "qmp_server_test_util.h"

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

	fd = negotiated_client(f);
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

	fd = negotiated_client(f);
	n = pipeline_big(f, fd);
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	assert_int_equal(read_replies(f, fd, n), n);
	pump(f, 20);
	assert_int_equal(read(fd, (char[1]){ 0 }, 1), 0);	/* closed */
	assert_int_equal(qmp_server_nr_clients(f->srv), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_qmp_server_non_reader_dropped_others_served),
		T(test_qmp_server_pipelined_big_replies_reader_kept),
		T(test_qmp_server_pipelined_then_eof_all_answered),
		T(test_qmp_server_clients_come_and_go),
		T(test_qmp_server_burst_of_64_connects_all_get_in),
		T(test_qmp_server_full_server_makes_clients_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
