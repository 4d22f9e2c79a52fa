// SPDX-License-Identifier: MIT
/*
 * Everything the test guest runs at CPL0: the PVH entry (32-bit, paging
 * off), the switch to long mode shared by the BSP and the APs, GDT/IDT/TSS
 * setup, the CPL0 service and the exception stubs, plus the AP
 * real-mode trampoline. CPL0 code is emulated under PVM (~1.5 M
 * instructions/s), so it is kept short and everything else runs at CPL3.
 */
#include "layout.h"

#define CR0_PE 0x00000001
#define CR0_NW 0x20000000
#define CR0_CD 0x40000000
#define CR0_PG 0x80000000
#define CR4_PAE 0x00000020
#define MSR_EFER 0xc0000080
#define EFER_LME 0x00000100

#define PTE_P 0x001
#define PTE_W 0x002
#define PTE_U 0x004
#define PTE_PS 0x080
#define PTE_TABLE (PTE_P | PTE_W | PTE_U)

/* Offsets in struct boot_slot (cpu.h) */
#define SLOT_CPU 0
#define SLOT_RIP 8
#define SLOT_RSP 16
#define SLOT_ARG 24

/* Interrupt gate, present: selector KERNEL_CS in bits 16-31, type bits 40-47 */
#define GATE_KERNEL ((0x8e << 40) | (KERNEL_CS << 16))
#define TSS_AVAILABLE (0x89 << 40)

#if MAX_CPUS * TSS_SLOT_SIZE + IOBITMAP_SIZE > 0xffff
#error "TSS limit must fit 16 bits (tss_load only sets limit[15:0])"
#endif

/* ---------------------------------------------------------------- */
/* The PVH ELF note: the 32-bit physical entry point (Xen ABI).      */

	.section .note.Xen, "a", @note
	.balign 4
	.long 4				/* namesz */
	.long 8				/* descsz: 64-bit, like Linux's vmlinux */
	.long 18			/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.balign 4
	.quad pvh_start32
	.balign 4

/* ---------------------------------------------------------------- */
/* 32-bit entry: flat CS/DS, paging off, EBX = &struct hvm_start_info */

	.section .text.boot, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	cli
	cld
	/* The start_info pointer becomes the BSP's argument at CPL3. */
	movl %ebx, boot_slot + SLOT_ARG
	jmp enter_long_mode

/* The trampoline arrives here in 32-bit protected mode, paging off. */
	.globl ap_entry32
ap_entry32:
	movl $KERNEL_DS, %eax
	movl %eax, %ds
	/* fall through */

/*
 * Shared by BSP and APs. The identity page tables are static data
 * (.data.pagetables), so there is nothing to build here.
 */
enter_long_mode:
	lgdt gdtr
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	/* APs come out of reset with caching disabled (CD/NW): clear them. */
	movl %cr0, %eax
	andl $~(CR0_CD | CR0_NW), %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0
	ljmp $KERNEL_CS, $long_mode_entry

/* ---------------------------------------------------------------- */
/* 64-bit CPL0 setup, then iretq to CPL3 as described by boot_slot.  */

	.code64
long_mode_entry:
	movl $KERNEL_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	/* rbx = CPU index; rsp = r12 = top of its CPL0 stack */
	movq boot_slot + SLOT_CPU(%rip), %rbx
	leaq 1(%rbx), %rax
	imulq $CPU_BLOCK_SIZE, %rax
	leaq cpu_blocks(%rax), %r12
	movq %r12, %rsp
	testq %rbx, %rbx
	jnz 1f
	call idt_fill
	/* IF is forced on at CPL3 under PVM: mask both 8259s for good. */
	movb $0xff, %al
	outb %al, $0xa1
	outb %al, $0x21
1:	lidt idtr(%rip)
	call tss_load
	/* iretq frame: SS, RSP, RFLAGS (IF, as PVM forces it anyway), CS, RIP */
	pushq $USER_DS
	pushq boot_slot + SLOT_RSP(%rip)
	pushq $0x202
	pushq $USER_CS
	pushq boot_slot + SLOT_RIP(%rip)
	movq boot_slot + SLOT_ARG(%rip), %rdi
	movl $USER_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	iretq

/*
 * Build this CPU's TSS descriptor and load it. rbx = CPU index,
 * r12 = CPL0 stack top. All TSS headers share one I/O bitmap: the I/O map
 * base of each is the distance from its slot to the bitmap.
 */
tss_load:
	imulq $TSS_SLOT_SIZE, %rbx, %rdi
	addq $tss_area, %rdi
	movq %r12, 4(%rdi)			/* RSP0 */
	movl $iobitmap, %eax
	subl %edi, %eax
	movw %ax, 102(%rdi)			/* I/O map base */
	leal IOBITMAP_SIZE(%rax), %ecx		/* limit: includes the 0xff byte */
	/* low qword: limit[15:0], base[23:0] << 16, type, base[31:24] << 56 */
	movl %edi, %eax
	andl $0xffffff, %eax
	shlq $16, %rax
	orq %rcx, %rax
	movq %rdi, %rdx
	shrq $24, %rdx
	shlq $56, %rdx
	orq %rdx, %rax
	movabsq $TSS_AVAILABLE, %rdx
	orq %rdx, %rax
	movq %rbx, %rcx
	shlq $4, %rcx
	movq %rax, gdt + TSS_SEL0(%rcx)
	movq $0, gdt + TSS_SEL0 + 8(%rcx)	/* base[63:32] */
	addl $TSS_SEL0, %ecx
	ltr %cx
	ret

/*
 * Fill the IDT once (BSP): 32 exception stubs and the APIC spurious
 * vector. Absent vectors fault (#GP/#NP) and are reported like any other
 * exception.
 */
idt_fill:
	leaq idt(%rip), %rdi
	movq $exc_stubs, %rsi
	movabsq $GATE_KERNEL, %rdx
	movl $32, %ecx
2:	call set_gate
	addq $16, %rdi
	addq $16, %rsi
	decl %ecx
	jnz 2b
	leaq idt + 0xff * 16(%rip), %rdi
	movq $spurious_irq, %rsi
	/* fall through */

/* Gate at rdi: handler rsi (below 4 GiB), attributes/selector in rdx */
set_gate:
	movl %esi, %eax
	andl $0xffff, %eax
	movq %rsi, %r8
	shrq $16, %r8
	shlq $48, %r8
	orq %r8, %rax
	orq %rdx, %rax
	movq %rax, (%rdi)
	ret

/* ---------------------------------------------------------------- */
/* CPL0 service: "ud1 %eax, %eax" at CPL3 (see layout.h), rax =     */
/* SVC_*, args rdi/rsi, result rax. Clobbers rcx and rdx.            */

/* #UD: a service call if the opcode at RIP is ud1, else a fault. */
ud_entry:
	pushq %rcx
	movq 8(%rsp), %rcx			/* RIP */
	cmpw $SVC_OPCODE, (%rcx)
	popq %rcx
	jne ud_fault
	addq $SVC_INSN_LEN, (%rsp)
	cmpq $SVC_COUNT, %rax
	jae svc_bad
	jmp *svc_table(, %rax, 8)

svc_nop:
	movabsq $SVC_NOP_MAGIC, %rax
	iretq

svc_apic_read:
	movq lapic_base(%rip), %rax
	movl (%rax, %rdi), %eax
	iretq

svc_apic_write:
	movq lapic_base(%rip), %rax
	movl %esi, (%rax, %rdi)
	iretq

svc_rdmsr:
	movl %edi, %ecx
	rdmsr
	shlq $32, %rdx
	orq %rdx, %rax
	iretq

svc_wrmsr:
	movl %edi, %ecx
	movl %esi, %eax
	movq %rsi, %rdx
	shrq $32, %rdx
	wrmsr
	iretq

svc_flush_tlb:
	movq %cr3, %rax
	movq %rax, %cr3
	iretq

/* An exception with an empty IDT escalates #UD -> #GP -> #DF -> shutdown. */
svc_triple_fault:
	lidt idtr_empty(%rip)
	ud2

svc_cpuid:
	movl %edi, %eax
	movl %esi, %ecx
	cpuid
	iretq

svc_bad:
	movq $-1, %rax
	iretq

ud_fault:
	pushq $0
	pushq $6
	jmp fault_common

spurious_irq:
	iretq

/*
 * Device interrupts (irq.c installs the gates): stub n pushes rax and
 * jumps here with rax = n. Count, read the slot's acknowledge register
 * if it has one (a level-triggered line must drop before the EOI, or the
 * I/O APIC delivers it again at once), EOI. 13 instructions. PVM has
 * already EOIed the vector when it delivered it (the LAPIC ISR is clear
 * here), so a level-triggered line may come back once (see README.md).
 */
	.balign IRQ_STUB_SIZE
	.globl irq_stubs
irq_stubs:
	slot = 0
	.rept IRQ_SLOTS
	.balign IRQ_STUB_SIZE
	pushq %rax
	movl $slot, %eax
	jmp irq_common
	slot = slot + 1
	.endr

irq_common:
	pushq %rdx
	lock incq irq_counter(, %rax, 8)
	movq irq_ack_reg(, %rax, 8), %rdx
	testq %rdx, %rdx
	jz 1f
	movzbl (%rdx), %edx
	lock orq %rdx, irq_ack_bits(, %rax, 8)
1:	movq lapic_base(%rip), %rdx
	movl $0, APIC_EOI(%rdx)
	popq %rdx
	popq %rax
	iretq

/* ---------------------------------------------------------------- */
/* Exceptions: 16-byte stubs push (error code,) vector, then         */
/* fault_common turns the frame into a return to cpl3_fault_entry.  */

	.balign 16
exc_stubs:
	vector = 0
	.rept 32
	.balign 16
	.if vector == 6
	jmp ud_entry
	.else
	/* These vectors push an error code themselves. */
	.if (vector == 8) || ((vector >= 10) && (vector <= 14)) || (vector == 17) || (vector == 21) || (vector == 29) || (vector == 30)
	.else
	pushq $0
	.endif
	pushq $vector
	jmp fault_common
	.endif
	vector = vector + 1
	.endr

/*
 * Report at CPL3 rather than here, where every instruction is emulated:
 * rewrite the frame to "return" into cpl3_fault_entry(vector, error, rip,
 * cr2) on this CPU's fault stack (the faulting stack may be the problem).
 */
fault_common:
	popq %rdi
	popq %rsi
	movq (%rsp), %rdx
	movq %cr2, %rcx
	movq %rsp, %rax
	andq $~(CPU_BLOCK_SIZE - 1), %rax
	addq $FAULT_STACK_TOP, %rax
	movq $cpl3_fault_entry, 0(%rsp)
	movq $USER_CS, 8(%rsp)
	movq $0x202, 16(%rsp)
	movq %rax, 24(%rsp)
	movq $USER_DS, 32(%rsp)
	iretq

/* ---------------------------------------------------------------- */
/* CPL3 entry stubs (native speed from here on).                     */

	.text
cpl3_bsp_entry:
	/* Zero .bss here, natively; CPL0 data never lives in .bss. */
	movq %rdi, %rbx
	movq $__bss_start, %rdi
	movq $__bss_end, %rcx
	subq %rdi, %rcx
	xorl %eax, %eax
	rep stosb
	movq %rbx, %rdi
	call guest_main
	ud2

	.globl cpl3_ap_entry
cpl3_ap_entry:
	call smp_ap_main
	ud2

cpl3_fault_entry:
	call guest_fault
	ud2

/* ---------------------------------------------------------------- */
/* AP trampoline: copied to AP_TRAMPOLINE_ADDR, entered in real mode */
/* at CS = AP_TRAMPOLINE_ADDR >> 4, IP = 0 by the SIPI.             */

	.section .rodata, "a"
	.globl ap_trampoline_start, ap_trampoline_end
	.code16
ap_trampoline_start:
	cli
	movw %cs, %ax
	movw %ax, %ds
	lgdtl tramp_gdtr - ap_trampoline_start
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $KERNEL_CS32, $ap_entry32
	.balign 4
tramp_gdtr:
	.word gdt_end - gdt - 1
	.long gdt
ap_trampoline_end:
	.code64

/* ---------------------------------------------------------------- */
/* Static CPL0 data. In .data (not .bss) so no CPL0 code clears it.  */

	.data
	.balign 8
svc_table:
	.quad svc_nop, svc_apic_read, svc_apic_write, svc_rdmsr
	.quad svc_wrmsr, svc_flush_tlb, svc_triple_fault, svc_cpuid
	.if (. - svc_table) != SVC_COUNT * 8
	.error "svc_table does not match SVC_COUNT"
	.endif

	.globl lapic_base, boot_slot
lapic_base:
	.quad 0xfee00000

/* Per interrupt slot (irq.h): count, register to read, what it read. */
	.globl irq_counter, irq_ack_reg, irq_ack_bits
irq_counter:
	.fill IRQ_SLOTS, 8, 0
irq_ack_reg:
	.fill IRQ_SLOTS, 8, 0
irq_ack_bits:
	.fill IRQ_SLOTS, 8, 0

/*
 * What the next CPU to enter long mode does (struct boot_slot in cpu.h):
 * the BSP's entry is static, smp.c fills it in for each AP in turn.
 */
boot_slot:
	.quad 0, cpl3_bsp_entry, bsp_stack_top, 0

	.balign 16
	.globl gdt, gdt_end
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* KERNEL_CS32 */
	.quad 0x00af9a000000ffff	/* KERNEL_CS (L=1) */
	.quad 0x00cf92000000ffff	/* KERNEL_DS */
	.quad 0x00affa000000ffff	/* USER_CS (DPL 3, L=1) */
	.quad 0x00cff2000000ffff	/* USER_DS (DPL 3) */
	.fill MAX_CPUS * 2, 8, 0	/* TSS descriptors, see tss_load */
gdt_end:

/* One pseudo-descriptor for lgdt in both 32-bit and 64-bit mode. */
gdtr:
	.word gdt_end - gdt - 1
	.quad gdt
idtr:
	.word 256 * 16 - 1
	.quad idt
idtr_empty:
	.word 0
	.quad 0

	.balign 4096
	.globl idt
idt:
	.fill 256 * 16, 1, 0

	.balign TSS_SLOT_SIZE
	.globl tss_area, iobitmap
tss_area:
	.fill MAX_CPUS * TSS_SLOT_SIZE, 1, 0
/* All zero: every port is allowed at CPL3. The 0xff byte ends the map. */
iobitmap:
	.fill IOBITMAP_SIZE, 1, 0
	.byte 0xff

/*
 * Identity map of the first 4 GiB with 2 MiB user pages, built by the
 * assembler: CPL0 executes nothing to create it. map_range() extends it
 * from CPL3 using the pool in .noinit.
 */
	.section .data.pagetables, "aw"
	.balign 4096
	.globl pml4, pdpt0
pml4:
	.quad pdpt0 + PTE_TABLE
	.fill 511, 8, 0
pdpt0:
	.quad pd0 + PTE_TABLE, pd0 + 0x1000 + PTE_TABLE
	.quad pd0 + 0x2000 + PTE_TABLE, pd0 + 0x3000 + PTE_TABLE
	.fill 508, 8, 0
pd0:
	addr = 0
	.rept 2048
	.quad addr + (PTE_P | PTE_W | PTE_U | PTE_PS)
	addr = addr + 0x200000
	.endr

/* ---------------------------------------------------------------- */
/* Memory nobody needs initialised: stacks and the page-table pool.  */

	.section .noinit, "aw", @nobits
	.balign CPU_BLOCK_SIZE
	.globl cpu_blocks, ap_stacks, pt_pool, pt_pool_end
cpu_blocks:
	.skip MAX_CPUS * CPU_BLOCK_SIZE
	.balign 4096
pt_pool:
	.skip PT_POOL_PAGES * 4096
pt_pool_end:
ap_stacks:
	.skip MAX_CPUS * USER_STACK_SIZE
	.skip BSP_STACK_SIZE
bsp_stack_top:

	.section .note.GNU-stack, "", @progbits
