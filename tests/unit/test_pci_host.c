// SPDX-License-Identifier: MIT
/*
 * pci_host: configuration mechanism #1 through the PIO bus: the latch
 * reads back (Linux's type 1 probe), byte writes do not clobber it, data
 * port lanes for byte/word/dword, the enable bit, absent functions and
 * buses, and the unreachable extended register range; bus 0's host
 * bridge and slot allocation with QEMU's error lines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "pci_test_util.h"

/* The host bridge on the PIO bus, a device without ops at 00:02.0. */
static int setup_host(void **state)
{
	static struct fixture f;

	if (pci_test_bus_init(&f, 0) ||
	    pci_host_init(&f.host, &f.pci, &f.pio))
		return -1;
	pci_device_init(&f.dev, "dev", 0x1af4, 0x1044, 0xff0000, 1);
	if (pci_bus_add_device(&f.pci, &f.dev, PCI_DEVFN(2, 0), NULL))
		return -1;
	*state = &f;
	return 0;
}

static uint32_t in(struct fixture *f, uint16_t port, unsigned size)
{
	uint8_t b[4] = { 0 };

	bus_read(&f->pio, port, b, size);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static void out(struct fixture *f, uint16_t port, uint32_t v, unsigned size)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 24) };

	bus_write(&f->pio, port, b, size);
}

/* CONFIG_ADDRESS for bus 0, @devfn, register @reg. */
static uint32_t addr(unsigned devfn, unsigned reg)
{
	return 0x80000000u | devfn << 8 | reg;
}

static void test_pci_host_latch_reads_back(void **state)
{
	struct fixture *f = *state;

	out(f, 0xcf8, 0x80000000, 4);
	assert_int_equal(in(f, 0xcf8, 4), 0x80000000);
}

static void test_pci_host_byte_write_cfb_keeps_latch(void **state)
{
	struct fixture *f = *state;

	out(f, 0xcf8, 0x80001234, 4);
	out(f, 0xcfb, 0x01, 1);	/* Linux's pci_check_type1() */
	assert_int_equal(in(f, 0xcf8, 4), 0x80001234);
}

static void test_pci_host_latch_byte_read_lane(void **state)
{
	struct fixture *f = *state;

	out(f, 0xcf8, 0x80123456, 4);
	assert_int_equal(in(f, 0xcfb, 1), 0x80);
	assert_int_equal(in(f, 0xcf9, 1), 0x34);
}

static void test_pci_host_dword_reads_host_bridge_ids(void **state)
{
	struct fixture *f = *state;

	out(f, 0xcf8, addr(0, 0), 4);
	assert_int_equal(in(f, 0xcfc, 4), 0x12378086);
}

static void test_pci_host_word_lane_reads_device_id(void **state)
{
	struct fixture *f = *state;

	out(f, 0xcf8, addr(PCI_DEVFN(2, 0), 0), 4);
	assert_int_equal(in(f, 0xcfe, 2), 0x1044);
	assert_int_equal(in(f, 0xcfc, 2), 0x1af4);
}

static void test_pci_host_byte_lane_reads_class(void **state)
{
	struct fixture *f = *state;

	out(f, 0xcf8, addr(PCI_DEVFN(2, 0), 8), 4);
	assert_int_equal(in(f, 0xcfc, 1), 0x01);	/* revision */
	assert_int_equal(in(f, 0xcff, 1), 0xff);	/* base class */
	assert_int_equal(in(f, 0xcfe, 1), 0x00);	/* subclass */
}

static void test_pci_host_byte_write_at_lane(void **state)
{
	struct fixture *f = *state;

	/* Register 0x3c, lane 0: interrupt line. */
	out(f, 0xcf8, addr(PCI_DEVFN(2, 0), 0x3c), 4);
	out(f, 0xcfc, 0x0a, 1);
	assert_int_equal(pci_get_byte(&f->dev, PCI_INTERRUPT_LINE), 0x0a);
	/* Lane 1 of register 0x04: the command's high byte. */
	out(f, 0xcf8, addr(PCI_DEVFN(2, 0), 0x04), 4);
	out(f, 0xcfd, 0x04, 1);
	assert_int_equal(pci_get_word(&f->dev, PCI_COMMAND),
			 PCI_COMMAND_INTX_DISABLE);
}

static void test_pci_host_low_bits_of_latch_ignored(void **state)
{
	struct fixture *f = *state;

	out(f, 0xcf8, addr(PCI_DEVFN(2, 0), 0x02), 4);
	assert_int_equal(in(f, 0xcfc, 4), 0x10441af4);
}

static void test_pci_host_disabled_reads_all_ones(void **state)
{
	struct fixture *f = *state;

	out(f, 0xcf8, PCI_DEVFN(2, 0) << 8, 4);
	assert_int_equal(in(f, 0xcfc, 4), 0xffffffff);
	assert_int_equal(in(f, 0xcfe, 2), 0xffff);
}

static void test_pci_host_disabled_write_dropped(void **state)
{
	struct fixture *f = *state;

	out(f, 0xcf8, PCI_DEVFN(2, 0) << 8 | 0x3c, 4);
	out(f, 0xcfc, 0x0b, 1);
	assert_int_equal(pci_get_byte(&f->dev, PCI_INTERRUPT_LINE), 0);
}

static void test_pci_host_absent_function_all_ones(void **state)
{
	struct fixture *f = *state;

	out(f, 0xcf8, addr(PCI_DEVFN(7, 0), 0), 4);
	assert_int_equal(in(f, 0xcfc, 4), 0xffffffff);
	out(f, 0xcf8, addr(PCI_DEVFN(2, 3), 0), 4);
	assert_int_equal(in(f, 0xcfc, 2), 0xffff);
}

static void test_pci_host_other_bus_all_ones(void **state)
{
	struct fixture *f = *state;

	out(f, 0xcf8, addr(0, 0) | 1u << 16, 4);
	assert_int_equal(in(f, 0xcfc, 4), 0xffffffff);
}

static void test_pci_host_extended_register_unreachable(void **state)
{
	struct fixture *f = *state;

	/* AMD ECS: bits 27:24 would select register 0x100 + reg. */
	out(f, 0xcf8, addr(PCI_DEVFN(2, 0), 0x3c) | 1u << 24, 4);
	assert_int_equal(in(f, 0xcfc, 4), 0xffffffff);
	out(f, 0xcfc, 0x0c, 1);
	assert_int_equal(pci_get_byte(&f->dev, PCI_INTERRUPT_LINE), 0);
}

static void test_pci_host_misaligned_word_all_ones(void **state)
{
	struct fixture *f = *state;

	out(f, 0xcf8, addr(0, 0), 4);
	assert_int_equal(in(f, 0xcfd, 2), 0xffff);
}

/* ---- bus 0: host bridge and slots ---- */

static void test_pci_bus_host_bridge_at_00_0(void **state)
{
	struct fixture *f = *state;
	struct pci_device *hb = pci_bus_find(&f->pci, 0);

	assert_non_null(hb);
	assert_int_equal(pci_config_read(hb, PCI_VENDOR_ID, 4), 0x12378086);
	assert_int_equal(pci_config_read(hb, PCI_CLASS_DEVICE, 2), 0x0600);
	assert_int_equal(pci_config_read(hb, PCI_INTERRUPT_PIN, 1), 0);
}

static void test_pci_bus_add_auto_takes_slot_1(void **state)
{
	struct fixture *f = *state;
	static struct pci_device d;

	pci_device_init(&d, "auto", 0x1af4, 0x1044, 0xff0000, 1);
	assert_int_equal(pci_bus_add_device(&f->pci, &d, PCI_DEVFN_AUTO,
					    NULL), 0);
	assert_int_equal(d.devfn, PCI_DEVFN(1, 0));
	assert_ptr_equal(pci_bus_find(&f->pci, PCI_DEVFN(1, 0)), &d);
}

static void test_pci_bus_add_taken_slot_qemu_message(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	static struct pci_device d;

	f->dev.qdev_id = "rng0";
	pci_device_init(&d, "virtio-rng-pci", 0x1af4, 0x1044, 0xff0000, 1);
	assert_int_equal(pci_bus_add_device(&f->pci, &d, PCI_DEVFN(2, 0),
					    &err), -EBUSY);
	assert_string_equal(err.msg,
			    "PCI: slot 2 function 0 not available for "
			    "virtio-rng-pci, in use by dev,id=rng0");
}

static void test_pci_bus_add_slot_0_in_use_by_host_bridge(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	static struct pci_device d;

	pci_device_init(&d, "virtio-rng-pci", 0x1af4, 0x1044, 0xff0000, 1);
	assert_int_equal(pci_bus_add_device(&f->pci, &d, 0, &err), -EBUSY);
	assert_string_equal(err.msg,
			    "PCI: slot 0 function 0 not available for "
			    "virtio-rng-pci, in use by i440FX,id=(null)");
}

static void test_pci_bus_add_function_1_einval(void **state)
{
	struct fixture *f = *state;
	static struct pci_device d;

	pci_device_init(&d, "x", 0x1af4, 0x1044, 0xff0000, 1);
	assert_int_equal(pci_bus_add_device(&f->pci, &d, PCI_DEVFN(4, 1),
					    NULL), -EINVAL);
	assert_int_equal(pci_bus_add_device(&f->pci, &d, 256, NULL), -EINVAL);
	assert_null(pci_bus_find(&f->pci, PCI_DEVFN(4, 1)));
}

static void test_pci_bus_add_full_enospc(void **state)
{
	struct fixture *f = *state;
	static struct pci_device d[PCI_NR_SLOTS];
	struct error err = { 0 };

	for (unsigned i = 0; i < PCI_NR_SLOTS - 2; i++) {
		pci_device_init(&d[i], "x", 0x1af4, 0x1044, 0xff0000, 1);
		assert_int_equal(pci_bus_add_device(&f->pci, &d[i],
						    PCI_DEVFN_AUTO, NULL), 0);
	}
	pci_device_init(&d[30], "virtio-rng-pci", 0x1af4, 0x1044, 0, 1);
	assert_int_equal(pci_bus_add_device(&f->pci, &d[30], PCI_DEVFN_AUTO,
					    &err), -ENOSPC);
	assert_string_equal(err.msg,
			    "PCI: no slot/function available for "
			    "virtio-rng-pci, all in use or reserved");
}

/* H, not pci_test_util.h's T: these tests want the host bridge. */
#define H(fn) cmocka_unit_test_setup_teardown(fn, setup_host, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		H(test_pci_host_latch_reads_back),
		H(test_pci_host_byte_write_cfb_keeps_latch),
		H(test_pci_host_latch_byte_read_lane),
		H(test_pci_host_dword_reads_host_bridge_ids),
		H(test_pci_host_word_lane_reads_device_id),
		H(test_pci_host_byte_lane_reads_class),
		H(test_pci_host_byte_write_at_lane),
		H(test_pci_host_low_bits_of_latch_ignored),
		H(test_pci_host_disabled_reads_all_ones),
		H(test_pci_host_disabled_write_dropped),
		H(test_pci_host_absent_function_all_ones),
		H(test_pci_host_other_bus_all_ones),
		H(test_pci_host_extended_register_unreachable),
		H(test_pci_host_misaligned_word_all_ones),
		H(test_pci_bus_host_bridge_at_00_0),
		H(test_pci_bus_add_auto_takes_slot_1),
		H(test_pci_bus_add_taken_slot_qemu_message),
		H(test_pci_bus_add_slot_0_in_use_by_host_bridge),
		H(test_pci_bus_add_function_1_einval),
		H(test_pci_bus_add_full_enospc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
