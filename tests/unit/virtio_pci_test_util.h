// SPDX-License-Identifier: MIT
/*
 * The fixture of the virtio-pci transport tests: a fake virtio device with
 * two queues on a vq_fixture, its virtio-pci function alone (setup) or
 * plugged on a bus with a fake KVM irq backend (setup_bus: MSI-X exists),
 * BAR 4 accessors, and the driver's init sequence. Shared by
 * test_virtio_pci and test_virtio_pci_bus; include it after <cmocka.h>.
 */
#ifndef FLEXVM_TESTS_VIRTIO_PCI_TEST_UTIL_H
#define FLEXVM_TESTS_VIRTIO_PCI_TEST_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "fake_irq.h"
#include "hw/pci/msix.h"
#include "hw/virtio/virtio_pci.h"
#include "mem/memmap.h"
#include "vq_fixture.h"

#define CC(x) VIRTIO_PCI_COMMON_##x
#define S(bit) VIRTIO_CONFIG_S_##bit
#define DEV_ID 42
#define NO_VEC VIRTIO_MSI_NO_VECTOR

struct t {
	struct vq_fixture fx;
	struct virtio_device vdev;
	struct virtio_pci vp;
	unsigned nr_kicks, last_kick;
	/* For the MSI-X tests: a bus with a fake KVM irq backend. */
	struct fake_irq fake;
	struct irq irq;
	struct memmap mm;
	struct bus pio, mmio;
	struct pci_bus pci;
};

static inline uint64_t fake_features(struct virtio_device *vdev)
{
	(void)vdev;
	return 1ULL << 3;
}

static inline void fake_get_config(struct virtio_device *vdev,
				   uint8_t *config)
{
	(void)vdev;
	memcpy(config, "\x01\x02\x03\x04", 4);
}

static inline void fake_queue_notify(struct virtio_device *vdev,
				     unsigned qidx)
{
	struct t *t = container_of(vdev, struct t, vdev);

	t->nr_kicks++;
	t->last_kick = qidx;
}

static const struct virtio_device_ops fake_ops = {
	.host_features = fake_features,
	.get_config = fake_get_config,
	.queue_notify = fake_queue_notify,
};

static const struct virtio_pci_config pci_cfg = {
	.type_name = "virtio-fake-pci", .class_code = 0xff0000,
	.devfn = PCI_DEVFN_AUTO, .vectors = 3, .vm_fd = -1,
};

static inline int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));

	if (!t || vq_fixture_init(&t->fx, 16))
		return -1;
	virtio_init(&t->vdev, "fake", DEV_ID, &fake_ops, 4, &t->fx.gm);
	if (virtio_add_queue(&t->vdev, 16) < 0 ||
	    virtio_add_queue(&t->vdev, 8) < 0 ||
	    virtio_pci_init(&t->vp, &t->vdev, &pci_cfg))
		return -1;
	*state = t;
	return 0;
}

/* setup + the function plugged on a bus: MSI-X exists. */
static inline int setup_bus(void **state)
{
	struct error err = { 0 };
	struct t *t;

	if (setup(state))
		return -1;
	t = *state;
	if (irq_init(&t->irq, &fake_irq_ops, &t->fake) ||
	    memmap_init(&t->mm, 128 * MiB, 8 * GiB, 40, &err))
		return -1;
	bus_init(&t->pio, "pio");
	bus_init(&t->mmio, "mmio");
	if (pci_bus_init(&t->pci, &t->pio, &t->mmio, &t->irq, &t->mm))
		return -1;
	return virtio_pci_plug(&t->vp, &t->pci, &pci_cfg, &err);
}

static inline int teardown(void **state)
{
	struct t *t = *state;

	vq_fixture_destroy(&t->fx);
	free(t);
	return 0;
}

static inline int teardown_bus(void **state)
{
	struct t *t = *state;

	virtio_pci_unplug(&t->vp);
	pci_bus_destroy(&t->pci);
	bus_destroy(&t->pio);
	bus_destroy(&t->mmio);
	irq_destroy(&t->irq);
	return teardown(state);
}

static inline uint64_t rd(struct t *t, uint64_t off, unsigned size)
{
	return virtio_pci_bar_ops.read(&t->vp, off, size);
}

static inline void wr(struct t *t, uint64_t off, uint64_t val,
		      unsigned size)
{
	virtio_pci_bar_ops.write(&t->vp, off, val, size);
}

/* Queue 0 with valid rings, enabled through the registers. */
static inline void enable_queue0(struct t *t)
{
	wr(t, CC(Q_SELECT), 0, 2);
	wr(t, CC(Q_DESCLO), FX_DESC_GPA, 4);
	wr(t, CC(Q_AVAILLO), FX_AVAIL_GPA, 4);
	wr(t, CC(Q_USEDLO), FX_USED_GPA, 4);
	wr(t, CC(Q_ENABLE), 1, 2);
}

static inline void set_command(struct t *t, uint16_t cmd)
{
	pci_config_write(&t->vp.pci, PCI_COMMAND, cmd, 2);
}

/* The driver's init up to DRIVER_OK, bus mastering left as it is. */
static inline void go_live_as_is(struct t *t)
{
	wr(t, CC(STATUS), S(ACKNOWLEDGE) | S(DRIVER), 1);
	wr(t, CC(GFSELECT), 1, 4);
	wr(t, CC(GF), 1, 4);	/* VERSION_1 */
	wr(t, CC(STATUS), S(ACKNOWLEDGE) | S(DRIVER) | S(FEATURES_OK), 1);
	enable_queue0(t);
	wr(t, CC(STATUS), S(ACKNOWLEDGE) | S(DRIVER) | S(FEATURES_OK) |
	   S(DRIVER_OK), 1);
}

/* As a driver does: decoding and bus mastering on, then the init. */
static inline void go_live(struct t *t)
{
	set_command(t, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	go_live_as_is(t);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define TB(fn) cmocka_unit_test_setup_teardown(fn, setup_bus, teardown_bus)

#endif /* FLEXVM_TESTS_VIRTIO_PCI_TEST_UTIL_H */
