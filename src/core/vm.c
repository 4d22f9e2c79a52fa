// SPDX-License-Identifier: MIT
/*
 * Building and tearing down the machine. vm_create() reads top to bottom
 * in the order the machine is assembled: KVM, irqchip, memory, buses and
 * devices, kernel, vCPUs. Main thread only, before any vCPU runs.
 */
#include "core/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "boot/cpu_setup.h"
#include "core/vcpu.h"
#include "hw/device.h"
#include "hw/virtio/virtio_mem.h"
#include "mem/canary.h"
#include "util/size.h"

/* Where KVM's VMX real-mode helpers live: just below the 4 GiB BIOS. */
#define KVM_IDENTITY_MAP_ADDR	0xfffbc000ULL
#define KVM_TSS_ADDR		0xfffbd000ULL

/*
 * KVM_CAP_DISABLE_QUIRKS2 bit 7 (Linux 6.12): with the quirk on, deleting
 * any memslot zaps every shadow page of the VM. Debian's 6.1 UAPI header
 * predates it.
 */
#ifndef KVM_X86_QUIRK_SLOT_ZAP_ALL
#define KVM_X86_QUIRK_SLOT_ZAP_ALL (1 << 7)
#endif

static const struct { uint16_t base; uint8_t irq; } isa_serial[] = {
	{ 0x3f8, 4 }, { 0x2f8, 3 }, { 0x3e8, 4 }, { 0x2e8, 3 },
};

static int kvm_check_cap(int fd, long cap)
{
	int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	return r < 0 ? 0 : r;
}

static int vm_open_kvm(struct vm *vm, struct error *err)
{
	static const struct { long cap; const char *name; } required[] = {
		{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
		{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
		{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
		{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
	};
	int version;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		error_setg_errno(err, errno, "failed to initialize kvm: "
				 "Could not access KVM kernel module "
				 "(/dev/kvm)");
		return -errno;
	}
	version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		error_setg(err, "kvm version %d is not supported (need %d)",
			   version, KVM_API_VERSION);
		return -EINVAL;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(required); i++) {
		if (!kvm_check_cap(vm->kvm_fd, required[i].cap)) {
			error_set(err, ERROR_CLASS_KVM_MISSING_CAP,
				  "kvm does not support %s", required[i].name);
			return -EINVAL;
		}
	}
	vm->vcpu_mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm->cpuid = cpu_supported_cpuid(vm->kvm_fd);
	if (vm->vcpu_mmap_size <= 0 || !vm->cpuid) {
		error_setg_errno(err, errno, "failed to query kvm");
		return -EINVAL;
	}
	vm->phys_bits = cpu_phys_bits(vm->cpuid);
	return 0;
}

/*
 * virtio-mem deletes slots while the guest runs: have KVM zap only the
 * deleted slot's mappings, where the host kernel offers it.
 */
static void vm_disable_slot_zap_all(struct vm *vm)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_DISABLE_QUIRKS2,
		.args = { KVM_X86_QUIRK_SLOT_ZAP_ALL },
	};
	int quirks = kvm_check_cap(vm->vm_fd, KVM_CAP_DISABLE_QUIRKS2);

	if (!(quirks & KVM_X86_QUIRK_SLOT_ZAP_ALL))
		return;
	if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
		log_debug("cannot disable KVM_X86_QUIRK_SLOT_ZAP_ALL: %s",
			  strerror(errno));
}

static int vm_create_kvm_vm(struct vm *vm, struct error *err)
{
	struct kvm_pit_config pit = { .flags = 0 };

	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		error_setg_errno(err, errno, "failed to initialize kvm: "
				 "KVM_CREATE_VM failed");
		return -errno;
	}
	/* Only VMX uses these (real mode emulation); other hosts ignore or
	 * refuse them, which is harmless. */
	ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &(uint64_t){
		KVM_IDENTITY_MAP_ADDR });
	ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_ADDR);
	vm_disable_slot_zap_all(vm);
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		error_setg_errno(err, errno, "Create kernel irqchip failed");
		return -errno;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
		error_setg_errno(err, errno, "Create kernel PIT failed");
		return -errno;
	}
	return 0;
}

/*
 * One anonymous mapping for all RAM; with -machine x-canary=on it sits
 * between canaries (mem/canary.h), aligned to 2 MiB for THP.
 */
static uint8_t *vm_alloc_ram(struct vm *vm, struct error *err)
{
	uint64_t size = vm->mm.ram_size;
	void *ram;
	int ret;

	if (!vm->cfg->canary) {
		ram = guest_mem_alloc_anon(size);
	} else {
		ram = canary_mmap_aligned(size, 2 * MiB, MAP_PRIVATE |
					  MAP_ANONYMOUS | MAP_NORESERVE, -1,
					  CANARY_MARGIN);
		ram = ram == MAP_FAILED ? NULL : ram;
	}
	if (!ram) {
		error_setg_errno(err, errno, "cannot set up guest memory "
				 "'pc.ram'");
		return NULL;
	}
	vm->ram_hva = ram;
	if (vm->cfg->canary) {
		ret = canary_arm(&vm->ram_canary, "guest RAM", ram, size);
		if (ret) {
			error_setg_errno(err, -ret, "cannot set up the "
					 "canaries of guest memory 'pc.ram'");
			return NULL;
		}
	}
	return ram;
}

static int vm_setup_memory(struct vm *vm, struct error *err)
{
	const struct memmap *mm = &vm->mm;
	uint8_t *ram;
	int nr_slots = kvm_check_cap(vm->kvm_fd, KVM_CAP_NR_MEMSLOTS);
	int ret;

	ram = vm_alloc_ram(vm, err);
	if (!ram)
		return -ENOMEM;
	/*
	 * Boot RAM gets transparent huge pages, as in QEMU: under shadow
	 * paging each 4 KiB first touch is a costly exit, and a guest's own
	 * RAM is touched densely anyway. Without THP this merely fails.
	 */
	if (guest_mem_advise_hugepage(ram, mm->ram_size))
		log_debug("no transparent huge pages for guest RAM");
	ret = memslot_table_init(&vm->slots, nr_slots > 0 ? nr_slots : 32,
				 memslot_kvm_ioctl, &vm->vm_fd);
	if (ret) {
		error_setg(err, "out of memory");
		return ret;
	}
	ret = guest_mem_add(&vm->gm, "ram-below-4g", 0, mm->low_ram_size, ram);
	if (!ret)
		ret = memslot_add(&vm->slots, 0, mm->low_ram_size, ram, 0,
				  "ram-below-4g");
	if (ret >= 0 && mm->high_ram_size) {
		uint8_t *high = ram + mm->low_ram_size;

		ret = guest_mem_add(&vm->gm, "ram-above-4g",
				    MEMMAP_HIGH_RAM_START, mm->high_ram_size,
				    high);
		if (!ret)
			ret = memslot_add(&vm->slots, MEMMAP_HIGH_RAM_START,
					  mm->high_ram_size, high, 0,
					  "ram-above-4g");
	}
	if (ret < 0) {
		error_setg_errno(err, -ret, "cannot map guest memory into kvm");
		return ret;
	}
	return 0;
}

/* Serial frontend glue: the 8250 model talks to a chardev and an IRQ. */
static void serial_tx(void *opaque, uint8_t byte)
{
	struct vm_serial *s = opaque;

	chardev_write(s->chr, &byte, 1);
}

static void serial_set_irq(void *opaque, bool level)
{
	struct vm_serial *s = opaque;
	struct vm *vm = s->vm;
	bool line = false;

	/* COM1/COM3 share IRQ 4 and COM2/COM4 IRQ 3: the line is the OR. */
	s->irq_level = level;
	for (unsigned i = 0; i < vm->nr_serials; i++)
		if (vm->serials[i].irq == s->irq)
			line |= vm->serials[i].irq_level;
	vm_set_irq(vm, s->irq, line);
}

static void serial_rx_ready(void *opaque)
{
	struct vm_serial *s = opaque;

	chardev_input_resume(s->chr);
}

static size_t serial_can_read(void *opaque)
{
	struct vm_serial *s = opaque;

	return serial_8250_rx_space(&s->uart);
}

static void serial_input(void *opaque, const uint8_t *buf, size_t len)
{
	struct vm_serial *s = opaque;

	serial_8250_receive(&s->uart, buf, len);
}

static const struct serial_8250_ops serial_ops = {
	.tx = serial_tx,
	.set_irq = serial_set_irq,
	.rx_ready = serial_rx_ready,
};

static const struct chardev_input_ops serial_input_ops = {
	.can_read = serial_can_read,
	.read = serial_input,
};

static void vm_quit_from_console(void *opaque)
{
	/* Main thread (chardev input), dm_lock held. */
	vm_shutdown(opaque, VM_CAUSE_HOST_UI, 0);
}

static int vm_add_serials(struct vm *vm, struct error *err)
{
	const struct machine_config *cfg = vm->cfg;

	for (unsigned i = 0; i < cfg->nr_serials; i++) {
		struct vm_serial *s = &vm->serials[i];
		bool mux = cfg->nographic;

		s->vm = vm;
		s->irq = isa_serial[i].irq;
		s->chr = chardev_create(&cfg->serials[i], vm->loop, mux,
					vm_quit_from_console, vm, err);
		if (!s->chr)
			return -EINVAL;
		serial_8250_init(&s->uart, &serial_ops, s);
		if (serial_8250_register(&s->uart, &vm->pio,
					 isa_serial[i].base)) {
			error_setg(err, "cannot register serial port %u", i);
			return -EBUSY;
		}
		chardev_set_input(s->chr, &serial_input_ops, s);
		vm->nr_serials++;
	}
	return 0;
}

static void vm_reset_from_kbd(void *opaque)
{
	vm_request_reset(opaque);
}

static void vm_kbd_set_irq(void *opaque, unsigned irq, bool level)
{
	vm_set_irq(opaque, irq, level);
}

static void vm_exit_from_guest(void *opaque, int status)
{
	vm_request_exit(opaque, status);
}

/* GSI routing, PCI bus 0 with its host bridge, config mechanism #1. */
static int vm_add_pci(struct vm *vm, struct error *err)
{
	int ret = irq_init_kvm(&vm->irq, vm->vm_fd);

	if (ret) {
		error_setg_errno(err, -ret, "cannot set up the GSI routing");
		return ret;
	}
	ret = pci_bus_init(&vm->pci, &vm->pio, &vm->mmio, &vm->irq, &vm->mm);
	if (!ret)
		ret = pci_host_init(&vm->pci_host, &vm->pci, &vm->pio);
	if (ret)
		error_setg_errno(err, -ret, "cannot create the PCI bus");
	return ret;
}

/*
 * The firmware's part, after every -device: place and enable the BARs,
 * and list each slot's INTA# route for the MP table.
 */
static int vm_place_pci_bars(struct vm *vm, struct error *err)
{
	unsigned n = 0;
	int ret = pci_bus_assign_bars(&vm->pci, err);

	for (unsigned slot = 0; !ret && slot < PCI_NR_SLOTS; slot++) {
		const struct pci_device *dev =
			pci_bus_find(&vm->pci, PCI_DEVFN(slot, 0));

		if (dev && pci_get_byte(dev, PCI_INTERRUPT_PIN))
			vm->pci_irqs[n++] = (struct mptable_pci_irq){
				.slot = (uint8_t)slot,
				.pin = pci_get_byte(dev, PCI_INTERRUPT_PIN),
				.ioapic_pin = (uint8_t)pci_intx_gsi(slot),
			};
	}
	vm->boot_req.pci_irqs = vm->pci_irqs;
	vm->boot_req.nr_pci_irqs = n;
	return ret;
}

int vm_reset_pci(struct vm *vm, struct error *err)
{
	pci_bus_reset(&vm->pci);
	return pci_bus_assign_bars(&vm->pci, err);
}

static int vm_add_devices(struct vm *vm, struct error *err)
{
	const struct machine_config *cfg = vm->cfg;
	int ret;

	bus_init(&vm->pio, "pio");
	bus_init(&vm->mmio, "mmio");
	ret = vm_add_serials(vm, err);
	if (ret)
		return ret;
	ret = i8042_init(&vm->kbd, &vm->pio, vm_reset_from_kbd, vm);
	if (!ret) {
		i8042_set_irq_handler(&vm->kbd, vm_kbd_set_irq);
		ret = cmos_rtc_init(&vm->rtc, &vm->pio, vm->mm.low_ram_size,
				    vm->mm.high_ram_size);
	}
	if (!ret && cfg->debug_exit)
		ret = debug_exit_init(&vm->debug_exit, &vm->pio,
				      cfg->debug_exit_iobase,
				      cfg->debug_exit_iosize,
				      vm_exit_from_guest, vm);
	if (ret) {
		error_setg(err, "cannot register the ISA devices: %s",
			   strerror(-ret));
		return ret;
	}
	ret = vm_add_pci(vm, err);
	/* -device options, in command-line order, as QEMU creates them. */
	for (unsigned i = 0; i < cfg->nr_devices && !ret; i++)
		ret = device_create(vm, cfg->devices[i].text, err);
	if (!ret)
		ret = vm_place_pci_bars(vm, err);
	return ret;
}

static int vm_create_vcpus(struct vm *vm, struct error *err)
{
	vm->nr_vcpus = vm->cfg->nr_cpus;
	vm->vcpus = calloc(vm->nr_vcpus, sizeof(*vm->vcpus));
	if (!vm->vcpus) {
		error_setg(err, "out of memory");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		vm->vcpus[i] = vcpu_create(vm, i, err);
		if (!vm->vcpus[i])
			return -EINVAL;
	}
	return 0;
}

/* Loads the kernel and points the boot CPU at it; also used by reset. */
int vm_load_boot(struct vm *vm, struct error *err)
{
	int ret = boot_load(&vm->gm, &vm->mm, &vm->boot_req, &vm->boot, err);

	if (ret)
		return ret;
	ret = cpu_setup_boot(vm->vcpus[0]->fd, &vm->boot);
	if (ret)
		error_setg_errno(err, -ret, "cannot set up the boot cpu");
	return ret;
}

static void vm_init_state(struct vm *vm, const struct machine_config *cfg)
{
	vm->cfg = cfg;
	vm->kvm_fd = -1;
	vm->vm_fd = -1;
	vm->signal_fd = -1;
	pthread_mutex_init(&vm->dm_lock, NULL);
	pthread_cond_init(&vm->vcpu_cond, NULL);
	vm->runstate = cfg->start_paused ? RUNSTATE_PRELAUNCH
					 : RUNSTATE_RUNNING;
	vm->memslot_budget = cfg->memslot_budget
			     ? cfg->memslot_budget
			     : VIRTIO_MEM_DEFAULT_MEMSLOT_BUDGET;
	vm->unassigned_rl = (struct ratelimit){ .burst = 10,
						.interval_ms = 1000 };
	vm->boot_req = (struct boot_request){
		.kernel_path = cfg->kernel, .initrd_path = cfg->initrd,
		.cmdline = cfg->append ? cfg->append : "",
		.nr_cpus = cfg->nr_cpus,
		.kernel_fd = -1, .initrd_fd = -1,
	};
}

struct vm *vm_create(const struct machine_config *cfg, struct error *err)
{
	struct vm *vm = calloc(1, sizeof(*vm));

	if (!vm) {
		error_setg(err, "out of memory");
		return NULL;
	}
	vm_init_state(vm, cfg);
	vm->loop = event_loop_create(&vm->dm_lock);
	if (!vm->loop) {
		error_setg_errno(err, errno, "cannot create the main loop");
		goto fail;
	}
	if (vm_open_kvm(vm, err) || vm_create_kvm_vm(vm, err))
		goto fail;
	if (memmap_init(&vm->mm, cfg->ram_size, cfg->maxmem, vm->phys_bits,
			err))
		goto fail;
	vm->backends.canary = cfg->canary;
	if (vm_setup_memory(vm, err) ||
	    memory_backend_create_all(&vm->backends, cfg->backends,
				      cfg->nr_backends, err) ||
	    vm_add_devices(vm, err))
		goto fail;
	if (vm_create_vcpus(vm, err) || boot_open(&vm->boot_req, err) ||
	    vm_load_boot(vm, err))
		goto fail;
	if (vm_snapshot_irqchip(vm)) {
		error_setg_errno(err, errno, "cannot read the irqchip state");
		goto fail;
	}
	return vm;
fail:
	vm_destroy(vm);
	return NULL;
}

void vm_destroy(struct vm *vm)
{
	if (!vm)
		return;
	for (unsigned i = 0; vm->vcpus && i < vm->nr_vcpus; i++)
		vcpu_destroy(vm->vcpus[i]);
	free(vm->vcpus);
	for (unsigned i = 0; i < vm->nr_serials; i++)
		chardev_destroy(vm->serials[i].chr);
	pci_bus_destroy(&vm->pci);
	device_destroy_all(vm);	/* virtio-mem removes its KVM slots */
	/* monitor_destroy() may have freed the QOM tree the backends sit in */
	for (unsigned i = 0; i < vm->backends.nr; i++)
		vm->backends.b[i].qom = NULL;
	memory_backend_destroy_all(&vm->backends);
	irq_destroy(&vm->irq);
	bus_destroy(&vm->pio);
	bus_destroy(&vm->mmio);
	memslot_table_destroy(&vm->slots);
	if (vm->ram_hva)
		guest_mem_free_anon(vm->ram_hva, vm->mm.ram_size);
	canary_disarm(&vm->ram_canary);
	boot_close(&vm->boot_req);
	free(vm->irqchip_snapshot);
	free(vm->cpuid);
	if (vm->signal_fd >= 0)
		close(vm->signal_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	event_loop_destroy(vm->loop);
	pthread_cond_destroy(&vm->vcpu_cond);
	pthread_mutex_destroy(&vm->dm_lock);
	free(vm);
}

int vm_check_canaries(struct vm *vm)
{
	const struct memory_backend_list *l = &vm->backends;
	struct error err = { 0 };
	unsigned n = 0;
	int ret = 0;

	if (!vm->cfg->canary)
		return 0;
	if (vm->ram_canary.before) {
		n++;
		if (canary_check(&vm->ram_canary, &err)) {
			log_error("%s", err.msg);
			ret = -EFAULT;
		}
	}
	for (unsigned i = 0; i < l->nr; i++) {
		if (!l->b[i].canary.before)
			continue;
		n++;
		if (canary_check(&l->b[i].canary, &err)) {
			log_error("%s", err.msg);
			ret = -EFAULT;
		}
	}
	/* Whatever the log level: the user asked for this check. */
	if (!ret)
		log_msg(LOG_ERROR, "x-canary: the canaries around %u guest "
			"memory mapping%s are intact", n, n == 1 ? "" : "s");
	return ret;
}
