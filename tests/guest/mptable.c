// SPDX-License-Identifier: MIT
/*
 * Finds and parses the MP table (Intel MP spec 1.4, section 4): searches
 * for the "_MP_" floating pointer in the EBDA's first KiB, the last KiB of
 * base memory and the BIOS ROM area, validates checksums and lengths, and
 * collects the processor, bus, I/O APIC and I/O interrupt entries. CPL3,
 * BSP.
 */
#include "guest.h"
#include "mptable.h"

#define BDA_EBDA_SEGMENT 0x40e
#define BDA_BASE_MEM_KB 0x413

#define MP_ENTRY_PROCESSOR 0
#define MP_ENTRY_BUS 1
#define MP_ENTRY_IOAPIC 2
#define MP_ENTRY_IO_INTERRUPT 3
#define MP_IOAPIC_ENABLED 0x01
#define MP_CPU_ENABLED 0x01
#define MP_CPU_BSP 0x02

struct mp_floating {
	char signature[4]; /* "_MP_" */
	uint32_t table_paddr;
	uint8_t length; /* in 16-byte units */
	uint8_t spec_rev;
	uint8_t checksum;
	uint8_t feature[5]; /* feature[0] != 0: a default configuration */
} __attribute__((packed));

struct mp_table_header {
	char signature[4]; /* "PCMP" */
	uint16_t length;
	uint8_t spec_rev;
	uint8_t checksum;
	char oem_id[8];
	char product_id[12];
	uint32_t oem_table_paddr;
	uint16_t oem_table_size;
	uint16_t entry_count;
	uint32_t lapic_paddr;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

struct mp_processor {
	uint8_t type;
	uint8_t apic_id;
	uint8_t apic_version;
	uint8_t flags;
	uint32_t signature;
	uint32_t features;
	uint32_t reserved[2];
} __attribute__((packed));

struct mp_bus_entry {
	uint8_t type;
	uint8_t bus_id;
	char bus_type[6]; /* space padded: "ISA   ", "PCI   " */
} __attribute__((packed));

struct mp_ioapic_entry {
	uint8_t type;
	uint8_t id;
	uint8_t version;
	uint8_t flags;
	uint32_t addr;
} __attribute__((packed));

struct mp_interrupt_entry {
	uint8_t type;
	uint8_t irq_type;
	uint16_t flags;
	uint8_t src_bus;
	uint8_t src_irq;
	uint8_t dst_apic;
	uint8_t dst_pin;
} __attribute__((packed));

_Static_assert(sizeof(struct mp_bus_entry) == 8, "MP bus entry");
_Static_assert(sizeof(struct mp_ioapic_entry) == 8, "MP I/O APIC entry");
_Static_assert(sizeof(struct mp_interrupt_entry) == 8, "MP interrupt entry");
_Static_assert(sizeof(struct mp_floating) == 16, "MP floating pointer");
_Static_assert(sizeof(struct mp_table_header) == 44, "MP table header");
_Static_assert(sizeof(struct mp_processor) == 20, "MP processor entry");

static uint8_t sum_bytes(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

static const struct mp_floating *scan(uint64_t start, uint64_t len)
{
	for (uint64_t a = ALIGN_UP(start, 16); a + 16 <= start + len; a += 16) {
		const struct mp_floating *fp = (const void *)(uintptr_t)a;

		if (memcmp(fp->signature, "_MP_", 4) || fp->length != 1)
			continue;
		if (sum_bytes(fp, 16) == 0)
			return fp;
	}
	return NULL;
}

/* The three places the spec lists, in its order. */
static const struct mp_floating *find_floating(void)
{
	uint64_t ebda = (uint64_t)*(volatile uint16_t *)BDA_EBDA_SEGMENT << 4;
	uint64_t base_kb = *(volatile uint16_t *)BDA_BASE_MEM_KB;
	const struct mp_floating *fp = NULL;

	/* Without a BIOS the BDA is zero: fall back to 640 KiB of base memory. */
	if (base_kb < 512 || base_kb > 640)
		base_kb = 640;
	if (ebda >= 0x80000 && ebda < 0xa0000)
		fp = scan(ebda, 1024);
	if (!fp)
		fp = scan((base_kb - 1) * 1024, 1024);
	if (!fp)
		fp = scan(0xf0000, 0x10000);
	return fp;
}

static void add_processor(struct mp_info *mp, const struct mp_processor *p)
{
	mp->nr_listed++;
	if (!(p->flags & MP_CPU_ENABLED) || mp->nr_cpus >= MAX_CPUS)
		return;
	mp->cpu[mp->nr_cpus].apic_id = p->apic_id;
	mp->cpu[mp->nr_cpus].bsp = p->flags & MP_CPU_BSP;
	mp->nr_cpus++;
}

static void add_bus(struct mp_info *mp, const struct mp_bus_entry *b)
{
	if (!memcmp(b->bus_type, "ISA", 3)) {
		mp->bus_type[b->bus_id] = MP_BUS_ISA;
	} else if (!memcmp(b->bus_type, "PCI", 3)) {
		mp->bus_type[b->bus_id] = MP_BUS_PCI;
		mp->pci_bus[b->bus_id] = (uint8_t)mp->nr_pci_buses++;
	} else {
		mp->bus_type[b->bus_id] = MP_BUS_OTHER;
	}
}

static void add_ioapic(struct mp_info *mp, const struct mp_ioapic_entry *a)
{
	if (!(a->flags & MP_IOAPIC_ENABLED) || mp->nr_ioapics >= MP_MAX_IOAPICS)
		return;
	mp->ioapic[mp->nr_ioapics].id = a->id;
	mp->ioapic[mp->nr_ioapics].addr = a->addr;
	mp->nr_ioapics++;
}

static void add_intsrc(struct mp_info *mp, const struct mp_interrupt_entry *e)
{
	if (mp->nr_intsrc >= MP_MAX_INTSRC)
		return;
	mp->intsrc[mp->nr_intsrc++] = (struct mp_intsrc){
		.irq_type = e->irq_type,
		.flags = e->flags,
		.src_bus = e->src_bus,
		.src_irq = e->src_irq,
		.dst_apic = e->dst_apic,
		.dst_pin = e->dst_pin,
	};
}

static void add_entry(struct mp_info *mp, const uint8_t *p)
{
	switch (*p) {
	case MP_ENTRY_PROCESSOR:
		add_processor(mp, (const struct mp_processor *)p);
		break;
	case MP_ENTRY_BUS:
		add_bus(mp, (const struct mp_bus_entry *)p);
		break;
	case MP_ENTRY_IOAPIC:
		add_ioapic(mp, (const struct mp_ioapic_entry *)p);
		break;
	case MP_ENTRY_IO_INTERRUPT:
		add_intsrc(mp, (const struct mp_interrupt_entry *)p);
		break;
	}
}

/* Entries are 20 bytes (processor) or 8 bytes (bus, I/O APIC, IRQs). */
static const char *parse_entries(struct mp_info *mp,
				 const struct mp_table_header *t)
{
	const uint8_t *p = (const uint8_t *)(t + 1);
	const uint8_t *end = (const uint8_t *)t + t->length;

	for (unsigned int i = 0; i < t->entry_count; i++) {
		size_t size = *p == MP_ENTRY_PROCESSOR ? 20 : 8;

		if (*p > 4)
			return "unknown MP table entry type";
		if (p + size > end)
			return "MP table entries overrun the table length";
		add_entry(mp, p);
		mp->nr_entries++;
		p += size;
	}
	return NULL;
}

const char *mptable_find(struct mp_info *mp)
{
	const struct mp_floating *fp = find_floating();
	const struct mp_table_header *t;

	memset(mp, 0, sizeof(*mp));
	if (!fp)
		return "no MP floating pointer structure";
	mp->fp_addr = (uintptr_t)fp;
	if (fp->feature[0] || !fp->table_paddr)
		return "MP default configurations are not supported";
	t = (const void *)(uintptr_t)fp->table_paddr;
	mp->table_addr = fp->table_paddr;
	if (memcmp(t->signature, "PCMP", 4))
		return "bad MP configuration table signature";
	if (t->length < sizeof(*t) || sum_bytes(t, t->length) != 0)
		return "bad MP configuration table length or checksum";
	mp->lapic_base = t->lapic_paddr;
	return parse_entries(mp, t);
}

static const struct mp_intsrc *find_intsrc(const struct mp_info *mp,
					   enum mp_bus_type type,
					   unsigned int bus, unsigned int irq)
{
	for (unsigned int i = 0; i < mp->nr_intsrc; i++) {
		const struct mp_intsrc *e = &mp->intsrc[i];

		if (e->irq_type == MP_IRQ_TYPE_INT &&
		    mp->bus_type[e->src_bus] == type &&
		    (type == MP_BUS_ISA || mp->pci_bus[e->src_bus] == bus) &&
		    e->src_irq == irq)
			return e;
	}
	return NULL;
}

const struct mp_intsrc *mptable_pci_irq(const struct mp_info *mp,
					unsigned int bus, unsigned int dev,
					unsigned int pin)
{
	if (pin < 1 || pin > 4 || dev > 31)
		return NULL;
	return find_intsrc(mp, MP_BUS_PCI, bus, (dev << 2) | (pin - 1));
}

const struct mp_intsrc *mptable_isa_irq(const struct mp_info *mp,
					unsigned int irq)
{
	return find_intsrc(mp, MP_BUS_ISA, 0, irq);
}

uint32_t mptable_ioapic_addr(const struct mp_info *mp, uint8_t id)
{
	/* 0xff: "all I/O APICs", only meaningful when there is one. */
	if (id == 0xff && mp->nr_ioapics == 1)
		return mp->ioapic[0].addr;
	for (unsigned int i = 0; i < mp->nr_ioapics; i++) {
		if (mp->ioapic[i].id == id)
			return mp->ioapic[i].addr;
	}
	return 0;
}
