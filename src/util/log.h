// SPDX-License-Identifier: MIT
/*
 * Logging to stderr in QEMU's style ("flexvm: message"). Safe from any
 * thread: each line is written with a single write(2). log_ratelimited()
 * protects against a guest that triggers a warning in a loop.
 */
#ifndef FLEXVM_UTIL_LOG_H
#define FLEXVM_UTIL_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "util/compiler.h"

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* The program name that prefixes every line ("flexvm" by default). */
void log_set_progname(const char *name);
/* Messages above this level are dropped; LOG_WARN by default. */
void log_set_level(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __printf(2, 3);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Prints the message and exits with status 1. Only before the guest runs. */
void die(const char *fmt, ...) __printf(1, 2) __noreturn;

/*
 * A token bucket for guest-triggered messages: at most @burst messages,
 * refilled at one per @interval_ms. Zero-initialise, then set the limits.
 */
struct ratelimit {
	unsigned burst;
	unsigned interval_ms;
	unsigned tokens;
	uint64_t last_refill_ms;
	unsigned suppressed;
	bool primed;
};

/* True when the caller may log now; counts suppressed calls otherwise. */
bool ratelimit_allow(struct ratelimit *rl);

#define log_ratelimited(rl, ...)                                   \
	do {                                                       \
		if (ratelimit_allow(rl))                           \
			log_msg(LOG_WARN, __VA_ARGS__);            \
	} while (0)

#endif
