// SPDX-License-Identifier: MIT
/*
 * Memory backends: the host mapping of -object memory-backend-*, and the
 * discard/populate operations virtio-mem applies to ranges of it. QEMU
 * 7.2's behaviour and messages are the reference (checked by running
 * qemu-system-x86_64 with each case). Created on the main thread before
 * the vCPUs run; discard/populate are called with dm_lock held.
 */
#include "mem/memory_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/falloc.h>
#include <linux/magic.h>
#include <linux/memfd.h>

#include "mem/canary.h"
#include "monitor/qom.h"
#include "util/log.h"

/* Where huge pages can back a KVM mapping: THP on x86. */
#define BACKEND_MAP_ALIGN	(2 * MiB)

/* The page size of @fd's filesystem: the huge page size on hugetlbfs. */
static uint64_t backend_fd_page_size(int fd, bool *hugetlbfs)
{
	struct statfs fs;

	*hugetlbfs = !fstatfs(fd, &fs) && fs.f_type == HUGETLBFS_MAGIC;
	return *hugetlbfs ? (uint64_t)fs.f_bsize : (uint64_t)getpagesize();
}

/* -machine x-canary=on: see mem/canary.h. */
static int backend_arm_canary(struct memory_backend *b, struct error *err)
{
	char name[sizeof(b->canary.name)];
	int ret;

	snprintf(name, sizeof(name), "memory backend '%s'", b->cfg.id);
	ret = canary_arm(&b->canary, name, b->hva, b->map_size);
	if (ret)
		error_setg_errno(err, -ret, "cannot set up the canaries of "
				 "guest memory '%s'", b->cfg.id);
	return ret;
}

static int backend_map(struct memory_backend *b, bool canary,
		       struct error *err)
{
	int flags = b->shared ? MAP_SHARED : MAP_PRIVATE;
	size_t len;
	void *p;
	int e;

	if (!b->cfg.reserve)
		flags |= MAP_NORESERVE;
	if (b->fd < 0)
		flags |= MAP_ANONYMOUS;
	p = canary_mmap_aligned(b->map_size,
				MAX(b->page_size, BACKEND_MAP_ALIGN), flags,
				b->fd, canary ? CANARY_MARGIN : 0);
	if (p == MAP_FAILED && b->fd >= 0) {
		error_setg_errno(err, errno, "unable to map backing store for "
				 "guest RAM");
		return -ENOMEM;
	}
	if (p == MAP_FAILED) {
		e = errno;
		error_setg_errno(err, e, "cannot set up guest memory '%s'",
				 b->cfg.id);
		/* The usual cause: reserve=on accounts it all up front. */
		len = strlen(err->msg);
		if (e == ENOMEM && b->cfg.reserve)
			snprintf(err->msg + len, sizeof(err->msg) - len,
				 "\nA sparse backend (virtio-mem) wants "
				 "reserve=off, which reserves no swap space.");
		return -ENOMEM;
	}
	b->hva = p;
	/* QEMU asks for THP on all guest RAM; hugetlb pages are huge already */
	if (!b->hugetlbfs)
		madvise(p, b->map_size, MADV_HUGEPAGE);
	return canary ? backend_arm_canary(b, err) : 0;
}

/* memfd_create flags as QEMU's qemu_memfd_create() builds them. */
static unsigned backend_memfd_flags(const struct memory_backend_config *c)
{
	unsigned flags = MFD_CLOEXEC;

	if (c->seal)
		flags |= MFD_ALLOW_SEALING;
	if (c->hugetlb) {
		flags |= MFD_HUGETLB;
		if (c->hugetlbsize)
			flags |= (unsigned)__builtin_ctzll(c->hugetlbsize)
				 << MFD_HUGE_SHIFT;
	}
	return flags;
}

static int backend_open_memfd(struct memory_backend *b, struct error *err)
{
	const struct memory_backend_config *c = &b->cfg;
	unsigned flags = backend_memfd_flags(c);
	int e;

	b->fd = memfd_create("memory-backend-memfd", flags);
	if (b->fd < 0) {
		e = errno;
		error_setg_errno(err, e, "failed to create memfd with flags "
				 "0x%x", flags);
		return -e;
	}
	b->page_size = backend_fd_page_size(b->fd, &b->hugetlbfs);
	b->map_size = ALIGN_UP(c->size, b->page_size);
	if (ftruncate(b->fd, (off_t)c->size) < 0) {
		e = errno;
		error_setg_errno(err, e, "failed to resize memfd to %llu",
				 (unsigned long long)c->size);
		return -e;
	}
	if (c->seal && fcntl(b->fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK |
			     F_SEAL_SEAL) < 0) {
		e = errno;
		error_setg_errno(err, e, "failed to add seals");
		return -e;
	}
	b->shared = c->share;
	return 0;
}

/*
 * QEMU's file_ram_open(): an existing file is used as is, a missing one
 * is created, and a directory gets an unlinked temporary file.
 */
static int backend_open_path(struct memory_backend *b, bool *created)
{
	const char *path = b->cfg.mem_path;
	char tmpl[PATH_MAX];
	struct stat st;

	*created = false;
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		if (snprintf(tmpl, sizeof(tmpl), "%s/flexvm_back_mem.%s.XXXXXX",
			     path, b->cfg.id) >= (int)sizeof(tmpl))
			return -ENAMETOOLONG;
		b->fd = mkostemp(tmpl, O_CLOEXEC);
		if (b->fd >= 0)
			unlink(tmpl);
		return b->fd < 0 ? -errno : 0;
	}
	b->fd = open(path, O_RDWR | O_CLOEXEC);
	if (b->fd < 0 && errno == ENOENT) {
		b->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		*created = b->fd >= 0;
	}
	return b->fd < 0 ? -errno : 0;
}

static int backend_open_file(struct memory_backend *b, struct error *err)
{
	const struct memory_backend_config *c = &b->cfg;
	bool created;
	struct stat st;
	int ret;

	ret = backend_open_path(b, &created);
	if (ret) {
		error_setg_errno(err, -ret, "can't open backing store %s for "
				 "guest RAM", c->mem_path);
		return ret;
	}
	b->page_size = backend_fd_page_size(b->fd, &b->hugetlbfs);
	if (fstat(b->fd, &st) < 0)
		st.st_size = 0;
	if (st.st_size > 0 && (uint64_t)st.st_size < c->size) {
		error_setg(err, "backing store size 0x%llx does not match "
			   "'size' option 0x%llx",
			   (unsigned long long)st.st_size,
			   (unsigned long long)c->size);
		ret = -EINVAL;
	} else if (c->size < b->page_size) {
		error_setg(err, "memory size 0x%llx must be equal to or larger "
			   "than page size 0x%llx",
			   (unsigned long long)c->size,
			   (unsigned long long)b->page_size);
		ret = -EINVAL;
	}
	if (ret && created)
		unlink(c->mem_path);
	if (ret)
		return ret;
	b->map_size = ALIGN_UP(c->size, b->page_size);
	/* Never resize a file with data in it (QEMU: vNVDIMM labels). */
	if (st.st_size == 0 && ftruncate(b->fd, (off_t)b->map_size) < 0)
		log_warn("ftruncate: %s", strerror(errno));
	b->shared = c->share;
	return 0;
}

static int backend_create(struct memory_backend *b,
			  const struct memory_backend_config *cfg,
			  bool canary, struct error *err)
{
	int ret;

	memset(b, 0, sizeof(*b));
	b->cfg = *cfg;
	b->fd = -1;
	if (memory_backend_config_check(cfg, err))
		return -EINVAL;
	if (cfg->type == MEMORY_BACKEND_MEMFD) {
		ret = backend_open_memfd(b, err);
	} else if (cfg->type == MEMORY_BACKEND_FILE) {
		ret = backend_open_file(b, err);
	} else {
		b->page_size = (uint64_t)getpagesize();
		b->map_size = ALIGN_UP(cfg->size, b->page_size);
		b->shared = cfg->share;
		ret = 0;
	}
	if (!ret)
		ret = backend_map(b, canary, err);
	if (!ret && cfg->prealloc) {
		ret = memory_backend_populate(b, 0, b->map_size);
		if (ret)
			error_setg_errno(err, -ret, "preallocating memory "
					 "failed");
	}
	if (ret)
		memory_backend_destroy(b);
	return ret;
}

int memory_backend_create(struct memory_backend *b,
			  const struct memory_backend_config *cfg,
			  struct error *err)
{
	return backend_create(b, cfg, false, err);
}

void memory_backend_destroy(struct memory_backend *b)
{
	char path[sizeof(b->cfg.id) + 16];

	if (b->qom) {
		/* A copy: the object's own path goes with it. */
		snprintf(path, sizeof(path), "%s", qom_object_path(b->qom));
		qom_remove(path);
	}
	canary_disarm(&b->canary);
	if (b->hva)
		munmap(b->hva, b->map_size);
	if (b->fd >= 0)
		close(b->fd);
	memset(b, 0, sizeof(*b));
	b->fd = -1;
}

static bool backend_range_ok(const struct memory_backend *b, uint64_t offset,
			     uint64_t len)
{
	return len && IS_ALIGNED(offset, b->page_size) &&
	       IS_ALIGNED(len, b->page_size) && offset < b->map_size &&
	       len <= b->map_size - offset;
}

int memory_backend_discard(struct memory_backend *b, uint64_t offset,
			   uint64_t len)
{
	void *p = memory_backend_hva(b, offset);
	int advice = b->shared ? MADV_REMOVE : MADV_DONTNEED;

	if (!backend_range_ok(b, offset, len))
		return -EINVAL;
	if (b->fd >= 0) {
		if (fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      (off_t)offset, (off_t)len) < 0)
			return -errno;
		/* A private mapping also holds copy-on-write pages. */
		if (b->hugetlbfs)
			return 0;
		advice = MADV_DONTNEED;
	}
	return madvise(p, len, advice) < 0 ? -errno : 0;
}

/*
 * Before MADV_POPULATE_WRITE: allocate fd-backed pages with fallocate(),
 * which fails cleanly where touching would raise SIGBUS, then touch each
 * page. Anonymous private memory cannot SIGBUS (the OOM killer acts
 * instead, as it would for QEMU).
 */
static int backend_populate_by_touch(struct memory_backend *b,
				     uint64_t offset, uint64_t len)
{
	volatile char *p = memory_backend_hva(b, offset);
	uint64_t i;

	if (b->fd >= 0 && fallocate(b->fd, 0, (off_t)offset, (off_t)len) < 0 &&
	    errno != EOPNOTSUPP)
		return -errno;
	/* Read and write back: a shared backend keeps its contents. */
	for (i = 0; i < len; i += b->page_size)
		p[i] = p[i];
	return 0;
}

int memory_backend_populate(struct memory_backend *b, uint64_t offset,
			    uint64_t len)
{
	if (!backend_range_ok(b, offset, len))
		return -EINVAL;
	if (!b->no_populate_madvise) {
		if (!madvise(memory_backend_hva(b, offset), len,
			     MADV_POPULATE_WRITE))
			return 0;
		/* EINVAL: a kernel before 5.14 does not know the advice. */
		if (errno != EINVAL)
			return -errno;
		b->no_populate_madvise = true;
	}
	return backend_populate_by_touch(b, offset, len);
}

int memory_backend_claim(struct memory_backend *b, const char *user,
			 struct error *err)
{
	if (b->user) {
		error_setg(err, "'memdev' property specifies a busy memdev: %s",
			   b->cfg.id);
		return -EBUSY;
	}
	b->user = user;
	return 0;
}

/* ---- the QOM object /objects/<id> (read-only properties) ---- */

static int backend_qom_get_bool(struct qom_object *obj, void *opaque,
				struct qom_value *out, struct error *err)
{
	(void)obj;
	(void)err;
	out->type = QOM_TYPE_BOOL;
	out->b = *(const bool *)opaque;
	return 0;
}

static int backend_qom_get_size(struct qom_object *obj, void *opaque,
				struct qom_value *out, struct error *err)
{
	(void)obj;
	(void)err;
	out->type = QOM_TYPE_SIZE;
	out->u = *(const uint64_t *)opaque;
	return 0;
}

static int backend_qom_get_str(struct qom_object *obj, void *opaque,
			       struct qom_value *out, struct error *err)
{
	(void)obj;
	(void)err;
	out->type = QOM_TYPE_STR;
	out->s = opaque;
	return 0;
}

#define QOM_BOOL(n, field) { n, "bool", QOM_TYPE_BOOL, \
			     backend_qom_get_bool, NULL, &c->field }
#define QOM_SIZE(n, field) { n, "int", QOM_TYPE_SIZE, \
			     backend_qom_get_size, NULL, &c->field }

static int backend_qom_register(struct memory_backend *b, struct error *err)
{
	struct memory_backend_config *c = &b->cfg;
	struct qom_prop props[8] = {
		QOM_SIZE("size", size), QOM_BOOL("share", share),
		QOM_BOOL("reserve", reserve), QOM_BOOL("prealloc", prealloc),
	};
	unsigned n = 4;
	char path[sizeof(c->id) + 16];

	if (c->type == MEMORY_BACKEND_FILE) {
		props[n++] = (struct qom_prop){ "mem-path", "string",
			QOM_TYPE_STR, backend_qom_get_str, NULL, c->mem_path };
	} else if (c->type == MEMORY_BACKEND_MEMFD) {
		props[n++] = (struct qom_prop)QOM_BOOL("hugetlb", hugetlb);
		props[n++] = (struct qom_prop)QOM_SIZE("hugetlbsize",
						       hugetlbsize);
		props[n++] = (struct qom_prop)QOM_BOOL("seal", seal);
	}
	snprintf(path, sizeof(path), "/objects/%s", c->id);
	b->qom = qom_add(path, memory_backend_config_type_name(c->type), props,
			 n, err);
	return b->qom ? 0 : -EEXIST;
}

int memory_backend_create_all(struct memory_backend_list *l,
			      const struct memory_backend_config *cfgs,
			      unsigned nr, struct error *err)
{
	int ret = 0;

	l->nr = 0;
	l->b = calloc(nr + 1, sizeof(*l->b));
	if (!l->b) {
		error_setg(err, "out of memory");
		return -ENOMEM;
	}
	for (unsigned i = 0; !ret && i < nr; i++) {
		ret = backend_create(&l->b[i], &cfgs[i], l->canary, err);
		if (!ret)
			l->nr++;
		if (!ret)
			ret = backend_qom_register(&l->b[i], err);
	}
	if (ret)
		memory_backend_destroy_all(l);
	return ret;
}

void memory_backend_destroy_all(struct memory_backend_list *l)
{
	for (unsigned i = 0; i < l->nr; i++)
		memory_backend_destroy(&l->b[i]);
	free(l->b);
	l->b = NULL;
	l->nr = 0;
}

struct memory_backend *memory_backend_find(const struct memory_backend_list *l,
					   const char *id)
{
	for (unsigned i = 0; i < l->nr; i++)
		if (!strcmp(l->b[i].cfg.id, id))
			return &l->b[i];
	return NULL;
}
