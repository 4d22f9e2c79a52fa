// SPDX-License-Identifier: MIT
/*
 * Unit tests for the QMP endpoints over real UNIX sockets and pipes on a
 * real event loop, driven step by step: socket file mode and stale files,
 * shutdown, blocking accept, a pipe pair; plus the event rate-limit rule
 * and the loop's timers. One session is in test_qmp_server_session.c,
 * many clients in test_qmp_server_clients.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "qmp_server_test_util.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_qmp_server_socket_file_is_private),
		T(test_qmp_server_stale_socket_is_replaced),
		T(test_qmp_server_regular_file_is_not_removed),
		T(test_qmp_server_missing_dir_fails),
		T(test_qmp_server_path_too_long_fails),
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
