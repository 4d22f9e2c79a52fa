"""The layout helper that the boot tests compare Linux's output with (no VM needed)."""

from __future__ import annotations

import pytest
from flexvm_layout import (GiB, MiB, E820Entry, e820_map, format_linux_e820, linux_e820_view,
                           linux_ramdisk_range, parse_linux_e820_line, parse_size, sanitize)

RAM, RESERVED = 1, 2


@pytest.mark.parametrize("text, size", [("512M", 512 * MiB), ("512", 512 * MiB), ("4G", 4 * GiB),
                                        ("1.5G", 1536 * MiB), ("64k", 64 * 1024)])
def test_parse_size_reads_qemu_m_values(text, size):
    assert parse_size(text) == size


def test_e820_map_up_to_3g_is_one_high_range():
    assert e820_map(3 * GiB) == [E820Entry(0, 0x9FBFF, RAM), E820Entry(0x9FC00, 0x9FFFF, RESERVED),
                                 E820Entry(0xF0000, 0xFFFFF, RESERVED),
                                 E820Entry(0x100000, 0xBFFFFFFF, RAM)]


def test_e820_map_above_3g_continues_at_4g():
    assert e820_map(5 * GiB)[3:] == [E820Entry(0x100000, 0xBFFFFFFF, RAM),
                                     E820Entry(0x100000000, 0x17FFFFFFF, RAM)]


def test_pvh_view_merges_the_isa_range_linux_adds():
    view = linux_e820_view(e820_map(512 * MiB), pvh=True)
    assert [format_linux_e820(e) for e in view] == [
        "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable",
        "BIOS-e820: [mem 0x000000000009fc00-0x00000000000fffff] reserved",
        "BIOS-e820: [mem 0x0000000000100000-0x000000001fffffff] usable",
    ]


def test_bzimage_view_is_the_map_itself():
    assert linux_e820_view(e820_map(512 * MiB), pvh=False) == e820_map(512 * MiB)


def test_sanitize_lets_reserved_win_overlaps():
    assert sanitize([E820Entry(0, 0xFFFF, RAM), E820Entry(0x8000, 0x8FFF, RESERVED)]) == [
        E820Entry(0, 0x7FFF, RAM), E820Entry(0x8000, 0x8FFF, RESERVED),
        E820Entry(0x9000, 0xFFFF, RAM)]


def test_e820_line_round_trips_through_linux_format():
    entry = E820Entry(0x100000000, 0x17FFFFFFF, RAM)
    assert parse_linux_e820_line("[    0.000000] " + format_linux_e820(entry) + "\r") == entry


def test_ramdisk_range_rounds_the_end_up_to_a_page():
    assert linux_ramdisk_range(0x1FEBF000, 1149781) == (0x1FEBF000, 0x1FFD7FFF)
    assert linux_ramdisk_range(0x1FE00000, 8192) == (0x1FE00000, 0x1FE01FFF)
