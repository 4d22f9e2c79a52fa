// SPDX-License-Identifier: MIT
/*
 * Hostile attacks on BARs and the command register of virtio-rng-pci:
 * placements over RAM, device memory, the other device, the APICs and
 * past MAXPHYADDR (flexvm refuses them and leaves the BAR unmapped, so
 * RAM wins: docs/pci.md), 64-bit BARs moved half by half, sizing and
 * moving while the driver runs, decoding and bus mastering turned off
 * under a live queue. Every attack puts the BARs back. CPL3, BSP.
 */
#include "guest.h"
#include "cpu.h"
#include "hostile_pci.h"
#include "hostile_util.h"
#include "io.h"

#define BAR_MSIX 1
#define BAR_VIRTIO 4
#define BAR4_SIZE HP_BAR4_SIZE
#define LAPIC_BASE 0xfee00000u
#define IOAPIC_BASE 0xfec00000u
#define APIC_REG_ID 0x20
#define APIC_REG_VERSION 0x30
#define STATUS_FEATURES_OK                                                 \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |            \
	 VIRTIO_CONFIG_S_FEATURES_OK)
#define STATUS_LIVE (STATUS_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK)

enum who { NOBODY, RNG, VMEM, OTHER };

static const char *const who_names[] = { "nothing", "virtio-rng",
					 "virtio-mem", "something else" };

/* RAM the guest owns, for BARs placed over it. */
static uint8_t ram16k[BAR4_SIZE] __attribute__((aligned(BAR4_SIZE)));
static uint8_t ram4k[4096] __attribute__((aligned(4096)));

/*
 * Which virtio device's BAR 4 answers at @a (mapped first): num_queues
 * and the first dword of device config (virtio-rng has none: all ones).
 */
static enum who who_answers(uint64_t a)
{
	uint16_t nq;
	uint32_t dc;

	if (map_range_flags(a, BAR4_SIZE, MAP_UNCACHED))
		return OTHER;
	nq = mmio_read16(a + HP_CC(NUMQ));
	dc = mmio_read32(a + HP_DEVICE_OFFSET);
	if (nq == 0xffff && dc == 0xffffffffu)
		return NOBODY;
	if (nq == 1 && dc == 0xffffffffu)
		return RNG;
	return nq == 1 ? VMEM : OTHER;
}

static bool expect_at(uint64_t a, enum who w, const char *when)
{
	enum who got = who_answers(a);

	return hp_check(got == w, "%s: %s answers at 0x%lx, expected %s",
			when, who_names[got], (unsigned long)a, who_names[w]);
}

/* Moves BAR @i and checks the register holds what was written. */
static void move_bar(const struct pci_dev *d, unsigned int i, uint64_t a)
{
	hp_bar_set(d, i, a);
	hp_check(hp_bar_get(d, i) == a, "BAR %u reads 0x%lx after writing "
		 "0x%lx", i, (unsigned long)hp_bar_get(d, i),
		 (unsigned long)a);
}

static void fill(uint8_t *p, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i += 4) {
		uint32_t v = seed ^ i;

		memcpy(p + i, &v, 4);
	}
}

static bool filled(const uint8_t *p, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i += 4) {
		uint32_t v;

		memcpy(&v, p + i, 4);
		if (v != (seed ^ i))
			return false;
	}
	return true;
}

int hp_bar_over_ram(void)
{
	static struct hp_rng r;
	volatile uint64_t zero = 0;
	uint64_t bar4, bar1, entry0, low0;
	struct pci_dev *d;

	hp_begin("bar-over-ram");
	if (hp_rng_probe(&r))
		return hp_end();
	d = r.vp.pci;
	bar4 = hp_bar_get(d, BAR_VIRTIO);
	bar1 = hp_bar_get(d, BAR_MSIX);
	entry0 = mmio_read64(bar1);
	low0 = mmio_read64(zero);
	fill(ram16k, sizeof(ram16k), 0x5a5a0000);
	fill(ram4k, sizeof(ram4k), 0xa5a50000);
	move_bar(d, BAR_VIRTIO, (uintptr_t)ram16k);
	expect_at(bar4, NOBODY, "BAR 4 moved over RAM");
	hp_check(filled(ram16k, sizeof(ram16k), 0x5a5a0000),
		 "RAM under BAR 4 changed");
	/* A "reset" through the would-be BAR is a plain RAM write. */
	mmio_write8((uintptr_t)ram16k + HP_CC(STATUS), 0);
	hp_check(ram16k[HP_CC(STATUS)] == 0, "RAM under BAR 4 not writable");
	move_bar(d, BAR_MSIX, (uintptr_t)ram4k);
	hp_check(filled(ram4k, sizeof(ram4k), 0xa5a50000),
		 "RAM under BAR 1 changed");
	mmio_write64((uintptr_t)ram4k, 0);
	hp_check(ram4k[0] == 0, "RAM under BAR 1 not writable");
	move_bar(d, BAR_VIRTIO, 0);
	hp_check(mmio_read64(zero) == low0, "RAM at 0 changed under BAR 4");
	move_bar(d, BAR_VIRTIO, bar4);
	move_bar(d, BAR_MSIX, bar1);
	expect_at(bar4, RNG, "BAR 4 moved back");
	hp_check(mmio_read64(bar1) == entry0, "the MSI-X table entry 0 "
		 "changed through RAM");
	hp_check(virtio_pci_get_status(&r.vp) == STATUS_FEATURES_OK,
		 "status 0x%02x after the RAM write, expected 0x%02x",
		 virtio_pci_get_status(&r.vp), STATUS_FEATURES_OK);
	hp_rng_down(&r);
	return hp_end();
}

int hp_bar_over_device_memory(void)
{
	struct vmem *v = hostile_vmem();
	struct pci_dev *d = hp_find(VIRTIO_ID_RNG);
	uint64_t bar4, base, unplugged, end, bad = 0;

	hp_begin("bar-over-device-memory");
	if (!d || !hp_check(v != NULL, "needs virtio-mem-pci"))
		return hp_end();
	bar4 = hp_bar_get(d, BAR_VIRTIO);
	base = v->cfg.addr;
	unplugged = base + HOSTILE_BASE_BLOCKS * v->cfg.block_size;
	end = base + v->cfg.region_size - BAR4_SIZE;
	move_bar(d, BAR_VIRTIO, base);
	expect_at(bar4, NOBODY, "BAR 4 over plugged memory");
	hp_check(vmem_pattern_verify(v, base, base + v->cfg.block_size,
				     &bad) == 0,
		 "plugged memory under BAR 4 lost its pattern at 0x%lx",
		 (unsigned long)bad);
	move_bar(d, BAR_VIRTIO, unplugged);
	expect_at(bar4, NOBODY, "BAR 4 over unplugged memory");
	/* Unplugged device memory reads as zeros, not as registers. */
	hp_check(map_range_flags(unplugged, BAR4_SIZE, MAP_UNCACHED) == 0 &&
			 mmio_read64(unplugged) == 0 &&
			 mmio_read16(unplugged + HP_CC(NUMQ)) == 0,
		 "unplugged memory under BAR 4 does not read 0");
	move_bar(d, BAR_VIRTIO, end);
	hp_check(map_range_flags(end, BAR4_SIZE, MAP_UNCACHED) == 0 &&
			 mmio_read16(end + HP_CC(NUMQ)) == 0,
		 "the end of the virtio-mem region answers as a device");
	move_bar(d, BAR_VIRTIO, bar4);
	expect_at(bar4, RNG, "BAR 4 moved back");
	return hp_end();
}

int hp_bar_over_other_bar(void)
{
	struct pci_dev *d = hp_find(VIRTIO_ID_RNG);
	struct pci_dev *m = hp_find(VIRTIO_ID_MEM);
	uint64_t bar4, bar1, mbar4, mbar1, mentry;

	hp_begin("bar-over-other-bar");
	if (!d || !m)
		return hp_end();
	bar4 = hp_bar_get(d, BAR_VIRTIO);
	bar1 = hp_bar_get(d, BAR_MSIX);
	mbar4 = hp_bar_get(m, BAR_VIRTIO);
	mbar1 = hp_bar_get(m, BAR_MSIX);
	mentry = mmio_read64(mbar1 + 8);
	move_bar(d, BAR_VIRTIO, mbar4);
	expect_at(mbar4, VMEM, "virtio-rng BAR 4 over virtio-mem's");
	expect_at(bar4, NOBODY, "virtio-rng BAR 4 over virtio-mem's");
	/* 16 KiB over virtio-mem's 4 KiB BAR 1 (and its own BAR 1). */
	move_bar(d, BAR_VIRTIO, mbar1 & ~(uint64_t)(BAR4_SIZE - 1));
	expect_at(bar4, NOBODY, "virtio-rng BAR 4 over both BAR 1s");
	hp_check(mmio_read64(mbar1 + 8) == mentry, "virtio-mem's MSI-X "
		 "table changed under virtio-rng's BAR 4");
	move_bar(d, BAR_MSIX, mbar1);
	hp_check(mmio_read64(mbar1 + 8) == mentry, "virtio-mem's MSI-X "
		 "table changed under virtio-rng's BAR 1");
	move_bar(d, BAR_MSIX, bar1);
	move_bar(d, BAR_VIRTIO, bar4);
	expect_at(bar4, RNG, "BAR 4 moved back");
	expect_at(mbar4, VMEM, "BAR 4 moved back");
	return hp_end();
}

static uint32_t ioapic_version(void)
{
	mmio_write32(IOAPIC_BASE, 1);
	return mmio_read32(IOAPIC_BASE + 0x10);
}

int hp_bar_over_apic(void)
{
	static const uint64_t spots[] = { LAPIC_BASE, IOAPIC_BASE, 0xfed00000,
					  0xfffff000 };
	struct pci_dev *d = hp_find(VIRTIO_ID_RNG);
	uint32_t id, ver, iover;
	uint64_t bar4, bar1;

	hp_begin("bar-over-apic");
	if (!d)
		return hp_end();
	bar4 = hp_bar_get(d, BAR_VIRTIO);
	bar1 = hp_bar_get(d, BAR_MSIX);
	id = apic_read(APIC_REG_ID);
	ver = apic_read(APIC_REG_VERSION);
	iover = ioapic_version();
	for (unsigned int i = 0; i < ARRAY_SIZE(spots); i++) {
		move_bar(d, BAR_MSIX, spots[i]);
		hp_check(mmio_read32(bar1 + PCI_MSIX_ENTRY_VECTOR_CTRL) ==
				 0xffffffffu,
			 "BAR 1 still answers at 0x%lx", (unsigned long)bar1);
		if (spots[i] + BAR4_SIZE <= 0x100000000ULL) {
			move_bar(d, BAR_VIRTIO, spots[i]);
			expect_at(bar4, NOBODY, "BAR 4 over the APIC area");
		}
		hp_check(apic_read(APIC_REG_ID) == id &&
				 apic_read(APIC_REG_VERSION) == ver,
			 "the LAPIC changed with a BAR at 0x%lx",
			 (unsigned long)spots[i]);
		hp_check(ioapic_version() == iover, "the IOAPIC changed with "
			 "a BAR at 0x%lx", (unsigned long)spots[i]);
	}
	move_bar(d, BAR_MSIX, bar1);
	move_bar(d, BAR_VIRTIO, bar4);
	expect_at(bar4, RNG, "BAR 4 moved back");
	hp_check(mmio_read32(bar1 + PCI_MSIX_ENTRY_VECTOR_CTRL) <= 1,
		 "BAR 1 does not answer after moving back");
	return hp_end();
}

int hp_bar_out_of_reach(void)
{
	struct pci_dev *d = hp_find(VIRTIO_ID_RNG);
	unsigned int bits = cpu_phys_bits();
	uint64_t top = 1ULL << bits, bar4;
	/* Past the width, the sizing pattern (it would wrap), bit 63. */
	const uint64_t spots[] = { top, top + BAR4_SIZE, 0xffffffffffff0000ULL,
				   0xffffffffffffc000ULL,
				   0x8000000000000000ULL };

	hp_begin("bar-out-of-reach");
	if (!d)
		return hp_end();
	bar4 = hp_bar_get(d, BAR_VIRTIO);
	for (unsigned int i = 0; i < ARRAY_SIZE(spots); i++) {
		move_bar(d, BAR_VIRTIO, spots[i]);
		expect_at(bar4, NOBODY, "BAR 4 beyond MAXPHYADDR");
	}
	/* The last 16 KiB below 2^MAXPHYADDR are a valid place. */
	move_bar(d, BAR_VIRTIO, top - BAR4_SIZE);
	if (bits <= 47)
		expect_at(top - BAR4_SIZE, RNG, "BAR 4 at the top");
	printf("hostile: MAXPHYADDR %u bits, BAR 4 at 0x%lx\n", bits,
	       (unsigned long)(top - BAR4_SIZE));
	move_bar(d, BAR_VIRTIO, bar4);
	expect_at(bar4, RNG, "BAR 4 moved back");
	return hp_end();
}

int hp_bar_high_dword(void)
{
	struct pci_dev *d = hp_find(VIRTIO_ID_RNG);
	uint8_t hi = PCI_BASE_ADDRESS_0 + 4 * BAR_VIRTIO + 4;
	uint64_t bar4, moved;

	hp_begin("bar-high-dword");
	if (!d)
		return hp_end();
	bar4 = hp_bar_get(d, BAR_VIRTIO);
	moved = bar4 + (1ULL << 32);
	pci_write32(d, hi, (uint32_t)(moved >> 32));
	expect_at(moved, RNG, "upper half + 1");
	expect_at(bar4, NOBODY, "upper half + 1");
	pci_write32(d, hi, 0xffffffffu);
	expect_at(moved, NOBODY, "upper half all ones");
	/* The lower half alone, to a free 64 KiB further up. */
	pci_write32(d, hi, (uint32_t)(bar4 >> 32));
	pci_write32(d, hi - 4, (uint32_t)bar4 + 0x10000);
	expect_at(bar4 + 0x10000, RNG, "lower half + 64 KiB");
	expect_at(bar4, NOBODY, "lower half + 64 KiB");
	move_bar(d, BAR_VIRTIO, bar4);
	expect_at(bar4, RNG, "BAR 4 moved back");
	return hp_end();
}

/* The driver's queue still runs: status, queue_enable and a request. */
static void expect_live(struct hp_rng *r, const char *when)
{
	uint64_t c = r->vp.common.addr;
	uint8_t st = virtio_pci_get_status(&r->vp);

	hp_check(st == STATUS_LIVE, "%s: status 0x%02x, expected 0x%02x",
		 when, st, STATUS_LIVE);
	mmio_write16(c + HP_CC(Q_SELECT), 0);
	hp_check(mmio_read16(c + HP_CC(Q_ENABLE)) == 1, "%s: queue 0 is no "
		 "longer enabled", when);
	hp_rng_works(r);
}

int hp_bar_sizing_live(void)
{
	static struct hp_rng r;
	uint8_t lo = PCI_BASE_ADDRESS_0 + 4 * BAR_VIRTIO;
	uint8_t lo1 = PCI_BASE_ADDRESS_0 + 4 * BAR_MSIX;
	uint64_t bar4, bar1, half;
	struct pci_dev *d;

	hp_begin("bar-sizing-live");
	if (hp_rng_live(&r, VIRTIO_IRQ_POLL, true))
		return hp_end();
	d = r.vp.pci;
	bar4 = hp_bar_get(d, BAR_VIRTIO);
	bar1 = hp_bar_get(d, BAR_MSIX);
	hp_rng_works(&r);
	pci_write32(d, lo, 0xffffffffu);
	hp_check(pci_read32(d, lo) ==
			 (uint32_t)(~(BAR4_SIZE - 1) |
				    PCI_BASE_ADDRESS_MEM_TYPE_64 |
				    PCI_BASE_ADDRESS_MEM_PREFETCH),
		 "BAR 4 lower half sizes as 0x%08x", pci_read32(d, lo));
	/* Half-sized: a valid address, where the device now decodes. */
	half = (bar4 & ~0xffffffffULL) | (uint32_t)~(BAR4_SIZE - 1);
	expect_at(half, RNG, "BAR 4 lower half all ones");
	pci_write32(d, lo + 4, 0xffffffffu);
	hp_check(pci_read32(d, lo + 4) == 0xffffffffu, "BAR 4 upper half "
		 "sizes as 0x%08x", pci_read32(d, lo + 4));
	expect_at(half, NOBODY, "BAR 4 sized");
	expect_at(bar4, NOBODY, "BAR 4 sized");
	pci_write32(d, lo1, 0xffffffffu);
	hp_check(pci_read32(d, lo1) == 0xfffff000u, "BAR 1 sizes as 0x%08x",
		 pci_read32(d, lo1));
	move_bar(d, BAR_MSIX, bar1);
	move_bar(d, BAR_VIRTIO, bar4);
	expect_at(bar4, RNG, "BAR 4 restored");
	expect_live(&r, "after sizing");
	hp_rng_down(&r);
	return hp_end();
}

int hp_bar_move_live(void)
{
	static struct hp_rng r;
	uint64_t bar4, moved;
	struct pci_dev *d;
	int head;

	hp_begin("bar-move-live");
	if (hp_rng_live(&r, VIRTIO_IRQ_POLL, true))
		return hp_end();
	d = r.vp.pci;
	bar4 = hp_bar_get(d, BAR_VIRTIO);
	moved = bar4 + 0x100000;
	move_bar(d, BAR_VIRTIO, moved);
	expect_at(moved, RNG, "BAR 4 moved by 1 MiB");
	r.vq.notify_addr = moved + HP_NOTIFY_OFFSET;
	hp_rng_works(&r);
	/* The old notify address is nobody's now. */
	r.vq.notify_addr = bar4 + HP_NOTIFY_OFFSET;
	head = hp_rng_add(&r);
	vq_kick(&r.vq);
	hp_check(hp_rng_wait(&r, head, HP_SETTLE_MS) == 0, "a notify at the "
		 "old BAR address was served");
	r.vq.notify_addr = moved + HP_NOTIFY_OFFSET;
	vq_kick(&r.vq);
	hp_check(hp_rng_wait(&r, head, HP_REQUEST_MS) == 1, "a notify at the "
		 "new BAR address was not served");
	move_bar(d, BAR_VIRTIO, bar4);
	r.vq.notify_addr = bar4 + HP_NOTIFY_OFFSET;
	expect_live(&r, "after moving back");
	hp_rng_down(&r);
	return hp_end();
}

int hp_decode_off(void)
{
	static struct hp_rng r;
	uint64_t c, bar1;
	uint16_t used;
	int head;

	hp_begin("decode-off");
	if (hp_rng_live(&r, VIRTIO_IRQ_POLL, true))
		return hp_end();
	c = r.vp.common.addr;
	bar1 = hp_bar_get(r.vp.pci, BAR_MSIX);
	used = hp_used_idx(&r.vq);
	pci_disable(r.vp.pci, PCI_COMMAND_MEMORY);
	hp_check(mmio_read16(c + HP_CC(NUMQ)) == 0xffff &&
			 mmio_read32(bar1) == 0xffffffffu,
		 "the BARs answer with memory decoding off");
	mmio_write8(c + HP_CC(STATUS), 0); /* a reset that must not land */
	head = hp_rng_add(&r);
	vq_kick(&r.vq);
	hp_check(hp_rng_wait(&r, head, HP_SETTLE_MS) == 0 &&
			 hp_used_idx(&r.vq) == used,
		 "a notify was served with memory decoding off");
	pci_enable(r.vp.pci, PCI_COMMAND_MEMORY);
	hp_check(virtio_pci_get_status(&r.vp) == STATUS_LIVE, "status 0x%02x: "
		 "a write reached the device with decoding off",
		 virtio_pci_get_status(&r.vp));
	vq_kick(&r.vq);
	hp_check(hp_rng_wait(&r, head, HP_REQUEST_MS) == 1, "the request was "
		 "not served after decoding came back");
	expect_live(&r, "decoding back on");
	hp_rng_down(&r);
	return hp_end();
}

/*
 * PCI 3.0 §6.2.2: with bus mastering off the function must not access
 * memory. flexvm holds the queue back (nothing read, nothing written)
 * and serves what was made available once bus mastering is back.
 */
int hp_bus_master_off(void)
{
	static struct hp_rng r;
	uint16_t used;
	uint8_t *buf;
	int head;

	hp_begin("bus-master-off");
	if (hp_rng_live(&r, VIRTIO_IRQ_POLL, true))
		return hp_end();
	used = hp_used_idx(&r.vq);
	pci_disable(r.vp.pci, PCI_COMMAND_MASTER);
	head = hp_rng_add(&r);
	buf = (uint8_t *)(uintptr_t)r.vq.desc[head].addr;
	memset(buf, 0, sizeof(r.buf[0]));
	vq_kick(&r.vq);
	hp_check(hp_rng_wait(&r, head, HP_SETTLE_MS) == 0 &&
			 hp_used_idx(&r.vq) == used,
		 "a request was served with bus mastering off");
	for (unsigned int i = 0; i < sizeof(r.buf[0]); i++) {
		if (!hp_check(buf[i] == 0, "the device wrote guest memory "
			      "with bus mastering off"))
			break;
	}
	hp_check(virtio_pci_get_status(&r.vp) == STATUS_LIVE, "status 0x%02x "
		 "with bus mastering off", virtio_pci_get_status(&r.vp));
	pci_enable(r.vp.pci, PCI_COMMAND_MASTER);
	hp_check(hp_rng_wait(&r, head, HP_REQUEST_MS) == 1, "the held request "
		 "was not served when bus mastering came back");
	expect_live(&r, "bus mastering back on");
	hp_rng_down(&r);
	return hp_end();
}
