// SPDX-License-Identifier: MIT
/*
 * PCI configuration mechanism #1 (PCI 3.0 §3.2.2.3.2): a dword address
 * latch at 0xCF8 and a data window at 0xCFC-0xCFF that reaches the
 * config space of bus 0's functions. vCPU threads, dm_lock held.
 */
#include "hw/pci/pci_host.h"

#include <errno.h>

/* CONFIG_ADDRESS fields. */
#define PCI_HOST_BUS(a)		(((a) >> 16) & 0xff)
#define PCI_HOST_DEVFN(a)	(((a) >> 8) & 0xff)
#define PCI_HOST_REG(a)		((a) & 0xfc)
/*
 * Bits 27:24 extend the register number on AMD's I/O ECS; flexvm has no
 * extended config space, so such an address reaches nothing (rather than
 * aliasing register & 0xff as QEMU does).
 */
#define PCI_HOST_EXT_REG(a)	(((a) >> 24) & 0x0f)

static uint64_t pci_host_addr_read(void *opaque, uint64_t offset,
				   unsigned size)
{
	const struct pci_host *host = opaque;

	/* Linux's pci_check_type1() reads the whole latch back. */
	if (size == 4)
		return host->addr;
	return (host->addr >> (8 * offset)) & ((1u << (8 * size)) - 1);
}

static void pci_host_addr_write(void *opaque, uint64_t offset,
				uint64_t value, unsigned size)
{
	struct pci_host *host = opaque;

	/*
	 * Only a dword write is the latch; byte writes to 0xCF8-0xCFB are
	 * other chipset registers (0xCFB is mechanism #2's enable, which
	 * the type 1 probe pokes) and must not clobber it.
	 */
	if (size == 4 && offset == 0)
		host->addr = (uint32_t)value;
}

/* The function the latch selects, or NULL. */
static struct pci_device *pci_host_target(const struct pci_host *host)
{
	uint32_t a = host->addr;

	if (!(a & PCI_HOST_ENABLE) || PCI_HOST_BUS(a) != 0 ||
	    PCI_HOST_EXT_REG(a))
		return NULL;
	return pci_bus_find(host->bus, (uint8_t)PCI_HOST_DEVFN(a));
}

static uint64_t pci_host_data_read(void *opaque, uint64_t offset,
				   unsigned size)
{
	const struct pci_host *host = opaque;
	struct pci_device *dev = pci_host_target(host);

	/* No device answers: the master abort reads all ones. */
	if (!dev || size > 4)
		return 0xffffffffu >> (32 - 8 * (size > 4 ? 4 : size));
	return pci_config_read(dev, PCI_HOST_REG(host->addr) + (unsigned)offset,
			       size);
}

static void pci_host_data_write(void *opaque, uint64_t offset,
				uint64_t value, unsigned size)
{
	struct pci_host *host = opaque;
	struct pci_device *dev = pci_host_target(host);

	if (!dev || size > 4)
		return;
	pci_config_write(dev, PCI_HOST_REG(host->addr) + (unsigned)offset,
			 (uint32_t)value, size);
}

const struct io_ops pci_host_addr_ops = {
	.read = pci_host_addr_read,
	.write = pci_host_addr_write,
};

const struct io_ops pci_host_data_ops = {
	.read = pci_host_data_read,
	.write = pci_host_data_write,
};

int pci_host_init(struct pci_host *host, struct pci_bus *bus,
		  struct bus *pio)
{
	int ret;

	host->bus = bus;
	host->addr = 0;
	ret = bus_add(pio, PCI_HOST_ADDR_PORT, 4, &pci_host_addr_ops, host,
		      "pci-conf-addr");
	if (ret)
		return ret;
	ret = bus_add(pio, PCI_HOST_DATA_PORT, 4, &pci_host_data_ops, host,
		      "pci-conf-data");
	if (ret)
		(void)bus_remove(pio, PCI_HOST_ADDR_PORT);
	return ret;
}
