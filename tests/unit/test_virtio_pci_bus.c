// SPDX-License-Identifier: MIT
/*
 * virtio-pci: the function as PCI sees it: the PCI_CFG access window into
 * BAR 4, MSI-X delivery (and INTx without it) on a bus with a fake KVM irq
 * backend, and bus mastering (PCI 3.0 6.2.2): no ring access and no
 * interrupt while it is off, queues kicked when it comes on, across
 * device and system reset. Single-threaded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "virtio_pci_test_util.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
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
