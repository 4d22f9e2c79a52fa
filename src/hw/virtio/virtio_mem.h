// SPDX-License-Identifier: MIT
/*
 * virtio-mem (virtio 1.2 §5.15, device id 24) and its PCI wrapper, QEMU's
 * virtio-mem-pci: one request queue of 128 entries; PLUG, UNPLUG,
 * UNPLUG_ALL and STATE checked by vmem_state in QEMU's order, with the side
 * effects between check and commit: KVM slots (virtio_mem_slots), discard
 * and preallocation of host memory (memory_backend). Also the memory-device
 * layer (placement in the device-memory window, the memslot budget) and
 * the plain-C query API the monitor builds query-memory-devices,
 * query-memory-size-summary, x-query-memslots and HMP info memory-devices
 * on.
 *
 * Context: dm_lock held (queue handler on the main loop or a vCPU thread,
 * QMP on the main loop, system reset, machine build).
 */
#ifndef FLEXVM_HW_VIRTIO_VIRTIO_MEM_H
#define FLEXVM_HW_VIRTIO_VIRTIO_MEM_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/virtio/virtio.h"
#include "hw/virtio/virtio_mem_slots.h"
#include "hw/virtio/vmem_state.h"
#include "mem/memory_backend.h"
#include "util/compiler.h"
#include "util/error.h"
#include "util/log.h"

struct vm;
struct opts;

#define VIRTIO_MEM_QUEUE_SIZE	128	/* as QEMU */
/*
 * Where flexvm places a device without memaddr: the first free address
 * aligned to this (or to the block size if larger), so that any Linux
 * memory block size (128 MiB up to 2 GiB, see docs/memslots.md) divides
 * the start. When no such address is left, QEMU's alignment is used.
 */
#define VIRTIO_MEM_PREFERRED_ALIGN	(2 * GiB)
/* The alignment QEMU 7.2 reports for a RAM backend: its 2 MiB mapping. */
#define VIRTIO_MEM_MIN_ALIGN		(2 * MiB)

/* An operation on [offset, offset + len) of the backend; 0 or -errno. */
typedef int (*virtio_mem_range_fn)(struct memory_backend *b,
				   uint64_t offset, uint64_t len);
/* The plugged size changed (MEMORY_DEVICE_SIZE_CHANGE). */
typedef void (*virtio_mem_size_fn)(void *opaque, uint64_t plugged);

struct virtio_mem_params {
	struct vmem_params vmem;	/* addr, region, block, requested */
	uint32_t node;
	bool prealloc;			/* populate on plug, BUSY on failure */
	bool unplugged_inaccessible;	/* offer the feature, and require it */
	bool dynamic_memslots;
	enum memslot_policy policy;
	bool prepare_slots;		/* map ahead on requested-size */
	unsigned slot_limit;		/* share of the memslot budget */
	const char *owner;		/* memslot owner, messages; outlives */
};

struct virtio_mem {
	struct virtio_device vdev;
	struct vmem_state st;
	struct virtio_mem_slots slots;
	struct memory_backend *backend;
	uint32_t node;
	bool prealloc;
	bool unplugged_inaccessible;
	const char *owner;
	/* memory_backend_discard/populate; unit tests swap them. */
	virtio_mem_range_fn discard;
	virtio_mem_range_fn populate;
	virtio_mem_size_fn size_changed;	/* may be NULL */
	void *size_opaque;
	struct ratelimit rl;	/* host-side failures the guest causes */
};

/**
 * virtio_mem_init - the device with its queue, block state and slots
 * @m: filled in; release with virtio_mem_destroy()
 * @p: checked parameters (vmem_state_check_params() passed)
 * @b: the backend; its hva backs the region (region offset = backend
 *     offset)
 * @table: the KVM slots to map into
 * @gm: guest memory for the queue
 * @err: from virtio_mem_slots_init(), or "out of memory"
 * Return: 0 or -errno. Nothing is discarded here: the caller starts clean.
 */
int virtio_mem_init(struct virtio_mem *m, const struct virtio_mem_params *p,
		    struct memory_backend *b, struct memslot_table *table,
		    const struct guest_mem *gm, struct error *err) __must_check;
void virtio_mem_destroy(struct virtio_mem *m);

/**
 * virtio_mem_process - serve every available request: a protocol
 * violation (short request, short response buffer, unknown type) puts the
 * device in DEVICE_NEEDS_RESET and is not completed, as QEMU's
 * virtio_error(); any other request gets its 10-byte response. One used
 * buffer notification for the batch (virtqueue_should_notify()).
 */
void virtio_mem_process(struct virtio_mem *m);

/**
 * virtio_mem_set_requested_size - qom-set of 'requested-size'
 * Return: 0, with a configuration change interrupt even when the value is
 * unchanged (as QEMU: it kicks a driver waiting in a BUSY back-off), or
 * -EINVAL with QEMU's message and no interrupt.
 */
int virtio_mem_set_requested_size(struct virtio_mem *m, uint64_t size,
				  struct error *err) __must_check;

/**
 * virtio_mem_unplug_everything - system reset: every slot removed, the
 * whole region discarded, every block unplugged and the usable region
 * back to requested + 256 MiB. A discard failure is logged only, so the
 * next boot starts clean either way. (A virtio reset changes no block.)
 */
void virtio_mem_unplug_everything(struct virtio_mem *m);

/* ---- The memory-device layer (QEMU's hw/mem/memory-device.c) ---- */

/* A memory device already in the window. */
struct virtio_mem_region {
	uint64_t addr;
	uint64_t size;
	const char *id;		/* NULL: "(unnamed)" in messages */
};

/**
 * virtio_mem_place - choose the address of a new memory device of @size
 * bytes in the window [@base, @base + @window_size), with QEMU 7.2's checks
 * and wording
 * @used: the devices already placed (any order), @nr of them
 * @align: max(block size, backend alignment); @hint must honour it
 * @hint: memaddr, or NULL to choose
 * @addr: the result
 *
 * Errors, in QEMU's order: "not enough space, currently 0x... in use of
 * total space for memory devices 0x...", "address must be aligned to 0x...
 * bytes", "backend memory size must be multiple of 0x...", "can't add
 * memory device [0x...:0x...], usable range for memory devices
 * [0x...:0x...]", "address range conflicts with memory device id='...'",
 * "could not find position in guest address space for memory device -
 * memory fragmented due to alignments". Without @hint the first fit
 * aligned to max(@align, VIRTIO_MEM_PREFERRED_ALIGN) is taken, else the
 * first fit aligned to @align, QEMU's choice.
 * Return: 0 or -EINVAL/-ENOSPC with @err set.
 */
int virtio_mem_place(uint64_t base, uint64_t window_size,
		     const struct virtio_mem_region *used, unsigned nr,
		     uint64_t size, uint64_t align, const uint64_t *hint,
		     uint64_t *addr, struct error *err) __must_check;

/* ---- virtio-mem-pci: -device, QOM, and the monitor's queries ---- */

/**
 * virtio_mem_pci_create - -device virtio-mem-pci,memdev=ID[,id=ID]
 * [,requested-size=S][,block-size=S][,node=N][,memaddr=A][,prealloc=on|off]
 * [,unplugged-inaccessible=on|off|auto][,dynamic-memslots=on|off]
 * [,x-memslot-policy=flexvm|qemu|firecracker]: QEMU's properties, checks
 * and wording (docs/virtio-mem.md lists them), placed in the
 * device-memory window, plugged on the PCI bus, registered as
 * /machine/peripheral/ID (or /machine/peripheral-anon/device[N]).
 * *@dev is set once the PCI bus refers to the device (struct device_type).
 * Return: 0 or -errno. Context: machine build (device_types.c).
 */
int virtio_mem_pci_create(struct vm *vm, const struct opts *o, void **dev,
			  struct error *err);

/**
 * virtio_mem_pci_destroy - free a device virtio_mem_pci_create() made:
 * its ioeventfds, KVM slots, state and strings; it leaves vm->memdevs.
 * Context: vm_destroy() (device_destroy_all), before the backends go.
 */
void virtio_mem_pci_destroy(struct vm *vm, void *dev);

/*
 * One device, as query-memory-devices ("virtio-mem" data), HMP info
 * memory-devices and x-query-memslots need it. Strings belong to the
 * device and live as long as the VM.
 */
struct virtio_mem_info {
	const char *id;		/* -device id=, NULL without one */
	const char *qom_path;	/* "/machine/peripheral/vm0" */
	const char *memdev;	/* backend's QOM path, "/objects/mem0" */
	uint64_t memaddr;
	uint64_t requested_size;
	uint64_t size;		/* plugged bytes */
	uint64_t max_size;	/* region size */
	uint64_t block_size;
	uint32_t node;
	/* flexvm's own, for x-query-memslots and the benchmarks */
	uint64_t usable_region_size;
	bool dynamic_memslots;
	const char *policy;	/* layout built: "flexvm", "qemu",
				 * "firecracker"; "static" when
				 * dynamic-memslots=off */
	unsigned slot_limit;	/* share of the memslot budget */
	unsigned nr_slots;	/* slots in the layout */
	unsigned nr_mapped;	/* slots mapped into KVM now */
	uint64_t mapped_bytes;
	uint64_t kernel_cost;	/* memslot_kernel_cost() of mapped slots */
	uint64_t nr_slot_adds;	/* slot operations since start-up */
	uint64_t nr_slot_removes;
};

/** virtio_mem_query_count - number of virtio-mem-pci devices of @vm. */
unsigned virtio_mem_query_count(const struct vm *vm);

/**
 * virtio_mem_query - device @i (0 .. virtio_mem_query_count() - 1), in
 * creation order (QEMU lists memory devices by address; sort if needed)
 * Return: 0, or -ENOENT.
 */
int virtio_mem_query(const struct vm *vm, unsigned i,
		     struct virtio_mem_info *out);

/**
 * virtio_mem_query_slot - slot @slot (0 .. info.nr_slots - 1) of device
 * @i: its KVM slot id when mapped, gpa, size, and kernel cost
 * Return: 0, or -ENOENT.
 */
int virtio_mem_query_slot(const struct vm *vm, unsigned i, unsigned slot,
			  struct virtio_mem_slot_info *out);

/** virtio_mem_query_plugged_total - plugged bytes of all devices
 * (query-memory-size-summary's plugged-memory). */
uint64_t virtio_mem_query_plugged_total(const struct vm *vm);

#endif
