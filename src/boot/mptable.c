// SPDX-License-Identifier: MIT
/*
 * MP Specification 1.4 tables (floating pointer, configuration table with
 * processor, bus, I/O APIC and interrupt entries) built in a host buffer
 * and copied to the EBDA, plus the BDA words that point at the EBDA.
 * Main thread, before vCPUs run (and at reset); no lock.
 */
#include "boot/mptable.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "mem/memmap.h"

/* MP spec 1.4, chapter 4: entry types and flags. */
enum {
	MP_ENTRY_PROCESSOR = 0,
	MP_ENTRY_BUS = 1,
	MP_ENTRY_IOAPIC = 2,
	MP_ENTRY_IO_INTERRUPT = 3,
	MP_ENTRY_LOCAL_INTERRUPT = 4,
};
enum { MP_INT = 0, MP_NMI = 1, MP_EXTINT = 3 };	/* interrupt types */
#define MP_CPU_ENABLED		0x01
#define MP_CPU_BSP		0x02
#define MP_IOAPIC_ENABLED	0x01
#define MP_SPEC_REV		4	/* 1.4 */
#define MP_ALL_LAPICS		0xff
#define MP_BUS_ISA		0
#define MP_BUS_PCI		1
#define MP_ISA_CASCADE_IRQ	2
#define MP_ISA_TIMER_PIN	2	/* a PC wires IRQ0 to INTIN2 */
#define MP_PCI_SLOTS		32
#define MP_IOAPIC_PINS		24
/* I/O interrupt flags: polarity active low (3), trigger level (3 << 2). */
#define MP_IRQ_PCI_FLAGS	0x000F

/* CPUID signature family 6; features FPU (bit 0) and APIC (bit 9). */
#define MP_CPU_SIGNATURE	0x00000600
#define MP_CPU_FEATURES		0x00000201

#define BDA_BASEMEM_KIB		(EBDA_START / KiB)	/* 639 */

struct mp_floating {
	char signature[4];	/* "_MP_" */
	uint32_t physptr;	/* configuration table */
	uint8_t length;		/* in 16-byte units */
	uint8_t spec_rev;
	uint8_t checksum;
	uint8_t feature[5];	/* all 0: a configuration table exists */
} __packed;

struct mp_config {
	char signature[4];	/* "PCMP" */
	uint16_t length;	/* header + base entries */
	uint8_t spec_rev;
	uint8_t checksum;
	char oem_id[8];
	char product_id[12];
	uint32_t oem_table;
	uint16_t oem_table_size;
	uint16_t entry_count;
	uint32_t lapic_addr;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __packed;

struct mp_processor {
	uint8_t type;
	uint8_t apic_id;
	uint8_t apic_version;
	uint8_t flags;
	uint32_t signature;
	uint32_t features;
	uint32_t reserved[2];
} __packed;

struct mp_bus {
	uint8_t type;
	uint8_t bus_id;
	char bus_type[6];	/* space padded */
} __packed;

struct mp_ioapic {
	uint8_t type;
	uint8_t id;
	uint8_t version;
	uint8_t flags;
	uint32_t addr;
} __packed;

/* Same layout for I/O (type 3) and local (type 4) interrupt entries. */
struct mp_interrupt {
	uint8_t type;
	uint8_t irq_type;
	uint16_t flags;		/* 0: polarity and trigger as the bus */
	uint8_t src_bus;
	uint8_t src_irq;
	uint8_t dst_id;		/* I/O APIC id, or MP_ALL_LAPICS */
	uint8_t dst_pin;	/* INTIN, or LINTIN */
} __packed;

_Static_assert(sizeof(struct mp_floating) == 16, "MP floating pointer");
_Static_assert(sizeof(struct mp_config) == 44, "MP config header");
_Static_assert(sizeof(struct mp_processor) == 20, "MP processor entry");
_Static_assert(sizeof(struct mp_bus) == 8, "MP bus entry");
_Static_assert(sizeof(struct mp_ioapic) == 8, "MP I/O APIC entry");
_Static_assert(sizeof(struct mp_interrupt) == 8, "MP interrupt entry");

#define MPTABLE_SIZE(n, p) \
	(sizeof(struct mp_floating) + sizeof(struct mp_config) + \
	 (n) * sizeof(struct mp_processor) + \
	 (MPTABLE_NR_FIXED_ENTRIES + (p)) * 8)
#define MPTABLE_MAX_SIZE MPTABLE_SIZE(MPTABLE_MAX_CPUS, MPTABLE_MAX_PCI_IRQS)
/* The tables may fill the legacy hole up to the BIOS F-segment. */
_Static_assert(EBDA_START + MPTABLE_MAX_SIZE <= BIOS_FSEG_START,
	       "MP table for the most CPUs runs into the BIOS area");

size_t mptable_size(unsigned nr_cpus, unsigned nr_pci_irqs)
{
	return MPTABLE_SIZE((size_t)nr_cpus, (size_t)nr_pci_irqs);
}

/* Two's complement of the byte sum, so the structure sums to 0. */
static uint8_t mptable_checksum(const uint8_t *buf, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *buf++;
	return (uint8_t)-sum;
}

/* Appends @len bytes at *@pos. */
static void mptable_put(uint8_t *buf, size_t *pos, const void *e, size_t len)
{
	memcpy(buf + *pos, e, len);
	*pos += len;
}

static void mptable_put_cpus(uint8_t *buf, size_t *pos, unsigned nr_cpus)
{
	struct mp_processor cpu = {
		.type = MP_ENTRY_PROCESSOR,
		.apic_version = MPTABLE_APIC_VERSION,
		.signature = MP_CPU_SIGNATURE,
		.features = MP_CPU_FEATURES,
	};
	unsigned i;

	for (i = 0; i < nr_cpus; i++) {
		cpu.apic_id = (uint8_t)i;
		cpu.flags = MP_CPU_ENABLED | (i == 0 ? MP_CPU_BSP : 0);
		mptable_put(buf, pos, &cpu, sizeof(cpu));
	}
}

/*
 * PCI INTx routes, so a guest without ACPI finds the IOAPIC pin of each
 * slot (Linux: IO_APIC_get_PCI_irq_vector()).
 */
static void mptable_put_pci_irqs(uint8_t *buf, size_t *pos, uint8_t ioapic,
				 const struct mptable_pci_irq *irqs,
				 unsigned nr)
{
	struct mp_interrupt e = {
		.type = MP_ENTRY_IO_INTERRUPT,
		.irq_type = MP_INT,
		.flags = MP_IRQ_PCI_FLAGS,
		.src_bus = MP_BUS_PCI,
		.dst_id = ioapic,
	};

	for (unsigned i = 0; i < nr; i++) {
		e.src_irq = (uint8_t)(irqs[i].slot << 2 | (irqs[i].pin - 1));
		e.dst_pin = irqs[i].ioapic_pin;
		mptable_put(buf, pos, &e, sizeof(e));
	}
}

/* ISA IRQs to I/O APIC pins as on a PC. */
static void mptable_put_isa_irqs(uint8_t *buf, size_t *pos, uint8_t ioapic)
{
	struct mp_interrupt e = {
		.type = MP_ENTRY_IO_INTERRUPT,
		.irq_type = MP_INT,
		.src_bus = MP_BUS_ISA,
		.dst_id = ioapic,
	};
	unsigned irq;

	for (irq = 0; irq < MPTABLE_NR_ISA_IRQS; irq++) {
		if (irq == MP_ISA_CASCADE_IRQ)
			continue;	/* the 8259 cascade never reaches a pin */
		e.src_irq = (uint8_t)irq;
		e.dst_pin = irq == 0 ? MP_ISA_TIMER_PIN : (uint8_t)irq;
		mptable_put(buf, pos, &e, sizeof(e));
	}
}

/* LINT0 (ExtINT) and LINT1 (NMI) of every LAPIC. */
static void mptable_put_local_irqs(uint8_t *buf, size_t *pos)
{
	struct mp_interrupt e = {
		.type = MP_ENTRY_LOCAL_INTERRUPT,
		.irq_type = MP_EXTINT,
		.src_bus = MP_BUS_ISA,
		.dst_id = MP_ALL_LAPICS,
		.dst_pin = 0,
	};

	mptable_put(buf, pos, &e, sizeof(e));
	e.irq_type = MP_NMI;
	e.dst_pin = 1;
	mptable_put(buf, pos, &e, sizeof(e));
}

/* The configuration table (header + entries) at @buf; returns its size. */
static size_t mptable_put_config(uint8_t *buf, unsigned nr_cpus,
				 const struct mptable_pci_irq *pci_irqs,
				 unsigned nr_pci_irqs)
{
	struct mp_config *cfg = (struct mp_config *)buf;
	struct mp_bus isa = { MP_ENTRY_BUS, MP_BUS_ISA, "ISA   " };
	struct mp_bus pci = { MP_ENTRY_BUS, MP_BUS_PCI, "PCI   " };
	struct mp_ioapic ioapic = {
		.type = MP_ENTRY_IOAPIC,
		.id = (uint8_t)nr_cpus,
		.version = MPTABLE_IOAPIC_VERSION,
		.flags = MP_IOAPIC_ENABLED,
		.addr = (uint32_t)MEMMAP_IOAPIC_ADDR,
	};
	size_t pos = sizeof(*cfg);

	mptable_put_cpus(buf, &pos, nr_cpus);
	mptable_put(buf, &pos, &isa, sizeof(isa));
	mptable_put(buf, &pos, &pci, sizeof(pci));
	mptable_put(buf, &pos, &ioapic, sizeof(ioapic));
	mptable_put_isa_irqs(buf, &pos, ioapic.id);
	mptable_put_pci_irqs(buf, &pos, ioapic.id, pci_irqs, nr_pci_irqs);
	mptable_put_local_irqs(buf, &pos);

	memcpy(cfg->signature, "PCMP", 4);
	cfg->length = (uint16_t)pos;
	cfg->spec_rev = MP_SPEC_REV;
	memcpy(cfg->oem_id, "FLEXVM  ", sizeof(cfg->oem_id));
	memcpy(cfg->product_id, "FLEXVM      ", sizeof(cfg->product_id));
	cfg->entry_count = (uint16_t)(nr_cpus + MPTABLE_NR_FIXED_ENTRIES +
				      nr_pci_irqs);
	cfg->lapic_addr = (uint32_t)MEMMAP_LAPIC_ADDR;
	cfg->checksum = mptable_checksum(buf, pos);
	return pos;
}

static bool mptable_pci_irqs_valid(const struct mptable_pci_irq *irqs,
				   unsigned nr)
{
	if (nr > MPTABLE_MAX_PCI_IRQS || (nr && !irqs))
		return false;
	for (unsigned i = 0; i < nr; i++)
		if (irqs[i].slot >= MP_PCI_SLOTS || irqs[i].pin < 1 ||
		    irqs[i].pin > 4 || irqs[i].ioapic_pin >= MP_IOAPIC_PINS)
			return false;
	return true;
}

int mptable_write(const struct guest_mem *gm, unsigned nr_cpus,
		  const struct mptable_pci_irq *pci_irqs, unsigned nr_pci_irqs)
{
	uint8_t buf[MPTABLE_MAX_SIZE];
	struct mp_floating *mpf = (struct mp_floating *)buf;
	uint16_t ebda_seg = (uint16_t)(EBDA_START >> 4);
	uint16_t basemem = (uint16_t)BDA_BASEMEM_KIB;
	size_t size;
	int ret;

	if (nr_cpus == 0 || nr_cpus > MPTABLE_MAX_CPUS ||
	    !mptable_pci_irqs_valid(pci_irqs, nr_pci_irqs))
		return -EINVAL;
	memset(buf, 0, sizeof(buf));
	size = sizeof(*mpf) + mptable_put_config(buf + sizeof(*mpf), nr_cpus,
						 pci_irqs, nr_pci_irqs);

	memcpy(mpf->signature, "_MP_", 4);
	mpf->physptr = (uint32_t)(EBDA_START + sizeof(*mpf));
	mpf->length = sizeof(*mpf) / 16;
	mpf->spec_rev = MP_SPEC_REV;
	mpf->checksum = mptable_checksum(buf, sizeof(*mpf));

	ret = guest_mem_write(gm, EBDA_START, buf, size);
	if (!ret)
		ret = guest_mem_write(gm, BOOT_EBDA_PTR_ADDR, &ebda_seg,
				      sizeof(ebda_seg));
	if (!ret)
		ret = guest_mem_write(gm, MPTABLE_BDA_BASEMEM_ADDR, &basemem,
				      sizeof(basemem));
	return ret;
}
