// SPDX-License-Identifier: MIT
/*
 * Stand-ins for the -device constructors and destructors that
 * device_types.c points to, linked only into the libFuzzer build of
 * fuzz_opts: the real ones pull in the whole VMM, and parsing the command
 * line never calls them (an abort here would be a finding). The gcc
 * replay links the real ones.
 */
#include <stdlib.h>

#include "hw/virtio/virtio_mem.h"
#include "hw/virtio/virtio_rng.h"

int virtio_mem_pci_create(struct vm *vm, const struct opts *o, void **dev,
			  struct error *err)
{
	(void)vm;
	(void)o;
	(void)dev;
	(void)err;
	abort();
}

void virtio_mem_pci_destroy(struct vm *vm, void *dev)
{
	(void)vm;
	(void)dev;
	abort();
}

int virtio_rng_pci_create(struct vm *vm, const struct opts *o, void **dev,
			  struct error *err)
{
	(void)vm;
	(void)o;
	(void)dev;
	(void)err;
	abort();
}

void virtio_rng_pci_destroy(struct vm *vm, void *dev)
{
	(void)vm;
	(void)dev;
	abort();
}
