// SPDX-License-Identifier: MIT
/*
 * pci: config space write masks, read-only and write-1-to-clear fields,
 * capability chaining, INTx sharing, and the query-pci / info pci data.
 * BARs are in test_pci_bar.c; the host bridge and slot allocation in
 * test_pci_host.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "pci_test_util.h"

static void test_pci_init_ids_and_class(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cfg_read(f, PCI_VENDOR_ID, 4), 0x10441af4);
	assert_int_equal(cfg_read(f, PCI_CLASS_REVISION, 4), 0xff000001);
	assert_int_equal(cfg_read(f, PCI_HEADER_TYPE, 1), 0);
	assert_int_equal(cfg_read(f, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001af4);
}

static void test_pci_vendor_id_write_ignored(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_VENDOR_ID, 0xdeadbeef, 4);
	assert_int_equal(cfg_read(f, PCI_VENDOR_ID, 4), 0x10441af4);
}

static void test_pci_command_only_writable_bits_stick(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_COMMAND, 0xffff, 2);
	assert_int_equal(cfg_read(f, PCI_COMMAND, 2), 0x0547);
}

static void test_pci_status_error_bit_write_one_clears(void **state)
{
	struct fixture *f = *state;

	pci_set_word(&f->dev, PCI_STATUS, PCI_STATUS_DETECTED_PARITY |
					  PCI_STATUS_REC_MASTER_ABORT);
	cfg_write(f, PCI_STATUS, PCI_STATUS_DETECTED_PARITY, 2);
	assert_int_equal(cfg_read(f, PCI_STATUS, 2),
			 PCI_STATUS_REC_MASTER_ABORT);
}

static void test_pci_status_write_zero_keeps_bits(void **state)
{
	struct fixture *f = *state;

	pci_set_word(&f->dev, PCI_STATUS, PCI_STATUS_SIG_SYSTEM_ERROR);
	cfg_write(f, PCI_COMMAND, 0, 4);	/* command + status dword */
	assert_int_equal(cfg_read(f, PCI_STATUS, 2),
			 PCI_STATUS_SIG_SYSTEM_ERROR);
}

static void test_pci_status_cap_list_bit_read_only(void **state)
{
	struct fixture *f = *state;

	assert_true(pci_add_capability(&f->dev, PCI_CAP_ID_VNDR, 16) > 0);
	cfg_write(f, PCI_STATUS, 0xffff, 2);
	assert_int_equal(cfg_read(f, PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
}

static void test_pci_interrupt_line_writable_pin_read_only(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_INTERRUPT_LINE, 0x0f0b, 2);
	assert_int_equal(cfg_read(f, PCI_INTERRUPT_LINE, 1), 0x0b);
	assert_int_equal(cfg_read(f, PCI_INTERRUPT_PIN, 1), 1);
}

static void test_pci_misaligned_read_all_ones(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cfg_read(f, 1, 2), 0xffffffff);
	assert_int_equal(cfg_read(f, 2, 4), 0xffffffff);
	assert_int_equal(cfg_read(f, 0, 3), 0xffffffff);
	assert_int_equal(cfg_read(f, 256, 1), 0xffffffff);
}

static void test_pci_misaligned_write_dropped(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_INTERRUPT_LINE - 1, 0xffff, 2);
	cfg_write(f, 255, 0xff, 2);
	assert_int_equal(cfg_read(f, PCI_INTERRUPT_LINE, 1), 0);
	assert_int_equal(f->nr_cfg_writes, 0);
}

static void test_pci_config_write_hook_called(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_INTERRUPT_LINE, 5, 1);
	assert_int_equal(f->nr_cfg_writes, 1);
}

static void test_pci_capabilities_chain_in_order(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(pci_add_capability(&f->dev, PCI_CAP_ID_VNDR, 16),
			 0x40);
	assert_int_equal(pci_add_capability(&f->dev, PCI_CAP_ID_MSIX, 12),
			 0x50);
	assert_int_equal(pci_add_capability(&f->dev, PCI_CAP_ID_VNDR, 5),
			 0x5c);
	assert_int_equal(cfg_read(f, PCI_CAPABILITY_LIST, 1), 0x40);
	assert_int_equal(cfg_read(f, 0x40, 2), 0x5009);
	assert_int_equal(cfg_read(f, 0x50, 2), 0x5c11);
	assert_int_equal(cfg_read(f, 0x5c, 2), 0x0009);
	assert_int_equal(pci_add_capability(&f->dev, PCI_CAP_ID_VNDR, 4),
			 0x64);
	assert_int_equal(pci_find_capability(&f->dev, PCI_CAP_ID_MSIX), 0x50);
	assert_int_equal(pci_find_capability(&f->dev, PCI_CAP_ID_EXP), 0);
}

static void test_pci_capability_body_read_only(void **state)
{
	struct fixture *f = *state;
	int off = pci_add_capability(&f->dev, PCI_CAP_ID_VNDR, 16);

	cfg_write(f, (unsigned)off, 0xffffffff, 4);
	cfg_write(f, (unsigned)off + 4, 0xffffffff, 4);
	assert_int_equal(cfg_read(f, (unsigned)off, 4), 0x00000009);
	assert_int_equal(cfg_read(f, (unsigned)off + 4, 4), 0);
}

static void test_pci_capability_full_enospc(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(pci_add_capability(&f->dev, PCI_CAP_ID_VNDR, 192),
			 0x40);
	assert_int_equal(pci_add_capability(&f->dev, PCI_CAP_ID_VNDR, 1),
			 -ENOSPC);
	assert_int_equal(pci_add_capability(&f->dev, PCI_CAP_ID_VNDR, 4),
			 -ENOSPC);
}

static void test_pci_intx_raises_slot_pin(void **state)
{
	struct fixture *f = *state;

	pci_set_irq(&f->dev, true);
	assert_true(f->fake.level[19]);	/* slot 3: pin 16 + 3 */
	assert_int_equal(cfg_read(f, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT,
			 PCI_STATUS_INTERRUPT);
	pci_set_irq(&f->dev, false);
	assert_false(f->fake.level[19]);
	assert_int_equal(cfg_read(f, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, 0);
}

static void test_pci_intx_disable_gates_line(void **state)
{
	struct fixture *f = *state;

	cfg_write(f, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2);
	pci_set_irq(&f->dev, true);
	assert_false(f->fake.level[19]);
	assert_int_equal(cfg_read(f, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT,
			 PCI_STATUS_INTERRUPT);
	cfg_write(f, PCI_COMMAND, 0, 2);
	assert_true(f->fake.level[19]);
}

static void test_pci_intx_shared_pin_stays_while_one_asserts(void **state)
{
	struct fixture *f = *state;
	static struct pci_device other;

	pci_device_init(&other, "other", 0x1af4, 0x1044, 0xff0000, 1);
	pci_set_byte(&other, PCI_INTERRUPT_PIN, 1);
	assert_int_equal(pci_bus_add_device(&f->pci, &other, PCI_DEVFN(11, 0),
					    NULL), 0);
	pci_set_irq(&f->dev, true);
	pci_set_irq(&other, true);
	pci_set_irq(&f->dev, false);
	assert_true(f->fake.level[19]);
	pci_set_irq(&other, false);
	assert_false(f->fake.level[19]);
	assert_int_equal(f->fake.nr_lines, 2);
}

static void test_pci_intx_no_pin_never_raises(void **state)
{
	struct fixture *f = *state;

	pci_set_byte(&f->dev, PCI_INTERRUPT_PIN, 0);
	pci_set_irq(&f->dev, true);
	assert_int_equal(f->fake.nr_lines, 0);
}

static void test_pci_intx_gsi_wraps_every_8_slots(void **state)
{
	(void)state;
	assert_int_equal(pci_intx_gsi(1), 17);
	assert_int_equal(pci_intx_gsi(8), 16);
	assert_int_equal(pci_intx_gsi(31), 23);
}

static void test_pci_query_lists_host_bridge_and_device(void **state)
{
	struct fixture *f = *state;
	struct pci_query_device q[4];

	f->dev.qdev_id = "rng0";
	assert_int_equal(pci_query(&f->pci, q, 4), 2);
	assert_int_equal(q[0].slot, 0);
	assert_int_equal(q[0].class_code, 0x0600);
	assert_string_equal(q[0].class_desc, "Host bridge");
	assert_int_equal(q[0].vendor, 0x8086);
	assert_int_equal(q[0].device, 0x1237);
	assert_false(q[0].has_irq);
	assert_string_equal(q[0].qdev_id, "");
	assert_int_equal(q[0].nr_regions, 0);
	assert_int_equal(q[1].slot, 3);
	assert_null(q[1].class_desc);
	assert_int_equal(q[1].class_code, 0xff00);
	assert_true(q[1].has_irq);
	assert_int_equal(q[1].irq_pin, 1);
	assert_string_equal(q[1].qdev_id, "rng0");
}

static void test_pci_query_regions_unmapped_minus_one(void **state)
{
	struct fixture *f = *state;
	struct pci_query_device q[2];

	assert_int_equal(pci_query(&f->pci, q, 2), 2);
	assert_int_equal(q[1].nr_regions, 3);
	assert_int_equal(q[1].regions[0].bar, 0);
	assert_false(q[1].regions[0].is_io);
	assert_int_equal(q[1].regions[0].address, UINT64_MAX);
	assert_int_equal(q[1].regions[0].size, 4096);
	assert_int_equal(q[1].regions[1].bar, 2);
	assert_true(q[1].regions[1].is_io);
	assert_int_equal(q[1].regions[2].bar, 4);
	assert_true(q[1].regions[2].mem_type_64);
	assert_true(q[1].regions[2].prefetch);
}

static void test_pci_query_truncated_returns_total(void **state)
{
	struct fixture *f = *state;
	struct pci_query_device q[1];

	assert_int_equal(pci_query(&f->pci, q, 1), 2);
	assert_int_equal(q[0].slot, 0);
}

static void test_pci_print_info_matches_qemu(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	f->dev.qdev_id = "rng0";
	assert_int_equal(pci_bus_assign_bars(&f->pci, &err), 0);
	pci_print_info(&f->pci, out);
	fclose(out);
	assert_string_equal(text,
		"  Bus  0, device   0, function 0:\n"
		"    Host bridge: PCI device 8086:1237\n"
		"      PCI subsystem 1af4:1100\n"
		"      id \"\"\n"
		"  Bus  0, device   3, function 0:\n"
		"    Class 65280: PCI device 1af4:1044\n"
		"      PCI subsystem 1af4:1100\n"
		"      IRQ 19, pin A\n"
		"      BAR0: 32 bit memory at 0xc0000000 [0xc0000fff].\n"
		"      BAR2: I/O at 0xc000 [0xc01f].\n"
		"      BAR4: 64 bit prefetchable memory at 0x300000000 "
		"[0x300003fff].\n"
		"      id \"rng0\"\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_pci_init_ids_and_class),
		T(test_pci_vendor_id_write_ignored),
		T(test_pci_command_only_writable_bits_stick),
		T(test_pci_status_error_bit_write_one_clears),
		T(test_pci_status_write_zero_keeps_bits),
		T(test_pci_status_cap_list_bit_read_only),
		T(test_pci_interrupt_line_writable_pin_read_only),
		T(test_pci_misaligned_read_all_ones),
		T(test_pci_misaligned_write_dropped),
		T(test_pci_config_write_hook_called),
		T(test_pci_capabilities_chain_in_order),
		T(test_pci_capability_body_read_only),
		T(test_pci_capability_full_enospc),
		T(test_pci_intx_raises_slot_pin),
		T(test_pci_intx_disable_gates_line),
		T(test_pci_intx_shared_pin_stays_while_one_asserts),
		T(test_pci_intx_no_pin_never_raises),
		cmocka_unit_test(test_pci_intx_gsi_wraps_every_8_slots),
		T(test_pci_query_lists_host_bridge_and_device),
		T(test_pci_query_regions_unmapped_minus_one),
		T(test_pci_query_truncated_returns_total),
		T(test_pci_print_info_matches_qemu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
