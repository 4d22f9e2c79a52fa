// SPDX-License-Identifier: MIT
/*
 * Stand-ins for the -device constructors that device_types.c points to,
 * linked only into the libFuzzer build of fuzz_opts: the real ones pull
 * in the whole VMM, and parsing the command line never calls them (an
 * abort here would be a finding). The gcc replay links the real ones.
 */
#include <stdlib.h>

#include "hw/virtio/virtio_mem.h"
#include "hw/virtio/virtio_rng.h"

int virtio_mem_pci_create(struct vm *vm, const struct opts *o,
			  struct error *err)
{
	(void)vm;
	(void)o;
	(void)err;
	abort();
}

int virtio_rng_pci_create(struct vm *vm, const struct opts *o,
			  struct error *err)
{
	(void)vm;
	(void)o;
	(void)err;
	abort();
}
