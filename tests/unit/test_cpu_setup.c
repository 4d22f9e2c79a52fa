// SPDX-License-Identifier: MIT
/*
 * Unit tests for the pure vCPU builders: CPUID topology patching and the
 * register state each boot path enters with.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "boot/cpu_setup.h"

static struct kvm_cpuid2 *make_cpuid(void)
{
	static const struct kvm_cpuid_entry2 host[] = {
		{ .function = 1, .eax = 0x806f8, .ebx = 0xff0a0800,
		  .ecx = 0x7ffefbff, .edx = 0x0f8bfbff },
		{ .function = 4, .index = 0, .eax = 0xfc004121 },
		{ .function = 0xb, .index = 0, .flags = 1 },
		{ .function = 0xb, .index = 1, .flags = 1 },
		{ .function = 0xb, .index = 2, .flags = 1 },
		{ .function = 0x80000008, .eax = 0x302e },
	};
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + sizeof(host));

	c->nent = ARRAY_SIZE(host);
	memcpy(c->entries, host, sizeof(host));
	return c;
}

static const struct kvm_cpuid_entry2 *leaf(const struct kvm_cpuid2 *c,
					   uint32_t fn, uint32_t index)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == index)
			return &c->entries[i];
	return NULL;
}

static void test_cpuid_leaf1_apic_id_and_count_set(void **state)
{
	struct kvm_cpuid2 *c = make_cpuid();

	(void)state;
	cpu_cpuid_patch(c, 3, 4);
	assert_int_equal(leaf(c, 1, 0)->ebx >> 24, 3);
	assert_int_equal((leaf(c, 1, 0)->ebx >> 16) & 0xff, 4);
	/* Brand index and CLFLUSH size from the host stay. */
	assert_int_equal(leaf(c, 1, 0)->ebx & 0xffff, 0x0800);
	assert_true(leaf(c, 1, 0)->ecx & (1U << 31));	/* hypervisor */
	free(c);
}

static void test_cpuid_leaf4_cores_per_package_set(void **state)
{
	struct kvm_cpuid2 *c = make_cpuid();

	(void)state;
	cpu_cpuid_patch(c, 0, 2);
	assert_int_equal(leaf(c, 4, 0)->eax >> 26, 1);
	assert_int_equal((leaf(c, 4, 0)->eax >> 14) & 0xfff, 0);
	/* Cache type/level bits untouched. */
	assert_int_equal(leaf(c, 4, 0)->eax & 0x3fff, 0x0121);
	free(c);
}

static void test_cpuid_leafb_topology_for_three_cpus(void **state)
{
	struct kvm_cpuid2 *c = make_cpuid();

	(void)state;
	cpu_cpuid_patch(c, 2, 3);
	assert_int_equal(leaf(c, 0xb, 0)->ebx, 1);
	assert_int_equal(leaf(c, 0xb, 0)->ecx, 0x100);
	assert_int_equal(leaf(c, 0xb, 1)->eax, 2);	/* ceil(log2(3)) */
	assert_int_equal(leaf(c, 0xb, 1)->ebx, 3);
	assert_int_equal(leaf(c, 0xb, 1)->ecx, 0x201);
	assert_int_equal(leaf(c, 0xb, 2)->ebx, 0);
	assert_int_equal(leaf(c, 0xb, 2)->ecx, 2);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(leaf(c, 0xb, i)->edx, 2);
	free(c);
}

static void test_phys_bits_from_leaf_80000008(void **state)
{
	struct kvm_cpuid2 *c = make_cpuid();

	(void)state;
	assert_int_equal(cpu_phys_bits(c), 0x2e);
	c->nent = 1;	/* drop everything but leaf 1 */
	assert_int_equal(cpu_phys_bits(c), 36);
	free(c);
}

static void test_pvh_entry_is_flat_protected_mode(void **state)
{
	struct boot_info bi = { .mode = BOOT_MODE_PVH, .entry = 0x100040,
				.param_addr = 0x6000, .gdt_addr = 0x500,
				.gdt_limit = 31 };
	struct kvm_sregs s;
	struct kvm_regs r;

	(void)state;
	memset(&s, 0xaa, sizeof(s));
	cpu_boot_sregs_build(&bi, &s);
	cpu_boot_regs_build(&bi, &r);
	assert_int_equal(s.cr0, 0x11);	/* PE | ET, paging off */
	assert_int_equal(s.cr4, 0);
	assert_int_equal(s.efer, 0);
	assert_int_equal(s.cs.selector, 0x10);
	assert_int_equal(s.cs.db, 1);
	assert_int_equal(s.cs.l, 0);
	assert_int_equal(s.cs.limit, 0xffffffff);
	assert_int_equal(s.ds.selector, 0x18);
	assert_int_equal(s.ss.type, 3);
	assert_int_equal(s.gdt.base, 0x500);
	assert_int_equal(s.gdt.limit, 31);
	assert_int_equal(r.rip, 0x100040);
	assert_int_equal(r.rbx, 0x6000);
	assert_int_equal(r.rsi, 0);
	assert_int_equal(r.rflags, 2);
}

static void test_linux64_entry_is_long_mode_with_paging(void **state)
{
	struct boot_info bi = { .mode = BOOT_MODE_LINUX64, .entry = 0x100200,
				.param_addr = 0x7000, .cr3 = 0x9000,
				.gdt_addr = 0x500, .gdt_limit = 31 };
	struct kvm_sregs s;
	struct kvm_regs r;

	(void)state;
	memset(&s, 0, sizeof(s));
	cpu_boot_sregs_build(&bi, &s);
	cpu_boot_regs_build(&bi, &r);
	assert_int_equal(s.cr0 & 0x80000001, 0x80000001);	/* PG | PE */
	assert_int_equal(s.cr3, 0x9000);
	assert_int_equal(s.cr4, 0x20);				/* PAE */
	assert_int_equal(s.efer, 0x500);			/* LME | LMA */
	assert_int_equal(s.cs.l, 1);
	assert_int_equal(s.cs.db, 0);
	assert_int_equal(r.rip, 0x100200);
	assert_int_equal(r.rsi, 0x7000);
	assert_int_equal(r.rbx, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpuid_leaf1_apic_id_and_count_set),
		cmocka_unit_test(test_cpuid_leaf4_cores_per_package_set),
		cmocka_unit_test(test_cpuid_leafb_topology_for_three_cpus),
		cmocka_unit_test(test_phys_bits_from_leaf_80000008),
		cmocka_unit_test(test_pvh_entry_is_flat_protected_mode),
		cmocka_unit_test(test_linux64_entry_is_long_mode_with_paging),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
