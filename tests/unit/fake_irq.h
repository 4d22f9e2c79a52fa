// SPDX-License-Identifier: MIT
/*
 * A fake KVM interrupt backend for unit tests of irq, pci and msix: it
 * records every routing table pushed, irqfd request, line change and
 * MSI, and can be told to fail. Single-threaded tests only.
 */
#ifndef FLEXVM_TESTS_FAKE_IRQ_H
#define FLEXVM_TESTS_FAKE_IRQ_H

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hw/irq.h"

#define FAKE_IRQ_MAX_ROUTES 2048

struct fake_irq {
	/* Routing: the last table pushed. */
	unsigned nr_pushes;
	unsigned nr_routes;
	struct kvm_irq_routing_entry routes[FAKE_IRQ_MAX_ROUTES];
	int fail_routing;		/* -errno to return, or 0 */
	/* irqfd */
	unsigned nr_irqfds;
	struct kvm_irqfd last_irqfd;
	int fail_irqfd;
	/* KVM_IRQ_LINE */
	unsigned nr_lines;
	bool level[IRQ_NR_IRQCHIP_GSIS];
	/* KVM_SIGNAL_MSI */
	unsigned nr_msis;
	struct kvm_msi last_msi;
};

static inline int fake_irq_set_routing(void *opaque,
				       const struct kvm_irq_routing *t)
{
	struct fake_irq *f = opaque;

	if (f->fail_routing)
		return f->fail_routing;
	if (t->nr > FAKE_IRQ_MAX_ROUTES)
		return -EINVAL;
	f->nr_pushes++;
	f->nr_routes = t->nr;
	memcpy(f->routes, t->entries, t->nr * sizeof(t->entries[0]));
	return 0;
}

static inline int fake_irq_irqfd(void *opaque, const struct kvm_irqfd *req)
{
	struct fake_irq *f = opaque;

	if (f->fail_irqfd)
		return f->fail_irqfd;
	f->nr_irqfds++;
	f->last_irqfd = *req;
	return 0;
}

static inline int fake_irq_line(void *opaque, uint32_t gsi, bool level)
{
	struct fake_irq *f = opaque;

	f->nr_lines++;
	if (gsi < IRQ_NR_IRQCHIP_GSIS)
		f->level[gsi] = level;
	return 0;
}

static inline int fake_irq_signal_msi(void *opaque, const struct kvm_msi *m)
{
	struct fake_irq *f = opaque;

	f->nr_msis++;
	f->last_msi = *m;
	return 0;
}

static const struct irq_ops fake_irq_ops = {
	.set_gsi_routing = fake_irq_set_routing,
	.irqfd = fake_irq_irqfd,
	.irq_line = fake_irq_line,
	.signal_msi = fake_irq_signal_msi,
};

/* The MSI route of @gsi in the last pushed table, or NULL. */
static inline const struct kvm_irq_routing_entry *
fake_irq_find_msi(const struct fake_irq *f, unsigned gsi)
{
	for (unsigned i = 0; i < f->nr_routes; i++)
		if (f->routes[i].gsi == gsi &&
		    f->routes[i].type == KVM_IRQ_ROUTING_MSI)
			return &f->routes[i];
	return NULL;
}

#endif
