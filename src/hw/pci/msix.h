// SPDX-License-Identifier: MIT
/*
 * MSI-X (PCI Local Bus 3.0 §6.8.2): the capability's message control,
 * the vector table and pending bit array inside a BAR, and delivery via
 * one KVM MSI route + irqfd per vector. The PCI core routes config writes
 * and the table/PBA ranges of the BAR here. Context: dm_lock held.
 */
#ifndef FLEXVM_HW_PCI_MSIX_H
#define FLEXVM_HW_PCI_MSIX_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/pci/pci.h"
#include "util/compiler.h"

/* Table entries a device may have (the spec's limit is 2048). */
#define MSIX_MAX_VECTORS	2048

struct msix_vector {
	uint32_t entry[4];	/* addr lo, addr hi, data, vector control */
	int gsi;		/* KVM MSI route, -1 before msix_init */
	int fd;			/* eventfd bound to gsi by KVM_IRQFD */
	bool route_stale;	/* entry changed since the route was set */
};

struct msix {
	struct pci_device *dev;
	unsigned nr_vectors;
	unsigned cap;		/* config offset of the capability */
	unsigned bar;		/* table and PBA both live in this BAR */
	uint32_t table_offset;
	uint32_t pba_offset;
	uint64_t *pba;		/* one bit per vector */
	struct msix_vector *vectors;
};

/**
 * msix_init - add an MSI-X capability with @nr_vectors vectors to @dev,
 * its table at @table_offset and its PBA at @pba_offset of BAR @bar.
 * The BAR must already be registered and hold both, the table 8-byte
 * aligned with 16 bytes per vector, the PBA 8-byte aligned with 8 bytes
 * per 64 vectors, not overlapping. Allocates a GSI, an MSI route and an
 * eventfd bound by irqfd for each vector (on @dev->bus's irq, so @dev
 * must be on a bus). Entries start masked; MSI-X starts disabled.
 * Return: 0; -EINVAL for bad arguments; -ENOSPC when the capability or
 * the GSIs run out; -ENOMEM; or the KVM backend's error.
 */
int msix_init(struct pci_device *dev, unsigned nr_vectors, unsigned bar,
	      uint32_t table_offset, uint32_t pba_offset) __must_check;

/** msix_destroy - release irqfds, routes and eventfds; NULL is fine. */
void msix_destroy(struct msix *msix);

/** msix_reset - entries masked, PBA clear, MSI-X disabled (power-on). */
void msix_reset(struct msix *msix);

/**
 * msix_enabled - MSI-X is enabled in the message control register (the
 * device must then not use INTx). False when @dev has no MSI-X.
 */
bool msix_enabled(const struct pci_device *dev);

/** msix_nr_vectors - the table size, 0 when @dev has no MSI-X. */
unsigned msix_nr_vectors(const struct pci_device *dev);

/**
 * msix_notify - signal vector @vector. If the vector and the function
 * are unmasked, the message goes out (the route is refreshed first if
 * the entry changed), else its pending bit is set and the message goes
 * out when both are unmasked.
 * Return: 0 (sent or pended), -ENODEV when MSI-X is disabled or absent
 * (use INTx), -EINVAL for a vector out of range (nothing happens).
 */
int msix_notify(struct pci_device *dev, unsigned vector);

/*
 * For the PCI core (pci.c): the message control byte was written, and
 * accesses to the table/PBA range of the BAR. msix_bar_access() returns
 * true when [@offset, @offset + @size) belongs to the table or PBA (the
 * access was handled, *@value set on reads), false to let the device
 * handle it. Accesses not dword or qword sized and aligned are ignored
 * (reads return 0).
 */
void msix_config_write(struct msix *msix, unsigned offset, unsigned size);
bool msix_bar_access(struct msix *msix, uint64_t offset, unsigned size,
		     uint64_t *value, bool is_write);

/** msix_is_pending - the PBA bit of @vector (for tests). */
bool msix_is_pending(const struct msix *msix, unsigned vector);

#endif
