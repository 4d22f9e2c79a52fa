// SPDX-License-Identifier: MIT
/*
 * PVH direct boot (Xen's x86/HVM direct boot ABI, docs/misc/pvh.pandoc):
 * validates an ELF kernel completely, finds the XEN_ELFNOTE_PHYS32_ENTRY
 * note, then copies the PT_LOAD segments to their physical addresses and
 * writes hvm_start_info, the module list, the memory map and the command
 * line. ELF32 and ELF64 headers are read into one neutral form. Main
 * thread, before vCPUs run (and at reset); no lock.
 */
#include "boot/pvh.h"

#include <elf.h>
#include <errno.h>
#include <string.h>

#define PVH_NOTE_NAME "Xen"	/* with its NUL: n_namesz == 4 */

_Static_assert(PVH_START_INFO_ADDR + sizeof(struct hvm_start_info) <=
	       PVH_MODLIST_ADDR, "start_info overlaps the module list");
_Static_assert(PVH_MODLIST_ADDR + sizeof(struct hvm_modlist_entry) <=
	       PVH_MEMMAP_ADDR, "module list overlaps the memory map");
_Static_assert(MEMMAP_E820_MAX <= PVH_MEMMAP_MAX, "memory map too small");
_Static_assert(PVH_MEMMAP_ADDR + PVH_MEMMAP_MAX *
	       sizeof(struct hvm_memmap_table_entry) <= ZERO_PAGE_ADDR,
	       "memory map overlaps the zero page");
_Static_assert(sizeof(Elf32_Nhdr) == sizeof(Elf64_Nhdr), "note header");

/* A program or section header of either ELF class. */
struct pvh_seg {
	uint32_t type;
	uint64_t offset;
	uint64_t addr;		/* p_paddr, or sh_addr */
	uint64_t filesz;
	uint64_t memsz;
	uint64_t align;
};

/* One load in progress: the input and what the checks found. */
struct pvh_elf {
	const struct guest_mem *gm;
	const struct memmap *mm;
	const struct boot_payload *p;
	bool is64;
	uint64_t phoff, shoff;
	unsigned phnum, shnum;	/* shnum 0: no usable section table */
	uint64_t start, end;	/* loaded image */
	uint64_t entry;
};

bool pvh_probe(const uint8_t *image, size_t size)
{
	return size >= SELFMAG && memcmp(image, ELFMAG, SELFMAG) == 0;
}

/* True when [off, off + n * ent) lies inside the file. */
static bool pvh_in_file(const struct pvh_elf *elf, uint64_t off, uint64_t n,
			uint64_t ent)
{
	uint64_t size = elf->p->kernel_size;

	return off <= size && n <= (size - off) / (ent ? ent : 1);
}

static void pvh_get_phdr(const struct pvh_elf *elf, unsigned i,
			 struct pvh_seg *s)
{
	const uint8_t *src = elf->p->kernel + elf->phoff;
	Elf64_Phdr p64;
	Elf32_Phdr p32;

	if (elf->is64) {
		memcpy(&p64, src + (size_t)i * sizeof(p64), sizeof(p64));
		*s = (struct pvh_seg){ p64.p_type, p64.p_offset, p64.p_paddr,
				       p64.p_filesz, p64.p_memsz, p64.p_align };
	} else {
		memcpy(&p32, src + (size_t)i * sizeof(p32), sizeof(p32));
		*s = (struct pvh_seg){ p32.p_type, p32.p_offset, p32.p_paddr,
				       p32.p_filesz, p32.p_memsz, p32.p_align };
	}
}

static void pvh_get_shdr(const struct pvh_elf *elf, unsigned i,
			 struct pvh_seg *s)
{
	const uint8_t *src = elf->p->kernel + elf->shoff;
	Elf64_Shdr s64;
	Elf32_Shdr s32;

	if (elf->is64) {
		memcpy(&s64, src + (size_t)i * sizeof(s64), sizeof(s64));
		*s = (struct pvh_seg){ s64.sh_type, s64.sh_offset, s64.sh_addr,
				       s64.sh_size, s64.sh_size,
				       s64.sh_addralign };
	} else {
		memcpy(&s32, src + (size_t)i * sizeof(s32), sizeof(s32));
		*s = (struct pvh_seg){ s32.sh_type, s32.sh_offset, s32.sh_addr,
				       s32.sh_size, s32.sh_size,
				       s32.sh_addralign };
	}
}

/* The fields of Elf32_Ehdr / Elf64_Ehdr we use, in one form. */
struct pvh_ehdr {
	uint16_t type, machine, phentsize, phnum, shentsize, shnum;
	uint64_t phoff, shoff;
};

static int pvh_read_ehdr(struct pvh_elf *elf, struct pvh_ehdr *h,
			 struct error *err)
{
	const uint8_t *img = elf->p->kernel;
	size_t need;
	Elf64_Ehdr e64;
	Elf32_Ehdr e32;

	elf->is64 = img[EI_CLASS] == ELFCLASS64;
	need = elf->is64 ? sizeof(e64) : sizeof(e32);
	if (elf->p->kernel_size < need) {
		error_setg(err,
			   "kernel '%s' is truncated: its ELF header needs %zu bytes, the file has %zu",
			   elf->p->kernel_name, need, elf->p->kernel_size);
		return -ENOEXEC;
	}
	if (elf->is64) {
		memcpy(&e64, img, sizeof(e64));
		*h = (struct pvh_ehdr){ e64.e_type, e64.e_machine,
					e64.e_phentsize, e64.e_phnum,
					e64.e_shentsize, e64.e_shnum,
					e64.e_phoff, e64.e_shoff };
	} else {
		memcpy(&e32, img, sizeof(e32));
		*h = (struct pvh_ehdr){ e32.e_type, e32.e_machine,
					e32.e_phentsize, e32.e_phnum,
					e32.e_shentsize, e32.e_shnum,
					e32.e_phoff, e32.e_shoff };
	}
	return 0;
}

/* e_ident, e_type and e_machine: an x86 executable we can read? */
static int pvh_check_ident(struct pvh_elf *elf, struct pvh_ehdr *h,
			   struct error *err)
{
	const struct boot_payload *p = elf->p;
	const uint8_t *img = p->kernel;
	unsigned want;

	if (p->kernel_size < EI_NIDENT || !pvh_probe(img, p->kernel_size) ||
	    (img[EI_CLASS] != ELFCLASS32 && img[EI_CLASS] != ELFCLASS64) ||
	    img[EI_DATA] != ELFDATA2LSB || img[EI_VERSION] != EV_CURRENT) {
		error_setg(err,
			   "kernel '%s' is not a little-endian ELF32 or ELF64 file",
			   p->kernel_name);
		return -ENOEXEC;
	}
	if (pvh_read_ehdr(elf, h, err))
		return -ENOEXEC;
	if (h->type != ET_EXEC) {
		error_setg(err,
			   "kernel '%s' is not an executable ELF file (e_type %u)",
			   p->kernel_name, h->type);
		return -ENOEXEC;
	}
	want = elf->is64 ? EM_X86_64 : EM_386;
	if (h->machine != want) {
		error_setg(err,
			   "kernel '%s' is an ELF file for machine %u, not %s",
			   p->kernel_name, h->machine,
			   elf->is64 ? "x86-64 (EM_X86_64)" : "i386 (EM_386)");
		return -ENOEXEC;
	}
	return 0;
}

/* The program header table must be whole; sections are optional. */
static int pvh_check_ehdr(struct pvh_elf *elf, struct error *err)
{
	size_t phent, shent;
	struct pvh_ehdr h;
	int ret;

	ret = pvh_check_ident(elf, &h, err);
	if (ret)
		return ret;
	phent = elf->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	shent = elf->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	if (h.phentsize != phent || h.phnum == 0 || h.phnum == PN_XNUM) {
		error_setg(err,
			   "kernel '%s' has an invalid ELF program header table (e_phentsize %u, e_phnum %u)",
			   elf->p->kernel_name, h.phentsize, h.phnum);
		return -ENOEXEC;
	}
	if (!pvh_in_file(elf, h.phoff, h.phnum, phent)) {
		error_setg(err,
			   "kernel '%s' is truncated: its program headers (at 0x%llx, %u of them) end past the end of the file",
			   elf->p->kernel_name, (unsigned long long)h.phoff,
			   h.phnum);
		return -ENOEXEC;
	}
	elf->phoff = h.phoff;
	elf->phnum = h.phnum;
	elf->shoff = h.shoff;
	elf->shnum = 0;
	if (h.shentsize == shent && pvh_in_file(elf, h.shoff, h.shnum, shent))
		elf->shnum = h.shnum;
	return 0;
}

static int pvh_check_segment(const struct pvh_elf *elf, unsigned i,
			     const struct pvh_seg *s, struct error *err)
{
	const char *name = elf->p->kernel_name;
	uint64_t end;

	if (!pvh_in_file(elf, s->offset, s->filesz, 1)) {
		error_setg(err, "segment %u of kernel '%s' is outside the file",
			   i, name);
		return -ENOEXEC;
	}
	if (s->filesz > s->memsz) {
		error_setg(err,
			   "segment %u of kernel '%s' has p_filesz 0x%llx > p_memsz 0x%llx",
			   i, name, (unsigned long long)s->filesz,
			   (unsigned long long)s->memsz);
		return -ENOEXEC;
	}
	if (__builtin_add_overflow(s->addr, s->memsz, &end)) {
		error_setg(err,
			   "segment %u of kernel '%s' wraps around the address space (p_paddr 0x%llx, p_memsz 0x%llx)",
			   i, name, (unsigned long long)s->addr,
			   (unsigned long long)s->memsz);
		return -ENOEXEC;
	}
	if (s->addr < KERNEL_LOAD_ADDR) {
		error_setg(err,
			   "segment %u of kernel '%s' starts at 0x%llx, below 1 MiB where flexvm keeps its boot tables",
			   i, name, (unsigned long long)s->addr);
		return -ENOEXEC;
	}
	if (end > elf->mm->low_ram_size ||
	    !guest_mem_ptr(elf->gm, s->addr, s->memsz)) {
		error_setg(err,
			   "segment %u of kernel '%s' at 0x%llx-0x%llx is outside guest RAM below 4 GiB (which ends at 0x%llx)",
			   i, name, (unsigned long long)s->addr,
			   (unsigned long long)end,
			   (unsigned long long)elf->mm->low_ram_size);
		return -ENOMEM;
	}
	return 0;
}

static int pvh_check_segments(struct pvh_elf *elf, struct error *err)
{
	struct pvh_seg s;
	unsigned i;
	int ret;

	elf->start = UINT64_MAX;
	elf->end = 0;
	for (i = 0; i < elf->phnum; i++) {
		pvh_get_phdr(elf, i, &s);
		if (s.type != PT_LOAD || s.memsz == 0)
			continue;
		ret = pvh_check_segment(elf, i, &s, err);
		if (ret)
			return ret;
		elf->start = MIN(elf->start, s.addr);
		elf->end = MAX(elf->end, s.addr + s.memsz);
	}
	if (elf->end == 0) {
		error_setg(err, "kernel '%s' has no loadable segment",
			   elf->p->kernel_name);
		return -ENOEXEC;
	}
	return 0;
}

/*
 * Walks the notes in @len bytes at @buf (each name and value padded to
 * @align). Returns 1 with *@entry set for the PVH entry note, 0 when there
 * is none, -EINVAL when its value is not 4 or 8 bytes.
 */
static int pvh_scan_notes(const uint8_t *buf, uint64_t len, uint64_t align,
			  uint64_t *entry)
{
	uint64_t off = 0, name_off, desc_off;
	uint32_t v32;
	Elf64_Nhdr nh;

	while (len - off >= sizeof(nh)) {
		memcpy(&nh, buf + off, sizeof(nh));
		name_off = off + sizeof(nh);
		desc_off = name_off + ALIGN_UP((uint64_t)nh.n_namesz, align);
		if (desc_off > len || nh.n_descsz > len - desc_off)
			return 0;	/* malformed: stop at what is valid */
		if (nh.n_type == XEN_ELFNOTE_PHYS32_ENTRY &&
		    nh.n_namesz == sizeof(PVH_NOTE_NAME) &&
		    !memcmp(buf + name_off, PVH_NOTE_NAME, nh.n_namesz)) {
			if (nh.n_descsz == sizeof(uint64_t)) {
				memcpy(entry, buf + desc_off, sizeof(*entry));
			} else if (nh.n_descsz == sizeof(uint32_t)) {
				memcpy(&v32, buf + desc_off, sizeof(v32));
				*entry = v32;
			} else {
				return -EINVAL;
			}
			return 1;
		}
		off = desc_off + ALIGN_UP((uint64_t)nh.n_descsz, align);
		if (off > len)
			return 0;
	}
	return 0;
}

/* Note padding: 8 only where the segment or section asks for it. */
static int pvh_scan_seg(struct pvh_elf *elf, const struct pvh_seg *s)
{
	if (!pvh_in_file(elf, s->offset, s->filesz, 1))
		return 0;
	return pvh_scan_notes(elf->p->kernel + s->offset, s->filesz,
			      s->align == 8 ? 8 : 4, &elf->entry);
}

/* PT_NOTE segments first, then SHT_NOTE sections (custom linker scripts). */
static int pvh_find_note(struct pvh_elf *elf)
{
	struct pvh_seg s;
	unsigned i;
	int ret = 0;

	for (i = 0; i < elf->phnum && !ret; i++) {
		pvh_get_phdr(elf, i, &s);
		if (s.type == PT_NOTE)
			ret = pvh_scan_seg(elf, &s);
	}
	for (i = 0; i < elf->shnum && !ret; i++) {
		pvh_get_shdr(elf, i, &s);
		if (s.type == SHT_NOTE)
			ret = pvh_scan_seg(elf, &s);
	}
	return ret;
}

static int pvh_find_entry(struct pvh_elf *elf, struct error *err)
{
	const char *name = elf->p->kernel_name;
	int ret = pvh_find_note(elf);

	if (ret < 0) {
		error_setg(err,
			   "kernel '%s' has a malformed PVH entry note (its value must be 4 or 8 bytes)",
			   name);
		return -ENOEXEC;
	}
	if (ret == 0) {
		error_setg(err,
			   "kernel '%s' is an ELF file without a PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): flexvm does not boot plain ELF entry points",
			   name);
		return -ENOEXEC;
	}
	if (elf->entry < elf->start || elf->entry >= elf->end) {
		error_setg(err,
			   "PVH entry point 0x%llx of kernel '%s' is outside its loaded segments (0x%llx-0x%llx)",
			   (unsigned long long)elf->entry, name,
			   (unsigned long long)elf->start,
			   (unsigned long long)elf->end);
		return -ENOEXEC;
	}
	return 0;
}

/* All checks passed: the segments go in, bss is zeroed. */
static void pvh_copy_segments(const struct pvh_elf *elf)
{
	struct pvh_seg s;
	uint8_t *dst;
	unsigned i;

	for (i = 0; i < elf->phnum; i++) {
		pvh_get_phdr(elf, i, &s);
		if (s.type != PT_LOAD || s.memsz == 0)
			continue;
		dst = guest_mem_ptr(elf->gm, s.addr, s.memsz);
		memcpy(dst, elf->p->kernel + s.offset, s.filesz);
		memset(dst + s.filesz, 0, s.memsz - s.filesz);
	}
}

/* hvm_start_info and what it points to; @out has the initrd placement. */
static int pvh_write_start_info(const struct pvh_elf *elf,
				const struct boot_info *out)
{
	struct hvm_memmap_table_entry map[MEMMAP_E820_MAX];
	struct hvm_modlist_entry mod = { 0 };
	struct hvm_start_info si = { 0 };
	struct e820_range e820[MEMMAP_E820_MAX];
	unsigned i, n;
	int ret;

	n = memmap_e820(elf->mm, e820);
	for (i = 0; i < n && i < MEMMAP_E820_MAX; i++)
		map[i] = (struct hvm_memmap_table_entry){
			e820[i].addr, e820[i].size, e820[i].type, 0 };
	si.magic = XEN_HVM_START_MAGIC_VALUE;
	si.version = XEN_HVM_START_INFO_VERSION;
	si.cmdline_paddr = BOOT_CMDLINE_ADDR;
	si.memmap_paddr = PVH_MEMMAP_ADDR;
	si.memmap_entries = i;
	ret = guest_mem_write(elf->gm, PVH_MEMMAP_ADDR, map, i * sizeof(*map));
	if (!ret && out->initrd_size) {
		mod.paddr = out->initrd_addr;
		mod.size = out->initrd_size;
		si.nr_modules = 1;
		si.modlist_paddr = PVH_MODLIST_ADDR;
		ret = guest_mem_write(elf->gm, PVH_MODLIST_ADDR, &mod,
				      sizeof(mod));
	}
	if (!ret)
		ret = guest_mem_write(elf->gm, PVH_START_INFO_ADDR, &si,
				      sizeof(si));
	return ret;
}

static int pvh_write(const struct pvh_elf *elf, struct boot_info *out)
{
	const struct boot_payload *p = elf->p;
	int ret = 0;

	pvh_copy_segments(elf);
	if (out->initrd_size)
		ret = guest_mem_write(elf->gm, out->initrd_addr, p->initrd,
				      p->initrd_size);
	if (!ret)
		ret = boot_write_cmdline(elf->gm, p->cmdline,
					 BOOT_CMDLINE_MAX - 1);
	if (!ret)
		ret = pvh_write_start_info(elf, out);
	if (!ret)
		ret = boot_write_gdt(elf->gm, BOOT_MODE_PVH, out);
	return ret;
}

int pvh_load(const struct guest_mem *gm, const struct memmap *mm,
	     const struct boot_payload *p, struct boot_info *out,
	     struct error *err)
{
	struct pvh_elf elf = { .gm = gm, .mm = mm, .p = p };
	size_t cmdline_len = strlen(p->cmdline);
	int ret;

	ret = pvh_check_ehdr(&elf, err);
	if (!ret)
		ret = pvh_check_segments(&elf, err);
	if (!ret)
		ret = pvh_find_entry(&elf, err);
	if (ret)
		return ret;
	if (cmdline_len >= BOOT_CMDLINE_MAX) {
		error_setg(err,
			   "kernel command line is too long for kernel '%s': %zu bytes, at most %llu",
			   p->kernel_name, cmdline_len, BOOT_CMDLINE_MAX - 1);
		return -E2BIG;
	}
	memset(out, 0, sizeof(*out));
	if (p->initrd && p->initrd_size) {
		ret = boot_place_initrd(elf.end, mm->low_ram_size,
					p->initrd_size, &out->initrd_addr, err);
		if (ret)
			return ret;
		out->initrd_size = p->initrd_size;
	}
	ret = pvh_write(&elf, out);
	if (ret) {
		error_setg_errno(err, -ret,
				 "cannot write kernel '%s' to guest memory",
				 p->kernel_name);
		return ret;
	}
	out->mode = BOOT_MODE_PVH;
	out->entry = elf.entry;
	out->param_addr = PVH_START_INFO_ADDR;
	out->kernel_start = elf.start;
	out->kernel_end = elf.end;
	return 0;
}
