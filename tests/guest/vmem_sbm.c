// SPDX-License-Identifier: MIT
/*
 * The Linux-like half of the virtio-mem driver (Linux 6.1 Sub Block
 * Mode): 2 MiB sub-blocks (or the device block size if larger) grouped in
 * 128 MiB memory blocks from the first 128 MiB boundary of the region;
 * plug upward (the partly plugged memory block first, then the next one,
 * one request per memory block), unplug from the top (a fully plugged
 * memory block in one request, else one sub-block per request); follow
 * requested_size with NACK -> re-read and retry, BUSY -> back off,
 * ERROR -> broken. Without unmovable pages Linux keeps the plugged set a
 * prefix [first, first + plugged), and so does this driver. Also the
 * pattern kept in plugged memory. CPL3, BSP.
 */
#include "guest.h"
#include "cpu.h"
#include "memtest.h"
#include "virtio_mem.h"

#define BUSY_BACKOFF_MIN_US 1000   /* Linux: 50 s; this is a test */
#define BUSY_BACKOFF_MAX_US 100000
#define NACK_LIMIT 1000            /* NACKs in a row with no progress */

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* UNPLUG_ALL until it is acknowledged (BUSY: back off and retry). */
static int unplug_all(struct vmem *v)
{
	uint64_t delay = BUSY_BACKOFF_MIN_US;
	struct vmem_resp r;
	const char *why = "";

	for (int tries = 0; tries < 100; tries++) {
		if (vmem_request(v, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0, &r,
				 &why)) {
			fail("vmem: UNPLUG_ALL: %s", why);
			return -1;
		}
		if (r.type == VIRTIO_MEM_RESP_ACK)
			return 0;
		if (r.type != VIRTIO_MEM_RESP_BUSY)
			break;
		udelay(delay);
		delay = min_u64(delay * 2, BUSY_BACKOFF_MAX_US);
	}
	fail("vmem: UNPLUG_ALL answered %s", vmem_resp_name(r.type));
	return -1;
}

int vmem_sbm_start(struct vmem *v)
{
	const struct virtio_mem_config *c = &v->cfg;
	uint64_t bs = c->block_size;

	if (!check(is_pow2(bs) && !(c->addr & (bs - 1)) &&
		   !(c->region_size & (bs - 1)),
		   "vmem: block_size %lu is a power of 2 aligning addr and "
		   "region_size", (unsigned long)bs))
		return -1;
	v->sb_size = bs > VMEM_SB_MIN ? bs : VMEM_SB_MIN;
	v->mb_size = v->sb_size > VMEM_MB_MIN ? v->sb_size : VMEM_MB_MIN;
	v->first = ALIGN_UP(c->addr, v->mb_size);
	v->plugged = 0;
	printf("vmem: sub-blocks of %lu MiB in memory blocks of %lu MiB from "
	       "0x%lx\n", (unsigned long)(v->sb_size / SZ_1M),
	       (unsigned long)(v->mb_size / SZ_1M), (unsigned long)v->first);
	if (!c->plugged_size)
		return 0;
	/* Linux cannot tell what is plugged: it unplugs everything. */
	printf("vmem: %lu bytes plugged at probe: UNPLUG_ALL\n",
	       (unsigned long)c->plugged_size);
	if (unplug_all(v) || vmem_read_config(v))
		return -1;
	if (!check(c->plugged_size == 0, "vmem: plugged_size %lu after "
		   "UNPLUG_ALL", (unsigned long)c->plugged_size))
		return -1;
	return 0;
}

uint64_t vmem_sbm_target(const struct vmem *v)
{
	const struct virtio_mem_config *c = &v->cfg;
	uint64_t end = ALIGN_DOWN(c->addr + c->usable_region_size, v->sb_size);
	uint64_t room = end > v->first ? end - v->first : 0;

	return min_u64(ALIGN_DOWN(c->requested_size, v->sb_size), room);
}

/* The range Linux would (un)plug next on the way to @target. */
static void next_range(const struct vmem *v, uint64_t target,
		       uint64_t *start, uint64_t *end)
{
	uint64_t mb;

	if (v->plugged < target) {
		/* Fill the partly plugged memory block, or add the next. */
		*start = v->first + v->plugged;
		mb = v->first + ALIGN_DOWN(v->plugged, v->mb_size);
		*end = min_u64(mb + v->mb_size, v->first + target);
		return;
	}
	*end = v->first + v->plugged;
	mb = v->first + ALIGN_DOWN(v->plugged - 1, v->mb_size);
	/* A fully plugged block goes in one shot, else sub-block by one. */
	if (*end - mb == v->mb_size && v->plugged - target >= v->mb_size)
		*start = mb;
	else
		*start = *end - v->sb_size;
}

int vmem_sbm_step(struct vmem *v, uint64_t target)
{
	bool plug = v->plugged < target;
	uint16_t type = plug ? VIRTIO_MEM_REQ_PLUG : VIRTIO_MEM_REQ_UNPLUG;
	const char *op = plug ? "PLUG" : "UNPLUG", *why = "";
	uint64_t start, end;
	struct vmem_resp r;
	uint16_t nb;

	next_range(v, target, &start, &end);
	nb = (uint16_t)((end - start) / v->cfg.block_size);
	if (vmem_request(v, type, start, nb, &r, &why)) {
		fail("vmem: %s 0x%lx +%u blocks: %s", op,
		     (unsigned long)start, nb, why);
		v->broken = true;
		return -1;
	}
	switch (r.type) {
	case VIRTIO_MEM_RESP_ACK:
		v->plugged = plug ? v->plugged + (end - start)
				  : v->plugged - (end - start);
		return VIRTIO_MEM_RESP_ACK;
	case VIRTIO_MEM_RESP_NACK:
		v->nacks++;
		if (plug)
			return VIRTIO_MEM_RESP_NACK;
		break; /* the spec allows NACK for PLUG only */
	case VIRTIO_MEM_RESP_BUSY:
		v->busy++;
		return VIRTIO_MEM_RESP_BUSY;
	default:
		break;
	}
	/* Linux: an unexpected answer marks the device broken for good. */
	v->broken = true;
	fail("vmem: %s 0x%lx +%u blocks answered %s (%u): driver broken", op,
	     (unsigned long)start, nb, vmem_resp_name(r.type), r.type);
	return -1;
}

/* BUSY: waits @us, or less if a config change arrives (Linux too). */
static void busy_wait(struct vmem *v, uint64_t us)
{
	uint64_t end = rdtsc() + us * (tsc_hz() / 1000000);

	while (!tsc_expired(end) && !vmem_events(v))
		cpu_relax();
}

int vmem_sbm_settle(struct vmem *v, uint64_t timeout_ms)
{
	uint64_t deadline = tsc_deadline_ms(timeout_ms);
	uint64_t delay = BUSY_BACKOFF_MIN_US, target;
	unsigned int nacks = 0;
	int ret;

	for (;;) {
		if (vmem_take_config_change(v) && vmem_read_sizes(v)) {
			fail("vmem: the config never read stable");
			return -1;
		}
		target = vmem_sbm_target(v);
		if (v->plugged == target)
			return 0;
		if (v->broken || tsc_expired(deadline)) {
			fail("vmem: not settled after %lu ms: plugged %lu, "
			     "target %lu", (unsigned long)timeout_ms,
			     (unsigned long)v->plugged,
			     (unsigned long)target);
			return -1;
		}
		ret = vmem_sbm_step(v, target);
		if (ret < 0)
			return -1;
		if (ret == VIRTIO_MEM_RESP_ACK) {
			delay = BUSY_BACKOFF_MIN_US;
			nacks = 0;
		} else if (ret == VIRTIO_MEM_RESP_BUSY) {
			busy_wait(v, delay);
			delay = min_u64(delay * 2, BUSY_BACKOFF_MAX_US);
		} else if (vmem_read_sizes(v) || ++nacks > NACK_LIMIT) {
			/* NACK: requested_size shrank; re-read, retry. */
			fail("vmem: %u NACKs in a row, requested_size %lu",
			     nacks, (unsigned long)v->cfg.requested_size);
			return -1;
		}
	}
}

uint64_t vmem_pattern_stride(const struct vmem *v)
{
	return v->pattern == VMEM_PATTERN_BLOCK ? SZ_2M : MEMTEST_STRIDE;
}

void vmem_pattern_fill(const struct vmem *v, uint64_t start, uint64_t end)
{
	uint64_t stride = vmem_pattern_stride(v);

	for (uint64_t a = start; a < end; a += stride) {
		volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)a;

		*p = memtest_pattern(a, v->seed);
	}
}

uint64_t vmem_pattern_verify(const struct vmem *v, uint64_t start,
			     uint64_t end, uint64_t *first_bad)
{
	uint64_t stride = vmem_pattern_stride(v), bad = 0;

	for (uint64_t a = start; a < end; a += stride) {
		if (*(volatile uint64_t *)(uintptr_t)a ==
		    memtest_pattern(a, v->seed))
			continue;
		if (!bad)
			*first_bad = a;
		bad++;
	}
	return bad;
}

int vmem_pattern_update(struct vmem *v, uint64_t old_plugged)
{
	uint64_t keep = min_u64(old_plugged, v->plugged), bad, first_bad = 0;
	uint64_t start = v->first + old_plugged, end = v->first + v->plugged;
	uint64_t t0, t1, t2;

	if (v->pattern == VMEM_PATTERN_NONE)
		return 0;
	if (end > start && map_range(start, end - start)) {
		fail("vmem: cannot map 0x%lx-0x%lx (page-table pool: %u "
		     "pages left)", (unsigned long)start, (unsigned long)end,
		     pt_pool_free());
		return -1;
	}
	t0 = rdtsc();
	bad = vmem_pattern_verify(v, v->first, v->first + keep, &first_bad);
	t1 = rdtsc();
	if (end > start)
		vmem_pattern_fill(v, start, end);
	t2 = rdtsc();
	if (bad) {
		fail("vmem: pattern: %lu words lost, first at 0x%lx: 0x%lx, "
		     "expected 0x%lx", (unsigned long)bad,
		     (unsigned long)first_bad,
		     (unsigned long)*(volatile uint64_t *)(uintptr_t)first_bad,
		     (unsigned long)memtest_pattern(first_bad, v->seed));
		return -1;
	}
	printf("vmem: pattern ok, %lu MiB checked, %lu MiB written, verify "
	       "%lu ms, fill %lu ms\n", (unsigned long)(keep / SZ_1M),
	       (unsigned long)(end > start ? (end - start) / SZ_1M : 0),
	       (unsigned long)(tsc_to_us(t1 - t0) / 1000),
	       (unsigned long)(tsc_to_us(t2 - t1) / 1000));
	return 0;
}
