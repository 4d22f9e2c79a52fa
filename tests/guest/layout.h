// SPDX-License-Identifier: MIT
/*
 * Constants shared by the assembly (start.S), the linker script and the C
 * code of the test guest: segment selectors, per-CPU sizes, the CPL0 service
 * numbers and fixed low-memory addresses. Plain #defines only, so that this
 * file can be included from .S and .ld files as well as from C.
 */
#ifndef GUEST_LAYOUT_H
#define GUEST_LAYOUT_H

/* Physical (= virtual, everything is identity mapped) load address. */
#define GUEST_LOAD_ADDR 0x100000

/*
 * GDT layout. KERNEL_CS32 is only used on the way from real/protected mode
 * to long mode (AP trampoline); user selectors carry RPL 3.
 */
#define KERNEL_CS32 0x08
#define KERNEL_CS 0x10
#define KERNEL_DS 0x18
#define USER_CS (0x20 | 3)
#define USER_DS (0x28 | 3)
#define TSS_SEL0 0x30 /* 16-byte TSS descriptors follow, one per CPU */

#define MAX_CPUS 32

/*
 * Per-CPU stack block (NOLOAD memory): a fault stack for the CPL3 fault
 * reporter, then the CPL0 stack (TSS.RSP0) at the top. The block is
 * naturally aligned so the CPL0 fault handler finds the fault stack by
 * masking its own stack pointer.
 */
#define CPU_BLOCK_SIZE 0x2000
#define KSTACK_SIZE 0x800
#define FAULT_STACK_TOP (CPU_BLOCK_SIZE - KSTACK_SIZE)
#define USER_STACK_SIZE 0x4000 /* APs; the BSP has BSP_STACK_SIZE */
#define BSP_STACK_SIZE 0x10000

/*
 * Each CPU's TSS is only its 104-byte header, in a 128-byte slot; all of
 * them point (via their I/O map base) at one shared I/O permission bitmap
 * placed after the last slot. This keeps per-CPU cost at 128 bytes instead
 * of 8 KiB while every CPU may do port I/O at CPL3.
 */
#define TSS_SLOT_SIZE 128
#define TSS_HDR_SIZE 104
#define IOBITMAP_SIZE 8192

/*
 * Spare page-table pages for map_range() (4 KiB each): 1024 pages map
 * 1 TiB in 2 MiB pages (QEMU and KVM on PVM offer no 1 GiB pages).
 */
#define PT_POOL_PAGES 1024

/* AP trampoline: copied to this page, started with SIPI vector 0x08. */
#define AP_TRAMPOLINE_ADDR 0x8000

/*
 * The CPL0 service is entered with "ud1 %eax, %eax" (0f b9 c0): the #UD
 * handler recognises the opcode, skips it and dispatches on rax. Not
 * "int $n": under PVM a software interrupt at CPL3 goes to KVM's
 * instruction emulator, which cannot do protected-mode INT and injects
 * #UD; syscall reaches LSTAR but leaves PVM believing the vCPU is still
 * in user mode (privileged instructions then #GP). Exceptions are
 * delivered through the IDT properly.
 * Numbers go in rax, arguments in rdi, rsi; the result in rax. Keep the
 * handlers a few instructions long: CPL0 code is emulated.
 */
#define SVC_OPCODE 0xb90f /* first two bytes, little endian */
#define SVC_INSN_LEN 3
#define SVC_NOP 0          /* returns SVC_NOP_MAGIC: a round-trip probe */
#define SVC_APIC_READ 1    /* rdi = register offset -> rax */
#define SVC_APIC_WRITE 2   /* rdi = register offset, rsi = value */
#define SVC_RDMSR 3        /* rdi = MSR index -> rax = value */
#define SVC_WRMSR 4        /* rdi = MSR index, rsi = value */
#define SVC_FLUSH_TLB 5    /* reload CR3 */
#define SVC_TRIPLE_FAULT 6 /* empty IDT + #UD: never returns */
#define SVC_CPUID 7        /* rdi = leaf, rsi = subleaf -> eax..edx */
#define SVC_COUNT 8
#define SVC_NOP_MAGIC 0x5356434f4b /* "SVCOK" */

/*
 * External interrupts for the drivers (irq.c): IRQ_SLOTS vectors from
 * IRQ_VECTOR_BASE, each with a CPL0 stub that counts, optionally reads one
 * device byte (the virtio ISR, which deasserts a level-triggered INTx
 * line before the EOI) and writes the LAPIC EOI.
 */
#define IRQ_VECTOR_BASE 0x40
#define IRQ_SLOTS 4
#define IRQ_STUB_SIZE 16
#define APIC_EOI 0xb0

#endif
