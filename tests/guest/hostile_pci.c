// SPDX-License-Identifier: MIT
/*
 * Hostile attacks on PCI config space, BARs, MSI-X and the virtio-pci
 * registers. Placeholder so that scenario=hostile builds: the table is
 * empty until the PCI attacks are written. CPL3, BSP.
 */
#include "guest.h"
#include "hostile.h"

/* No attack yet: the runner skips an empty table. */
const struct hostile_attack hostile_pci_attacks[] = {
	{ NULL, NULL, NULL },
};
const unsigned int hostile_pci_count = 0;
