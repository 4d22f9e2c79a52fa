// SPDX-License-Identifier: MIT
/*
 * KVM interrupt plumbing: flexvm's copy of the GSI routing table (pushed
 * whole, as KVM_SET_GSI_ROUTING replaces it), the MSI GSI allocator,
 * irqfds and irqchip lines. Called with dm_lock held, from the main
 * thread (machine build, MSI-X table writes) and vCPU threads.
 */
#include "hw/irq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "util/log.h"

/* KVM's default: 16 PIC entries, 24 IOAPIC entries. */
#define IRQ_NR_DEFAULT_ROUTES	(16 + IRQ_NR_IRQCHIP_GSIS)

static int irq_kvm_ioctl(void *opaque, unsigned long req, const void *arg)
{
	const struct irq *irq = opaque;

	if (ioctl(irq->vm_fd, req, arg) < 0)
		return -errno;
	return 0;
}

static int irq_kvm_set_gsi_routing(void *opaque,
				   const struct kvm_irq_routing *table)
{
	return irq_kvm_ioctl(opaque, KVM_SET_GSI_ROUTING, table);
}

static int irq_kvm_irqfd(void *opaque, const struct kvm_irqfd *req)
{
	return irq_kvm_ioctl(opaque, KVM_IRQFD, req);
}

static int irq_kvm_irq_line(void *opaque, uint32_t gsi, bool level)
{
	struct kvm_irq_level line = { .irq = gsi, .level = level };

	return irq_kvm_ioctl(opaque, KVM_IRQ_LINE, &line);
}

static int irq_kvm_signal_msi(void *opaque, const struct kvm_msi *msi)
{
	const struct irq *irq = opaque;
	int ret = ioctl(irq->vm_fd, KVM_SIGNAL_MSI, msi);

	/* 0 means the interrupt was blocked (e.g. masked in the LAPIC). */
	return ret < 0 ? -errno : 0;
}

static const struct irq_ops irq_kvm_ops = {
	.set_gsi_routing = irq_kvm_set_gsi_routing,
	.irqfd = irq_kvm_irqfd,
	.irq_line = irq_kvm_irq_line,
	.signal_msi = irq_kvm_signal_msi,
};

static bool irq_gsi_is_used(const struct irq *irq, unsigned gsi)
{
	return irq->gsi_used[gsi / 64] & (1ULL << (gsi % 64));
}

static void irq_gsi_mark(struct irq *irq, unsigned gsi, bool used)
{
	if (used)
		irq->gsi_used[gsi / 64] |= 1ULL << (gsi % 64);
	else
		irq->gsi_used[gsi / 64] &= ~(1ULL << (gsi % 64));
}

/* Makes room for one more entry. */
static int irq_table_reserve(struct irq *irq)
{
	struct kvm_irq_routing *t;
	unsigned cap;

	if (irq->table && irq->table->nr < irq->capacity)
		return 0;
	cap = irq->capacity ? irq->capacity * 2 : IRQ_NR_DEFAULT_ROUTES + 16;
	t = realloc(irq->table, sizeof(*t) + cap * sizeof(t->entries[0]));
	if (!t)
		return -ENOMEM;
	if (!irq->table)
		memset(t, 0, sizeof(*t));
	irq->table = t;
	irq->capacity = cap;
	return 0;
}

static void irq_table_put_irqchip(struct irq *irq, unsigned gsi,
				  unsigned chip, unsigned pin)
{
	struct kvm_irq_routing_entry *e;

	e = &irq->table->entries[irq->table->nr++];
	*e = (struct kvm_irq_routing_entry){
		.gsi = gsi,
		.type = KVM_IRQ_ROUTING_IRQCHIP,
		.u.irqchip = { .irqchip = chip, .pin = pin },
	};
}

static int irq_push(struct irq *irq)
{
	int ret = irq->ops->set_gsi_routing(irq->opaque, irq->table);

	irq->dirty = ret != 0;
	return ret;
}

static int irq_setup(struct irq *irq, const struct irq_ops *ops,
		     void *opaque, int vm_fd)
{
	unsigned gsi;
	int ret;

	*irq = (struct irq){ .ops = ops, .opaque = opaque, .vm_fd = vm_fd,
			     .rl = { .burst = 10, .interval_ms = 1000 } };
	irq->capacity = IRQ_NR_DEFAULT_ROUTES + 16;
	irq->table = calloc(1, sizeof(*irq->table) +
			       irq->capacity * sizeof(irq->table->entries[0]));
	if (!irq->table)
		return -ENOMEM;
	/* Exactly what KVM_CREATE_IRQCHIP installs, so nothing changes. */
	for (gsi = 0; gsi < 16; gsi++)
		irq_table_put_irqchip(irq, gsi, gsi < 8 ? KVM_IRQCHIP_PIC_MASTER
							: KVM_IRQCHIP_PIC_SLAVE,
				      gsi % 8);
	for (gsi = 0; gsi < IRQ_NR_IRQCHIP_GSIS; gsi++)
		irq_table_put_irqchip(irq, gsi, KVM_IRQCHIP_IOAPIC, gsi);
	for (gsi = 0; gsi < IRQ_FIRST_MSI_GSI; gsi++)
		irq_gsi_mark(irq, gsi, true);
	ret = irq_push(irq);
	if (ret) {
		free(irq->table);
		irq->table = NULL;
	}
	return ret;
}

int irq_init(struct irq *irq, const struct irq_ops *ops, void *opaque)
{
	return irq_setup(irq, ops, opaque, -1);
}

int irq_init_kvm(struct irq *irq, int vm_fd)
{
	return irq_setup(irq, &irq_kvm_ops, irq, vm_fd);
}

void irq_destroy(struct irq *irq)
{
	free(irq->table);
	irq->table = NULL;
	irq->capacity = 0;
}

static struct kvm_irq_routing_entry *irq_find_msi(struct irq *irq,
						  unsigned gsi)
{
	for (unsigned i = 0; irq->table && i < irq->table->nr; i++) {
		struct kvm_irq_routing_entry *e = &irq->table->entries[i];

		if (e->gsi == gsi && e->type == KVM_IRQ_ROUTING_MSI)
			return e;
	}
	return NULL;
}

static void irq_fill_msi(struct kvm_irq_routing_entry *e, unsigned gsi,
			 const struct irq_msi_msg *msg)
{
	*e = (struct kvm_irq_routing_entry){
		.gsi = gsi,
		.type = KVM_IRQ_ROUTING_MSI,
		.u.msi = { .address_lo = (uint32_t)msg->addr,
			   .address_hi = (uint32_t)(msg->addr >> 32),
			   .data = msg->data },
	};
}

int irq_msi_route_add(struct irq *irq, const struct irq_msi_msg *msg)
{
	unsigned gsi;
	int ret;

	for (gsi = IRQ_FIRST_MSI_GSI; gsi < IRQ_NR_GSIS; gsi++)
		if (!irq_gsi_is_used(irq, gsi))
			break;
	if (gsi == IRQ_NR_GSIS)
		return -ENOSPC;
	ret = irq_table_reserve(irq);
	if (ret)
		return ret;
	irq_fill_msi(&irq->table->entries[irq->table->nr++], gsi, msg);
	ret = irq_push(irq);
	if (ret) {
		irq->table->nr--;
		return ret;
	}
	irq_gsi_mark(irq, gsi, true);
	return (int)gsi;
}

int irq_msi_route_update(struct irq *irq, unsigned gsi,
			 const struct irq_msi_msg *msg)
{
	struct kvm_irq_routing_entry *e = irq_find_msi(irq, gsi);
	struct kvm_irq_routing_entry upd;

	if (!e)
		return -EINVAL;
	irq_fill_msi(&upd, gsi, msg);
	if (!irq->dirty && !memcmp(&upd, e, sizeof(upd)))
		return 0;
	*e = upd;
	return irq_push(irq);
}

void irq_msi_route_release(struct irq *irq, unsigned gsi)
{
	struct kvm_irq_routing_entry *e = irq_find_msi(irq, gsi);
	int ret;

	if (!e)
		return;
	*e = irq->table->entries[--irq->table->nr];
	irq_gsi_mark(irq, gsi, false);
	ret = irq_push(irq);
	if (ret)
		log_warn("KVM_SET_GSI_ROUTING: %s", strerror(-ret));
}

static int irq_irqfd_op(struct irq *irq, int fd, unsigned gsi, bool assign)
{
	struct kvm_irqfd req = {
		.fd = (uint32_t)fd,
		.gsi = gsi,
		.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};

	if (fd < 0 || gsi >= IRQ_NR_GSIS)
		return -EINVAL;
	return irq->ops->irqfd(irq->opaque, &req);
}

int irq_irqfd_assign(struct irq *irq, int fd, unsigned gsi)
{
	return irq_irqfd_op(irq, fd, gsi, true);
}

int irq_irqfd_deassign(struct irq *irq, int fd, unsigned gsi)
{
	return irq_irqfd_op(irq, fd, gsi, false);
}

int irq_signal_msi(struct irq *irq, const struct irq_msi_msg *msg)
{
	struct kvm_msi msi = {
		.address_lo = (uint32_t)msg->addr,
		.address_hi = (uint32_t)(msg->addr >> 32),
		.data = msg->data,
	};
	int ret = irq->ops->signal_msi(irq->opaque, &msi);

	if (ret)
		log_ratelimited(&irq->rl, "KVM_SIGNAL_MSI: %s", strerror(-ret));
	return ret;
}

int irq_line_set(struct irq *irq, unsigned gsi, bool level)
{
	int ret;

	if (gsi >= IRQ_NR_IRQCHIP_GSIS)
		return -EINVAL;
	ret = irq->ops->irq_line(irq->opaque, gsi, level);
	if (ret)
		log_ratelimited(&irq->rl, "KVM_IRQ_LINE %u: %s", gsi,
				strerror(-ret));
	return ret;
}

unsigned irq_nr_routes(const struct irq *irq)
{
	return irq->table ? irq->table->nr : 0;
}
