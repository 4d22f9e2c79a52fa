// SPDX-License-Identifier: MIT
/*
 * The PCI machine shared by the PCI fuzz harnesses, and the build-once,
 * reset-per-input driver around it. Building the bus, MSI-X eventfds and
 * irq table per input cost more than the input itself, so each input
 * runs on a machine a checked system reset brought back to its first
 * state. Single-threaded.
 */
#include <string.h>

#include "util/error.h"
#include "util/log.h"

#include "fuzz.h"
#include "fuzz_machine.h"

int fuzz_machine_init(struct fuzz_machine *m)
{
	struct error err = { 0 };

	if (irq_init(&m->irq, &fake_irq_ops, &m->fake) ||
	    memmap_init(&m->mm, 128 * MiB, 0, 40, &err))
		return -1;
	bus_init(&m->pio, "pio");
	bus_init(&m->mmio, "mmio");
	return pci_bus_init(&m->pci, &m->pio, &m->mmio, &m->irq, &m->mm) ?
	       -1 : 0;
}

void fuzz_machine_destroy(struct fuzz_machine *m)
{
	pci_bus_destroy(&m->pci);
	bus_destroy(&m->pio);
	bus_destroy(&m->mmio);
	irq_destroy(&m->irq);
}

static void snapshot_regions(const struct bus *bus, struct io_region *out,
			     unsigned *nr)
{
	*nr = bus->nr_regions;
	CHECK(*nr <= FUZZ_MACHINE_MAX_REGIONS);
	/* A bus with no regions has no array either. */
	if (*nr)
		memcpy(out, bus->regions, *nr * sizeof(out[0]));
}

void fuzz_machine_snapshot(const struct fuzz_machine *m,
			   const struct pci_device *msix_dev,
			   struct fuzz_machine_snapshot *s)
{
	const struct kvm_irq_routing *t = m->irq.table;
	const struct msix *msix = msix_dev->msix;

	memset(s, 0, sizeof(*s));
	s->pci = m->pci;
	s->pci.rl = (struct ratelimit){ 0 };
	CHECK(msix->nr_vectors <= FUZZ_MACHINE_MAX_VEC);
	memcpy(s->vec, msix->vectors, msix->nr_vectors * sizeof(s->vec[0]));
	s->pba = msix->pba[0];
	s->irq = m->irq;
	s->irq.rl = (struct ratelimit){ 0 };
	s->nr_routes = t->nr;
	CHECK(t->nr <= FUZZ_MACHINE_MAX_ROUTES);
	memcpy(s->routes, t->entries, t->nr * sizeof(t->entries[0]));
	snapshot_regions(&m->pio, s->pio, &s->nr_pio);
	snapshot_regions(&m->mmio, s->mmio, &s->nr_mmio);
}

void fuzz_machine_reset(struct fuzz_machine *m,
			const struct fuzz_machine_snapshot *first)
{
	struct error err = { 0 };

	pci_bus_reset(&m->pci);
	CHECK(pci_bus_assign_bars(&m->pci, &err) == 0);
	if (first && m->irq.table->nr == first->nr_routes)
		memcpy(m->irq.table->entries, first->routes,
		       first->nr_routes * sizeof(first->routes[0]));
}

/* A machine as after power-on and firmware, and what a reset restores. */
static void rig_build(struct fuzz_rig *r, bool built)
{
	if (built)
		r->destroy(r->fixture);
	CHECK(r->init(r->fixture) == 0);
	r->reset(r->fixture, NULL);
	r->snapshot(r->fixture, r->first);
}

void fuzz_rig_begin(struct fuzz_rig *r)
{
	if (r->inputs++ % FUZZ_RIG_REBUILD_EVERY)
		return;
	/* Warnings about bad input are expected: writing them is waste. */
	log_set_level(LOG_ERROR);
	if (r->inputs == 1)
		rig_build(r, false);
	rig_build(r, true);
}

void fuzz_rig_settle(struct fuzz_rig *r)
{
	r->snapshot(r->fixture, r->now);
	if (!memcmp(r->now, r->first, r->snapshot_size))
		return;
	r->reset(r->fixture, r->first);
	r->snapshot(r->fixture, r->now);
	CHECK(memcmp(r->now, r->first, r->snapshot_size) == 0);
}
