// SPDX-License-Identifier: MIT
/*
 * virtio-pci: identity and capability list, the common cfg register map
 * (widths, read-only fields, feature words, queue select/size/enable,
 * ring addresses, MSI-X vector readback), notify addresses and the MMIO
 * notify path, the ISR (read-to-clear, INTx), device cfg, the PCI_CFG
 * window, and MSI-X delivery on a bus with a fake KVM irq backend.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
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

static uint64_t fake_features(struct virtio_device *vdev)
{
	(void)vdev;
	return 1ULL << 3;
}

static void fake_get_config(struct virtio_device *vdev, uint8_t *config)
{
	(void)vdev;
	memcpy(config, "\x01\x02\x03\x04", 4);
}

static void fake_queue_notify(struct virtio_device *vdev, unsigned qidx)
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

static int setup(void **state)
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
static int setup_bus(void **state)
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

static int teardown(void **state)
{
	struct t *t = *state;

	vq_fixture_destroy(&t->fx);
	free(t);
	return 0;
}

static int teardown_bus(void **state)
{
	struct t *t = *state;

	virtio_pci_unplug(&t->vp);
	pci_bus_destroy(&t->pci);
	bus_destroy(&t->pio);
	bus_destroy(&t->mmio);
	irq_destroy(&t->irq);
	return teardown(state);
}

static uint64_t rd(struct t *t, uint64_t off, unsigned size)
{
	return virtio_pci_bar_ops.read(&t->vp, off, size);
}

static void wr(struct t *t, uint64_t off, uint64_t val, unsigned size)
{
	virtio_pci_bar_ops.write(&t->vp, off, val, size);
}

/* Queue 0 with valid rings, enabled through the registers. */
static void enable_queue0(struct t *t)
{
	wr(t, CC(Q_SELECT), 0, 2);
	wr(t, CC(Q_DESCLO), FX_DESC_GPA, 4);
	wr(t, CC(Q_AVAILLO), FX_AVAIL_GPA, 4);
	wr(t, CC(Q_USEDLO), FX_USED_GPA, 4);
	wr(t, CC(Q_ENABLE), 1, 2);
}

static void set_command(struct t *t, uint16_t cmd)
{
	pci_config_write(&t->vp.pci, PCI_COMMAND, cmd, 2);
}

/* The driver's init up to DRIVER_OK, bus mastering left as it is. */
static void go_live_as_is(struct t *t)
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
static void go_live(struct t *t)
{
	set_command(t, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	go_live_as_is(t);
}

/* ---- identity and capabilities ---- */

static void test_virtio_pci_ids_are_modern(void **state)
{
	struct t *t = *state;
	struct pci_device *d = &t->vp.pci;

	assert_int_equal(pci_get_word(d, PCI_VENDOR_ID), 0x1af4);
	assert_int_equal(pci_get_word(d, PCI_DEVICE_ID), 0x1040 + DEV_ID);
	assert_int_equal(pci_get_byte(d, PCI_REVISION_ID), 1);
	assert_int_equal(pci_get_word(d, PCI_SUBSYSTEM_VENDOR_ID), 0x1af4);
	assert_int_equal(pci_get_word(d, PCI_SUBSYSTEM_ID), 0x1100);
	assert_int_equal(pci_get_long(d, PCI_CLASS_REVISION) >> 8, 0xff0000);
	assert_int_equal(pci_get_byte(d, PCI_INTERRUPT_PIN), 1);
	assert_int_equal(pci_get_long(d, PCI_BASE_ADDRESS_4) & 0xf,
			 PCI_BASE_ADDRESS_MEM_TYPE_64 |
			 PCI_BASE_ADDRESS_MEM_PREFETCH);
	assert_int_equal(t->vp.pci.bars[4].size, 0x4000);
}

static void test_virtio_pci_caps_in_order_with_layout(void **state)
{
	struct t *t = *state;
	struct pci_device *d = &t->vp.pci;
	static const uint8_t type[] = { 1, 3, 4, 2, 5 };
	static const uint32_t off[] = { 0, 0x1000, 0x2000, 0x3000, 0 };
	unsigned cap = pci_get_byte(d, PCI_CAPABILITY_LIST);

	for (unsigned i = 0; i < 5; i++) {
		assert_int_equal(pci_get_byte(d, cap), PCI_CAP_ID_VNDR);
		assert_int_equal(pci_get_byte(d, cap + 3), type[i]);
		assert_int_equal(pci_get_long(d, cap + 8), off[i]);
		assert_int_equal(pci_get_byte(d, cap + 2),
				 type[i] == 2 || type[i] == 5 ? 20 : 16);
		if (type[i] != 5) {
			assert_int_equal(pci_get_byte(d, cap + 4), 4);
			assert_int_equal(pci_get_long(d, cap + 12), 0x1000);
		}
		if (type[i] == 2)
			assert_int_equal(pci_get_long(d, cap + 16), 4);
		cap = pci_get_byte(d, cap + 1);
	}
	assert_int_equal(cap, 0);	/* MSI-X joins at plug time */
}

/* ---- common cfg ---- */

static void test_virtio_pci_device_feature_words(void **state)
{
	struct t *t = *state;

	assert_int_equal(rd(t, CC(DF), 4), 1u << 3);
	wr(t, CC(DFSELECT), 1, 4);
	assert_int_equal(rd(t, CC(DFSELECT), 4), 1);
	assert_int_equal(rd(t, CC(DF), 4), 1u);	/* VERSION_1 is bit 32 */
	wr(t, CC(DFSELECT), 2, 4);
	assert_int_equal(rd(t, CC(DF), 4), 0);
}

static void test_virtio_pci_driver_feature_halves(void **state)
{
	struct t *t = *state;

	wr(t, CC(GF), 1u << 3, 4);
	wr(t, CC(GFSELECT), 1, 4);
	wr(t, CC(GF), 1, 4);
	assert_int_equal(t->vdev.driver_features, (1ULL << 32) | (1ULL << 3));
	assert_int_equal(rd(t, CC(GF), 4), 1);
	wr(t, CC(GFSELECT), 0, 4);
	assert_int_equal(rd(t, CC(GF), 4), 1u << 3);
}

static void test_virtio_pci_num_queues_and_generation(void **state)
{
	struct t *t = *state;

	assert_int_equal(rd(t, CC(NUMQ), 2), 2);
	t->vdev.config_gen = 7;
	assert_int_equal(rd(t, CC(CFGGENERATION), 1), 7);
}

static void test_virtio_pci_wrong_width_ignored(void **state)
{
	struct t *t = *state;

	wr(t, CC(STATUS), S(ACKNOWLEDGE), 2);
	assert_int_equal(t->vdev.status, 0);
	wr(t, CC(Q_SELECT), 1, 4);
	assert_int_equal(t->vp.queue_select, 0);
	assert_int_equal(rd(t, CC(DF), 2), 0);
	assert_int_equal(rd(t, CC(NUMQ), 4), 0);
	assert_int_equal(rd(t, CC(Q_DESCLO) + 2, 2), 0);
}

static void test_virtio_pci_read_only_fields_ignored(void **state)
{
	struct t *t = *state;

	wr(t, CC(NUMQ), 9, 2);
	wr(t, CC(CFGGENERATION), 9, 1);
	wr(t, CC(DF), 0xffffffff, 4);
	wr(t, CC(Q_NOFF), 9, 2);
	assert_int_equal(rd(t, CC(NUMQ), 2), 2);
	assert_int_equal(rd(t, CC(CFGGENERATION), 1), 0);
	assert_int_equal(rd(t, CC(DF), 4), 1u << 3);
	assert_int_equal(rd(t, CC(Q_NOFF), 2), 0);
}

static void test_virtio_pci_queue_size_power_of_two_only(void **state)
{
	struct t *t = *state;

	assert_int_equal(rd(t, CC(Q_SIZE), 2), 16);
	wr(t, CC(Q_SIZE), 12, 2);
	assert_int_equal(rd(t, CC(Q_SIZE), 2), 16);
	wr(t, CC(Q_SIZE), 32, 2);
	assert_int_equal(rd(t, CC(Q_SIZE), 2), 16);
	wr(t, CC(Q_SIZE), 4, 2);
	assert_int_equal(rd(t, CC(Q_SIZE), 2), 4);
	wr(t, CC(Q_SELECT), 1, 2);
	assert_int_equal(rd(t, CC(Q_SIZE), 2), 8);
}

static void test_virtio_pci_absent_queue_reads_size_zero(void **state)
{
	struct t *t = *state;

	wr(t, CC(Q_SELECT), 5, 2);
	assert_int_equal(rd(t, CC(Q_SELECT), 2), 5);
	assert_int_equal(rd(t, CC(Q_SIZE), 2), 0);
	assert_int_equal(rd(t, CC(Q_ENABLE), 2), 0);
	assert_int_equal(rd(t, CC(Q_MSIX), 2), NO_VEC);
	wr(t, CC(Q_ENABLE), 1, 2);	/* nothing to enable: no crash */
}

static void test_virtio_pci_ring_addresses_halves_and_64bit(void **state)
{
	struct t *t = *state;
	struct virtqueue *vq = virtio_queue(&t->vdev, 0);

	wr(t, CC(Q_DESCLO), 0x89abcdef, 4);
	wr(t, CC(Q_DESCHI), 0x01234567, 4);
	wr(t, CC(Q_USEDLO), 0x1122334455667788ULL, 8);
	assert_int_equal(vq->desc_gpa, 0x0123456789abcdefULL);
	assert_int_equal(vq->used_gpa, 0x1122334455667788ULL);
	assert_int_equal(rd(t, CC(Q_DESCHI), 4), 0x01234567);
	assert_int_equal(rd(t, CC(Q_USEDLO), 8), 0x1122334455667788ULL);
}

static void test_virtio_pci_queue_enable_reads_one(void **state)
{
	struct t *t = *state;

	enable_queue0(t);
	assert_int_equal(rd(t, CC(Q_ENABLE), 2), 1);
	wr(t, CC(Q_ENABLE), 0, 2);	/* 0 does not disable */
	assert_int_equal(rd(t, CC(Q_ENABLE), 2), 1);
}

static void test_virtio_pci_ring_fields_frozen_when_enabled(void **state)
{
	struct t *t = *state;

	enable_queue0(t);
	wr(t, CC(Q_DESCLO), 0x5000, 4);
	wr(t, CC(Q_SIZE), 4, 2);
	assert_int_equal(rd(t, CC(Q_DESCLO), 4), (uint32_t)FX_DESC_GPA);
	assert_int_equal(rd(t, CC(Q_SIZE), 2), 16);
}

static void test_virtio_pci_msix_vector_readback(void **state)
{
	struct t *t = *state;

	wr(t, CC(MSIX), 0, 2);
	assert_int_equal(rd(t, CC(MSIX), 2), 0);
	wr(t, CC(Q_MSIX), 2, 2);
	assert_int_equal(rd(t, CC(Q_MSIX), 2), 2);
	wr(t, CC(Q_MSIX), 3, 2);	/* only 3 vectors: 0-2 */
	assert_int_equal(rd(t, CC(Q_MSIX), 2), NO_VEC);
	wr(t, CC(MSIX), 0x7ff, 2);
	assert_int_equal(rd(t, CC(MSIX), 2), NO_VEC);
}

static void test_virtio_pci_notify_offsets_are_queue_index(void **state)
{
	struct t *t = *state;

	wr(t, CC(Q_SELECT), 1, 2);
	assert_int_equal(rd(t, CC(Q_NOFF), 2), 1);
	assert_int_equal(virtio_pci_notify_gpa(0xfe000000, 1), 0xfe003004);
}

static void test_virtio_pci_notify_write_kicks_queue(void **state)
{
	struct t *t = *state;

	go_live(t);
	assert_int_equal(t->nr_kicks, 1);	/* DRIVER_OK */
	wr(t, VIRTIO_PCI_NOTIFY_OFFSET + 0, 0, 2);
	assert_int_equal(t->nr_kicks, 2);
	assert_int_equal(t->last_kick, 0);
	wr(t, VIRTIO_PCI_NOTIFY_OFFSET + 4, 1, 2);	/* queue 1 disabled */
	wr(t, VIRTIO_PCI_NOTIFY_OFFSET + 2, 0, 2);	/* not a slot */
	assert_int_equal(t->nr_kicks, 2);
}

static void test_virtio_pci_isr_read_clears_and_deasserts(void **state)
{
	struct t *t = *state;

	go_live(t);
	virtio_config_changed(&t->vdev);
	assert_true(t->vp.pci.intx_level);
	assert_int_equal(rd(t, VIRTIO_PCI_ISR_OFFSET, 1), 2);
	assert_false(t->vp.pci.intx_level);
	assert_int_equal(rd(t, VIRTIO_PCI_ISR_OFFSET, 1), 0);
}

static void test_virtio_pci_queue_interrupt_sets_isr_bit0(void **state)
{
	struct t *t = *state;

	go_live(t);
	virtio_notify(&t->vdev, 0);
	assert_int_equal(t->vp.isr, 1);
	assert_true(t->vp.pci.intx_level);
}

static void test_virtio_pci_status_zero_resets_transport(void **state)
{
	struct t *t = *state;

	go_live(t);
	wr(t, CC(MSIX), 1, 2);
	wr(t, CC(Q_MSIX), 1, 2);
	virtio_config_changed(&t->vdev);
	wr(t, CC(STATUS), 0, 1);
	assert_int_equal(rd(t, CC(STATUS), 1), 0);
	assert_int_equal(rd(t, CC(MSIX), 2), NO_VEC);
	assert_int_equal(rd(t, CC(Q_MSIX), 2), NO_VEC);
	assert_int_equal(rd(t, CC(Q_ENABLE), 2), 0);
	assert_int_equal(rd(t, CC(Q_SIZE), 2), 16);
	assert_false(t->vp.pci.intx_level);
	assert_int_equal(t->vp.isr, 0);
}

static void test_virtio_pci_device_cfg_reads_config(void **state)
{
	struct t *t = *state;

	assert_int_equal(rd(t, VIRTIO_PCI_DEVICE_OFFSET, 4), 0x04030201);
	assert_int_equal(rd(t, VIRTIO_PCI_DEVICE_OFFSET + 1, 1), 2);
	assert_int_equal(rd(t, VIRTIO_PCI_DEVICE_OFFSET + 4, 4), 0xffffffff);
}

/* ---- PCI_CFG window ---- */

static unsigned pci_cfg_cap(struct t *t)
{
	assert_int_not_equal(t->vp.pci_cfg_cap, 0);
	return t->vp.pci_cfg_cap;
}

static void window(struct t *t, uint8_t bar, uint32_t off, uint32_t len)
{
	unsigned cap = pci_cfg_cap(t);

	pci_config_write(&t->vp.pci, cap + 4, bar, 1);
	pci_config_write(&t->vp.pci, cap + 8, off, 4);
	pci_config_write(&t->vp.pci, cap + 12, len, 4);
}

static void test_virtio_pci_cfg_window_reads_bar(void **state)
{
	struct t *t = *state;

	window(t, 4, CC(NUMQ), 2);
	assert_int_equal(pci_config_read(&t->vp.pci, pci_cfg_cap(t) + 16, 4)
			 & 0xffff, 2);
	window(t, 4, VIRTIO_PCI_DEVICE_OFFSET, 4);
	assert_int_equal(pci_config_read(&t->vp.pci, pci_cfg_cap(t) + 16, 4),
			 0x04030201);
}

static void test_virtio_pci_cfg_window_writes_bar(void **state)
{
	struct t *t = *state;

	window(t, 4, CC(STATUS), 1);
	pci_config_write(&t->vp.pci, pci_cfg_cap(t) + 16, S(ACKNOWLEDGE), 4);
	assert_int_equal(t->vdev.status, S(ACKNOWLEDGE));
}

static void test_virtio_pci_cfg_window_bad_request_ignored(void **state)
{
	struct t *t = *state;

	window(t, 1, CC(STATUS), 1);	/* not the virtio BAR */
	pci_config_write(&t->vp.pci, pci_cfg_cap(t) + 16, 1, 4);
	window(t, 4, CC(NUMQ) + 1, 2);	/* misaligned */
	pci_config_write(&t->vp.pci, pci_cfg_cap(t) + 16, 1, 4);
	window(t, 4, CC(STATUS), 3);	/* bad length */
	pci_config_write(&t->vp.pci, pci_cfg_cap(t) + 16, 1, 4);
	window(t, 4, VIRTIO_PCI_BAR_SIZE - 2, 4);	/* past the BAR */
	pci_config_write(&t->vp.pci, pci_cfg_cap(t) + 16, 1, 4);
	assert_int_equal(t->vdev.status, 0);
}

/* ---- MSI-X on a bus ---- */

static unsigned enable_msix(struct t *t)
{
	unsigned cap = pci_find_capability(&t->vp.pci, PCI_CAP_ID_MSIX);

	assert_int_not_equal(cap, 0);
	pci_config_write(&t->vp.pci, cap + PCI_MSIX_FLAGS,
			 PCI_MSIX_FLAGS_ENABLE, 2);
	assert_true(msix_enabled(&t->vp.pci));
	return cap;
}

static void test_virtio_pci_plug_adds_msix_in_bar1(void **state)
{
	struct t *t = *state;
	unsigned cap = pci_find_capability(&t->vp.pci, PCI_CAP_ID_MSIX);

	assert_int_not_equal(cap, 0);
	assert_int_equal(msix_nr_vectors(&t->vp.pci), 3);
	assert_int_equal(pci_get_long(&t->vp.pci, cap + PCI_MSIX_TABLE), 1);
	assert_int_equal(pci_get_long(&t->vp.pci, cap + PCI_MSIX_PBA),
			 0x800 | 1);
}

static void test_virtio_pci_msix_config_change_uses_vector(void **state)
{
	struct t *t = *state;

	go_live(t);
	enable_msix(t);
	wr(t, CC(MSIX), 2, 2);
	virtio_config_changed(&t->vdev);
	/* Entries start masked: the message waits in the PBA. */
	assert_true(msix_is_pending(t->vp.pci.msix, 2));
	assert_false(msix_is_pending(t->vp.pci.msix, 0));
	assert_false(t->vp.pci.intx_asserted);
}

static void test_virtio_pci_msix_no_vector_sends_nothing(void **state)
{
	struct t *t = *state;

	go_live(t);
	enable_msix(t);
	virtio_notify(&t->vdev, 0);	/* queue vector is NO_VECTOR */
	for (unsigned v = 0; v < 3; v++)
		assert_false(msix_is_pending(t->vp.pci.msix, v));
	assert_false(t->vp.pci.intx_asserted);
}

static void test_virtio_pci_intx_without_msix_asserts_pin(void **state)
{
	struct t *t = *state;

	go_live(t);
	virtio_notify(&t->vdev, 0);
	assert_true(t->vp.pci.intx_asserted);
	(void)rd(t, VIRTIO_PCI_ISR_OFFSET, 1);
	assert_false(t->vp.pci.intx_asserted);
}

/* ---- bus mastering (PCI 3.0 §6.2.2) ---- */

/* One 8-byte device-writable buffer at head 0 of queue 0. */
static void make_avail(struct t *t)
{
	fx_desc(&t->fx, FX_DESC_GPA, 0, FX_BUF_GPA, 8, VRING_DESC_F_WRITE, 0);
	fx_make_avail(&t->fx, 0);
}

static void test_virtio_pci_bus_master_off_pops_nothing(void **state)
{
	struct t *t = *state;
	struct virtqueue_elem elem;

	go_live(t);
	make_avail(t);
	set_command(t, PCI_COMMAND_MEMORY);
	assert_int_equal(virtio_queue_pop(&t->vdev, 0, &elem), 0);
	set_command(t, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_int_equal(virtio_queue_pop(&t->vdev, 0, &elem), 1);
}

static void test_virtio_pci_bus_master_starts_off(void **state)
{
	struct t *t = *state;
	struct virtqueue_elem elem;

	go_live_as_is(t);
	make_avail(t);
	assert_int_equal(virtio_queue_pop(&t->vdev, 0, &elem), 0);
}

static void test_virtio_pci_bus_master_off_sends_no_interrupt(void **state)
{
	struct t *t = *state;

	go_live_as_is(t);
	virtio_notify(&t->vdev, 0);
	assert_int_equal(t->vp.isr, 0);
	assert_false(t->vp.pci.intx_level);
}

static void test_virtio_pci_bus_master_on_kicks_enabled_queues(void **state)
{
	struct t *t = *state;

	go_live_as_is(t);
	assert_int_equal(t->nr_kicks, 1);	/* DRIVER_OK */
	set_command(t, PCI_COMMAND_MASTER);
	assert_int_equal(t->nr_kicks, 2);
	assert_int_equal(t->last_kick, 0);
	set_command(t, PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY);
	assert_int_equal(t->nr_kicks, 2);	/* no change, no kick */
}

static void test_virtio_pci_device_reset_keeps_bus_master_state(void **state)
{
	struct t *t = *state;
	struct virtqueue_elem elem;

	go_live(t);
	set_command(t, PCI_COMMAND_MEMORY);
	wr(t, CC(STATUS), 0, 1);
	go_live_as_is(t);
	make_avail(t);
	assert_int_equal(virtio_queue_pop(&t->vdev, 0, &elem), 0);
}

static void test_virtio_pci_system_reset_turns_bus_master_off(void **state)
{
	struct t *t = *state;
	struct virtqueue_elem elem;
	struct error err = { 0 };

	assert_int_equal(pci_bus_assign_bars(&t->pci, &err), 0);
	go_live(t);
	pci_bus_reset(&t->pci);
	go_live_as_is(t);
	make_avail(t);
	assert_int_equal(virtio_queue_pop(&t->vdev, 0, &elem), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define TB(fn) cmocka_unit_test_setup_teardown(fn, setup_bus, teardown_bus)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_virtio_pci_ids_are_modern),
		T(test_virtio_pci_caps_in_order_with_layout),
		T(test_virtio_pci_device_feature_words),
		T(test_virtio_pci_driver_feature_halves),
		T(test_virtio_pci_num_queues_and_generation),
		T(test_virtio_pci_wrong_width_ignored),
		T(test_virtio_pci_read_only_fields_ignored),
		T(test_virtio_pci_queue_size_power_of_two_only),
		T(test_virtio_pci_absent_queue_reads_size_zero),
		T(test_virtio_pci_ring_addresses_halves_and_64bit),
		T(test_virtio_pci_queue_enable_reads_one),
		T(test_virtio_pci_ring_fields_frozen_when_enabled),
		T(test_virtio_pci_msix_vector_readback),
		T(test_virtio_pci_notify_offsets_are_queue_index),
		T(test_virtio_pci_notify_write_kicks_queue),
		T(test_virtio_pci_isr_read_clears_and_deasserts),
		T(test_virtio_pci_queue_interrupt_sets_isr_bit0),
		T(test_virtio_pci_status_zero_resets_transport),
		T(test_virtio_pci_device_cfg_reads_config),
		T(test_virtio_pci_cfg_window_reads_bar),
		T(test_virtio_pci_cfg_window_writes_bar),
		T(test_virtio_pci_cfg_window_bad_request_ignored),
		TB(test_virtio_pci_plug_adds_msix_in_bar1),
		TB(test_virtio_pci_msix_config_change_uses_vector),
		TB(test_virtio_pci_msix_no_vector_sends_nothing),
		TB(test_virtio_pci_intx_without_msix_asserts_pin),
		T(test_virtio_pci_bus_master_off_pops_nothing),
		T(test_virtio_pci_bus_master_starts_off),
		T(test_virtio_pci_bus_master_off_sends_no_interrupt),
		T(test_virtio_pci_bus_master_on_kicks_enabled_queues),
		T(test_virtio_pci_device_reset_keeps_bus_master_state),
		TB(test_virtio_pci_system_reset_turns_bus_master_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
