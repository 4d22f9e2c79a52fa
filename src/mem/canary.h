// SPDX-License-Identifier: MIT
/*
 * Canaries around guest memory (-machine x-canary=on, a debugging aid):
 * each host mapping that backs guest-physical memory gets, directly below
 * and directly above it, a few pages filled with a known pattern, and
 * beyond each of those one PROT_NONE guard page. A device model that
 * writes past either end of guest memory changes a canary, which
 * canary_check() reports at exit. Main thread, while the machine is built
 * and torn down; no locks.
 */
#ifndef FLEXVM_MEM_CANARY_H
#define FLEXVM_MEM_CANARY_H

#include <stdint.h>

#include "util/compiler.h"
#include "util/error.h"

#define CANARY_PAGE_SIZE	4096u
/* Pattern bytes on each side: a few pages, whatever the mapping's size. */
#define CANARY_SIZE		(2 * CANARY_PAGE_SIZE)
#define CANARY_GUARD_SIZE	CANARY_PAGE_SIZE
/* Address space to reserve on each side: canary, then guard outside it. */
#define CANARY_MARGIN		(CANARY_SIZE + CANARY_GUARD_SIZE)

struct canary {
	char name[160];		/* "guest RAM", "memory backend 'mem0'" */
	uint8_t *before;	/* CANARY_SIZE bytes ending at the mapping */
	uint8_t *after;		/* CANARY_SIZE bytes from the mapping's end */
};

/**
 * canary_mmap_aligned - mmap(2) @len bytes readable and writable at an
 * address aligned to @align, with @margin bytes of address space reserved
 * (PROT_NONE) directly below and above the mapping
 * @len: bytes, non-zero
 * @align: a power of two, at least the page size
 * @flags: mmap flags (MAP_FIXED is added); MAP_ANONYMOUS with @fd -1
 * @fd: file or memfd to map from offset 0, or -1
 * @margin: 0, or CANARY_MARGIN for canary_arm()
 *
 * Reserves address space with slack, maps over it and trims the slack, as
 * QEMU's qemu_ram_mmap() does. The margins belong to the caller: release
 * them with canary_disarm() (after canary_arm()) or munmap(2).
 * Return: the mapping, or MAP_FAILED with errno set.
 */
void *canary_mmap_aligned(uint64_t len, uint64_t align, int flags, int fd,
			  uint64_t margin);

/**
 * canary_arm - fill the margins around a mapping with a canary each
 * @c: filled in
 * @name: what the mapping backs, for the report
 * @hva: the mapping; CANARY_MARGIN bytes below and above it must be
 *       address space the caller reserved (canary_mmap_aligned())
 * @len: its size in bytes, a multiple of CANARY_PAGE_SIZE
 *
 * Maps CANARY_SIZE bytes of private anonymous memory directly below and
 * directly above the mapping and fills them with the pattern; the outer
 * CANARY_GUARD_SIZE bytes of each margin stay PROT_NONE.
 * Return: 0, or -errno (@c is then zeroed and both margins unmapped).
 */
int canary_arm(struct canary *c, const char *name, void *hva,
	       uint64_t len) __must_check;

/**
 * canary_check - has anything written to either canary of @c?
 * @c: armed, or zeroed (then nothing is checked)
 * @err: on damage, "canary after guest RAM at 0x7f... was overwritten:
 *       3 bytes changed, the first at offset 0" (the first damaged side)
 * Return: 0 when both canaries still hold the pattern, else -EFAULT.
 */
int canary_check(const struct canary *c, struct error *err) __must_check;

/*
 * canary_disarm - unmap both margins (canaries and guards) and zero @c;
 * the caller unmaps the mapping itself. Safe on a zeroed @c.
 */
void canary_disarm(struct canary *c);

#endif
