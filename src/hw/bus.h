// SPDX-License-Identifier: MIT
/*
 * Port-I/O and MMIO buses: sorted arrays of non-overlapping regions, each
 * routed to a device's io_ops. vCPU threads dispatch their exits here with
 * the device-model lock held; devices register during machine build.
 */
#ifndef FLEXVM_HW_BUS_H
#define FLEXVM_HW_BUS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/compiler.h"

/*
 * Device callbacks. @offset is relative to the region base; @size is 1, 2,
 * 4 or 8 and the access never runs past the region's end (the bus checks).
 * Values are little endian in the low @size bytes. Either callback may be
 * NULL: reads then return all ones, writes are ignored.
 */
struct io_ops {
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
	void (*write)(void *opaque, uint64_t offset, uint64_t value,
		      unsigned size);
};

struct io_region {
	uint64_t base;
	uint64_t len;
	const struct io_ops *ops;
	void *opaque;
	const char *name;
};

struct bus {
	const char *name;	/* "pio" or "mmio", for messages */
	struct io_region *regions;
	unsigned nr_regions;
	unsigned capacity;
};

void bus_init(struct bus *bus, const char *name);
void bus_destroy(struct bus *bus);

/*
 * bus_add - route [base, base + len) to @ops. Returns 0, -EINVAL for an
 * empty or wrapping range or NULL @ops, -EBUSY when it overlaps a region,
 * -ENOMEM. Lookups are O(log n); add and remove move the array tail.
 */
int bus_add(struct bus *bus, uint64_t base, uint64_t len,
	    const struct io_ops *ops, void *opaque,
	    const char *name) __must_check;

/* bus_remove - drop the region that starts at @base. 0 or -ENOENT. */
int bus_remove(struct bus *bus, uint64_t base);

/* The region containing @addr, or NULL. */
const struct io_region *bus_find(const struct bus *bus, uint64_t addr);

/*
 * bus_read/bus_write - dispatch an access of @size bytes at @addr; @data is
 * the byte buffer of kvm_run (little endian, as x86).
 * An access that no region fully contains, or whose size is not 1, 2, 4
 * or 8, is unassigned: reads fill @data with 0xff bytes (an open bus, like
 * an empty ISA slot), writes are dropped, and false is returned so the
 * caller may log it. Context: device-model lock held.
 */
bool bus_read(const struct bus *bus, uint64_t addr, void *data, unsigned size);
bool bus_write(const struct bus *bus, uint64_t addr, const void *data,
	       unsigned size);

#endif
