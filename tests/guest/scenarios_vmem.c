// SPDX-License-Identifier: MIT
/*
 * The vmem scenario: "scenario=vmem mode=follow|plug|invalid|unplugged"
 * on the first virtio-mem-pci function, with the Linux-like driver of
 * vmem_sbm.c. follow tracks requested_size changes made over QMP and
 * reports each settled resize; plug times a plug of N bytes (benchmark);
 * unplugged reads unplugged memory back; invalid is in vmem_invalid.c.
 * README.md documents the options and output lines. CPL3, BSP.
 */
#include "guest.h"
#include "cpu.h"
#include "memtest.h"
#include "scenarios.h"
#include "virtio_mem.h"

#define SETTLE_TIMEOUT_MS 600000
#define LINE_MAX 64
#define UART_POLL_MS 1
#define POLL_CONFIG_US 500  /* irq=poll: config re-read period */
#define DEFAULT_STRIDE 65536 /* unplugged: beyond the just-unplugged block */
#define BUSY_RETRY_US 1000
#define FOLLOW_NACK_LIMIT 1000 /* NACKs in a row, as vmem_sbm_settle() */

struct timing {
	uint64_t n, total, min, max; /* TSC cycles per ACKed request */
};

/* Non-blocking line input from COM1 (the test's "quit", "go"). */
static bool line_poll(char *buf, unsigned int *len)
{
	char c;

	while (uart_try_getc(&c)) {
		if (c == '\r' || c == '\n') {
			if (!*len)
				continue; /* the '\n' of "\r\n" */
			buf[*len] = '\0';
			*len = 0;
			return true;
		}
		if (*len + 1 < LINE_MAX)
			buf[(*len)++] = c;
	}
	return false;
}

static void wait_line(const char *what)
{
	char buf[LINE_MAX];
	unsigned int len = 0;

	printf("vmem: %s, waiting for a line on the console\n", what);
	while (!line_poll(buf, &len))
		udelay(100);
}

struct options {
	enum virtio_irq_mode irq;
	enum vmem_pattern pattern;
	uint64_t seed;
};

static int parse_options(struct options *o, const char *mode_name)
{
	const char *irq = cmdline_get("irq"), *pat = cmdline_get("pattern");

	/* Linux uses MSI-X if the function has it (QEMU 7.2's has not). */
	o->irq = vmem_has_msix() ? VIRTIO_IRQ_MSIX : VIRTIO_IRQ_INTX;
	if (!strcmp(mode_name, "plug"))
		o->irq = VIRTIO_IRQ_POLL;
	if (irq && virtio_irq_parse(irq, &o->irq)) {
		fail("bad irq= value '%s' (poll, msix or intx)", irq);
		return -1;
	}
	o->pattern = VMEM_PATTERN_PAGE;
	if (pat && !strcmp(pat, "block"))
		o->pattern = VMEM_PATTERN_BLOCK;
	else if (pat && !strcmp(pat, "none"))
		o->pattern = VMEM_PATTERN_NONE;
	else if (pat && strcmp(pat, "page")) {
		fail("bad pattern= value '%s' (page, block or none)", pat);
		return -1;
	}
	if (cmdline_get_u64("seed", &o->seed) <= 0)
		o->seed = rdtsc();
	return 0;
}

static void print_config(const struct vmem *v)
{
	const struct virtio_mem_config *c = &v->cfg;

	printf("vmem: features offered 0x%lx accepted 0x%lx\n",
	       (unsigned long)v->vp.offered, (unsigned long)v->vp.accepted);
	printf("vmem: addr=0x%lx region_size=%lu usable=%lu plugged=%lu "
	       "requested=%lu block_size=%lu node=%u\n",
	       (unsigned long)c->addr, (unsigned long)c->region_size,
	       (unsigned long)c->usable_region_size,
	       (unsigned long)c->plugged_size,
	       (unsigned long)c->requested_size,
	       (unsigned long)c->block_size, c->node_id);
}

/*
 * One settled resize: the line the tests parse, the pattern (intact below
 * @intact, rewritten above it), "settled".
 */
static int report_resize(struct vmem *v, uint64_t t0, uint64_t req0,
			 uint64_t intact)
{
	uint64_t us = tsc_to_us(rdtsc() - t0);
	const struct virtio_mem_config *c = &v->cfg;

	if (vmem_read_config(v))
		return -1;
	printf("vmem: requested=%lu plugged=%lu usable=%lu requests=%lu "
	       "time_us=%lu\n", (unsigned long)c->requested_size,
	       (unsigned long)c->plugged_size,
	       (unsigned long)c->usable_region_size,
	       (unsigned long)(v->requests - req0), (unsigned long)us);
	printf("vmem: nacks=%lu busy=%lu config_irqs=%lu queue_irqs=%lu\n",
	       (unsigned long)v->nacks, (unsigned long)v->busy,
	       (unsigned long)v->config_irqs, (unsigned long)v->queue_irqs);
	if (!check(c->plugged_size == v->plugged, "vmem: device plugged_size "
		   "%lu is the driver's count", (unsigned long)c->plugged_size))
		return -1;
	if (vmem_pattern_update(v, intact))
		return -1;
	printf("vmem: settled\n");
	return 0;
}

/*
 * 1: the config changed, 0: "quit" arrived on the console, -1: the config
 * never read stable.
 */
static int wait_change(struct vmem *v)
{
	uint64_t uart_next = 0, req = v->cfg.requested_size;
	uint64_t usable = v->cfg.usable_region_size;
	char buf[LINE_MAX];
	unsigned int len = 0;

	/* A change that landed after the last settle's final config read. */
	if (vmem_sbm_target(v) != v->plugged)
		return 1;
	for (;;) {
		if (v->mode == VIRTIO_IRQ_POLL) {
			udelay(POLL_CONFIG_US);
			if (!vmem_read_sizes(v) &&
			    (v->cfg.requested_size != req ||
			     v->cfg.usable_region_size != usable))
				return 1;
		} else if (vmem_take_config_change(v)) {
			return vmem_read_sizes(v) ? -1 : 1;
		}
		if (tsc_expired(uart_next)) {
			if (line_poll(buf, &len) && !strcmp(buf, "quit"))
				return 0;
			uart_next = tsc_deadline_ms(UART_POLL_MS);
		}
		cpu_relax();
	}
}

/*
 * vmem_sbm_settle(), also noting the lowest plugged size on the way: when
 * requested_size flaps while the driver works, memory above that low mark
 * was unplugged (its contents gone) and plugged again, so only what is
 * below it may still hold the pattern.
 */
static int follow_settle(struct vmem *v, uint64_t *low)
{
	uint64_t deadline = tsc_deadline_ms(SETTLE_TIMEOUT_MS), target;
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
		if (tsc_expired(deadline)) {
			fail("vmem: not settled after %d ms: plugged %lu, "
			     "target %lu", SETTLE_TIMEOUT_MS,
			     (unsigned long)v->plugged, (unsigned long)target);
			return -1;
		}
		ret = vmem_sbm_step(v, target);
		if (ret < 0)
			return -1;
		*low = v->plugged < *low ? v->plugged : *low;
		if (ret == VIRTIO_MEM_RESP_ACK)
			nacks = 0;
		else if (ret == VIRTIO_MEM_RESP_BUSY)
			udelay(BUSY_RETRY_US);
		else if (vmem_read_sizes(v) || ++nacks > FOLLOW_NACK_LIMIT) {
			fail("vmem: %u NACKs in a row, requested_size %lu",
			     nacks, (unsigned long)v->cfg.requested_size);
			return -1;
		}
	}
}

static int mode_follow(struct vmem *v)
{
	uint64_t resizes = 0, done = 0, t0 = rdtsc();
	uint64_t req0 = v->requests, low;
	int ret;

	if (cmdline_get_u64("resizes", &resizes) < 0)
		return EXIT_USAGE;
	/* Linux marks the config changed at probe: the first settle. */
	for (bool initial = true;; initial = false) {
		low = v->plugged;
		if (follow_settle(v, &low) || report_resize(v, t0, req0, low))
			return EXIT_FAIL;
		done += !initial;
		if (resizes && done >= resizes)
			break;
		ret = wait_change(v);
		if (ret < 0) {
			fail("vmem: the config never read stable");
			return EXIT_FAIL;
		}
		if (!ret)
			break;
		t0 = rdtsc();
		req0 = v->requests;
	}
	pass("vmem: followed %lu resizes", (unsigned long)done);
	return EXIT_PASS;
}

/*
 * Linux-like requests from v->plugged to @target, each one timed; BUSY is
 * retried after a short back-off, NACK (requested_size too small) fails.
 */
static int move_to(struct vmem *v, uint64_t target, struct timing *t)
{
	*t = (struct timing){ .min = UINT64_MAX };
	while (v->plugged != target) {
		uint64_t t0 = rdtsc(), dt;
		int ret = vmem_sbm_step(v, target);

		dt = rdtsc() - t0;
		if (ret < 0)
			return -1;
		if (ret == VIRTIO_MEM_RESP_NACK) {
			fail("vmem: NACK on the way to %lu bytes",
			     (unsigned long)target);
			return -1;
		}
		if (ret == VIRTIO_MEM_RESP_BUSY) {
			udelay(BUSY_RETRY_US);
			continue;
		}
		t->n++;
		t->total += dt;
		t->min = dt < t->min ? dt : t->min;
		t->max = dt > t->max ? dt : t->max;
	}
	return 0;
}

static void print_timing(const char *what, uint64_t bytes,
			 const struct timing *t)
{
	uint64_t us = tsc_to_us(t->total), mib = bytes / SZ_1M;
	/* GiB/s with two decimals, in integers: MiB * 100e6 / us / 1024. */
	uint64_t centi = us ? mib * 100000000ULL / us / 1024 : 0;

	printf("vmem: %s %lu MiB in %lu requests, %lu us, %lu us per request "
	       "(min %lu, max %lu), %lu.%02lu GiB/s\n", what,
	       (unsigned long)mib, (unsigned long)t->n, (unsigned long)us,
	       (unsigned long)(t->n ? us / t->n : 0),
	       (unsigned long)(t->n ? tsc_to_us(t->min) : 0),
	       (unsigned long)tsc_to_us(t->max), (unsigned long)(centi / 100),
	       (unsigned long)(centi % 100));
}

static int mode_plug(struct vmem *v)
{
	uint64_t size = 0, unplug = 0, wait = 0;
	struct timing t;

	if (cmdline_get_u64("size", &size) <= 0 || !size ||
	    size % v->sb_size || cmdline_get_u64("unplug", &unplug) < 0 ||
	    cmdline_get_u64("wait", &wait) < 0) {
		fail("mode=plug needs size=N, a multiple of %lu MiB",
		     (unsigned long)(v->sb_size / SZ_1M));
		return EXIT_USAGE;
	}
	if (!check(vmem_sbm_target(v) >= size, "vmem: requested_size %lu and "
		   "usable_region_size %lu allow plugging %lu bytes",
		   (unsigned long)v->cfg.requested_size,
		   (unsigned long)v->cfg.usable_region_size,
		   (unsigned long)size))
		return EXIT_FAIL;
	if (move_to(v, size, &t))
		return EXIT_FAIL;
	print_timing("plugged", size, &t);
	if (vmem_read_config(v) || vmem_pattern_update(v, 0))
		return EXIT_FAIL;
	check(v->cfg.plugged_size == size, "vmem: plugged_size %lu",
	      (unsigned long)v->cfg.plugged_size);
	if (wait)
		wait_line("plugged");
	if (!unplug)
		return EXIT_PASS;
	if (move_to(v, 0, &t))
		return EXIT_FAIL;
	print_timing("unplugged", size, &t);
	if (vmem_read_config(v))
		return EXIT_FAIL;
	check(v->cfg.plugged_size == 0, "vmem: plugged_size %lu after the "
	      "unplug", (unsigned long)v->cfg.plugged_size);
	return EXIT_PASS;
}

/*
 * Reads [start, end) one word per @stride; returns how many were not
 * zero, the first in *bad, and how many held the old pattern.
 */
static uint64_t read_unplugged(const struct vmem *v, uint64_t start,
			       uint64_t end, uint64_t stride, uint64_t *bad,
			       uint64_t *old)
{
	uint64_t n = 0;

	for (uint64_t a = start; a < end; a += stride) {
		uint64_t x = *(volatile uint64_t *)(uintptr_t)a;

		if (!x)
			continue;
		if (!n++)
			*bad = a;
		*old += x == memtest_pattern(a, v->seed);
	}
	return n;
}

static int check_unplugged(struct vmem *v, uint64_t hole, uint64_t hole_end)
{
	uint64_t end = v->cfg.addr + v->cfg.usable_region_size;
	uint64_t stride = DEFAULT_STRIDE, bad = 0, old = 0, nz, words, t0, us;

	if (cmdline_get_u64("stride", &stride) < 0 || stride < 8 || stride % 8)
		return EXIT_USAGE;
	if (map_range(hole, end - hole)) {
		fail("vmem: cannot map 0x%lx-0x%lx", (unsigned long)hole,
		     (unsigned long)end);
		return EXIT_FAIL;
	}
	words = (hole_end - hole) / MEMTEST_STRIDE + 512 +
		(end - hole_end) / stride;
	t0 = rdtsc();
	/* Every page that held the pattern, all of the first page, ... */
	nz = read_unplugged(v, hole, hole_end, MEMTEST_STRIDE, &bad, &old);
	nz += read_unplugged(v, hole, hole + 4096, 8, &bad, &old);
	/* ... and the never plugged rest of the usable region, sampled. */
	nz += read_unplugged(v, hole_end, end, stride, &bad, &old);
	us = tsc_to_us(rdtsc() - t0);
	printf("vmem: unplugged: %lu words read from 0x%lx-0x%lx (%lu MiB "
	       "just unplugged), %lu us, %lu ns per read\n",
	       (unsigned long)words, (unsigned long)hole, (unsigned long)end,
	       (unsigned long)((hole_end - hole) / SZ_1M), (unsigned long)us,
	       (unsigned long)(us * 1000 / words));
	if (nz)
		printf("vmem: unplugged: first non-zero word at 0x%lx: 0x%lx\n",
		       (unsigned long)bad,
		       (unsigned long)*(volatile uint64_t *)(uintptr_t)bad);
	check(old == 0, "vmem: no old pattern comes back from unplugged "
	      "memory (%lu words did)", (unsigned long)old);
	check(nz == 0, "vmem: unplugged memory reads as zeros (%lu of %lu "
	      "words do not)", (unsigned long)nz, (unsigned long)words);
	return EXIT_PASS;
}

static int mode_unplugged(struct vmem *v)
{
	const uint64_t inaccessible =
		1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE;
	uint64_t wait = 0, full, hole, before;
	struct timing t;
	int ret;

	if (cmdline_get_u64("wait", &wait) < 0)
		return EXIT_USAGE;
	if (!check(v->vp.accepted & inaccessible,
		   "vmem: VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE negotiated"))
		return EXIT_FAIL;
	if (v->pattern == VMEM_PATTERN_NONE)
		v->pattern = VMEM_PATTERN_PAGE; /* old data must be there */
	if (vmem_sbm_settle(v, SETTLE_TIMEOUT_MS) || vmem_pattern_update(v, 0))
		return EXIT_FAIL;
	full = v->plugged;
	if (!check(full >= v->mb_size && vmem_sbm_target(v) == full &&
		   v->first + full < v->cfg.addr + v->cfg.usable_region_size,
		   "vmem: %lu bytes plugged, room above them",
		   (unsigned long)full))
		return EXIT_FAIL;
	/* Linux unplugs the top memory block in one request. */
	if (move_to(v, ALIGN_DOWN(full - 1, v->mb_size), &t))
		return EXIT_FAIL;
	hole = v->first + v->plugged;
	if (wait)
		wait_line("unplugged: before reading");
	ret = check_unplugged(v, hole, v->first + full);
	if (ret != EXIT_PASS)
		return ret;
	if (wait)
		wait_line("unplugged: read");
	/* Plug it again: new contents are undefined, the pattern rewrites. */
	before = v->plugged;
	if (vmem_sbm_settle(v, SETTLE_TIMEOUT_MS) ||
	    vmem_pattern_update(v, before))
		return EXIT_FAIL;
	check(v->plugged == full, "vmem: plugged again to %lu bytes",
	      (unsigned long)v->plugged);
	return EXIT_PASS;
}

static const char *const pattern_names[] = {
	[VMEM_PATTERN_NONE] = "none",
	[VMEM_PATTERN_PAGE] = "page",
	[VMEM_PATTERN_BLOCK] = "block",
};

int scenario_vmem(void)
{
	static const char *const modes[] = { "follow", "plug", "invalid",
					     "unplugged" };
	static struct vmem v;
	const char *mode = cmdline_get("mode"), *why = "";
	struct options o;
	unsigned int m = 0;

	while (mode && m < ARRAY_SIZE(modes) && strcmp(mode, modes[m]))
		m++;
	if (m == ARRAY_SIZE(modes)) {
		fail("bad mode= value '%s' (follow, plug, invalid, unplugged)",
		     mode);
		return EXIT_USAGE;
	}
	if (parse_options(&o, modes[m]))
		return EXIT_USAGE;
	if (vmem_probe(&v, o.irq, &why)) {
		fail("vmem: set-up: %s", why);
		return EXIT_FAIL;
	}
	v.pattern = o.pattern;
	v.seed = o.seed;
	print_config(&v);
	printf("vmem: mode=%s pattern=%s seed=0x%lx\n", modes[m],
	       pattern_names[v.pattern], (unsigned long)v.seed);
	if (m == 2)
		return vmem_invalid_run(&v);
	if (vmem_sbm_start(&v))
		return EXIT_FAIL;
	if (m == 1)
		return mode_plug(&v);
	if (m == 3)
		return mode_unplugged(&v);
	return mode_follow(&v);
}
