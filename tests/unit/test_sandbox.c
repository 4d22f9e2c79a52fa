// SPDX-License-Identifier: MIT
/*
 * Unit tests for the seccomp allow-lists (src/core/sandbox.c): what flexvm
 * does after start-up passes, glibc's lazy file opens are done before,
 * a reset reads the kernel through kept descriptors, the filter is the
 * calling thread's alone, and the lists themselves. Each filter test forks
 * a child that loads a class's real list with sandbox_apply(). Forbidden
 * calls are in test_sandbox_kills.c, the -sandbox option in
 * test_sandbox_option.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <linux/kvm.h>

#include "sandbox_test_util.h"

/* ---- what flexvm does after start-up: must pass ---- */

struct fixture {
	int pipe[2];
	int epfd;
	int timer;
	int memfd;
	char path[64];	/* a file to unlink, as the pidfile at exit */
};

static void fixture_open(struct fixture *f)
{
	int fd;

	assert_int_equal(pipe(f->pipe), 0);
	f->epfd = epoll_create1(EPOLL_CLOEXEC);
	f->timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	f->memfd = memfd_create("test_sandbox", MFD_CLOEXEC);
	assert_true(f->epfd >= 0 && f->timer >= 0 && f->memfd >= 0);
	assert_int_equal(ftruncate(f->memfd, 65536), 0);
	snprintf(f->path, sizeof(f->path), "/tmp/test_sandbox.XXXXXX");
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	close(fd);
}

static void fixture_close(struct fixture *f)
{
	close(f->pipe[0]);
	close(f->pipe[1]);
	close(f->epfd);
	close(f->timer);
	close(f->memfd);
	unlink(f->path);
}

/* Memory: malloc, guest RAM discard (virtio-mem), memslot mappings. */
static void do_memory_calls(struct fixture *f)
{
	void *big = malloc(8 << 20);	/* mmap'd by glibc */
	char *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(big && p != MAP_FAILED);
	CHECK((big = realloc(big, 16 << 20)) != NULL);	/* mremap */
	p[0] = 1;
	CHECK(madvise(p, 65536, MADV_DONTNEED) == 0);
	CHECK(munmap(p, 65536) == 0);
	free(big);
	CHECK(fallocate(f->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			0, 4096) == 0);
}

/* What device models do on either thread. */
static void do_common_calls(struct fixture *f)
{
	struct itimerspec its = { .it_value = { .tv_sec = 100 } };
	char buf[16] = "x";
	struct iovec iov = { buf, 1 };
	struct timespec ts;

	CHECK(write(f->pipe[1], buf, 1) == 1);
	CHECK(writev(f->pipe[1], &iov, 1) == 1);
	CHECK(timerfd_settime(f->timer, 0, &its, NULL) == 0);
	/* The system call itself, not the vDSO. */
	CHECK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) == 0);
	CHECK(getrandom(buf, sizeof(buf), 0) == sizeof(buf));
	CHECK(getpid() > 0);
}

static void main_allowed(void *arg)
{
	struct fixture *f = arg;
	struct epoll_event ev;
	struct timeval tv;
	struct stat st;
	char buf[2];
	int fd;

	do_memory_calls(f);
	do_common_calls(f);
	CHECK(read(f->pipe[0], buf, 2) == 2);
	CHECK(close(f->pipe[0]) == 0);
	CHECK(epoll_wait(f->epfd, &ev, 1, 0) == 0);
	CHECK(fcntl(f->pipe[1], F_GETFL) >= 0);
	CHECK(stat("/", &st) == 0);
	CHECK(unlink(f->path) == 0);	/* the pidfile at exit */
	CHECK(syscall(SYS_gettimeofday, &tv, NULL) == 0);
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	CHECK(fd >= 0 && close(fd) == 0);
	/* A machine reset's ioctl on a vCPU fd: allowed, then EBADF. */
	CHECK(ioctl(-1, KVM_SET_REGS, NULL) < 0 && errno == EBADF);
}

static void test_sandbox_main_allowed_calls_exit_0(void **state)
{
	struct fixture f;

	(void)state;
	fixture_open(&f);
	assert_exited_0(run_sandboxed(SANDBOX_MAIN, main_allowed, &f));
	fixture_close(&f);
}

static volatile sig_atomic_t kicked;

static void on_kick(int sig)
{
	(void)sig;
	kicked = 1;
}

static void vcpu_allowed(void *arg)
{
	struct fixture *f = arg;
	int word = 0;

	do_memory_calls(f);
	do_common_calls(f);
	CHECK(ioctl(-1, KVM_RUN, 0) < 0 && errno == EBADF);
	/* The kick: SIGUSR1 to the thread, the handler, rt_sigreturn. */
	CHECK(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1) == 0);
	CHECK(kicked);
	CHECK(syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL,
		      0) == 0);
}

static void test_sandbox_vcpu_allowed_calls_exit_0(void **state)
{
	struct sigaction sa = { .sa_handler = on_kick };
	struct fixture f;

	(void)state;
	fixture_open(&f);
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);
	assert_exited_0(run_sandboxed(SANDBOX_VCPU, vcpu_allowed, &f));
	signal(SIGUSR1, SIG_DFL);
	fixture_close(&f);
}

/* ---- glibc's lazy file opens: sandbox_prepare() ---- */

/* The RTC's first time conversion would read /etc/localtime. */
static void do_gmtime(void *arg)
{
	time_t t = 86400;
	struct tm tm;

	(void)arg;
	CHECK(gmtime_r(&t, &tm) && tm.tm_mday == 2);
	CHECK(timegm(&tm) == t);
}

static void test_sandbox_vcpu_first_gmtime_exits_0(void **state)
{
	(void)state;
	assert_exited_0(run_sandboxed(SANDBOX_VCPU, do_gmtime, NULL));
}

/* Freed medium blocks make glibc trim the heap, then the thread ends. */
static void *trimming_vcpu_thread(void *arg)
{
	struct error err = { 0 };
	void *blocks[64];

	if (sandbox_apply(SANDBOX_VCPU, &err))
		_exit(100);
	for (size_t i = 0; i < ARRAY_SIZE(blocks); i++)
		blocks[i] = malloc(100 << 10);	/* below the mmap threshold */
	for (size_t i = 0; i < ARRAY_SIZE(blocks); i++)
		free(blocks[i]);
	return arg;
}

/* In the child: the process is prepared, the thread applies the list. */
static void run_trimming_vcpu_thread(void *arg)
{
	pthread_t t;

	(void)arg;
	sandbox_prepare();
	if (pthread_create(&t, NULL, trimming_vcpu_thread, NULL) ||
	    pthread_join(t, NULL))
		_exit(101);
}

static void test_sandbox_vcpu_thread_heap_trim_and_exit_0(void **state)
{
	(void)state;
	assert_exited_0(run_in_child(run_trimming_vcpu_thread, NULL));
}

/* ---- reading the kernel again at reset: kept descriptors, no open ---- */

/* What a reset does with the descriptors boot_open() kept. */
static void do_pread_kept_fd(void *arg)
{
	int fd = *(int *)arg;
	char c[2];

	CHECK(pread(fd, c, 2, 0) == 2);
	CHECK(pread(fd, c, 2, 0) == 2);	/* again: same offset, same bytes */
	CHECK(c[0] == 'N' && c[1] == 'a');	/* "Name:" */
}

static void test_sandbox_main_pread_kept_fd_exits_0(void **state)
{
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	assert_exited_0(run_sandboxed(SANDBOX_MAIN, do_pread_kept_fd, &fd));
	close(fd);
}

static void do_open_readonly(void *arg)
{
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	(void)arg;
	CHECK(fd >= 0);
	CHECK(close(fd) == 0);
}

/* No file at all, not even the kernel's by its own name. */
static void test_sandbox_main_open_readonly_kills(void **state)
{
	int status;

	(void)state;
	status = run_sandboxed(SANDBOX_MAIN, do_open_readonly, NULL);
	/* Sanitizer builds allow any read-only open (their reports). */
	if (sandbox_extras_enabled())
		assert_exited_0(status);
	else
		assert_killed_by_sigsys(status);
}

/* ---- sanitizer builds: the report file of log_path= ---- */

static void do_open_report_file(void *arg)
{
	long fd = syscall(SYS_open, (const char *)arg,
			  O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0 && close((int)fd) == 0);
}

static void test_sandbox_vcpu_report_file_only_in_sanitizer_builds(void **state)
{
	char path[] = "/tmp/test_sandbox.log.XXXXXX";
	int fd = mkstemp(path);
	int status;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	status = run_sandboxed(SANDBOX_VCPU, do_open_report_file, path);
	unlink(path);
	if (sandbox_extras_enabled())
		assert_exited_0(status);
	else
		assert_killed_by_sigsys(status);
}

/* ---- the filter is the calling thread's alone ---- */

struct other_thread {
	int go[2];
	int ret;
};

static void *unfiltered_thread(void *arg)
{
	struct other_thread *t = arg;
	char c;
	int fd;

	if (read(t->go[0], &c, 1) != 1)
		return NULL;
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	t->ret = fd >= 0 ? 0 : -1;
	return NULL;
}

static void do_unfiltered_thread_socket(void *arg)
{
	struct other_thread *t = arg;

	/* The thread exists before the filter: it keeps running free. */
	CHECK(write(t->go[1], "g", 1) == 1);
}

/* In the child: a thread starts, then the main list is applied. */
static void apply_with_thread_running(void *arg)
{
	struct other_thread *t = arg;
	struct error err = { 0 };
	pthread_t thread;

	if (pipe(t->go) || pthread_create(&thread, NULL, unfiltered_thread, t))
		_exit(101);
	if (sandbox_apply(SANDBOX_MAIN, &err))
		_exit(100);
	do_unfiltered_thread_socket(t);
	CHECK(pthread_join(thread, NULL) == 0);
	_exit(t->ret == 0 ? 0 : 102);
}

static void test_sandbox_existing_thread_keeps_no_filter(void **state)
{
	struct other_thread t = { .ret = -2 };

	(void)state;
	assert_exited_0(run_in_child(apply_with_thread_running, &t));
}

static void test_sandbox_bad_class_fails(void **state)
{
	struct error err = { 0 };

	(void)state;
	assert_int_equal(sandbox_apply(SANDBOX_NR_CLASSES, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "unknown sandbox thread class 2");
}

/* ---- the lists ---- */

static void test_sandbox_every_syscall_name_resolves(void **state)
{
	const char *names[128];

	(void)state;
	for (int cls = 0; cls < SANDBOX_NR_CLASSES; cls++) {
		for (int san = 0; san < 2; san++) {
			size_t n = sandbox_syscalls(cls, san, names,
						    ARRAY_SIZE(names));

			assert_true(n > 0 && n <= ARRAY_SIZE(names));
			for (size_t i = 0; i < n; i++)
				assert_int_not_equal(
					seccomp_syscall_resolve_name(names[i]),
					__NR_SCMP_ERROR);
		}
	}
}

static void test_sandbox_list_sizes(void **state)
{
	const char *names[128];

	(void)state;
	assert_int_equal(sandbox_syscalls(SANDBOX_MAIN, false, names, 0), 30);
	assert_int_equal(sandbox_syscalls(SANDBOX_VCPU, false, names, 0), 21);
	assert_int_equal(sandbox_ioctls(SANDBOX_MAIN, false, names, 0), 18);
	assert_int_equal(sandbox_ioctls(SANDBOX_VCPU, false, names, 0), 7);
	assert_int_equal(sandbox_syscalls(SANDBOX_MAIN, true, names, 0), 20);
	assert_int_equal(sandbox_syscalls(SANDBOX_VCPU, true, names, 0), 20);
	assert_int_equal(sandbox_ioctls(SANDBOX_MAIN, true, names, 0), 0);
	assert_int_equal(sandbox_ioctls(SANDBOX_VCPU, true, names, 0), 1);
}

static bool list_has(const char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

static void test_sandbox_classes_differ_where_expected(void **state)
{
	const char *m[128], *v[128];
	size_t nm = sandbox_syscalls(SANDBOX_MAIN, false, m, ARRAY_SIZE(m));
	size_t nv = sandbox_syscalls(SANDBOX_VCPU, false, v, ARRAY_SIZE(v));
	const char *mi[64], *vi[64];
	size_t nmi = sandbox_ioctls(SANDBOX_MAIN, false, mi, ARRAY_SIZE(mi));
	size_t nvi = sandbox_ioctls(SANDBOX_VCPU, false, vi, ARRAY_SIZE(vi));

	(void)state;
	assert_true(list_has(m, nm, "accept4") && !list_has(v, nv, "accept4"));
	assert_true(list_has(m, nm, "epoll_wait") &&
		    !list_has(v, nv, "epoll_wait"));
	assert_false(list_has(m, nm, "execve") || list_has(v, nv, "execve"));
	assert_true(list_has(vi, nvi, "KVM_RUN") &&
		    !list_has(mi, nmi, "KVM_RUN"));
	assert_true(list_has(mi, nmi, "KVM_SET_REGS") &&
		    !list_has(vi, nvi, "KVM_SET_REGS"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_sandbox_vcpu_first_gmtime_exits_0),	/* first */
		T(test_sandbox_vcpu_thread_heap_trim_and_exit_0),
		T(test_sandbox_main_allowed_calls_exit_0),
		T(test_sandbox_vcpu_allowed_calls_exit_0),
		T(test_sandbox_main_pread_kept_fd_exits_0),
		T(test_sandbox_main_open_readonly_kills),
		T(test_sandbox_vcpu_report_file_only_in_sanitizer_builds),
		T(test_sandbox_existing_thread_keeps_no_filter),
		T(test_sandbox_bad_class_fails),
		T(test_sandbox_every_syscall_name_resolves),
		T(test_sandbox_list_sizes),
		T(test_sandbox_classes_differ_where_expected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
