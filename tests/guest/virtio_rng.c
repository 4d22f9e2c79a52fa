// SPDX-License-Identifier: MIT
/*
 * The rng scenario: a virtio-rng driver on the virtio-pci layer. It
 * reads N random bytes in several requests, one in flight at a time, and
 * completes each by polling the used ring, by an MSI-X interrupt or by
 * INTx through the I/O APIC (irq=poll|msix|intx). CPL3, BSP.
 */
#include "guest.h"
#include "cpu.h"
#include "scenarios.h"
#include "virtio_irq.h"

#define RNG_MAX_BYTES (256 * 1024)
#define RNG_DEFAULT_BYTES 4096
#define RNG_DEFAULT_CHUNK 512
#define RNG_QUEUE 0 /* "requestq", the only queue */
#define REQUEST_TIMEOUT_MS 5000
#define MIN_COMPARE 8 /* shorter reads may match by chance */

struct rng {
	struct virtio_pci vp;
	struct virtio_irq irq;
	struct virtqueue vq;
	enum virtio_irq_mode mode;
	int slot;              /* the slot that signals a completion, or -1 */
	uint8_t isr_seen;      /* INTx: ISR bits the handler read */
	uint32_t first_len[2]; /* lengths of the first two reads */
	uint64_t min_cycles, max_cycles; /* per request, TSC */
};

static uint8_t rng_buf[RNG_MAX_BYTES] __attribute__((aligned(4096)));

static int parse_mode(enum virtio_irq_mode *mode)
{
	const char *s = cmdline_get("irq");

	*mode = VIRTIO_IRQ_POLL;
	if (!s || !virtio_irq_parse(s, mode))
		return 0;
	fail("bad irq= value '%s' (poll, msix or intx)", s);
	return -1;
}

static int parse_sizes(uint64_t *bytes, uint64_t *chunk)
{
	*bytes = RNG_DEFAULT_BYTES;
	*chunk = RNG_DEFAULT_CHUNK;
	if (cmdline_get_u64("bytes", bytes) < 0 || *bytes < 2 ||
	    *bytes > RNG_MAX_BYTES) {
		fail("bad bytes= value (2 to %u)", RNG_MAX_BYTES);
		return -1;
	}
	if (cmdline_get_u64("chunk", chunk) < 0 || !*chunk ||
	    *chunk > RNG_MAX_BYTES) {
		fail("bad chunk= value (1 to %u)", RNG_MAX_BYTES);
		return -1;
	}
	/* Always at least two requests, so that two reads can be compared. */
	if (*chunk > (*bytes + 1) / 2)
		*chunk = (*bytes + 1) / 2;
	return 0;
}

/* The whole Linux-like init sequence, up to DRIVER_OK. */
static int rng_init(struct rng *r, const char **why)
{
	bool polled = r->mode == VIRTIO_IRQ_POLL;

	if (virtio_pci_negotiate(&r->vp, 0, why))
		return -1;
	printf("rng: features offered 0x%lx, accepted 0x%lx\n",
	       (unsigned long)r->vp.offered, (unsigned long)r->vp.accepted);
	if (virtio_irq_setup(&r->irq, &r->vp, r->mode, why))
		return -1;
	r->slot = virtio_irq_queue_slot(&r->irq);
	if (virtio_pci_setup_queue(&r->vp, &r->vq, RNG_QUEUE, VQ_MAX_SIZE,
				   virtio_irq_queue_vector(&r->irq, RNG_QUEUE,
							   !polled),
				   why))
		return -1;
	vq_set_no_interrupt(&r->vq, polled);
	virtio_pci_driver_ok(&r->vp);
	virtio_irq_start(&r->irq);
	printf("rng: queue %u: %u descriptors, notify at 0x%lx\n", RNG_QUEUE,
	       r->vq.size, (unsigned long)r->vq.notify_addr);
	return 0;
}

/* One request for @len bytes at @buf; returns the bytes, -1 on error. */
static int64_t rng_request(struct rng *r, uint8_t *buf, uint32_t len,
			   const char **why)
{
	struct vq_buf b = { .addr = (uintptr_t)buf, .len = len };
	uint64_t deadline = tsc_deadline_ms(REQUEST_TIMEOUT_MS);
	uint64_t before = r->slot < 0 ? 0 : irq_count((unsigned int)r->slot);
	struct vq_used u;
	int head = vq_add(&r->vq, &b, 0, 1);

	if (head < 0) {
		*why = "no free descriptor";
		return -1;
	}
	vq_kick(&r->vq);
	if (r->slot >= 0) {
		if (!irq_wait((unsigned int)r->slot, before, deadline)) {
			*why = "no interrupt for the request";
			return -1;
		}
		/* After an interrupt the used entry must already be there. */
		deadline = rdtsc();
	}
	if (vq_poll(&r->vq, &u, deadline, why) != 1)
		return -1;
	if (u.head != head) {
		*why = "completion for another request";
		return -1;
	}
	/* virtio 1.2 5.4.6.1: one or more bytes for a non-empty buffer. */
	if (!u.len) {
		*why = "the device returned no bytes";
		return -1;
	}
	if (r->mode == VIRTIO_IRQ_INTX) {
		uint8_t isr = virtio_irq_take_isr(&r->irq);

		r->isr_seen |= isr;
		if (!(isr & VIRTIO_PCI_ISR_QUEUE)) {
			*why = "no interrupt handler read ISR bit 0 (queue)";
			return -1;
		}
	}
	return u.len;
}

/* Fills rng_buf[0, bytes); returns the number of requests, -1 on error. */
static int rng_read_all(struct rng *r, uint32_t bytes, uint32_t chunk)
{
	uint32_t got = 0;
	int requests = 0;
	const char *why = "";

	r->min_cycles = UINT64_MAX;
	while (got < bytes) {
		uint32_t want = bytes - got < chunk ? bytes - got : chunk;
		uint64_t t0 = rdtsc();
		int64_t n = rng_request(r, rng_buf + got, want, &why);
		uint64_t dt = rdtsc() - t0;

		if (dt < r->min_cycles)
			r->min_cycles = dt;
		if (dt > r->max_cycles)
			r->max_cycles = dt;
		if (n < 0) {
			fail("request %d (%u bytes): %s", requests, want, why);
			return -1;
		}
		if (requests < 2)
			r->first_len[requests] = (uint32_t)n;
		got += (uint32_t)n;
		requests++;
	}
	return requests;
}

static bool all_same(const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		if (p[i] != p[0])
			return false;
	}
	return true;
}

static void check_bytes(const struct rng *r, uint32_t bytes)
{
	uint32_t a = r->first_len[0], b = r->first_len[1];
	uint32_t n = a < b ? a : b;

	printf("rng: first bytes %02x %02x %02x %02x %02x %02x %02x %02x\n",
	       rng_buf[0], rng_buf[1], rng_buf[2], rng_buf[3], rng_buf[4],
	       rng_buf[5], rng_buf[6], rng_buf[7]);
	check(!all_same(rng_buf, bytes), "the %u bytes are not all equal",
	      bytes);
	if (n < MIN_COMPARE) {
		printf("rng: first reads too short to compare (%u bytes)\n", n);
		return;
	}
	check(memcmp(rng_buf, rng_buf + a, n) != 0,
	      "two reads differ (%u bytes compared)", n);
}

static void check_interrupts(struct rng *r, uint64_t irqs, int requests)
{
	if (r->mode == VIRTIO_IRQ_POLL) {
		check(irqs == 0, "no interrupts while polling");
		return;
	}
	if (r->mode == VIRTIO_IRQ_MSIX) {
		check(irq_count(VIRTIO_SLOT_CONFIG) == 0,
		      "no config-change interrupt");
		check(irqs == (uint64_t)requests, "one interrupt per request");
		return;
	}
	check(!(r->isr_seen & VIRTIO_PCI_ISR_CONFIG),
	      "no config-change interrupt (ISR bit 1)");
	/*
	 * PVM EOIs at delivery, before the handler has read the ISR, so the
	 * I/O APIC may deliver a level-triggered line a second time; that
	 * handler finds the ISR clear (Linux: IRQ_NONE).
	 */
	check(irqs >= (uint64_t)requests && irqs <= 2 * (uint64_t)requests,
	      "one or two interrupts per request, each request's reading ISR "
	      "bit 0 (%ld extra)", (long)(irqs - (uint64_t)requests));
}

/* Reset, and leave no interrupt source behind. */
static void rng_teardown(struct rng *r)
{
	uint8_t status = virtio_pci_get_status(&r->vp);

	check(!(status & VIRTIO_CONFIG_S_NEEDS_RESET),
	      "device status 0x%02x has no DEVICE_NEEDS_RESET", status);
	check(virtio_pci_reset(&r->vp) == 0, "device reset reads back 0");
	virtio_irq_teardown(&r->irq);
}

static uint64_t total_irqs(void)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < IRQ_SLOTS; i++)
		n += irq_count(i);
	return n;
}

int scenario_rng(void)
{
	static struct rng r;
	uint64_t bytes, chunk, t0, us, irqs;
	const char *why = "";
	struct pci_dev *d;
	int requests;

	if (parse_mode(&r.mode) || parse_sizes(&bytes, &chunk))
		return EXIT_USAGE;
	d = virtio_pci_find(VIRTIO_ID_RNG, 0);
	if (!check(d != NULL, "virtio-rng-pci found"))
		return EXIT_FAIL;
	printf("rng: %02x:%02x.%x %04x:%04x, irq=%s, %lu bytes in chunks of "
	       "%lu\n", d->bus, d->dev, d->fn, d->vendor, d->device,
	       virtio_irq_mode_name(r.mode), (unsigned long)bytes,
	       (unsigned long)chunk);
	if (virtio_pci_probe(&r.vp, d, &why) || rng_init(&r, &why)) {
		fail("virtio-rng set-up: %s", why);
		return EXIT_FAIL;
	}
	irqs = total_irqs();
	t0 = rdtsc();
	requests = rng_read_all(&r, (uint32_t)bytes, (uint32_t)chunk);
	us = tsc_to_us(rdtsc() - t0);
	irqs = total_irqs() - irqs;
	if (requests > 0) {
		printf("rng: %lu bytes in %d requests, irq=%s, %lu "
		       "interrupts\n",
		       (unsigned long)bytes, requests,
		       virtio_irq_mode_name(r.mode),
		       (unsigned long)irqs);
		printf("rng: %lu us, %lu us per request (min %lu, max %lu)\n",
		       (unsigned long)us,
		       (unsigned long)(us / (uint64_t)requests),
		       (unsigned long)tsc_to_us(r.min_cycles),
		       (unsigned long)tsc_to_us(r.max_cycles));
		check_bytes(&r, (uint32_t)bytes);
		check_interrupts(&r, irqs, requests);
	}
	rng_teardown(&r);
	return EXIT_PASS;
}
