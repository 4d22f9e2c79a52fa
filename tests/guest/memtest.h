// SPDX-License-Identifier: MIT
/*
 * A sparse memory test: one 64-bit word per 4 KiB page, whose value
 * depends on its address and a seed, so a page that aliases another, or
 * that loses its contents, is caught. Used by the memtest scenario for
 * the RAM of the memory map, and meant for plugged virtio-mem memory.
 * CPL3; the range must be mapped.
 */
#ifndef GUEST_MEMTEST_H
#define GUEST_MEMTEST_H

#include <stdint.h>

#define MEMTEST_STRIDE 4096

/* The word stored at @addr (a multiple of MEMTEST_STRIDE) for @seed. */
uint64_t memtest_pattern(uint64_t addr, uint64_t seed);

/* Writes the pattern into [start, end), both multiples of the stride. */
void memtest_fill(uint64_t start, uint64_t end, uint64_t seed);

/*
 * Reads the words back; returns how many differ, and the first bad
 * address in *first_bad (untouched if none).
 */
uint64_t memtest_verify(uint64_t start, uint64_t end, uint64_t seed,
			uint64_t *first_bad);

#endif
