// SPDX-License-Identifier: MIT
/*
 * Canaries around the host mappings of guest memory, and the aligned
 * mmap with reserved margins they sit in. Main thread, machine build and
 * teardown; no locks.
 *
 * Layout on each side: [guard][canary][guest memory][canary][guard].
 * The canary is next to guest memory and stays writable on purpose: the
 * bug it is for (a bounds check off by a little, a copy running past the
 * end) then leaves evidence that the exit check reports in one clear line
 * with the address, instead of a SIGSEGV somewhere in a device model with
 * the guest's state lost. A write that runs on past the canary hits the
 * PROT_NONE guard and stops there, before it reaches unrelated memory.
 */
#include "mem/canary.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/*
 * Byte @i of a canary. It varies with the offset, so a shifted copy of
 * the canary (a memmove gone wrong) does not look intact either.
 */
static uint8_t canary_byte(size_t i)
{
	return (uint8_t)(0xa5 ^ (i * 0x9d) ^ (i >> 8));
}

static void canary_fill(uint8_t *p)
{
	for (size_t i = 0; i < CANARY_SIZE; i++)
		p[i] = canary_byte(i);
}

void *canary_mmap_aligned(uint64_t len, uint64_t align, int flags, int fd,
			  uint64_t margin)
{
	uint64_t total = len + align + 2 * margin;
	char *base, *start, *p, *end;
	int e;

	if (!len || total < len) {	/* a size near 2^64 wrapped */
		errno = ENOMEM;
		return MAP_FAILED;
	}
	base = mmap(NULL, total, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return MAP_FAILED;
	start = (char *)ALIGN_UP((uintptr_t)base + margin, align);
	p = mmap(start, len, PROT_READ | PROT_WRITE, flags | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED) {
		e = errno;
		munmap(base, total);
		errno = e;
		return MAP_FAILED;
	}
	/* Trim the slack; the margins stay reserved for the caller. */
	if (start - margin > base)
		munmap(base, (size_t)(start - margin - base));
	end = start + len + margin;
	if (end < base + total)
		munmap(end, (size_t)(base + total - end));
	return start;
}

int canary_arm(struct canary *c, const char *name, void *hva, uint64_t len)
{
	uint8_t *before = (uint8_t *)hva - CANARY_SIZE;
	uint8_t *after = (uint8_t *)hva + len;
	void *p, *q;
	int e;

	memset(c, 0, sizeof(*c));
	if (len % CANARY_PAGE_SIZE) {
		e = EINVAL;
		goto err_unmap;
	}
	/* MAP_FIXED over the margins the caller reserved for us. */
	p = mmap(before, CANARY_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	q = mmap(after, CANARY_SIZE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED || q == MAP_FAILED) {
		e = errno;
		goto err_unmap;
	}
	canary_fill(before);
	canary_fill(after);
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->before = before;
	c->after = after;
	return 0;

err_unmap:
	/* A mapping always ends on a page boundary, whatever @len says. */
	after = (uint8_t *)hva + ALIGN_UP(len, CANARY_PAGE_SIZE);
	munmap(before - CANARY_GUARD_SIZE, CANARY_MARGIN);
	munmap(after, CANARY_MARGIN);
	return -e;
}

/* How many bytes of @p differ from the pattern; *@first is the first. */
static size_t canary_damage(const uint8_t *p, size_t *first)
{
	size_t n = 0;

	for (size_t i = CANARY_SIZE; i-- > 0;) {
		if (p[i] != canary_byte(i)) {
			*first = i;
			n++;
		}
	}
	return n;
}

int canary_check(const struct canary *c, struct error *err)
{
	const uint8_t *side[2] = { c->before, c->after };
	static const char *const where[2] = { "before", "after" };
	size_t first = 0, n;

	for (unsigned i = 0; i < 2; i++) {
		if (!side[i])
			continue;
		n = canary_damage(side[i], &first);
		if (!n)
			continue;
		error_setg(err, "canary %s %s at %p was overwritten: %zu "
			   "byte%s changed, the first at offset %zu",
			   where[i], c->name, (const void *)side[i], n,
			   n == 1 ? "" : "s", first);
		return -EFAULT;
	}
	return 0;
}

void canary_disarm(struct canary *c)
{
	if (c->before)
		munmap(c->before - CANARY_GUARD_SIZE, CANARY_MARGIN);
	if (c->after)
		munmap(c->after, CANARY_MARGIN);
	memset(c, 0, sizeof(*c));
}
