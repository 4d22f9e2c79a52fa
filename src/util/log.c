// SPDX-License-Identifier: MIT
/*
 * stderr logging and a rate limiter for messages a guest can trigger.
 * Callable from any thread; the rate limiter itself is not locked, callers
 * keep one per device under the device-model lock.
 */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *progname = "flexvm";
static enum log_level max_level = LOG_WARN;

void log_set_progname(const char *name)
{
	progname = name;
}

void log_set_level(enum log_level level)
{
	max_level = level;
}

static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	static const char *const prefix[] = {
		[LOG_ERROR] = "", [LOG_WARN] = "warning: ",
		[LOG_INFO] = "info: ", [LOG_DEBUG] = "debug: ",
	};
	char line[1024];
	int n;

	if (level > max_level)
		return;
	n = snprintf(line, sizeof(line), "%s: %s", progname, prefix[level]);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	n = (int)strlen(line);
	line[n++] = '\n';
	/* One write per line keeps lines from different threads whole. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}

static uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool ratelimit_allow(struct ratelimit *rl)
{
	uint64_t now = monotonic_ms();
	uint64_t refill;

	if (!rl->primed) {
		rl->primed = true;
		rl->tokens = rl->burst;
		rl->last_refill_ms = now;
	}
	refill = rl->interval_ms ? (now - rl->last_refill_ms) / rl->interval_ms
				 : rl->burst;
	if (refill) {
		rl->tokens = (unsigned)MIN((uint64_t)rl->burst,
					   rl->tokens + refill);
		rl->last_refill_ms = now;
	}
	if (rl->tokens == 0) {
		rl->suppressed++;
		return false;
	}
	rl->tokens--;
	if (rl->suppressed) {
		log_msg(LOG_WARN, "%u similar messages suppressed",
			rl->suppressed);
		rl->suppressed = 0;
	}
	return true;
}
