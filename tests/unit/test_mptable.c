// SPDX-License-Identifier: MIT
/*
 * mptable: the MP spec 1.4 floating pointer and configuration table, read
 * back byte by byte at the spec's offsets (not through flexvm's structs),
 * with checksums recomputed here, for 1, 2, 40 and 255 CPUs; the BDA
 * words; PCI INTx routes; refused CPU counts, bad routes and unbacked
 * memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "boot/mptable.h"
#include "mem/guest_mem.h"
#include "mem/memmap.h"

#define RAM_SIZE (2 * MiB)
#define FPS 0x9FC00	/* floating pointer */
#define CFG 0x9FC10	/* configuration table right after it */
#define ENTRIES (CFG + 44)

static uint8_t *ram;
static struct guest_mem gm;

static int setup(void **state)
{
	(void)state;
	memset(&gm, 0, sizeof(gm));
	ram = calloc(1, RAM_SIZE);
	return ram && !guest_mem_add(&gm, "ram", 0, RAM_SIZE, ram) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

static unsigned rd8(uint64_t gpa)
{
	return ram[gpa];
}

static unsigned rd16(uint64_t gpa)
{
	return ram[gpa] | ram[gpa + 1] << 8;
}

static uint32_t rd32(uint64_t gpa)
{
	return (uint32_t)rd16(gpa) | (uint32_t)rd16(gpa + 2) << 16;
}

static uint8_t byte_sum(uint64_t gpa, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += ram[gpa + i];
	return sum;
}

/* Offset of entry @n (0-based) of the configuration table. */
static uint64_t entry_at(unsigned n)
{
	uint64_t gpa = ENTRIES;

	while (n--)
		gpa += rd8(gpa) == 0 ? 20 : 8;
	return gpa;
}

static void test_mptable_size_one_cpu_is_240_bytes(void **state)
{
	(void)state;
	/* 16 + 44 + 1 * 20 + 20 fixed entries * 8 */
	assert_int_equal(mptable_size(1, 0), 240);
	assert_int_equal(mptable_size(255, 0), 5320);
}

static void test_mptable_size_40_cpus_fit_ebda_41_do_not(void **state)
{
	(void)state;
	assert_true(mptable_size(40, 0) <= EBDA_END - EBDA_START);
	assert_true(mptable_size(41, 0) > EBDA_END - EBDA_START);
}

static void test_mptable_floating_pointer_one_cpu_valid(void **state)
{
	(void)state;
	assert_int_equal(mptable_write(&gm, 1, NULL, 0), 0);
	assert_memory_equal(&ram[FPS], "_MP_", 4);
	assert_int_equal(rd32(FPS + 4), CFG);	/* physptr */
	assert_int_equal(rd8(FPS + 8), 1);	/* length: 16 bytes */
	assert_int_equal(rd8(FPS + 9), 4);	/* spec rev 1.4 */
	assert_int_equal(byte_sum(FPS, 16), 0);
	for (int i = 11; i < 16; i++)		/* MP features: none */
		assert_int_equal(rd8(FPS + i), 0);
}

static void test_mptable_config_header_one_cpu_valid(void **state)
{
	(void)state;
	assert_int_equal(mptable_write(&gm, 1, NULL, 0), 0);
	assert_memory_equal(&ram[CFG], "PCMP", 4);
	assert_int_equal(rd16(CFG + 4), 240 - 16);	/* base table length */
	assert_int_equal(rd8(CFG + 6), 4);
	assert_int_equal(byte_sum(CFG, 224), 0);
	assert_memory_equal(&ram[CFG + 8], "FLEXVM  ", 8);
	assert_int_equal(rd32(CFG + 28), 0);		/* no OEM table */
	assert_int_equal(rd16(CFG + 34), 21);		/* entry count */
	assert_int_equal(rd32(CFG + 36), 0xFEE00000);	/* LAPIC */
	assert_int_equal(rd16(CFG + 40), 0);		/* extended length */
	assert_int_equal(rd8(CFG + 42), 0);		/* extended checksum */
}

static void test_mptable_entry_types_two_cpus_in_spec_order(void **state)
{
	static const uint8_t want[] = { 0, 0, 1, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3,
					3, 3, 3, 3, 3, 3, 3, 4, 4 };

	(void)state;
	assert_int_equal(mptable_write(&gm, 2, NULL, 0), 0);
	assert_int_equal(rd16(CFG + 34), sizeof(want));
	for (unsigned i = 0; i < sizeof(want); i++)
		assert_int_equal(rd8(entry_at(i)), want[i]);
	assert_int_equal(entry_at(sizeof(want)), CFG + rd16(CFG + 4));
}

static void test_mptable_processors_bsp_flag_only_on_cpu0(void **state)
{
	(void)state;
	assert_int_equal(mptable_write(&gm, 2, NULL, 0), 0);
	assert_int_equal(rd8(ENTRIES + 1), 0);		/* APIC id */
	assert_int_equal(rd8(ENTRIES + 2), 0x14);	/* APIC version */
	assert_int_equal(rd8(ENTRIES + 3), 0x03);	/* enabled | BSP */
	assert_int_equal(rd32(ENTRIES + 4), 0x600);	/* family 6 */
	assert_int_equal(rd32(ENTRIES + 8), 0x201);	/* FPU | APIC */
	assert_int_equal(rd8(ENTRIES + 20 + 1), 1);
	assert_int_equal(rd8(ENTRIES + 20 + 3), 0x01);	/* enabled only */
}

static void test_mptable_buses_isa_id0_pci_id1(void **state)
{
	(void)state;
	assert_int_equal(mptable_write(&gm, 1, NULL, 0), 0);
	assert_int_equal(rd8(entry_at(1) + 1), 0);
	assert_memory_equal(&ram[entry_at(1) + 2], "ISA   ", 6);
	assert_int_equal(rd8(entry_at(2) + 1), 1);
	assert_memory_equal(&ram[entry_at(2) + 2], "PCI   ", 6);
}

static void test_mptable_ioapic_id_is_nr_cpus(void **state)
{
	uint64_t e;

	(void)state;
	assert_int_equal(mptable_write(&gm, 2, NULL, 0), 0);
	e = entry_at(4);
	assert_int_equal(rd8(e), 2);
	assert_int_equal(rd8(e + 1), 2);		/* id = nr_cpus */
	assert_int_equal(rd8(e + 2), 0x11);
	assert_int_equal(rd8(e + 3), 0x01);		/* enabled */
	assert_int_equal(rd32(e + 4), 0xFEC00000);
}

static void test_mptable_isa_irq0_to_pin2_irq2_skipped(void **state)
{
	static const uint8_t irq[] = { 0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
				       13, 14, 15 };
	uint64_t e;

	(void)state;
	assert_int_equal(mptable_write(&gm, 1, NULL, 0), 0);
	for (unsigned i = 0; i < sizeof(irq); i++) {
		e = entry_at(4 + i);
		assert_int_equal(rd8(e), 3);
		assert_int_equal(rd8(e + 1), 0);	/* INT */
		assert_int_equal(rd16(e + 2), 0);	/* conforms to bus */
		assert_int_equal(rd8(e + 4), 0);	/* ISA */
		assert_int_equal(rd8(e + 5), irq[i]);
		assert_int_equal(rd8(e + 6), 1);	/* I/O APIC id */
		assert_int_equal(rd8(e + 7), irq[i] == 0 ? 2 : irq[i]);
	}
}

static void test_mptable_local_extint_lint0_nmi_lint1(void **state)
{
	uint64_t e;

	(void)state;
	assert_int_equal(mptable_write(&gm, 1, NULL, 0), 0);
	e = entry_at(19);
	assert_int_equal(rd8(e), 4);
	assert_int_equal(rd8(e + 1), 3);		/* ExtINT */
	assert_int_equal(rd8(e + 6), 0xFF);		/* all LAPICs */
	assert_int_equal(rd8(e + 7), 0);		/* LINT0 */
	assert_int_equal(rd8(e + 8), 4);
	assert_int_equal(rd8(e + 8 + 1), 1);		/* NMI */
	assert_int_equal(rd8(e + 8 + 6), 0xFF);
	assert_int_equal(rd8(e + 8 + 7), 1);		/* LINT1 */
}

static void test_mptable_255_cpus_checksums_and_counts(void **state)
{
	unsigned len;

	(void)state;
	assert_int_equal(mptable_write(&gm, 255, NULL, 0), 0);
	len = rd16(CFG + 4);
	assert_int_equal(len, 5320 - 16);
	assert_int_equal(byte_sum(FPS, 16), 0);
	assert_int_equal(byte_sum(CFG, len), 0);
	assert_int_equal(rd16(CFG + 34), 255 + 20);
	assert_int_equal(rd8(entry_at(254) + 1), 254);	/* last APIC id */
	assert_int_equal(rd8(entry_at(254) + 3), 0x01);
	assert_int_equal(rd8(entry_at(257) + 1), 255);	/* I/O APIC id */
	assert_int_equal(entry_at(275), CFG + len);
}

static void test_mptable_bda_points_at_ebda(void **state)
{
	(void)state;
	assert_int_equal(mptable_write(&gm, 1, NULL, 0), 0);
	assert_int_equal(rd16(0x40E), 0x9FC0);		/* EBDA segment */
	assert_int_equal(rd16(0x413), 639);		/* base memory KiB */
}

/* The search of MP spec 1.4 §4: 16-byte steps in the EBDA's first KiB. */
static void test_mptable_spec_search_finds_floating_pointer(void **state)
{
	uint64_t ebda, found = 0;

	(void)state;
	assert_int_equal(mptable_write(&gm, 4, NULL, 0), 0);
	ebda = (uint64_t)rd16(0x40E) << 4;
	for (uint64_t a = ebda; a < ebda + 1024 && !found; a += 16)
		if (!memcmp(&ram[a], "_MP_", 4) && byte_sum(a, 16) == 0)
			found = a;
	assert_int_equal(found, FPS);
}

static void test_mptable_zero_cpus_einval(void **state)
{
	(void)state;
	assert_int_equal(mptable_write(&gm, 0, NULL, 0), -EINVAL);
	assert_int_equal(rd32(FPS), 0);
}

static void test_mptable_256_cpus_einval(void **state)
{
	(void)state;
	assert_int_equal(mptable_write(&gm, 256, NULL, 0), -EINVAL);
	assert_int_equal(rd32(FPS), 0);
	assert_int_equal(rd16(0x40E), 0);
}

static void test_mptable_unbacked_ebda_efault(void **state)
{
	struct guest_mem small = { 0 };

	(void)state;
	assert_int_equal(guest_mem_add(&small, "ram", 0, 0x9F000, ram), 0);
	assert_int_equal(mptable_write(&small, 1, NULL, 0), -EFAULT);
}

static const struct mptable_pci_irq pci_irqs[] = {
	{ .slot = 1, .pin = 1, .ioapic_pin = 17 },
	{ .slot = 9, .pin = 1, .ioapic_pin = 17 },
	{ .slot = 31, .pin = 4, .ioapic_pin = 23 },
};

static void test_mptable_size_counts_pci_routes(void **state)
{
	(void)state;
	assert_int_equal(mptable_size(1, 3), 240 + 3 * 8);
}

static void test_mptable_pci_routes_after_isa_before_local(void **state)
{
	uint64_t e;

	(void)state;
	assert_int_equal(mptable_write(&gm, 1, pci_irqs, 3), 0);
	assert_int_equal(rd16(CFG + 34), 21 + 3);	/* entry count */
	e = entry_at(19);			/* after ISA IRQ 15 */
	assert_int_equal(rd8(e), 3);			/* I/O interrupt */
	assert_int_equal(rd8(e + 1), 0);		/* INT */
	assert_int_equal(rd16(e + 2), 0x000F);		/* level, low */
	assert_int_equal(rd8(e + 4), 1);		/* PCI bus id */
	assert_int_equal(rd8(e + 5), 1 << 2 | 0);	/* slot 1, INTA# */
	assert_int_equal(rd8(e + 6), 1);		/* I/O APIC id */
	assert_int_equal(rd8(e + 7), 17);
	assert_int_equal(rd8(entry_at(20) + 5), 9 << 2);
	assert_int_equal(rd8(entry_at(21) + 5), 31 << 2 | 3);
	assert_int_equal(rd8(entry_at(21) + 7), 23);
	assert_int_equal(rd8(entry_at(22)), 4);		/* local: ExtINT */
}

static void test_mptable_pci_routes_checksum_and_length(void **state)
{
	unsigned len;

	(void)state;
	assert_int_equal(mptable_write(&gm, 2, pci_irqs, 3), 0);
	len = rd16(CFG + 4);
	assert_int_equal(len, mptable_size(2, 3) - 16);
	assert_int_equal(byte_sum(CFG, len), 0);
	assert_int_equal(entry_at(2 + 20 + 3), CFG + len);
}

static void test_mptable_pci_route_out_of_range_einval(void **state)
{
	static const struct mptable_pci_irq bad[] = {
		{ .slot = 32, .pin = 1, .ioapic_pin = 16 },
		{ .slot = 1, .pin = 0, .ioapic_pin = 16 },
		{ .slot = 1, .pin = 5, .ioapic_pin = 16 },
		{ .slot = 1, .pin = 1, .ioapic_pin = 24 },
	};

	(void)state;
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(mptable_write(&gm, 1, &bad[i], 1), -EINVAL);
	assert_int_equal(mptable_write(&gm, 1, NULL, 1), -EINVAL);
	assert_int_equal(mptable_write(&gm, 1, pci_irqs,
				       MPTABLE_MAX_PCI_IRQS + 1), -EINVAL);
	assert_int_equal(rd32(FPS), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mptable_size_one_cpu_is_240_bytes),
		T(test_mptable_size_40_cpus_fit_ebda_41_do_not),
		T(test_mptable_floating_pointer_one_cpu_valid),
		T(test_mptable_config_header_one_cpu_valid),
		T(test_mptable_entry_types_two_cpus_in_spec_order),
		T(test_mptable_processors_bsp_flag_only_on_cpu0),
		T(test_mptable_buses_isa_id0_pci_id1),
		T(test_mptable_ioapic_id_is_nr_cpus),
		T(test_mptable_isa_irq0_to_pin2_irq2_skipped),
		T(test_mptable_local_extint_lint0_nmi_lint1),
		T(test_mptable_255_cpus_checksums_and_counts),
		T(test_mptable_bda_points_at_ebda),
		T(test_mptable_spec_search_finds_floating_pointer),
		T(test_mptable_zero_cpus_einval),
		T(test_mptable_256_cpus_einval),
		T(test_mptable_unbacked_ebda_efault),
		T(test_mptable_size_counts_pci_routes),
		T(test_mptable_pci_routes_after_isa_before_local),
		T(test_mptable_pci_routes_checksum_and_length),
		T(test_mptable_pci_route_out_of_range_einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
