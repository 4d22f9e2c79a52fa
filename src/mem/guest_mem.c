// SPDX-License-Identifier: MIT
/*
 * Bounds-checked translation of guest-physical ranges to host pointers, and
 * the anonymous host mappings behind guest RAM. Regions are added while the
 * machine is built (main thread); afterwards any thread may translate
 * without a lock because the table no longer changes.
 */
#include "mem/guest_mem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

/* Last byte of [gpa, gpa + size); size is never 0 for a live region. */
static inline uint64_t guest_mem_last(uint64_t gpa, uint64_t size)
{
	return gpa + size - 1;
}

int guest_mem_add(struct guest_mem *gm, const char *name, uint64_t gpa,
		  uint64_t size, void *hva)
{
	struct guest_mem_region *r;
	uint64_t last;
	unsigned i;

	if (!size || !hva || gpa > UINT64_MAX - (size - 1))
		return -EINVAL;
	last = guest_mem_last(gpa, size);
	for (i = 0; i < gm->nr_regions; i++) {
		r = &gm->regions[i];
		if (gpa <= guest_mem_last(r->gpa, r->size) && r->gpa <= last)
			return -EEXIST;
	}
	if (gm->nr_regions == GUEST_MEM_MAX_REGIONS)
		return -ENOSPC;

	r = &gm->regions[gm->nr_regions++];
	r->name = name;
	r->gpa = gpa;
	r->size = size;
	r->hva = hva;
	return 0;
}

const struct guest_mem_region *guest_mem_find(const struct guest_mem *gm,
					      uint64_t gpa)
{
	const struct guest_mem_region *r;
	unsigned i;

	/* At most 16 regions: a linear scan beats keeping them sorted. */
	for (i = 0; i < gm->nr_regions; i++) {
		r = &gm->regions[i];
		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	const struct guest_mem_region *r = guest_mem_find(gm, gpa);
	uint64_t offset;

	if (!r)
		return NULL;
	if (!len)
		len = 1;
	/*
	 * Compare against what is left of the region rather than computing
	 * gpa + len, which a guest-chosen len could wrap. A range that runs
	 * into an adjacent region is refused too: the two host mappings are
	 * not contiguous.
	 */
	offset = gpa - r->gpa;
	if (len > r->size - offset)
		return NULL;
	if (r->filter && !r->filter(r->filter_opaque, gpa, len))
		return NULL;
	return r->hva + offset;
}

int guest_mem_set_filter(struct guest_mem *gm, uint64_t gpa,
			 guest_mem_filter_fn fn, void *opaque)
{
	for (unsigned i = 0; i < gm->nr_regions; i++) {
		if (gm->regions[i].gpa == gpa) {
			gm->regions[i].filter = fn;
			gm->regions[i].filter_opaque = opaque;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * Whether every byte of [gpa, gpa + len) is in some region. Checked before
 * copying so a failing write leaves guest memory untouched.
 */
static bool guest_mem_covered(const struct guest_mem *gm, uint64_t gpa,
			      size_t len)
{
	const struct guest_mem_region *r;
	uint64_t chunk;

	if (len && gpa > UINT64_MAX - (len - 1))
		return false;
	while (len) {
		r = guest_mem_find(gm, gpa);
		if (!r)
			return false;
		chunk = MIN((uint64_t)len, r->size - (gpa - r->gpa));
		if (r->filter && !r->filter(r->filter_opaque, gpa, chunk))
			return false;
		len -= chunk;
		gpa += chunk;	/* may reach 2^64 only when len is now 0 */
	}
	return true;
}

/*
 * A copy may cross from one region into an adjacent one (high RAM into
 * device memory, for instance): it is split at the region boundary.
 */
static void guest_mem_copy(const struct guest_mem *gm, uint64_t gpa,
			   uint8_t *buf, size_t len, bool to_guest)
{
	const struct guest_mem_region *r;
	uint64_t offset, chunk;

	while (len) {
		r = guest_mem_find(gm, gpa);
		offset = gpa - r->gpa;
		chunk = MIN((uint64_t)len, r->size - offset);
		if (to_guest)
			memcpy(r->hva + offset, buf, chunk);
		else
			memcpy(buf, r->hva + offset, chunk);
		buf += chunk;
		len -= chunk;
		gpa += chunk;
	}
}

int guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *buf,
		   size_t len)
{
	if (!guest_mem_covered(gm, gpa, len))
		return -EFAULT;
	guest_mem_copy(gm, gpa, buf, len, false);
	return 0;
}

int guest_mem_write(const struct guest_mem *gm, uint64_t gpa, const void *buf,
		    size_t len)
{
	if (!guest_mem_covered(gm, gpa, len))
		return -EFAULT;
	/* guest_mem_copy only reads from buf in this direction */
	guest_mem_copy(gm, gpa, (uint8_t *)buf, len, true);
	return 0;
}

void *guest_mem_alloc_anon(uint64_t size)
{
	void *hva;

	if (!size || size > SIZE_MAX) {
		errno = EINVAL;
		return NULL;
	}
	/*
	 * MAP_NORESERVE: a 1 TiB device-memory backend must not need 1 TiB of
	 * commit. No MADV_HUGEPAGE here (see guest_mem_advise_hugepage()):
	 * with THP, touching one byte would cost 2 MiB of host memory.
	 */
	hva = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (hva == MAP_FAILED)
		return NULL;
	return hva;
}

void guest_mem_free_anon(void *hva, uint64_t size)
{
	if (hva && size)
		munmap(hva, size);
}

int guest_mem_advise_hugepage(void *hva, uint64_t size)
{
	if (!hva || !size)
		return -EINVAL;
	if (madvise(hva, size, MADV_HUGEPAGE))
		return -errno;
	return 0;
}
