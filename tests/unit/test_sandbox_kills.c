// SPDX-License-Identifier: MIT
/*
 * Unit tests for the seccomp allow-lists (src/core/sandbox.c): what each
 * thread class must never do. Each test forks a child that loads the
 * class's real list with sandbox_apply() and makes one forbidden call;
 * the parent checks that the child died of SIGSYS.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "sandbox_test_util.h"

/* ---- forbidden calls: the process dies of SIGSYS ---- */

static void do_execve(void *arg)
{
	char *argv[] = { "true", NULL };

	(void)arg;
	execve("/bin/true", argv, argv + 1);
}

static void do_socket(void *arg)
{
	(void)arg;
	(void)socket(AF_UNIX, SOCK_DGRAM, 0);
}

static void do_open_for_writing(void *arg)
{
	(void)arg;
	(void)open("/tmp/test_sandbox.w", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
}

static void do_mmap_exec(void *arg)
{
	(void)arg;
	(void)mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void do_mprotect_exec(void *arg)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)arg;
	CHECK(p != MAP_FAILED);
	(void)mprotect(p, 4096, PROT_READ | PROT_EXEC);
}

static void do_tiocsti(void *arg)
{
	(void)arg;
	(void)ioctl(-1, TIOCSTI, "x");	/* typing into the terminal */
}

static void do_kvm_run(void *arg)
{
	(void)arg;
	(void)ioctl(-1, KVM_RUN, 0);
}

static void do_kvm_create_vm(void *arg)
{
	(void)arg;
	(void)ioctl(-1, KVM_CREATE_VM, 0);
}

static void do_accept4(void *arg)
{
	(void)arg;
	(void)accept4(-1, NULL, NULL, SOCK_CLOEXEC);
}

static void *idle_thread(void *arg)
{
	return arg;
}

static void do_pthread_create(void *arg)
{
	pthread_t t;

	(void)arg;
	(void)pthread_create(&t, NULL, idle_thread, NULL);
}

/* i386's getpid through int 0x80: another ABI, refused whatever the nr. */
static void do_int80(void *arg)
{
	long ret = 20;

	(void)arg;
	asm volatile("int $0x80" : "+a"(ret) : : "memory");
}

static void test_sandbox_main_execve_kills(void **state)
{
	(void)state;
	assert_kills(SANDBOX_MAIN, do_execve);
}

static void test_sandbox_vcpu_execve_kills(void **state)
{
	(void)state;
	assert_kills(SANDBOX_VCPU, do_execve);
}

static void test_sandbox_main_socket_kills(void **state)
{
	(void)state;
	assert_kills(SANDBOX_MAIN, do_socket);
}

static void test_sandbox_vcpu_socket_kills(void **state)
{
	(void)state;
	assert_kills(SANDBOX_VCPU, do_socket);
}

static void test_sandbox_main_open_for_writing_kills(void **state)
{
	(void)state;
	assert_kills(SANDBOX_MAIN, do_open_for_writing);
	assert_int_equal(access("/tmp/test_sandbox.w", F_OK), -1);
}

static void test_sandbox_vcpu_open_for_writing_kills(void **state)
{
	(void)state;
	assert_kills(SANDBOX_VCPU, do_open_for_writing);
	assert_int_equal(access("/tmp/test_sandbox.w", F_OK), -1);
}

static void test_sandbox_main_mmap_exec_kills(void **state)
{
	(void)state;
	assert_kills(SANDBOX_MAIN, do_mmap_exec);
}

static void test_sandbox_vcpu_mprotect_exec_kills(void **state)
{
	(void)state;
	assert_kills(SANDBOX_VCPU, do_mprotect_exec);
}

static void test_sandbox_main_tiocsti_kills(void **state)
{
	(void)state;
	assert_kills(SANDBOX_MAIN, do_tiocsti);
}

static void test_sandbox_main_kvm_run_kills(void **state)
{
	(void)state;
	assert_kills(SANDBOX_MAIN, do_kvm_run);
}

static void test_sandbox_vcpu_kvm_create_vm_kills(void **state)
{
	(void)state;
	assert_kills(SANDBOX_VCPU, do_kvm_create_vm);
}

static void test_sandbox_vcpu_accept4_kills(void **state)
{
	(void)state;
	assert_kills(SANDBOX_VCPU, do_accept4);
}

static void test_sandbox_main_new_thread_kills(void **state)
{
	(void)state;
	assert_kills(SANDBOX_MAIN, do_pthread_create);
}

static void test_sandbox_vcpu_int80_kills(void **state)
{
	(void)state;
	assert_kills(SANDBOX_VCPU, do_int80);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_sandbox_main_execve_kills),
		T(test_sandbox_vcpu_execve_kills),
		T(test_sandbox_main_socket_kills),
		T(test_sandbox_vcpu_socket_kills),
		T(test_sandbox_main_open_for_writing_kills),
		T(test_sandbox_vcpu_open_for_writing_kills),
		T(test_sandbox_main_mmap_exec_kills),
		T(test_sandbox_vcpu_mprotect_exec_kills),
		T(test_sandbox_main_tiocsti_kills),
		T(test_sandbox_main_kvm_run_kills),
		T(test_sandbox_vcpu_kvm_create_vm_kills),
		T(test_sandbox_vcpu_accept4_kills),
		T(test_sandbox_main_new_thread_kills),
		T(test_sandbox_vcpu_int80_kills),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
