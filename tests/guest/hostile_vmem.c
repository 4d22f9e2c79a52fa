// SPDX-License-Identifier: MIT
/*
 * Hostile attacks on virtio-mem's request handling: a request rewritten
 * by the AP while the device reads it, UNPLUG_ALL and PLUG in one kick,
 * random requests checked against a model of the spec's rules, rings in
 * device memory that gets unplugged under them, and a protocol error in
 * the middle of a batch. Each checks the answers and the plugged state
 * the spec prescribes. CPL3, BSP (the AP only flips the request).
 */
#include "guest.h"
#include "cpu.h"
#include "hostile_virtio.h"
#include "io.h"

#define RACE_REQUESTS 4000
#define MODEL_REQUESTS 3000
#define MODEL_MAX_BLOCKS 4096
#define BATCH 8
#define BATCH_BAD 3 /* the chain that breaks the device */
#define REQ_TIMEOUT_MS 5000

#define ACK VIRTIO_MEM_RESP_ACK
#define NACK VIRTIO_MEM_RESP_NACK
#define BUSY VIRTIO_MEM_RESP_BUSY
#define ERR VIRTIO_MEM_RESP_ERROR

/* ---- the request rewritten by the AP ---- */

struct race {
	volatile struct virtio_mem_req *req;
	uint64_t x, bs;
	bool stop, done;
	uint64_t flips;
};

static struct race race;
static struct virtio_mem_req race_req __attribute__((aligned(64)));

/* AP: cycles type PLUG/UNPLUG and addr x / x + bs/2, field by field. */
static void race_ap(void *arg)
{
	struct race *r = arg;
	uint64_t i = 0;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		switch (i++ & 3) {
		case 0:
			r->req->type = VIRTIO_MEM_REQ_PLUG;
			break;
		case 1:
			r->req->u.plug.addr = r->x + r->bs / 2;
			break;
		case 2:
			r->req->type = VIRTIO_MEM_REQ_UNPLUG;
			break;
		default:
			r->req->u.plug.addr = r->x;
			break;
		}
	}
	r->flips = i;
	__atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
}

/* One request with our own buffers; the answer type, or -1. */
static int submit(struct vmem *v, const void *req, const char *name)
{
	const struct vq_buf b[2] = {
		{ .addr = (uintptr_t)req, .len = VMEM_REQ_SIZE },
		{ .addr = (uintptr_t)hv_resp, .len = VMEM_RESP_SIZE,
		  .write = true },
	};
	const char *why = "";
	struct vq_used u;

	memset(hv_resp, 0xff, VMEM_RESP_SIZE);
	if (vmem_submit_raw(v, b, 2, REQ_TIMEOUT_MS, &u, &why) != 1 ||
	    u.len != VMEM_RESP_SIZE) {
		fail("hostile: %s: %s (status 0x%02x)", name,
		     *why ? why : "wrong used length",
		     virtio_pci_get_status(&v->vp));
		return -1;
	}
	return ((struct virtio_mem_resp *)hv_resp)->type;
}

/* STATE of @nb blocks at @addr through the driver; -1 if not ACKed. */
static int state(struct vmem *v, uint64_t addr, uint16_t nb)
{
	struct vmem_resp r;
	const char *why = "";

	if (vmem_request(v, VIRTIO_MEM_REQ_STATE, addr, nb, &r, &why) ||
	    r.type != ACK)
		return -1;
	return r.state;
}

static int race_requests(struct vmem *v, uint64_t n, uint64_t *acks,
			 uint64_t *errors)
{
	int t;

	for (uint64_t i = 0; i < n; i++) {
		t = submit(v, &race_req, "vmem-race-request");
		if (t < 0)
			return -1;
		if (t == ACK)
			(*acks)++;
		else if (t == ERR)
			(*errors)++;
		else if (t != BUSY) {
			fail("hostile: vmem-race-request: answer %u (%s) to "
			     "PLUG/UNPLUG of one block", t, vmem_resp_name(
				     (uint16_t)t));
			return -1;
		}
	}
	return 0;
}

/*
 * Every ACK toggles block x (PLUG of an unplugged block or UNPLUG of a
 * plugged one; any other combination the device may have read is an
 * ERROR), so at the end x is plugged iff the ACKs were odd.
 */
int hv_vmem_race_request(void)
{
	struct vmem *v = hostile_vmem();
	uint64_t n = RACE_REQUESTS, acks = 0, errors = 0, bs;
	int ret, s;
	bool plugged;

	if (!v)
		return -1;
	bs = v->cfg.block_size;
	cmdline_get_u64("race", &n);
	race = (struct race){ .req = &race_req, .x = hv_unplugged_block(v),
			      .bs = bs };
	race_req = (struct virtio_mem_req){ .type = VIRTIO_MEM_REQ_PLUG };
	race_req.u.plug.addr = race.x;
	race_req.u.plug.nb_blocks = 1;
	if (smp_run_on_ap(race_ap, &race)) {
		fail("hostile: vmem-race-request: no AP (run with -smp 2)");
		return -1;
	}
	ret = race_requests(v, n, &acks, &errors);
	__atomic_store_n(&race.stop, true, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&race.done, __ATOMIC_ACQUIRE))
		cpu_relax();
	if (ret)
		return -1;
	plugged = acks & 1;
	s = state(v, race.x, 1);
	printf("hostile: vmem-race-request: %lu requests: %lu ACK, %lu "
	       "ERROR; the AP made %lu writes; block %s\n", (unsigned long)n,
	       (unsigned long)acks, (unsigned long)errors,
	       (unsigned long)race.flips, vmem_state_name((uint16_t)s));
	hostile_expect_plugged((HOSTILE_BASE_BLOCKS + plugged) * bs);
	return check(s == (plugged ? VIRTIO_MEM_STATE_PLUGGED
				   : VIRTIO_MEM_STATE_UNPLUGGED),
		     "hostile: vmem-race-request: the block's state follows "
		     "the answers") ? 0 : -1;
}

/* ---- several requests in one kick ---- */

static uint16_t batch_head[BATCH];

/* Chain @i of a batch: request at hv_page + 64 i, response at + 2048. */
static void batch_add(struct vmem *v, unsigned int i, uint16_t type,
		      uint64_t addr, uint16_t nb, uint32_t resp_len)
{
	struct virtio_mem_req *r = (void *)(hv_page + 64 * i);
	uint8_t *resp = hv_page + 2048 + 64 * i;
	const struct vq_buf b[2] = {
		{ .addr = (uintptr_t)r, .len = VMEM_REQ_SIZE },
		{ .addr = (uintptr_t)resp, .len = resp_len, .write = true },
	};

	memset(r, 0, 64);
	memset(resp, 0xff, 64);
	r->type = type;
	r->u.plug.addr = addr;
	r->u.plug.nb_blocks = nb;
	batch_head[i] = (uint16_t)vq_add_any(&v->vq, b, 2);
}

static const struct virtio_mem_resp *batch_resp(unsigned int i)
{
	return (const void *)(hv_page + 2048 + 64 * i);
}

/* The used ring must list the chains in order, 10 bytes each. */
static bool batch_in_order(struct vmem *v, uint16_t used0, unsigned int n)
{
	struct virtqueue *q = &v->vq;

	for (unsigned int i = 0; i < n; i++) {
		const struct vring_used_elem *e =
			&q->used->ring[(uint16_t)(used0 + i) % q->size];

		if (e->id != batch_head[i] || e->len != VMEM_RESP_SIZE)
			return false;
	}
	return true;
}

/* Sequential processing: UNPLUG_ALL is done before the PLUG is looked at. */
int hv_vmem_unplug_all_then_plug(void)
{
	struct vmem *v = hostile_vmem();
	uint64_t a, bs;
	uint16_t used0;
	bool ok;

	if (!v)
		return -1;
	a = v->cfg.addr;
	bs = v->cfg.block_size;
	used0 = hv_used_idx(&v->vq);
	batch_add(v, 0, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0, VMEM_RESP_SIZE);
	batch_add(v, 1, VIRTIO_MEM_REQ_PLUG, a, 2, VMEM_RESP_SIZE);
	batch_add(v, 2, VIRTIO_MEM_REQ_STATE, a, HOSTILE_BASE_BLOCKS,
		  VMEM_RESP_SIZE);
	batch_add(v, 3, VIRTIO_MEM_REQ_STATE, a + 2 * bs, 2, VMEM_RESP_SIZE);
	vq_kick(&v->vq);
	if (hv_expect_used(&v->vp, &v->vq, (uint16_t)(used0 + 4),
			   "vmem-unplug-all-then-plug"))
		return -1;
	ok = batch_in_order(v, used0, 4) && batch_resp(0)->type == ACK &&
	     batch_resp(1)->type == ACK && batch_resp(2)->type == ACK &&
	     batch_resp(2)->u.state.state == VIRTIO_MEM_STATE_MIXED &&
	     batch_resp(3)->type == ACK &&
	     batch_resp(3)->u.state.state == VIRTIO_MEM_STATE_UNPLUGGED;
	hostile_expect_plugged(2 * bs);
	return check(ok, "hostile: vmem-unplug-all-then-plug: in order: %s, "
		     "%s, %s %s, %s %s", vmem_resp_name(batch_resp(0)->type),
		     vmem_resp_name(batch_resp(1)->type),
		     vmem_resp_name(batch_resp(2)->type),
		     vmem_state_name(batch_resp(2)->u.state.state),
		     vmem_resp_name(batch_resp(3)->type),
		     vmem_state_name(batch_resp(3)->u.state.state)) ? 0 : -1;
}

/*
 * Three PLUGs, a chain with an 8-byte response (a protocol violation),
 * four more PLUGs: the first three are answered and done, the device
 * stops at the fourth, the rest are neither used nor executed.
 */
int hv_vmem_batch_violation(void)
{
	struct vmem *v = hostile_vmem();
	uint64_t x, bs;
	uint16_t used0;

	if (!v)
		return -1;
	x = hv_unplugged_block(v);
	bs = v->cfg.block_size;
	used0 = hv_used_idx(&v->vq);
	virtio_pci_read_isr(&v->vp);
	for (unsigned int i = 0; i < BATCH; i++)
		batch_add(v, i, VIRTIO_MEM_REQ_PLUG, x + i * bs, 1,
			  i == BATCH_BAD ? 8 : VMEM_RESP_SIZE);
	vq_kick(&v->vq);
	if (hv_expect_broken(&v->vp, &v->vq, (uint16_t)(used0 + BATCH_BAD),
			     "vmem-batch-violation"))
		return -1;
	hostile_expect_plugged((HOSTILE_BASE_BLOCKS + BATCH_BAD) * bs);
	return check(batch_in_order(v, used0, BATCH_BAD) &&
		     batch_resp(0)->type == ACK && batch_resp(2)->type == ACK,
		     "hostile: vmem-batch-violation: the %u chains before the "
		     "bad one were answered ACK, in order", BATCH_BAD) ? 0 : -1;
}

/* ---- random requests against a model of the spec ---- */

struct model {
	uint64_t a, bs, usable, requested, plugged, nb;
	uint8_t blk[MODEL_MAX_BLOCKS];
	uint64_t rng;
	uint64_t answers[4];
};

static struct model m;

static uint64_t rnd(void)
{
	m.rng ^= m.rng << 13;
	m.rng ^= m.rng >> 7;
	m.rng ^= m.rng << 17;
	return m.rng;
}

/* QEMU's virtio_mem_valid_range(), as virtio 1.2 5.15.6.2 describes. */
static bool model_range(uint64_t addr, uint16_t nb, uint64_t *first)
{
	uint64_t size = nb * m.bs, off;

	if (addr % m.bs || !nb || addr + size < addr || addr < m.a)
		return false;
	off = addr - m.a;
	if (off >= m.usable || size > m.usable - off)
		return false;
	*first = off / m.bs;
	return true;
}

static unsigned int model_count(uint64_t first, uint16_t nb)
{
	unsigned int n = 0;

	for (uint64_t i = first; i < first + nb; i++)
		n += m.blk[i];
	return n;
}

/* The answer the spec prescribes (BUSY aside); *first for model_apply. */
static uint16_t model_expect(uint16_t type, uint64_t addr, uint16_t nb,
			     uint16_t *st, uint64_t *first)
{
	bool ok = model_range(addr, nb, first);
	unsigned int n = ok ? model_count(*first, nb) : 0;

	*st = n == nb ? VIRTIO_MEM_STATE_PLUGGED
		      : n ? VIRTIO_MEM_STATE_MIXED : VIRTIO_MEM_STATE_UNPLUGGED;
	if (type == VIRTIO_MEM_REQ_UNPLUG_ALL)
		return ACK;
	if (!ok)
		return ERR;
	if (type == VIRTIO_MEM_REQ_STATE)
		return ACK;
	if (type == VIRTIO_MEM_REQ_PLUG) {
		if (m.plugged + nb * m.bs > m.requested)
			return NACK;
		return n ? ERR : ACK;
	}
	return n != nb ? ERR : ACK;
}

/* An ACKed PLUG, UNPLUG or UNPLUG_ALL changes the blocks. */
static void model_apply(uint16_t type, uint64_t first, uint16_t nb)
{
	if (type == VIRTIO_MEM_REQ_UNPLUG_ALL) {
		memset(m.blk, 0, sizeof(m.blk));
		m.plugged = 0;
	} else if (type == VIRTIO_MEM_REQ_PLUG) {
		memset(m.blk + first, 1, nb);
		m.plugged += nb * m.bs;
	} else if (type == VIRTIO_MEM_REQ_UNPLUG) {
		memset(m.blk + first, 0, nb);
		m.plugged -= nb * m.bs;
	}
}

/* Mostly near the region, sometimes anywhere; garbage padding. */
static void model_request(struct virtio_mem_req *r)
{
	static const uint16_t types[8] = {
		VIRTIO_MEM_REQ_PLUG, VIRTIO_MEM_REQ_PLUG, VIRTIO_MEM_REQ_PLUG,
		VIRTIO_MEM_REQ_UNPLUG, VIRTIO_MEM_REQ_UNPLUG,
		VIRTIO_MEM_REQ_STATE, VIRTIO_MEM_REQ_STATE,
		VIRTIO_MEM_REQ_UNPLUG_ALL,
	};
	uint64_t k = rnd(), sel = rnd();

	for (unsigned int i = 0; i < sizeof(*r) / 8; i++)
		((uint64_t *)r)[i] = rnd();
	r->type = types[sel & 7];
	if ((sel & 0x1f8) == 0 && r->type == VIRTIO_MEM_REQ_UNPLUG_ALL)
		r->type = VIRTIO_MEM_REQ_STATE; /* UNPLUG_ALL 1 in 64 */
	else if (r->type == VIRTIO_MEM_REQ_UNPLUG_ALL && (sel & 0x38))
		r->type = VIRTIO_MEM_REQ_PLUG;
	switch ((sel >> 9) & 7) {
	case 0:
		break; /* anywhere */
	case 1:
		r->u.plug.addr = m.a + (k % (m.nb + 8)) * m.bs + k % 7 * 4096;
		break;
	case 2:
		r->u.plug.addr = m.a - (k % 4) * m.bs;
		break;
	default:
		r->u.plug.addr = m.a + (k % (m.nb + 4)) * m.bs;
		break;
	}
	if ((sel >> 12) & 7)
		r->u.plug.nb_blocks = (uint16_t)((sel >> 16) % 9);
}

static int model_verify(struct vmem *v)
{
	for (uint64_t i = 0; i < m.nb; i++) {
		int s = state(v, m.a + i * m.bs, 1);

		if (s != (m.blk[i] ? VIRTIO_MEM_STATE_PLUGGED
				   : VIRTIO_MEM_STATE_UNPLUGGED)) {
			fail("hostile: vmem-garbage-model: block %lu is %s, "
			     "the model says %s", (unsigned long)i,
			     vmem_state_name((uint16_t)s),
			     m.blk[i] ? "PLUGGED" : "UNPLUGGED");
			return -1;
		}
	}
	if (vmem_read_config(v) || v->cfg.plugged_size != m.plugged) {
		fail("hostile: vmem-garbage-model: plugged_size %lu, model "
		     "%lu", (unsigned long)v->cfg.plugged_size,
		     (unsigned long)m.plugged);
		return -1;
	}
	return 0;
}

/*
 * From the device's config as it is now: the runner plugged the baseline
 * blocks after it last read the config, so the cached copy is stale.
 */
static int model_init(struct vmem *v)
{
	const struct virtio_mem_config *c = &v->cfg;

	if (vmem_read_config(v)) {
		fail("hostile: vmem-garbage-model: cannot read the config");
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.a = c->addr;
	m.bs = c->block_size;
	m.usable = c->usable_region_size;
	m.requested = c->requested_size;
	m.plugged = c->plugged_size;
	m.nb = m.usable / m.bs;
	memset(m.blk, 1, HOSTILE_BASE_BLOCKS);
	if (cmdline_get_u64("seed", &m.rng) <= 0 || !m.rng)
		m.rng = rdtsc() | 1;
	printf("hostile: vmem-garbage-model: seed=0x%lx, %lu blocks\n",
	       (unsigned long)m.rng, (unsigned long)m.nb);
	if (m.plugged != HOSTILE_BASE_BLOCKS * m.bs) {
		fail("hostile: vmem-garbage-model: plugged_size %lu before "
		     "the requests, the baseline is %lu",
		     (unsigned long)m.plugged,
		     (unsigned long)(HOSTILE_BASE_BLOCKS * m.bs));
		return -1;
	}
	return 0;
}

/* One random request; 0 if answered as the model says. */
static int model_step(struct vmem *v, uint64_t i)
{
	static struct virtio_mem_req r __attribute__((aligned(64)));
	const struct virtio_mem_resp *resp = (const void *)hv_resp;
	uint64_t first = 0;
	uint16_t want, st;
	int t;

	model_request(&r);
	t = submit(v, &r, "vmem-garbage-model");
	if (t < 0)
		return -1;
	want = model_expect(r.type, r.u.plug.addr, r.u.plug.nb_blocks, &st,
			    &first);
	m.answers[t & 3]++;
	/* BUSY is always allowed for a request that changes blocks. */
	if (t == BUSY && r.type != VIRTIO_MEM_REQ_STATE)
		return 0;
	if (t == want && (t != ACK || r.type != VIRTIO_MEM_REQ_STATE ||
			  resp->u.state.state == st)) {
		if (t == ACK)
			model_apply(r.type, first, r.u.plug.nb_blocks);
		return 0;
	}
	fail("hostile: vmem-garbage-model: request %lu: type %u addr 0x%lx "
	     "nb_blocks %u: %s %s, expected %s %s", (unsigned long)i, r.type,
	     (unsigned long)r.u.plug.addr, r.u.plug.nb_blocks,
	     vmem_resp_name((uint16_t)t), vmem_state_name(resp->u.state.state),
	     vmem_resp_name(want), vmem_state_name(st));
	return -1;
}

int hv_vmem_garbage_model(void)
{
	struct vmem *v = hostile_vmem();
	uint64_t n = MODEL_REQUESTS;
	struct vmem_resp r;
	const char *why = "";

	if (!v)
		return -1;
	cmdline_get_u64("requests", &n);
	if (model_init(v))
		return -1;
	if (m.nb > MODEL_MAX_BLOCKS) {
		fail("hostile: vmem-garbage-model: %lu blocks, at most %u",
		     (unsigned long)m.nb, MODEL_MAX_BLOCKS);
		return -1;
	}
	for (uint64_t i = 0; i < n; i++) {
		if (model_step(v, i))
			return -1;
	}
	printf("hostile: vmem-garbage-model: %lu requests: %lu ACK, %lu "
	       "NACK, %lu BUSY, %lu ERROR\n", (unsigned long)n,
	       (unsigned long)m.answers[ACK], (unsigned long)m.answers[NACK],
	       (unsigned long)m.answers[BUSY], (unsigned long)m.answers[ERR]);
	if (model_verify(v))
		return -1;
	/* The baseline's contents are gone if it was unplugged meanwhile. */
	if (vmem_request(v, VIRTIO_MEM_REQ_UNPLUG_ALL, 0, 0, &r, &why) ||
	    r.type != ACK) {
		fail("hostile: vmem-garbage-model: final UNPLUG_ALL: %s", why);
		return -1;
	}
	hostile_expect_plugged(0);
	return 0;
}
