// SPDX-License-Identifier: MIT
/*
 * msix: the capability registers, table and PBA reads and writes (with
 * bad sizes and offsets ignored), vector and function masking, pending
 * delivery on unmask, route refresh before a message, layout checks, GSI
 * exhaustion, INTx suppression and reset. Messages are observed on each
 * vector's eventfd and in the fake KVM routing table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <unistd.h>

#include "hw/pci/msix.h"
#include "pci_test_util.h"

#define NR_VEC	3
#define TABLE	0x1000u
#define PBA	0x1800u
#define CAP	0x40u

/* A device without ops in slot 1: 32 KiB 64-bit BAR0, 32-byte I/O BAR2. */
static struct fixture *new_msix_fixture(void)
{
	static struct fixture f;

	if (pci_test_bus_init(&f, 0))
		return NULL;
	pci_device_init(&f.dev, "dev", 0x1af4, 0x1044, 0xff0000, 1);
	pci_set_byte(&f.dev, PCI_INTERRUPT_PIN, 1);
	if (pci_register_bar(&f.dev, 0, 32 * KiB, PCI_BAR_MEM64, NULL, NULL) ||
	    pci_register_bar(&f.dev, 2, 32, PCI_BAR_IO, NULL, NULL) ||
	    pci_bus_add_device(&f.pci, &f.dev, PCI_DEVFN(1, 0), NULL))
		return NULL;
	return &f;
}

static int setup_msix(void **state)
{
	struct fixture *f = new_msix_fixture();

	if (!f || msix_init(&f->dev, NR_VEC, 0, TABLE, PBA))
		return -1;
	*state = f;
	return 0;
}

static int setup_bare(void **state)
{
	*state = new_msix_fixture();
	return *state ? 0 : -1;
}

static uint64_t bar_rd(struct fixture *f, uint64_t off, unsigned size)
{
	uint64_t v = 0xdead;

	assert_true(msix_bar_access(f->dev.msix, off, size, &v, false));
	return v;
}

static void bar_wr(struct fixture *f, uint64_t off, uint64_t v,
		   unsigned size)
{
	assert_true(msix_bar_access(f->dev.msix, off, size, &v, true));
}

/* Entry @v: address 0xfee0_0000 | v << 12, data 0x30 + v. */
static void program(struct fixture *f, unsigned v)
{
	bar_wr(f, TABLE + 16 * v, 0xfee00000u | v << 12, 4);
	bar_wr(f, TABLE + 16 * v + 4, 0, 4);
	bar_wr(f, TABLE + 16 * v + 8, 0x30 + v, 4);
}

static void unmask(struct fixture *f, unsigned v)
{
	bar_wr(f, TABLE + 16 * v + 12, 0, 4);
}

static void set_control(struct fixture *f, uint16_t ctl)
{
	pci_config_write(&f->dev, CAP + PCI_MSIX_FLAGS, ctl, 2);
}

/* Messages sent on vector @v since the last call. */
static uint64_t sent(struct fixture *f, unsigned v)
{
	uint64_t n = 0;

	if (read(f->dev.msix->vectors[v].fd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

static void test_msix_init_capability_registers(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(pci_find_capability(&f->dev, PCI_CAP_ID_MSIX), CAP);
	assert_int_equal(pci_get_word(&f->dev, CAP + PCI_MSIX_FLAGS),
			 NR_VEC - 1);
	assert_int_equal(pci_get_long(&f->dev, CAP + PCI_MSIX_TABLE), TABLE);
	assert_int_equal(pci_get_long(&f->dev, CAP + PCI_MSIX_PBA), PBA);
	assert_int_equal(msix_nr_vectors(&f->dev), NR_VEC);
	assert_false(msix_enabled(&f->dev));
}

static void test_msix_init_route_and_irqfd_per_vector(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->fake.nr_irqfds, NR_VEC);
	assert_int_equal(f->fake.nr_routes, 40 + NR_VEC);
	assert_int_equal(f->dev.msix->vectors[2].gsi, 26);
	assert_int_equal(f->fake.last_irqfd.gsi, 26);
	assert_int_equal(f->fake.last_irqfd.fd, f->dev.msix->vectors[2].fd);
}

static void test_msix_entries_start_masked(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(bar_rd(f, TABLE + 16 + 12, 4), 1);
	assert_int_equal(bar_rd(f, TABLE + 16, 4), 0);
}

static void test_msix_control_only_enable_and_mask_writable(void **state)
{
	struct fixture *f = *state;

	set_control(f, 0xffff);
	assert_int_equal(pci_get_word(&f->dev, CAP + PCI_MSIX_FLAGS),
			 PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL |
				 (NR_VEC - 1));
	pci_config_write(&f->dev, CAP + PCI_MSIX_TABLE, 0xffffffff, 4);
	assert_int_equal(pci_get_long(&f->dev, CAP + PCI_MSIX_TABLE), TABLE);
}

static void test_msix_table_dword_write_reads_back(void **state)
{
	struct fixture *f = *state;

	bar_wr(f, TABLE + 16 + 8, 0x4041, 4);
	assert_int_equal(bar_rd(f, TABLE + 16 + 8, 4), 0x4041);
}

static void test_msix_table_qword_write_reads_back(void **state)
{
	struct fixture *f = *state;

	bar_wr(f, TABLE + 32, 0x00000001fee01000ULL, 8);
	assert_int_equal(bar_rd(f, TABLE + 32, 8), 0x00000001fee01000ULL);
	assert_int_equal(bar_rd(f, TABLE + 36, 4), 1);
}

static void test_msix_vector_control_reserved_bits_dropped(void **state)
{
	struct fixture *f = *state;

	bar_wr(f, TABLE + 12, 0xfffffffe, 4);
	assert_int_equal(bar_rd(f, TABLE + 12, 4), 0);
	bar_wr(f, TABLE + 12, 0xffffffff, 4);
	assert_int_equal(bar_rd(f, TABLE + 12, 4), 1);
}

static void test_msix_unaligned_or_small_access_ignored(void **state)
{
	struct fixture *f = *state;

	bar_wr(f, TABLE + 2, 0xffffffff, 4);
	bar_wr(f, TABLE, 0xffff, 2);
	bar_wr(f, TABLE + 4, 0xffffffffffffffffULL, 8);
	bar_wr(f, TABLE + 8, 0xff, 1);
	assert_int_equal(bar_rd(f, TABLE, 8), 0);
	assert_int_equal(bar_rd(f, TABLE + 8, 4), 0);
	assert_int_equal(bar_rd(f, TABLE + 2, 2), 0);
}

static void test_msix_access_outside_table_and_pba_not_claimed(void **state)
{
	struct fixture *f = *state;
	uint64_t v = 0;

	assert_false(msix_bar_access(f->dev.msix, TABLE - 4, 4, &v, false));
	assert_false(msix_bar_access(f->dev.msix, TABLE + 16 * NR_VEC, 4, &v,
				     false));
	assert_false(msix_bar_access(f->dev.msix, PBA + 8, 4, &v, true));
	assert_true(msix_bar_access(f->dev.msix, TABLE - 4, 8, &v, false));
	assert_int_equal(v, 0);
}

static void test_msix_notify_disabled_enodev(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(msix_notify(&f->dev, 0), -ENODEV);
	assert_false(msix_is_pending(f->dev.msix, 0));
}

static void test_msix_notify_out_of_range_einval(void **state)
{
	struct fixture *f = *state;

	set_control(f, PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(msix_notify(&f->dev, NR_VEC), -EINVAL);
	assert_int_equal(msix_notify(&f->dev, 0xffff), -EINVAL);
	assert_int_equal(bar_rd(f, PBA, 8), 0);
}

static void test_msix_notify_masked_sets_pending_only(void **state)
{
	struct fixture *f = *state;

	set_control(f, PCI_MSIX_FLAGS_ENABLE);
	program(f, 1);
	assert_int_equal(msix_notify(&f->dev, 1), 0);
	assert_true(msix_is_pending(f->dev.msix, 1));
	assert_int_equal(bar_rd(f, PBA, 8), 1u << 1);
	assert_int_equal(bar_rd(f, PBA, 4), 1u << 1);
	assert_int_equal(sent(f, 1), 0);
}

static void test_msix_pba_write_ignored(void **state)
{
	struct fixture *f = *state;

	set_control(f, PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(msix_notify(&f->dev, 2), 0);
	bar_wr(f, PBA, 0, 8);
	bar_wr(f, PBA, 0xff, 4);
	assert_int_equal(bar_rd(f, PBA, 8), 1u << 2);
}

static void test_msix_unmask_delivers_pending_with_route(void **state)
{
	struct fixture *f = *state;
	const struct kvm_irq_routing_entry *e;

	set_control(f, PCI_MSIX_FLAGS_ENABLE);
	program(f, 1);
	assert_int_equal(msix_notify(&f->dev, 1), 0);
	unmask(f, 1);
	assert_int_equal(sent(f, 1), 1);
	assert_false(msix_is_pending(f->dev.msix, 1));
	e = fake_irq_find_msi(&f->fake, 25);
	assert_non_null(e);
	assert_int_equal(e->u.msi.address_lo, 0xfee01000);
	assert_int_equal(e->u.msi.data, 0x31);
}

static void test_msix_notify_unmasked_sends_now(void **state)
{
	struct fixture *f = *state;
	unsigned pushes;

	set_control(f, PCI_MSIX_FLAGS_ENABLE);
	program(f, 0);
	unmask(f, 0);
	pushes = f->fake.nr_pushes;
	assert_int_equal(msix_notify(&f->dev, 0), 0);
	assert_int_equal(f->fake.nr_pushes, pushes + 1);
	assert_int_equal(msix_notify(&f->dev, 0), 0);
	assert_int_equal(f->fake.nr_pushes, pushes + 1);
	assert_int_equal(sent(f, 0), 2);
}

static void test_msix_entry_change_refreshes_route(void **state)
{
	struct fixture *f = *state;
	const struct kvm_irq_routing_entry *e;

	set_control(f, PCI_MSIX_FLAGS_ENABLE);
	program(f, 0);
	unmask(f, 0);
	assert_int_equal(msix_notify(&f->dev, 0), 0);
	bar_wr(f, TABLE + 8, 0x77, 4);
	assert_int_equal(msix_notify(&f->dev, 0), 0);
	e = fake_irq_find_msi(&f->fake, 24);
	assert_non_null(e);
	assert_int_equal(e->u.msi.data, 0x77);
}

static void test_msix_function_mask_pends_until_cleared(void **state)
{
	struct fixture *f = *state;

	set_control(f, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	program(f, 2);
	unmask(f, 2);
	assert_int_equal(msix_notify(&f->dev, 2), 0);
	assert_int_equal(sent(f, 2), 0);
	assert_true(msix_is_pending(f->dev.msix, 2));
	set_control(f, PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(sent(f, 2), 1);
	assert_false(msix_is_pending(f->dev.msix, 2));
}

static void test_msix_function_unmask_keeps_masked_vector_pending(void **state)
{
	struct fixture *f = *state;

	set_control(f, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	assert_int_equal(msix_notify(&f->dev, 1), 0);
	set_control(f, PCI_MSIX_FLAGS_ENABLE);
	assert_int_equal(sent(f, 1), 0);
	assert_true(msix_is_pending(f->dev.msix, 1));
}

static void test_msix_enabled_suppresses_intx(void **state)
{
	struct fixture *f = *state;

	pci_set_irq(&f->dev, true);
	assert_true(f->fake.level[17]);
	set_control(f, PCI_MSIX_FLAGS_ENABLE);
	assert_false(f->fake.level[17]);
	set_control(f, 0);
	assert_true(f->fake.level[17]);
}

static void test_msix_reset_masks_and_clears(void **state)
{
	struct fixture *f = *state;

	set_control(f, PCI_MSIX_FLAGS_ENABLE);
	program(f, 0);
	unmask(f, 0);
	bar_wr(f, TABLE + 16 + 12, 1, 4);
	assert_int_equal(msix_notify(&f->dev, 1), 0);
	msix_reset(f->dev.msix);
	assert_int_equal(bar_rd(f, TABLE, 8), 0);
	assert_int_equal(bar_rd(f, TABLE + 12, 4), 1);
	assert_int_equal(bar_rd(f, PBA, 8), 0);
}

static void test_msix_table_through_mapped_bar(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	uint8_t buf[4] = { 0x78, 0x56, 0x34, 0x12 };
	uint64_t base;

	assert_int_equal(pci_bus_assign_bars(&f->pci, &err), 0);
	base = f->dev.bars[0].mapped_gpa;
	assert_true(bus_write(&f->mmio, base + TABLE + 8, buf, 4));
	assert_int_equal(bar_rd(f, TABLE + 8, 4), 0x12345678);
	assert_true(bus_read(&f->mmio, base + 4, buf, 4));
	assert_int_equal(buf[0], 0xff);	/* no device ops: open bus */
}

static void test_msix_init_bad_layout_einval(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(msix_init(&f->dev, 0, 0, TABLE, PBA), -EINVAL);
	assert_int_equal(msix_init(&f->dev, 2049, 0, 0, 0x7000), -EINVAL);
	assert_int_equal(msix_init(&f->dev, 2, 1, TABLE, PBA), -EINVAL);
	assert_int_equal(msix_init(&f->dev, 2, 2, 0, 16), -EINVAL);
	assert_int_equal(msix_init(&f->dev, 2, 0, TABLE + 4, PBA), -EINVAL);
	assert_int_equal(msix_init(&f->dev, 2, 0, TABLE, PBA + 4), -EINVAL);
	assert_int_equal(msix_init(&f->dev, 2, 0, 0x7ff0, PBA), -EINVAL);
	assert_int_equal(msix_init(&f->dev, 2, 0, TABLE, 0x8000), -EINVAL);
	assert_int_equal(msix_init(&f->dev, 4, 0, TABLE, TABLE + 0x38),
			 -EINVAL);
	assert_null(f->dev.msix);
	assert_int_equal(f->fake.nr_irqfds, 0);
}

static void test_msix_init_twice_einval(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(msix_init(&f->dev, 1, 0, 0, 0x100), -EINVAL);
}

static void test_msix_init_off_bus_einval(void **state)
{
	static struct pci_device d;

	(void)state;
	pci_device_init(&d, "d", 0x1af4, 0x1044, 0xff0000, 1);
	assert_int_equal(pci_register_bar(&d, 0, 4096, PCI_BAR_MEM32, NULL,
					  NULL), 0);
	assert_int_equal(msix_init(&d, 1, 0, 0, 0x800), -EINVAL);
}

static void test_msix_init_gsis_exhausted_releases_all(void **state)
{
	struct fixture *f = *state;
	unsigned nr = IRQ_NR_GSIS - IRQ_FIRST_MSI_GSI + 1;

	assert_int_equal(msix_init(&f->dev, nr, 0, 0, 0x4000), -ENOSPC);
	assert_null(f->dev.msix);
	assert_int_equal(f->fake.nr_routes, 40);
	assert_int_equal(irq_nr_routes(&f->irq), 40);
}

/* M, not pci_test_util.h's T: MSI-X tests want their own device. */
#define M(fn) cmocka_unit_test_setup_teardown(fn, setup_msix, teardown)
#define B(fn) cmocka_unit_test_setup_teardown(fn, setup_bare, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		M(test_msix_init_capability_registers),
		M(test_msix_init_route_and_irqfd_per_vector),
		M(test_msix_entries_start_masked),
		M(test_msix_control_only_enable_and_mask_writable),
		M(test_msix_table_dword_write_reads_back),
		M(test_msix_table_qword_write_reads_back),
		M(test_msix_vector_control_reserved_bits_dropped),
		M(test_msix_unaligned_or_small_access_ignored),
		M(test_msix_access_outside_table_and_pba_not_claimed),
		M(test_msix_notify_disabled_enodev),
		M(test_msix_notify_out_of_range_einval),
		M(test_msix_notify_masked_sets_pending_only),
		M(test_msix_pba_write_ignored),
		M(test_msix_unmask_delivers_pending_with_route),
		M(test_msix_notify_unmasked_sends_now),
		M(test_msix_entry_change_refreshes_route),
		M(test_msix_function_mask_pends_until_cleared),
		M(test_msix_function_unmask_keeps_masked_vector_pending),
		M(test_msix_enabled_suppresses_intx),
		M(test_msix_reset_masks_and_clears),
		M(test_msix_table_through_mapped_bar),
		B(test_msix_init_bad_layout_einval),
		M(test_msix_init_twice_einval),
		cmocka_unit_test(test_msix_init_off_bus_einval),
		B(test_msix_init_gsis_exhausted_releases_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
