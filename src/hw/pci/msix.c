// SPDX-License-Identifier: MIT
/*
 * MSI-X emulation: message control (enable, function mask), the vector
 * table and PBA in a device BAR, and delivery through one KVM MSI route
 * and irqfd per vector. Table writes only mark the route stale; it is
 * refreshed right before the next message, so a guest rewriting entries
 * costs no ioctl. dm_lock held (vCPU threads and the main loop).
 */
#include "hw/pci/msix.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "hw/irq.h"
#include "util/log.h"

#define MSIX_PBA_BYTES(n)	(ALIGN_UP((n), 64u) / 8)

static uint16_t msix_control(const struct msix *msix)
{
	return pci_get_word(msix->dev, msix->cap + PCI_MSIX_FLAGS);
}

static bool msix_function_masked(const struct msix *msix)
{
	return msix_control(msix) & PCI_MSIX_FLAGS_MASKALL;
}

static bool msix_vector_masked(const struct msix *msix, unsigned v)
{
	return msix->vectors[v].entry[3] & PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

static void msix_set_pending(struct msix *msix, unsigned v, bool on)
{
	if (on)
		msix->pba[v / 64] |= 1ULL << (v % 64);
	else
		msix->pba[v / 64] &= ~(1ULL << (v % 64));
}

bool msix_is_pending(const struct msix *msix, unsigned vector)
{
	return vector < msix->nr_vectors &&
	       (msix->pba[vector / 64] & (1ULL << (vector % 64)));
}

bool msix_enabled(const struct pci_device *dev)
{
	return dev->msix &&
	       (msix_control(dev->msix) & PCI_MSIX_FLAGS_ENABLE);
}

unsigned msix_nr_vectors(const struct pci_device *dev)
{
	return dev->msix ? dev->msix->nr_vectors : 0;
}

/* Sends vector @v's message now: refresh the route if needed, kick. */
static void msix_send(struct msix *msix, unsigned v)
{
	struct msix_vector *vec = &msix->vectors[v];
	struct irq *irq = msix->dev->bus->irq;
	struct irq_msi_msg msg = {
		.addr = vec->entry[0] | (uint64_t)vec->entry[1] << 32,
		.data = vec->entry[2],
	};
	uint64_t one = 1;

	if (vec->route_stale) {
		if (irq_msi_route_update(irq, (unsigned)vec->gsi, &msg)) {
			/* The route is unusable; deliver this one directly. */
			(void)irq_signal_msi(irq, &msg);
			return;
		}
		vec->route_stale = false;
	}
	if (write(vec->fd, &one, sizeof(one)) != sizeof(one))
		(void)irq_signal_msi(irq, &msg);
}

/* Delivers what became deliverable after an unmask or enable. */
static void msix_flush_pending(struct msix *msix)
{
	if (!(msix_control(msix) & PCI_MSIX_FLAGS_ENABLE) ||
	    msix_function_masked(msix))
		return;
	for (unsigned v = 0; v < msix->nr_vectors; v++) {
		if (msix_is_pending(msix, v) && !msix_vector_masked(msix, v)) {
			msix_set_pending(msix, v, false);
			msix_send(msix, v);
		}
	}
}

int msix_notify(struct pci_device *dev, unsigned vector)
{
	struct msix *msix = dev->msix;

	if (!msix_enabled(dev))
		return -ENODEV;
	if (vector >= msix->nr_vectors)
		return -EINVAL;
	/* PCI 3.0 §6.8.3.4: a masked vector's message waits in the PBA. */
	if (msix_function_masked(msix) || msix_vector_masked(msix, vector)) {
		msix_set_pending(msix, vector, true);
		return 0;
	}
	msix_send(msix, vector);
	return 0;
}

void msix_config_write(struct msix *msix, unsigned offset, unsigned size)
{
	(void)offset;
	(void)size;
	msix_flush_pending(msix);
}

void msix_reset(struct msix *msix)
{
	for (unsigned v = 0; v < msix->nr_vectors; v++) {
		struct msix_vector *vec = &msix->vectors[v];

		memset(vec->entry, 0, sizeof(vec->entry));
		vec->entry[3] = PCI_MSIX_ENTRY_CTRL_MASKBIT;
		vec->route_stale = true;
	}
	memset(msix->pba, 0, MSIX_PBA_BYTES(msix->nr_vectors));
}

/* ---- the table and PBA in the BAR ---- */

static void msix_table_write(struct msix *msix, unsigned idx, unsigned word,
			     uint32_t val)
{
	struct msix_vector *vec = &msix->vectors[idx];
	bool was_masked = msix_vector_masked(msix, idx);

	if (word == 3) {
		/* Bits 31:1 of vector control are reserved (read 0). */
		vec->entry[3] = val & PCI_MSIX_ENTRY_CTRL_MASKBIT;
		if (was_masked && !msix_vector_masked(msix, idx))
			msix_flush_pending(msix);
		return;
	}
	if (vec->entry[word] != val) {
		vec->entry[word] = val;
		vec->route_stale = true;
	}
}

static uint64_t msix_table_access(struct msix *msix, uint64_t off,
				  unsigned size, uint64_t val, bool is_write)
{
	unsigned idx = (unsigned)(off / PCI_MSIX_ENTRY_SIZE);
	unsigned word = (unsigned)(off % PCI_MSIX_ENTRY_SIZE) / 4;
	uint64_t ret = 0;

	for (unsigned i = 0; i < size / 4; i++) {
		if (is_write)
			msix_table_write(msix, idx, word + i,
					 (uint32_t)(val >> (32 * i)));
		else
			ret |= (uint64_t)msix->vectors[idx].entry[word + i]
			       << (32 * i);
	}
	return ret;
}

static uint64_t msix_pba_read(const struct msix *msix, uint64_t off,
			      unsigned size)
{
	uint64_t qword = msix->pba[off / 8];

	if (size == 8)
		return qword;
	return (uint32_t)(qword >> (8 * (off % 8)));
}

bool msix_bar_access(struct msix *msix, uint64_t offset, unsigned size,
		     uint64_t *value, bool is_write)
{
	uint64_t tbl_len = (uint64_t)msix->nr_vectors * PCI_MSIX_ENTRY_SIZE;
	uint64_t pba_len = MSIX_PBA_BYTES(msix->nr_vectors);
	bool in_tbl = offset < msix->table_offset + tbl_len &&
		      msix->table_offset < offset + size;
	bool in_pba = offset < msix->pba_offset + pba_len &&
		      msix->pba_offset < offset + size;

	if (!in_tbl && !in_pba)
		return false;
	if (!is_write)
		*value = 0;
	/* PCI 3.0 §6.8.2: only aligned dword or qword accesses. */
	if ((size != 4 && size != 8) || offset % size)
		return true;
	if (in_tbl && offset >= msix->table_offset &&
	    offset + size <= msix->table_offset + tbl_len) {
		uint64_t r = msix_table_access(msix,
					       offset - msix->table_offset,
					       size, *value, is_write);
		if (!is_write)
			*value = r;
	} else if (in_pba && !is_write && offset >= msix->pba_offset &&
		   offset + size <= msix->pba_offset + pba_len) {
		*value = msix_pba_read(msix, offset - msix->pba_offset, size);
	}
	/* PBA writes are ignored: the bits are read-only. */
	return true;
}

/* ---- set-up and teardown ---- */

static int msix_check_layout(const struct pci_device *dev, unsigned nr,
			     unsigned bar, uint32_t tbl, uint32_t pba)
{
	uint64_t bar_size, tbl_len = (uint64_t)nr * PCI_MSIX_ENTRY_SIZE;
	uint64_t pba_len = MSIX_PBA_BYTES(nr);

	if (!dev->bus || dev->msix || nr == 0 || nr > MSIX_MAX_VECTORS ||
	    bar >= PCI_STD_NUM_BARS)
		return -EINVAL;
	bar_size = dev->bars[bar].size;
	if (!bar_size || (dev->bars[bar].flags & PCI_BAR_IO) || tbl % 8 ||
	    pba % 8 || tbl + tbl_len > bar_size || pba + pba_len > bar_size)
		return -EINVAL;
	if (tbl < pba + pba_len && pba < tbl + tbl_len)
		return -EINVAL;
	return 0;
}

/* One eventfd, MSI route and irqfd for vector @v. */
static int msix_vector_setup(struct msix *msix, struct irq *irq, unsigned v)
{
	struct msix_vector *vec = &msix->vectors[v];
	struct irq_msi_msg msg = { 0, 0 };
	int ret;

	vec->entry[3] = PCI_MSIX_ENTRY_CTRL_MASKBIT;
	vec->route_stale = true;
	vec->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vec->fd < 0)
		return -errno;
	ret = irq_msi_route_add(irq, &msg);
	if (ret < 0)
		return ret;
	vec->gsi = ret;
	ret = irq_irqfd_assign(irq, vec->fd, (unsigned)vec->gsi);
	if (ret) {
		irq_msi_route_release(irq, (unsigned)vec->gsi);
		vec->gsi = -1;
	}
	return ret;
}

int msix_init(struct pci_device *dev, unsigned nr_vectors, unsigned bar,
	      uint32_t table_offset, uint32_t pba_offset)
{
	struct msix *msix;
	int ret = msix_check_layout(dev, nr_vectors, bar, table_offset,
				    pba_offset);

	if (ret)
		return ret;
	msix = calloc(1, sizeof(*msix));
	if (!msix)
		return -ENOMEM;
	msix->dev = dev;
	msix->nr_vectors = nr_vectors;
	msix->bar = bar;
	msix->table_offset = table_offset;
	msix->pba_offset = pba_offset;
	msix->pba = calloc(1, MSIX_PBA_BYTES(nr_vectors));
	msix->vectors = calloc(nr_vectors, sizeof(*msix->vectors));
	if (!msix->pba || !msix->vectors) {
		ret = -ENOMEM;
		goto err_free;
	}
	for (unsigned v = 0; v < nr_vectors; v++)
		msix->vectors[v] = (struct msix_vector){ .gsi = -1, .fd = -1 };
	for (unsigned v = 0; v < nr_vectors && !ret; v++)
		ret = msix_vector_setup(msix, dev->bus->irq, v);
	if (!ret)
		ret = pci_add_capability(dev, PCI_CAP_ID_MSIX,
					 PCI_CAP_MSIX_SIZEOF);
	if (ret < 0)
		goto err_free;
	msix->cap = (unsigned)ret;
	pci_set_word(dev, ret + PCI_MSIX_FLAGS, (uint16_t)(nr_vectors - 1));
	pci_set_long(dev, ret + PCI_MSIX_TABLE, table_offset | bar);
	pci_set_long(dev, ret + PCI_MSIX_PBA, pba_offset | bar);
	/* Only enable and function mask are writable. */
	dev->wmask[ret + PCI_MSIX_FLAGS + 1] =
		(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8;
	dev->msix = msix;
	return 0;
err_free:
	msix_destroy(msix);
	return ret;
}

void msix_destroy(struct msix *msix)
{
	struct irq *irq;

	if (!msix)
		return;
	irq = msix->dev->bus->irq;
	for (unsigned v = 0; msix->vectors && v < msix->nr_vectors; v++) {
		struct msix_vector *vec = &msix->vectors[v];

		if (vec->gsi >= 0 && vec->fd >= 0)
			(void)irq_irqfd_deassign(irq, vec->fd,
						 (unsigned)vec->gsi);
		if (vec->gsi >= 0)
			irq_msi_route_release(irq, (unsigned)vec->gsi);
		if (vec->fd >= 0)
			close(vec->fd);
	}
	free(msix->vectors);
	free(msix->pba);
	free(msix);
}
