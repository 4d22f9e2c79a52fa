// SPDX-License-Identifier: MIT
/*
 * isa-debug-exit: turns a guest port write into an exit request with
 * QEMU's status encoding. vCPU threads call it with the device-model lock
 * held; the request itself is handled by the owner of the callback.
 */
#include "hw/debug_exit.h"

#include <errno.h>

#define DEBUG_EXIT_PORT_LIMIT 0x10000	/* x86 port space */

int debug_exit_status(uint64_t value)
{
	return (int)(((value << 1) | 1) & 0xff);
}

/* QEMU 7.2 reads back 0, whatever the offset or width. */
static uint64_t debug_exit_io_read(void *opaque, uint64_t offset,
				   unsigned size)
{
	(void)opaque;
	(void)offset;
	(void)size;
	return 0;
}

/*
 * The value is what the guest wrote (the bus zero-extends it from the
 * access width); the offset does not matter, as in QEMU.
 */
static void debug_exit_io_write(void *opaque, uint64_t offset, uint64_t value,
				unsigned size)
{
	struct debug_exit *d = opaque;

	(void)offset;
	(void)size;
	if (d->exit_request)
		d->exit_request(d->opaque, debug_exit_status(value));
}

static const struct io_ops debug_exit_io_ops = {
	.read = debug_exit_io_read,
	.write = debug_exit_io_write,
};

int debug_exit_init(struct debug_exit *d, struct bus *pio, uint16_t iobase,
		    uint16_t iosize, debug_exit_fn *exit_request, void *opaque)
{
	if (!iosize || (uint32_t)iobase + iosize > DEBUG_EXIT_PORT_LIMIT)
		return -EINVAL;
	d->iobase = iobase;
	d->iosize = iosize;
	d->exit_request = exit_request;
	d->opaque = opaque;
	return bus_add(pio, iobase, iosize, &debug_exit_io_ops, d,
		       "isa-debug-exit");
}
