// SPDX-License-Identifier: MIT
/*
 * Internal to src/hw/pci: what pci.c needs from pci_bar.c to keep BAR
 * mappings in line with config writes, bus teardown and reset. Called
 * with dm_lock held (machine build on the main thread, vCPU threads).
 */
#ifndef FLEXVM_HW_PCI_PCI_BAR_H
#define FLEXVM_HW_PCI_PCI_BAR_H

#include <stdbool.h>

#include "hw/pci/pci.h"

/**
 * pci_bar_unmap - take BAR @b of @dev off its bus, if it is mapped
 * @dev: the device; dev->bus is set
 * @b: one of dev->bars
 * @notify: tell the device model through dev->ops->bar_map (false while
 *          the bus is being destroyed)
 */
void pci_bar_unmap(struct pci_device *dev, struct pci_bar *b, bool notify);

/**
 * pci_bar_update_all - map, move or unmap each BAR of @dev to match its
 * BAR registers and the decode bits of its command register
 * @dev: the device; nothing is done until it is on a bus
 *
 * Called after a config write that touches the command register or a BAR.
 */
void pci_bar_update_all(struct pci_device *dev);

#endif
