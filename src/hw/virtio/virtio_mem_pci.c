// SPDX-License-Identifier: MIT
/*
 * virtio-mem-pci: the -device row (QEMU 7.2's properties, checks and
 * wording, in QEMU's order: property values, then the memory-device
 * pre-plug, then realize), the PCI function, and the MMIO region that
 * answers guest accesses to unplugged memory. QOM and the monitor's
 * queries are in virtio_mem_query.c. Context: machine build (create);
 * dm_lock held for the MMIO handler.
 */
#include "hw/virtio/virtio_mem_pci.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/opts.h"
#include "core/vm.h"
#include "monitor/qom.h"
#include "util/size.h"

/* QEMU's default block size on x86 when THP's size cannot be read. */
#define VMP_DEFAULT_THP_SIZE	(2 * MiB)
#define VMP_MAX_THP_SIZE	(16 * MiB)

enum vmp_on_off_auto { VMP_AUTO, VMP_ON, VMP_OFF };

/* The -device properties, parsed. */
struct vmp_props {
	const char *id;
	struct memory_backend *backend;	/* memdev, NULL if not given */
	uint64_t requested_size;
	uint64_t block_size;		/* 0: the default */
	uint64_t memaddr;		/* 0: choose */
	uint32_t node;
	bool prealloc;
	enum vmp_on_off_auto unplugged_inaccessible;
	bool dynamic_memslots;
	bool has_dynamic_memslots;
	enum memslot_policy policy;
};

static uint64_t vmp_thp_size(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size",
			"r");
	unsigned long long v = 0;

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	if (!IS_POWER_OF_2(v) || v > VMP_MAX_THP_SIZE)
		return VMP_DEFAULT_THP_SIZE;
	return v;
}

/* QEMU 7.2: the THP size on small pages, else the huge page size. */
static uint64_t vmp_default_block_size(const struct memory_backend *b)
{
	if (b->page_size <= 4 * KiB)
		return MAX(b->page_size, vmp_thp_size());
	return MAX(b->page_size, (uint64_t)VMEM_MIN_BLOCK_SIZE);
}

/* QEMU's id_wellformed(): a letter, then letters, digits, '-', '.', '_'. */
static bool vmp_id_ok(const char *id)
{
	if (!((*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z')))
		return false;
	return id[strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
			 "WXYZ0123456789-._")] == '\0';
}

static int vmp_parse_size(const struct opts *o, const char *key,
			  uint64_t *out, struct error *err)
{
	const char *s = opts_get(o, key);

	if (s && size_parse(s, 1, out)) {
		error_setg(err, "Parameter '%s' expects size", key);
		return -EINVAL;
	}
	return 0;
}

/* A QOM uint64 from a string: strtoull's rules, "-1" wraps as in QEMU. */
static int vmp_parse_u64(const struct opts *o, const char *key,
			 uint64_t *out, struct error *err)
{
	const char *s = opts_get(o, key);
	char *end;

	if (!s)
		return 0;
	errno = 0;
	*out = strtoull(s, &end, 0);
	if (!*s || *end || errno) {
		error_setg(err, "Parameter '%s' expects integer", key);
		return -EINVAL;
	}
	return 0;
}

static int vmp_parse_enum(const struct opts *o, const char *key,
			  const char *const *names, unsigned nr, int *out,
			  struct error *err)
{
	const char *s = opts_get(o, key);

	if (!s)
		return 0;
	for (unsigned i = 0; i < nr; i++) {
		if (!strcmp(s, names[i])) {
			*out = (int)i;
			return 0;
		}
	}
	error_setg(err, "Parameter '%s' does not accept value '%s'", key, s);
	return -EINVAL;
}

static int vmp_parse_memdev(const struct opts *o,
			    const struct memory_backend_list *l,
			    struct vmp_props *p, struct error *err)
{
	const char *s = opts_get(o, "memdev");

	if (!s)
		return 0;
	if (!strncmp(s, "/objects/", 9))
		s += 9;
	p->backend = memory_backend_find(l, s);
	if (!p->backend) {
		error_setg(err, "Device '%s' not found", s);
		return -EINVAL;
	}
	return 0;
}

static int vmp_parse_values(const struct opts *o,
			    const struct memory_backend_list *l,
			    struct vmp_props *p, struct error *err)
{
	static const char *const ooa[] = { "auto", "on", "off" };
	static const char *const policies[] = { "flexvm", "qemu",
						 "firecracker" };
	const char *node = opts_get(o, "node");
	int ui = p->unplugged_inaccessible, pol = p->policy;

	if (vmp_parse_memdev(o, l, p, err) ||
	    vmp_parse_size(o, "requested-size", &p->requested_size, err) ||
	    vmp_parse_size(o, "block-size", &p->block_size, err))
		return -EINVAL;
	/* QEMU checks a block size as the property is set. */
	if (opts_get(o, "block-size") &&
	    vmem_state_check_block_size(p->block_size, err))
		return -EINVAL;
	if ((node && opts_parse_u32("node", node, &p->node, err)) ||
	    vmp_parse_u64(o, "memaddr", &p->memaddr, err) ||
	    opts_get_bool(o, "prealloc", &p->prealloc, err) ||
	    vmp_parse_enum(o, "unplugged-inaccessible", ooa, 3, &ui, err) ||
	    opts_get_bool(o, "dynamic-memslots", &p->dynamic_memslots, err) ||
	    vmp_parse_enum(o, "x-memslot-policy", policies, 3, &pol, err))
		return -EINVAL;
	p->unplugged_inaccessible = (enum vmp_on_off_auto)ui;
	p->policy = (enum memslot_policy)pol;
	p->has_dynamic_memslots = opts_get(o, "dynamic-memslots") != NULL;
	return 0;
}

/*
 * QEMU 7.2 applies -device properties in hash order; flexvm checks the
 * id, the values in a fixed order, then names it does not know, which
 * matches QEMU whenever only one property is wrong.
 */
static int vmp_parse(const struct opts *o,
		     const struct memory_backend_list *l,
		     struct vmp_props *p, struct error *err)
{
	static const char *const known[] = {
		"driver", "id", "memdev", "requested-size", "block-size",
		"node", "memaddr", "prealloc", "unplugged-inaccessible",
		"dynamic-memslots", "x-memslot-policy", NULL,
	};
	const char *unknown = opts_find_unknown(o, known);
	char path[160];

	*p = (struct vmp_props){
		.id = opts_get(o, "id"), .unplugged_inaccessible = VMP_ON,
		.dynamic_memslots = true, .policy = MEMSLOT_POLICY_FLEXVM,
	};
	if (p->id && !vmp_id_ok(p->id)) {
		error_setg(err, "Parameter 'id' expects an identifier");
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "/machine/peripheral/%s", p->id);
	if (p->id && qom_resolve(path)) {
		error_setg(err, "Duplicate ID '%s' for device", p->id);
		return -EEXIST;
	}
	if (vmp_parse_values(o, l, p, err))
		return -EINVAL;
	if (unknown && !strcmp(unknown, "size")) {
		error_setg(err, "Property 'virtio-mem.size' is not writable");
		return -EPERM;
	}
	if (unknown) {
		error_setg(err, "Property 'virtio-mem-pci.%s' not found",
			   unknown);
		return -EINVAL;
	}
	return 0;
}

/* ---- pre-plug: the memory-device layer ---- */

static void vmp_regions(const struct vm *vm, struct virtio_mem_region *out)
{
	for (unsigned i = 0; i < vm->nr_memdevs; i++) {
		const struct virtio_mem_pci *d = vm->memdevs[i];

		out[i] = (struct virtio_mem_region){
			.addr = d->mem.st.addr, .size = d->mem.st.region_size,
			.id = d->id,
		};
	}
}

/* QEMU's memory_device_pre_plug(): the checks, then the address. */
static int vmp_pre_plug(struct vm *vm, struct vmp_props *p,
			struct error *err)
{
	struct virtio_mem_region used[VM_MAX_MEMORY_DEVICES];
	const struct memory_backend *b = p->backend;
	uint64_t align, hint = p->memaddr;

	if (!b) {
		error_setg(err, "'memdev' property must be set");
		return -EINVAL;
	}
	if (!vm->mm.device_mem_size) {
		error_setg(err, "memory devices (e.g. for memory hotplug) are "
			   "not enabled, please specify the maxmem option");
		return -EINVAL;
	}
	if (vm->nr_memdevs == VM_MAX_MEMORY_DEVICES) {
		error_setg(err, "flexvm supports at most %u memory devices",
			   VM_MAX_MEMORY_DEVICES);
		return -ENOSPC;
	}
	if (!p->block_size)
		p->block_size = vmp_default_block_size(b);
	/* The backend's mapping is 2 MiB (or huge page) aligned: keep the
	 * guest address congruent, so KVM can map huge pages. */
	align = MAX(p->block_size, MAX(VIRTIO_MEM_MIN_ALIGN, b->page_size));
	vmp_regions(vm, used);
	return virtio_mem_place(vm->mm.device_mem_base, vm->mm.device_mem_size,
				used, vm->nr_memdevs, b->cfg.size, align,
				hint ? &hint : NULL, &p->memaddr, err);
}

/* ---- realize ---- */

/* QEMU: auto means off only where unplugged memory reads the zero page. */
static bool vmp_unplugged_inaccessible(const struct vmp_props *p,
				       const char *who)
{
	const struct memory_backend *b = p->backend;
	bool zeropage = !b->shared && b->fd < 0;

	if (p->unplugged_inaccessible == VMP_AUTO)
		return !zeropage;
	if (p->unplugged_inaccessible == VMP_OFF && !zeropage)
		log_warn("%s: 'unplugged-inaccessible' property set to 'off' "
			 "with a memdev that does not support the shared "
			 "zeropage.", who);
	return p->unplugged_inaccessible == VMP_ON;
}

/* QEMU's realize checks, in its order, then flexvm's own. */
static int vmp_check(struct virtio_mem_pci *d, const struct vmp_props *p,
		     struct virtio_mem_params *mp, struct error *err)
{
	struct memory_backend *b = p->backend;

	if (memory_backend_claim(b, d->qom_path, err))
		return -EBUSY;
	if (p->node) {
		/* QEMU's text, missing space included. */
		error_setg(err, "'node' property has value '%u', which exceeds"
			   "the number of numa nodes: 1", p->node);
		return -EINVAL;
	}
	mp->unplugged_inaccessible = vmp_unplugged_inaccessible(p,
								d->qom_path);
	mp->dynamic_memslots = p->dynamic_memslots;
	/* QEMU 8.2's rule, for an explicit request only: flexvm answers
	 * reads of unmapped memory with zeros, so its default may stay on. */
	if (p->has_dynamic_memslots && p->dynamic_memslots &&
	    !mp->unplugged_inaccessible) {
		error_setg(err, "'dynamic-memslots' property set to 'on' "
			   "requires 'unplugged-inaccessible' to be 'on'");
		return -EINVAL;
	}
	mp->vmem = (struct vmem_params){
		.addr = p->memaddr, .region_size = b->cfg.size,
		.block_size = p->block_size,
		.requested_size = p->requested_size,
	};
	if (vmem_state_check_params(&mp->vmem, b->page_size, err))
		return -EINVAL;
	if (p->block_size < vmp_default_block_size(b))
		log_warn("%s: 'block-size' property is smaller than the "
			 "default block size (%" PRIu64 " MiB)", d->qom_path,
			 (uint64_t)(vmp_default_block_size(b) / MiB));
	return 0;
}

static unsigned vmp_required_slots(const struct vm *vm, uint64_t *used)
{
	unsigned n = 0;

	*used = 0;
	for (unsigned i = 0; i < vm->nr_memdevs; i++) {
		n += vm->memdevs[i]->mem.slots.layout.nr;
		*used += vm->memdevs[i]->mem.st.region_size;
	}
	return n;
}

static void vmp_size_changed(void *opaque, uint64_t plugged)
{
	struct virtio_mem_pci *d = opaque;

	vm_emit_memory_size_change(d->vm, d->id, d->qom_path, plugged);
}

static int vmp_realize(struct vm *vm, struct virtio_mem_pci *d,
		       const struct vmp_props *p, struct error *err)
{
	struct virtio_mem_params mp = {
		.node = p->node, .prealloc = p->prealloc, .policy = p->policy,
		/* flexvm's policy maps ahead; qemu and firecracker map on
		 * plug, as those VMMs do, so the benchmark compares them. */
		.prepare_slots = p->policy == MEMSLOT_POLICY_FLEXVM,
		.owner = d->qom_path,
	};
	uint64_t used;
	unsigned required = vmp_required_slots(vm, &used);
	int ret = vmp_check(d, p, &mp, err);

	if (ret)
		return ret;
	mp.slot_limit = virtio_mem_slot_share(vm->memslot_budget, required,
					      memslot_free(&vm->slots),
					      vm->mm.device_mem_size, used,
					      mp.vmem.region_size);
	ret = virtio_mem_init(&d->mem, &mp, p->backend, &vm->slots, &vm->gm,
			      err);
	if (ret)
		return ret;
	/* As QEMU: start from a clean backend (a file may hold old data). */
	ret = d->mem.discard(p->backend, 0, mp.vmem.region_size);
	if (ret) {
		error_setg_errno(err, -ret, "Unexpected error discarding RAM");
		virtio_mem_destroy(&d->mem);
		return ret;
	}
	d->dynamic_memslots = mp.dynamic_memslots;
	d->policy = d->mem.slots.layout.policy;
	d->slot_limit = mp.slot_limit;
	d->mem.size_changed = vmp_size_changed;
	d->mem.size_opaque = d;
	return 0;
}

/* /machine/peripheral/ID, or QEMU's next /machine/peripheral-anon slot. */
static int vmp_paths(struct virtio_mem_pci *d, const struct vmp_props *p)
{
	char path[64];
	int n;

	if (p->id) {
		n = asprintf(&d->qom_path, "/machine/peripheral/%s", p->id);
	} else {
		for (unsigned i = 0;; i++) {
			snprintf(path, sizeof(path),
				 "/machine/peripheral-anon/device[%u]", i);
			if (!qom_resolve(path))
				break;
		}
		n = asprintf(&d->qom_path, "%s", path);
	}
	if (n < 0)
		d->qom_path = NULL;
	if (n < 0 || asprintf(&d->memdev_path, "/objects/%s",
			      p->backend ? p->backend->cfg.id : "") < 0) {
		d->memdev_path = NULL;
		return -ENOMEM;
	}
	if (p->id && !(d->id = strdup(p->id)))
		return -ENOMEM;
	return 0;
}

/* ---- Guest accesses to memory no KVM slot maps ---- */

static void vmp_unplugged_log(struct virtio_mem_pci *d, const char *what,
			      uint64_t offset, unsigned size)
{
	uint64_t block = offset / d->mem.st.block_size;

	log_ratelimited(&d->mmio_rl, "%s: guest %s of %u bytes at 0x%" PRIx64
			" in %s memory", d->qom_path, what, size,
			d->mem.st.addr + offset,
			vmem_state_block_plugged(&d->mem.st, block)
			? "plugged (unmapped!)" : "unplugged");
}

/* Reads as zero and allocates nothing, as the spec lets a device do. */
static uint64_t vmp_unplugged_read(void *opaque, uint64_t offset,
				   unsigned size)
{
	vmp_unplugged_log(opaque, "read", offset, size);
	return 0;
}

static void vmp_unplugged_write(void *opaque, uint64_t offset,
				uint64_t value, unsigned size)
{
	(void)value;
	vmp_unplugged_log(opaque, "write", offset, size);
}

static const struct io_ops vmp_unplugged_ops = {
	.read = vmp_unplugged_read,
	.write = vmp_unplugged_write,
};

/* ---- -device virtio-mem-pci ---- */

static void vmp_free(struct virtio_mem_pci *d)
{
	free(d->id);
	free(d->qom_path);
	free(d->memdev_path);
	free(d);
}

/* guest_mem filter: only whole plugged blocks (dm_lock held). */
static bool vmp_dma_allowed(void *opaque, uint64_t gpa, uint64_t len)
{
	const struct vmem_state *st = &((struct virtio_mem_pci *)opaque)->mem.st;
	uint64_t first = (gpa - st->addr) / st->block_size;
	uint64_t last = (gpa - st->addr + len - 1) / st->block_size;

	return vmem_state_all_plugged(st, first, last - first + 1);
}

/*
 * After the PCI plug the bus points at @d: from there it belongs to the
 * VM (vm->memdevs) and vm_destroy() frees it, even if a later step fails.
 */
static int vmp_attach(struct vm *vm, struct virtio_mem_pci *d,
		      struct error *err)
{
	const struct vmem_state *st = &d->mem.st;
	struct virtio_pci_config cfg = {
		.type_name = "virtio-mem-pci", .qdev_id = d->id,
		/* PCI_CLASS_OTHERS, stored as QEMU does (see virtio_rng.c) */
		.class_code = 0x00ff00,
		.devfn = PCI_DEVFN_AUTO, .vectors = 2,	/* queues + 1 */
		.loop = vm->loop, .vm_fd = vm->vm_fd,
	};
	int ret = virtio_pci_init(&d->vp, &d->mem.vdev, &cfg);

	if (ret) {
		error_setg_errno(err, -ret, "virtio-mem-pci: cannot build the "
				 "PCI function");
		return ret;
	}
	ret = virtio_pci_plug(&d->vp, &vm->pci, &cfg, err);
	if (ret)
		return ret;
	vm->memdevs[vm->nr_memdevs++] = d;
	/* KVM slots take precedence: only unmapped parts reach this. */
	ret = bus_add(&vm->mmio, st->addr, st->region_size,
		      &vmp_unplugged_ops, d, d->qom_path);
	/* Other devices may DMA into plugged memory (a guest's page cache). */
	if (!ret)
		ret = guest_mem_add(&vm->gm, d->qom_path, st->addr,
				    st->region_size, d->mem.backend->hva);
	/* ...but never into unplugged blocks: that would repopulate them. */
	if (!ret)
		ret = guest_mem_set_filter(&vm->gm, st->addr, vmp_dma_allowed, d);
	if (ret)
		error_setg_errno(err, -ret, "cannot add the memory of %s",
				 d->qom_path);
	return ret;
}

static int vmp_build(struct vm *vm, struct virtio_mem_pci *d,
		     struct vmp_props *p, struct error *err)
{
	int ret = vmp_paths(d, p);

	if (ret) {
		error_setg(err, "out of memory");
		return ret;
	}
	ret = vmp_pre_plug(vm, p, err);
	if (!ret)
		ret = vmp_realize(vm, d, p, err);
	if (ret) {
		if (p->backend && p->backend->user == d->qom_path)
			p->backend->user = NULL;
		return ret;
	}
	ret = virtio_mem_query_qom_add(d, err);
	if (ret) {
		virtio_mem_destroy(&d->mem);
		p->backend->user = NULL;
	}
	return ret;
}

int virtio_mem_pci_create(struct vm *vm, const struct opts *o, void **dev,
			  struct error *err)
{
	struct virtio_mem_pci *d;
	struct vmp_props p;
	int ret = vmp_parse(o, &vm->backends, &p, err);

	if (ret)
		return ret;
	d = calloc(1, sizeof(*d));
	if (!d) {
		error_setg(err, "out of memory");
		return -ENOMEM;
	}
	d->vm = vm;
	d->mmio_rl = (struct ratelimit){ .burst = 5, .interval_ms = 1000 };
	ret = vmp_build(vm, d, &p, err);
	if (ret) {
		vmp_free(d);
		return ret;
	}
	ret = vmp_attach(vm, d, err);
	if (vm->nr_memdevs && vm->memdevs[vm->nr_memdevs - 1] == d) {
		*dev = d;	/* plugged: virtio_mem_pci_destroy() frees it */
	} else if (ret) {
		qom_remove(d->qom_path);
		virtio_mem_destroy(&d->mem);
		p.backend->user = NULL;
		vmp_free(d);
	}
	return ret;
}

void virtio_mem_pci_destroy(struct vm *vm, void *dev)
{
	struct virtio_mem_pci *d = dev;
	unsigned i = 0;

	while (i < vm->nr_memdevs && vm->memdevs[i] != d)
		i++;
	if (i < vm->nr_memdevs) {
		memmove(&vm->memdevs[i], &vm->memdevs[i + 1],
			(vm->nr_memdevs - i - 1) * sizeof(vm->memdevs[0]));
		vm->nr_memdevs--;
	}
	/* The QOM tree may be gone already (monitor_destroy). */
	virtio_pci_unplug(&d->vp);
	virtio_mem_destroy(&d->mem);	/* removes its KVM slots */
	vmp_free(d);
}
