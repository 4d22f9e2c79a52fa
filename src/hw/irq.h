// SPDX-License-Identifier: MIT
/*
 * KVM interrupt plumbing: the GSI routing table (the in-kernel irqchip's
 * default PIC/IOAPIC routes for GSIs 0-23 plus MSI routes from GSI 24 up),
 * a GSI allocator for MSI routes, irqfds, and INTx lines. All state is
 * guarded by vm->dm_lock; the ioctls go through an ops table so the unit
 * tests run without /dev/kvm. An irqfd's eventfd may be written from any
 * thread without the lock.
 */
#ifndef FLEXVM_HW_IRQ_H
#define FLEXVM_HW_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "util/compiler.h"
#include "util/log.h"

/* GSIs 0-23 are the irqchip pins (PIC 0-15, IOAPIC 0-23). */
#define IRQ_NR_IRQCHIP_GSIS	24
/* MSI routes use GSIs [IRQ_FIRST_MSI_GSI, IRQ_NR_GSIS). */
#define IRQ_FIRST_MSI_GSI	IRQ_NR_IRQCHIP_GSIS
#define IRQ_NR_GSIS		1024
/* The IOAPIC pins flexvm gives PCI INTx (16-23, level, active low). */
#define IRQ_PCI_INTX_FIRST_PIN	16
#define IRQ_PCI_INTX_NR_PINS	8

/* An MSI message as written into an MSI-X table entry. */
struct irq_msi_msg {
	uint64_t addr;
	uint32_t data;
};

/*
 * The KVM calls this layer makes; each returns 0 or -errno. The default
 * ops (irq_init_kvm) issue the ioctls on a VM fd; tests pass fakes.
 */
struct irq_ops {
	int (*set_gsi_routing)(void *opaque,
			       const struct kvm_irq_routing *table);
	int (*irqfd)(void *opaque, const struct kvm_irqfd *req);
	int (*irq_line)(void *opaque, uint32_t gsi, bool level);
	int (*signal_msi)(void *opaque, const struct kvm_msi *msi);
};

struct irq {
	const struct irq_ops *ops;
	void *opaque;
	int vm_fd;			/* for the default ops, else -1 */
	/* The whole table, as KVM_SET_GSI_ROUTING wants it. */
	struct kvm_irq_routing *table;
	unsigned capacity;		/* entries allocated in table */
	uint64_t gsi_used[IRQ_NR_GSIS / 64];	/* MSI GSI allocator */
	bool dirty;			/* table differs from KVM's copy */
	struct ratelimit rl;		/* guest-triggered failures */
};

/**
 * irq_init - set up the routing table with KVM's default irqchip routes
 * (GSI 0-15: PIC master/slave pin gsi % 8 and IOAPIC pin gsi; GSI 16-23:
 * IOAPIC pin gsi) and push it with ops->set_gsi_routing.
 * @ops, @opaque: the KVM backend
 * Return: 0, -ENOMEM, or the backend's error. Context: machine build.
 */
int irq_init(struct irq *irq, const struct irq_ops *ops,
	     void *opaque) __must_check;

/** irq_init_kvm - irq_init() with the ioctl backend on @vm_fd. */
int irq_init_kvm(struct irq *irq, int vm_fd) __must_check;

/** irq_destroy - free the table. Irqfds must have been released. */
void irq_destroy(struct irq *irq);

/**
 * irq_msi_route_add - allocate a GSI and route it to @msg. The table is
 * pushed to KVM (KVM_SET_GSI_ROUTING) before it returns.
 * Return: the GSI (>= IRQ_FIRST_MSI_GSI), -ENOSPC when every MSI GSI is
 * taken, -ENOMEM, or the backend's error (the GSI is then released).
 */
int irq_msi_route_add(struct irq *irq,
		      const struct irq_msi_msg *msg) __must_check;

/**
 * irq_msi_route_update - point the MSI route of @gsi at @msg, in place
 * (an irqfd bound to @gsi follows). Pushes the table only when the route
 * changed. Return: 0, -EINVAL for a GSI that is not an allocated MSI
 * route, or the backend's error.
 */
int irq_msi_route_update(struct irq *irq, unsigned gsi,
			 const struct irq_msi_msg *msg) __must_check;

/**
 * irq_msi_route_release - drop the route of @gsi and free the GSI; the
 * table is pushed. Unknown GSIs are ignored. Unbind irqfds first.
 */
void irq_msi_route_release(struct irq *irq, unsigned gsi);

/**
 * irq_irqfd_assign - make a write to eventfd @fd raise @gsi (KVM_IRQFD).
 * Return: 0, -EINVAL for a bad @fd or @gsi, or the backend's error.
 */
int irq_irqfd_assign(struct irq *irq, int fd, unsigned gsi) __must_check;

/** irq_irqfd_deassign - undo irq_irqfd_assign(). Returns 0 or -errno. */
int irq_irqfd_deassign(struct irq *irq, int fd, unsigned gsi);

/**
 * irq_signal_msi - inject @msg once, without a route (KVM_SIGNAL_MSI).
 * Return: 0 or the backend's error (logged rate-limited).
 */
int irq_signal_msi(struct irq *irq, const struct irq_msi_msg *msg);

/**
 * irq_line_set - drive irqchip input @gsi (< IRQ_NR_IRQCHIP_GSIS) to
 * @level (KVM_IRQ_LINE). Sharing a line between sources is the caller's
 * business (PCI counts its INTx sources per pin).
 * Return: 0, -EINVAL for a GSI >= 24, or the backend's error (logged
 * rate-limited). Context: dm_lock held.
 */
int irq_line_set(struct irq *irq, unsigned gsi, bool level);

/* Number of routing entries currently in the table (tests, debugging). */
unsigned irq_nr_routes(const struct irq *irq);

#endif
