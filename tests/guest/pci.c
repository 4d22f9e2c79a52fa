// SPDX-License-Identifier: MIT
/*
 * PCI configuration mechanism #1 from CPL3: bus 0 enumeration, BAR
 * decoding and sizing, command register bits and the capability list.
 * The guest never assigns BARs: SeaBIOS does under QEMU, flexvm itself
 * (it has no firmware). BSP only: the 0xCF8 latch is not locked.
 */
#include "guest.h"
#include "io.h"
#include "pci.h"

#define PCI_CONF_ADDR 0xcf8
#define PCI_CONF_DATA 0xcfc
#define PCI_CONF_ENABLE 0x80000000u
#define PCI_CAP_TTL 48 /* at most 48 capabilities fit in 192 bytes */

static struct pci_dev devs[PCI_MAX_DEVS];
static unsigned int nr_devs;
static bool scanned;

static uint32_t conf_addr(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
	return PCI_CONF_ENABLE | (uint32_t)bus << 16 | (uint32_t)dev << 11 |
	       (uint32_t)fn << 8 | (off & 0xfc);
}

static uint32_t raw_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
	outl(PCI_CONF_ADDR, conf_addr(bus, dev, fn, off));
	return inl(PCI_CONF_DATA);
}

uint8_t pci_read8(const struct pci_dev *d, uint8_t off)
{
	outl(PCI_CONF_ADDR, conf_addr(d->bus, d->dev, d->fn, off));
	return inb(PCI_CONF_DATA + (off & 3));
}

uint16_t pci_read16(const struct pci_dev *d, uint8_t off)
{
	outl(PCI_CONF_ADDR, conf_addr(d->bus, d->dev, d->fn, off));
	return inw(PCI_CONF_DATA + (off & 2));
}

uint32_t pci_read32(const struct pci_dev *d, uint8_t off)
{
	return raw_read32(d->bus, d->dev, d->fn, off);
}

void pci_write8(const struct pci_dev *d, uint8_t off, uint8_t val)
{
	outl(PCI_CONF_ADDR, conf_addr(d->bus, d->dev, d->fn, off));
	outb(PCI_CONF_DATA + (off & 3), val);
}

void pci_write16(const struct pci_dev *d, uint8_t off, uint16_t val)
{
	outl(PCI_CONF_ADDR, conf_addr(d->bus, d->dev, d->fn, off));
	outw(PCI_CONF_DATA + (off & 2), val);
}

void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t val)
{
	outl(PCI_CONF_ADDR, conf_addr(d->bus, d->dev, d->fn, off));
	outl(PCI_CONF_DATA, val);
}

/* Linux's pci_check_type1(): the address register must read back. */
bool pci_conf1_present(void)
{
	uint32_t saved = inl(PCI_CONF_ADDR);
	bool ok;

	outb(PCI_CONF_ADDR + 3, 0x01);
	outl(PCI_CONF_ADDR, PCI_CONF_ENABLE);
	ok = inl(PCI_CONF_ADDR) == PCI_CONF_ENABLE;
	outl(PCI_CONF_ADDR, saved);
	return ok;
}

/* Type, prefetch bit and address of BAR @i; returns the next BAR index. */
static unsigned int decode_bar(struct pci_dev *d, unsigned int i)
{
	uint8_t reg = PCI_BASE_ADDRESS_0 + 4 * i;
	uint32_t lo = pci_read32(d, reg);
	struct pci_bar *b = &d->bar[i];

	*b = (struct pci_bar){ .type = PCI_BAR_NONE };
	if (lo & PCI_BASE_ADDRESS_SPACE_IO) {
		b->type = PCI_BAR_IO;
		b->addr = lo & PCI_BASE_ADDRESS_IO_MASK;
		return i + 1;
	}
	b->prefetch = lo & PCI_BASE_ADDRESS_MEM_PREFETCH;
	b->addr = lo & PCI_BASE_ADDRESS_MEM_MASK;
	if ((lo & PCI_BASE_ADDRESS_MEM_TYPE_MASK) !=
	    PCI_BASE_ADDRESS_MEM_TYPE_64) {
		b->type = PCI_BAR_MEM32;
		return i + 1;
	}
	b->type = PCI_BAR_MEM64;
	if (i + 1 < PCI_NR_BARS)
		b->addr |= (uint64_t)pci_read32(d, reg + 4) << 32;
	return i + 2;
}

static void read_header(struct pci_dev *d)
{
	uint32_t id = pci_read32(d, PCI_VENDOR_ID);
	uint32_t cls = pci_read32(d, PCI_CLASS_REVISION);

	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	d->revision = (uint8_t)cls;
	d->prog_if = (uint8_t)(cls >> 8);
	d->subclass = (uint8_t)(cls >> 16);
	d->class_code = (uint8_t)(cls >> 24);
	d->header_type = pci_read8(d, PCI_HEADER_TYPE);
	if ((d->header_type & PCI_HEADER_TYPE_MASK) != PCI_HEADER_TYPE_NORMAL)
		return; /* bridges: no BARs 2-5, no subsystem ids here */
	d->subsys_vendor = pci_read16(d, PCI_SUBSYSTEM_VENDOR_ID);
	d->subsys_id = pci_read16(d, PCI_SUBSYSTEM_ID);
	d->irq_pin = pci_read8(d, PCI_INTERRUPT_PIN);
	d->irq_line = pci_read8(d, PCI_INTERRUPT_LINE);
	for (unsigned int i = 0; i < PCI_NR_BARS;)
		i = decode_bar(d, i);
}

static void add_function(uint8_t dev, uint8_t fn)
{
	struct pci_dev *d;

	if (nr_devs >= PCI_MAX_DEVS)
		return;
	d = &devs[nr_devs++];
	*d = (struct pci_dev){ .bus = 0, .dev = dev, .fn = fn };
	read_header(d);
}

unsigned int pci_scan(void)
{
	if (scanned)
		return nr_devs;
	scanned = true;
	for (uint8_t dev = 0; dev < 32; dev++) {
		uint8_t nfn = 1;

		if ((uint16_t)raw_read32(0, dev, 0, PCI_VENDOR_ID) == 0xffff)
			continue;
		add_function(dev, 0);
		if (devs[nr_devs - 1].header_type & 0x80)
			nfn = 8; /* multi-function device */
		for (uint8_t fn = 1; fn < nfn; fn++) {
			if ((uint16_t)raw_read32(0, dev, fn, PCI_VENDOR_ID) !=
			    0xffff)
				add_function(dev, fn);
		}
	}
	return nr_devs;
}

struct pci_dev *pci_dev_at(unsigned int idx)
{
	return idx < pci_scan() ? &devs[idx] : NULL;
}

struct pci_dev *pci_find(uint16_t vendor, uint16_t device, unsigned int idx)
{
	for (unsigned int i = 0; i < pci_scan(); i++) {
		if (devs[i].vendor == vendor && devs[i].device == device &&
		    idx-- == 0)
			return &devs[i];
	}
	return NULL;
}

/* Writes all ones to a BAR register; returns what sticks, then restores. */
static uint32_t probe_reg(const struct pci_dev *d, uint8_t reg)
{
	uint32_t orig = pci_read32(d, reg), mask;

	pci_write32(d, reg, 0xffffffff);
	mask = pci_read32(d, reg);
	pci_write32(d, reg, orig);
	return mask;
}

/*
 * The size is the lowest writable address bit; a BAR where no address
 * bit sticks is not implemented (size 0).
 */
static uint64_t size_of_bar(const struct pci_dev *d, unsigned int i)
{
	uint8_t reg = PCI_BASE_ADDRESS_0 + 4 * i;
	uint64_t mask;

	switch (d->bar[i].type) {
	case PCI_BAR_IO:
		mask = probe_reg(d, reg) & PCI_BASE_ADDRESS_IO_MASK & 0xffff;
		break;
	case PCI_BAR_MEM32:
		mask = probe_reg(d, reg) & PCI_BASE_ADDRESS_MEM_MASK;
		break;
	case PCI_BAR_MEM64:
		mask = probe_reg(d, reg) & PCI_BASE_ADDRESS_MEM_MASK;
		mask |= (uint64_t)probe_reg(d, reg + 4) << 32;
		break;
	default:
		return 0;
	}
	return mask & -mask;
}

/*
 * Decoding is off while a BAR holds all ones, or the device would claim
 * whatever address that is (Linux does the same in __pci_read_base).
 */
int pci_size_bars(struct pci_dev *d)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	int ret = 0;

	pci_write16(d, PCI_COMMAND,
		    cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (unsigned int i = 0; i < PCI_NR_BARS; i++) {
		if (d->bar[i].type == PCI_BAR_MEM64 && i == PCI_NR_BARS - 1) {
			ret = -1;
			continue;
		}
		d->bar[i].size = size_of_bar(d, i);
	}
	pci_write16(d, PCI_COMMAND, cmd);
	d->bars_sized = true;
	return ret;
}

void pci_enable(const struct pci_dev *d, uint16_t bits)
{
	pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) | bits);
}

void pci_disable(const struct pci_dev *d, uint16_t bits)
{
	pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) & ~bits);
}

uint8_t pci_cap_first(const struct pci_dev *d)
{
	uint8_t pos;

	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = pci_read8(d, PCI_CAPABILITY_LIST) & 0xfc;
	return pos >= PCI_STD_HEADER_SIZEOF ? pos : 0;
}

uint8_t pci_cap_next(const struct pci_dev *d, uint8_t pos)
{
	uint8_t next = pci_read8(d, pos + PCI_CAP_LIST_NEXT) & 0xfc;

	/* The header ends at 0x40: a pointer into it is garbage. */
	return next >= PCI_STD_HEADER_SIZEOF ? next : 0;
}

uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t pos)
{
	pos = pos ? pci_cap_next(d, pos) : pci_cap_first(d);
	for (int ttl = PCI_CAP_TTL; pos && ttl > 0; ttl--) {
		if (pci_read8(d, pos + PCI_CAP_LIST_ID) == id)
			return pos;
		pos = pci_cap_next(d, pos);
	}
	return 0;
}

const char *pci_bar_type_name(enum pci_bar_type type)
{
	switch (type) {
	case PCI_BAR_IO:
		return "io";
	case PCI_BAR_MEM32:
		return "mem32";
	case PCI_BAR_MEM64:
		return "mem64";
	default:
		return "none";
	}
}
