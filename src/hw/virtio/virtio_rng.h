// SPDX-License-Identifier: MIT
/*
 * virtio entropy device (virtio 1.2 §5.4, device id 4) and its PCI
 * wrapper, QEMU's virtio-rng-pci: one request queue of 8 entries whose
 * device-writable buffers are filled from getrandom(2), with QEMU's
 * max-bytes/period rate limit. No config space, no feature bits of its
 * own. Context: dm_lock held (queue handler on the main loop or a vCPU
 * thread, rate-limit timer on the main loop, creation at machine build).
 */
#ifndef FLEXVM_HW_VIRTIO_VIRTIO_RNG_H
#define FLEXVM_HW_VIRTIO_VIRTIO_RNG_H

#include <stdint.h>
#include <sys/types.h>

#include "hw/virtio/virtio.h"
#include "mem/guest_mem.h"
#include "util/compiler.h"
#include "util/error.h"
#include "util/log.h"

struct vm;
struct opts;

#define VIRTIO_RNG_QUEUE_SIZE		8	/* as QEMU */
#define VIRTIO_RNG_MAX_REQUEST		(64 * 1024)	/* per chain */
/* QEMU's property defaults: effectively unlimited, per 65.536 s. */
#define VIRTIO_RNG_DEFAULT_MAX_BYTES	((uint64_t)INT64_MAX)
#define VIRTIO_RNG_DEFAULT_PERIOD_MS	(1U << 16)

/* Fills @buf with up to @len random bytes; returns the count or -1. */
typedef ssize_t (*virtio_rng_entropy_fn)(void *buf, size_t len);

struct virtio_rng {
	struct virtio_device vdev;
	uint64_t max_bytes;	/* per period */
	uint32_t period_ms;
	uint64_t quota;		/* bytes left in the current period */
	virtio_rng_entropy_fn entropy;	/* getrandom(2); tests swap it */
	struct ratelimit rl;	/* entropy source failures */
};

/**
 * virtio_rng_init - the device model with its one queue
 * @rng: zeroed or not; fully initialised here
 * @gm: guest memory the queue reaches
 * @max_bytes: bytes per period (QEMU's max-bytes)
 * @period_ms: the period (QEMU's period)
 */
void virtio_rng_init(struct virtio_rng *rng, const struct guest_mem *gm,
		     uint64_t max_bytes, uint32_t period_ms);

/**
 * virtio_rng_process - fill available chains while quota remains: each
 * gets min(its writable length, 64 KiB, quota) random bytes; one used
 * buffer notification for the batch. A protocol error in the queue
 * stops processing (the device then needs a reset).
 */
void virtio_rng_process(struct virtio_rng *rng);

/** virtio_rng_new_period - refill the quota and process waiting chains. */
void virtio_rng_new_period(struct virtio_rng *rng);

/* -device virtio-rng-pci properties, checked as QEMU 7.2 does. */
struct virtio_rng_pci_props {
	const char *id;		/* NULL or a well-formed id (in @o) */
	uint64_t max_bytes;
	uint32_t period_ms;
};

/**
 * virtio_rng_pci_parse - read and check the -device options
 * @o: parsed "virtio-rng-pci,..." options
 * @p: filled with the values or QEMU's defaults
 * @err: QEMU 7.2's message: "Parameter 'id' expects an identifier",
 *       "Parameter 'max-bytes' expects integer", "Parameter 'period'
 *       expects uint32_t", "Property 'virtio-rng-pci.KEY' not found",
 *       "'period' parameter expects a positive integer", "'max-bytes'
 *       parameter must be non-negative, and less than 2^63"
 * Return: 0 or -EINVAL.
 */
int virtio_rng_pci_parse(const struct opts *o, struct virtio_rng_pci_props *p,
			 struct error *err) __must_check;

/**
 * virtio_rng_pci_create - -device virtio-rng-pci[,id=ID][,max-bytes=N]
 * [,period=MS]: build the device, plug it on the machine's PCI bus and
 * register /machine/peripheral/ID. Errors in QEMU 7.2's words, e.g.
 * "Property 'virtio-rng-pci.foo' not found". *@dev is set once the PCI
 * bus refers to the device (struct device_type).
 * Return: 0 or -errno. Context: machine build (device_types.c).
 */
int virtio_rng_pci_create(struct vm *vm, const struct opts *o, void **dev,
			  struct error *err);

/**
 * virtio_rng_pci_destroy - free a device virtio_rng_pci_create() made:
 * its ioeventfds, rate-limit timer and strings (not its QOM node: the
 * tree may be gone already). Context: vm_destroy() (device_destroy_all).
 */
void virtio_rng_pci_destroy(struct vm *vm, void *dev);

#endif
