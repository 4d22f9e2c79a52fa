// SPDX-License-Identifier: MIT
/*
 * Hostile attacks through the virtqueues: descriptor loops, indices out
 * of range, huge lengths, buffers outside RAM, in the PCI hole or in
 * unplugged virtio-mem memory, indirect table abuse, rings that overlap,
 * bad queue set-up, notify storms. Each checks the exact outcome flexvm
 * prescribes (docs/virtio.md): the request answered, or the device in
 * DEVICE_NEEDS_RESET with a config interrupt and nothing used. The table
 * also lists the virtio-mem attacks of hostile_vmem.c. CPL3, BSP.
 */
#include "guest.h"
#include "cpu.h"
#include "hostile.h"
#include "hostile_virtio.h"

uint8_t hv_req[64] __attribute__((aligned(64)));
uint8_t hv_resp[64] __attribute__((aligned(64)));
uint8_t hv_page[4096] __attribute__((aligned(4096)));

void hv_desc(struct virtqueue *vq, uint16_t i, uint64_t addr, uint32_t len,
	     uint16_t flags, uint16_t next)
{
	vq->desc[i] = (struct vring_desc){ .addr = addr, .len = len,
					   .flags = flags, .next = next };
}

void hv_publish(struct virtqueue *vq, uint16_t head)
{
	vq->avail->ring[vq->avail_idx % vq->size] = head;
	__atomic_store_n(&vq->avail->idx, ++vq->avail_idx, __ATOMIC_RELEASE);
	vq_kick(vq);
}

uint16_t hv_used_idx(const struct virtqueue *vq)
{
	return __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
}

void hv_fill_req(uint16_t type, uint64_t addr, uint16_t nb_blocks)
{
	struct virtio_mem_req *r = (void *)hv_req;

	memset(hv_req, 0, sizeof(hv_req));
	r->type = type;
	r->u.plug.addr = addr;
	r->u.plug.nb_blocks = nb_blocks;
	memset(hv_resp, 0xff, sizeof(hv_resp));
}

int hv_expect_broken(struct virtio_pci *vp, struct virtqueue *vq,
		     uint16_t used_want, const char *name)
{
	uint64_t deadline = tsc_deadline_ms(HV_TIMEOUT_MS);
	uint8_t status, isr;
	uint16_t used;

	do {
		status = virtio_pci_get_status(vp);
	} while (!(status & VIRTIO_CONFIG_S_NEEDS_RESET) &&
		 !tsc_expired(deadline));
	isr = virtio_pci_read_isr(vp);
	/* A stopped device ignores notifications (docs/virtio.md). */
	vq_kick(vq);
	mdelay(1);
	used = hv_used_idx(vq);
	if (!(status & VIRTIO_CONFIG_S_NEEDS_RESET))
		fail("hostile: %s: status 0x%02x without DEVICE_NEEDS_RESET "
		     "(used idx %u, expected %u)", name, status, used,
		     used_want);
	else if (!(isr & VIRTIO_PCI_ISR_CONFIG))
		fail("hostile: %s: no config change interrupt (ISR 0x%02x)",
		     name, isr);
	else if (used != used_want)
		fail("hostile: %s: used idx %u, expected %u", name, used,
		     used_want);
	else {
		printf("hostile: %s: DEVICE_NEEDS_RESET (status 0x%02x), "
		       "config interrupt, used idx %u\n", name, status, used);
		return 0;
	}
	return -1;
}

int hv_expect_used(struct virtio_pci *vp, struct virtqueue *vq,
		   uint16_t want, const char *name)
{
	uint64_t deadline = tsc_deadline_ms(HV_TIMEOUT_MS);
	uint8_t status;

	while ((uint16_t)(want - hv_used_idx(vq)) <= VQ_MAX_SIZE &&
	       hv_used_idx(vq) != want && !tsc_expired(deadline))
		cpu_relax();
	status = virtio_pci_get_status(vp);
	if (hv_used_idx(vq) == want &&
	    !(status & VIRTIO_CONFIG_S_NEEDS_RESET))
		return 0;
	fail("hostile: %s: used idx %u (expected %u), status 0x%02x", name,
	     hv_used_idx(vq), want, status);
	return -1;
}

int hv_vmem_up(struct vmem *v, uint64_t features, uint16_t qsize,
	       const char **why)
{
	vmem_reset(v);
	if (virtio_pci_negotiate(&v->vp, HV_FEAT_UNPLUGGED | features, why) ||
	    virtio_pci_setup_queue(&v->vp, &v->vq, 0, qsize,
				   VIRTIO_MSI_NO_VECTOR, why))
		return -1;
	vq_set_no_interrupt(&v->vq, true);
	virtio_pci_driver_ok(&v->vp);
	virtio_pci_read_isr(&v->vp);
	return 0;
}

int hv_rng_up(struct hv_rng *r, uint64_t features, const char **why)
{
	struct pci_dev *d = virtio_pci_find(VIRTIO_ID_RNG, 0);

	if (!d) {
		*why = "no virtio-rng-pci function";
		return -1;
	}
	if (virtio_pci_probe(&r->vp, d, why) ||
	    virtio_pci_negotiate(&r->vp, features, why) ||
	    virtio_pci_setup_queue(&r->vp, &r->vq, 0, RNG_QSIZE,
				   VIRTIO_MSI_NO_VECTOR, why))
		return -1;
	vq_set_no_interrupt(&r->vq, true);
	virtio_pci_driver_ok(&r->vp);
	virtio_pci_read_isr(&r->vp);
	return 0;
}

uint64_t hv_unplugged_block(const struct vmem *v)
{
	return v->cfg.addr + 2 * HOSTILE_BASE_BLOCKS * v->cfg.block_size;
}

/* The runner's virtio-mem device, its ISR cleared; NULL: FAIL printed. */
struct vmem *hv_vmem_dev(const char *name)
{
	struct vmem *v = hostile_vmem();

	if (!v)
		fail("hostile: %s: needs a virtio-mem-pci device", name);
	else
		virtio_pci_read_isr(&v->vp);
	return v;
}

/* The usual chain at descriptors 0-1: a PLUG of an unplugged block. */
static void plug_chain(struct vmem *v, uint64_t req, uint64_t resp)
{
	hv_fill_req(VIRTIO_MEM_REQ_PLUG, hv_unplugged_block(v), 1);
	hv_desc(&v->vq, 0, req, VMEM_REQ_SIZE, F_NEXT, 1);
	hv_desc(&v->vq, 1, resp, VMEM_RESP_SIZE, F_WRITE, 0);
}

/*
 * Publishes the chain at descriptor 0 of the virtio-mem queue: it must
 * break the device without executing the PLUG (the health check then
 * finds only the baseline plugged).
 */
static int vmem_broken_by(struct vmem *v, const char *name)
{
	uint16_t used0 = hv_used_idx(&v->vq);

	hv_publish(&v->vq, 0);
	return hv_expect_broken(&v->vp, &v->vq, used0, name);
}

uint64_t hv_top_of_phys(void)
{
	return 1ULL << cpu_phys_bits();
}

static int desc_loop(void)
{
	struct vmem *v = hv_vmem_dev("desc-loop");

	if (!v)
		return -1;
	plug_chain(v, (uintptr_t)hv_req, (uintptr_t)hv_resp);
	/* Two readable descriptors, 0 -> 1 -> 0 ...: only the loop is bad. */
	hv_desc(&v->vq, 1, (uintptr_t)hv_req, VMEM_REQ_SIZE, F_NEXT, 0);
	return vmem_broken_by(v, "desc-loop");
}

static int next_out_of_range(void)
{
	struct vmem *v = hv_vmem_dev("next-out-of-range");

	if (!v)
		return -1;
	plug_chain(v, (uintptr_t)hv_req, (uintptr_t)hv_resp);
	v->vq.desc[0].next = 0x7fff;
	return vmem_broken_by(v, "next-out-of-range");
}

static int head_out_of_range(void)
{
	struct vmem *v = hv_vmem_dev("head-out-of-range");
	uint16_t used0;

	if (!v)
		return -1;
	plug_chain(v, (uintptr_t)hv_req, (uintptr_t)hv_resp);
	used0 = hv_used_idx(&v->vq);
	hv_publish(&v->vq, 0xffff);
	return hv_expect_broken(&v->vp, &v->vq, used0, "head-out-of-range");
}

static int huge_length(void)
{
	struct vmem *v = hv_vmem_dev("huge-length");

	if (!v)
		return -1;
	plug_chain(v, (uintptr_t)hv_req, (uintptr_t)hv_resp);
	v->vq.desc[1].len = 0xffffffff;
	return vmem_broken_by(v, "huge-length");
}

static int addr_above_phys(void)
{
	struct vmem *v = hv_vmem_dev("addr-above-phys");

	if (!v)
		return -1;
	plug_chain(v, (uintptr_t)hv_req, hv_top_of_phys() - VMEM_RESP_SIZE);
	return vmem_broken_by(v, "addr-above-phys");
}

/* The response aimed at the device's own common configuration. */
static int addr_pci_hole(void)
{
	struct vmem *v = hv_vmem_dev("addr-pci-hole");

	if (!v)
		return -1;
	plug_chain(v, (uintptr_t)hv_req, v->vp.common.addr);
	return vmem_broken_by(v, "addr-pci-hole");
}

static int addr_wrap(void)
{
	struct vmem *v = hv_vmem_dev("addr-wrap");

	if (!v)
		return -1;
	plug_chain(v, 0ULL - 8, (uintptr_t)hv_resp);
	return vmem_broken_by(v, "addr-wrap");
}

/*
 * The response in unplugged device memory: the chain is refused before
 * the PLUG is looked at, so nothing is plugged, not even when the
 * response lies in the very block the PLUG asks for.
 */
static int resp_unplugged(void)
{
	struct vmem *v = hv_vmem_dev("resp-unplugged");

	if (!v)
		return -1;
	plug_chain(v, (uintptr_t)hv_req,
		   hv_unplugged_block(v) + 4 * v->cfg.block_size);
	return vmem_broken_by(v, "resp-unplugged");
}

static int resp_in_plugged_block(void)
{
	struct vmem *v = hv_vmem_dev("resp-in-plugged-block");

	if (!v)
		return -1;
	plug_chain(v, (uintptr_t)hv_req, hv_unplugged_block(v) + SZ_1M);
	return vmem_broken_by(v, "resp-in-plugged-block");
}

/* The request in unplugged memory must not be read as (zero) data. */
static int req_unplugged(void)
{
	struct vmem *v = hv_vmem_dev("req-unplugged");

	if (!v)
		return -1;
	plug_chain(v, hv_unplugged_block(v), (uintptr_t)hv_resp);
	return vmem_broken_by(v, "req-unplugged");
}

static int avail_idx_jump(void)
{
	struct vmem *v = hv_vmem_dev("avail-idx-jump");
	uint16_t used0;

	if (!v)
		return -1;
	plug_chain(v, (uintptr_t)hv_req, (uintptr_t)hv_resp);
	used0 = hv_used_idx(&v->vq);
	v->vq.avail_idx += VMEM_QSIZE; /* 17 entries ahead with the next */
	hv_publish(&v->vq, 0);
	return hv_expect_broken(&v->vp, &v->vq, used0, "avail-idx-jump");
}

static int avail_idx_backwards(void)
{
	struct vmem *v = hv_vmem_dev("avail-idx-backwards");
	uint16_t used0;

	if (!v)
		return -1;
	plug_chain(v, (uintptr_t)hv_req, (uintptr_t)hv_resp);
	used0 = hv_used_idx(&v->vq);
	v->vq.avail_idx -= 2; /* one behind what the device consumed */
	hv_publish(&v->vq, 0);
	return hv_expect_broken(&v->vp, &v->vq, used0,
				"avail-idx-backwards");
}

/* Indirect chains on a virtio-mem queue that negotiated INDIRECT_DESC. */
static int indirect_setup(struct vmem **vp, const char *name)
{
	const char *why = "";
	struct vmem *v = hv_vmem_dev(name);

	*vp = v;
	if (!v)
		return -1;
	if (hv_vmem_up(v, HV_FEAT_INDIRECT, VMEM_QSIZE, &why)) {
		fail("hostile: %s: set-up: %s", name, why);
		return -1;
	}
	if (!(v->vp.accepted & HV_FEAT_INDIRECT)) {
		fail("hostile: %s: INDIRECT_DESC not offered", name);
		return -1;
	}
	return 0;
}

/* hv_page as a table: request, response; an indirect one answers. */
static int indirect_answered(struct vmem *v, const char *name)
{
	struct vring_desc *t = (void *)hv_page;
	const struct virtio_mem_resp *r = (const void *)hv_resp;
	uint16_t used0 = hv_used_idx(&v->vq);

	hv_fill_req(VIRTIO_MEM_REQ_STATE, v->cfg.addr, HOSTILE_BASE_BLOCKS);
	t[0] = (struct vring_desc){ (uintptr_t)hv_req, VMEM_REQ_SIZE,
				    F_NEXT, 1 };
	t[1] = (struct vring_desc){ (uintptr_t)hv_resp, VMEM_RESP_SIZE,
				    F_WRITE, 0 };
	hv_desc(&v->vq, 0, (uintptr_t)hv_page, 32, F_INDIRECT, 0);
	hv_publish(&v->vq, 0);
	if (hv_expect_used(&v->vp, &v->vq, (uint16_t)(used0 + 1), name))
		return -1;
	return check(r->type == VIRTIO_MEM_RESP_ACK &&
		     r->u.state.state == VIRTIO_MEM_STATE_PLUGGED,
		     "hostile: %s: a valid indirect STATE is answered ACK "
		     "PLUGGED", name) ? 0 : -1;
}

static int indirect_nested(void)
{
	struct vring_desc *t = (void *)hv_page;
	struct vmem *v;

	if (indirect_setup(&v, "indirect-nested") ||
	    indirect_answered(v, "indirect-nested"))
		return -1;
	/* Entry 2 of the table names the table again. */
	t[0].flags = F_NEXT;
	t[0].next = 2;
	t[2] = (struct vring_desc){ (uintptr_t)hv_page, 48, F_INDIRECT, 0 };
	hv_desc(&v->vq, 0, (uintptr_t)hv_page, 48, F_INDIRECT, 0);
	return vmem_broken_by(v, "indirect-nested");
}

static int indirect_bad_len(void)
{
	struct vmem *v;

	if (indirect_setup(&v, "indirect-bad-len") ||
	    indirect_answered(v, "indirect-bad-len"))
		return -1;
	hv_desc(&v->vq, 0, (uintptr_t)hv_page, 24, F_INDIRECT, 0);
	return vmem_broken_by(v, "indirect-bad-len");
}

static int indirect_unplugged(void)
{
	struct vmem *v;

	if (indirect_setup(&v, "indirect-unplugged") ||
	    indirect_answered(v, "indirect-unplugged"))
		return -1;
	/* Unplugged memory reads as zeros: a valid-looking table. */
	hv_desc(&v->vq, 0, hv_unplugged_block(v), 32, F_INDIRECT, 0);
	return vmem_broken_by(v, "indirect-unplugged");
}

static int indirect_not_negotiated(void)
{
	struct vring_desc *t = (void *)hv_page;
	struct vmem *v = hv_vmem_dev("indirect-not-negotiated");

	if (!v)
		return -1;
	plug_chain(v, (uintptr_t)hv_req, (uintptr_t)hv_resp);
	t[0] = v->vq.desc[0];
	t[1] = v->vq.desc[1];
	hv_desc(&v->vq, 0, (uintptr_t)hv_page, 32, F_INDIRECT, 0);
	return vmem_broken_by(v, "indirect-not-negotiated");
}

/* Zero-length buffers name no memory: flexvm allows them anywhere. */
static int zero_length(void)
{
	struct vmem *v = hv_vmem_dev("zero-length");
	const struct virtio_mem_resp *r = (const void *)hv_resp;
	struct virtqueue *q;
	uint16_t used0;

	if (!v)
		return -1;
	q = &v->vq;
	used0 = hv_used_idx(q);
	hv_fill_req(VIRTIO_MEM_REQ_STATE, v->cfg.addr, 1);
	hv_desc(q, 0, (uintptr_t)hv_req, VMEM_REQ_SIZE, F_NEXT, 1);
	hv_desc(q, 1, 1ULL << 63, 0, F_NEXT, 2);
	hv_desc(q, 2, (uintptr_t)hv_resp, VMEM_RESP_SIZE, F_WRITE | F_NEXT, 3);
	hv_desc(q, 3, 0ULL - 1, 0, F_WRITE, 0);
	hv_publish(q, 0);
	if (hv_expect_used(&v->vp, q, (uint16_t)(used0 + 1), "zero-length"))
		return -1;
	return check(r->type == VIRTIO_MEM_RESP_ACK &&
		     q->used->ring[used0 % q->size].len == VMEM_RESP_SIZE,
		     "hostile: zero-length: answered %s, used length %u",
		     vmem_resp_name(r->type),
		     q->used->ring[used0 % q->size].len) ? 0 : -1;
}

/*
 * The response buffer is the queue's own avail ring: the answer zeroes
 * avail->idx, so the device's next look at the ring sees it 65535
 * entries ahead: one answer, then DEVICE_NEEDS_RESET.
 */
static int resp_over_avail(void)
{
	struct vmem *v = hv_vmem_dev("resp-over-avail");
	uint16_t used0;

	if (!v)
		return -1;
	hv_fill_req(VIRTIO_MEM_REQ_STATE, v->cfg.addr, 1);
	hv_desc(&v->vq, 0, (uintptr_t)hv_req, VMEM_REQ_SIZE, F_NEXT, 1);
	hv_desc(&v->vq, 1, vq_avail_addr(&v->vq), VMEM_RESP_SIZE, F_WRITE, 0);
	used0 = hv_used_idx(&v->vq);
	hv_publish(&v->vq, 0);
	return hv_expect_broken(&v->vp, &v->vq, (uint16_t)(used0 + 1),
				"resp-over-avail");
}

const struct hostile_attack hostile_virtio_attacks[] = {
	{ "desc-loop", "descriptor 1 chains back to 0", desc_loop },
	{ "next-out-of-range", "next = 0x7fff in a queue of 16",
	  next_out_of_range },
	{ "head-out-of-range", "avail ring entry 0xffff", head_out_of_range },
	{ "huge-length", "response descriptor of 0xffffffff bytes",
	  huge_length },
	{ "addr-above-phys", "response at the top of guest-physical space",
	  addr_above_phys },
	{ "addr-pci-hole", "response aimed at the device's own common "
	  "config (BAR in the PCI hole)", addr_pci_hole },
	{ "addr-wrap", "request at 2^64 - 8, 24 bytes (wraps)", addr_wrap },
	{ "resp-unplugged", "PLUG whose response is in unplugged device "
	  "memory", resp_unplugged },
	{ "resp-in-plugged-block", "PLUG whose response lies in the block "
	  "it plugs", resp_in_plugged_block },
	{ "req-unplugged", "request in unplugged device memory",
	  req_unplugged },
	{ "avail-idx-jump", "avail->idx 17 ahead in a queue of 16",
	  avail_idx_jump },
	{ "avail-idx-backwards", "avail->idx behind the device's",
	  avail_idx_backwards },
	{ "indirect-nested", "an indirect table naming an indirect table",
	  indirect_nested },
	{ "indirect-bad-len", "indirect table of 24 bytes", indirect_bad_len },
	{ "indirect-unplugged", "indirect table in unplugged device memory",
	  indirect_unplugged },
	{ "indirect-not-negotiated", "indirect descriptor without "
	  "INDIRECT_DESC", indirect_not_negotiated },
	{ "zero-length", "zero-length descriptors at bogus addresses",
	  zero_length },
	{ "resp-over-avail", "response written over the queue's avail ring",
	  resp_over_avail },
	{ "used-over-desc", "used ring on top of the descriptor table",
	  hv_used_over_desc },
	{ "used-in-pci-hole", "queue enabled with its used ring on a BAR",
	  hv_used_in_pci_hole },
	{ "desc-above-phys", "queue enabled with its descriptor table at "
	  "the top of guest-physical space", hv_desc_above_phys },
	{ "queue-size-bad", "queue_size 12, 0, 3, 0x8000, 0xffff",
	  hv_queue_size_bad },
	{ "notify-storm-empty", "1e6 notifies of an empty queue",
	  hv_notify_storm_empty },
	{ "notify-bad-index", "notifies of queues 1-1023 in every width",
	  hv_notify_bad_index },
	{ "rng-above-phys", "virtio-rng buffer at the top of guest-physical "
	  "space", hv_rng_above_phys },
	{ "rng-unplugged", "virtio-rng buffer in unplugged device memory",
	  hv_rng_unplugged },
	{ "rng-past-ram-end", "virtio-rng buffer across the end of low RAM",
	  hv_rng_past_ram_end },
	{ "vmem-race-request", "the AP rewrites a request while the device "
	  "reads it", hv_vmem_race_request },
	{ "vmem-unplug-all-then-plug", "UNPLUG_ALL, PLUG and STATE in one "
	  "kick", hv_vmem_unplug_all_then_plug },
	{ "vmem-garbage-model", "random requests checked against a model "
	  "of the spec", hv_vmem_garbage_model },
	{ "vmem-batch-violation", "8 PLUGs in one kick, the 4th with an "
	  "8-byte response", hv_vmem_batch_violation },
	{ "rings-in-unplugged", "virtio-rng rings in device memory that is "
	  "then unplugged", hv_rings_in_unplugged },
	{ "unplug-own-rings", "UNPLUG of the block holding the request "
	  "queue's own rings", hv_unplug_own_rings },
};
const unsigned int hostile_virtio_count = ARRAY_SIZE(hostile_virtio_attacks);
