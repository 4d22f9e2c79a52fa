// SPDX-License-Identifier: MIT
/*
 * scenario=hostile: runs the attacks of hostile_virtio.c and hostile_pci.c
 * (attack=<name>, all or list) and, after each one, checks that the
 * machine still works: virtio-rng (reset, re-init, 64 random bytes),
 * virtio-mem (reset, re-probe, plugged_size agrees with the blocks' STATE
 * answers and with what the attack left, the baseline keeps its pattern)
 * and the console (every line printed). CPL3, BSP.
 */
#include "guest.h"
#include "cpu.h"
#include "hostile.h"
#include "hostile_util.h"
#include "scenarios.h"

#define RNG_BYTES 64
#define RNG_QUEUE_SIZE 8
#define RNG_TIMEOUT_MS 5000
#define RNG_MAX_REQUESTS 16
#define SCAN_CHUNK 64 /* blocks per STATE request before going per block */
#define BASE_SEED 0x686f7374696c65ULL

static struct vmem vmem;
static bool vmem_ready, wait_after;
static uint64_t expect_plugged;
static uint8_t rng_buf[RNG_BYTES] __attribute__((aligned(64)));

struct vmem *hostile_vmem(void)
{
	return vmem_ready ? &vmem : NULL;
}

void hostile_expect_plugged(uint64_t bytes)
{
	expect_plugged = bytes;
}

/* Probe in poll mode; the pattern of the baseline is fixed. */
static int vmem_up(const char **why)
{
	vmem_ready = false;
	if (vmem_probe(&vmem, VIRTIO_IRQ_POLL, why))
		return -1;
	vmem.pattern = VMEM_PATTERN_PAGE;
	vmem.seed = BASE_SEED;
	vmem_ready = true;
	return 0;
}

static uint64_t base_end(void)
{
	return vmem.cfg.addr + HOSTILE_BASE_BLOCKS * vmem.cfg.block_size;
}

/* Before each attack: only the baseline blocks plugged, patterned. */
static int prepare(const char **why)
{
	struct vmem_resp r;

	if (!virtio_pci_find(VIRTIO_ID_MEM, 0))
		return 0; /* the PCI attacks may run without virtio-mem */
	if (vmem_up(why))
		return -1;
	if (vmem.cfg.requested_size <
	    HOSTILE_BASE_BLOCKS * vmem.cfg.block_size) {
		*why = "requested_size is below the baseline blocks";
		return -1;
	}
	if (vmem.cfg.plugged_size &&
	    vmem_request(&vmem, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0, &r, why))
		return -1;
	if (vmem_request(&vmem, VIRTIO_MEM_REQ_PLUG, vmem.cfg.addr,
			 HOSTILE_BASE_BLOCKS, &r, why))
		return -1;
	if (r.type != VIRTIO_MEM_RESP_ACK) {
		*why = "the baseline PLUG was not ACKed";
		return -1;
	}
	if (map_range(vmem.cfg.addr, base_end() - vmem.cfg.addr)) {
		*why = "cannot map the baseline blocks";
		return -1;
	}
	vmem_pattern_fill(&vmem, vmem.cfg.addr, base_end());
	expect_plugged = HOSTILE_BASE_BLOCKS * vmem.cfg.block_size;
	return 0;
}

/* One read of up to @len bytes; returns the bytes or -1. */
static int64_t rng_read(struct virtqueue *vq, uint8_t *buf, uint32_t len,
			const char **why)
{
	struct vq_buf b = { .addr = (uintptr_t)buf, .len = len };
	struct vq_used u;
	int head = vq_add(vq, &b, 0, 1);

	if (head < 0) {
		*why = "no free descriptor";
		return -1;
	}
	vq_kick(vq);
	if (vq_poll(vq, &u, tsc_deadline_ms(RNG_TIMEOUT_MS), why) != 1)
		return -1;
	if (u.head != head || !u.len) {
		*why = "wrong head or no bytes in the completion";
		return -1;
	}
	return u.len;
}

static bool all_same(const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		if (p[i] != p[0])
			return false;
	}
	return true;
}

/* virtio-rng: reset, re-init polled, 64 bytes, not all equal, reset. */
static int rng_check(const char **why)
{
	static struct virtio_pci vp;
	static struct virtqueue vq;
	struct pci_dev *d = virtio_pci_find(VIRTIO_ID_RNG, 0);
	uint32_t got = 0;
	int64_t n;

	if (!d) {
		*why = "no virtio-rng-pci function";
		return -1;
	}
	if (virtio_pci_probe(&vp, d, why) ||
	    virtio_pci_negotiate(&vp, 0, why) ||
	    virtio_pci_setup_queue(&vp, &vq, 0, RNG_QUEUE_SIZE,
				   VIRTIO_MSI_NO_VECTOR, why))
		return -1;
	vq_set_no_interrupt(&vq, true);
	virtio_pci_driver_ok(&vp);
	memset(rng_buf, 0, sizeof(rng_buf));
	for (int i = 0; got < RNG_BYTES && i < RNG_MAX_REQUESTS; i++) {
		n = rng_read(&vq, rng_buf + got, RNG_BYTES - got, why);
		if (n < 0)
			return -1;
		got += (uint32_t)n;
	}
	if (got < RNG_BYTES || all_same(rng_buf, RNG_BYTES)) {
		*why = "virtio-rng returned too few bytes, or all equal";
		return -1;
	}
	if (virtio_pci_get_status(&vp) & VIRTIO_CONFIG_S_NEEDS_RESET) {
		*why = "virtio-rng set DEVICE_NEEDS_RESET on a good request";
		return -1;
	}
	if (virtio_pci_reset(&vp)) {
		*why = "virtio-rng reset did not complete";
		return -1;
	}
	return 0;
}

/* One STATE request; the answer must be ACK. Returns the state or -1. */
static int state_of(uint64_t addr, uint64_t blocks, const char **why)
{
	struct vmem_resp r;

	if (vmem_request(&vmem, VIRTIO_MEM_REQ_STATE, addr, (uint16_t)blocks,
			 &r, why))
		return -1;
	if (r.type != VIRTIO_MEM_RESP_ACK) {
		*why = "a STATE request in the usable region was not ACKed";
		return -1;
	}
	return r.state;
}

/* Plugged blocks of the usable region, by STATE requests; -1 on error. */
static int64_t scan_plugged(const char **why)
{
	uint64_t bs = vmem.cfg.block_size, a = vmem.cfg.addr;
	uint64_t nb = vmem.cfg.usable_region_size / bs, count = 0;

	for (uint64_t i = 0; i < nb; i += SCAN_CHUNK) {
		uint64_t n = nb - i < SCAN_CHUNK ? nb - i : SCAN_CHUNK;
		int s = state_of(a + i * bs, n, why);

		if (s < 0)
			return -1;
		if (s == VIRTIO_MEM_STATE_PLUGGED)
			count += n;
		if (s != VIRTIO_MEM_STATE_MIXED)
			continue;
		for (uint64_t k = i; k < i + n; k++) {
			s = state_of(a + k * bs, 1, why);
			if (s < 0)
				return -1;
			count += s == VIRTIO_MEM_STATE_PLUGGED;
		}
	}
	return (int64_t)count;
}

static char why_buf[160];

/* virtio-mem: re-probe, STATE agrees with plugged_size, pattern kept. */
static int vmem_check(const char **why)
{
	uint64_t bs, first_bad = 0;
	int64_t blocks;

	if (vmem_up(why))
		return -1;
	bs = vmem.cfg.block_size;
	blocks = scan_plugged(why);
	if (blocks < 0)
		return -1;
	if ((uint64_t)blocks * bs != vmem.cfg.plugged_size ||
	    (expect_plugged != HOSTILE_PLUGGED_UNKNOWN &&
	     vmem.cfg.plugged_size != expect_plugged)) {
		snprintf(why_buf, sizeof(why_buf), "virtio-mem plugged_size "
			 "%lu, STATE finds %ld blocks, expected %ld bytes",
			 (unsigned long)vmem.cfg.plugged_size, (long)blocks,
			 (long)expect_plugged);
		*why = why_buf;
		return -1;
	}
	if (state_of(vmem.cfg.addr, HOSTILE_BASE_BLOCKS, why) ==
		    VIRTIO_MEM_STATE_PLUGGED &&
	    vmem_pattern_verify(&vmem, vmem.cfg.addr, base_end(),
				&first_bad)) {
		snprintf(why_buf, sizeof(why_buf), "the baseline pattern is "
			 "lost at 0x%lx", (unsigned long)first_bad);
		*why = why_buf;
		return -1;
	}
	return 0;
}

static int health_check(const char **why)
{
	if (rng_check(why))
		return -1;
	if (virtio_pci_find(VIRTIO_ID_MEM, 0) && vmem_check(why))
		return -1;
	return 0;
}

/* wait=1: a test looks at the VMM (QMP) while the attack's state lasts. */
static void wait_line(const char *name)
{
	int c;

	printf("hostile: %s: attacked, waiting for a line on the console\n",
	       name);
	do {
		c = uart_getc();
	} while (c != '\n' && c != '\r');
}

static void run_one(const struct hostile_attack *a)
{
	unsigned int mark = vq_pool_mark(), fails;
	const char *why = "";
	int ret;

	printf("hostile: %s: %s\n", a->name, a->what);
	if (prepare(&why)) {
		fail("hostile: %s: set-up: %s", a->name, why);
		vq_pool_reset(mark);
		return;
	}
	fails = fail_count();
	ret = a->run();
	if (wait_after)
		wait_line(a->name);
	/* The attack may have abandoned its queues on a broken device. */
	vq_pool_reset(mark);
	vmem_ready = false;
	if (ret || fail_count() != fails)
		fail("hostile: %s: the device did not answer as the spec "
		     "prescribes", a->name);
	else if (health_check(&why))
		fail("hostile: %s: health check: %s", a->name, why);
	else
		pass("hostile: %s", a->name);
	vq_pool_reset(mark);
}

static const struct hostile_attack *find_attack(const char *name)
{
	for (unsigned int i = 0; i < hostile_virtio_count; i++) {
		if (!strcmp(hostile_virtio_attacks[i].name, name))
			return &hostile_virtio_attacks[i];
	}
	for (unsigned int i = 0; i < hostile_pci_count; i++) {
		if (!strcmp(hostile_pci_attacks[i].name, name))
			return &hostile_pci_attacks[i];
	}
	return NULL;
}

int scenario_hostile(void)
{
	const char *name = cmdline_get("attack");
	const struct hostile_attack *a;
	uint64_t wait = 0;

	if (!name || !*name)
		name = "all";
	if (cmdline_get_u64("wait", &wait) < 0) {
		fail("hostile: bad wait= value (0 or 1)");
		return EXIT_USAGE;
	}
	wait_after = wait;
	if (!strcmp(name, "list")) {
		for (unsigned int i = 0; i < hostile_virtio_count; i++)
			printf("hostile: attack %s\n",
			       hostile_virtio_attacks[i].name);
		for (unsigned int i = 0; i < hostile_pci_count; i++)
			printf("hostile: attack %s\n",
			       hostile_pci_attacks[i].name);
		return EXIT_PASS;
	}
	if (strcmp(name, "all")) {
		a = find_attack(name);
		if (!a) {
			fail("hostile: unknown attack '%s' (attack=list "
			     "names them)", name);
			return EXIT_USAGE;
		}
		run_one(a);
		return EXIT_PASS;
	}
	for (unsigned int i = 0; i < hostile_virtio_count; i++)
		run_one(&hostile_virtio_attacks[i]);
	for (unsigned int i = 0; i < hostile_pci_count; i++)
		run_one(&hostile_pci_attacks[i]);
	printf("hostile: %u attacks, %u failed\n",
	       hostile_virtio_count + hostile_pci_count, fail_count());
	return EXIT_PASS;
}
