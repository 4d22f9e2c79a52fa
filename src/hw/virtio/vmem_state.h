// SPDX-License-Identifier: MIT
/*
 * virtio-mem block state: the plugged bitmap, the sizes in the device
 * config, and the validation of PLUG/UNPLUG/UNPLUG_ALL/STATE in QEMU's
 * order with QEMU's answers. Pure logic: no KVM, no guest memory, no
 * threads. The glue (virtio_mem.c) calls it with the device-model lock
 * held and performs the side effects (memslots, discard, prealloc)
 * between the check and the commit of a request.
 */
#ifndef FLEXVM_HW_VIRTIO_VMEM_STATE_H
#define FLEXVM_HW_VIRTIO_VMEM_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_mem.h>

#include "hw/virtio/vmem_request.h"
#include "util/compiler.h"
#include "util/error.h"

_Static_assert(sizeof(struct virtio_mem_config) == 56,
	       "virtio-mem config is 56 bytes");

/* QEMU refuses smaller blocks (VIRTIO_MEM_MIN_BLOCK_SIZE). */
#define VMEM_MIN_BLOCK_SIZE (1 * MiB)
/*
 * The usable region extends this far past requested_size (QEMU's x86 value,
 * two 128 MiB Linux memory blocks), so the guest can add whole memory blocks
 * around the requested size.
 */
#define VMEM_USABLE_EXTENT (256 * MiB)

/* What the device is created with (the -device properties, resolved). */
struct vmem_params {
	uint64_t addr;		/* memaddr: gpa of the region */
	uint64_t region_size;	/* the memdev size */
	uint64_t block_size;
	uint64_t requested_size;
};

/*
 * The fields mirror struct virtio_mem_config (host byte order); callers
 * read them freely but change them only through the functions below.
 */
struct vmem_state {
	uint64_t addr;
	uint64_t region_size;
	uint64_t block_size;
	uint64_t usable_region_size;
	uint64_t requested_size;
	uint64_t plugged_size;	/* always popcount(bitmap) * block_size */
	uint64_t nr_blocks;	/* region_size / block_size */
	/* private to vmem_state.c */
	uint64_t *bitmap;	/* bit per block: plugged */
	unsigned block_shift;
};

/**
 * vmem_state_check_block_size - QEMU's checks when 'block-size' is set.
 * Return: 0, or -EINVAL with @err set to "'block-size' property has to be
 * at least 0x100000" or "'block-size' property has to be a power of two".
 */
int vmem_state_check_block_size(uint64_t block_size, struct error *err);

/**
 * vmem_state_check_params - every check vmem_state_init() makes, with
 * QEMU's realize messages, in QEMU's order.
 * @page_size: the memory backend's page size (a power of two).
 *
 * The block-size checks first, then: block size at least @page_size;
 * requested-size, memaddr and the memdev size multiples of the block size.
 * Two checks are flexvm's own (QEMU 7.2 accepts both): requested-size
 * above the memdev size gets the qom-set message "'requested-size' cannot
 * exceed the memory backend size(0x...)", and a region that wraps past
 * 2^64 is refused.
 * Return: 0, or -EINVAL with @err set.
 */
int vmem_state_check_params(const struct vmem_params *p, uint64_t page_size,
			    struct error *err);

/**
 * vmem_state_init - all blocks unplugged, usable region sized for the
 * requested size (QEMU: requested + VMEM_USABLE_EXTENT, 0 if requested 0).
 * Return: 0, -EINVAL when vmem_state_check_params() would fail for a page
 * size of 1, or -ENOMEM (the bitmap: 1 MiB for 16 TiB in 2 MiB blocks).
 */
int vmem_state_init(struct vmem_state *st,
		    const struct vmem_params *p) __must_check;
/* Frees the bitmap; @st may be zeroed or already destroyed. */
void vmem_state_destroy(struct vmem_state *st);

/**
 * vmem_state_set_requested_size - a qom-set of 'requested-size' on a
 * realized device.
 *
 * The usable region grows to cover the new size but never shrinks here
 * (only UNPLUG_ALL and system reset shrink it). The caller sends a config
 * change notification whether or not the value changed, as QEMU does.
 * Return: 0, or -EINVAL with @err set to QEMU's "'requested-size' has to
 * be multiples of 'block-size' (0x...)" or "'requested-size' cannot exceed
 * the memory backend size(0x...)"; the state is then unchanged.
 */
int vmem_state_set_requested_size(struct vmem_state *st, uint64_t size,
				  struct error *err) __must_check;

/**
 * vmem_state_check_plug - phase 1 of PLUG, changing nothing.
 * Return: VIRTIO_MEM_RESP_ERROR for a bad range (unaligned @addr,
 * @nb_blocks 0, a size that wraps, any block outside [addr, addr + usable
 * region)), then VIRTIO_MEM_RESP_NACK when plugged + size > requested, then
 * VIRTIO_MEM_RESP_ERROR if any block is already plugged; otherwise
 * VIRTIO_MEM_RESP_ACK: do the side effects, then vmem_state_commit_plug(),
 * or answer VIRTIO_MEM_RESP_BUSY if they fail.
 */
uint16_t vmem_state_check_plug(const struct vmem_state *st, uint64_t addr,
			       uint16_t nb_blocks);
/**
 * vmem_state_commit_plug - phase 2 of PLUG: mark the blocks plugged and add
 * their size to plugged_size.
 * Return: 0, or -EINVAL (nothing changed) if vmem_state_check_plug() would
 * not answer ACK now.
 */
int vmem_state_commit_plug(struct vmem_state *st, uint64_t addr,
			   uint16_t nb_blocks) __must_check;

/**
 * vmem_state_check_unplug - phase 1 of UNPLUG, changing nothing.
 * Return: VIRTIO_MEM_RESP_ERROR for a bad range (as for PLUG) or if any
 * block is not plugged, else VIRTIO_MEM_RESP_ACK (UNPLUG never NACKs).
 */
uint16_t vmem_state_check_unplug(const struct vmem_state *st, uint64_t addr,
				 uint16_t nb_blocks);
/**
 * vmem_state_commit_unplug - phase 2 of UNPLUG: clear the blocks and take
 * their size off plugged_size.
 * Return: 0, or -EINVAL (nothing changed) if the check would not ACK now.
 */
int vmem_state_commit_unplug(struct vmem_state *st, uint64_t addr,
			     uint16_t nb_blocks) __must_check;

/**
 * vmem_state_unplug_all - UNPLUG_ALL after its side effects succeeded:
 * every block unplugged, plugged_size 0, and the usable region recomputed
 * from requested_size, shrinking if it can (no config notification).
 */
void vmem_state_unplug_all(struct vmem_state *st);
/**
 * vmem_state_system_reset - the device's part of a system reset (not of a
 * virtio reset, which must keep every block): same as UNPLUG_ALL, so the
 * usable region goes back to requested_size + extent.
 */
void vmem_state_system_reset(struct vmem_state *st);

/**
 * vmem_state_query - STATE.
 * @state: set to VIRTIO_MEM_STATE_PLUGGED, _UNPLUGGED or _MIXED on ACK.
 * Return: VIRTIO_MEM_RESP_ERROR for a bad range, else VIRTIO_MEM_RESP_ACK.
 */
uint16_t vmem_state_query(const struct vmem_state *st, uint64_t addr,
			  uint16_t nb_blocks, uint16_t *state);

/**
 * vmem_state_handle - parse, check and commit one request, for callers
 * without side effects (fuzzer, tests).
 * @buf, @len, @resp_space: as for vmem_request_parse().
 * @resp: the response to send, written when the result is
 *	VMEM_VIOLATION_NONE.
 * Return: the protocol violation, if any (then nothing changed).
 */
enum vmem_violation vmem_state_handle(struct vmem_state *st, const void *buf,
				      size_t len, size_t resp_space,
				      uint8_t resp[VMEM_RESP_SIZE]);

/**
 * vmem_state_get_config - the 56-byte device config, little endian.
 * @node_id: the 'node' property (valid for the guest with ACPI_PXM only).
 */
void vmem_state_get_config(const struct vmem_state *st, uint16_t node_id,
			   struct virtio_mem_config *cfg);

/*
 * Block ranges. Blocks are numbered from 0 at st->addr; block b covers
 * [addr + b * block_size, addr + (b + 1) * block_size). Ranges given as
 * (first, nr) are clipped to nr_blocks. Scans work a 64-bit word at a time.
 */

/* Whether block @block is plugged (false past the region). */
bool vmem_state_block_plugged(const struct vmem_state *st, uint64_t block);
/* Number of plugged blocks in [first, first + nr). */
uint64_t vmem_state_count_plugged(const struct vmem_state *st, uint64_t first,
				  uint64_t nr);
/* Whether any block in [first, first + nr) is plugged. */
bool vmem_state_any_plugged(const struct vmem_state *st, uint64_t first,
			    uint64_t nr);
/* Whether every block in [first, first + nr) is plugged (false if nr 0). */
bool vmem_state_all_plugged(const struct vmem_state *st, uint64_t first,
			    uint64_t nr);

/**
 * vmem_state_next_run - find the next maximal run of blocks in state
 * @plugged, clipped to [*pos, end).
 * @pos: where to start; advanced past the run found.
 * @end: block after the last one to look at (clipped to nr_blocks).
 * @run_first, @run_nr: the run.
 * Return: true if a run was found, false when none is left.
 */
bool vmem_state_next_run(const struct vmem_state *st, bool plugged,
			 uint64_t *pos, uint64_t end, uint64_t *run_first,
			 uint64_t *run_nr);

/* Called per run with the run's first block and length in blocks. */
typedef int (*vmem_run_fn)(void *opaque, uint64_t first, uint64_t nr);

/**
 * vmem_state_for_each_run - call @fn for each maximal run of blocks in state
 * @plugged within [first, first + nr), in ascending order; runs that extend
 * past the range are clipped to it.
 * Return: 0, or the first non-zero value @fn returned (iteration stops).
 */
int vmem_state_for_each_run(const struct vmem_state *st, bool plugged,
			    uint64_t first, uint64_t nr, vmem_run_fn fn,
			    void *opaque);

#endif
