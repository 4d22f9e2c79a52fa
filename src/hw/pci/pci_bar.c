// SPDX-License-Identifier: MIT
/*
 * PCI BARs: registration (the sizing protocol), decode (mapping a BAR on
 * the PIO/MMIO bus when its register and the command register say so,
 * refusing placements over RAM, device memory or the APIC area), and
 * firmware-style placement at machine build. Runs with dm_lock held:
 * machine build on the main thread, BAR and config accesses from vCPU
 * threads.
 */
#include "hw/pci/pci_bar.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/pci/msix.h"
#include "util/log.h"

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

void pci_bar_unmap(struct pci_device *dev, struct pci_bar *b, bool notify)
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

void pci_bar_update_all(struct pci_device *dev)
{
	for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++)
		pci_bar_update(dev, i);
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

	/* Function 0 only: see pci_bus_destroy(). */
	for (unsigned slot = 0; slot < PCI_NR_SLOTS; slot++) {
		struct pci_device *dev = bus->devices[PCI_DEVFN(slot, 0)];

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

	for (unsigned slot = 0; slot < PCI_NR_SLOTS; slot++) {
		struct pci_device *dev = bus->devices[PCI_DEVFN(slot, 0)];

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
	for (unsigned slot = 0; !ret && slot < PCI_NR_SLOTS; slot++) {
		struct pci_device *dev = bus->devices[PCI_DEVFN(slot, 0)];

		if (dev)
			ret = pci_enable_device(dev, err);
	}
	return ret;
}
