// SPDX-License-Identifier: MIT
/*
 * Running a call in a forked child under a sandbox class's real seccomp
 * list, and checking how the child ended (SIGSYS or exit 0). Shared by
 * test_sandbox and test_sandbox_kills; include it after <cmocka.h>. The
 * child must not use cmocka's asserts: CHECK() exits with status 2.
 */
#ifndef FLEXVM_TESTS_SANDBOX_TEST_UTIL_H
#define FLEXVM_TESTS_SANDBOX_TEST_UTIL_H

#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/sandbox.h"

static inline void child_fail(int line)
{
	char msg[64];
	int n = snprintf(msg, sizeof(msg), "child: check at line %d failed\n",
			 line);

	if (write(STDERR_FILENO, msg, (size_t)n) < 0)
		_exit(3);
	_exit(2);
}

/* In the child only: cmocka's asserts must not run there. */
#define CHECK(x)                                                       \
	do {                                                           \
		if (!(x))                                              \
			child_fail(__LINE__);                          \
	} while (0)

typedef void (*child_fn)(void *arg);

/* Forks, runs @fn in the child, which then exits 0; returns wait status. */
static inline int run_in_child(child_fn fn, void *arg)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

struct sandboxed_call {
	enum sandbox_class cls;
	child_fn fn;
	void *arg;
};

static inline void sandboxed_call_run(void *opaque)
{
	struct sandboxed_call *c = opaque;
	struct error err = { 0 };

	sandbox_prepare();	/* as vm_run() does */
	if (sandbox_apply(c->cls, &err))
		_exit(100);
	c->fn(c->arg);
}

/* Forks, loads @cls's list in the child, runs @fn; returns wait status. */
static inline int run_sandboxed(enum sandbox_class cls, child_fn fn,
				void *arg)
{
	struct sandboxed_call c = { cls, fn, arg };

	return run_in_child(sandboxed_call_run, &c);
}

/* Wait statuses; each argument is evaluated once. */
#define assert_killed_by_sigsys(status)                                \
	do {                                                           \
		int st_ = (status);                                    \
		assert_true(WIFSIGNALED(st_));                         \
		assert_int_equal(WTERMSIG(st_), SIGSYS);               \
	} while (0)

#define assert_exited_0(status)                                        \
	do {                                                           \
		int st_ = (status);                                    \
		assert_true(WIFEXITED(st_));                           \
		assert_int_equal(WEXITSTATUS(st_), 0);                 \
	} while (0)

static inline void assert_kills(enum sandbox_class cls, child_fn fn)
{
	assert_killed_by_sigsys(run_sandboxed(cls, fn, NULL));
}

#define T(t) cmocka_unit_test(t)

#endif /* FLEXVM_TESTS_SANDBOX_TEST_UTIL_H */
