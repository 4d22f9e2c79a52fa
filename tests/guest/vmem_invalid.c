// SPDX-License-Identifier: MIT
/*
 * vmem mode=invalid: every kind of request the spec says to refuse, and
 * the answer it prescribes (virtio 1.2 5.15.6), checked in QEMU's order
 * (range, then NACK, then block states); then protocol violations that
 * must put the device in DEVICE_NEEDS_RESET with a config interrupt,
 * each followed by a device reset that must keep the plugged blocks and
 * their contents. Four blocks at the region start stay plugged
 * throughout. CPL3, BSP.
 */
#include "guest.h"
#include "cpu.h"
#include "virtio_mem.h"

#define PLUGGED_BLOCKS 4
#define MIN_REQUESTED_BLOCKS 16
#define NO_COMPLETION_MS 200 /* how long a dropped element is waited for */
#define NEEDS_RESET_MS 1000
#define NO_STATE (-1)

/* Layout of the tests: region start, block size, sizes from the config. */
struct inv {
	struct vmem *v;
	uint64_t a, bs, usable, region, requested;
	uint64_t plugged_blocks; /* expected, from index 0 */
};

static uint8_t raw_req[64] __attribute__((aligned(64)));
static uint8_t raw_resp[64] __attribute__((aligned(64)));

/* One request; a PASS/FAIL line comparing the answer with @want. */
static void expect(struct inv *t, const char *what, uint16_t type,
		   uint64_t addr, uint64_t nb, uint16_t want, int want_state)
{
	struct vmem_resp r;
	const char *why = "";
	bool ok;

	if (vmem_request(t->v, type, addr, (uint16_t)nb, &r, &why)) {
		fail("vmem: %s: %s", what, why);
		return;
	}
	ok = r.type == want &&
	     (want_state == NO_STATE || r.state == want_state);
	if (want_state == NO_STATE || r.type != VIRTIO_MEM_RESP_ACK)
		check(ok, "vmem: %s: %s (expected %s)", what,
		      vmem_resp_name(r.type), vmem_resp_name(want));
	else
		check(ok, "vmem: %s: ACK %s (expected %s)", what,
		      vmem_state_name(r.state),
		      vmem_state_name((uint16_t)want_state));
}

#define ERR VIRTIO_MEM_RESP_ERROR
#define PLUG VIRTIO_MEM_REQ_PLUG
#define UNPLUG VIRTIO_MEM_REQ_UNPLUG
#define STATE VIRTIO_MEM_REQ_STATE

static void range_cases(struct inv *t)
{
	uint64_t a = t->a, bs = t->bs, r = t->region, u = t->usable;

	expect(t, "PLUG misaligned addr", PLUG, a + bs / 2, 1, ERR, NO_STATE);
	expect(t, "UNPLUG misaligned addr", UNPLUG, a + 4096, 1, ERR,
	       NO_STATE);
	expect(t, "STATE misaligned addr", STATE, a + bs / 2, 1, ERR,
	       NO_STATE);
	expect(t, "PLUG zero blocks", PLUG, a + 4 * bs, 0, ERR, NO_STATE);
	expect(t, "UNPLUG zero blocks", UNPLUG, a, 0, ERR, NO_STATE);
	expect(t, "STATE zero blocks", STATE, a, 0, ERR, NO_STATE);
	if (a >= bs) {
		expect(t, "PLUG below the region", PLUG, a - bs, 1, ERR,
		       NO_STATE);
		expect(t, "STATE across the region start", STATE, a - bs, 2,
		       ERR, NO_STATE);
	}
	expect(t, "PLUG past the region", PLUG, a + r, 1, ERR, NO_STATE);
	expect(t, "UNPLUG past the region", UNPLUG, a + r, 1, ERR, NO_STATE);
	expect(t, "STATE across the region end", STATE, a + r - bs, 2, ERR,
	       NO_STATE);
	expect(t, "PLUG wrapping around 2^64", PLUG, 0 - bs, 2, ERR,
	       NO_STATE);
	if (u >= r) {
		printf("vmem: usable_region_size = region_size: no room "
		       "beyond the usable region\n");
		return;
	}
	expect(t, "PLUG beyond the usable region", PLUG, a + u, 1, ERR,
	       NO_STATE);
	expect(t, "PLUG across the usable end", PLUG, a + u - bs, 2, ERR,
	       NO_STATE);
	expect(t, "UNPLUG beyond the usable region", UNPLUG, a + u, 1, ERR,
	       NO_STATE);
	expect(t, "STATE beyond the usable region", STATE, a + u, 1, ERR,
	       NO_STATE);
	if ((u - 4 * bs) / bs + 1 <= UINT16_MAX)
		expect(t, "PLUG beyond usable and above requested (range "
		       "first)", PLUG, a + 4 * bs, (u - 4 * bs) / bs + 1, ERR,
		       NO_STATE);
}

static void state_cases(struct inv *t)
{
	uint64_t a = t->a, bs = t->bs, q = t->requested;
	uint64_t nack = (q - 4 * bs) / bs + 1; /* one block over requested */
	const uint16_t ack = VIRTIO_MEM_RESP_ACK;

	if (nack <= UINT16_MAX && 4 * bs + nack * bs <= t->usable) {
		expect(t, "PLUG above requested_size", PLUG, a + 4 * bs, nack,
		       VIRTIO_MEM_RESP_NACK, NO_STATE);
		expect(t, "PLUG above requested over plugged blocks (NACK "
		       "first)", PLUG, a, q / bs + 1, VIRTIO_MEM_RESP_NACK,
		       NO_STATE);
	} else {
		printf("vmem: requested_size too large for a NACK case\n");
	}
	expect(t, "double PLUG", PLUG, a, 2, ERR, NO_STATE);
	expect(t, "PLUG a partly plugged range", PLUG, a + 3 * bs, 2, ERR,
	       NO_STATE);
	expect(t, "UNPLUG a never plugged block", UNPLUG, a + 4 * bs, 1, ERR,
	       NO_STATE);
	expect(t, "UNPLUG block 3", UNPLUG, a + 3 * bs, 1, ack, NO_STATE);
	expect(t, "double UNPLUG", UNPLUG, a + 3 * bs, 1, ERR, NO_STATE);
	expect(t, "UNPLUG a partly plugged range", UNPLUG, a + 2 * bs, 2, ERR,
	       NO_STATE);
	expect(t, "STATE of plugged blocks", STATE, a, 3, ack,
	       VIRTIO_MEM_STATE_PLUGGED);
	expect(t, "STATE of unplugged blocks", STATE, a + 3 * bs, 4, ack,
	       VIRTIO_MEM_STATE_UNPLUGGED);
	expect(t, "STATE of a mixed range", STATE, a + 2 * bs, 2, ack,
	       VIRTIO_MEM_STATE_MIXED);
	expect(t, "STATE of the last usable block", STATE,
	       a + t->usable - bs, 1, ack, VIRTIO_MEM_STATE_UNPLUGGED);
}

/* A raw chain that must complete with ACK and a 10-byte used length. */
static void expect_raw_ack(struct inv *t, const char *what,
			   const struct vq_buf *b, unsigned int n, int state)
{
	const struct virtio_mem_resp *resp = (const void *)raw_resp;
	const char *why = "";
	struct vq_used u;

	memset(raw_resp, 0xff, sizeof(raw_resp));
	if (vmem_submit_raw(t->v, b, n, NO_COMPLETION_MS * 50, &u, &why) != 1) {
		fail("vmem: %s: %s", what, why);
		return;
	}
	check(resp->type == VIRTIO_MEM_RESP_ACK && u.len == VMEM_RESP_SIZE &&
	      (state == NO_STATE || resp->u.state.state == state),
	      "vmem: %s: %s%s%s, used length %u", what,
	      vmem_resp_name(resp->type), state == NO_STATE ? "" : " ",
	      state == NO_STATE ? "" : vmem_state_name(resp->u.state.state),
	      u.len);
}

static void fill_req(uint16_t type, uint64_t addr, uint16_t nb,
		     uint8_t padding)
{
	struct virtio_mem_req *r = (void *)raw_req;

	memset(raw_req, padding, sizeof(raw_req));
	r->type = type;
	r->u.plug.addr = addr;
	r->u.plug.nb_blocks = nb;
}

static void layout_cases(struct inv *t)
{
	uint64_t req = (uintptr_t)raw_req, resp = (uintptr_t)raw_resp;
	struct vq_buf b[3] = {
		{ .addr = req, .len = VMEM_REQ_SIZE },
		{ .addr = resp, .len = VMEM_RESP_SIZE, .write = true },
	};

	fill_req(PLUG, t->a + 3 * t->bs, 1, 0xa5);
	expect_raw_ack(t, "PLUG with garbage in every padding byte", b, 2,
		       NO_STATE);
	/* Block 3 is plugged again: new contents, rewrite its pattern. */
	vmem_pattern_fill(t->v, t->a + 3 * t->bs, t->a + 4 * t->bs);
	fill_req(STATE, t->a, PLUGGED_BLOCKS, 0);
	b[1].len = 32;
	expect_raw_ack(t, "STATE with a 32-byte response buffer", b, 2,
		       VIRTIO_MEM_STATE_PLUGGED);
	b[0].len = 8;
	b[1] = (struct vq_buf){ .addr = req + 8, .len = 16 };
	b[2] = (struct vq_buf){ .addr = resp, .len = VMEM_RESP_SIZE,
				.write = true };
	expect_raw_ack(t, "STATE split over two request descriptors", b, 3,
		       VIRTIO_MEM_STATE_PLUGGED);
}

/* Device reset and re-init: the blocks and their contents must stay. */
static int reinit(struct inv *t, const char *after)
{
	struct vmem *v = t->v;
	uint64_t bad, first_bad = 0, end = t->a + PLUGGED_BLOCKS * t->bs;
	const char *why = "";

	if (vmem_reset(v) || vmem_init(v, &why)) {
		fail("vmem: re-init after %s: %s", after,
		     *why ? why : "reset did not complete");
		return -1;
	}
	bad = vmem_pattern_verify(v, t->a, end, &first_bad);
	check(v->cfg.plugged_size == t->plugged_blocks * t->bs && !bad,
	      "vmem: after %s and a device reset: plugged_size %lu, "
	      "pattern %s", after, (unsigned long)v->cfg.plugged_size,
	      bad ? "LOST" : "intact");
	return 0;
}

/* A protocol violation: NEEDS_RESET and a config interrupt, then reset. */
static int violation(struct inv *t, const char *what,
		     const struct vq_buf *b, unsigned int n)
{
	struct vmem *v = t->v;
	uint64_t c0, deadline;
	const char *why = "";
	struct vq_used u;
	uint8_t status = 0;
	bool config;
	int ret;

	vmem_events(v);
	c0 = v->config_irqs;
	if (v->mode == VIRTIO_IRQ_POLL)
		virtio_pci_read_isr(&v->vp);
	ret = vmem_submit_raw(v, b, n, NO_COMPLETION_MS, &u, &why);
	if (ret)
		printf("vmem: %s: completed anyway (used length %u)\n", what,
		       ret > 0 ? u.len : 0);
	deadline = tsc_deadline_ms(NEEDS_RESET_MS);
	do {
		status = virtio_pci_get_status(&v->vp);
		vmem_events(v);
	} while ((!(status & VIRTIO_CONFIG_S_NEEDS_RESET) ||
		  (v->mode != VIRTIO_IRQ_POLL && v->config_irqs == c0)) &&
		 !tsc_expired(deadline));
	if (v->mode == VIRTIO_IRQ_POLL)
		config = virtio_pci_read_isr(&v->vp) & VIRTIO_PCI_ISR_CONFIG;
	else
		config = v->config_irqs != c0;
	check((status & VIRTIO_CONFIG_S_NEEDS_RESET) && config,
	      "vmem: %s: DEVICE_NEEDS_RESET (status 0x%02x), config "
	      "interrupt %s", what, status, config ? "yes" : "NO");
	return reinit(t, what);
}

static int violation_cases(struct inv *t)
{
	uint64_t req = (uintptr_t)raw_req, resp = (uintptr_t)raw_resp;
	const struct vq_buf r24 = { .addr = req, .len = VMEM_REQ_SIZE };
	const struct vq_buf w10 = { .addr = resp, .len = VMEM_RESP_SIZE,
				    .write = true };
	struct vq_buf b[2];

	fill_req(STATE, t->a, 1, 0);
	b[0] = (struct vq_buf){ .addr = req, .len = 16 };
	b[1] = w10;
	if (violation(t, "request of 16 bytes", b, 2))
		return -1;
	b[0] = r24;
	b[1] = (struct vq_buf){ .addr = resp, .len = 8, .write = true };
	if (violation(t, "response buffer of 8 bytes", b, 2))
		return -1;
	b[0] = (struct vq_buf){ .addr = req, .len = 24, .write = true };
	b[1] = w10;
	if (violation(t, "device-writable request", b, 2))
		return -1;
	b[0] = r24;
	b[1] = (struct vq_buf){ .addr = resp, .len = VMEM_RESP_SIZE };
	if (violation(t, "device-readable response", b, 2))
		return -1;
	b[0] = w10;
	b[1] = r24;
	if (violation(t, "writable descriptor before a readable one", b, 2))
		return -1;
	fill_req(VIRTIO_MEM_REQ_STATE + 1, t->a, 1, 0);
	b[0] = r24;
	b[1] = w10;
	return violation(t, "unknown request type 4", b, 2);
}

int vmem_invalid_run(struct vmem *v)
{
	const struct virtio_mem_config *c = &v->cfg;
	struct inv t = {
		.v = v, .a = c->addr, .bs = c->block_size,
		.usable = c->usable_region_size, .region = c->region_size,
		.requested = c->requested_size,
	};
	uint64_t end = t.a + PLUGGED_BLOCKS * t.bs;

	if (!check(t.requested >= MIN_REQUESTED_BLOCKS * t.bs &&
		   t.bs >= 8192, "vmem: requested_size %lu is at least %u "
		   "blocks of %lu bytes", (unsigned long)t.requested,
		   MIN_REQUESTED_BLOCKS, (unsigned long)t.bs))
		return EXIT_FAIL;
	if (c->plugged_size)
		expect(&t, "UNPLUG_ALL at probe", VIRTIO_MEM_REQ_UNPLUG_ALL, 0,
		       0, VIRTIO_MEM_RESP_ACK, NO_STATE);
	expect(&t, "PLUG 4 blocks at the region start", PLUG, t.a,
	       PLUGGED_BLOCKS, VIRTIO_MEM_RESP_ACK, NO_STATE);
	if (map_range(t.a, end - t.a))
		return EXIT_FAIL;
	vmem_pattern_fill(v, t.a, end);
	t.plugged_blocks = PLUGGED_BLOCKS;
	range_cases(&t);
	state_cases(&t);
	layout_cases(&t);
	if (vmem_read_config(v))
		return EXIT_FAIL;
	check(c->plugged_size == PLUGGED_BLOCKS * t.bs, "vmem: plugged_size "
	      "%lu after the request cases", (unsigned long)c->plugged_size);
	if (violation_cases(&t))
		return EXIT_FAIL;
	/* UNPLUG_ALL must ignore addr and nb_blocks. */
	expect(&t, "UNPLUG_ALL with garbage addr and nb_blocks",
	       VIRTIO_MEM_REQ_UNPLUG_ALL, t.a + 1, 7, VIRTIO_MEM_RESP_ACK,
	       NO_STATE);
	expect(&t, "STATE after UNPLUG_ALL", STATE, t.a, PLUGGED_BLOCKS,
	       VIRTIO_MEM_RESP_ACK, VIRTIO_MEM_STATE_UNPLUGGED);
	if (vmem_read_config(v))
		return EXIT_FAIL;
	printf("vmem: after UNPLUG_ALL: usable=%lu plugged=%lu requested=%lu\n",
	       (unsigned long)c->usable_region_size,
	       (unsigned long)c->plugged_size,
	       (unsigned long)c->requested_size);
	check(c->plugged_size == 0, "vmem: plugged_size 0 after UNPLUG_ALL");
	return EXIT_PASS;
}
