// SPDX-License-Identifier: MIT
/*
 * virtio-pci: identity and capability list, the common cfg register map
 * (widths, read-only fields, feature words, queue select/size/enable,
 * ring addresses, MSI-X vector readback), notify addresses and the MMIO
 * notify path, the ISR (read-to-clear, INTx), device cfg. The PCI_CFG
 * window, MSI-X and bus mastering are in test_virtio_pci_bus.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "virtio_pci_test_util.h"

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
