// SPDX-License-Identifier: MIT
/*
 * irq: the default irqchip routes pushed at init, MSI GSI allocation,
 * exhaustion and reuse, in-place route updates, irqfd requests, lines
 * and direct MSIs, all against a fake KVM backend.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "fake_irq.h"
#include "hw/irq.h"

struct fixture {
	struct fake_irq fake;
	struct irq irq;
};

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	if (irq_init(&f.irq, &fake_irq_ops, &f.fake))
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	irq_destroy(&f->irq);
	return 0;
}

static const struct irq_msi_msg msg1 = { .addr = 0xfee01000, .data = 0x41 };
static const struct irq_msi_msg msg2 = { .addr = 0x1fee02000ULL,
					 .data = 0x4042 };

/* Counts the pushed entries that route @gsi to (@chip, @pin). */
static unsigned count_irqchip(const struct fake_irq *f, unsigned gsi,
			      unsigned chip, unsigned pin)
{
	unsigned n = 0;

	for (unsigned i = 0; i < f->nr_routes; i++) {
		const struct kvm_irq_routing_entry *e = &f->routes[i];

		if (e->gsi == gsi && e->type == KVM_IRQ_ROUTING_IRQCHIP &&
		    e->u.irqchip.irqchip == chip && e->u.irqchip.pin == pin)
			n++;
	}
	return n;
}

static void test_irq_init_pushes_40_default_routes(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->fake.nr_pushes, 1);
	assert_int_equal(f->fake.nr_routes, 40);
	assert_int_equal(irq_nr_routes(&f->irq), 40);
}

static void test_irq_init_isa_gsis_reach_pic_and_ioapic(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(count_irqchip(&f->fake, 0, KVM_IRQCHIP_PIC_MASTER, 0),
			 1);
	assert_int_equal(count_irqchip(&f->fake, 0, KVM_IRQCHIP_IOAPIC, 0), 1);
	assert_int_equal(count_irqchip(&f->fake, 9, KVM_IRQCHIP_PIC_SLAVE, 1),
			 1);
	assert_int_equal(count_irqchip(&f->fake, 9, KVM_IRQCHIP_IOAPIC, 9), 1);
	assert_int_equal(count_irqchip(&f->fake, 9, KVM_IRQCHIP_PIC_MASTER, 1),
			 0);
}

static void test_irq_init_pci_gsis_reach_ioapic_only(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(count_irqchip(&f->fake, 16, KVM_IRQCHIP_IOAPIC, 16),
			 1);
	assert_int_equal(count_irqchip(&f->fake, 23, KVM_IRQCHIP_IOAPIC, 23),
			 1);
	assert_int_equal(count_irqchip(&f->fake, 16, KVM_IRQCHIP_PIC_MASTER, 0),
			 0);
}

static void test_irq_init_backend_failure_returned(void **state)
{
	struct fake_irq fake = { .fail_routing = -EINVAL };
	struct irq irq;

	(void)state;
	assert_int_equal(irq_init(&irq, &fake_irq_ops, &fake), -EINVAL);
	assert_null(irq.table);
}

static void test_irq_msi_route_add_first_gsi_24(void **state)
{
	struct fixture *f = *state;
	const struct kvm_irq_routing_entry *e;

	assert_int_equal(irq_msi_route_add(&f->irq, &msg2), 24);
	assert_int_equal(f->fake.nr_pushes, 2);
	assert_int_equal(f->fake.nr_routes, 41);
	e = fake_irq_find_msi(&f->fake, 24);
	assert_non_null(e);
	assert_int_equal(e->u.msi.address_lo, 0xfee02000);
	assert_int_equal(e->u.msi.address_hi, 1);
	assert_int_equal(e->u.msi.data, 0x4042);
}

static void test_irq_msi_route_add_second_gsi_25(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(irq_msi_route_add(&f->irq, &msg1), 24);
	assert_int_equal(irq_msi_route_add(&f->irq, &msg1), 25);
	assert_int_equal(irq_nr_routes(&f->irq), 42);
}

static void test_irq_msi_route_add_exhausted_enospc(void **state)
{
	struct fixture *f = *state;
	int gsi = 0;

	for (unsigned i = IRQ_FIRST_MSI_GSI; i < IRQ_NR_GSIS; i++)
		gsi = irq_msi_route_add(&f->irq, &msg1);
	assert_int_equal(gsi, IRQ_NR_GSIS - 1);
	assert_int_equal(irq_msi_route_add(&f->irq, &msg1), -ENOSPC);
	assert_int_equal(irq_nr_routes(&f->irq),
			 40 + IRQ_NR_GSIS - IRQ_FIRST_MSI_GSI);
}

static void test_irq_msi_route_release_gsi_reused(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(irq_msi_route_add(&f->irq, &msg1), 24);
	assert_int_equal(irq_msi_route_add(&f->irq, &msg1), 25);
	irq_msi_route_release(&f->irq, 24);
	assert_null(fake_irq_find_msi(&f->fake, 24));
	assert_non_null(fake_irq_find_msi(&f->fake, 25));
	assert_int_equal(irq_msi_route_add(&f->irq, &msg2), 24);
}

static void test_irq_msi_route_add_backend_failure_keeps_gsi(void **state)
{
	struct fixture *f = *state;

	f->fake.fail_routing = -ENOMEM;
	assert_int_equal(irq_msi_route_add(&f->irq, &msg1), -ENOMEM);
	assert_int_equal(irq_nr_routes(&f->irq), 40);
	f->fake.fail_routing = 0;
	assert_int_equal(irq_msi_route_add(&f->irq, &msg1), 24);
}

static void test_irq_msi_route_update_in_place(void **state)
{
	struct fixture *f = *state;
	const struct kvm_irq_routing_entry *e;

	assert_int_equal(irq_msi_route_add(&f->irq, &msg1), 24);
	assert_int_equal(irq_msi_route_update(&f->irq, 24, &msg2), 0);
	assert_int_equal(f->fake.nr_pushes, 3);
	assert_int_equal(f->fake.nr_routes, 41);
	e = fake_irq_find_msi(&f->fake, 24);
	assert_non_null(e);
	assert_int_equal(e->u.msi.data, 0x4042);
}

static void test_irq_msi_route_update_unchanged_no_push(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(irq_msi_route_add(&f->irq, &msg1), 24);
	assert_int_equal(irq_msi_route_update(&f->irq, 24, &msg1), 0);
	assert_int_equal(f->fake.nr_pushes, 2);
}

static void test_irq_msi_route_update_unknown_gsi_einval(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(irq_msi_route_update(&f->irq, 30, &msg1), -EINVAL);
	assert_int_equal(irq_msi_route_update(&f->irq, 5, &msg1), -EINVAL);
	assert_int_equal(f->fake.nr_pushes, 1);
}

static void test_irq_irqfd_assign_passes_fd_and_gsi(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(irq_irqfd_assign(&f->irq, 7, 24), 0);
	assert_int_equal(f->fake.last_irqfd.fd, 7);
	assert_int_equal(f->fake.last_irqfd.gsi, 24);
	assert_int_equal(f->fake.last_irqfd.flags, 0);
}

static void test_irq_irqfd_deassign_sets_flag(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(irq_irqfd_deassign(&f->irq, 7, 24), 0);
	assert_int_equal(f->fake.last_irqfd.flags, KVM_IRQFD_FLAG_DEASSIGN);
}

static void test_irq_irqfd_bad_args_einval(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(irq_irqfd_assign(&f->irq, -1, 24), -EINVAL);
	assert_int_equal(irq_irqfd_assign(&f->irq, 3, IRQ_NR_GSIS), -EINVAL);
	assert_int_equal(f->fake.nr_irqfds, 0);
}

static void test_irq_irqfd_backend_error_returned(void **state)
{
	struct fixture *f = *state;

	f->fake.fail_irqfd = -EBUSY;
	assert_int_equal(irq_irqfd_assign(&f->irq, 3, 24), -EBUSY);
}

static void test_irq_line_set_drives_level(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(irq_line_set(&f->irq, 17, true), 0);
	assert_true(f->fake.level[17]);
	assert_int_equal(irq_line_set(&f->irq, 17, false), 0);
	assert_false(f->fake.level[17]);
	assert_int_equal(f->fake.nr_lines, 2);
}

static void test_irq_line_set_gsi_24_einval(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(irq_line_set(&f->irq, 24, true), -EINVAL);
	assert_int_equal(f->fake.nr_lines, 0);
}

static void test_irq_signal_msi_splits_address(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(irq_signal_msi(&f->irq, &msg2), 0);
	assert_int_equal(f->fake.nr_msis, 1);
	assert_int_equal(f->fake.last_msi.address_lo, 0xfee02000);
	assert_int_equal(f->fake.last_msi.address_hi, 1);
	assert_int_equal(f->fake.last_msi.data, 0x4042);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_irq_init_pushes_40_default_routes),
		T(test_irq_init_isa_gsis_reach_pic_and_ioapic),
		T(test_irq_init_pci_gsis_reach_ioapic_only),
		cmocka_unit_test(test_irq_init_backend_failure_returned),
		T(test_irq_msi_route_add_first_gsi_24),
		T(test_irq_msi_route_add_second_gsi_25),
		T(test_irq_msi_route_add_exhausted_enospc),
		T(test_irq_msi_route_release_gsi_reused),
		T(test_irq_msi_route_add_backend_failure_keeps_gsi),
		T(test_irq_msi_route_update_in_place),
		T(test_irq_msi_route_update_unchanged_no_push),
		T(test_irq_msi_route_update_unknown_gsi_einval),
		T(test_irq_irqfd_assign_passes_fd_and_gsi),
		T(test_irq_irqfd_deassign_sets_flag),
		T(test_irq_irqfd_bad_args_einval),
		T(test_irq_irqfd_backend_error_returned),
		T(test_irq_line_set_drives_level),
		T(test_irq_line_set_gsi_24_einval),
		T(test_irq_signal_msi_splits_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
