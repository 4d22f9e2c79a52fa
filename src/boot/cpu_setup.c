// SPDX-License-Identifier: MIT
/*
 * vCPU register, CPUID, MSR and LAPIC set-up for both boot paths. The
 * builders are pure; the cpu_setup_* wrappers issue the KVM ioctls.
 * Called on the main thread while vCPUs are created or parked for reset.
 */
#include "boot/cpu_setup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "mem/memmap.h"

/* Architectural MSRs (Intel SDM vol. 4); linux-libc-dev does not ship them. */
#define MSR_IA32_TSC			0x00000010
#define MSR_IA32_SYSENTER_CS		0x00000174
#define MSR_IA32_SYSENTER_ESP		0x00000175
#define MSR_IA32_SYSENTER_EIP		0x00000176
#define MSR_IA32_MISC_ENABLE		0x000001a0
#define MSR_IA32_MISC_ENABLE_FAST_STRING 1ULL
#define MSR_MTRRdefType			0x000002ff
#define MSR_STAR			0xc0000081
#define MSR_LSTAR			0xc0000082
#define MSR_CSTAR			0xc0000083
#define MSR_SYSCALL_MASK		0xc0000084
#define MSR_KERNEL_GS_BASE		0xc0000102

#define CR0_PE (1ULL << 0)
#define CR0_MP (1ULL << 1)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_WP (1ULL << 16)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

#define CPUID1_ECX_HYPERVISOR (1U << 31)
#define CPUID1_EDX_HTT (1U << 28)

static unsigned topology_shift(unsigned nr_cpus)
{
	unsigned shift = 0;

	while ((1U << shift) < nr_cpus)
		shift++;
	return shift;
}

static void patch_topology_leaf(struct kvm_cpuid_entry2 *e, unsigned index,
				unsigned nr_cpus)
{
	/* One socket of nr_cpus single-threaded cores, x2APIC id = index. */
	e->edx = index;
	switch (e->index) {
	case 0:	/* SMT level */
		e->eax = 0;
		e->ebx = 1;
		e->ecx = 0 | (1U << 8);
		break;
	case 1:	/* core level */
		e->eax = topology_shift(nr_cpus);
		e->ebx = nr_cpus;
		e->ecx = 1 | (2U << 8);
		break;
	default:	/* no more levels */
		e->eax = e->ebx = 0;
		e->ecx = e->index;
		break;
	}
}

void cpu_cpuid_patch(struct kvm_cpuid2 *cpuid, unsigned index,
		     unsigned nr_cpus)
{
	for (uint32_t i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		switch (e->function) {
		case 1:
			e->ebx &= 0x0000ffff;
			e->ebx |= (index << 24) | (MIN(nr_cpus, 255U) << 16);
			e->ecx |= CPUID1_ECX_HYPERVISOR;
			e->edx |= CPUID1_EDX_HTT;
			break;
		case 4:	/* caches: shared by all cores of the package */
			e->eax &= 0x03ffffff;
			e->eax |= (nr_cpus - 1) << 26;
			e->eax &= ~(0xfffU << 14);	/* one thread per cache */
			break;
		case 0xb:
		case 0x1f:
			patch_topology_leaf(e, index, nr_cpus);
			break;
		default:
			break;
		}
	}
}

unsigned cpu_phys_bits(const struct kvm_cpuid2 *cpuid)
{
	for (uint32_t i = 0; i < cpuid->nent; i++)
		if (cpuid->entries[i].function == 0x80000008)
			return cpuid->entries[i].eax & 0xff;
	return 36;
}

static struct kvm_segment flat_segment(uint16_t selector, uint8_t type,
				       bool code64)
{
	return (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = selector,
		.type = type,
		.present = 1,
		.dpl = 0,
		.db = code64 ? 0 : 1,
		.s = 1,
		.l = code64 ? 1 : 0,
		.g = 1,
	};
}

void cpu_boot_sregs_build(const struct boot_info *bi, struct kvm_sregs *sregs)
{
	bool long_mode = bi->mode == BOOT_MODE_LINUX64;
	struct kvm_segment data = flat_segment(BOOT_DS_SELECTOR, 0x3, false);

	sregs->cs = flat_segment(BOOT_CS_SELECTOR, 0xb, long_mode);
	sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss = data;
	/* VMX requires a usable busy TSS in TR even though nothing uses it. */
	sregs->tr = (struct kvm_segment){ .limit = 0xffff, .type = 0xb,
					  .present = 1 };
	sregs->gdt.base = bi->gdt_addr;
	sregs->gdt.limit = bi->gdt_limit;
	if (long_mode) {
		sregs->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP |
			     CR0_PG;
		sregs->cr3 = bi->cr3;
		sregs->cr4 = CR4_PAE;
		sregs->efer = EFER_LME | EFER_LMA;
	} else {
		sregs->cr0 = CR0_PE | CR0_ET;
		sregs->cr3 = 0;
		sregs->cr4 = 0;
		sregs->efer = 0;
	}
	sregs->idt.base = 0;
	sregs->idt.limit = 0;
}

void cpu_boot_regs_build(const struct boot_info *bi, struct kvm_regs *regs)
{
	memset(regs, 0, sizeof(*regs));
	regs->rflags = 0x2;	/* bit 1 is reserved-one; interrupts off */
	regs->rip = bi->entry;
	if (bi->mode == BOOT_MODE_LINUX64)
		regs->rsi = bi->param_addr;
	else
		regs->rbx = bi->param_addr;
}

struct kvm_cpuid2 *cpu_supported_cpuid(int kvm_fd)
{
	for (uint32_t nent = 128; nent <= 4096; nent *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent *
					      sizeof(c->entries[0]));

		if (!c)
			return NULL;
		c->nent = nent;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		free(c);
		if (errno != E2BIG)
			return NULL;
	}
	return NULL;
}

int cpu_setup_cpuid(int vcpu_fd, const struct kvm_cpuid2 *supported,
		    unsigned index, unsigned nr_cpus)
{
	size_t size = sizeof(*supported) +
		      supported->nent * sizeof(supported->entries[0]);
	struct kvm_cpuid2 *c = malloc(size);
	int ret = 0;

	if (!c)
		return -ENOMEM;
	memcpy(c, supported, size);
	cpu_cpuid_patch(c, index, nr_cpus);
	if (ioctl(vcpu_fd, KVM_SET_CPUID2, c) < 0)
		ret = -errno;
	free(c);
	return ret;
}

int cpu_setup_msrs(int vcpu_fd)
{
	/* What firmware leaves: sysenter/syscall MSRs clear, TSC at 0,
	 * fast strings on, write-back as the default memory type. */
	static const struct { uint32_t index; uint64_t data; } init[] = {
		{ MSR_IA32_SYSENTER_CS, 0 },
		{ MSR_IA32_SYSENTER_ESP, 0 },
		{ MSR_IA32_SYSENTER_EIP, 0 },
		{ MSR_STAR, 0 },
		{ MSR_CSTAR, 0 },
		{ MSR_KERNEL_GS_BASE, 0 },
		{ MSR_SYSCALL_MASK, 0 },
		{ MSR_LSTAR, 0 },
		{ MSR_IA32_TSC, 0 },
		{ MSR_IA32_MISC_ENABLE, MSR_IA32_MISC_ENABLE_FAST_STRING },
		{ MSR_MTRRdefType, (1U << 11) | 6 },
	};
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[ARRAY_SIZE(init)];
	} msrs = { .hdr.nmsrs = ARRAY_SIZE(init) };
	int n;

	for (unsigned i = 0; i < ARRAY_SIZE(init); i++) {
		msrs.e[i].index = init[i].index;
		msrs.e[i].data = init[i].data;
	}
	n = ioctl(vcpu_fd, KVM_SET_MSRS, &msrs);
	if (n < 0)
		return -errno;
	/* KVM stops at the first MSR it refuses; all of these are basic. */
	return n == (int)ARRAY_SIZE(init) ? 0 : -EINVAL;
}

#define APIC_LVT0 0x350
#define APIC_LVT1 0x360
#define APIC_MODE_EXTINT 0x7
#define APIC_MODE_NMI 0x4

static void lapic_set_mode(struct kvm_lapic_state *l, unsigned reg,
			   uint32_t mode)
{
	uint32_t v;

	memcpy(&v, &l->regs[reg], sizeof(v));
	v = (v & ~0x700U) | (mode << 8);
	memcpy(&l->regs[reg], &v, sizeof(v));
}

int cpu_setup_lapic(int vcpu_fd)
{
	struct kvm_lapic_state lapic;

	/* Virtual-wire mode, as a BIOS leaves it: PIC interrupts arrive as
	 * ExtINT on LINT0, NMIs on LINT1. */
	if (ioctl(vcpu_fd, KVM_GET_LAPIC, &lapic) < 0)
		return -errno;
	lapic_set_mode(&lapic, APIC_LVT0, APIC_MODE_EXTINT);
	lapic_set_mode(&lapic, APIC_LVT1, APIC_MODE_NMI);
	if (ioctl(vcpu_fd, KVM_SET_LAPIC, &lapic) < 0)
		return -errno;
	return 0;
}

int cpu_setup_boot(int vcpu_fd, const struct boot_info *bi)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	cpu_boot_sregs_build(bi, &sregs);
	cpu_boot_regs_build(bi, &regs);
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0 ||
	    ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0 ||
	    ioctl(vcpu_fd, KVM_SET_FPU, &fpu) < 0)
		return -errno;
	return 0;
}
