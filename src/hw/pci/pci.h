// SPDX-License-Identifier: MIT
/*
 * Conventional PCI: type 0 configuration space with per-byte write and
 * write-1-to-clear masks, BARs (sizing, decode, mapping on the PIO/MMIO
 * buses), the capability list, INTx, and bus 0 with 32 slots. flexvm has
 * no firmware, so pci_bus_assign_bars() places and enables the BARs.
 * Context: everything runs with vm->dm_lock held (machine build on the
 * main thread, config accesses from vCPU threads).
 */
#ifndef FLEXVM_HW_PCI_PCI_H
#define FLEXVM_HW_PCI_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/pci_regs.h>

#include "hw/bus.h"
#include "mem/memmap.h"
#include "util/compiler.h"
#include "util/error.h"
#include "util/log.h"

struct irq;
struct msix;
struct pci_bus;
struct pci_device;

#define PCI_CONFIG_SIZE		256
#define PCI_NR_SLOTS		32
#define PCI_DEVFN(slot, fn)	((uint8_t)(((slot) << 3) | (fn)))
#define PCI_DEVFN_SLOT(devfn)	((devfn) >> 3)
#define PCI_DEVFN_FUNC(devfn)	((devfn) & 7)
#define PCI_DEVFN_AUTO		(-1)

/* The host bridge at 00:00.0: QEMU i440FX's identity (see docs/pci.md). */
#define PCI_HOST_BRIDGE_VENDOR	0x8086
#define PCI_HOST_BRIDGE_DEVICE	0x1237
#define PCI_HOST_BRIDGE_CLASS	0x060000	/* class, subclass, prog-if */

/* pci_register_bar() flags: <linux/pci_regs.h> BAR bits. */
#define PCI_BAR_IO		PCI_BASE_ADDRESS_SPACE_IO
#define PCI_BAR_MEM32		PCI_BASE_ADDRESS_MEM_TYPE_32
#define PCI_BAR_MEM64		PCI_BASE_ADDRESS_MEM_TYPE_64
#define PCI_BAR_PREFETCH	PCI_BASE_ADDRESS_MEM_PREFETCH

/*
 * Device callbacks, all optional. Context: dm_lock held.
 * config_read: may replace @value, the generic result of reading @size
 *   bytes at @offset (e.g. a window onto a BAR, virtio's PCI_CFG cap).
 * config_write: called after the generic write at @offset was applied
 *   through the masks; @value is what the guest wrote.
 * bar_map: BAR @bar became decoded at @gpa (@mapped) or stopped being
 *   decoded at @gpa (!@mapped); e.g. to move ioeventfds with the BAR.
 *   An unmap is always reported before the map of the new address.
 * reset: device reset (system reset), after the config space was reset.
 */
struct pci_device_ops {
	uint32_t (*config_read)(struct pci_device *dev, unsigned offset,
				unsigned size, uint32_t value);
	void (*config_write)(struct pci_device *dev, unsigned offset,
			     uint32_t value, unsigned size);
	void (*bar_map)(struct pci_device *dev, unsigned bar, uint64_t gpa,
			bool mapped);
	void (*reset)(struct pci_device *dev);
};

struct pci_bar {
	uint64_t size;		/* power of two; 0: BAR not implemented */
	uint32_t flags;		/* PCI_BAR_* */
	const struct io_ops *ops;	/* @offset relative to the BAR */
	void *opaque;
	bool mapped;		/* on vm->pio or vm->mmio at @mapped_gpa */
	uint64_t mapped_gpa;
	struct pci_device *dev;	/* back pointer for the bus trampoline */
	unsigned index;
	char name[40];		/* region name on the bus */
};

struct pci_device {
	struct pci_bus *bus;	/* NULL until pci_bus_add_device() */
	uint8_t devfn;
	const char *name;	/* QEMU's type name: "virtio-rng-pci" */
	const char *qdev_id;	/* -device id=..., or NULL */
	const struct pci_device_ops *ops;
	void *opaque;		/* the device model */

	uint8_t config[PCI_CONFIG_SIZE];
	uint8_t wmask[PCI_CONFIG_SIZE];		/* guest-writable bits */
	uint8_t w1cmask[PCI_CONFIG_SIZE];	/* write-1-to-clear bits */
	uint8_t power_on[PCI_CONFIG_SIZE];	/* config at reset */
	bool power_on_saved;
	struct pci_bar bars[PCI_STD_NUM_BARS];
	unsigned cap_end;	/* next free config offset for capabilities */
	bool intx_level;	/* the device's own INTx request */
	bool intx_asserted;	/* counted on the bus's pin */
	struct msix *msix;	/* msix_init(), else NULL */
};

struct pci_bus {
	struct pci_device *devices[PCI_NR_SLOTS * 8];	/* by devfn */
	struct bus *pio;
	struct bus *mmio;
	struct irq *irq;
	const struct memmap *mm;
	unsigned intx_count[8];		/* asserted sources per INTx pin */
	struct pci_device host_bridge;
	struct ratelimit rl;		/* refused BAR placements etc. */
};

/**
 * pci_bus_init - bus 0 with the host bridge at 00:00.0.
 * @pio, @mmio: where BARs are mapped
 * @irq: INTx lines and MSI routes
 * @mm: the memory map; BARs never decode over RAM or device memory
 * Return: 0 or -errno. Context: machine build.
 */
int pci_bus_init(struct pci_bus *bus, struct bus *pio, struct bus *mmio,
		 struct irq *irq, const struct memmap *mm) __must_check;

/** pci_bus_destroy - unmap every BAR and free MSI-X state. */
void pci_bus_destroy(struct pci_bus *bus);

/**
 * pci_device_init - zero @dev and fill a type 0 header: IDs, revision,
 * class (@class_code = class << 16 | subclass << 8 | prog-if), QEMU's
 * default subsystem IDs 1af4:1100, writable command bits (I/O, memory,
 * bus master, parity, SERR, INTx disable), write-1-to-clear status error
 * bits, cache line size and interrupt line writable, interrupt pin 0
 * (set PCI_INTERRUPT_PIN to 1 for INTA#). @name must outlive @dev. Call
 * before pci_register_bar() and pci_add_capability().
 */
void pci_device_init(struct pci_device *dev, const char *name,
		     uint16_t vendor, uint16_t device, uint32_t class_code,
		     uint8_t revision);

/**
 * pci_register_bar - declare BAR @bar of @size bytes, a power of two:
 * 16 bytes to 1 GiB for 32-bit memory, from 16 bytes for 64-bit memory,
 * 4 to 256 bytes for I/O. @flags: PCI_BAR_MEM32, PCI_BAR_MEM64 (takes
 * @bar + 1 too), PCI_BAR_IO; memory BARs may add PCI_BAR_PREFETCH.
 * Accesses inside the BAR go to @ops with the offset from the BAR's
 * start, except the MSI-X table and PBA when they live in it.
 * Return: 0, -EINVAL for a bad index, size or flags, -EBUSY when the
 * slot (or its upper half) is already used.
 */
int pci_register_bar(struct pci_device *dev, unsigned bar, uint64_t size,
		     uint32_t flags, const struct io_ops *ops,
		     void *opaque) __must_check;

/**
 * pci_add_capability - append a capability of @size bytes (>= 2) with ID
 * @id to the list (the first at 0x40, each dword aligned, in call order)
 * and set the status capability bit. The body after the two header bytes
 * is zeroed and read-only: set dev->wmask bytes for writable fields.
 * Return: its config offset, or -ENOSPC when it does not fit below 256.
 */
int pci_add_capability(struct pci_device *dev, uint8_t id,
		       uint8_t size) __must_check;

/** pci_find_capability - offset of the first capability @id, or 0. */
unsigned pci_find_capability(const struct pci_device *dev, uint8_t id);

/**
 * pci_bus_add_device - put @dev at @devfn (function 0 only: devfn & 7
 * must be 0), or the first free slot from 1 for PCI_DEVFN_AUTO.
 * Return: 0; -EINVAL for a bad devfn; -EBUSY for a taken slot; -ENOSPC
 * when the bus is full; @err gets QEMU's wording in each case.
 */
int pci_bus_add_device(struct pci_bus *bus, struct pci_device *dev,
		       int devfn, struct error *err) __must_check;

/**
 * pci_bus_assign_bars - firmware's job: give every implemented BAR an
 * address (32-bit memory BARs in [MEMMAP_PCI_MMIO32_START, _END),
 * 64-bit ones in the memmap's 64-bit window, I/O BARs from 0xc000, each
 * naturally aligned, largest first), then enable I/O and memory decode
 * (which maps them). Also sets the interrupt line register to the INTx
 * GSI. The first call saves every device's config space (capabilities
 * included) as its power-on state, restored by pci_bus_reset().
 * Return: 0 or -ENOSPC with a message in @err. Context: machine build,
 * and system reset after pci_bus_reset().
 */
int pci_bus_assign_bars(struct pci_bus *bus, struct error *err) __must_check;

/**
 * pci_bus_reset - system reset: unmap every BAR, restore each device's
 * power-on config, reset MSI-X, drop INTx, call ops->reset. Call
 * pci_bus_assign_bars() afterwards. Context: vCPUs paused, dm_lock held.
 */
void pci_bus_reset(struct pci_bus *bus);

/**
 * pci_config_read/pci_config_write - a config access of @size (1, 2 or
 * 4) bytes at @offset as the guest makes it (pci_host.c). Accesses that
 * are misaligned or cross offset 256 read all ones / are dropped.
 */
uint32_t pci_config_read(struct pci_device *dev, unsigned offset,
			 unsigned size);
void pci_config_write(struct pci_device *dev, unsigned offset,
		      uint32_t value, unsigned size);

/** pci_bus_find - the device at @devfn, or NULL. */
struct pci_device *pci_bus_find(const struct pci_bus *bus, uint8_t devfn);

/**
 * pci_set_irq - raise or lower the device's INTA#. The IOAPIC pin is
 * shared by slots with equal slot % 8; it stays asserted while any source
 * on it is. The command register's INTx-disable bit gates the output;
 * the status register's interrupt bit shows @level. Context: dm_lock.
 */
void pci_set_irq(struct pci_device *dev, bool level);

/** pci_intx_gsi - the IOAPIC pin that INTA# of slot @slot drives. */
unsigned pci_intx_gsi(unsigned slot);

/* Little-endian config space accessors (no masks, for device code). */
static inline uint8_t pci_get_byte(const struct pci_device *d, unsigned off)
{
	return d->config[off];
}

static inline uint16_t pci_get_word(const struct pci_device *d, unsigned off)
{
	return (uint16_t)(d->config[off] | d->config[off + 1] << 8);
}

static inline uint32_t pci_get_long(const struct pci_device *d, unsigned off)
{
	return (uint32_t)pci_get_word(d, off) |
	       (uint32_t)pci_get_word(d, off + 2) << 16;
}

static inline void pci_set_byte(struct pci_device *d, unsigned off,
				uint8_t v)
{
	d->config[off] = v;
}

static inline void pci_set_word(struct pci_device *d, unsigned off,
				uint16_t v)
{
	d->config[off] = (uint8_t)v;
	d->config[off + 1] = (uint8_t)(v >> 8);
}

static inline void pci_set_long(struct pci_device *d, unsigned off,
				uint32_t v)
{
	pci_set_word(d, off, (uint16_t)v);
	pci_set_word(d, off + 2, (uint16_t)(v >> 16));
}

/* ---- query-pci / info pci (data for the monitor) ---- */

struct pci_query_region {
	unsigned bar;
	bool is_io;		/* "type": "io" or "memory" */
	uint64_t address;	/* where it decodes; UINT64_MAX (QEMU's -1)
				 * while not mapped */
	uint64_t size;
	bool prefetch;		/* memory only */
	bool mem_type_64;	/* memory only */
};

struct pci_query_device {
	unsigned bus, slot, function;
	uint16_t class_code;		/* class << 8 | subclass */
	const char *class_desc;		/* QEMU's name, or NULL */
	uint16_t vendor, device;
	uint16_t subsystem_vendor, subsystem;
	bool has_irq;			/* irq_pin != 0 */
	unsigned irq;			/* interrupt line register */
	unsigned irq_pin;		/* 0 none, 1 INTA# ... */
	const char *qdev_id;		/* "" when none, as QEMU */
	unsigned nr_regions;
	struct pci_query_region regions[PCI_STD_NUM_BARS];
};

/**
 * pci_query - fill @out (room for @max) with the devices of @bus in devfn
 * order, as QEMU's query-pci reports them (bus 0 only, no bridges).
 * Return: the number of devices (may exceed @max: the rest is dropped).
 */
unsigned pci_query(const struct pci_bus *bus, struct pci_query_device *out,
		   unsigned max);

/** pci_print_info - HMP "info pci" text, as QEMU 7.2 prints it. */
void pci_print_info(const struct pci_bus *bus, FILE *out);

#endif
