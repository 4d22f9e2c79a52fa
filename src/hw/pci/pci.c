// SPDX-License-Identifier: MIT
/*
 * PCI devices and bus 0: config space through write masks, BAR decode
 * (mapping BARs on the PIO/MMIO buses, refusing placements over RAM or
 * device memory), capabilities, INTx, and the host bridge. Runs with
 * dm_lock held: machine build on the main thread, config and BAR accesses
 * from vCPU threads; firmware-style BAR placement at machine build and
 * reset; the query-pci data and "info pci" text for the monitor.
 */
#include "hw/pci/pci.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/irq.h"
#include "hw/pci/msix.h"
#include "util/log.h"

/* Command bits the guest may change (PCI 3.0 §6.2.2). */
#define PCI_COMMAND_WMASK                                                  \
	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |        \
	 PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE)
/* Status error bits are write-1-to-clear. */
#define PCI_STATUS_W1C                                                     \
	(PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT |                 \
	 PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT |       \
	 PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY)
#define PCI_CAP_FIRST		0x40
#define PCI_DEFAULT_SUBVENDOR	0x1af4	/* QEMU's subsystem IDs */
#define PCI_DEFAULT_SUBSYSTEM	0x1100

static void pci_set_wmask_word(struct pci_device *dev, unsigned off,
			       uint16_t mask)
{
	dev->wmask[off] = (uint8_t)mask;
	dev->wmask[off + 1] = (uint8_t)(mask >> 8);
}

void pci_device_init(struct pci_device *dev, const char *name,
		     uint16_t vendor, uint16_t device, uint32_t class_code,
		     uint8_t revision)
{
	memset(dev, 0, sizeof(*dev));
	dev->name = name;
	pci_set_word(dev, PCI_VENDOR_ID, vendor);
	pci_set_word(dev, PCI_DEVICE_ID, device);
	pci_set_byte(dev, PCI_REVISION_ID, revision);
	pci_set_byte(dev, PCI_CLASS_PROG, (uint8_t)class_code);
	pci_set_word(dev, PCI_CLASS_DEVICE, (uint16_t)(class_code >> 8));
	pci_set_byte(dev, PCI_HEADER_TYPE, PCI_HEADER_TYPE_NORMAL);
	pci_set_word(dev, PCI_SUBSYSTEM_VENDOR_ID, PCI_DEFAULT_SUBVENDOR);
	pci_set_word(dev, PCI_SUBSYSTEM_ID, PCI_DEFAULT_SUBSYSTEM);
	pci_set_wmask_word(dev, PCI_COMMAND, PCI_COMMAND_WMASK);
	dev->w1cmask[PCI_STATUS] = (uint8_t)PCI_STATUS_W1C;
	dev->w1cmask[PCI_STATUS + 1] = (uint8_t)(PCI_STATUS_W1C >> 8);
	dev->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	dev->wmask[PCI_INTERRUPT_LINE] = 0xff;
	dev->cap_end = PCI_CAP_FIRST;
	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
		dev->bars[i].dev = dev;
		dev->bars[i].index = i;
	}
}

/* ---- BAR decode ---- */

static uint64_t pci_bar_trampoline_read(void *opaque, uint64_t off,
					unsigned size)
{
	struct pci_bar *bar = opaque;
	struct msix *msix = bar->dev->msix;
	uint64_t val;

	if (msix && msix->bar == bar->index &&
	    msix_bar_access(msix, off, size, &val, false))
		return val;
	if (!bar->ops || !bar->ops->read)
		return ~0ULL;
	return bar->ops->read(bar->opaque, off, size);
}

static void pci_bar_trampoline_write(void *opaque, uint64_t off,
				     uint64_t val, unsigned size)
{
	struct pci_bar *bar = opaque;
	struct msix *msix = bar->dev->msix;

	if (msix && msix->bar == bar->index &&
	    msix_bar_access(msix, off, size, &val, true))
		return;
	if (bar->ops && bar->ops->write)
		bar->ops->write(bar->opaque, off, val, size);
}

static const struct io_ops pci_bar_trampoline_ops = {
	.read = pci_bar_trampoline_read,
	.write = pci_bar_trampoline_write,
};

static bool pci_bar_args_ok(unsigned bar, uint64_t size, uint32_t flags)
{
	bool io = flags & PCI_BAR_IO, is64 = flags & PCI_BAR_MEM64;

	if (bar >= PCI_STD_NUM_BARS || (is64 && bar + 1 >= PCI_STD_NUM_BARS) ||
	    !IS_POWER_OF_2(size))
		return false;
	if (io)
		return flags == PCI_BAR_IO && size >= 4 && size <= 256;
	if (flags & ~(PCI_BAR_MEM64 | PCI_BAR_PREFETCH))
		return false;
	/* A 32-bit BAR must fit the 32-bit window many times over. */
	return size >= 16 && (is64 || size <= 1 * GiB);
}

/* Bytes @reg..@reg+3 of the write mask from the low 32 bits of @mask. */
static void pci_set_wmask_long(struct pci_device *dev, unsigned reg,
			       uint64_t mask)
{
	for (unsigned i = 0; i < 4; i++)
		dev->wmask[reg + i] = (uint8_t)(mask >> (8 * i));
}

int pci_register_bar(struct pci_device *dev, unsigned bar, uint64_t size,
		     uint32_t flags, const struct io_ops *ops, void *opaque)
{
	unsigned reg = PCI_BASE_ADDRESS_0 + 4 * bar;
	struct pci_bar *b;

	if (!pci_bar_args_ok(bar, size, flags))
		return -EINVAL;
	b = &dev->bars[bar];
	if (b->size || (bar > 0 && (dev->bars[bar - 1].flags & PCI_BAR_MEM64) &&
			dev->bars[bar - 1].size) ||
	    ((flags & PCI_BAR_MEM64) && dev->bars[bar + 1].size))
		return -EBUSY;
	b->size = size;
	b->flags = flags;
	b->ops = ops;
	b->opaque = opaque;
	snprintf(b->name, sizeof(b->name), "%s BAR%u", dev->name, bar);
	/*
	 * The sizing protocol: address bits below the size are read-only
	 * zero, so writing all ones reads back the size mask and the type.
	 */
	pci_set_long(dev, reg, flags);
	pci_set_wmask_long(dev, reg, ~(size - 1) &
				     (flags & PCI_BAR_IO ? ~3ULL : ~0xfULL));
	if (flags & PCI_BAR_MEM64)
		pci_set_wmask_long(dev, reg + 4, ~(size - 1) >> 32);
	return 0;
}

/* The address the BAR register holds now (0 if not implemented). */
static uint64_t pci_bar_address(const struct pci_device *dev, unsigned bar)
{
	const struct pci_bar *b = &dev->bars[bar];
	unsigned reg = PCI_BASE_ADDRESS_0 + 4 * bar;
	uint64_t addr = pci_get_long(dev, reg);

	if (!b->size)
		return 0;
	if (b->flags & PCI_BAR_IO)
		return addr & PCI_BASE_ADDRESS_IO_MASK;
	addr &= PCI_BASE_ADDRESS_MEM_MASK;
	if (b->flags & PCI_BAR_MEM64)
		addr |= (uint64_t)pci_get_long(dev, reg + 4) << 32;
	return addr;
}

static bool pci_overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

/*
 * May a memory BAR decode at [gpa, gpa + size)? Never over RAM, device
 * memory (its memslots come and go), the IOAPIC/LAPIC/flash area below
 * 4 GiB, or past the guest's physical address width.
 */
static bool pci_mem_range_allowed(const struct memmap *mm, uint64_t gpa,
				  uint64_t size)
{
	uint64_t limit = mm->phys_bits < 64 ? 1ULL << mm->phys_bits : ~0ULL;

	if (gpa + size < gpa || gpa + size > limit)
		return false;
	return !pci_overlaps(gpa, size, 0, mm->low_ram_size) &&
	       !pci_overlaps(gpa, size, MEMMAP_HIGH_RAM_START,
			     mm->high_ram_size) &&
	       !pci_overlaps(gpa, size, mm->device_mem_base,
			     mm->device_mem_size) &&
	       !pci_overlaps(gpa, size, MEMMAP_IOAPIC_ADDR,
			     MEMMAP_HIGH_RAM_START - MEMMAP_IOAPIC_ADDR);
}

static void pci_bar_unmap(struct pci_device *dev, struct pci_bar *b,
			  bool notify)
{
	struct bus *bus = b->flags & PCI_BAR_IO ? dev->bus->pio
						: dev->bus->mmio;

	if (!b->mapped)
		return;
	(void)bus_remove(bus, b->mapped_gpa);
	b->mapped = false;
	if (notify && dev->ops && dev->ops->bar_map)
		dev->ops->bar_map(dev, b->index, b->mapped_gpa, false);
}

static void pci_bar_map(struct pci_device *dev, struct pci_bar *b,
			uint64_t gpa)
{
	bool io = b->flags & PCI_BAR_IO;
	struct bus *bus = io ? dev->bus->pio : dev->bus->mmio;
	int ret = -EFAULT;

	if (io ? gpa + b->size <= 0x10000
	       : pci_mem_range_allowed(dev->bus->mm, gpa, b->size))
		ret = bus_add(bus, gpa, b->size, &pci_bar_trampoline_ops, b,
			      b->name);
	if (ret) {
		log_ratelimited(&dev->bus->rl,
				"%s: BAR%u at 0x%llx (%llu bytes) %s, "
				"left unmapped",
				dev->name, b->index, (unsigned long long)gpa,
				(unsigned long long)b->size,
				ret == -EBUSY
					? "overlaps another device"
					: "overlaps RAM, device memory or the "
					  "APIC area, or is out of reach");
		return;
	}
	b->mapped = true;
	b->mapped_gpa = gpa;
	if (dev->ops && dev->ops->bar_map)
		dev->ops->bar_map(dev, b->index, gpa, true);
}

/*
 * Brings BAR @bar's mapping in line with its register and the command
 * register's decode bits. Address 0 and the all-ones sizing pattern mean
 * "not placed", as firmware and Linux use them.
 */
static void pci_bar_update(struct pci_device *dev, unsigned bar)
{
	struct pci_bar *b = &dev->bars[bar];
	uint16_t cmd = pci_get_word(dev, PCI_COMMAND);
	bool io = b->flags & PCI_BAR_IO;
	bool decode = cmd & (io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY);
	uint64_t gpa = pci_bar_address(dev, bar);
	bool want = b->size && decode && gpa && gpa != (~(b->size - 1) &
				(io ? 0xffffffffULL
				    : (b->flags & PCI_BAR_MEM64
					       ? ~0ULL : 0xffffffffULL)));

	if (!dev->bus || (b->mapped == want && (!want || b->mapped_gpa == gpa)))
		return;
	pci_bar_unmap(dev, b, true);
	if (want)
		pci_bar_map(dev, b, gpa);
}

static void pci_update_bars(struct pci_device *dev)
{
	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++)
		pci_bar_update(dev, i);
}

/* ---- INTx ---- */

unsigned pci_intx_gsi(unsigned slot)
{
	return IRQ_PCI_INTX_FIRST_PIN + slot % IRQ_PCI_INTX_NR_PINS;
}

/* Counts the device on its pin when it requests INTx and may drive it. */
static void pci_intx_update(struct pci_device *dev)
{
	struct pci_bus *bus = dev->bus;
	unsigned pin = PCI_DEVFN_SLOT(dev->devfn) % IRQ_PCI_INTX_NR_PINS;
	bool want = dev->intx_level && pci_get_byte(dev, PCI_INTERRUPT_PIN) &&
		    !(pci_get_word(dev, PCI_COMMAND) &
		      PCI_COMMAND_INTX_DISABLE) &&
		    !msix_enabled(dev);

	if (!bus || want == dev->intx_asserted)
		return;
	dev->intx_asserted = want;
	if (want && bus->intx_count[pin]++ == 0)
		(void)irq_line_set(bus->irq, pci_intx_gsi(pin), true);
	else if (!want && --bus->intx_count[pin] == 0)
		(void)irq_line_set(bus->irq, pci_intx_gsi(pin), false);
}

void pci_set_irq(struct pci_device *dev, bool level)
{
	uint16_t status = pci_get_word(dev, PCI_STATUS);

	dev->intx_level = level;
	if (level)
		status |= PCI_STATUS_INTERRUPT;
	else
		status &= (uint16_t)~PCI_STATUS_INTERRUPT;
	pci_set_word(dev, PCI_STATUS, status);
	pci_intx_update(dev);
}

/* ---- capabilities ---- */

int pci_add_capability(struct pci_device *dev, uint8_t id, uint8_t size)
{
	unsigned off = dev->cap_end, prev;

	if (size < 2 || off + size > PCI_CONFIG_SIZE)
		return -ENOSPC;
	memset(&dev->config[off], 0, size);
	memset(&dev->wmask[off], 0, size);
	memset(&dev->w1cmask[off], 0, size);
	dev->config[off + PCI_CAP_LIST_ID] = id;
	/* Append: walk to the last capability's next pointer. */
	prev = PCI_CAPABILITY_LIST;
	while (dev->config[prev])
		prev = dev->config[prev] + PCI_CAP_LIST_NEXT;
	dev->config[prev] = (uint8_t)off;
	pci_set_word(dev, PCI_STATUS,
		     pci_get_word(dev, PCI_STATUS) | PCI_STATUS_CAP_LIST);
	dev->cap_end = ALIGN_UP(off + size, 4u);
	return (int)off;
}

unsigned pci_find_capability(const struct pci_device *dev, uint8_t id)
{
	unsigned off = dev->config[PCI_CAPABILITY_LIST];
	unsigned hops = 0;

	/* Bounded: the list is ours, but stay safe against corruption. */
	while (off >= PCI_CAP_FIRST && hops++ < 48) {
		if (dev->config[off + PCI_CAP_LIST_ID] == id)
			return off;
		off = dev->config[off + PCI_CAP_LIST_NEXT];
	}
	return 0;
}

/* ---- config space accesses ---- */

static bool pci_config_access_ok(unsigned offset, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && offset % size == 0 &&
	       offset + size <= PCI_CONFIG_SIZE;
}

uint32_t pci_config_read(struct pci_device *dev, unsigned offset,
			 unsigned size)
{
	uint32_t val = 0;

	if (!pci_config_access_ok(offset, size))
		return 0xffffffffu;
	for (unsigned i = 0; i < size; i++)
		val |= (uint32_t)dev->config[offset + i] << (8 * i);
	if (dev->ops && dev->ops->config_read)
		val = dev->ops->config_read(dev, offset, size, val);
	return val;
}

static bool pci_range_hits(unsigned off, unsigned size, unsigned reg,
			   unsigned len)
{
	return off < reg + len && reg < off + size;
}

void pci_config_write(struct pci_device *dev, unsigned offset,
		      uint32_t value, unsigned size)
{
	struct msix *msix = dev->msix;

	if (!pci_config_access_ok(offset, size))
		return;
	for (unsigned i = 0; i < size; i++) {
		unsigned o = offset + i;
		uint8_t b = (uint8_t)(value >> (8 * i));

		dev->config[o] = (uint8_t)((dev->config[o] & ~dev->wmask[o]) |
					   (b & dev->wmask[o]));
		dev->config[o] &= (uint8_t)~(b & dev->w1cmask[o]);
	}
	if (msix && pci_range_hits(offset, size, msix->cap + PCI_MSIX_FLAGS, 2))
		msix_config_write(msix, offset, size);
	if (pci_range_hits(offset, size, PCI_COMMAND, 2) ||
	    pci_range_hits(offset, size, PCI_BASE_ADDRESS_0, 24))
		pci_update_bars(dev);
	if (dev->ops && dev->ops->config_write)
		dev->ops->config_write(dev, offset, value, size);
	pci_intx_update(dev);
}

/* ---- the bus ---- */

int pci_bus_init(struct pci_bus *bus, struct bus *pio, struct bus *mmio,
		 struct irq *irq, const struct memmap *mm)
{
	struct pci_device *hb = &bus->host_bridge;

	memset(bus, 0, sizeof(*bus));
	bus->pio = pio;
	bus->mmio = mmio;
	bus->irq = irq;
	bus->mm = mm;
	bus->rl = (struct ratelimit){ .burst = 10, .interval_ms = 1000 };
	/*
	 * i440FX's IDs, as QEMU's pc machine: Linux's pci_sanity_check()
	 * wants a host bridge class or an Intel device on bus 0.
	 */
	pci_device_init(hb, "i440FX", PCI_HOST_BRIDGE_VENDOR,
			PCI_HOST_BRIDGE_DEVICE, PCI_HOST_BRIDGE_CLASS, 0x02);
	return pci_bus_add_device(bus, hb, PCI_DEVFN(0, 0), NULL);
}

void pci_bus_destroy(struct pci_bus *bus)
{
	for (unsigned devfn = 0; devfn < ARRAY_SIZE(bus->devices); devfn++) {
		struct pci_device *dev = bus->devices[devfn];

		if (!dev)
			continue;
		for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++)
			pci_bar_unmap(dev, &dev->bars[i], false);
		msix_destroy(dev->msix);
		dev->msix = NULL;
		bus->devices[devfn] = NULL;
	}
}

static int pci_bus_pick_devfn(struct pci_bus *bus, struct pci_device *dev,
			      int devfn, struct error *err)
{
	const struct pci_device *old;

	if (devfn == PCI_DEVFN_AUTO) {
		for (unsigned slot = 1; slot < PCI_NR_SLOTS; slot++)
			if (!bus->devices[PCI_DEVFN(slot, 0)])
				return PCI_DEVFN(slot, 0);
		error_setg(err, "PCI: no slot/function available for %s, "
			   "all in use or reserved", dev->name);
		return -ENOSPC;
	}
	if (devfn < 0 || devfn > 0xff || PCI_DEVFN_FUNC(devfn)) {
		error_setg(err, "PCI: function %d of slot %d is not supported "
			   "for %s (single-function slots only)",
			   devfn & 7, (devfn >> 3) & 0x1f, dev->name);
		return -EINVAL;
	}
	old = bus->devices[devfn];
	if (old) {
		error_setg(err, "PCI: slot %d function %d not available for "
			   "%s, in use by %s,id=%s", PCI_DEVFN_SLOT(devfn),
			   PCI_DEVFN_FUNC(devfn), dev->name, old->name,
			   old->qdev_id ? old->qdev_id : "(null)");
		return -EBUSY;
	}
	return devfn;
}

int pci_bus_add_device(struct pci_bus *bus, struct pci_device *dev,
		       int devfn, struct error *err)
{
	int ret = pci_bus_pick_devfn(bus, dev, devfn, err);

	if (ret < 0)
		return ret;
	dev->devfn = (uint8_t)ret;
	dev->bus = bus;
	bus->devices[ret] = dev;
	return 0;
}

struct pci_device *pci_bus_find(const struct pci_bus *bus, uint8_t devfn)
{
	return bus->devices[devfn];
}

static void pci_device_reset(struct pci_device *dev)
{
	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++)
		pci_bar_unmap(dev, &dev->bars[i], true);
	dev->intx_level = false;
	pci_intx_update(dev);
	if (dev->power_on_saved)
		memcpy(dev->config, dev->power_on, sizeof(dev->config));
	if (dev->msix)
		msix_reset(dev->msix);
	if (dev->ops && dev->ops->reset)
		dev->ops->reset(dev);
	pci_intx_update(dev);
}

void pci_bus_reset(struct pci_bus *bus)
{
	for (unsigned devfn = 0; devfn < ARRAY_SIZE(bus->devices); devfn++)
		if (bus->devices[devfn])
			pci_device_reset(bus->devices[devfn]);
}

/* ---- firmware: BAR placement ---- */

#define PCI_IO_WINDOW_START	0xc000u	/* as SeaBIOS */
#define PCI_IO_WINDOW_END	0x10000u

struct pci_bar_req {
	struct pci_device *dev;
	unsigned bar;
	uint64_t size;
};

/* Largest first, then by devfn and BAR: natural alignment packs tight. */
static int pci_bar_req_cmp(const void *a, const void *b)
{
	const struct pci_bar_req *x = a, *y = b;

	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	if (x->dev->devfn != y->dev->devfn)
		return x->dev->devfn < y->dev->devfn ? -1 : 1;
	return x->bar < y->bar ? -1 : (x->bar > y->bar);
}

/* Collects the BARs of one kind: 0 I/O, 1 32-bit memory, 2 64-bit. */
static unsigned pci_collect_bars(struct pci_bus *bus, unsigned kind,
				 struct pci_bar_req *out)
{
	unsigned n = 0;

	for (unsigned devfn = 0; devfn < ARRAY_SIZE(bus->devices); devfn++) {
		struct pci_device *dev = bus->devices[devfn];

		for (unsigned i = 0; dev && i < PCI_STD_NUM_BARS; i++) {
			uint32_t fl = dev->bars[i].flags;
			unsigned k = fl & PCI_BAR_IO	  ? 0
				     : fl & PCI_BAR_MEM64 ? 2
							  : 1;

			if (dev->bars[i].size && k == kind)
				out[n++] = (struct pci_bar_req){
					dev, i, dev->bars[i].size };
		}
	}
	qsort(out, n, sizeof(*out), pci_bar_req_cmp);
	return n;
}

static int pci_place_bars(struct pci_bus *bus, unsigned kind, uint64_t start,
			  uint64_t end, struct error *err)
{
	static const char *const kinds[] = { "I/O", "32-bit memory",
					     "64-bit memory" };
	struct pci_bar_req reqs[PCI_NR_SLOTS * PCI_STD_NUM_BARS];
	unsigned n = pci_collect_bars(bus, kind, reqs);
	uint64_t next = start;

	for (unsigned i = 0; i < n; i++) {
		struct pci_device *dev = reqs[i].dev;
		unsigned reg = PCI_BASE_ADDRESS_0 + 4 * reqs[i].bar;
		uint64_t gpa = ALIGN_UP(next, reqs[i].size);

		if (gpa < next || gpa + reqs[i].size > end) {
			error_setg(err, "PCI: no room for BAR%u of %s (%llu "
				   "bytes) in the %s window", reqs[i].bar,
				   dev->name,
				   (unsigned long long)reqs[i].size,
				   kinds[kind]);
			return -ENOSPC;
		}
		next = gpa + reqs[i].size;
		pci_config_write(dev, reg, (uint32_t)gpa, 4);
		if (kind == 2)
			pci_config_write(dev, reg + 4, (uint32_t)(gpa >> 32),
					 4);
	}
	return 0;
}

/* Turns decode on and checks that every BAR really got mapped. */
static int pci_enable_device(struct pci_device *dev, struct error *err)
{
	uint16_t cmd = pci_get_word(dev, PCI_COMMAND);

	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++)
		if (dev->bars[i].size)
			cmd |= dev->bars[i].flags & PCI_BAR_IO
				       ? PCI_COMMAND_IO
				       : PCI_COMMAND_MEMORY;
	if (pci_get_byte(dev, PCI_INTERRUPT_PIN))
		pci_config_write(dev, PCI_INTERRUPT_LINE,
				 pci_intx_gsi(PCI_DEVFN_SLOT(dev->devfn)), 1);
	pci_config_write(dev, PCI_COMMAND, cmd, 2);
	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
		if (dev->bars[i].size && !dev->bars[i].mapped) {
			error_setg(err, "PCI: cannot map BAR%u of %s", i,
				   dev->name);
			return -EBUSY;
		}
	}
	return 0;
}

int pci_bus_assign_bars(struct pci_bus *bus, struct error *err)
{
	const struct memmap *mm = bus->mm;
	int ret;

	for (unsigned devfn = 0; devfn < ARRAY_SIZE(bus->devices); devfn++) {
		struct pci_device *dev = bus->devices[devfn];

		if (dev && !dev->power_on_saved) {
			memcpy(dev->power_on, dev->config, sizeof(dev->config));
			dev->power_on_saved = true;
		}
	}
	ret = pci_place_bars(bus, 0, PCI_IO_WINDOW_START, PCI_IO_WINDOW_END,
			     err);
	if (!ret)
		ret = pci_place_bars(bus, 1, MEMMAP_PCI_MMIO32_START,
				     MEMMAP_PCI_MMIO32_END, err);
	if (!ret)
		ret = pci_place_bars(bus, 2, mm->pci_mmio64_base,
				     mm->pci_mmio64_base + mm->pci_mmio64_size,
				     err);
	for (unsigned devfn = 0; !ret && devfn < ARRAY_SIZE(bus->devices);
	     devfn++)
		if (bus->devices[devfn])
			ret = pci_enable_device(bus->devices[devfn], err);
	return ret;
}

/* ---- query-pci and info pci ---- */

/* QEMU's names for the classes flexvm can show (hw/pci/pci.c). */
static const struct {
	uint16_t class_code;
	const char *desc;
} pci_class_names[] = {
	{ 0x0100, "SCSI controller" },	  { 0x0101, "IDE controller" },
	{ 0x0106, "SATA controller" },	  { 0x0180, "Storage controller" },
	{ 0x0200, "Ethernet controller" }, { 0x0280, "Network controller" },
	{ 0x0300, "VGA controller" },	  { 0x0380, "Display controller" },
	{ 0x0401, "Audio controller" },	  { 0x0500, "RAM controller" },
	{ 0x0580, "Memory controller" },  { 0x0600, "Host bridge" },
	{ 0x0601, "ISA bridge" },	  { 0x0604, "PCI bridge" },
	{ 0x0680, "Bridge" },		  { 0x0700, "Serial port" },
	{ 0x0800, "Interrupt controller" }, { 0x0c03, "USB controller" },
};

static const char *pci_class_desc(uint16_t class_code)
{
	for (unsigned i = 0; i < ARRAY_SIZE(pci_class_names); i++)
		if (pci_class_names[i].class_code == class_code)
			return pci_class_names[i].desc;
	return NULL;
}

static void pci_query_one(const struct pci_device *dev,
			  struct pci_query_device *q)
{
	memset(q, 0, sizeof(*q));
	q->slot = PCI_DEVFN_SLOT(dev->devfn);
	q->function = PCI_DEVFN_FUNC(dev->devfn);
	q->class_code = pci_get_word(dev, PCI_CLASS_DEVICE);
	q->class_desc = pci_class_desc(q->class_code);
	q->vendor = pci_get_word(dev, PCI_VENDOR_ID);
	q->device = pci_get_word(dev, PCI_DEVICE_ID);
	q->subsystem_vendor = pci_get_word(dev, PCI_SUBSYSTEM_VENDOR_ID);
	q->subsystem = pci_get_word(dev, PCI_SUBSYSTEM_ID);
	q->irq_pin = pci_get_byte(dev, PCI_INTERRUPT_PIN);
	q->has_irq = q->irq_pin != 0;
	q->irq = pci_get_byte(dev, PCI_INTERRUPT_LINE);
	q->qdev_id = dev->qdev_id ? dev->qdev_id : "";
	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++) {
		const struct pci_bar *b = &dev->bars[i];
		struct pci_query_region *r = &q->regions[q->nr_regions];

		if (!b->size)
			continue;
		r->bar = i;
		r->is_io = b->flags & PCI_BAR_IO;
		r->address = b->mapped ? b->mapped_gpa : UINT64_MAX;
		r->size = b->size;
		r->prefetch = b->flags & PCI_BAR_PREFETCH;
		r->mem_type_64 = b->flags & PCI_BAR_MEM64;
		q->nr_regions++;
	}
}

unsigned pci_query(const struct pci_bus *bus, struct pci_query_device *out,
		   unsigned max)
{
	unsigned n = 0;

	for (unsigned devfn = 0; devfn < ARRAY_SIZE(bus->devices); devfn++) {
		if (!bus->devices[devfn])
			continue;
		if (n < max)
			pci_query_one(bus->devices[devfn], &out[n]);
		n++;
	}
	return n;
}

static void pci_print_region(const struct pci_query_region *r, FILE *out)
{
	uint64_t last = r->address + r->size - 1;

	fprintf(out, "      BAR%u: ", r->bar);
	if (r->is_io)
		fprintf(out, "I/O at 0x%04llx [0x%04llx].\n",
			(unsigned long long)r->address,
			(unsigned long long)last);
	else
		fprintf(out, "%d bit%s memory at 0x%08llx [0x%08llx].\n",
			r->mem_type_64 ? 64 : 32,
			r->prefetch ? " prefetchable" : "",
			(unsigned long long)r->address,
			(unsigned long long)last);
}

void pci_print_info(const struct pci_bus *bus, FILE *out)
{
	struct pci_query_device q;

	for (unsigned devfn = 0; devfn < ARRAY_SIZE(bus->devices); devfn++) {
		if (!bus->devices[devfn])
			continue;
		pci_query_one(bus->devices[devfn], &q);
		fprintf(out, "  Bus %2u, device %3u, function %u:\n    ",
			q.bus, q.slot, q.function);
		if (q.class_desc)
			fputs(q.class_desc, out);
		else
			fprintf(out, "Class %04u", q.class_code);
		fprintf(out, ": PCI device %04x:%04x\n", q.vendor, q.device);
		fprintf(out, "      PCI subsystem %04x:%04x\n",
			q.subsystem_vendor, q.subsystem);
		if (q.has_irq)
			fprintf(out, "      IRQ %u, pin %c\n", q.irq,
				(char)('A' + q.irq_pin - 1));
		for (unsigned i = 0; i < q.nr_regions; i++)
			pci_print_region(&q.regions[i], out);
		fprintf(out, "      id \"%s\"\n", q.qdev_id);
	}
}
