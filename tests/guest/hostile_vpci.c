// SPDX-License-Identifier: MIT
/*
 * Hostile attacks on the virtio-pci registers (virtio 1.2 §4.1.4) of
 * virtio-rng-pci and virtio-mem-pci: queue_select beyond num_queues,
 * read-only fields, wrong widths and offsets, features changed after
 * FEATURES_OK, status abuse, rings outside RAM, notify and ISR abuse,
 * virtio-mem's read-only device config and the PCI_CFG window. What
 * flexvm must answer is in docs/virtio.md. CPL3, BSP.
 */
#include "guest.h"
#include "cpu.h"
#include "hostile_pci.h"
#include "hostile_util.h"
#include "io.h"
#include "pvh.h"

#define ST(x) VIRTIO_CONFIG_S_##x
#define ST_NEGOTIATED (ST(ACKNOWLEDGE) | ST(DRIVER) | ST(FEATURES_OK))
#define ST_LIVE (ST_NEGOTIATED | ST(DRIVER_OK))
#define ST_DEFINED 0xcf /* bits 4 and 5 have no meaning */
#define RNG_QUEUE_MAX 8
#define F_INDIRECT (1u << VIRTIO_RING_F_INDIRECT_DESC)
#define F_EVENT_IDX (1u << VIRTIO_RING_F_EVENT_IDX)
#define NOTIFY_STORM 20000
#define VMEM_CONFIG_SIZE 56
#define E820_RAM 1

static uint8_t ring_page[4096] __attribute__((aligned(4096)));

static uint64_t rd(uint64_t a, unsigned int size)
{
	switch (size) {
	case 1:
		return mmio_read8(a);
	case 2:
		return mmio_read16(a);
	case 4:
		return mmio_read32(a);
	default:
		return mmio_read64(a);
	}
}

static void wr(uint64_t a, unsigned int size, uint64_t v)
{
	if (size == 1)
		mmio_write8(a, (uint8_t)v);
	else if (size == 2)
		mmio_write16(a, (uint16_t)v);
	else if (size == 4)
		mmio_write32(a, (uint32_t)v);
	else
		mmio_write64(a, v);
}

static uint64_t ones(unsigned int size)
{
	return size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static void expect_status(const struct virtio_pci *vp, uint8_t want,
			  const char *when)
{
	uint8_t st = virtio_pci_get_status(vp);

	hp_check(st == want, "%s: status 0x%02x, expected 0x%02x", when, st,
		 want);
}

/* Reset, ACKNOWLEDGE, DRIVER and the 64 feature bits, no FEATURES_OK. */
static void features(struct virtio_pci *vp, uint64_t f)
{
	uint64_t c = vp->common.addr;

	virtio_pci_reset(vp);
	virtio_pci_add_status(vp, ST(ACKNOWLEDGE) | ST(DRIVER));
	mmio_write32(c + HP_CC(GFSELECT), 0);
	mmio_write32(c + HP_CC(GF), (uint32_t)f);
	mmio_write32(c + HP_CC(GFSELECT), 1);
	mmio_write32(c + HP_CC(GF), (uint32_t)(f >> 32));
}

static uint32_t driver_features(uint64_t c, uint32_t sel)
{
	mmio_write32(c + HP_CC(GFSELECT), sel);
	return mmio_read32(c + HP_CC(GF));
}

/* §4.1.4.3.2: an absent queue reads size 0 and takes no writes. */
int hp_vpci_queue_select(void)
{
	static const uint16_t sel[] = { 1, 7, 0x400, 0x7fff, 0xffff };
	static struct hp_rng r;
	uint64_t c;

	hp_begin("vpci-queue-select");
	if (hp_rng_probe(&r))
		return hp_end();
	c = r.vp.common.addr;
	for (unsigned int i = 0; i < ARRAY_SIZE(sel); i++) {
		mmio_write16(c + HP_CC(Q_SELECT), sel[i]);
		mmio_write16(c + HP_CC(Q_SIZE), 4);
		mmio_write16(c + HP_CC(Q_MSIX), 0);
		mmio_write64(c + HP_CC(Q_DESCLO), (uintptr_t)ring_page);
		mmio_write32(c + HP_CC(Q_AVAILLO), 0x1000);
		mmio_write32(c + HP_CC(Q_USEDHI), 1);
		mmio_write16(c + HP_CC(Q_ENABLE), 1);
		hp_check(mmio_read16(c + HP_CC(Q_SIZE)) == 0 &&
				 mmio_read16(c + HP_CC(Q_MSIX)) ==
					 VIRTIO_MSI_NO_VECTOR &&
				 mmio_read16(c + HP_CC(Q_ENABLE)) == 0 &&
				 mmio_read16(c + HP_CC(Q_NOFF)) == 0 &&
				 mmio_read64(c + HP_CC(Q_DESCLO)) == 0 &&
				 mmio_read32(c + HP_CC(Q_AVAILLO)) == 0 &&
				 mmio_read32(c + HP_CC(Q_USEDHI)) == 0,
			 "absent queue %u does not read size 0, no vector, "
			 "disabled, no rings", sel[i]);
	}
	mmio_write16(c + HP_CC(Q_SELECT), 0);
	hp_check(mmio_read16(c + HP_CC(Q_SIZE)) == RNG_QUEUE_MAX &&
			 mmio_read64(c + HP_CC(Q_DESCLO)) == 0 &&
			 mmio_read16(c + HP_CC(Q_ENABLE)) == 0 &&
			 mmio_read16(c + HP_CC(Q_MSIX)) ==
				 VIRTIO_MSI_NO_VECTOR,
		 "writes to absent queues reached queue 0");
	expect_status(&r.vp, ST_NEGOTIATED, "after enabling absent queues");
	hp_rng_down(&r);
	return hp_end();
}

int hp_vpci_readonly_fields(void)
{
	static struct hp_rng r;
	uint32_t f0, f1, gen;
	uint64_t c;

	hp_begin("vpci-readonly-fields");
	if (hp_rng_probe(&r))
		return hp_end();
	c = r.vp.common.addr;
	mmio_write16(c + HP_CC(NUMQ), 0x10);
	hp_check(mmio_read16(c + HP_CC(NUMQ)) == 1, "num_queues was written");
	gen = mmio_read8(c + HP_CC(CFGGENERATION));
	mmio_write8(c + HP_CC(CFGGENERATION), (uint8_t)~gen);
	hp_check(mmio_read8(c + HP_CC(CFGGENERATION)) == gen,
		 "config_generation was written");
	mmio_write16(c + HP_CC(Q_SELECT), 0);
	mmio_write16(c + HP_CC(Q_NOFF), 5);
	hp_check(mmio_read16(c + HP_CC(Q_NOFF)) == 0, "queue_notify_off was "
		 "written");
	mmio_write32(c + HP_CC(DFSELECT), 0);
	f0 = mmio_read32(c + HP_CC(DF));
	mmio_write32(c + HP_CC(DF), ~f0);
	mmio_write32(c + HP_CC(DFSELECT), 1);
	f1 = mmio_read32(c + HP_CC(DF));
	mmio_write32(c + HP_CC(DF), ~f1);
	hp_check(f1 & 1, "VERSION_1 not offered");
	hp_check(mmio_read32(c + HP_CC(DF)) == f1, "device_feature was "
		 "written");
	for (uint32_t s = 2; s; s = s < 0x80000000u ? s << 4 : 0) {
		mmio_write32(c + HP_CC(DFSELECT), s);
		hp_check(mmio_read32(c + HP_CC(DF)) == 0, "device_feature "
			 "select 0x%x reads features", s);
	}
	/* Huge driver_feature_select before FEATURES_OK: writes dropped. */
	features(&r.vp, 1ULL << VIRTIO_F_VERSION_1);
	mmio_write32(c + HP_CC(GFSELECT), 2);
	mmio_write32(c + HP_CC(GF), ~0u);
	mmio_write32(c + HP_CC(GFSELECT), 0xffffffffu);
	mmio_write32(c + HP_CC(GF), ~0u);
	hp_check(mmio_read32(c + HP_CC(GF)) == 0, "driver_feature select "
		 "0xffffffff reads features");
	hp_check(driver_features(c, 0) == 0 && driver_features(c, 1) == 1,
		 "a huge driver_feature_select changed features 0-63");
	virtio_pci_add_status(&r.vp, ST(FEATURES_OK));
	expect_status(&r.vp, ST_NEGOTIATED, "FEATURES_OK after the abuse");
	hp_rng_down(&r);
	return hp_end();
}

/* The wrong width for each field: reads 0, writes ignored. */
static void wrong_widths(uint64_t c)
{
	static const struct {
		uint16_t off;
		uint8_t size;
	} f[] = {
		{ HP_CC(DFSELECT), 2 }, { HP_CC(DFSELECT), 8 },
		{ HP_CC(DF), 1 }, { HP_CC(GFSELECT), 2 }, { HP_CC(MSIX), 1 },
		{ HP_CC(MSIX), 4 }, { HP_CC(NUMQ), 1 }, { HP_CC(STATUS), 2 },
		{ HP_CC(STATUS), 4 }, { HP_CC(CFGGENERATION), 2 },
		{ HP_CC(Q_SELECT), 1 }, { HP_CC(Q_SIZE), 4 },
		{ HP_CC(Q_SIZE), 8 }, { HP_CC(Q_ENABLE), 1 },
		{ HP_CC(Q_DESCLO), 2 }, { HP_CC(Q_DESCHI), 8 },
		{ HP_CC(Q_USEDLO), 1 }, { 0x13, 2 }, { 0x15, 1 },
		{ 0x38, 1 }, { 0x38, 2 }, { 0x3a, 2 }, { 0x3c, 4 },
		{ 0x40, 8 }, { 0x100, 4 }, { 0xffc, 4 }, { 0xff8, 8 },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(f); i++) {
		uint64_t a = c + f[i].off;

		hp_check(rd(a, f[i].size) == 0, "a %u-byte read at 0x%x is "
			 "not 0", f[i].size, f[i].off);
		wr(a, f[i].size, 0);
		wr(a, f[i].size, ~0ULL);
	}
}

int hp_vpci_access_widths(void)
{
	static struct hp_rng r;
	uint64_t c;

	hp_begin("vpci-access-widths");
	if (hp_rng_probe(&r))
		return hp_end();
	c = r.vp.common.addr;
	mmio_write32(c + HP_CC(DFSELECT), 0);
	mmio_write16(c + HP_CC(Q_SELECT), 0);
	wrong_widths(c);
	expect_status(&r.vp, ST_NEGOTIATED, "after wrong-width writes");
	hp_check(mmio_read32(c + HP_CC(DFSELECT)) == 0 &&
			 mmio_read16(c + HP_CC(Q_SELECT)) == 0 &&
			 mmio_read16(c + HP_CC(Q_SIZE)) == RNG_QUEUE_MAX &&
			 mmio_read64(c + HP_CC(Q_DESCLO)) == 0 &&
			 mmio_read16(c + HP_CC(MSIX)) == VIRTIO_MSI_NO_VECTOR,
		 "a wrong-width write landed: dfselect 0x%x queue_select %u "
		 "queue_size %u desc 0x%lx config vector 0x%x",
		 mmio_read32(c + HP_CC(DFSELECT)),
		 mmio_read16(c + HP_CC(Q_SELECT)),
		 mmio_read16(c + HP_CC(Q_SIZE)),
		 (unsigned long)mmio_read64(c + HP_CC(Q_DESCLO)),
		 mmio_read16(c + HP_CC(MSIX)));
	/* The 64-bit ring addresses also take one aligned qword. */
	mmio_write64(c + HP_CC(Q_DESCLO), 0x123456789000ULL);
	hp_check(mmio_read64(c + HP_CC(Q_DESCLO)) == 0x123456789000ULL &&
			 mmio_read32(c + HP_CC(Q_DESCHI)) == 0x1234,
		 "a qword ring address does not read back");
	mmio_write64(c + HP_CC(Q_DESCLO), 0);
	hp_rng_down(&r);
	return hp_end();
}

/* §2.2.1/§3.1.1: features are fixed once FEATURES_OK sticks. */
int hp_vpci_renegotiation(void)
{
	static struct hp_rng r;
	const char *why = "";
	uint64_t c, v1 = 1ULL << VIRTIO_F_VERSION_1;

	hp_begin("vpci-renegotiation");
	if (hp_rng_probe(&r))
		return hp_end();
	c = r.vp.common.addr;
	features(&r.vp, v1 | 1); /* bit 0 is not offered */
	virtio_pci_add_status(&r.vp, ST(FEATURES_OK));
	expect_status(&r.vp, ST(ACKNOWLEDGE) | ST(DRIVER), "unoffered bit");
	features(&r.vp, F_INDIRECT); /* no VERSION_1 */
	virtio_pci_add_status(&r.vp, ST(FEATURES_OK));
	expect_status(&r.vp, ST(ACKNOWLEDGE) | ST(DRIVER), "no VERSION_1");
	features(&r.vp, v1);
	virtio_pci_add_status(&r.vp, ST(FEATURES_OK));
	expect_status(&r.vp, ST_NEGOTIATED, "VERSION_1 only");
	mmio_write32(c + HP_CC(GFSELECT), 0);
	mmio_write32(c + HP_CC(GF), F_INDIRECT | F_EVENT_IDX);
	mmio_write32(c + HP_CC(GFSELECT), 1);
	mmio_write32(c + HP_CC(GF), 0);
	hp_check(driver_features(c, 0) == 0 && driver_features(c, 1) == 1,
		 "features changed after FEATURES_OK");
	mmio_write8(c + HP_CC(STATUS), ST(ACKNOWLEDGE) | ST(DRIVER));
	expect_status(&r.vp, ST_NEGOTIATED, "FEATURES_OK cleared by a write");
	if (!hp_check(virtio_pci_setup_queue(&r.vp, &r.vq, 0, RNG_QUEUE_MAX,
					     VIRTIO_MSI_NO_VECTOR, &why) == 0,
		      "queue set-up: %s", why))
		goto out;
	vq_set_no_interrupt(&r.vq, true);
	virtio_pci_driver_ok(&r.vp);
	mmio_write32(c + HP_CC(GFSELECT), 0);
	mmio_write32(c + HP_CC(GF), ~0u);
	mmio_write8(c + HP_CC(STATUS), ST(ACKNOWLEDGE));
	hp_check(driver_features(c, 0) == 0 && driver_features(c, 1) == 1,
		 "features changed after DRIVER_OK");
	expect_status(&r.vp, ST_LIVE, "after DRIVER_OK");
	hp_rng_works(&r);
out:
	hp_rng_down(&r);
	return hp_end();
}

int hp_vpci_status_abuse(void)
{
	static struct hp_rng r;
	uint64_t c;
	uint8_t st;

	hp_begin("vpci-status-abuse");
	if (hp_rng_probe(&r))
		return hp_end();
	c = r.vp.common.addr;
	mmio_write8(c + HP_CC(STATUS), ST_NEGOTIATED | ST(NEEDS_RESET));
	expect_status(&r.vp, ST_NEGOTIATED, "the driver wrote NEEDS_RESET");
	mmio_write8(c + HP_CC(STATUS), ST(ACKNOWLEDGE));
	expect_status(&r.vp, ST_NEGOTIATED, "bits cleared without a reset");
	virtio_pci_add_status(&r.vp, ST(DRIVER_OK));
	virtio_pci_add_status(&r.vp, ST(FAILED));
	expect_status(&r.vp, ST_LIVE | ST(FAILED), "FAILED");
	virtio_pci_reset(&r.vp);
	/* DRIVER_OK without FEATURES_OK is a driver error (§3.1.1). */
	features(&r.vp, 1ULL << VIRTIO_F_VERSION_1);
	virtio_pci_add_status(&r.vp, ST(DRIVER_OK));
	expect_status(&r.vp, ST(ACKNOWLEDGE) | ST(DRIVER) | ST(DRIVER_OK) |
				     ST(NEEDS_RESET),
		      "DRIVER_OK without FEATURES_OK");
	virtio_pci_reset(&r.vp);
	mmio_write8(c + HP_CC(STATUS), 0xff);
	st = virtio_pci_get_status(&r.vp) & ST_DEFINED;
	hp_check(st == (ST_DEFINED & ~ST(FEATURES_OK)), "status 0xff from "
		 "reset reads 0x%02x in its defined bits, expected 0x%02x", st,
		 ST_DEFINED & ~ST(FEATURES_OK));
	hp_check(virtio_pci_reset(&r.vp) == 0, "reset after 0xff");
	hp_check(driver_features(c, 0) == 0 && driver_features(c, 1) == 0 &&
			 mmio_read16(c + HP_CC(MSIX)) ==
				 VIRTIO_MSI_NO_VECTOR,
		 "reset left features or the config vector");
	hp_rng_down(&r);
	return hp_end();
}

/* The end of the e820 RAM range holding the guest image. */
static uint64_t low_ram_end(void)
{
	for (unsigned int i = 0; i < pvh.nr_memmap; i++) {
		const struct hvm_memmap_entry *e = &pvh.memmap[i];

		if (e->type == E820_RAM && e->addr <= 0x100000 &&
		    e->addr + e->size > 0x100000)
			return e->addr + e->size;
	}
	return 0;
}

/*
 * One queue_enable with these rings: a bad one must set NEEDS_RESET and
 * stay disabled, a good one enable. Resets before and after.
 */
static void try_ring(struct hp_rng *r, uint64_t desc, uint64_t avail,
		     uint64_t used, bool good)
{
	uint64_t c = r->vp.common.addr;
	uint8_t want = ST_NEGOTIATED | (good ? 0 : ST(NEEDS_RESET));

	features(&r->vp, 1ULL << VIRTIO_F_VERSION_1);
	virtio_pci_add_status(&r->vp, ST(FEATURES_OK));
	mmio_write16(c + HP_CC(Q_SELECT), 0);
	mmio_write64(c + HP_CC(Q_DESCLO), desc);
	mmio_write64(c + HP_CC(Q_AVAILLO), avail);
	mmio_write64(c + HP_CC(Q_USEDLO), used);
	mmio_write16(c + HP_CC(Q_ENABLE), 1);
	hp_check(mmio_read16(c + HP_CC(Q_ENABLE)) == good &&
			 virtio_pci_get_status(&r->vp) == want,
		 "rings 0x%lx/0x%lx/0x%lx: enable %u, status 0x%02x, "
		 "expected %u, 0x%02x", (unsigned long)desc,
		 (unsigned long)avail, (unsigned long)used,
		 mmio_read16(c + HP_CC(Q_ENABLE)),
		 virtio_pci_get_status(&r->vp), good, want);
	if (good) {
		mmio_write64(c + HP_CC(Q_DESCLO), 0);
		hp_check(mmio_read64(c + HP_CC(Q_DESCLO)) == desc,
			 "an enabled queue's ring moved");
	}
	virtio_pci_reset(&r->vp);
}

int hp_vpci_bad_ring(void)
{
	static struct hp_rng r;
	struct vmem *v = hostile_vmem();
	uint64_t ram = (uintptr_t)ring_page, end = low_ram_end(), c;
	const uint64_t bad[] = { 0xd0000000, 0xfee00000, 0xffffffffffff0000ULL,
				 0xfffffffffffffff0ULL, ram + 8 };

	hp_begin("vpci-bad-ring");
	if (hp_rng_probe(&r))
		return hp_end();
	c = r.vp.common.addr;
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
		try_ring(&r, bad[i], ram + 0x400, ram + 0x800, false);
	try_ring(&r, ram, ram + 1, ram + 0x800, false);
	if (hp_check(end != 0, "no e820 RAM range holds 1 MiB"))
		try_ring(&r, ram, ram + 0x400, end - 64, false);
	if (v) {
		uint64_t plugged = v->cfg.addr + 0x800;
		uint64_t unplugged = v->cfg.addr +
				     HOSTILE_BASE_BLOCKS * v->cfg.block_size;

		try_ring(&r, unplugged, ram + 0x400, ram + 0x800, false);
		try_ring(&r, plugged, ram + 0x400, ram + 0x800, true);
	}
	try_ring(&r, ram, ram + 0x400, ram + 0x800, true);
	/* queue_size: powers of two up to the maximum only. */
	mmio_write16(c + HP_CC(Q_SELECT), 0);
	for (uint16_t s = 0; s < 20; s++) {
		bool ok = s && !(s & (s - 1)) && s <= RNG_QUEUE_MAX;

		mmio_write16(c + HP_CC(Q_SIZE), s);
		hp_check(mmio_read16(c + HP_CC(Q_SIZE)) ==
				 (ok ? s : RNG_QUEUE_MAX),
			 "queue_size %u reads %u", s,
			 mmio_read16(c + HP_CC(Q_SIZE)));
		mmio_write16(c + HP_CC(Q_SIZE), RNG_QUEUE_MAX);
	}
	hp_rng_down(&r);
	return hp_end();
}

int hp_vpci_notify_abuse(void)
{
	static struct hp_rng r;
	uint64_t n;
	uint16_t used;
	int head;

	hp_begin("vpci-notify-abuse");
	if (hp_rng_live(&r, VIRTIO_IRQ_POLL, true))
		return hp_end();
	n = r.vp.notify.addr;
	used = hp_used_idx(&r.vq);
	for (unsigned int size = 1; size <= 8; size *= 2) {
		wr(n, size, ~0ULL);
		hp_check(rd(n, size) == 0 && rd(n + 0xff8, size) == 0,
			 "a %u-byte notify read is not 0", size);
	}
	/* Absent queues 1-1023 and odd offsets of queue 0. */
	for (unsigned int q = 1; q < 1024; q++)
		mmio_write16(n + 4 * q, (uint16_t)q);
	mmio_write8(n + 1, 0);
	mmio_write16(n + 2, 0);
	mmio_write8(n + 3, 0);
	hp_check(hp_used_idx(&r.vq) == used, "notifies without buffers "
		 "completed something");
	head = hp_rng_add(&r);
	for (unsigned int i = 0; i < NOTIFY_STORM; i++)
		vq_kick(&r.vq);
	hp_check(hp_rng_wait(&r, head, HP_REQUEST_MS) == 1, "the request of "
		 "a notify storm was not served");
	mdelay(HP_SETTLE_MS);
	hp_check(hp_used_idx(&r.vq) == (uint16_t)(used + 1), "a notify storm "
		 "for one request completed %u", hp_used_idx(&r.vq) - used);
	expect_status(&r.vp, ST_LIVE, "after the notify abuse");
	hp_rng_works(&r);
	hp_rng_down(&r);
	return hp_end();
}

/* §4.1.4.5: reading the ISR byte returns and clears it; nothing else. */
int hp_vpci_isr_abuse(void)
{
	static struct hp_rng r;
	uint64_t isr;

	hp_begin("vpci-isr-abuse");
	if (hp_rng_live(&r, VIRTIO_IRQ_POLL, false))
		return hp_end();
	isr = r.vp.isr.addr;
	mmio_read8(isr);
	for (unsigned int size = 1; size <= 8; size *= 2)
		wr(isr, size, ~0ULL);
	hp_check(mmio_read8(isr) == 0, "an ISR write set a bit");
	hp_rng_works(&r);
	hp_check(pci_read16(r.vp.pci, PCI_STATUS) & PCI_STATUS_INTERRUPT,
		 "INTx not requested for a completion without MSI-X");
	wr(isr, 1, 0);
	hp_check(mmio_read8(isr + 1) == 0 && mmio_read32(isr + 0x800) == 0 &&
			 mmio_read8(isr + 0xfff) == 0,
		 "ISR bytes past the first do not read 0");
	hp_check(mmio_read32(isr) == VIRTIO_PCI_ISR_QUEUE, "a dword ISR read "
		 "lost bit 0 (an ISR write or another byte cleared it)");
	hp_check(mmio_read8(isr) == 0 &&
			 !(pci_read16(r.vp.pci, PCI_STATUS) &
			   PCI_STATUS_INTERRUPT),
		 "reading the ISR did not clear it and INTx");
	hp_rng_works(&r);
	hp_check(mmio_read64(isr) == VIRTIO_PCI_ISR_QUEUE &&
			 mmio_read16(isr) == 0,
		 "a qword ISR read does not return and clear bit 0");
	hp_rng_down(&r);
	return hp_end();
}

static void read_cfg(uint64_t a, uint8_t *cfg)
{
	for (unsigned int o = 0; o < VMEM_CONFIG_SIZE; o++)
		cfg[o] = mmio_read8(a + o);
}

/* virtio-mem's config is all read-only (virtio 1.2 §5.15.4). */
int hp_vpci_devcfg_readonly(void)
{
	static uint8_t before[VMEM_CONFIG_SIZE], after[VMEM_CONFIG_SIZE];
	static const uint16_t beyond[] = { 56, 60, 64, 0x100, 0xff8 };
	struct vmem *v = hostile_vmem();
	struct pci_dev *d = hp_find(VIRTIO_ID_RNG);
	uint64_t a, rng;
	uint8_t gen;

	hp_begin("vpci-devcfg-readonly");
	if (!d || !hp_check(v != NULL, "needs virtio-mem-pci"))
		return hp_end();
	a = v->vp.device.addr;
	gen = virtio_pci_config_generation(&v->vp);
	read_cfg(a, before);
	for (unsigned int size = 1; size <= 8; size *= 2) {
		for (unsigned int o = 0; o + size <= VMEM_CONFIG_SIZE;
		     o += size)
			wr(a + o, size, ~rd(a + o, size));
	}
	read_cfg(a, after);
	hp_check(!memcmp(before, after, sizeof(before)), "virtio-mem config "
		 "changed after writes");
	hp_check(virtio_pci_config_generation(&v->vp) == gen,
		 "config_generation moved after writes");
	for (unsigned int i = 0; i < ARRAY_SIZE(beyond); i++) {
		for (unsigned int size = 1; size <= 8; size *= 2)
			hp_check(rd(a + beyond[i], size) == ones(size), "a "
				 "%u-byte read at config 0x%x is not all ones",
				 size, beyond[i]);
	}
	hp_check(mmio_read32(a + 54) == 0xffffffffu, "a read across the end "
		 "of the config is not all ones");
	rng = hp_bar_get(d, 4) + HP_DEVICE_OFFSET;
	if (hp_check(map_range_flags(rng, 8, MAP_UNCACHED) == 0, "map")) {
		mmio_write64(rng, 0);
		hp_check(mmio_read64(rng) == ~0ULL && mmio_read8(rng) == 0xff,
			 "virtio-rng has device config");
	}
	return hp_end();
}

/* Sets the PCI_CFG window and returns the offset of pci_cfg_data. */
static uint8_t window(const struct pci_dev *d, uint8_t cap, uint8_t bar,
		      uint32_t off, uint32_t len)
{
	pci_write8(d, cap + VIRTIO_PCI_CAP_BAR, bar);
	pci_write32(d, cap + VIRTIO_PCI_CAP_OFFSET, off);
	pci_write32(d, cap + VIRTIO_PCI_CAP_LENGTH, len);
	return cap + sizeof(struct virtio_pci_cap);
}

static uint8_t find_cfg_cap(const struct pci_dev *d)
{
	uint8_t pos = 0;

	while ((pos = pci_find_cap(d, PCI_CAP_ID_VNDR, pos))) {
		if (pci_read8(d, pos + VIRTIO_PCI_CAP_CFG_TYPE) ==
		    VIRTIO_PCI_CAP_PCI_CFG)
			return pos;
	}
	return 0;
}

/* §4.1.4.9: only BAR 4, lengths 1, 2, 4, aligned, inside the BAR. */
static void bad_windows(struct hp_rng *r, uint8_t cap, uint64_t entry0)
{
	static const uint32_t bad[][3] = {
		{ 1, 0, 4 }, { 0, 0x14, 1 }, { 5, 0x14, 1 }, { 0xff, 0x14, 1 },
		{ 4, 0x14, 0 }, { 4, 0x14, 3 }, { 4, 0x10, 8 },
		{ 4, 0x14, 0xffffffffu }, { 4, 0x3ffe, 4 },
		{ 4, 0xfffffffcu, 4 }, { 4, 0x15, 2 },
	};
	const struct pci_dev *d = r->vp.pci;

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		uint8_t data = window(d, cap, (uint8_t)bad[i][0], bad[i][1],
				      bad[i][2]);

		pci_write32(d, data, 0);
		hp_check(pci_read32(d, data) == 0, "window bar %u offset 0x%x "
			 "length %u performed a read", bad[i][0], bad[i][1],
			 bad[i][2]);
	}
	expect_status(&r->vp, ST_NEGOTIATED, "after bad windows wrote 0");
	hp_check(mmio_read64(hp_bar_get(d, 1)) == entry0, "a window into "
		 "BAR 1 wrote the MSI-X table");
}

int hp_vpci_cfg_window(void)
{
	static struct hp_rng r;
	uint8_t cap, data;
	uint64_t entry0;
	const struct pci_dev *d;

	hp_begin("vpci-cfg-window");
	if (hp_rng_probe(&r))
		return hp_end();
	d = r.vp.pci;
	cap = find_cfg_cap(d);
	if (!hp_check(cap != 0, "no PCI_CFG capability"))
		goto out;
	entry0 = mmio_read64(hp_bar_get(d, 1));
	data = window(d, cap, 4, HP_CC(NUMQ), 2);
	hp_check((pci_read32(d, data) & 0xffff) == 1, "the window does not "
		 "read num_queues");
	data = window(d, cap, 4, HP_CC(DFSELECT), 4);
	pci_write32(d, data, 1);
	hp_check(mmio_read32(r.vp.common.addr + HP_CC(DFSELECT)) == 1,
		 "a window write did not reach device_feature_select");
	pci_write32(d, data, 0);
	bad_windows(&r, cap, entry0);
	window(d, cap, 0, 0, 0);
	pci_write32(d, data, 0);
out:
	hp_rng_down(&r);
	return hp_end();
}
