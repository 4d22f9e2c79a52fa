"""flexvm's documented x86 guest-physical layout, as tests need to check it (stdlib only).

The e820 map flexvm hands to a guest for RAM size R:

    R <= 3 GiB:  [0x0, 0x9fbff] usable, [0x9fc00, 0x9ffff] reserved,
                 [0xf0000, 0xfffff] reserved, [0x100000, R-1] usable
    R >  3 GiB:  the same, but the second usable range ends at 0xbfffffff (the PCI hole
                 starts at 3 GiB) and [0x100000000, 0x100000000 + (R - 3 GiB) - 1] usable follows.

Linux does not print that map verbatim in every boot path: a PVH boot appends the ISA
range and the kernel then sanitizes the table (see linux_e820_view), so tests compare
what Linux prints with linux_e820_view(e820_map(R), pvh=...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KiB = 1 << 10
MiB = 1 << 20
GiB = 1 << 30
PAGE_SIZE = 4096

E820_RAM = 1
E820_RESERVED = 2

# Guest-physical constants of the layout above.
LOW_RAM_END = 0x9FC00  # first byte after conventional RAM; the last KiB below 640K is reserved
EBDA_END = 0xA0000  # ...up to here (the MP table may live there: Linux scans 639K-640K)
BIOS_START = 0xF0000  # reserved BIOS area (Linux also scans it for the MP floating pointer)
HIGH_RAM_START = 0x100000  # 1 MiB
PCI_HOLE_START = 3 * GiB  # RAM above this address is relocated to 4 GiB
RAM_ABOVE_4G_START = 4 * GiB

# Linux adds [ISA_START, ISA_END) as reserved when it boots via PVH
# (arch/x86/platform/pvh/enlighten.c, init_pvh_bootparams).
ISA_START = 0xA0000
ISA_END = 0x100000


@dataclass(frozen=True, order=True)
class E820Entry:
    """One e820 range; `end` is inclusive, like Linux prints and like flexvm documents it."""

    start: int
    end: int
    type: int

    @property
    def size(self) -> int:
        return self.end - self.start + 1

    def __str__(self) -> str:
        return f"[{self.start:#x}, {self.end:#x}] {e820_type_name(self.type)}"


def parse_size(text: str) -> int:
    """Parse a QEMU-style -m size: '512M', '2G', '1.5G', '4096K'; a bare number is MiB."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)B?\s*", text, re.IGNORECASE)
    if not m:
        raise ValueError(f"not a memory size: {text!r}")
    number, unit = m.groups()
    shift = {"": 20, "K": 10, "M": 20, "G": 30, "T": 40}[unit.upper()]
    value = float(number) * (1 << shift) if "." in number else int(number) << shift
    return int(value)


def e820_map(ram_size: int) -> list[E820Entry]:
    """flexvm's documented e820 map for `ram_size` bytes of guest RAM, in address order."""
    if ram_size <= HIGH_RAM_START:
        raise ValueError(f"RAM size {ram_size:#x} leaves nothing above 1 MiB")
    entries = [
        E820Entry(0, LOW_RAM_END - 1, E820_RAM),
        E820Entry(LOW_RAM_END, EBDA_END - 1, E820_RESERVED),
        E820Entry(BIOS_START, HIGH_RAM_START - 1, E820_RESERVED),
    ]
    if ram_size <= PCI_HOLE_START:
        entries.append(E820Entry(HIGH_RAM_START, ram_size - 1, E820_RAM))
    else:
        entries.append(E820Entry(HIGH_RAM_START, PCI_HOLE_START - 1, E820_RAM))
        above = ram_size - PCI_HOLE_START
        entries.append(E820Entry(RAM_ABOVE_4G_START, RAM_ABOVE_4G_START + above - 1, E820_RAM))
    return entries


def sanitize(entries: list[E820Entry]) -> list[E820Entry]:
    """What Linux's e820__update_table() makes of a map.

    Where ranges overlap the highest type value wins (reserved beats usable); gaps stay
    gaps; adjacent pieces of the same type merge into one range. Equivalent to the kernel's
    change-point sweep, which drops the zero-sized pieces it creates at shared boundaries.
    """
    points = sorted({e.start for e in entries} | {e.end + 1 for e in entries})
    out: list[E820Entry] = []
    for lo, hi in zip(points, points[1:]):
        kind = max((e.type for e in entries if e.start <= lo and hi - 1 <= e.end), default=0)
        if kind == 0:
            continue
        if out and out[-1].type == kind and out[-1].end + 1 == lo:
            out[-1] = E820Entry(out[-1].start, hi - 1, kind)
        else:
            out.append(E820Entry(lo, hi - 1, kind))
    return out


def linux_e820_view(entries: list[E820Entry], pvh: bool) -> list[E820Entry]:
    """The map as Linux 6.1 prints it after "BIOS-provided physical RAM map:".

    A PVH boot converts the start-info memmap into boot_params and appends
    [0xa0000, 0xfffff] reserved; a bzImage boot uses the zero page's map as is. Both then
    go through sanitize(). For flexvm's map under PVH this merges [0x9fc00, 0x9ffff] and
    [0xf0000, 0xfffff] into one reserved range [0x9fc00, 0xfffff].
    """
    if pvh:
        entries = [*entries, E820Entry(ISA_START, ISA_END - 1, E820_RESERVED)]
    return sanitize(entries)


_TYPE_NAMES = {1: "usable", 2: "reserved", 3: "ACPI data", 4: "ACPI NVS", 5: "unusable",
               0xEFFFFFFF: "soft reserved"}


def e820_type_name(kind: int) -> str:
    """Linux's e820_print_type() wording."""
    if kind in (7, 12):
        return f"persistent (type {kind})"
    return _TYPE_NAMES.get(kind, f"type {kind}")


def e820_type_from_name(name: str) -> int:
    for kind, text in _TYPE_NAMES.items():
        if text == name:
            return kind
    m = re.fullmatch(r"(?:persistent \()?type (\d+)\)?", name)
    if not m:
        raise ValueError(f"unknown e820 type name {name!r}")
    return int(m.group(1))


def format_linux_e820(entry: E820Entry, who: str = "BIOS-e820") -> str:
    """One line of Linux's e820__print_table(), without the printk timestamp."""
    return f"{who}: [mem {entry.start:#018x}-{entry.end:#018x}] {e820_type_name(entry.type)}"


_E820_LINE = re.compile(r"(?P<who>[\w-]+): \[mem (?P<start>0x[0-9a-f]+)-(?P<end>0x[0-9a-f]+)\] "
                        r"(?P<type>[^\r\n]+?)\r?$")


def parse_linux_e820_line(line: str) -> E820Entry | None:
    """Parse 'BIOS-e820: [mem 0x...-0x...] usable' (timestamp prefix allowed), else None."""
    m = _E820_LINE.search(line)
    if not m:
        return None
    return E820Entry(int(m["start"], 16), int(m["end"], 16), e820_type_from_name(m["type"]))


def linux_ramdisk_range(start: int, size: int) -> tuple[int, int]:
    """The inclusive range Linux prints as 'RAMDISK: [mem start-end]' (setup.c reserve_initrd):
    the end is rounded up to a page, so it covers PAGE_ALIGN(start + size) - start bytes."""
    end = (start + size + PAGE_SIZE - 1) // PAGE_SIZE * PAGE_SIZE
    return start, end - 1
