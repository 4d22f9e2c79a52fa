// SPDX-License-Identifier: MIT
/*
 * Shared by the virtqueue attacks (hostile_virtio.c) and the virtio-mem
 * attacks (hostile_vmem.c): raw ring writes that bypass the driver's
 * bookkeeping, device set-up with chosen features, and the check that a
 * device answered a protocol error the way flexvm prescribes
 * (DEVICE_NEEDS_RESET, a config interrupt, nothing used). CPL3, BSP.
 */
#ifndef GUEST_HOSTILE_VIRTIO_H
#define GUEST_HOSTILE_VIRTIO_H

#include <stdint.h>

#include "hostile_util.h"
#include "virtio_mem.h"

#define HV_TIMEOUT_MS 2000
#define VMEM_QSIZE 16
#define RNG_QSIZE 8
#define F_NEXT VRING_DESC_F_NEXT
#define F_WRITE VRING_DESC_F_WRITE
#define F_INDIRECT VRING_DESC_F_INDIRECT
#define HV_FEAT_INDIRECT (1ULL << VIRTIO_RING_F_INDIRECT_DESC)
#define HV_FEAT_UNPLUGGED (1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE)

/* Request and response buffers in guest RAM, 64 bytes each. */
extern uint8_t hv_req[64], hv_resp[64];
/* A scratch page, for indirect tables and oversized chains. */
extern uint8_t hv_page[4096];

/* Writes descriptor @i of @vq as given. */
void hv_desc(struct virtqueue *vq, uint16_t i, uint64_t addr, uint32_t len,
	     uint16_t flags, uint16_t next);

/* Makes @head available and kicks, bypassing the free list. */
void hv_publish(struct virtqueue *vq, uint16_t head);

/* used->idx as the device last wrote it. */
uint16_t hv_used_idx(const struct virtqueue *vq);

/* Fills hv_req with a virtio-mem request (zero padding). */
void hv_fill_req(uint16_t type, uint64_t addr, uint16_t nb_blocks);

/*
 * After a protocol error: within HV_TIMEOUT_MS the status shows
 * DEVICE_NEEDS_RESET, the ISR has the config bit (the caller cleared it
 * before the attack), used->idx is still @used_want, and a further kick
 * changes nothing. Prints a FAIL line naming @name otherwise; 0 or -1.
 */
int hv_expect_broken(struct virtio_pci *vp, struct virtqueue *vq,
		     uint16_t used_want, const char *name);

/*
 * Waits for used->idx to reach @want; the device must not have set
 * DEVICE_NEEDS_RESET. 0, or -1 with a FAIL line.
 */
int hv_expect_used(struct virtio_pci *vp, struct virtqueue *vq,
		   uint16_t want, const char *name);

/*
 * Resets the runner's virtio-mem device and sets it up again, polled,
 * with UNPLUGGED_INACCESSIBLE plus @features, a queue of @qsize.
 */
int hv_vmem_up(struct vmem *v, uint64_t features, uint16_t qsize,
	       const char **why);

/* virtio-rng, polled, with @features: probed, DRIVER_OK. */
struct hv_rng {
	struct virtio_pci vp;
	struct virtqueue vq;
};
int hv_rng_up(struct hv_rng *r, uint64_t features, const char **why);

/* The first block of the region that the baseline left unplugged. */
uint64_t hv_unplugged_block(const struct vmem *v);

/* 2^MAXPHYADDR: the first address beyond guest-physical space. */
uint64_t hv_top_of_phys(void);

/* The runner's virtio-mem device with its ISR cleared; NULL: FAIL line. */
struct vmem *hv_vmem_dev(const char *name);

/* hostile_vring.c: queue set-up, notifies, virtio-rng buffers, rings. */
int hv_used_over_desc(void);
int hv_used_in_pci_hole(void);
int hv_desc_above_phys(void);
int hv_queue_size_bad(void);
int hv_notify_storm_empty(void);
int hv_notify_bad_index(void);
int hv_rng_above_phys(void);
int hv_rng_unplugged(void);
int hv_rng_past_ram_end(void);
int hv_rings_in_unplugged(void);
int hv_unplug_own_rings(void);

/* hostile_vmem.c: the attacks on virtio-mem's request handling. */
int hv_vmem_race_request(void);
int hv_vmem_unplug_all_then_plug(void);
int hv_vmem_batch_violation(void);
int hv_vmem_garbage_model(void);

#endif
