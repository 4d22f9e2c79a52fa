// SPDX-License-Identifier: MIT
/*
 * PCI bus 0 through configuration mechanism #1 (ports 0xCF8/0xCFC, allowed
 * at CPL3 by the TSS I/O bitmap): the device list, BARs, command bits and
 * the capability list. Register numbers come from <linux/pci_regs.h>.
 * CPL3, BSP only (the address latch is shared, there is no lock).
 */
#ifndef GUEST_PCI_H
#define GUEST_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/pci_regs.h>

#define PCI_MAX_DEVS 32 /* functions kept by pci_scan() */
#define PCI_NR_BARS 6

enum pci_bar_type { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };

struct pci_bar {
	uint64_t addr;  /* as programmed by the firmware or the VMM */
	uint64_t size;  /* 0 until pci_size_bars() */
	enum pci_bar_type type;
	bool prefetch;
};

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint8_t class_code, subclass, prog_if, revision, header_type;
	uint16_t subsys_vendor, subsys_id;
	uint8_t irq_pin; /* 1 = INTA#, 0 = none */
	uint8_t irq_line;
	bool bars_sized;
	/* The upper half of a 64-bit BAR has type NONE. */
	struct pci_bar bar[PCI_NR_BARS];
};

/* Raw configuration space accesses (naturally aligned @off < 256). */
uint8_t pci_read8(const struct pci_dev *d, uint8_t off);
uint16_t pci_read16(const struct pci_dev *d, uint8_t off);
uint32_t pci_read32(const struct pci_dev *d, uint8_t off);
void pci_write8(const struct pci_dev *d, uint8_t off, uint8_t val);
void pci_write16(const struct pci_dev *d, uint8_t off, uint16_t val);
void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t val);

/* Whether 0xCF8 latches a dword and reads it back, as Linux checks. */
bool pci_conf1_present(void);

/*
 * Scans bus 0 (all 32 devices, and functions 1-7 of multi-function ones),
 * once; returns how many functions there are. pci_dev_at(i) gives each.
 */
unsigned int pci_scan(void);
struct pci_dev *pci_dev_at(unsigned int idx);

/* The @idx-th function (from 0) with these ids, or NULL. */
struct pci_dev *pci_find(uint16_t vendor, uint16_t device, unsigned int idx);

/*
 * Sizes every BAR (all-ones write with decoding off, then the original
 * value and the command register are restored). Returns 0, or -1 if a
 * 64-bit BAR's upper half is missing.
 */
int pci_size_bars(struct pci_dev *d);

/* Sets @bits (PCI_COMMAND_MEMORY, _MASTER, ...) in the command register. */
void pci_enable(const struct pci_dev *d, uint16_t bits);
void pci_disable(const struct pci_dev *d, uint16_t bits);

/*
 * The capability list: the first entry, the entry after @pos, or the
 * first one with @id after @pos (0: from the start). 0 ends the list; a
 * looping or misaligned list is cut short.
 */
uint8_t pci_cap_first(const struct pci_dev *d);
uint8_t pci_cap_next(const struct pci_dev *d, uint8_t pos);
uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t pos);

/* "mem32", "mem64", "io" or "none". */
const char *pci_bar_type_name(enum pci_bar_type type);

#endif
