# SPDX-License-Identifier: MIT
"""Every way a user can get flexvm's start-up wrong ends with one clear
error line on stderr and a non-zero status, before any guest runs."""
import os
import shutil
import struct
import subprocess

import pytest

import sanitizer_reports
from conftest import run


def assert_one_error(r, *words):
    lines = r.err.strip().splitlines()
    assert r.status == 1, r
    assert len(lines) == 1, r
    assert lines[0].startswith("flexvm: "), r
    for w in words:
        assert w in lines[0], r
    assert r.out == "", r


def test_dev_kvm_missing(flexvm, guest):
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare to hide /dev/kvm")
    # A private mount namespace with an empty /dev: no /dev/kvm at all.
    r = run(["unshare", "-m", "sh", "-c",
             'mount -t tmpfs none /dev && exec "$0" "$@"',
             flexvm, "-kernel", guest, "-serial", "none"])
    assert_one_error(r, "/dev/kvm", "No such file or directory")


def test_dev_kvm_not_permitted(flexvm, guest, tmp_path):
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to drop privileges")
    g = tmp_path / "guest.elf"
    shutil.copy(guest, g)
    os.chmod(tmp_path, 0o755)
    r = run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
             flexvm, "-kernel", str(g), "-serial", "none"])
    assert_one_error(r, "/dev/kvm", "Permission denied")


def test_kernel_file_missing(run_flexvm, tmp_path):
    missing = tmp_path / "nope.elf"
    r = run_flexvm(["-kernel", str(missing)])
    assert_one_error(r, str(missing), "No such file or directory")


def test_garbage_kernel(run_flexvm, tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(os.urandom(64 << 10).replace(b"\x7fELF", b"xELF"))
    r = run_flexvm(["-kernel", str(junk)])
    assert_one_error(r, str(junk))


def test_empty_kernel(run_flexvm, tmp_path):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    r = run_flexvm(["-kernel", str(empty)])
    assert_one_error(r, str(empty))


def test_unknown_option(run_flexvm):
    r = run_flexvm(["-frobnicate"])
    assert_one_error(r, "-frobnicate", "invalid option")


def test_m_zero(run_flexvm, guest):
    r = run_flexvm(["-kernel", guest, "-m", "0"])
    assert_one_error(r)


def test_smp_zero(run_flexvm, guest):
    r = run_flexvm(["-kernel", guest, "-smp", "0"])
    assert_one_error(r)


@pytest.mark.skipif(sanitizer_reports.active(), reason=sanitizer_reports.skip_reason(
    "ASan reserves terabytes of shadow memory, which no ulimit -v allows"))
def test_m_larger_than_the_host_can_map(flexvm, guest, kvm):
    # Limit the address space to 1 GiB so a 2 GiB guest cannot be mapped.
    r = run(["sh", "-c", 'ulimit -v 1048576 && exec "$0" "$@"', flexvm,
             "-kernel", guest, "-m", "2G", "-serial", "none"])
    assert_one_error(r, "cannot set up guest memory", "Cannot allocate memory")


def test_m_beyond_the_guest_address_space(run_flexvm, guest):
    r = run_flexvm(["-kernel", guest, "-m", "100T"])
    assert_one_error(r)


def test_initrd_missing(run_flexvm, guest, tmp_path):
    missing = tmp_path / "initrd.img"
    r = run_flexvm(["-kernel", guest, "-initrd", str(missing)])
    assert_one_error(r, str(missing))


def test_initrd_larger_than_ram(run_flexvm, guest, tmp_path):
    big = tmp_path / "initrd.img"
    with open(big, "wb") as f:
        f.truncate(96 << 20)
    r = run_flexvm(["-kernel", guest, "-initrd", str(big), "-m", "64M"])
    assert_one_error(r, "initrd")


def _elf_without_pvh_note(src, dst):
    """Copies an ELF and renames its Xen notes so none is found."""
    data = bytearray(open(src, "rb").read())
    data = data.replace(b"Xen\x00", b"Nex\x00")
    dst.write_bytes(bytes(data))


def test_elf_without_pvh_note_is_refused(run_flexvm, guest, tmp_path):
    k = tmp_path / "nopvh.elf"
    _elf_without_pvh_note(guest, k)
    r = run_flexvm(["-kernel", str(k)])
    assert_one_error(r, "PVH")


def test_truncated_elf_is_refused(run_flexvm, guest, tmp_path):
    k = tmp_path / "short.elf"
    k.write_bytes(open(guest, "rb").read()[:200])
    r = run_flexvm(["-kernel", str(k)])
    assert_one_error(r, str(k))


def _fake_bzimage(version):
    """A bzImage header with the given boot protocol version."""
    img = bytearray(0x4000)
    img[0x1F1] = 1                         # setup_sects
    struct.pack_into("<H", img, 0x1FE, 0xAA55)
    img[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", img, 0x206, version)
    struct.pack_into("<H", img, 0x236, 0x1)  # xloadflags: XLF_KERNEL_64
    return bytes(img)


def test_bzimage_with_old_protocol_is_refused(run_flexvm, tmp_path):
    k = tmp_path / "old-bzImage"
    k.write_bytes(_fake_bzimage(0x020B))
    r = run_flexvm(["-kernel", str(k)])
    assert_one_error(r, "2.11")


def test_kernel_larger_than_ram_is_refused(run_flexvm, tmp_path):
    # A PVH ELF whose one segment is 64 MiB, booted with 16 MiB of RAM.
    ehdr = struct.pack("<16sHHIQQQIHHHHHH",
                       b"\x7fELF\x02\x01\x01" + bytes(9), 2, 62, 1,
                       0x100000, 64, 0, 0, 64, 56, 2, 0, 0, 0)
    note_desc = struct.pack("<Q", 0x100000)
    note = struct.pack("<III", 4, len(note_desc), 18) + b"Xen\x00" + note_desc
    note_off = 64 + 2 * 56
    load = struct.pack("<IIQQQQQQ", 1, 7, 0, 0x100000, 0x100000,
                       note_off + len(note), 64 << 20, 0x1000)
    pnote = struct.pack("<IIQQQQQQ", 4, 4, note_off, 0, 0, len(note),
                        len(note), 4)
    k = tmp_path / "huge.elf"
    k.write_bytes(ehdr + load + pnote + note)
    r = run_flexvm(["-kernel", str(k), "-m", "16M"])
    assert_one_error(r, str(k))
