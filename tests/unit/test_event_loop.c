// SPDX-License-Identifier: MIT
/*
 * Unit tests for the main loop's cross-thread entry points: posted calls
 * run in order on the loop's thread with its lock held, and a quit
 * requested from another thread (a vCPU ending the VM, even out of
 * memory) applies after the calls posted before it, first request first.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/event_loop.h"

struct fixture {
	pthread_mutex_t lock;
	struct event_loop *el;
	int calls[8];
	unsigned nr_calls;
	bool lock_held[8];
};

static struct fixture *current;

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	pthread_mutex_init(&f->lock, NULL);
	f->el = event_loop_create(&f->lock);
	assert_non_null(f->el);
	current = f;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	event_loop_destroy(f->el);
	pthread_mutex_destroy(&f->lock);
	free(f);
	return 0;
}

/* Records which call ran, and whether the loop's lock was held. */
static void record(void *opaque)
{
	struct fixture *f = current;

	f->lock_held[f->nr_calls] = pthread_mutex_trylock(&f->lock) != 0;
	f->calls[f->nr_calls++] = (int)(intptr_t)opaque;
}

static void *request_quit_thread(void *opaque)
{
	struct fixture *f = opaque;

	assert_int_equal(event_loop_post(f->el, record, (void *)1), 0);
	event_loop_request_quit(f->el, 42);
	return NULL;
}

static void test_request_quit_from_thread_returns_status(void **state)
{
	struct fixture *f = *state;
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, request_quit_thread, f), 0);
	assert_int_equal(event_loop_run(f->el), 42);
	pthread_join(t, NULL);
	/* The call posted before the request ran, under the lock. */
	assert_int_equal(f->nr_calls, 1);
	assert_int_equal(f->calls[0], 1);
	assert_true(f->lock_held[0]);
}

static void test_request_quit_runs_earlier_posts_in_order(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(event_loop_post(f->el, record, (void *)1), 0);
	assert_int_equal(event_loop_post(f->el, record, (void *)2), 0);
	event_loop_request_quit(f->el, 3);
	assert_int_equal(event_loop_run(f->el), 3);
	assert_int_equal(f->nr_calls, 2);
	assert_int_equal(f->calls[0], 1);
	assert_int_equal(f->calls[1], 2);
}

static void test_request_quit_first_request_wins(void **state)
{
	struct fixture *f = *state;

	event_loop_request_quit(f->el, 7);
	event_loop_request_quit(f->el, 9);
	assert_int_equal(event_loop_run(f->el), 7);
}

/* A quit in a handler stops the queue: later posts are dropped. */
static void quit_now(void *opaque)
{
	(void)opaque;
	event_loop_quit(current->el, 5);
}

static void test_quit_in_handler_wins_over_request(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(event_loop_post(f->el, quit_now, NULL), 0);
	assert_int_equal(event_loop_post(f->el, record, (void *)1), 0);
	event_loop_request_quit(f->el, 6);
	assert_int_equal(event_loop_run(f->el), 5);
	assert_int_equal(f->nr_calls, 0);
}

static void test_run_once_without_request_keeps_running(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(event_loop_post(f->el, record, (void *)4), 0);
	event_loop_run_once(f->el, 0);
	assert_int_equal(f->nr_calls, 1);
	/* Nothing asked the loop to stop: a later request still counts. */
	event_loop_request_quit(f->el, 8);
	assert_int_equal(event_loop_run(f->el), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_request_quit_from_thread_returns_status),
		T(test_request_quit_runs_earlier_posts_in_order),
		T(test_request_quit_first_request_wins),
		T(test_quit_in_handler_wins_over_request),
		T(test_run_once_without_request_keeps_running),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
