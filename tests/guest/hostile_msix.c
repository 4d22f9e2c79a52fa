// SPDX-License-Identifier: MIT
/*
 * Hostile attacks on virtio-rng-pci's MSI-X: vector numbers beyond the
 * table, table accesses of every width and alignment and beyond it, PBA
 * writes, mask storms, messages to RAM and to APICs that do not exist,
 * and MSI-X enabled next to INTx. What flexvm must do is in docs/pci.md
 * ("MSI-X") and virtio 1.2 §4.1.4.3/§4.1.5. CPL3, BSP.
 */
#include "guest.h"
#include "cpu.h"
#include "hostile_pci.h"
#include "io.h"

#define MSI_ADDR 0xfee00000u
#define ABSENT_APIC 0x7f /* -smp 2: APIC ids 0 and 1 only */
#define MSI_DM_NMI 0x400
#define MSI_DM_INIT 0x500
#define SPARE_SLOT 3     /* irq.h slot no virtio mode uses */
#define STORM 1000
#define QUEUE_ENTRY 1    /* virtio_irq.c: queue 0 on entry 1 */

static uint8_t canary[4096] __attribute__((aligned(4096)));

static uint16_t msix_ctrl_read(const struct msix *m)
{
	return pci_read16(m->pci, m->cap + PCI_MSIX_FLAGS);
}

static void msix_ctrl_write(const struct msix *m, uint16_t set,
			    uint16_t clear)
{
	pci_write16(m->pci, m->cap + PCI_MSIX_FLAGS,
		    (uint16_t)((msix_ctrl_read(m) | set) & ~clear));
}

static uint64_t entry(const struct msix *m, unsigned int i, unsigned int off)
{
	return m->table + (uint64_t)i * PCI_MSIX_ENTRY_SIZE + off;
}

/* One request; how many interrupts arrived on @slot within 50 ms. */
static uint64_t request_irqs(struct hp_rng *r, unsigned int slot)
{
	uint64_t before = irq_count(slot);

	hp_rng_works(r);
	mdelay(HP_SETTLE_MS);
	return irq_count(slot) - before;
}

static uint64_t irqs_within(unsigned int slot, uint64_t before)
{
	mdelay(HP_SETTLE_MS);
	return irq_count(slot) - before;
}

/* virtio 1.2 §4.1.4.3: a vector the table lacks reads back NO_VECTOR. */
static void vector_writes(uint64_t reg, const char *name)
{
	static const uint16_t bad[] = { 2, 3, 63, 64, 0x7fff, 0x8000, 0xfffe };

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		mmio_write16(reg, bad[i]);
		hp_check(mmio_read16(reg) == VIRTIO_MSI_NO_VECTOR, "%s 0x%x "
			 "reads back 0x%x", name, bad[i], mmio_read16(reg));
	}
	for (uint16_t v = 0; v < 2; v++) {
		mmio_write16(reg, v);
		hp_check(mmio_read16(reg) == v, "%s %u does not read back",
			 name, v);
	}
}

int hp_msix_vector_range(void)
{
	static struct hp_rng r;
	uint64_t c, config;

	hp_begin("msix-vector-range");
	if (hp_rng_live(&r, VIRTIO_IRQ_MSIX, false))
		return hp_end();
	c = r.vp.common.addr;
	config = irq_count(VIRTIO_SLOT_CONFIG);
	hp_check(request_irqs(&r, VIRTIO_SLOT_QUEUE) == 1, "not one MSI-X "
		 "interrupt for a request on entry 1");
	vector_writes(c + HP_CC(MSIX), "config_msix_vector");
	mmio_write16(c + HP_CC(Q_SELECT), 0);
	vector_writes(c + HP_CC(Q_MSIX), "queue_msix_vector");
	mmio_write16(c + HP_CC(Q_SELECT), 5);
	mmio_write16(c + HP_CC(Q_MSIX), 1);
	hp_check(mmio_read16(c + HP_CC(Q_MSIX)) == VIRTIO_MSI_NO_VECTOR,
		 "an absent queue took an MSI-X vector");
	/* Queue 0 on a vector the table lacks: no message at all. */
	mmio_write16(c + HP_CC(Q_SELECT), 0);
	mmio_write16(c + HP_CC(Q_MSIX), 9);
	virtio_pci_read_isr(&r.vp);
	hp_check(request_irqs(&r, VIRTIO_SLOT_QUEUE) == 0 &&
			 irq_count(VIRTIO_SLOT_CONFIG) == config,
		 "an interrupt arrived for queue vector NO_VECTOR");
	hp_check(virtio_pci_read_isr(&r.vp) == VIRTIO_PCI_ISR_QUEUE,
		 "ISR bit 0 not set for the completion");
	mmio_write16(c + HP_CC(Q_MSIX), QUEUE_ENTRY);
	hp_check(request_irqs(&r, VIRTIO_SLOT_QUEUE) == 1, "not one MSI-X "
		 "interrupt once the vector is valid again");
	hp_rng_down(&r);
	return hp_end();
}

static void check_entry(const struct msix *m, const uint32_t want[4],
			const char *when)
{
	for (unsigned int w = 0; w < 4; w++)
		hp_check(mmio_read32(entry(m, 0, 4 * w)) == want[w], "%s: "
			 "entry 0 word %u reads 0x%x, expected 0x%x", when, w,
			 mmio_read32(entry(m, 0, 4 * w)), want[w]);
}

/* Byte, word and misaligned accesses: reads 0, writes ignored. */
static void narrow_accesses(const struct msix *m, const uint32_t want[4])
{
	for (unsigned int off = 0; off < PCI_MSIX_ENTRY_SIZE; off++) {
		hp_check(mmio_read8(entry(m, 0, off)) == 0, "byte read at "
			 "entry offset %u is not 0", off);
		mmio_write8(entry(m, 0, off), 0xab);
		if (off % 2 == 0) {
			hp_check(mmio_read16(entry(m, 0, off)) == 0, "word read "
				 "at entry offset %u is not 0", off);
			mmio_write16(entry(m, 0, off), 0xabcd);
		}
		if (off % 4 && off <= 12) {
			hp_check(mmio_read32(entry(m, 0, off)) == 0, "misaligned "
				 "dword at entry offset %u is not 0", off);
			mmio_write32(entry(m, 0, off), 0xabcdef01);
		}
	}
	hp_check(mmio_read64(entry(m, 0, 4)) == 0, "misaligned qword is not "
		 "0");
	mmio_write64(entry(m, 0, 4), ~0ULL);
	check_entry(m, want, "after narrow and misaligned writes");
}

int hp_msix_table_widths(void)
{
	static const uint32_t set[4] = { MSI_ADDR, 0, 0x41,
					 PCI_MSIX_ENTRY_CTRL_MASKBIT };
	static uint32_t saved[2][4];
	uint64_t tbl_end, bar_end;
	const char *why = "";
	struct pci_dev *d;
	struct msix m;

	hp_begin("msix-table-widths");
	d = hp_find(VIRTIO_ID_RNG);
	if (!d || !hp_check(msix_init(&m, d, &why) == 0, "%s", why))
		return hp_end();
	for (unsigned int i = 0; i < 2; i++)
		for (unsigned int w = 0; w < 4; w++)
			saved[i][w] = mmio_read32(entry(&m, i, 4 * w));
	for (unsigned int w = 0; w < 4; w++)
		mmio_write32(entry(&m, 0, 4 * w), set[w]);
	check_entry(&m, set, "dword writes");
	narrow_accesses(&m, set);
	hp_check(mmio_read64(entry(&m, 0, 0)) == MSI_ADDR &&
			 mmio_read64(entry(&m, 0, 8)) == (1ULL << 32 | 0x41),
		 "qword reads do not return two dwords");
	/* Vector control bits 31:1 are reserved: they read 0. */
	mmio_write64(entry(&m, 0, 8), 0xffffffff00000042ULL);
	mmio_write64(entry(&m, 0, 0), 0x1fee01000ULL);
	check_entry(&m, (const uint32_t[4]){ 0xfee01000, 1, 0x42, 1 },
		    "qword writes");
	mmio_write32(entry(&m, 0, 12), 0xfffffffe);
	hp_check(mmio_read32(entry(&m, 0, 12)) == 0, "vector control "
		 "reserved bits stuck");
	mmio_write32(entry(&m, 0, 12), 1);
	tbl_end = entry(&m, m.nr_entries, 0);
	bar_end = m.table + 0x1000;
	hp_check(mmio_read64(tbl_end - 4) == 0, "a qword straddling the "
		 "table end is not ignored");
	for (uint64_t a = tbl_end; a < bar_end; a += 0x7c) {
		if (a >= m.pba && a < m.pba + 8)
			continue;
		mmio_write32(a & ~3ULL, 0);
		hp_check(mmio_read32(a & ~3ULL) == 0xffffffffu, "BAR 1 at "
			 "+0x%lx, beyond the table, does not read all ones",
			 (unsigned long)((a & ~3ULL) - m.table));
	}
	for (unsigned int i = 0; i < 2; i++) {
		for (unsigned int w = 0; w < 4; w++)
			mmio_write32(entry(&m, i, 4 * w), saved[i][w]);
	}
	return hp_end();
}

int hp_msix_pba_readonly(void)
{
	static struct hp_rng r;
	const struct msix *m = &r.irq.msix;
	uint64_t before;

	hp_begin("msix-pba-readonly");
	if (hp_rng_live(&r, VIRTIO_IRQ_MSIX, false))
		return hp_end();
	mmio_write64(m->pba, ~0ULL);
	mmio_write32(m->pba + 4, ~0u);
	hp_check(mmio_read64(m->pba) == 0, "PBA writes set pending bits");
	msix_ctrl_write(m, PCI_MSIX_FLAGS_MASKALL, 0);
	before = irq_count(VIRTIO_SLOT_QUEUE);
	hp_check(request_irqs(&r, VIRTIO_SLOT_QUEUE) == 0, "an interrupt "
		 "with the function masked");
	hp_check(mmio_read64(m->pba) == 1u << QUEUE_ENTRY, "PBA 0x%lx with "
		 "entry 1 pending", (unsigned long)mmio_read64(m->pba));
	mmio_write64(m->pba, 0);
	mmio_write32(m->pba, 0);
	mmio_write8(m->pba, 0);
	hp_check(mmio_read64(m->pba) == 1u << QUEUE_ENTRY, "PBA writes "
		 "cleared a pending bit");
	hp_check(mmio_read32(m->pba + 4) == 0 &&
			 mmio_read32(m->pba + 8) == 0xffffffffu,
		 "PBA upper dword or beyond the PBA reads wrong");
	msix_ctrl_write(m, 0, PCI_MSIX_FLAGS_MASKALL);
	hp_check(irqs_within(VIRTIO_SLOT_QUEUE, before) == 1, "not exactly "
		 "one interrupt when the function mask was lifted");
	hp_check(mmio_read64(m->pba) == 0, "the pending bit stayed set");
	hp_rng_down(&r);
	return hp_end();
}

static void toggle_vector(const struct msix *m, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		mmio_write32(entry(m, QUEUE_ENTRY, PCI_MSIX_ENTRY_VECTOR_CTRL),
			     PCI_MSIX_ENTRY_CTRL_MASKBIT);
		mmio_write32(entry(m, QUEUE_ENTRY, PCI_MSIX_ENTRY_VECTOR_CTRL),
			     0);
	}
}

static void toggle_function(const struct msix *m, unsigned int n,
			    uint16_t also)
{
	uint16_t ctrl = msix_ctrl_read(m);

	for (unsigned int i = 0; i < n; i++) {
		pci_write16(m->pci, m->cap + PCI_MSIX_FLAGS,
			    ctrl | PCI_MSIX_FLAGS_MASKALL | also);
		pci_write16(m->pci, m->cap + PCI_MSIX_FLAGS,
			    (uint16_t)(ctrl & ~also));
	}
	pci_write16(m->pci, m->cap + PCI_MSIX_FLAGS, ctrl);
}

int hp_msix_mask_storm(void)
{
	static struct hp_rng r;
	struct msix *m = &r.irq.msix;
	unsigned int q = VIRTIO_SLOT_QUEUE;
	uint64_t before;

	hp_begin("msix-mask-storm");
	if (hp_rng_live(&r, VIRTIO_IRQ_MSIX, false))
		return hp_end();
	/* Function masked: vector unmasks must not send the pending one. */
	msix_ctrl_write(m, PCI_MSIX_FLAGS_MASKALL, 0);
	before = irq_count(q);
	hp_rng_works(&r);
	toggle_vector(m, STORM);
	hp_check(irqs_within(q, before) == 0 && msix_pending(m, QUEUE_ENTRY),
		 "vector mask toggles sent a message under the function mask");
	msix_ctrl_write(m, 0, PCI_MSIX_FLAGS_MASKALL);
	hp_check(irqs_within(q, before) == 1, "not one interrupt after the "
		 "function mask was lifted");
	/* Nothing pending: function mask and enable storms send nothing. */
	before = irq_count(q);
	toggle_function(m, STORM, 0);
	toggle_function(m, STORM / 4, PCI_MSIX_FLAGS_ENABLE);
	hp_check(irqs_within(q, before) == 0, "mask or enable toggles sent "
		 "a message with nothing pending");
	/* Vector masked: function mask toggles must not send it. */
	msix_mask_entry(m, QUEUE_ENTRY);
	hp_rng_works(&r);
	toggle_function(m, STORM, 0);
	hp_check(irqs_within(q, before) == 0 && msix_pending(m, QUEUE_ENTRY),
		 "function mask toggles sent a masked vector");
	mmio_write32(entry(m, QUEUE_ENTRY, PCI_MSIX_ENTRY_VECTOR_CTRL), 0);
	hp_check(irqs_within(q, before) == 1 && !msix_pending(m, QUEUE_ENTRY),
		 "not one interrupt when the vector was unmasked");
	hp_check(request_irqs(&r, q) == 1, "not one interrupt per request "
		 "after the storms");
	hp_rng_down(&r);
	return hp_end();
}

/* Points entry 1 elsewhere, runs a request, checks RAM and slots. */
static void bad_message(struct hp_rng *r, uint32_t lo, uint32_t hi,
			uint32_t data, bool dropped)
{
	const struct msix *m = &r->irq.msix;
	uint64_t counts[IRQ_SLOTS];

	mmio_write32(entry(m, QUEUE_ENTRY, PCI_MSIX_ENTRY_VECTOR_CTRL), 1);
	mmio_write32(entry(m, QUEUE_ENTRY, PCI_MSIX_ENTRY_LOWER_ADDR), lo);
	mmio_write32(entry(m, QUEUE_ENTRY, PCI_MSIX_ENTRY_UPPER_ADDR), hi);
	mmio_write32(entry(m, QUEUE_ENTRY, PCI_MSIX_ENTRY_DATA), data);
	mmio_write32(entry(m, QUEUE_ENTRY, PCI_MSIX_ENTRY_VECTOR_CTRL), 0);
	for (unsigned int i = 0; i < IRQ_SLOTS; i++)
		counts[i] = irq_count(i);
	hp_rng_works(r);
	mdelay(HP_SETTLE_MS);
	for (unsigned int i = 0; i < IRQ_SLOTS; i++) {
		if (i == SPARE_SLOT && !dropped)
			continue; /* delivered or not: APIC id from bits 19:12 */
		hp_check(irq_count(i) == counts[i], "message 0x%x:%08x data "
			 "0x%x raised slot %u", hi, lo, data, i);
	}
	for (unsigned int i = 0; i < sizeof(canary); i++) {
		if (!hp_check(canary[i] == (uint8_t)i, "message 0x%x:%08x "
			      "wrote guest RAM", hi, lo))
			break;
	}
}

int hp_msix_bad_address(void)
{
	static struct hp_rng r;
	uint32_t spare = irq_vector(SPARE_SLOT);
	uint32_t absent = MSI_ADDR | ABSENT_APIC << 12;

	hp_begin("msix-bad-address");
	for (unsigned int i = 0; i < sizeof(canary); i++)
		canary[i] = (uint8_t)i;
	if (hp_rng_live(&r, VIRTIO_IRQ_MSIX, false))
		return hp_end();
	bad_message(&r, (uint32_t)(uintptr_t)canary, 0, spare, false);
	bad_message(&r, 0, 0xffffffffu, spare, false);
	bad_message(&r, absent, 0, spare, true);
	bad_message(&r, absent, 0, MSI_DM_INIT | spare, true);
	bad_message(&r, absent, 0, MSI_DM_NMI | spare, true);
	msix_set_entry(&r.irq.msix, QUEUE_ENTRY, (uint8_t)cpu_apic_id(),
		       irq_vector(VIRTIO_SLOT_QUEUE));
	hp_check(request_irqs(&r, VIRTIO_SLOT_QUEUE) == 1, "not one interrupt "
		 "after the entry was fixed");
	hp_rng_down(&r);
	return hp_end();
}

/*
 * PCI 3.0 §6.8.2: with MSI-X enabled the function must not use INTx,
 * whatever the command register's INTx disable says.
 */
int hp_msix_intx_exclusive(void)
{
	static struct hp_rng r;
	const struct msix *m;
	const char *why = "";
	uint64_t before;
	unsigned int x = VIRTIO_SLOT_INTX;

	hp_begin("msix-intx-exclusive");
	if (hp_rng_live(&r, VIRTIO_IRQ_INTX, false))
		return hp_end();
	before = irq_count(x);
	hp_rng_works(&r);
	hp_check(irqs_within(x, before) >= 1, "no INTx for a request");
	if (!hp_check(msix_init(&r.irq.msix, r.vp.pci, &why) == 0, "%s", why))
		goto out;
	m = &r.irq.msix;
	/* A completion pending on a masked pin, then MSI-X on. */
	ioapic_mask(&r.irq.intx);
	hp_rng_works(&r);
	hp_check(pci_read16(r.vp.pci, PCI_STATUS) & PCI_STATUS_INTERRUPT,
		 "status shows no INTx request for a completion");
	msix_ctrl_write(m, PCI_MSIX_FLAGS_ENABLE, 0);
	before = irq_count(x);
	ioapic_route(&r.irq.intx, irq_vector(x), (uint8_t)cpu_apic_id());
	hp_check(irqs_within(x, before) == 0, "INTx stayed asserted with "
		 "MSI-X enabled");
	hp_check(virtio_pci_read_isr(&r.vp) == VIRTIO_PCI_ISR_QUEUE,
		 "ISR lost the completion");
	hp_check(request_irqs(&r, x) == 0, "INTx for a request with MSI-X "
		 "enabled and no vector");
	hp_check(virtio_pci_read_isr(&r.vp) == VIRTIO_PCI_ISR_QUEUE,
		 "ISR bit 0 not set with MSI-X enabled");
	msix_ctrl_write(m, 0, PCI_MSIX_FLAGS_ENABLE);
	hp_check(irqs_within(x, irq_count(x)) == 0, "INTx fired when MSI-X "
		 "was disabled with nothing pending");
	hp_check(request_irqs(&r, x) >= 1, "no INTx after MSI-X was "
		 "disabled again");
out:
	hp_rng_down(&r);
	return hp_end();
}
