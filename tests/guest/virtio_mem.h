// SPDX-License-Identifier: MIT
/*
 * virtio-mem driver of the test guest, in two layers. virtio_mem.c is the
 * transport-facing part: probe, feature negotiation (VERSION_1 and
 * UNPLUGGED_INACCESSIBLE), the 56-byte config, one request queue with one
 * request in flight, and the events (queue completions, config changes)
 * by polling, MSI-X or INTx. vmem_sbm.c is the Linux-like policy on top:
 * Sub Block Mode, plug upward, unplug from the top, follow requested_size,
 * and the pattern in plugged memory. CPL3, BSP, no locking.
 */
#ifndef GUEST_VIRTIO_MEM_H
#define GUEST_VIRTIO_MEM_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_mem.h>

#include "virtio_irq.h"

#define SZ_1M (1ULL << 20)
#define SZ_2M (2ULL << 20)
#define SZ_128M (128ULL << 20)
#define SZ_1G (1ULL << 30)

#define VMEM_SB_MIN SZ_2M  /* Linux: pageblock size on x86-64 */
#define VMEM_MB_MIN SZ_128M /* Linux: memory block size on x86-64 */
#define VMEM_REQ_SIZE 24
#define VMEM_RESP_SIZE 10

_Static_assert(sizeof(struct virtio_mem_req) == VMEM_REQ_SIZE,
	       "virtio-mem request is 24 bytes");
_Static_assert(sizeof(struct virtio_mem_resp) == VMEM_RESP_SIZE,
	       "virtio-mem response is 10 bytes");
_Static_assert(sizeof(struct virtio_mem_config) == 56,
	       "virtio-mem config is 56 bytes");

/* How the pattern samples plugged memory: a word per page or per 2 MiB. */
enum vmem_pattern { VMEM_PATTERN_NONE, VMEM_PATTERN_PAGE,
		    VMEM_PATTERN_BLOCK };

struct vmem {
	struct virtio_pci vp;
	struct virtio_irq irq;
	struct virtqueue vq;
	enum virtio_irq_mode mode;
	struct virtio_mem_config cfg; /* as last read */
	/* Events seen by vmem_events(), and what the caller consumed. */
	uint64_t config_irqs, queue_irqs, config_seen;
	uint64_t msix_config_count, msix_queue_count; /* slot counts seen */
	uint64_t requests, nacks, busy;
	/* Sub Block Mode (vmem_sbm.c): [first, first + plugged) plugged. */
	uint64_t sb_size, mb_size, first, plugged;
	enum vmem_pattern pattern;
	uint64_t seed;
	bool broken;
};

/* The result of one request: the response type, and state for STATE. */
struct vmem_resp {
	uint16_t type;  /* VIRTIO_MEM_RESP_* */
	uint16_t state; /* VIRTIO_MEM_STATE_* (STATE + ACK) */
	uint32_t used_len;
};

/* "ACK", "NACK", "BUSY", "ERROR" or "?" */
const char *vmem_resp_name(uint16_t type);
/* "PLUGGED", "UNPLUGGED", "MIXED" or "?" */
const char *vmem_state_name(uint16_t state);

/*
 * Finds the first virtio-mem-pci function, probes its capabilities and
 * runs vmem_init(). @mode may be VIRTIO_IRQ_MSIX only if the function has
 * MSI-X (vmem_has_msix() tells beforehand). Returns 0, or -1 with *why.
 */
int vmem_probe(struct vmem *v, enum virtio_irq_mode mode, const char **why);
bool vmem_has_msix(void);

/*
 * The driver's init sequence after a device reset: negotiate, interrupts,
 * queue 0, DRIVER_OK, read the config. Touches no block (a virtio reset
 * must not change any either). Returns 0, or -1 with *why.
 */
int vmem_init(struct vmem *v, const char **why);

/* Resets the device and releases the queue and the interrupts. */
int vmem_reset(struct vmem *v);

/* Re-reads the whole config into v->cfg; -1 if it never stabilised. */
int vmem_read_config(struct vmem *v);

/* Re-reads requested_size and usable_region_size only (cheaper). */
int vmem_read_sizes(struct vmem *v);

/*
 * Takes pending interrupts into the counters: MSI-X slot counts, or the
 * ISR bits the INTx handler read. Returns true if a config-change
 * interrupt arrived since the last vmem_take_config_change().
 */
bool vmem_events(struct vmem *v);
bool vmem_take_config_change(struct vmem *v);

/*
 * One well-formed request (24-byte request, 10-byte response), waited for
 * by the queue's interrupt mode. Returns 0 and fills *r, or -1 with *why
 * (timeout, bogus used element, wrong used length).
 */
int vmem_request(struct vmem *v, uint16_t type, uint64_t addr,
		 uint16_t nb_blocks, struct vmem_resp *r, const char **why);

/*
 * Any chain of buffers (directions from vq_buf.write), waited for at most
 * @timeout_ms. Returns 1 with *u if completed, 0 if not (the device may
 * legitimately drop a malformed element), -1 on a bogus used element.
 */
int vmem_submit_raw(struct vmem *v, const struct vq_buf *bufs,
		    unsigned int n, uint64_t timeout_ms, struct vq_used *u,
		    const char **why);

/* Guest-physical addresses of the driver's own request/response buffers. */
struct virtio_mem_req *vmem_req_buf(void);
struct virtio_mem_resp *vmem_resp_buf(void);

/* vmem_sbm.c: the Linux-like policy. */

/*
 * After vmem_probe(): the Sub Block Mode geometry, then UNPLUG_ALL if the
 * device reports plugged memory (as Linux does at probe). Returns 0, or
 * -1 (FAIL line printed).
 */
int vmem_sbm_start(struct vmem *v);

/* The plugged size the driver aims for with the current config. */
uint64_t vmem_sbm_target(const struct vmem *v);

/*
 * Plugs or unplugs toward vmem_sbm_target(), re-reading the config when
 * a config change arrives or the device answers NACK, backing off on
 * BUSY. Returns 0 when plugged == target, -1 on ERROR (the driver is then
 * broken, as Linux's), a transport failure or a timeout (FAIL printed).
 */
int vmem_sbm_settle(struct vmem *v, uint64_t timeout_ms);

/*
 * One Linux-like step from plugged toward @target: the request a Linux
 * driver would send next. Returns 1 (ACK), 0 (NACK/BUSY: retry), -1.
 */
int vmem_sbm_step(struct vmem *v, uint64_t target);

/*
 * Pattern bookkeeping across a resize from @old_plugged to v->plugged:
 * verifies [first, first + min) and writes [first + old, first + new)
 * (mapped first). Prints "vmem: pattern ok, <n> MiB checked, ..." or a
 * FAIL with the first bad address. Returns 0 or -1.
 */
int vmem_pattern_update(struct vmem *v, uint64_t old_plugged);

/* Writes/verifies the pattern of one range (mapped by the caller). */
void vmem_pattern_fill(const struct vmem *v, uint64_t start, uint64_t end);
uint64_t vmem_pattern_verify(const struct vmem *v, uint64_t start,
			     uint64_t end, uint64_t *first_bad);
uint64_t vmem_pattern_stride(const struct vmem *v);

/* vmem_invalid.c: the mode=invalid scenario after vmem_probe(). */
int vmem_invalid_run(struct vmem *v);

#endif
