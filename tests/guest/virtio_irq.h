// SPDX-License-Identifier: MIT
/*
 * How a virtio-pci device signals the driver, Linux's three ways: not at
 * all (the driver polls the used ring), MSI-X (entry 0 for configuration
 * changes, entry 1 + n for queue n, each to its own vector), or INTx
 * through the I/O APIC with the ISR telling queue from config. One
 * interrupting device at a time (fixed slots of irq.h). CPL3, BSP.
 */
#ifndef GUEST_VIRTIO_IRQ_H
#define GUEST_VIRTIO_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "irq.h"
#include "virtio_pci.h"

enum virtio_irq_mode { VIRTIO_IRQ_POLL, VIRTIO_IRQ_MSIX, VIRTIO_IRQ_INTX };

/* Interrupt slots (irq.h) used by the modes. */
#define VIRTIO_SLOT_QUEUE 0  /* MSI-X queue vectors (all queues share it) */
#define VIRTIO_SLOT_CONFIG 1 /* MSI-X config vector */
#define VIRTIO_SLOT_INTX 2   /* INTx: queue and config, told apart by ISR */

#define VIRTIO_MSIX_CONFIG 0 /* MSI-X table entry for config changes */

struct virtio_irq {
	enum virtio_irq_mode mode;
	struct virtio_pci *vp;
	struct msix msix;
	struct intx_route intx;
};

/* "poll", "msix" or "intx" to a mode; -1 if @s is none of them. */
int virtio_irq_parse(const char *s, enum virtio_irq_mode *mode);
const char *virtio_irq_mode_name(enum virtio_irq_mode mode);

/*
 * Between FEATURES_OK and the queue set-up: for MSI-X, enables it (entries
 * masked by the function mask), programs the config entry and every queue
 * entry the table has, and sets config_msix_vector (it must read back);
 * for INTx, routes the device's pin on the I/O APIC, with the ISR as the
 * handler's acknowledge register. Returns 0, or -1 with *why.
 */
int virtio_irq_setup(struct virtio_irq *vi, struct virtio_pci *vp,
		     enum virtio_irq_mode mode, const char **why);

/*
 * The queue_msix_vector for queue @n: its MSI-X entry, or NO_VECTOR when
 * not using MSI-X or when @interrupt is false (a polled queue).
 */
uint16_t virtio_irq_queue_vector(const struct virtio_irq *vi, unsigned int n,
				 bool interrupt);

/* After DRIVER_OK: lifts the MSI-X function mask. */
void virtio_irq_start(struct virtio_irq *vi);

/* The slot whose count moves for queue completions (poll: none, -1). */
int virtio_irq_queue_slot(const struct virtio_irq *vi);

/* The slot whose count moves for config changes (poll: -1). */
int virtio_irq_config_slot(const struct virtio_irq *vi);

/*
 * INTx: the ISR bits the handler has read since the last call (bit 0
 * queue, bit 1 config); 0 in the other modes.
 */
uint8_t virtio_irq_take_isr(struct virtio_irq *vi);

/* Masks what setup() enabled (call after the device reset). */
void virtio_irq_teardown(struct virtio_irq *vi);

#endif
