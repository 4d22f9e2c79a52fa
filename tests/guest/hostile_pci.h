// SPDX-License-Identifier: MIT
/*
 * Shared by the PCI, BAR, MSI-X and virtio-pci register attacks
 * (hostile_pci.c, hostile_bar.c, hostile_msix.c, hostile_vpci.c): the
 * attack entry points, a check helper that prints one FAIL line per
 * mismatch, and a small polled virtio-rng driver the attacks abuse and
 * then use to prove the device still works. CPL3, BSP, no locking.
 */
#ifndef GUEST_HOSTILE_PCI_H
#define GUEST_HOSTILE_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "guest.h"
#include "virtio_irq.h"

#define HP_SETTLE_MS 50     /* how long "nothing happens" is watched */
#define HP_REQUEST_MS 2000  /* a request that must complete */
#define HP_RNG_QUEUE_SIZE 8

/* BAR 4 layout of flexvm's (and QEMU's) virtio-pci: docs/virtio.md. */
#define HP_BAR4_SIZE 0x4000
#define HP_DEVICE_OFFSET 0x2000
#define HP_NOTIFY_OFFSET 0x3000

/* Offsets in the common configuration (<linux/virtio_pci.h> names). */
#define HP_CC(x) VIRTIO_PCI_COMMON_##x

/*
 * The attack's check: prints "FAIL: hostile: <attack>: <text>" and counts
 * when @ok is false. hp_begin() names the attack and zeroes the count;
 * hp_end() returns 0 if nothing failed.
 */
void hp_begin(const char *attack);
bool hp_check(bool ok, const char *fmt, ...) __printf(2, 3);
int hp_end(void);

/* The first function of a virtio type, BARs sized; NULL + FAIL if none. */
struct pci_dev *hp_find(uint16_t virtio_id);

/* A virtio-rng driver with one polled queue (interrupts optional). */
struct hp_rng {
	struct virtio_pci vp;
	struct virtio_irq irq;
	struct virtqueue vq;
	uint8_t buf[HP_RNG_QUEUE_SIZE][64];
};

/*
 * Probes the first virtio-rng-pci function and negotiates (VERSION_1
 * only) up to FEATURES_OK. Returns 0, or -1 after a FAIL line.
 */
int hp_rng_probe(struct hp_rng *r);

/*
 * hp_rng_probe(), interrupts in @mode (the queue on MSI-X entry 1),
 * queue 0, DRIVER_OK, and for MSI-X the function mask lifted. With
 * @irq_off the driver asks for no used-buffer notifications.
 */
int hp_rng_live(struct hp_rng *r, enum virtio_irq_mode mode, bool irq_off);

/* Adds one 64-byte read request (not kicked); returns the head or -1. */
int hp_rng_add(struct hp_rng *r);

/*
 * Waits up to @ms for the completion of @head: 1 completed, 0 not, -1
 * bogus used element (FAIL printed).
 */
int hp_rng_wait(struct hp_rng *r, int head, uint64_t ms);

/* A whole request: add, kick, complete within HP_REQUEST_MS. */
bool hp_rng_works(struct hp_rng *r);

/* Resets the device and undoes the interrupt set-up. */
void hp_rng_down(struct hp_rng *r);

/* The used index the device has published. */
uint16_t hp_used_idx(const struct virtqueue *vq);

/* The BAR register pair of BAR @i as one 64-bit address (type bits off). */
uint64_t hp_bar_get(const struct pci_dev *d, unsigned int i);
/* Writes BAR @i (both halves of a 64-bit BAR, low first). */
void hp_bar_set(const struct pci_dev *d, unsigned int i, uint64_t addr);

/* hostile_pci.c: configuration space */
int hp_cfg_readonly_header(void);
int hp_cfg_command_status(void);
int hp_cfg_access_widths(void);
int hp_cfg_latch_abuse(void);
int hp_cfg_absent_functions(void);

/* hostile_bar.c: BARs and the command register */
int hp_bar_over_ram(void);
int hp_bar_over_device_memory(void);
int hp_bar_over_other_bar(void);
int hp_bar_over_apic(void);
int hp_bar_out_of_reach(void);
int hp_bar_high_dword(void);
int hp_bar_sizing_live(void);
int hp_bar_move_live(void);
int hp_decode_off(void);
int hp_bus_master_off(void);

/* hostile_msix.c */
int hp_msix_vector_range(void);
int hp_msix_table_widths(void);
int hp_msix_pba_readonly(void);
int hp_msix_mask_storm(void);
int hp_msix_bad_address(void);
int hp_msix_intx_exclusive(void);

/* hostile_vpci.c: virtio-pci registers */
int hp_vpci_queue_select(void);
int hp_vpci_readonly_fields(void);
int hp_vpci_access_widths(void);
int hp_vpci_renegotiation(void);
int hp_vpci_status_abuse(void);
int hp_vpci_bad_ring(void);
int hp_vpci_notify_abuse(void);
int hp_vpci_isr_abuse(void);
int hp_vpci_devcfg_readonly(void);
int hp_vpci_cfg_window(void);

#endif
