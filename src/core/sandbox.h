// SPDX-License-Identifier: MIT
/*
 * seccomp allow-lists, one per thread class, built with libseccomp and
 * loaded on the calling thread only (no TSYNC): each thread installs its
 * own list once its start-up work is done (vcpu.c, runstate.c). A
 * forbidden system call kills the whole process, as QEMU's -sandbox on.
 * The lists and why each entry is needed: docs/security.md.
 */
#ifndef FLEXVM_CORE_SANDBOX_H
#define FLEXVM_CORE_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "util/compiler.h"
#include "util/error.h"

enum sandbox_class {
	SANDBOX_MAIN,	/* the main loop: QMP, chardevs, timers, reset, exit */
	SANDBOX_VCPU,	/* a vCPU thread: KVM_RUN and exit dispatch */
	SANDBOX_NR_CLASSES,
};

/*
 * Sanitizer builds (-Db_sanitize=..., or a compiler that says so) add the
 * system calls ASan, UBSan and LeakSanitizer make when they report and at
 * exit; see sandbox_extras_enabled().
 */
#if defined(FLEXVM_SANITIZE) || defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define SANDBOX_SANITIZER 1
#endif
#endif
#ifndef SANDBOX_SANITIZER
#define SANDBOX_SANITIZER 0
#endif

/**
 * sandbox_prepare - make glibc's lazy file opens happen now, or never
 *
 * glibc opens a few files the first time they are needed, possibly long
 * after start-up and on any thread: /etc/localtime on the first time
 * conversion (the RTC's gmtime_r()), /proc/sys/vm/overcommit_memory the
 * first time it shrinks a thread arena's heap. This loads the time zone
 * now and keeps every thread on the main malloc arena (M_ARENA_MAX 1),
 * whose heap glibc trims without that file, so no list needs openat.
 *
 * Context: main thread, before the first thread other than main starts.
 */
void sandbox_prepare(void);

/**
 * sandbox_apply - load the allow-list of @cls on the calling thread
 * @cls: the calling thread's class
 * @err: "failed to install seccomp syscall filter in the kernel: ..."
 *
 * Sets no_new_privs on the thread. Threads the caller creates afterwards
 * inherit the list; threads that already exist keep theirs. Any system
 * call outside the list kills the process with SIGSYS (a 32-bit or x32
 * call too). In a sanitizer build the list also holds the sanitizers'
 * extras (sandbox_extras_enabled()).
 *
 * Context: once per thread, after its start-up work; allocates.
 * Return: 0, or a negative errno with @err set.
 */
int sandbox_apply(enum sandbox_class cls, struct error *err) __must_check;

/**
 * sandbox_syscalls - the system calls @cls allows, by name
 * @cls: the thread class
 * @sanitizer: false: the list of every build; true: the sanitizer extras
 *             only (whether or not this build has a sanitizer)
 * @names: filled with up to @max names, in table order
 * @max: room in @names
 *
 * For tests and for keeping docs/security.md true. A name is listed once
 * even when several argument rules allow it.
 *
 * Return: the number of names (which may exceed @max).
 */
size_t sandbox_syscalls(enum sandbox_class cls, bool sanitizer,
			const char **names, size_t max);

/**
 * sandbox_ioctls - the ioctl requests @cls allows, by name ("KVM_RUN")
 * @cls: the thread class
 * @sanitizer: false: the requests of every build; true: the sanitizer
 *             extras only
 * @names: filled with up to @max names, in table order
 * @max: room in @names
 *
 * Return: the number of names (which may exceed @max).
 */
size_t sandbox_ioctls(enum sandbox_class cls, bool sanitizer,
		      const char **names, size_t max);

/* True when this build adds the sanitizer extras to every list. */
static inline bool sandbox_extras_enabled(void)
{
	return SANDBOX_SANITIZER;
}

#endif
