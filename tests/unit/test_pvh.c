// SPDX-License-Identifier: MIT
/*
 * pvh: synthetic ELF64 and ELF32 kernels with a Xen PVH entry note, loaded
 * into 64 MiB of anonymous (lazily zeroed) guest RAM; hvm_start_info, the
 * module list, the memory map and the command line are read back at the
 * offsets of Xen's public start_info.h. Every refusal has a test.
 * FLEXVM_REAL_VMLINUX=path also loads a real vmlinux (left out otherwise).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <elf.h>
#include <errno.h>

#include "boot/pvh.h"
#include "boot_test_util.h"

#define FILE_SIZE 0x1200
#define NOTE_OFF 0x100
#define SHDR_OFF 0x200
#define SEG_OFF 0x1000
#define SEG_FILESZ 0x200
#define SEG_MEMSZ 0x3000
#define ENTRY 0x100040
#define SI 0x6000		/* hvm_start_info */
#define NAME "vmlinux-test"

static uint8_t elf[FILE_SIZE] __attribute__((aligned(8)));

static Elf64_Ehdr *eh64 = (Elf64_Ehdr *)elf;
static Elf64_Phdr *ph64 = (Elf64_Phdr *)(elf + sizeof(Elf64_Ehdr));

/* A "Xen" note of type 18 whose value is @descsz bytes of @entry. */
static void put_note(uint32_t descsz, uint64_t entry)
{
	uint32_t hdr[3] = { 4, descsz, XEN_ELFNOTE_PHYS32_ENTRY };

	memcpy(elf + NOTE_OFF, hdr, sizeof(hdr));
	memcpy(elf + NOTE_OFF + 12, "Xen", 4);
	memcpy(elf + NOTE_OFF + 16, &entry, descsz <= 8 ? descsz : 8);
}

static void put_ident(unsigned cls)
{
	memcpy(elf, ELFMAG, SELFMAG);
	elf[EI_CLASS] = (uint8_t)cls;
	elf[EI_DATA] = ELFDATA2LSB;
	elf[EI_VERSION] = EV_CURRENT;
}

/* ELF64: one PT_LOAD at 1 MiB with bss, one PT_NOTE with a 4-byte entry. */
static void make_elf64(void)
{
	memset(elf, 0, sizeof(elf));
	put_ident(ELFCLASS64);
	eh64->e_type = ET_EXEC;
	eh64->e_machine = EM_X86_64;
	eh64->e_version = EV_CURRENT;
	eh64->e_entry = 0x100000;	/* the plain entry is ignored */
	eh64->e_phoff = sizeof(Elf64_Ehdr);
	eh64->e_ehsize = sizeof(Elf64_Ehdr);
	eh64->e_phentsize = sizeof(Elf64_Phdr);
	eh64->e_phnum = 2;
	eh64->e_shentsize = sizeof(Elf64_Shdr);
	ph64[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
				.p_offset = SEG_OFF, .p_vaddr = 0x100000,
				.p_paddr = 0x100000, .p_filesz = SEG_FILESZ,
				.p_memsz = SEG_MEMSZ, .p_align = 0x1000 };
	ph64[1] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_flags = PF_R,
				.p_offset = NOTE_OFF, .p_filesz = 20,
				.p_memsz = 20, .p_align = 4 };
	put_note(4, ENTRY);
	for (unsigned i = 0; i < SEG_FILESZ; i++)
		elf[SEG_OFF + i] = (uint8_t)(i * 13 + 5);
}

/* The same image as ELF32 / EM_386. */
static void make_elf32(void)
{
	Elf32_Ehdr *h = (Elf32_Ehdr *)elf;
	Elf32_Phdr *ph = (Elf32_Phdr *)(elf + sizeof(*h));

	make_elf64();
	memset(elf, 0, NOTE_OFF);
	put_ident(ELFCLASS32);
	h->e_type = ET_EXEC;
	h->e_machine = EM_386;
	h->e_version = EV_CURRENT;
	h->e_phoff = sizeof(*h);
	h->e_ehsize = sizeof(*h);
	h->e_phentsize = sizeof(*ph);
	h->e_phnum = 2;
	ph[0] = (Elf32_Phdr){ PT_LOAD, SEG_OFF, 0x100000, 0x100000,
			      SEG_FILESZ, SEG_MEMSZ, PF_R | PF_X, 0x1000 };
	ph[1] = (Elf32_Phdr){ PT_NOTE, NOTE_OFF, 0, 0, 20, 20, PF_R, 4 };
}

static int setup(void **state)
{
	(void)state;
	make_elf64();
	return boot_ram_setup(NAME, elf, FILE_SIZE, "console=ttyS0 quiet");
}

static int load(void)
{
	return pvh_load(&gm, &mm, &pl, &bi, &err);
}

static void test_pvh_probe_elf_magic_only(void **state)
{
	(void)state;
	assert_true(pvh_probe(elf, FILE_SIZE));
	assert_false(pvh_probe(elf, 3));
	assert_false(pvh_probe((const uint8_t *)"MZ\x90\x00", 4));
}

static void test_pvh_load_elf64_entry_state(void **state)
{
	(void)state;
	assert_int_equal(load(), 0);
	assert_int_equal(bi.mode, BOOT_MODE_PVH);
	assert_int_equal(bi.entry, ENTRY);
	assert_int_equal(bi.param_addr, 0x6000);
	assert_int_equal(bi.cr3, 0);
	assert_int_equal(bi.gdt_addr, 0x500);
	assert_int_equal(bi.gdt_limit, 31);
	assert_int_equal(bi.kernel_start, 0x100000);
	assert_int_equal(bi.kernel_end, 0x100000 + SEG_MEMSZ);
}

static void test_pvh_segment_copied_bss_zeroed(void **state)
{
	(void)state;
	memset(ram + 0x100000, 0xcc, SEG_MEMSZ + 16);
	assert_int_equal(load(), 0);
	assert_memory_equal(ram + 0x100000, elf + SEG_OFF, SEG_FILESZ);
	for (unsigned i = SEG_FILESZ; i < SEG_MEMSZ; i++)
		assert_int_equal(ram[0x100000 + i], 0);
	assert_int_equal(ram[0x100000 + SEG_MEMSZ], 0xcc);	/* untouched */
}

static void test_pvh_start_info_bytes(void **state)
{
	struct e820_range e820[MEMMAP_E820_MAX];
	unsigned n = memmap_e820(&mm, e820);

	(void)state;
	assert_int_equal(load(), 0);
	assert_int_equal(get(SI + 0, 4), 0x336ec578);	/* magic */
	assert_int_equal(get(SI + 4, 4), 1);		/* version */
	assert_int_equal(get(SI + 8, 4), 0);		/* flags */
	assert_int_equal(get(SI + 12, 4), 0);		/* nr_modules */
	assert_int_equal(get(SI + 16, 8), 0);		/* modlist_paddr */
	assert_int_equal(get(SI + 24, 8), 0x20000);	/* cmdline_paddr */
	assert_int_equal(get(SI + 32, 8), 0);		/* rsdp_paddr */
	assert_int_equal(get(SI + 40, 8), 0x6100);	/* memmap_paddr */
	assert_int_equal(get(SI + 48, 4), n);		/* memmap_entries */
	assert_int_equal(get(SI + 52, 4), 0);		/* reserved */
}

static void test_pvh_memmap_from_e820(void **state)
{
	struct e820_range want[MEMMAP_E820_MAX];
	unsigned n = memmap_e820(&mm, want);

	(void)state;
	assert_int_equal(load(), 0);
	assert_int_equal(n, 4);		/* base, EBDA, F-segment, 1 MiB+ */
	for (unsigned i = 0; i < n; i++) {
		uint64_t e = 0x6100 + 24 * i;

		assert_int_equal(get(e, 8), want[i].addr);
		assert_int_equal(get(e + 8, 8), want[i].size);
		assert_int_equal(get(e + 16, 4), want[i].type);
		assert_int_equal(get(e + 20, 4), 0);
	}
	assert_int_equal(get(0x6100 + 24 * 3 + 8, 8), 63 * MiB);
}

static void test_pvh_cmdline_at_0x20000(void **state)
{
	(void)state;
	assert_int_equal(load(), 0);
	assert_string_equal((char *)ram + 0x20000, "console=ttyS0 quiet");
}

static void test_pvh_gdt_has_flat_32bit_code(void **state)
{
	static const uint8_t want[32] = {
		[16] = 0xff, 0xff, 0x00, 0x00, 0x00, 0x9b, 0xcf, 0x00,
		[24] = 0xff, 0xff, 0x00, 0x00, 0x00, 0x93, 0xcf, 0x00,
	};

	(void)state;
	assert_int_equal(load(), 0);
	assert_memory_equal(ram + 0x500, want, sizeof(want));
}

static void test_pvh_initrd_module_top_of_ram(void **state)
{
	static uint8_t initrd[0x5000];

	(void)state;
	memset(initrd, 0x5a, sizeof(initrd));
	pl.initrd = initrd;
	pl.initrd_size = sizeof(initrd);
	assert_int_equal(load(), 0);
	assert_int_equal(bi.initrd_addr, 62 * MiB);
	assert_int_equal(get(SI + 12, 4), 1);		/* nr_modules */
	assert_int_equal(get(SI + 16, 8), 0x6040);	/* modlist_paddr */
	assert_int_equal(get(0x6040, 8), 62 * MiB);	/* paddr */
	assert_int_equal(get(0x6048, 8), 0x5000);	/* size */
	assert_int_equal(get(0x6050, 8), 0);		/* cmdline_paddr */
	assert_int_equal(get(0x6058, 8), 0);		/* reserved */
	assert_memory_equal(ram + 62 * MiB, initrd, sizeof(initrd));
}

static void test_pvh_initrd_filling_room_exactly_page_aligned(void **state)
{
	uint8_t *big = guest_mem_alloc_anon(RAM_SIZE);

	(void)state;
	pl.initrd = big;
	pl.initrd_size = RAM_SIZE - 0x103000;	/* from the image's end */
	assert_int_equal(load(), 0);
	assert_int_equal(bi.initrd_addr, 0x103000);
	guest_mem_free_anon(big, RAM_SIZE);
}

static void test_pvh_initrd_too_large_enospc(void **state)
{
	(void)state;
	pl.initrd = ram;
	pl.initrd_size = RAM_SIZE - 0x103000 + 1;
	assert_int_equal(load(), -ENOSPC);
	assert_string_equal(err.msg,
			    "initrd is too large, cannot support. (max: 66048000, need 66048001)");
	assert_int_equal(get(SI, 4), 0);
}

static void test_pvh_note_with_8_byte_value(void **state)
{
	(void)state;
	put_note(8, 0x100080);
	ph64[1].p_filesz = ph64[1].p_memsz = 24;
	assert_int_equal(load(), 0);
	assert_int_equal(bi.entry, 0x100080);
}

static void test_pvh_note_after_other_notes_found(void **state)
{
	/* namesz 4, descsz 4, NT_GNU_ABI_TAG, "GNU", value 0 */
	static const uint32_t gnu[5] = { 4, 4, 1, 0x00554e47, 0 };

	(void)state;
	memmove(elf + NOTE_OFF + sizeof(gnu), elf + NOTE_OFF, 20);
	memcpy(elf + NOTE_OFF, gnu, sizeof(gnu));
	ph64[1].p_filesz = ph64[1].p_memsz = 40;
	assert_int_equal(load(), 0);
	assert_int_equal(bi.entry, ENTRY);
}

static void test_pvh_elf32_i386_loads(void **state)
{
	(void)state;
	make_elf32();
	assert_int_equal(load(), 0);
	assert_int_equal(bi.entry, ENTRY);
	assert_memory_equal(ram + 0x100000, elf + SEG_OFF, SEG_FILESZ);
}

static void test_pvh_note_in_section_without_pt_note(void **state)
{
	Elf64_Shdr *sh = (Elf64_Shdr *)(elf + SHDR_OFF);

	(void)state;
	eh64->e_phnum = 1;
	eh64->e_shoff = SHDR_OFF;
	eh64->e_shnum = 2;
	sh[1] = (Elf64_Shdr){ .sh_type = SHT_NOTE, .sh_offset = NOTE_OFF,
			      .sh_size = 20, .sh_addralign = 4 };
	assert_int_equal(load(), 0);
	assert_int_equal(bi.entry, ENTRY);
}

static void test_pvh_no_note_refused_nothing_written(void **state)
{
	(void)state;
	eh64->e_phnum = 1;
	assert_int_equal(load(), -ENOEXEC);
	assert_string_equal(err.msg,
			    "kernel 'vmlinux-test' is an ELF file without a PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): flexvm does not boot plain ELF entry points");
	assert_int_equal(get(0x100000, 8), 0);
	assert_int_equal(get(SI, 4), 0);
}

static void test_pvh_note_with_other_name_ignored(void **state)
{
	(void)state;
	memcpy(elf + NOTE_OFF + 12, "Xem", 4);
	assert_int_equal(load(), -ENOEXEC);
	assert_non_null(strstr(err.msg, "without a PVH entry note"));
}

static void test_pvh_note_with_2_byte_value_malformed(void **state)
{
	(void)state;
	put_note(2, ENTRY);
	assert_int_equal(load(), -ENOEXEC);
	assert_non_null(strstr(err.msg, "malformed PVH entry note"));
}

static void test_pvh_entry_outside_segments_refused(void **state)
{
	(void)state;
	put_note(4, 0x200000);
	assert_int_equal(load(), -ENOEXEC);
	assert_string_equal(err.msg,
			    "PVH entry point 0x200000 of kernel 'vmlinux-test' is outside its loaded segments (0x100000-0x103000)");
}

static void test_pvh_truncated_phdrs_refused(void **state)
{
	(void)state;
	pl.kernel_size = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + 10;
	assert_int_equal(load(), -ENOEXEC);
	assert_string_equal(err.msg,
			    "kernel 'vmlinux-test' is truncated: its program headers (at 0x40, 2 of them) end past the end of the file");
}

static void test_pvh_truncated_elf_header_refused(void **state)
{
	(void)state;
	pl.kernel_size = 40;
	assert_int_equal(load(), -ENOEXEC);
	assert_string_equal(err.msg,
			    "kernel 'vmlinux-test' is truncated: its ELF header needs 64 bytes, the file has 40");
}

static void test_pvh_bad_phentsize_refused(void **state)
{
	(void)state;
	eh64->e_phentsize = 32;
	assert_int_equal(load(), -ENOEXEC);
	assert_non_null(strstr(err.msg, "invalid ELF program header table"));
}

static void test_pvh_segment_outside_ram_refused(void **state)
{
	(void)state;
	ph64[0].p_paddr = 0x10000000;
	assert_int_equal(load(), -ENOMEM);
	assert_string_equal(err.msg,
			    "segment 0 of kernel 'vmlinux-test' at 0x10000000-0x10003000 is outside guest RAM below 4 GiB (which ends at 0x4000000)");
}

static void test_pvh_segment_one_byte_past_ram_refused(void **state)
{
	(void)state;
	ph64[0].p_paddr = RAM_SIZE - SEG_MEMSZ + 1;
	assert_int_equal(load(), -ENOMEM);
}

static void test_pvh_segment_below_1mib_refused(void **state)
{
	(void)state;
	ph64[0].p_paddr = 0x8000;
	assert_int_equal(load(), -ENOEXEC);
	assert_string_equal(err.msg,
			    "segment 0 of kernel 'vmlinux-test' starts at 0x8000, below 1 MiB where flexvm keeps its boot tables");
}

static void test_pvh_filesz_above_memsz_refused(void **state)
{
	(void)state;
	ph64[0].p_memsz = SEG_FILESZ - 1;
	assert_int_equal(load(), -ENOEXEC);
	assert_string_equal(err.msg,
			    "segment 0 of kernel 'vmlinux-test' has p_filesz 0x200 > p_memsz 0x1ff");
}

static void test_pvh_wrapping_paddr_refused(void **state)
{
	(void)state;
	ph64[0].p_paddr = 0xfffffffffffff000ULL;
	assert_int_equal(load(), -ENOEXEC);
	assert_string_equal(err.msg,
			    "segment 0 of kernel 'vmlinux-test' wraps around the address space (p_paddr 0xfffffffffffff000, p_memsz 0x3000)");
}

static void test_pvh_segment_data_past_file_end_refused(void **state)
{
	(void)state;
	ph64[0].p_offset = FILE_SIZE - SEG_FILESZ + 1;
	assert_int_equal(load(), -ENOEXEC);
	assert_string_equal(err.msg,
			    "segment 0 of kernel 'vmlinux-test' is outside the file");
}

static void test_pvh_no_load_segment_refused(void **state)
{
	(void)state;
	ph64[0].p_type = PT_NULL;
	assert_int_equal(load(), -ENOEXEC);
	assert_string_equal(err.msg,
			    "kernel 'vmlinux-test' has no loadable segment");
}

static void test_pvh_wrong_machine_refused(void **state)
{
	(void)state;
	eh64->e_machine = EM_AARCH64;
	assert_int_equal(load(), -ENOEXEC);
	assert_string_equal(err.msg,
			    "kernel 'vmlinux-test' is an ELF file for machine 183, not x86-64 (EM_X86_64)");
}

static void test_pvh_elf32_with_x86_64_machine_refused(void **state)
{
	(void)state;
	make_elf32();
	((Elf32_Ehdr *)elf)->e_machine = EM_X86_64;
	assert_int_equal(load(), -ENOEXEC);
	assert_non_null(strstr(err.msg, "not i386 (EM_386)"));
}

static void test_pvh_shared_object_refused(void **state)
{
	(void)state;
	eh64->e_type = ET_DYN;
	assert_int_equal(load(), -ENOEXEC);
	assert_string_equal(err.msg,
			    "kernel 'vmlinux-test' is not an executable ELF file (e_type 3)");
}

static void test_pvh_big_endian_refused(void **state)
{
	(void)state;
	elf[EI_DATA] = ELFDATA2MSB;
	assert_int_equal(load(), -ENOEXEC);
	assert_string_equal(err.msg,
			    "kernel 'vmlinux-test' is not a little-endian ELF32 or ELF64 file");
}

static void test_pvh_cmdline_too_long_e2big(void **state)
{
	char *line = malloc(0x10001);

	(void)state;
	memset(line, 'y', 0x10000);
	line[0x10000] = '\0';
	pl.cmdline = line;
	assert_int_equal(load(), -E2BIG);
	assert_non_null(strstr(err.msg, "65536 bytes, at most 65535"));
	free(line);
}

static void test_boot_load_elf_file_boots_pvh_with_mptable(void **state)
{
	struct boot_request req = { .cmdline = "", .nr_cpus = 3 };
	char *path = temp_file(elf, FILE_SIZE);

	(void)state;
	req.kernel_path = path;
	assert_int_equal(boot_open(&req, &err), 0);
	assert_int_equal(boot_load(&gm, &mm, &req, &bi, &err), 0);
	boot_close(&req);
	unlink(path);
	assert_int_equal(bi.mode, BOOT_MODE_PVH);
	assert_int_equal(bi.entry, ENTRY);
	assert_memory_equal(ram + 0x9fc00, "_MP_", 4);
}

/* FLEXVM_REAL_VMLINUX=path: Debian's vmlinux (or the test guest) loads. */
static void test_pvh_real_vmlinux_from_env_loads(void **state)
{
	uint8_t *bram = boot_load_real(getenv("FLEXVM_REAL_VMLINUX"));

	(void)state;
	assert_int_equal(bi.mode, BOOT_MODE_PVH);
	assert_true(bi.entry >= bi.kernel_start && bi.entry < bi.kernel_end);
	assert_int_equal(bram[SI] | bram[SI + 1] << 8, 0xc578);
	guest_mem_free_anon(bram, REAL_RAM_SIZE);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, boot_ram_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_pvh_probe_elf_magic_only),
		T(test_pvh_load_elf64_entry_state),
		T(test_pvh_segment_copied_bss_zeroed),
		T(test_pvh_start_info_bytes),
		T(test_pvh_memmap_from_e820),
		T(test_pvh_cmdline_at_0x20000),
		T(test_pvh_gdt_has_flat_32bit_code),
		T(test_pvh_initrd_module_top_of_ram),
		T(test_pvh_initrd_filling_room_exactly_page_aligned),
		T(test_pvh_initrd_too_large_enospc),
		T(test_pvh_note_with_8_byte_value),
		T(test_pvh_note_after_other_notes_found),
		T(test_pvh_elf32_i386_loads),
		T(test_pvh_note_in_section_without_pt_note),
		T(test_pvh_no_note_refused_nothing_written),
		T(test_pvh_note_with_other_name_ignored),
		T(test_pvh_note_with_2_byte_value_malformed),
		T(test_pvh_entry_outside_segments_refused),
		T(test_pvh_truncated_phdrs_refused),
		T(test_pvh_truncated_elf_header_refused),
		T(test_pvh_bad_phentsize_refused),
		T(test_pvh_segment_outside_ram_refused),
		T(test_pvh_segment_one_byte_past_ram_refused),
		T(test_pvh_segment_below_1mib_refused),
		T(test_pvh_filesz_above_memsz_refused),
		T(test_pvh_wrapping_paddr_refused),
		T(test_pvh_segment_data_past_file_end_refused),
		T(test_pvh_no_load_segment_refused),
		T(test_pvh_wrong_machine_refused),
		T(test_pvh_elf32_with_x86_64_machine_refused),
		T(test_pvh_shared_object_refused),
		T(test_pvh_big_endian_refused),
		T(test_pvh_cmdline_too_long_e2big),
		T(test_boot_load_elf_file_boots_pvh_with_mptable),
		T(test_pvh_real_vmlinux_from_env_loads),	/* last */
	};

	return boot_run_tests(tests, ARRAY_SIZE(tests), "FLEXVM_REAL_VMLINUX");
}
