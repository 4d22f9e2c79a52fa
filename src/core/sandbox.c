// SPDX-License-Identifier: MIT
/*
 * The seccomp allow-lists: one table of system calls and one of ioctl
 * requests, each entry marked with the thread classes that need it after
 * start-up. sandbox_apply() turns a class's entries into a libseccomp
 * filter and loads it on the calling thread. Called once by each thread,
 * outside dm_lock; the tables are constant, so no lock is needed.
 */
#include "core/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <seccomp.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>

#include "util/log.h"

#define M (1u << SANDBOX_MAIN)
#define V (1u << SANDBOX_VCPU)

/* What a rule checks beyond the system call number. */
enum sandbox_args {
	ARGS_ANY,
	ARGS_IOCTL,	/* request (arg 1) in the class's ioctl table */
	ARGS_NO_EXEC,	/* prot (arg 2) without PROT_EXEC: no new code */
	ARGS_OPENAT_RDONLY,	/* flags (arg 2): O_RDONLY, no O_CREAT */
	ARGS_OPEN_SANITIZER,	/* open(): read-only, or a log_path= file */
};

struct sandbox_syscall {
	const char *name;	/* libseccomp resolves it for the arch */
	unsigned classes;
	enum sandbox_args args;
};

struct sandbox_ioctl {
	unsigned long request;
	const char *name;
	unsigned classes;
};

/*
 * Device models run on both kinds of thread: the main loop runs queue
 * handlers (ioeventfd) and timers, a vCPU thread runs PIO/MMIO handlers,
 * which may reset a device, move a BAR or map a virtio-mem block. Only
 * the main thread opens, closes and tears down. docs/security.md says
 * why each entry is there; tests/kvm/test_sandbox.py keeps it in step.
 */
static const struct sandbox_syscall sandbox_table[] = {
	{ "read", M, ARGS_ANY },
	{ "pread64", M, ARGS_ANY },
	{ "write", M | V, ARGS_ANY },
	{ "writev", M | V, ARGS_ANY },
	{ "close", M, ARGS_ANY },
	{ "ioctl", M | V, ARGS_IOCTL },
	{ "epoll_wait", M, ARGS_ANY },
	{ "epoll_ctl", M | V, ARGS_ANY },
	{ "timerfd_create", M, ARGS_ANY },
	{ "timerfd_settime", M | V, ARGS_ANY },
	{ "accept4", M, ARGS_ANY },
	{ "sendto", M, ARGS_ANY },
	{ "poll", M, ARGS_ANY },
	{ "fcntl", M, ARGS_ANY },
	{ "newfstatat", M, ARGS_ANY },
	{ "unlink", M, ARGS_ANY },
	{ "mmap", M | V, ARGS_NO_EXEC },
	{ "munmap", M | V, ARGS_ANY },
	{ "mremap", M | V, ARGS_ANY },
	{ "brk", M | V, ARGS_ANY },
	{ "madvise", M | V, ARGS_ANY },
	{ "fallocate", M | V, ARGS_ANY },
	{ "futex", M | V, ARGS_ANY },
	{ "rt_sigprocmask", M | V, ARGS_ANY },
	{ "rt_sigreturn", V, ARGS_ANY },
	{ "tgkill", M | V, ARGS_ANY },
	{ "getpid", M | V, ARGS_ANY },
	{ "gettid", V, ARGS_ANY },
	{ "clock_gettime", M | V, ARGS_ANY },
	{ "gettimeofday", M, ARGS_ANY },
	{ "getrandom", M | V, ARGS_ANY },
	{ "exit", V, ARGS_ANY },
	{ "exit_group", M | V, ARGS_ANY },
};

/*
 * What ASan, UBSan and LeakSanitizer need to report a finding (symbolized)
 * and to check for leaks at exit (a tracer task stops every thread with
 * ptrace), on whichever thread gets there. Found by removing one entry at
 * a time; fstat, getdents64 and kill turned out not to be needed.
 */
static const struct sandbox_syscall sandbox_sanitizer_table[] = {
	{ "open", M | V, ARGS_OPEN_SANITIZER },
	{ "openat", M | V, ARGS_OPENAT_RDONLY },
	{ "read", M | V, ARGS_ANY },
	{ "close", M | V, ARGS_ANY },
	{ "fcntl", M | V, ARGS_ANY },
	{ "lseek", M | V, ARGS_ANY },
	{ "newfstatat", M | V, ARGS_ANY },
	{ "getdents", M | V, ARGS_ANY },
	{ "readlink", M | V, ARGS_ANY },
	{ "mprotect", M | V, ARGS_NO_EXEC },
	{ "clone", M | V, ARGS_ANY },
	{ "ptrace", M | V, ARGS_ANY },
	{ "wait4", M | V, ARGS_ANY },
	{ "prctl", M | V, ARGS_ANY },
	{ "sigaltstack", M | V, ARGS_ANY },
	{ "rt_sigaction", M | V, ARGS_ANY },
	{ "sched_yield", M | V, ARGS_ANY },
	{ "getppid", M | V, ARGS_ANY },
	{ "gettid", M | V, ARGS_ANY },
	{ "exit", M | V, ARGS_ANY },
};

#define IOCTL(req, classes) { req, #req, classes }

static const struct sandbox_ioctl sandbox_ioctl_table[] = {
	IOCTL(KVM_RUN, V),
	IOCTL(KVM_GET_REGS, V),
	IOCTL(KVM_IRQ_LINE, M | V),
	IOCTL(KVM_SIGNAL_MSI, M | V),
	IOCTL(KVM_SET_GSI_ROUTING, M | V),
	IOCTL(KVM_IOEVENTFD, M | V),
	IOCTL(KVM_SET_USER_MEMORY_REGION, M | V),
	IOCTL(KVM_IRQFD, M),
	IOCTL(KVM_SET_REGS, M),
	IOCTL(KVM_GET_SREGS, M),
	IOCTL(KVM_SET_SREGS, M),
	IOCTL(KVM_SET_FPU, M),
	IOCTL(KVM_SET_LAPIC, M),
	IOCTL(KVM_SET_MSRS, M),
	IOCTL(KVM_SET_VCPU_EVENTS, M),
	IOCTL(KVM_SET_MP_STATE, M),
	IOCTL(KVM_SET_IRQCHIP, M),
	IOCTL(KVM_SET_PIT2, M),
	IOCTL(TCGETS, M),
	IOCTL(TCSETS, M),
};

/* ASan asks whether stderr is a terminal before it reports. */
static const struct sandbox_ioctl sandbox_sanitizer_ioctl_table[] = {
	IOCTL(TCGETS, V),
};

static int sandbox_add_ioctl_table(scmp_filter_ctx ctx, int nr,
				   const struct sandbox_ioctl *table, size_t n,
				   enum sandbox_class cls)
{
	int ret = 0;

	for (size_t i = 0; i < n && !ret; i++)
		if (table[i].classes & (1u << cls))
			ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					       SCMP_A1(SCMP_CMP_EQ,
						       table[i].request));
	return ret;
}

static int sandbox_add_ioctls(scmp_filter_ctx ctx, int nr,
			      enum sandbox_class cls)
{
	const struct sandbox_ioctl *extras = sandbox_sanitizer_ioctl_table;
	int ret = sandbox_add_ioctl_table(ctx, nr, sandbox_ioctl_table,
					  ARRAY_SIZE(sandbox_ioctl_table), cls);

	if (!ret && sandbox_extras_enabled())
		ret = sandbox_add_ioctl_table(ctx, nr, extras,
				ARRAY_SIZE(sandbox_sanitizer_ioctl_table), cls);
	return ret;
}

/*
 * The sanitizers' own open(): read-only (/proc/self/maps, /proc/PID/task),
 * and the report file of ASAN_OPTIONS/UBSAN_OPTIONS log_path=, created on
 * the first report with exactly these flags.
 */
static int sandbox_add_open_sanitizer(scmp_filter_ctx ctx, int nr)
{
	int ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
				   SCMP_A1(SCMP_CMP_MASKED_EQ,
					   O_ACCMODE | O_CREAT, O_RDONLY));

	if (!ret)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
				       SCMP_A1(SCMP_CMP_EQ,
					       O_WRONLY | O_CREAT | O_TRUNC));
	return ret;
}

static int sandbox_add(scmp_filter_ctx ctx, const struct sandbox_syscall *s,
		       enum sandbox_class cls)
{
	int nr = seccomp_syscall_resolve_name(s->name);

	if (nr == __NR_SCMP_ERROR)
		return -ENOSYS;
	switch (s->args) {
	case ARGS_IOCTL:
		return sandbox_add_ioctls(ctx, nr, cls);
	case ARGS_NO_EXEC:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC,
						0));
	case ARGS_OPENAT_RDONLY:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					SCMP_A2(SCMP_CMP_MASKED_EQ,
						O_ACCMODE | O_CREAT,
						O_RDONLY));
	case ARGS_OPEN_SANITIZER:
		return sandbox_add_open_sanitizer(ctx, nr);
	case ARGS_ANY:
		break;
	}
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
}

static int sandbox_add_table(scmp_filter_ctx ctx,
			     const struct sandbox_syscall *table, size_t n,
			     enum sandbox_class cls)
{
	int ret = 0;

	for (size_t i = 0; i < n && !ret; i++)
		if (table[i].classes & (1u << cls))
			ret = sandbox_add(ctx, &table[i], cls);
	return ret;
}

static int sandbox_build(scmp_filter_ctx ctx, enum sandbox_class cls)
{
	int ret;

	/* Another ABI's call (int 0x80, x32) dies too, not just the thread. */
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			       SCMP_ACT_KILL_PROCESS);
	if (!ret)
		ret = sandbox_add_table(ctx, sandbox_table,
					ARRAY_SIZE(sandbox_table), cls);
	if (!ret && sandbox_extras_enabled())
		ret = sandbox_add_table(ctx, sandbox_sanitizer_table,
					ARRAY_SIZE(sandbox_sanitizer_table),
					cls);
	/* KVM_RUN and exit dispatch: test ioctl first on a vCPU. */
	if (!ret && cls == SANDBOX_VCPU)
		ret = seccomp_syscall_priority(ctx, SCMP_SYS(ioctl), 255);
	return ret;
}

void sandbox_prepare(void)
{
	tzset();
	/* A sanitizer's allocator replaces glibc's and ignores mallopt(). */
	if (!mallopt(M_ARENA_MAX, 1) && !sandbox_extras_enabled())
		log_warn("cannot limit malloc to one arena: glibc may "
			 "open a file in a sandboxed thread");
}

int sandbox_apply(enum sandbox_class cls, struct error *err)
{
	scmp_filter_ctx ctx;
	int ret;

	if ((unsigned)cls >= SANDBOX_NR_CLASSES) {
		error_setg(err, "unknown sandbox thread class %d", (int)cls);
		return -EINVAL;
	}
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		error_setg(err, "failed to initialize seccomp context");
		return -ENOMEM;
	}
	ret = sandbox_build(ctx, cls);
	if (!ret)
		ret = seccomp_load(ctx);
	seccomp_release(ctx);
	if (ret)
		error_setg_errno(err, -ret, "failed to install seccomp syscall "
				 "filter in the kernel");
	return ret;
}

/*
 * Both tables lead with a name and a class mask; one walker serves both
 * by stepping through either array @stride bytes at a time.
 */
static size_t sandbox_list(const char *const *first_name,
			   const unsigned *first_classes, size_t stride,
			   size_t n, enum sandbox_class cls,
			   const char **names, size_t max)
{
	const char *name_base = (const char *)first_name;
	const char *classes_base = (const char *)first_classes;
	size_t count = 0;

	for (size_t off = 0; off < n * stride; off += stride) {
		if (!(*(const unsigned *)(classes_base + off) & (1u << cls)))
			continue;
		if (count < max)
			names[count] = *(const char *const *)(name_base + off);
		count++;
	}
	return count;
}

#define SANDBOX_LIST(table, cls, names, max)                            \
	sandbox_list(&(table)[0].name, &(table)[0].classes,            \
		     sizeof((table)[0]), ARRAY_SIZE(table), cls, names, max)

size_t sandbox_syscalls(enum sandbox_class cls, bool sanitizer,
			const char **names, size_t max)
{
	if (sanitizer)
		return SANDBOX_LIST(sandbox_sanitizer_table, cls, names, max);
	return SANDBOX_LIST(sandbox_table, cls, names, max);
}

size_t sandbox_ioctls(enum sandbox_class cls, bool sanitizer,
		      const char **names, size_t max)
{
	if (sanitizer)
		return SANDBOX_LIST(sandbox_sanitizer_ioctl_table, cls, names,
				    max);
	return SANDBOX_LIST(sandbox_ioctl_table, cls, names, max);
}
