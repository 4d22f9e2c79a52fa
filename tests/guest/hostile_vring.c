// SPDX-License-Identifier: MIT
/*
 * Hostile attacks on where the rings and buffers are: overlapping rings,
 * rings enabled outside RAM, bad queue sizes, notify storms and notifies
 * of queues that do not exist, virtio-rng buffers outside RAM or in
 * unplugged device memory, and rings in virtio-mem memory that is
 * unplugged under the queue. Outcomes as docs/virtio.md prescribes.
 * CPL3, BSP.
 */
#include "guest.h"
#include "cpu.h"
#include "hostile_virtio.h"
#include "io.h"
#include "pvh.h"

#define STORM_KICKS 1000000
#define NOTIFY_SLOTS 1024 /* a 4 KiB notify structure, multiplier 4 */
#define PAGE 4096

/*
 * Resets @vp and sets up queue 0 by hand: the device gets the rings at
 * @ring[0..2] (descriptors, avail, used), whatever @q points to. With
 * @ok_first, DRIVER_OK comes before queue_enable, so that an enable
 * error raises a config interrupt.
 */
static int manual_up(struct virtio_pci *vp, struct virtqueue *q,
		     const uint64_t ring[3], bool ok_first, uint64_t features,
		     const char **why)
{
	uint64_t c = vp->common.addr;
	uint16_t noff;

	if (virtio_pci_negotiate(vp, features, why))
		return -1;
	if (ok_first)
		virtio_pci_driver_ok(vp);
	mmio_write16(c + VIRTIO_PCI_COMMON_Q_SELECT, 0);
	mmio_write16(c + VIRTIO_PCI_COMMON_Q_SIZE, q->size);
	mmio_write64(c + VIRTIO_PCI_COMMON_Q_DESCLO, ring[0]);
	mmio_write64(c + VIRTIO_PCI_COMMON_Q_AVAILLO, ring[1]);
	mmio_write64(c + VIRTIO_PCI_COMMON_Q_USEDLO, ring[2]);
	noff = mmio_read16(c + VIRTIO_PCI_COMMON_Q_NOFF);
	q->notify_addr = vp->notify.addr + (uint64_t)noff * vp->notify_mult;
	vq_set_no_interrupt(q, true);
	/* Cleared before the enable: its error sets the config bit. */
	virtio_pci_read_isr(vp);
	mmio_write16(c + VIRTIO_PCI_COMMON_Q_ENABLE, 1);
	if (!ok_first)
		virtio_pci_driver_ok(vp);
	return 0;
}

/* A queue of @size whose three rings are the pages at @base (zeroed). */
static void queue_at(struct virtqueue *q, uint64_t base, uint16_t size,
		     uint64_t ring[3])
{
	memset(q, 0, sizeof(*q));
	memset((void *)base, 0, 3 * PAGE);
	q->size = size;
	q->desc = (void *)base;
	q->avail = (void *)(base + PAGE);
	q->used = (void *)(base + 2 * PAGE);
	ring[0] = base;
	ring[1] = base + PAGE;
	ring[2] = base + 2 * PAGE;
}

/* The used ring on top of the descriptor table: answered all the same. */
int hv_used_over_desc(void)
{
	struct vmem *v = hv_vmem_dev("used-over-desc");
	const struct virtio_mem_resp *r = (const void *)hv_resp;
	const char *why = "";
	struct virtqueue *q;
	uint64_t ring[3];

	if (!v)
		return -1;
	q = &v->vq;
	vmem_reset(v);
	vq_init(q, 0, VMEM_QSIZE);
	ring[0] = ring[2] = vq_desc_addr(q);
	ring[1] = vq_avail_addr(q);
	q->used = (struct vring_used *)q->desc;
	if (manual_up(&v->vp, q, ring, false, HV_FEAT_UNPLUGGED, &why)) {
		fail("hostile: used-over-desc: set-up: %s", why);
		return -1;
	}
	hv_fill_req(VIRTIO_MEM_REQ_STATE, v->cfg.addr, 1);
	/* Descriptors 2-3: the first used entry covers descriptor 0. */
	hv_desc(q, 2, (uintptr_t)hv_req, VMEM_REQ_SIZE, F_NEXT, 3);
	hv_desc(q, 3, (uintptr_t)hv_resp, VMEM_RESP_SIZE, F_WRITE, 0);
	hv_publish(q, 2);
	if (hv_expect_used(&v->vp, q, 1, "used-over-desc"))
		return -1;
	return check(r->type == VIRTIO_MEM_RESP_ACK &&
		     q->used->ring[0].id == 2,
		     "hostile: used-over-desc: answered %s for head %u",
		     vmem_resp_name(r->type), q->used->ring[0].id) ? 0 : -1;
}

/* queue_enable with a ring the device cannot reach. */
static int enable_bad_ring(const char *name, int which, uint64_t addr)
{
	struct vmem *v = hv_vmem_dev(name);
	const char *why = "";
	uint64_t ring[3];

	if (!v)
		return -1;
	vmem_reset(v);
	vq_init(&v->vq, 0, VMEM_QSIZE);
	ring[0] = vq_desc_addr(&v->vq);
	ring[1] = vq_avail_addr(&v->vq);
	ring[2] = vq_used_addr(&v->vq);
	ring[which] = addr;
	if (manual_up(&v->vp, &v->vq, ring, true, HV_FEAT_UNPLUGGED, &why)) {
		fail("hostile: %s: set-up: %s", name, why);
		return -1;
	}
	if (!check(!mmio_read16(v->vp.common.addr +
				VIRTIO_PCI_COMMON_Q_ENABLE),
		   "hostile: %s: queue_enable reads 0", name))
		return -1;
	return hv_expect_broken(&v->vp, &v->vq, 0, name);
}

int hv_used_in_pci_hole(void)
{
	struct vmem *v = hostile_vmem();

	return enable_bad_ring("used-in-pci-hole", 2,
			       v ? ALIGN_DOWN(v->vp.common.addr, 4096) : 0);
}

int hv_desc_above_phys(void)
{
	return enable_bad_ring("desc-above-phys", 0, hv_top_of_phys() - 4096);
}

/* queue_size writes that are no power of 2, or too big, are ignored. */
int hv_queue_size_bad(void)
{
	static const uint16_t bad[] = { 12, 0, 3, 0x8000, 0xffff };
	struct vmem *v = hv_vmem_dev("queue-size-bad");
	uint64_t c;
	struct vmem_resp r;
	const char *why = "";
	uint16_t max, got;

	if (!v)
		return -1;
	c = v->vp.common.addr;
	vmem_reset(v);
	virtio_pci_negotiate(&v->vp, HV_FEAT_UNPLUGGED, &why);
	mmio_write16(c + VIRTIO_PCI_COMMON_Q_SELECT, 0);
	max = mmio_read16(c + VIRTIO_PCI_COMMON_Q_SIZE);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		mmio_write16(c + VIRTIO_PCI_COMMON_Q_SIZE, bad[i]);
		got = mmio_read16(c + VIRTIO_PCI_COMMON_Q_SIZE);
		if (bad[i] <= max && !(bad[i] & (bad[i] - 1)) && bad[i])
			continue;
		if (!check(got == max, "hostile: queue-size-bad: %u ignored "
			   "(reads %u, maximum %u)", bad[i], got, max))
			return -1;
	}
	if (hv_vmem_up(v, 0, VMEM_QSIZE, &why) ||
	    vmem_request(v, VIRTIO_MEM_REQ_STATE, v->cfg.addr, 1, &r, &why)) {
		fail("hostile: queue-size-bad: then a request: %s", why);
		return -1;
	}
	return check(r.type == VIRTIO_MEM_RESP_ACK, "hostile: queue-size-bad: "
		     "then STATE answered %s", vmem_resp_name(r.type)) ? 0 : -1;
}

/* A STATE request must still be answered ACK after a notify attack. */
static int still_answers(struct vmem *v, const char *name)
{
	struct vmem_resp r;
	const char *why = "";

	if (vmem_request(v, VIRTIO_MEM_REQ_STATE, v->cfg.addr, 1, &r, &why)) {
		fail("hostile: %s: STATE afterwards: %s", name, why);
		return -1;
	}
	return check(r.type == VIRTIO_MEM_RESP_ACK &&
		     !(virtio_pci_get_status(&v->vp) &
		       VIRTIO_CONFIG_S_NEEDS_RESET),
		     "hostile: %s: STATE afterwards answered %s", name,
		     vmem_resp_name(r.type)) ? 0 : -1;
}

int hv_notify_storm_empty(void)
{
	struct vmem *v = hv_vmem_dev("notify-storm-empty");
	uint64_t kicks = STORM_KICKS;
	uint16_t used0;

	if (!v)
		return -1;
	cmdline_get_u64("storm", &kicks);
	used0 = hv_used_idx(&v->vq);
	for (uint64_t i = 0; i < kicks; i++)
		vq_kick(&v->vq);
	if (!check(hv_used_idx(&v->vq) == used0, "hostile: "
		   "notify-storm-empty: %lu notifies, nothing used",
		   (unsigned long)kicks))
		return -1;
	return still_answers(v, "notify-storm-empty");
}

/* Every other notify slot and width: no queue behind them. */
int hv_notify_bad_index(void)
{
	struct vmem *v = hv_vmem_dev("notify-bad-index");
	uint64_t base;
	uint32_t slots;

	if (!v)
		return -1;
	base = v->vp.notify.addr;
	slots = v->vp.notify.length / 4;
	if (slots > NOTIFY_SLOTS)
		slots = NOTIFY_SLOTS;
	for (uint32_t q = v->vp.num_queues; q < slots; q++) {
		mmio_write16(base + 4 * q, (uint16_t)q);
		mmio_write32(base + 4 * q, 0xffffffff);
		mmio_write8(base + 4 * q + 1, 0xff);
	}
	/* Queue 0's slot with the value of a queue that does not exist. */
	mmio_write16(base, 0x7fff);
	return still_answers(v, "notify-bad-index");
}

/* virtio-rng: writable buffers it must not write. */
static int rng_bad_buffer(const char *name, uint64_t addr, uint32_t len)
{
	static struct hv_rng r;
	const char *why = "";

	if (hv_rng_up(&r, 0, &why)) {
		fail("hostile: %s: set-up: %s", name, why);
		return -1;
	}
	hv_desc(&r.vq, 0, addr, len, F_WRITE, 0);
	hv_publish(&r.vq, 0);
	return hv_expect_broken(&r.vp, &r.vq, 0, name);
}

int hv_rng_above_phys(void)
{
	return rng_bad_buffer("rng-above-phys", hv_top_of_phys() - 64, 64);
}

int hv_rng_unplugged(void)
{
	struct vmem *v = hostile_vmem();

	if (!v) {
		fail("hostile: rng-unplugged: needs a virtio-mem-pci device");
		return -1;
	}
	return rng_bad_buffer("rng-unplugged", hv_unplugged_block(v), 4096);
}

/* The end of the RAM entry that holds the guest image. */
static uint64_t low_ram_end(void)
{
	for (unsigned int i = 0; i < pvh.nr_memmap; i++) {
		const struct hvm_memmap_entry *e = &pvh.memmap[i];

		if (e->type == 1 && e->addr <= GUEST_LOAD_ADDR &&
		    e->addr + e->size > GUEST_LOAD_ADDR)
			return e->addr + e->size;
	}
	return 0;
}

/* 4 KiB of RAM then 4 KiB past its end: the canary page behind it. */
int hv_rng_past_ram_end(void)
{
	return rng_bad_buffer("rng-past-ram-end", low_ram_end() - 4096, 8192);
}


/* Plugs the first unplugged block for rings; its address, or 0. */
static uint64_t plug_ring_block(struct vmem *v, const char *name)
{
	uint64_t y = hv_unplugged_block(v);
	struct vmem_resp r;
	const char *why = "";

	if (vmem_request(v, VIRTIO_MEM_REQ_PLUG, y, 1, &r, &why) ||
	    r.type != VIRTIO_MEM_RESP_ACK || map_range(y, v->cfg.block_size)) {
		fail("hostile: %s: PLUG of the ring block: %s", name,
		     *why ? why : vmem_resp_name(r.type));
		return 0;
	}
	return y;
}

static int unplug_block(struct vmem *v, uint64_t y, const char *name)
{
	struct vmem_resp r;
	const char *why = "";

	if (vmem_request(v, VIRTIO_MEM_REQ_UNPLUG, y, 1, &r, &why) ||
	    r.type != VIRTIO_MEM_RESP_ACK) {
		fail("hostile: %s: UNPLUG of the ring block: %s", name,
		     *why ? why : vmem_resp_name(r.type));
		return -1;
	}
	return 0;
}

/*
 * virtio-rng's rings in a plugged virtio-mem block: one request is
 * answered; then the block is unplugged and the next kick must find
 * the rings unreachable (DEVICE_NEEDS_RESET), not repopulate them.
 */
int hv_rings_in_unplugged(void)
{
	const char *name = "rings-in-unplugged", *why = "";
	struct vmem *v = hv_vmem_dev(name);
	static struct hv_rng r;
	uint64_t y, ring[3];

	if (!v || !(y = plug_ring_block(v, name)))
		return -1;
	if (virtio_pci_probe(&r.vp, virtio_pci_find(VIRTIO_ID_RNG, 0), &why))
		goto err;
	queue_at(&r.vq, y, RNG_QSIZE, ring);
	if (manual_up(&r.vp, &r.vq, ring, false, 0, &why))
		goto err;
	hv_desc(&r.vq, 0, (uintptr_t)hv_page, 64, F_WRITE, 0);
	hv_publish(&r.vq, 0);
	if (hv_expect_used(&r.vp, &r.vq, 1, name) || unplug_block(v, y, name))
		return -1;
	/* The guest's ring writes now go nowhere; the kick still arrives. */
	hv_publish(&r.vq, 0);
	return hv_expect_broken(&r.vp, &r.vq, 0, name);
err:
	fail("hostile: %s: virtio-rng set-up: %s", name, why);
	return -1;
}

/*
 * virtio-mem's own rings in the block a request unplugs: the UNPLUG is
 * done, but its used entry cannot be written any more, so the device
 * must stop with DEVICE_NEEDS_RESET (the block stays unplugged).
 */
int hv_unplug_own_rings(void)
{
	const char *name = "unplug-own-rings", *why = "";
	struct vmem *v = hv_vmem_dev(name);
	const struct virtio_mem_resp *resp = (const void *)hv_resp;
	struct virtqueue *q;
	uint64_t y, ring[3];

	if (!v || !(y = plug_ring_block(v, name)))
		return -1;
	q = &v->vq;
	vmem_reset(v);
	queue_at(q, y, VMEM_QSIZE, ring);
	if (manual_up(&v->vp, q, ring, false, HV_FEAT_UNPLUGGED, &why)) {
		fail("hostile: %s: set-up: %s", name, why);
		return -1;
	}
	hv_fill_req(VIRTIO_MEM_REQ_STATE, y, 1);
	hv_desc(q, 0, (uintptr_t)hv_req, VMEM_REQ_SIZE, F_NEXT, 1);
	hv_desc(q, 1, (uintptr_t)hv_resp, VMEM_RESP_SIZE, F_WRITE, 0);
	hv_publish(q, 0);
	if (hv_expect_used(&v->vp, q, 1, name) ||
	    !check(resp->type == VIRTIO_MEM_RESP_ACK &&
		   resp->u.state.state == VIRTIO_MEM_STATE_PLUGGED,
		   "hostile: %s: STATE of the ring block: ACK PLUGGED", name))
		return -1;
	hv_fill_req(VIRTIO_MEM_REQ_UNPLUG, y, 1);
	hv_publish(q, 0);
	return hv_expect_broken(&v->vp, q, 0, name);
}
