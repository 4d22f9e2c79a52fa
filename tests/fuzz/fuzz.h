// SPDX-License-Identifier: MIT
/*
 * What every fuzz harness shares: libFuzzer's entry point, which
 * replay.c also calls to run a corpus under gcc, and the invariant check.
 */
#ifndef FLEXVM_TESTS_FUZZ_H
#define FLEXVM_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* abort() is what libFuzzer reports as a crash, and fails a replay. */
#define CHECK(cond)                 \
	do {                        \
		if (!(cond))        \
			abort();    \
	} while (0)

/*
 * For a harness's own reference loops: without coverage tracing (clang's
 * libFuzzer build), so checking costs what the code under test costs.
 */
#ifdef __clang__
#define FUZZ_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define FUZZ_NO_COVERAGE
#endif

#endif
