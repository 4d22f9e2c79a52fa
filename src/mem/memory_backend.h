// SPDX-License-Identifier: MIT
/*
 * Host memory for memory devices: -object memory-backend-ram|memfd|file
 * turned into a mapping, with QEMU's rules, plus the two operations
 * virtio-mem needs on a range: discard (give the memory back to the host,
 * as QEMU's ram_block_discard_range) and populate (allocate it now, so
 * that a failure is an error instead of a SIGBUS later).
 *
 * Context: created and destroyed on the main thread while the machine is
 * built; discard/populate run with dm_lock held (any thread).
 */
#ifndef FLEXVM_MEM_MEMORY_BACKEND_H
#define FLEXVM_MEM_MEMORY_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "config/memory_backend_config.h"
#include "mem/canary.h"
#include "util/compiler.h"
#include "util/error.h"

struct qom_object;

struct memory_backend {
	struct memory_backend_config cfg;	/* as given, checked */
	void *hva;		/* the mapping: map_size bytes */
	uint64_t map_size;	/* cfg.size rounded up to page_size */
	uint64_t page_size;	/* 4 KiB, or the huge page size */
	int fd;			/* memfd or file; -1 for ram */
	bool hugetlbfs;		/* hugetlbfs pages: discard = punch hole */
	bool shared;		/* MAP_SHARED */
	/* Tests set it to take the fallback of kernels before 5.14. */
	bool no_populate_madvise;
	const char *user;	/* id of the device using it, or NULL */
	struct qom_object *qom;	/* /objects/<id>, or NULL */
	struct canary canary;	/* -machine x-canary=on, else zeroed */
};

/* The backends of a machine, in command-line order. */
struct memory_backend_list {
	struct memory_backend *b;
	unsigned nr;
	bool canary;	/* set before create_all: arm a canary on each */
};

/**
 * memory_backend_create - map the host memory @cfg describes
 * @b: filled in; release with memory_backend_destroy() on success
 * @cfg: parsed and checked config (memory_backend_config_check() is run
 *       again here)
 * @err: QEMU's wording: "cannot set up guest memory 'ID': ...", "failed
 *       to create memfd with flags 0x...", "can't open backing store ...",
 *       "backing store size 0x... does not match 'size' option 0x...",
 *       "unable to map backing store for guest RAM: ..."
 *
 * ram: anonymous, MAP_SHARED with share=on. memfd: memfd_create (with
 * MFD_HUGETLB and the page-size bits for hugetlb=on), ftruncate, seals
 * unless seal=off, MAP_SHARED unless share=off. file: mem-path is opened
 * or created (a directory gets an unlinked temporary file); an existing
 * non-empty file must be at least size bytes and is never resized; the
 * mapping is private unless share=on. reserve=off adds MAP_NORESERVE:
 * without it the kernel accounts the whole size at once, so a 1 TiB
 * backend fails on a smaller host exactly as in QEMU. The mapping is
 * aligned to 2 MiB (or the huge page size) so KVM can use huge pages;
 * non-hugetlb memory gets MADV_HUGEPAGE. prealloc=on populates it all.
 *
 * Return: 0, or -errno with @err set.
 */
int memory_backend_create(struct memory_backend *b,
			  const struct memory_backend_config *cfg,
			  struct error *err) __must_check;

/* Unmaps, closes, and drops the QOM object; safe on a zeroed @b. */
void memory_backend_destroy(struct memory_backend *b);

/**
 * memory_backend_discard - free the host memory behind a range, which then
 * reads back as zeroes
 * @b: the backend
 * @offset: from the start of the backend, a multiple of page_size
 * @len: bytes, a non-zero multiple of page_size, inside the backend
 *
 * What QEMU's ram_block_discard_range() does: MADV_DONTNEED for private
 * anonymous memory, MADV_REMOVE for shared anonymous memory, and for a
 * memfd or a file fallocate(PUNCH_HOLE | KEEP_SIZE) followed by
 * MADV_DONTNEED (which also drops private copy-on-write pages), or the
 * punch alone on hugetlbfs, where MADV_DONTNEED does not apply.
 *
 * Return: 0, -EINVAL for a misaligned or out-of-range request, or the
 * -errno of the system call.
 */
int memory_backend_discard(struct memory_backend *b, uint64_t offset,
			   uint64_t len) __must_check;

/**
 * memory_backend_populate - allocate the host memory behind a range now
 * @b: the backend
 * @offset: as for memory_backend_discard()
 * @len: as for memory_backend_discard()
 *
 * MADV_POPULATE_WRITE (Linux 5.14): the kernel faults every page in and
 * returns an error where a touch would have raised SIGBUS (an exhausted
 * huge page pool, a file that cannot grow). On older kernels, fd-backed
 * memory is first allocated with fallocate(), which reports the same
 * exhaustion as -ENOSPC/-ENOMEM, and every page is then touched (read and
 * written back, so contents are kept).
 *
 * Return: 0, -EINVAL, or -ENOMEM/-EFAULT/-ENOSPC/... when the memory is
 * not there; the range may then be partly populated.
 */
int memory_backend_populate(struct memory_backend *b, uint64_t offset,
			    uint64_t len) __must_check;

/* Host address of backend offset @offset (no checks). */
static inline void *memory_backend_hva(const struct memory_backend *b,
				       uint64_t offset)
{
	return (char *)b->hva + offset;
}

/**
 * memory_backend_create_all - create the backends of @cfgs in order and
 * register each as /objects/<id> with the read-only QOM properties size,
 * share, reserve, prealloc (and mem-path, hugetlb, hugetlbsize, seal for
 * the types that have them)
 * @l: filled in; destroy with memory_backend_destroy_all()
 * @cfgs: cfg->backends
 * @nr: cfg->nr_backends
 * @err: the first failure
 * With @l->canary, each mapping gets canaries (mem/canary.h) in
 * b[i].canary, checked by the caller and disarmed on destroy.
 * Return: 0 or -errno (nothing is left created).
 */
int memory_backend_create_all(struct memory_backend_list *l,
			      const struct memory_backend_config *cfgs,
			      unsigned nr, struct error *err) __must_check;
void memory_backend_destroy_all(struct memory_backend_list *l);

/* The backend called @id, or NULL. */
struct memory_backend *memory_backend_find(const struct memory_backend_list *l,
					   const char *id);

/**
 * memory_backend_claim - mark @b as used by device @user (a static or
 * device-owned string); a backend serves one memory device
 * Return: 0, or -EBUSY with QEMU's "'memdev' property specifies a busy
 * memdev: ID".
 */
int memory_backend_claim(struct memory_backend *b, const char *user,
			 struct error *err) __must_check;

#endif
