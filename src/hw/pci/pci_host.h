// SPDX-License-Identifier: MIT
/*
 * PCI configuration mechanism #1: the CONFIG_ADDRESS latch at port 0xCF8
 * and the CONFIG_DATA window at 0xCFC-0xCFF, dispatched to bus 0's
 * devices. Accessed from vCPU threads with dm_lock held.
 */
#ifndef FLEXVM_HW_PCI_PCI_HOST_H
#define FLEXVM_HW_PCI_PCI_HOST_H

#include <stdint.h>

#include "hw/bus.h"
#include "hw/pci/pci.h"
#include "util/compiler.h"

#define PCI_HOST_ADDR_PORT	0xCF8
#define PCI_HOST_DATA_PORT	0xCFC
#define PCI_HOST_ENABLE		0x80000000u	/* CONFIG_ADDRESS bit 31 */

struct pci_host {
	struct pci_bus *bus;
	uint32_t addr;		/* CONFIG_ADDRESS latch */
};

/**
 * pci_host_init - register ports 0xCF8-0xCFB and 0xCFC-0xCFF on @pio.
 * Return: 0 or the bus_add() error.
 */
int pci_host_init(struct pci_host *host, struct pci_bus *bus,
		  struct bus *pio) __must_check;

/* The io_ops of the two port ranges (exported for unit tests). */
extern const struct io_ops pci_host_addr_ops;
extern const struct io_ops pci_host_data_ops;

#endif
