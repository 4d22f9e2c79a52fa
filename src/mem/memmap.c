// SPDX-License-Identifier: MIT
/*
 * The x86 guest-physical layout: where RAM, device memory (virtio-mem) and
 * the 64-bit PCI window go for a given -m size,maxmem= and guest address
 * width, and the e820 table derived from it. Pure computation, called on
 * the main thread while the machine is built; no locks, no allocation.
 * docs/memory-map.md describes the same layout for people.
 */
#include "mem/memmap.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

_Static_assert(MEMMAP_E820_MAX >= 5, "memmap_e820 writes up to 5 entries");
_Static_assert(MEMMAP_RAM_MIN > KERNEL_LOAD_ADDR, "RAM must reach 1 MiB");
_Static_assert(BIOS_FSEG_END == KERNEL_LOAD_ADDR, "F-segment ends at 1 MiB");

/*
 * Format @bytes in the largest binary unit that divides it exactly, so an
 * error never shows a rounded number ("3 GiB", "3145732 KiB", "1025 B").
 */
static const char *memmap_fmt_size(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = { "B",   "KiB", "MiB", "GiB",
					     "TiB", "PiB", "EiB" };
	unsigned u = 0;

	while (bytes && u + 1 < ARRAY_SIZE(units) && !(bytes & (KiB - 1))) {
		bytes >>= 10;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 " %s", bytes, units[u]);
	return buf;
}

/*
 * The highest address the layout may use (exclusive). The guest can hot-add
 * memory only below 2^MAX_PHYSMEM_BITS (46 with 4-level paging) and can
 * address nothing above its MAXPHYADDR, so the lower of the two wins.
 */
static uint64_t memmap_limit(unsigned phys_bits)
{
	return MIN(1ULL << phys_bits, MEMMAP_MAX_GPA);
}

/* "the guest's 2^39-byte physical address space" or the 64 TiB rule. */
static const char *memmap_fmt_limit(char *buf, size_t len, unsigned phys_bits)
{
	if ((1ULL << phys_bits) <= MEMMAP_MAX_GPA)
		snprintf(buf, len,
			 "the guest's 2^%u-byte physical address space",
			 phys_bits);
	else
		snprintf(buf, len,
			 "64 TiB, the hot-plug limit of a 4-level-paging guest");
	return buf;
}

static int memmap_check_sizes(uint64_t ram_size, uint64_t maxmem,
			      unsigned phys_bits, struct error *err)
{
	char a[32];

	if (ram_size < MEMMAP_RAM_MIN) {
		error_setg(err,
			   "RAM size %s is too small: flexvm needs at least %s",
			   memmap_fmt_size(a, sizeof(a), ram_size),
			   "2 MiB (the kernel is loaded at 1 MiB)");
		return -EINVAL;
	}
	if (!IS_ALIGNED(ram_size, MEMMAP_PAGE_SIZE)) {
		error_setg(err, "RAM size %s is not a multiple of 4 KiB",
			   memmap_fmt_size(a, sizeof(a), ram_size));
		return -EINVAL;
	}
	if (maxmem && maxmem < ram_size) {
		/* QEMU's wording (hw/core/machine.c) */
		error_setg(err,
			   "invalid value of maxmem: maximum memory size (0x%" PRIx64
			   ") must be at least the initial memory size (0x%" PRIx64 ")",
			   maxmem, ram_size);
		return -EINVAL;
	}
	if (!IS_ALIGNED(maxmem, MEMMAP_PAGE_SIZE)) {
		error_setg(err,
			   "maximum memory size must be aligned to multiple of 4096 bytes");
		return -EINVAL;
	}
	if (phys_bits < MEMMAP_PHYS_BITS_MIN ||
	    phys_bits > MEMMAP_PHYS_BITS_MAX) {
		error_setg(err,
			   "guest physical address width of %u bits is out of range (%u-%u)",
			   phys_bits, MEMMAP_PHYS_BITS_MIN,
			   MEMMAP_PHYS_BITS_MAX);
		return -EINVAL;
	}
	return 0;
}

/* RAM and device memory; fails when either runs past the address limit. */
static int memmap_place_memory(struct memmap *mm, uint64_t maxmem,
			       struct error *err)
{
	uint64_t limit = memmap_limit(mm->phys_bits);
	uint64_t high_end = MEMMAP_HIGH_RAM_START + mm->high_ram_size;
	char a[32], b[96];

	/* ram_size < 2^64 and high_ram_size <= ram_size - 3 GiB: no wrap */
	if (high_end > limit) {
		error_setg(err, "RAM size %s does not fit below %s",
			   memmap_fmt_size(a, sizeof(a), mm->ram_size),
			   memmap_fmt_limit(b, sizeof(b), mm->phys_bits));
		return -EINVAL;
	}
	mm->device_mem_base = ALIGN_UP(high_end, MEMMAP_DEVICE_MEM_ALIGN);
	mm->device_mem_size = maxmem > mm->ram_size ? maxmem - mm->ram_size : 0;
	/* base <= 64 TiB, so the comparison below cannot wrap */
	if (mm->device_mem_base > limit ||
	    mm->device_mem_size > limit - mm->device_mem_base) {
		error_setg(err, "maxmem %s does not fit below %s",
			   memmap_fmt_size(a, sizeof(a), maxmem),
			   memmap_fmt_limit(b, sizeof(b), mm->phys_bits));
		return -EINVAL;
	}
	return 0;
}

/*
 * The 64-bit PCI window takes what is left above device memory, up to
 * MEMMAP_PCI_MMIO64_SIZE: big enough for any BAR flexvm's devices have,
 * while a guest with a small MAXPHYADDR still gets a (smaller) window.
 */
static int memmap_place_pci(struct memmap *mm, uint64_t maxmem,
			    struct error *err)
{
	uint64_t limit = memmap_limit(mm->phys_bits);
	uint64_t dev_end = mm->device_mem_base + mm->device_mem_size;
	uint64_t base = ALIGN_UP(dev_end, MEMMAP_PCI_MMIO64_ALIGN);
	uint64_t room = base < limit ? limit - base : 0;
	char a[32], b[32], c[96];

	room = ALIGN_DOWN(MIN(room, MEMMAP_PCI_MMIO64_SIZE),
			  MEMMAP_PCI_MMIO64_ALIGN);
	if (room < MEMMAP_PCI_MMIO64_MIN) {
		error_setg(err,
			   "-m %s,maxmem=%s leaves no room for the 1 GiB 64-bit PCI window below %s",
			   memmap_fmt_size(a, sizeof(a), mm->ram_size),
			   memmap_fmt_size(b, sizeof(b),
					   maxmem ? maxmem : mm->ram_size),
			   memmap_fmt_limit(c, sizeof(c), mm->phys_bits));
		return -EINVAL;
	}
	mm->pci_mmio64_base = base;
	mm->pci_mmio64_size = room;
	return 0;
}

int memmap_init(struct memmap *mm, uint64_t ram_size, uint64_t maxmem,
		unsigned phys_bits, struct error *err)
{
	int ret;

	memset(mm, 0, sizeof(*mm));
	ret = memmap_check_sizes(ram_size, maxmem, phys_bits, err);
	if (ret)
		return ret;

	mm->ram_size = ram_size;
	mm->phys_bits = phys_bits;
	mm->low_ram_size = MIN(ram_size, MEMMAP_LOW_RAM_MAX);
	mm->high_ram_size = ram_size - mm->low_ram_size;

	ret = memmap_place_memory(mm, maxmem, err);
	if (!ret)
		ret = memmap_place_pci(mm, maxmem, err);
	if (ret)
		memset(mm, 0, sizeof(*mm));
	return ret;
}

static void memmap_e820_put(struct e820_range *out, unsigned *n,
			    uint64_t start, uint64_t end, uint32_t type)
{
	out[*n].addr = start;
	out[*n].size = end - start;
	out[*n].type = type;
	(*n)++;
}

unsigned memmap_e820(const struct memmap *mm, struct e820_range *out)
{
	unsigned n = 0;

	/*
	 * The hole [0xA0000, 0xF0000) is VGA memory and option ROMs on a PC;
	 * Linux expects it absent from e820, and the EBDA below it reserved
	 * because the MP table lives there.
	 */
	memmap_e820_put(out, &n, 0, EBDA_START, E820_RAM);
	memmap_e820_put(out, &n, EBDA_START, EBDA_END, E820_RESERVED);
	memmap_e820_put(out, &n, BIOS_FSEG_START, BIOS_FSEG_END,
			E820_RESERVED);
	/* low_ram_size is at least 2 MiB once memmap_init() succeeded */
	if (mm->low_ram_size > KERNEL_LOAD_ADDR)
		memmap_e820_put(out, &n, KERNEL_LOAD_ADDR, mm->low_ram_size,
				E820_RAM);
	if (mm->high_ram_size)
		memmap_e820_put(out, &n, MEMMAP_HIGH_RAM_START,
				MEMMAP_HIGH_RAM_START + mm->high_ram_size,
				E820_RAM);
	return n;
}
