// SPDX-License-Identifier: MIT
/*
 * Modern virtio-pci transport, driver side: capability parsing and
 * mapping, status, feature negotiation, queue setup, ISR and device
 * configuration. It checks what the device presents as the spec requires
 * (alignment, ranges inside their BARs, read-backs), since the device is
 * what the tests are about. CPL3, BSP.
 */
#include "guest.h"
#include "cpu.h"
#include "io.h"
#include "virtio_pci.h"

#define RESET_TIMEOUT_MS 1000
#define NOTIFY_CAP_LEN 20 /* virtio_pci_notify_cap: cap + multiplier */
/*
 * Like Linux, re-read until the generation holds still; but give up after
 * a while so a device that never settles is reported, not waited on
 * forever. Time-bound rather than count-bound: when requested_size flaps
 * as fast as QMP answers, a descheduled vCPU can lose many rounds.
 */
#define CONFIG_STABLE_TIMEOUT_MS 2000

_Static_assert(sizeof(struct virtio_pci_common_cfg) == 56,
	       "common configuration without the optional fields");

uint16_t virtio_pci_device_id(const struct pci_dev *d)
{
	if (d->vendor != VIRTIO_PCI_VENDOR)
		return 0;
	if (d->device >= VIRTIO_PCI_MODERN_BASE && d->device <= 0x107f)
		return (uint16_t)(d->device - VIRTIO_PCI_MODERN_BASE);
	if (d->device >= VIRTIO_PCI_TRANSITIONAL_FIRST &&
	    d->device <= VIRTIO_PCI_TRANSITIONAL_LAST)
		return d->subsys_id;
	return 0;
}

struct pci_dev *virtio_pci_find(uint16_t device_id, unsigned int idx)
{
	struct pci_dev *d;

	for (unsigned int i = 0; (d = pci_dev_at(i)); i++) {
		if (virtio_pci_device_id(d) == device_id && idx-- == 0)
			return d;
	}
	return NULL;
}

const char *virtio_pci_cap_name(uint8_t cfg_type)
{
	switch (cfg_type) {
	case VIRTIO_PCI_CAP_COMMON_CFG:
		return "common";
	case VIRTIO_PCI_CAP_NOTIFY_CFG:
		return "notify";
	case VIRTIO_PCI_CAP_ISR_CFG:
		return "isr";
	case VIRTIO_PCI_CAP_DEVICE_CFG:
		return "device";
	case VIRTIO_PCI_CAP_PCI_CFG:
		return "pci-cfg";
	default:
		return "?";
	}
}

static struct virtio_pci_region *region_of(struct virtio_pci *vp,
					   uint8_t cfg_type)
{
	switch (cfg_type) {
	case VIRTIO_PCI_CAP_COMMON_CFG:
		return &vp->common;
	case VIRTIO_PCI_CAP_NOTIFY_CFG:
		return &vp->notify;
	case VIRTIO_PCI_CAP_ISR_CFG:
		return &vp->isr;
	case VIRTIO_PCI_CAP_DEVICE_CFG:
		return &vp->device;
	default:
		return NULL;
	}
}

/* Alignment the spec requires of each structure's offset. */
static uint32_t region_align(uint8_t cfg_type)
{
	if (cfg_type == VIRTIO_PCI_CAP_NOTIFY_CFG)
		return 2;
	return cfg_type == VIRTIO_PCI_CAP_ISR_CFG ? 1 : 4;
}

/*
 * Records the capability at @pos if it is the first usable one of its
 * type. Returns -1 for a capability that breaks the spec.
 */
static int parse_cap(struct virtio_pci *vp, uint8_t pos, const char **why)
{
	const struct pci_dev *d = vp->pci;
	uint8_t type = pci_read8(d, pos + VIRTIO_PCI_CAP_CFG_TYPE);
	uint8_t bar = pci_read8(d, pos + VIRTIO_PCI_CAP_BAR);
	uint32_t off = pci_read32(d, pos + VIRTIO_PCI_CAP_OFFSET);
	uint32_t len = pci_read32(d, pos + VIRTIO_PCI_CAP_LENGTH);
	struct virtio_pci_region *r = region_of(vp, type);
	const struct pci_bar *b;

	if (type == VIRTIO_PCI_CAP_PCI_CFG)
		vp->has_pci_cfg = true;
	/* Like Linux: skip unknown types, duplicates and unusable BARs. */
	if (!r || r->cap || bar >= PCI_NR_BARS)
		return 0;
	b = &d->bar[bar];
	if (b->type != PCI_BAR_MEM32 && b->type != PCI_BAR_MEM64)
		return 0;
	if (!b->size || (uint64_t)off + len > b->size) {
		*why = "a virtio structure lies outside its BAR";
		return -1;
	}
	if (off % region_align(type)) {
		*why = "a virtio structure is misaligned in its BAR";
		return -1;
	}
	if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
		if (pci_read8(d, pos + VIRTIO_PCI_CAP_LEN) < NOTIFY_CAP_LEN) {
			*why = "notify capability too short for its multiplier";
			return -1;
		}
		vp->notify_mult =
			pci_read32(d, pos + sizeof(struct virtio_pci_cap));
	}
	*r = (struct virtio_pci_region){
		.cap = pos, .bar = bar, .offset = off, .length = len,
	};
	return 0;
}

static int check_regions(const struct virtio_pci *vp, const char **why)
{
	uint32_t m = vp->notify_mult;

	if (!vp->common.cap || !vp->notify.cap || !vp->isr.cap)
		*why = "common, notify or ISR capability missing";
	else if (vp->common.length < sizeof(struct virtio_pci_common_cfg))
		*why = "common configuration shorter than 56 bytes";
	else if (m & (m - 1))
		*why = "notify_off_multiplier is not 0 or a power of 2";
	else
		return 0;
	return -1;
}

static int map_region(struct virtio_pci *vp, struct virtio_pci_region *r,
		      const char **why)
{
	const struct pci_bar *b = &vp->pci->bar[r->bar];

	if (!r->cap)
		return 0;
	if (!b->addr) {
		*why = "a BAR with virtio structures has no address";
		return -1;
	}
	r->addr = b->addr + r->offset;
	if (map_range_flags(r->addr, r->length ? r->length : 1,
			    MAP_UNCACHED)) {
		*why = "cannot map a virtio structure";
		return -1;
	}
	return 0;
}

int virtio_pci_probe(struct virtio_pci *vp, struct pci_dev *d,
		     const char **why)
{
	uint8_t pos = 0;

	memset(vp, 0, sizeof(*vp));
	vp->pci = d;
	vp->device_id = virtio_pci_device_id(d);
	if (!vp->device_id) {
		*why = "not a virtio-pci function";
		return -1;
	}
	if (!d->bars_sized && pci_size_bars(d)) {
		*why = "64-bit BAR without its upper half";
		return -1;
	}
	while ((pos = pci_find_cap(d, PCI_CAP_ID_VNDR, pos))) {
		if (parse_cap(vp, pos, why))
			return -1;
	}
	if (check_regions(vp, why))
		return -1;
	if (map_region(vp, &vp->common, why) ||
	    map_region(vp, &vp->notify, why) ||
	    map_region(vp, &vp->isr, why) || map_region(vp, &vp->device, why))
		return -1;
	pci_enable(d, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	vp->num_queues = mmio_read16(vp->common.addr + VIRTIO_PCI_COMMON_NUMQ);
	return 0;
}

uint8_t virtio_pci_get_status(const struct virtio_pci *vp)
{
	return mmio_read8(vp->common.addr + VIRTIO_PCI_COMMON_STATUS);
}

void virtio_pci_add_status(struct virtio_pci *vp, uint8_t bits)
{
	mmio_write8(vp->common.addr + VIRTIO_PCI_COMMON_STATUS,
		    virtio_pci_get_status(vp) | bits);
}

int virtio_pci_reset(struct virtio_pci *vp)
{
	uint64_t deadline = tsc_deadline_ms(RESET_TIMEOUT_MS);

	mmio_write8(vp->common.addr + VIRTIO_PCI_COMMON_STATUS, 0);
	/* The reset is complete when the status reads back 0 (4.1.4.3.2). */
	while (virtio_pci_get_status(vp)) {
		if (tsc_expired(deadline))
			return -1;
		cpu_relax();
	}
	return 0;
}

static uint32_t features_half(struct virtio_pci *vp, uint32_t sel)
{
	mmio_write32(vp->common.addr + VIRTIO_PCI_COMMON_DFSELECT, sel);
	return mmio_read32(vp->common.addr + VIRTIO_PCI_COMMON_DF);
}

static void write_features(struct virtio_pci *vp, uint64_t f)
{
	uint64_t c = vp->common.addr;

	mmio_write32(c + VIRTIO_PCI_COMMON_GFSELECT, 0);
	mmio_write32(c + VIRTIO_PCI_COMMON_GF, (uint32_t)f);
	mmio_write32(c + VIRTIO_PCI_COMMON_GFSELECT, 1);
	mmio_write32(c + VIRTIO_PCI_COMMON_GF, (uint32_t)(f >> 32));
}

int virtio_pci_negotiate(struct virtio_pci *vp, uint64_t wanted,
			 const char **why)
{
	const uint64_t v1 = 1ULL << VIRTIO_F_VERSION_1;

	if (virtio_pci_reset(vp)) {
		*why = "device_status did not read 0 after the reset";
		return -1;
	}
	virtio_pci_add_status(vp, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	virtio_pci_add_status(vp, VIRTIO_CONFIG_S_DRIVER);
	vp->offered = features_half(vp, 0) |
		      (uint64_t)features_half(vp, 1) << 32;
	if (!(vp->offered & v1)) {
		*why = "the device does not offer VIRTIO_F_VERSION_1";
		goto failed;
	}
	vp->accepted = (wanted & vp->offered) | v1;
	write_features(vp, vp->accepted);
	virtio_pci_add_status(vp, VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(virtio_pci_get_status(vp) & VIRTIO_CONFIG_S_FEATURES_OK)) {
		*why = "the device cleared FEATURES_OK";
		goto failed;
	}
	return 0;
failed:
	virtio_pci_add_status(vp, VIRTIO_CONFIG_S_FAILED);
	return -1;
}

uint16_t virtio_pci_set_config_vector(struct virtio_pci *vp, uint16_t vector)
{
	mmio_write16(vp->common.addr + VIRTIO_PCI_COMMON_MSIX, vector);
	return mmio_read16(vp->common.addr + VIRTIO_PCI_COMMON_MSIX);
}

static void write64_split(uint64_t addr, uint64_t val)
{
	mmio_write32(addr, (uint32_t)val);
	mmio_write32(addr + 4, (uint32_t)(val >> 32));
}

/* Notify address of the selected queue; 0 if outside the structure. */
static uint64_t notify_addr(struct virtio_pci *vp)
{
	uint16_t noff = mmio_read16(vp->common.addr + VIRTIO_PCI_COMMON_Q_NOFF);
	uint64_t off = (uint64_t)noff * vp->notify_mult;

	return off + 2 <= vp->notify.length ? vp->notify.addr + off : 0;
}

int virtio_pci_setup_queue(struct virtio_pci *vp, struct virtqueue *vq,
			   uint16_t index, uint16_t max_size,
			   uint16_t msix_vector, const char **why)
{
	uint64_t c = vp->common.addr;
	const char *err = NULL;
	uint16_t max, size = 1;

	if (index >= vp->num_queues) {
		*why = "queue index beyond num_queues";
		return -1;
	}
	mmio_write16(c + VIRTIO_PCI_COMMON_Q_SELECT, index);
	max = mmio_read16(c + VIRTIO_PCI_COMMON_Q_SIZE);
	if (!max || mmio_read16(c + VIRTIO_PCI_COMMON_Q_ENABLE)) {
		*why = "queue absent (size 0) or already enabled";
		return -1;
	}
	while (size * 2 <= max && size * 2 <= max_size &&
	       size * 2 <= VQ_MAX_SIZE)
		size *= 2;
	if (vq_init(vq, index, size)) {
		*why = "out of virtqueue memory";
		return -1;
	}
	mmio_write16(c + VIRTIO_PCI_COMMON_Q_SIZE, size);
	write64_split(c + VIRTIO_PCI_COMMON_Q_DESCLO, vq_desc_addr(vq));
	write64_split(c + VIRTIO_PCI_COMMON_Q_AVAILLO, vq_avail_addr(vq));
	write64_split(c + VIRTIO_PCI_COMMON_Q_USEDLO, vq_used_addr(vq));
	mmio_write16(c + VIRTIO_PCI_COMMON_Q_MSIX, msix_vector);
	vq->notify_addr = notify_addr(vp);
	if (mmio_read16(c + VIRTIO_PCI_COMMON_Q_MSIX) != msix_vector)
		err = "the device refused the queue's MSI-X vector";
	else if (!vq->notify_addr)
		err = "queue_notify_off points outside the notify structure";
	else if (mmio_read16(c + VIRTIO_PCI_COMMON_Q_SIZE) != size)
		err = "queue_size does not read back";
	if (err) {
		*why = err;
		vq_release(vq);
		return -1;
	}
	mmio_write16(c + VIRTIO_PCI_COMMON_Q_ENABLE, 1);
	return 0;
}

void virtio_pci_driver_ok(struct virtio_pci *vp)
{
	virtio_pci_add_status(vp, VIRTIO_CONFIG_S_DRIVER_OK);
}

uint8_t virtio_pci_read_isr(struct virtio_pci *vp)
{
	return mmio_read8(vp->isr.addr);
}

uint8_t virtio_pci_config_generation(const struct virtio_pci *vp)
{
	return mmio_read8(vp->common.addr + VIRTIO_PCI_COMMON_CFGGENERATION);
}

/* One pass over the range, each access as wide as alignment allows. */
static void read_config_once(uint64_t base, uint32_t off, uint8_t *buf,
			     uint32_t len)
{
	while (len) {
		uint32_t n = 1;

		if (!(off & 3) && len >= 4)
			n = 4;
		else if (!(off & 1) && len >= 2)
			n = 2;
		if (n == 4) {
			uint32_t v = mmio_read32(base + off);

			memcpy(buf, &v, 4);
		} else if (n == 2) {
			uint16_t v = mmio_read16(base + off);

			memcpy(buf, &v, 2);
		} else {
			*buf = mmio_read8(base + off);
		}
		off += n;
		buf += n;
		len -= n;
	}
}

int virtio_pci_read_config(struct virtio_pci *vp, uint32_t off, void *buf,
			   uint32_t len)
{
	uint64_t deadline;
	uint8_t gen;

	if (!vp->device.cap || (uint64_t)off + len > vp->device.length)
		return -1;
	deadline = tsc_deadline_ms(CONFIG_STABLE_TIMEOUT_MS);
	do {
		gen = virtio_pci_config_generation(vp);
		read_config_once(vp->device.addr, off, buf, len);
		if (virtio_pci_config_generation(vp) == gen)
			return 0;
	} while (!tsc_expired(deadline));
	return -1;
}
