// SPDX-License-Identifier: MIT
/*
 * The pci scenario: lists bus 0 the way a test can compare with QMP
 * query-pci (ids, class, BARs with sizes, capabilities, the virtio
 * structures, and where INTx is routed), and checks what a VMM without
 * firmware must get right: conf1 read-back, a host bridge at 00:00.0,
 * BARs assigned, naturally aligned, apart from each other and from RAM.
 * With wait=1 it then waits for a console line, so a test can query the
 * VMM's monitor while the guest is alive. CPL3, BSP.
 */
#include "guest.h"
#include "irq.h"
#include "pvh.h"
#include "scenarios.h"
#include "virtio_pci.h"

#define E820_RAM 1
#define PCI_CLASS_HOST_BRIDGE 0x0600
#define MAX_BARS (PCI_MAX_DEVS * PCI_NR_BARS)

struct bar_ref {
	const struct pci_dev *d;
	unsigned int i;
};

static void print_dev(const struct pci_dev *d)
{
	printf("pci: %02x:%02x.%x %04x:%04x class %02x%02x prog-if %02x "
	       "rev %02x subsys %04x:%04x header %02x pin %c line %u\n",
	       d->bus, d->dev, d->fn, d->vendor, d->device, d->class_code,
	       d->subclass, d->prog_if, d->revision, d->subsys_vendor,
	       d->subsys_id, d->header_type,
	       d->irq_pin ? '@' + d->irq_pin : '-', d->irq_line);
}

static void print_bars(const struct pci_dev *d)
{
	for (unsigned int i = 0; i < PCI_NR_BARS; i++) {
		const struct pci_bar *b = &d->bar[i];

		if (b->type == PCI_BAR_NONE || !b->size)
			continue;
		printf("pci: %02x:%02x.%x bar %u %s%s addr 0x%016lx size "
		       "0x%lx\n", d->bus, d->dev, d->fn, i,
		       pci_bar_type_name(b->type), b->prefetch ? " pref" : "",
		       (unsigned long)b->addr, (unsigned long)b->size);
	}
}

static void print_caps(const struct pci_dev *d)
{
	char line[200];
	int len = 0, ttl = 48;

	for (uint8_t pos = pci_cap_first(d); pos && ttl--;
	     pos = pci_cap_next(d, pos))
		len += snprintf(line + len, sizeof(line) - (size_t)len,
				" 0x%02x:%02x", pos, pci_read8(d, pos));
	if (len)
		printf("pci: %02x:%02x.%x caps%s\n", d->bus, d->dev, d->fn,
		       line);
}

static void print_region(const struct pci_dev *d, const char *name,
			 const struct virtio_pci_region *r)
{
	if (!r->cap)
		return;
	printf("pci: %02x:%02x.%x virtio %s cap 0x%02x bar %u offset 0x%x "
	       "length 0x%x\n", d->bus, d->dev, d->fn, name, r->cap, r->bar,
	       r->offset, r->length);
}

static void print_virtio(struct pci_dev *d)
{
	static struct virtio_pci vp;
	const char *why = "usable";
	int ret;

	if (!virtio_pci_device_id(d))
		return;
	ret = virtio_pci_probe(&vp, d, &why);
	if (!check(ret == 0, "%02x:%02x.%x virtio-pci capabilities: %s",
		   d->bus, d->dev, d->fn, why))
		return;
	print_region(d, "common", &vp.common);
	print_region(d, "notify", &vp.notify);
	print_region(d, "isr", &vp.isr);
	print_region(d, "device", &vp.device);
	printf("pci: %02x:%02x.%x virtio id %u, %u queues, notify multiplier "
	       "%u\n", d->bus, d->dev, d->fn, vp.device_id, vp.num_queues,
	       vp.notify_mult);
	check(vp.has_pci_cfg, "%02x:%02x.%x has a PCI configuration access "
	      "capability", d->bus, d->dev, d->fn);
}

static void print_intx(const struct pci_dev *d)
{
	struct intx_route r;
	const char *why = "";

	if (!d->irq_pin)
		return;
	if (intx_route_find(d, &r, &why)) {
		printf("pci: %02x:%02x.%x INT%c# not routed: %s\n", d->bus,
		       d->dev, d->fn, '@' + d->irq_pin, why);
		return;
	}
	printf("pci: %02x:%02x.%x INT%c# -> ioapic %u pin %u %s active-%s "
	       "(%s)\n", d->bus, d->dev, d->fn, '@' + d->irq_pin, r.ioapic_id,
	       r.pin, r.level ? "level" : "edge",
	       r.active_low ? "low" : "high", r.source);
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static bool overlaps_ram(uint64_t addr, uint64_t size)
{
	for (unsigned int i = 0; i < pvh.nr_memmap; i++) {
		const struct hvm_memmap_entry *e = &pvh.memmap[i];

		if (e->type == E820_RAM &&
		    overlaps(addr, size, e->addr, e->size))
			return true;
	}
	return false;
}

/* Every sized BAR: assigned, aligned, alone, and (memory) not in RAM. */
static void check_bars(void)
{
	static struct bar_ref bars[MAX_BARS];
	unsigned int n = 0, bad = 0;
	struct pci_dev *d;

	for (unsigned int k = 0; (d = pci_dev_at(k)); k++) {
		for (unsigned int i = 0; i < PCI_NR_BARS; i++) {
			if (d->bar[i].type != PCI_BAR_NONE && d->bar[i].size)
				bars[n++] = (struct bar_ref){ d, i };
		}
	}
	for (unsigned int k = 0; k < n; k++) {
		const struct pci_bar *b = &bars[k].d->bar[bars[k].i];
		bool io = b->type == PCI_BAR_IO;
		const char *why = NULL;

		if (!b->addr)
			why = "unassigned";
		else if (b->addr & (b->size - 1))
			why = "not naturally aligned";
		else if (!io && overlaps_ram(b->addr, b->size))
			why = "overlaps RAM";
		for (unsigned int j = k + 1; j < n && !why; j++) {
			const struct pci_bar *o = &bars[j].d->bar[bars[j].i];

			if ((o->type == PCI_BAR_IO) == io && o->addr &&
			    overlaps(b->addr, b->size, o->addr, o->size))
				why = "overlaps another BAR";
		}
		if (why) {
			fail("%02x:%02x.%x bar %u: %s", bars[k].d->bus,
			     bars[k].d->dev, bars[k].d->fn, bars[k].i, why);
			bad++;
		}
	}
	if (!bad)
		pass("%u BARs assigned, aligned, apart from each other and RAM",
		     n);
}

static void wait_for_line(void)
{
	int c;

	printf("pci: waiting for a line on the console\n");
	do {
		c = uart_getc();
	} while (c != '\n' && c != '\r');
}

int scenario_pci(void)
{
	const struct pci_dev *host;
	unsigned int n;
	uint64_t wait = 0;
	struct pci_dev *d;

	if (cmdline_get_u64("wait", &wait) < 0) {
		fail("bad wait= value '%s'", cmdline_get("wait"));
		return EXIT_USAGE;
	}
	if (!check(pci_conf1_present(), "0xCF8 latches and reads back"))
		return EXIT_FAIL;
	n = pci_scan();
	printf("pci: %u functions on bus 0\n", n);
	for (unsigned int k = 0; (d = pci_dev_at(k)); k++) {
		pci_size_bars(d);
		print_dev(d);
		print_bars(d);
		print_caps(d);
		print_virtio(d);
		print_intx(d);
	}
	host = pci_dev_at(0);
	check(host && host->dev == 0 && host->fn == 0 &&
		      (host->class_code << 8 | host->subclass) ==
			      PCI_CLASS_HOST_BRIDGE,
	      "a host bridge (class 0600) at 00:00.0");
	check_bars();
	if (wait)
		wait_for_line();
	return EXIT_PASS;
}
