// SPDX-License-Identifier: MIT
/*
 * A PCI machine for the PCI fuzz harnesses (fuzz_pci_cfg.c,
 * fuzz_virtio_pci.c): irq chip with a fake KVM backend, memory map, port
 * and MMIO buses and a PCI bus, built once and reset after every input.
 * A snapshot of what a system reset must restore proves each reset did.
 * Single-threaded, like the harnesses.
 */
#ifndef FLEXVM_TESTS_FUZZ_MACHINE_H
#define FLEXVM_TESTS_FUZZ_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../unit/fake_irq.h"
#include "hw/bus.h"
#include "hw/irq.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci.h"
#include "mem/memmap.h"

#define FUZZ_MACHINE_MAX_VEC 8
#define FUZZ_MACHINE_MAX_REGIONS 8
#define FUZZ_MACHINE_MAX_ROUTES 64

struct fuzz_machine {
	struct fake_irq fake;
	struct irq irq;
	struct memmap mm;
	struct bus pio, mmio;
	struct pci_bus pci;
};

/*
 * The machine's part of what a system reset must restore, including the
 * MSI-X vectors and PBA of one device. Rate limits only decide whether a
 * message is printed: left out.
 */
struct fuzz_machine_snapshot {
	struct pci_bus pci;
	struct msix_vector vec[FUZZ_MACHINE_MAX_VEC];
	uint64_t pba;
	struct irq irq;
	unsigned nr_routes;
	struct kvm_irq_routing_entry routes[FUZZ_MACHINE_MAX_ROUTES];
	unsigned nr_pio, nr_mmio;
	struct io_region pio[FUZZ_MACHINE_MAX_REGIONS];
	struct io_region mmio[FUZZ_MACHINE_MAX_REGIONS];
};

/* fuzz_machine_init - an empty PCI bus on a zeroed @m. Returns 0 or -1. */
int fuzz_machine_init(struct fuzz_machine *m);

/* fuzz_machine_destroy - free what fuzz_machine_init() built. */
void fuzz_machine_destroy(struct fuzz_machine *m);

/*
 * fuzz_machine_snapshot - record @m's state in @s (zeroed first, so the
 * whole struct can be compared with memcmp), with the MSI-X state of
 * @msix_dev (it must have at most FUZZ_MACHINE_MAX_VEC vectors).
 */
void fuzz_machine_snapshot(const struct fuzz_machine *m,
			   const struct pci_device *msix_dev,
			   struct fuzz_machine_snapshot *s);

/*
 * fuzz_machine_reset - a system reset as vm_reset_pci() does it, plus the
 * MSI routes a fresh machine would have (@first: the snapshot after the
 * first reset, or NULL then). Each route is stale after a reset and
 * rewritten before use; only whether that push is skipped as unchanged
 * depends on the leftover, so restoring it keeps inputs independent.
 */
void fuzz_machine_reset(struct fuzz_machine *m,
			const struct fuzz_machine_snapshot *first);

/*
 * How a harness drives its machine: its own fixture (which embeds a
 * struct fuzz_machine) and snapshot types behind these hooks.
 */
struct fuzz_rig {
	void *fixture;
	void *first, *now;	/* snapshots of snapshot_size bytes */
	size_t snapshot_size;
	int (*init)(void *fixture);
	void (*destroy)(void *fixture);
	void (*snapshot)(const void *fixture, void *snap);
	void (*reset)(void *fixture, const void *first);
	unsigned long inputs;
};

/*
 * fuzz_rig_begin - before an input: build the machine on the first call
 * (and again at once, so a short run covers teardown too), and build it
 * afresh every FUZZ_RIG_REBUILD_EVERY inputs, so teardown stays exercised
 * and nothing a snapshot misses lives forever.
 */
#define FUZZ_RIG_REBUILD_EVERY 4096
void fuzz_rig_begin(struct fuzz_rig *r);

/*
 * fuzz_rig_settle - after an input: reset unless the machine is already
 * exactly as after the first reset, then check that it is.
 */
void fuzz_rig_settle(struct fuzz_rig *r);

#endif
