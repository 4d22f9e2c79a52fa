// SPDX-License-Identifier: MIT
/*
 * Device interrupts at CPL3: installs the IDT gates of the counting stubs
 * (start.S), programs MSI-X tables and I/O APIC redirection entries, and
 * finds a PCI function's I/O APIC input in the MP table. The IDT, the
 * tables and the I/O APIC are all reachable from CPL3 (identity map with
 * user pages), so no CPL0 service is needed except for the LAPIC. BSP.
 */
#include "guest.h"
#include "cpu.h"
#include "io.h"
#include "irq.h"
#include "mptable.h"

#define APIC_SVR 0xf0
#define SVR_ENABLE 0x100
#define SPURIOUS_VECTOR 0xff

/* Interrupt gate, present, DPL 0 (hardware interrupts ignore the DPL). */
#define GATE_TYPE_INTR 0x8e

#define MSI_ADDR_BASE 0xfee00000u
#define MSI_ADDR_DEST_SHIFT 12

#define IOAPIC_REGSEL 0x00
#define IOAPIC_WINDOW 0x10
#define IOAPIC_REDTBL 0x10 /* entry n: registers 0x10 + 2n (low), + 1 (high) */
#define RTE_MASKED (1u << 16)
#define RTE_LEVEL (1u << 15)
#define RTE_ACTIVE_LOW (1u << 13)
#define RTE_DEST_SHIFT 24 /* in the high dword */

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate");

extern struct idt_gate idt[256];
extern char irq_stubs[];
extern uint64_t irq_counter[];
extern uint64_t irq_ack_reg[];
extern uint64_t irq_ack_bits[];

static bool irq_ready;

static void set_gate(uint8_t vector, uint64_t handler)
{
	idt[vector] = (struct idt_gate){
		.offset_lo = (uint16_t)handler,
		.selector = KERNEL_CS,
		.type = GATE_TYPE_INTR,
		.offset_mid = (uint16_t)(handler >> 16),
		.offset_hi = (uint32_t)(handler >> 32),
	};
}

void irq_init(void)
{
	if (irq_ready)
		return;
	for (unsigned int i = 0; i < IRQ_SLOTS; i++)
		set_gate(irq_vector(i),
			 (uintptr_t)irq_stubs + i * IRQ_STUB_SIZE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	apic_write(APIC_SVR,
		   apic_read(APIC_SVR) | SVR_ENABLE | SPURIOUS_VECTOR);
	irq_ready = true;
}

uint64_t irq_count(unsigned int slot)
{
	return __atomic_load_n(&irq_counter[slot], __ATOMIC_ACQUIRE);
}

void irq_set_ack_reg(unsigned int slot, uint64_t addr)
{
	__atomic_store_n(&irq_ack_reg[slot], addr, __ATOMIC_RELEASE);
}

uint8_t irq_take_ack_bits(unsigned int slot)
{
	return (uint8_t)__atomic_exchange_n(&irq_ack_bits[slot], 0,
					    __ATOMIC_ACQ_REL);
}

bool irq_wait(unsigned int slot, uint64_t count, uint64_t deadline)
{
	while (irq_count(slot) <= count) {
		if (tsc_expired(deadline))
			return false;
		cpu_relax();
	}
	return true;
}

/* Maps [addr, addr + size) of BAR @bir; 0 if the BAR has no address. */
static uint64_t map_bar_range(const struct pci_dev *d, unsigned int bir,
			      uint32_t off, uint64_t size)
{
	const struct pci_bar *b;

	if (bir >= PCI_NR_BARS)
		return 0;
	b = &d->bar[bir];
	if (!b->addr || b->type == PCI_BAR_IO || b->type == PCI_BAR_NONE)
		return 0;
	if (map_range_flags(b->addr + off, size, MAP_UNCACHED))
		return 0;
	return b->addr + off;
}

int msix_init(struct msix *m, const struct pci_dev *d, const char **why)
{
	uint32_t table, pba;
	uint16_t ctrl;

	*m = (struct msix){ .pci = d };
	m->cap = pci_find_cap(d, PCI_CAP_ID_MSIX, 0);
	if (!m->cap) {
		*why = "no MSI-X capability";
		return -1;
	}
	ctrl = pci_read16(d, m->cap + PCI_MSIX_FLAGS);
	m->nr_entries = (ctrl & PCI_MSIX_FLAGS_QSIZE) + 1;
	table = pci_read32(d, m->cap + PCI_MSIX_TABLE);
	pba = pci_read32(d, m->cap + PCI_MSIX_PBA);
	m->table = map_bar_range(d, table & PCI_MSIX_TABLE_BIR,
				 table & PCI_MSIX_TABLE_OFFSET,
				 (uint64_t)m->nr_entries * PCI_MSIX_ENTRY_SIZE);
	m->pba = map_bar_range(d, pba & PCI_MSIX_PBA_BIR,
			       pba & PCI_MSIX_PBA_OFFSET,
			       ALIGN_UP(m->nr_entries, 64) / 8);
	if (!m->table || !m->pba) {
		*why = "MSI-X table or PBA in a BAR without a memory address";
		return -1;
	}
	return 0;
}

static void msix_ctrl(struct msix *m, uint16_t set, uint16_t clear)
{
	uint8_t off = m->cap + PCI_MSIX_FLAGS;
	uint16_t ctrl = pci_read16(m->pci, off);

	pci_write16(m->pci, off, (uint16_t)((ctrl | set) & ~clear));
}

void msix_enable(struct msix *m)
{
	msix_ctrl(m, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL, 0);
	pci_enable(m->pci, PCI_COMMAND_INTX_DISABLE);
}

void msix_unmask_all(struct msix *m)
{
	msix_ctrl(m, 0, PCI_MSIX_FLAGS_MASKALL);
}

void msix_disable(struct msix *m)
{
	msix_ctrl(m, 0, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	pci_disable(m->pci, PCI_COMMAND_INTX_DISABLE);
}

void msix_set_entry(struct msix *m, unsigned int i, uint8_t apic_id,
		    uint8_t vector)
{
	uint64_t e = m->table + (uint64_t)i * PCI_MSIX_ENTRY_SIZE;

	/* Mask while the address and data are inconsistent. */
	mmio_write32(e + PCI_MSIX_ENTRY_VECTOR_CTRL,
		     PCI_MSIX_ENTRY_CTRL_MASKBIT);
	mmio_write32(e + PCI_MSIX_ENTRY_LOWER_ADDR,
		     MSI_ADDR_BASE | (uint32_t)apic_id << MSI_ADDR_DEST_SHIFT);
	mmio_write32(e + PCI_MSIX_ENTRY_UPPER_ADDR, 0);
	mmio_write32(e + PCI_MSIX_ENTRY_DATA, vector); /* fixed, edge */
	mmio_write32(e + PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
}

void msix_mask_entry(struct msix *m, unsigned int i)
{
	mmio_write32(m->table + (uint64_t)i * PCI_MSIX_ENTRY_SIZE +
			     PCI_MSIX_ENTRY_VECTOR_CTRL,
		     PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

bool msix_pending(const struct msix *m, unsigned int i)
{
	return mmio_read64(m->pba + (i / 64) * 8) & (1ULL << (i % 64));
}

/*
 * An MP flags word, with "conforms to the bus" resolved: PCI interrupts
 * are level-triggered and active low, ISA ones edge and active high.
 */
static void apply_flags(struct intx_route *r, uint16_t flags, bool pci_bus)
{
	uint16_t pol = flags & MP_IRQ_POLARITY_MASK;
	uint16_t trig = flags & MP_IRQ_TRIGGER_MASK;

	r->active_low = pol ? pol == MP_IRQ_POLARITY_LOW : pci_bus;
	r->level = trig ? trig == MP_IRQ_TRIGGER_LEVEL : pci_bus;
}

int intx_route_find(const struct pci_dev *d, struct intx_route *r,
		    const char **why)
{
	static struct mp_info mp;
	const struct mp_intsrc *e;
	const char *err = mptable_find(&mp);

	*r = (struct intx_route){ 0 };
	if (err) {
		*why = err;
		return -1;
	}
	if (!d->irq_pin) {
		*why = "the function has no interrupt pin";
		return -1;
	}
	e = mptable_pci_irq(&mp, d->bus, d->dev, d->irq_pin);
	if (e) {
		r->source = "MP table PCI interrupt entry";
		apply_flags(r, e->flags, true);
	} else if (d->irq_line && d->irq_line < 16 &&
		   (e = mptable_isa_irq(&mp, d->irq_line))) {
		/* Routed to an ISA IRQ (PIIX PIRQ router): still a PCI line. */
		r->source = "interrupt line register and MP table ISA entry";
		r->level = true;
	} else {
		*why = "no MP table entry for the PCI pin or interrupt line";
		return -1;
	}
	r->ioapic_id = e->dst_apic;
	r->ioapic = mptable_ioapic_addr(&mp, e->dst_apic);
	r->pin = e->dst_pin;
	if (!r->ioapic) {
		*why = "the MP table lists no such I/O APIC";
		return -1;
	}
	return 0;
}

static uint32_t ioapic_read(uint64_t base, uint8_t reg)
{
	mmio_write32(base + IOAPIC_REGSEL, reg);
	return mmio_read32(base + IOAPIC_WINDOW);
}

static void ioapic_write(uint64_t base, uint8_t reg, uint32_t val)
{
	mmio_write32(base + IOAPIC_REGSEL, reg);
	mmio_write32(base + IOAPIC_WINDOW, val);
}

void ioapic_route(const struct intx_route *r, uint8_t vector, uint8_t apic_id)
{
	uint8_t reg = (uint8_t)(IOAPIC_REDTBL + 2 * r->pin);
	uint32_t lo = vector;

	if (r->level)
		lo |= RTE_LEVEL;
	if (r->active_low)
		lo |= RTE_ACTIVE_LOW;
	/* Masked while the halves disagree, unmasked by the last write. */
	ioapic_write(r->ioapic, reg, lo | RTE_MASKED);
	ioapic_write(r->ioapic, reg + 1, (uint32_t)apic_id << RTE_DEST_SHIFT);
	ioapic_write(r->ioapic, reg, lo);
}

void ioapic_mask(const struct intx_route *r)
{
	uint8_t reg = (uint8_t)(IOAPIC_REDTBL + 2 * r->pin);

	ioapic_write(r->ioapic, reg, ioapic_read(r->ioapic, reg) | RTE_MASKED);
}

uint64_t ioapic_read_rte(const struct intx_route *r)
{
	uint8_t reg = (uint8_t)(IOAPIC_REDTBL + 2 * r->pin);

	return ioapic_read(r->ioapic, reg) |
	       (uint64_t)ioapic_read(r->ioapic, reg + 1) << 32;
}
