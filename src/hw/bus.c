// SPDX-License-Identifier: MIT
/*
 * Port-I/O and MMIO dispatch: a sorted array of non-overlapping regions,
 * searched by binary search on every exit. Regions are added and removed
 * with the device-model lock held (machine build, BAR programming); vCPU
 * threads dispatch with the same lock held, so no further locking here.
 */
#include "hw/bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BUS_MIN_CAPACITY 16

void bus_init(struct bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
}

void bus_destroy(struct bus *bus)
{
	free(bus->regions);
	bus->regions = NULL;
	bus->nr_regions = 0;
	bus->capacity = 0;
}

/* Index of the first region whose base is > @addr. */
static unsigned bus_upper_bound(const struct bus *bus, uint64_t addr)
{
	unsigned lo = 0, hi = bus->nr_regions, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (bus->regions[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int bus_grow(struct bus *bus)
{
	unsigned cap = bus->capacity ? bus->capacity * 2 : BUS_MIN_CAPACITY;
	struct io_region *r;

	if (cap < bus->capacity)
		return -ENOMEM;
	r = realloc(bus->regions, cap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	bus->regions = r;
	bus->capacity = cap;
	return 0;
}

int bus_add(struct bus *bus, uint64_t base, uint64_t len,
	    const struct io_ops *ops, void *opaque, const char *name)
{
	unsigned pos;
	int ret;

	if (!len || base > UINT64_MAX - (len - 1) || !ops)
		return -EINVAL;
	/* Neighbours: the region starting at or below base, and the next. */
	pos = bus_upper_bound(bus, base);
	if (pos > 0 && base - bus->regions[pos - 1].base <
			       bus->regions[pos - 1].len)
		return -EBUSY;
	if (pos < bus->nr_regions && bus->regions[pos].base - base < len)
		return -EBUSY;
	if (bus->nr_regions == bus->capacity) {
		ret = bus_grow(bus);
		if (ret)
			return ret;
	}
	memmove(&bus->regions[pos + 1], &bus->regions[pos],
		(bus->nr_regions - pos) * sizeof(*bus->regions));
	bus->regions[pos] = (struct io_region){ .base = base, .len = len,
						.ops = ops, .opaque = opaque,
						.name = name };
	bus->nr_regions++;
	return 0;
}

int bus_remove(struct bus *bus, uint64_t base)
{
	unsigned pos = bus_upper_bound(bus, base);

	if (pos == 0 || bus->regions[pos - 1].base != base)
		return -ENOENT;
	pos--;
	memmove(&bus->regions[pos], &bus->regions[pos + 1],
		(bus->nr_regions - pos - 1) * sizeof(*bus->regions));
	bus->nr_regions--;
	return 0;
}

const struct io_region *bus_find(const struct bus *bus, uint64_t addr)
{
	unsigned pos = bus_upper_bound(bus, addr);
	const struct io_region *r;

	if (pos == 0)
		return NULL;
	r = &bus->regions[pos - 1];
	return addr - r->base < r->len ? r : NULL;
}

static bool bus_size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/*
 * The region that holds all of [addr, addr + size), or NULL. An access
 * that starts in a region but runs past its end is not given to the
 * device: the device would see an offset + size beyond what it registered.
 */
static const struct io_region *bus_route(const struct bus *bus, uint64_t addr,
					 unsigned size)
{
	const struct io_region *r;

	if (!bus_size_ok(size))
		return NULL;
	r = bus_find(bus, addr);
	if (!r || size > r->len || addr - r->base > r->len - size)
		return NULL;
	return r;
}

bool bus_read(const struct bus *bus, uint64_t addr, void *data, unsigned size)
{
	const struct io_region *r = bus_route(bus, addr, size);
	uint8_t *bytes = data;
	uint64_t value;
	unsigned i;

	if (!r) {
		/* Nothing drives the lines: an open bus reads as all ones. */
		memset(data, 0xff, MIN(size, 8u));
		return false;
	}
	if (!r->ops->read) {
		memset(data, 0xff, size);	/* a write-only device */
		return true;
	}
	/* x86 is little endian: byte i of the access is bits 8i..8i+7 */
	value = r->ops->read(r->opaque, addr - r->base, size);
	for (i = 0; i < size; i++)
		bytes[i] = (uint8_t)(value >> (8 * i));
	return true;
}

bool bus_write(const struct bus *bus, uint64_t addr, const void *data,
	       unsigned size)
{
	const struct io_region *r = bus_route(bus, addr, size);
	const uint8_t *bytes = data;
	uint64_t value = 0;
	unsigned i;

	if (!r)
		return false;
	for (i = 0; i < size; i++)
		value |= (uint64_t)bytes[i] << (8 * i);
	if (r->ops->write)
		r->ops->write(r->opaque, addr - r->base, value, size);
	return true;
}
