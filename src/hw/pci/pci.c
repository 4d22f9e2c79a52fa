// SPDX-License-Identifier: MIT
/*
 * PCI devices and bus 0: config space through write masks,
 * capabilities, INTx, and the host bridge; BARs are in pci_bar.c. Runs
 * with dm_lock held: machine build on the main thread, config accesses
 * from vCPU threads, reset; the query-pci data and "info pci" text for
 * the monitor.
 */
#include "hw/pci/pci.h"
#include "hw/pci/pci_bar.h"

#include <errno.h>
#include <stdio.h>
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
		pci_bar_update_all(dev);
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

/*
 * Devices sit at function 0 only (pci_bus_pick_devfn()), so the bus walks
 * here and in pci_bar.c visit the 32 slots, not the 256 devfns: an eighth
 * of the steps on every reset and BAR placement, in devfn order all the
 * same.
 */
void pci_bus_destroy(struct pci_bus *bus)
{
	for (unsigned slot = 0; slot < PCI_NR_SLOTS; slot++) {
		struct pci_device *dev = bus->devices[PCI_DEVFN(slot, 0)];

		if (!dev)
			continue;
		for (unsigned i = 0; i < PCI_STD_NUM_BARS; i++)
			pci_bar_unmap(dev, &dev->bars[i], false);
		msix_destroy(dev->msix);
		dev->msix = NULL;
		bus->devices[PCI_DEVFN(slot, 0)] = NULL;
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
	struct pci_device *dev;

	/* Function 0 only: see pci_bus_destroy(). */
	for (unsigned slot = 0; slot < PCI_NR_SLOTS; slot++) {
		dev = bus->devices[PCI_DEVFN(slot, 0)];
		if (dev)
			pci_device_reset(dev);
	}
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

	for (unsigned slot = 0; slot < PCI_NR_SLOTS; slot++) {
		const struct pci_device *dev = bus->devices[PCI_DEVFN(slot, 0)];

		if (!dev)
			continue;
		if (n < max)
			pci_query_one(dev, &out[n]);
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

	for (unsigned slot = 0; slot < PCI_NR_SLOTS; slot++) {
		const struct pci_device *dev = bus->devices[PCI_DEVFN(slot, 0)];

		if (!dev)
			continue;
		pci_query_one(dev, &q);
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
