"""Early-boot check of an unmodified Linux kernel: the part that does run on PVM.

flexvm boots Debian's vmlinux via PVH with earlyprintk on the serial port. On PVM the
kernel runs under the instruction emulator and dies a few dozen seconds in (host-kvm.md),
but long before that setup_arch() has printed what it learnt from flexvm's boot data:

  (a) "Command line: ..."                 the exact -append string (PVH start info cmdline)
  (b) "BIOS-provided physical RAM map:"   then "BIOS-e820: [mem A-B] type" lines: flexvm's e820
      map as Linux sees it after PVH conversion (see flexvm_layout.linux_e820_view)
  (c) "found SMP MP-table at [mem A-B]"   Linux found the MP floating pointer, then
      "Processors: 2" (MP-table CPU entries; "Processor #N" lines before it) and
      "smpboot: Allowing 2 CPUs, 0 hotplug CPUs"
  (d) "RAMDISK: [mem A-B]"                the initrd range (PVH module), page-rounded end

"smpboot: Allowing" is printed last of these, after the MP-table scan and the initrd
reservation, so once it appears every fact is decided and the VM is killed.

FLEXVM_EARLY_VMM=qemu runs the same check against QEMU 7.2 as a reference for the parser:
QEMU's firmware has its own e820 map and describes CPUs in ACPI (MADT), so there the e820
map is only checked for being parsed and the MP-table CPU entries are not required.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flexvm_layout import (E820Entry, e820_map, format_linux_e820, linux_e820_view,
                           linux_ramdisk_range, parse_linux_e820_line, parse_size)
from vmproc import VMProcess

APPEND = "console=ttyS0 earlyprintk=serial,ttyS0,115200 flexvm.test=early"
RAM = "512M"
CPUS = 2
# Seconds from spawn. Under QEMU on PVM the last fact came after 28-36 s, 12-23 s of which
# were SeaBIOS under the emulator; flexvm enters the kernel directly and skips that part.
BUDGET = 60.0

# Serial output ends lines with \r\n and printk prefixes "[    0.000000] ", so each pattern
# matches anywhere in a line and only counts a line once its newline has arrived.
CMDLINE_RE = re.compile(r"(?<!Kernel )Command line: (?P<cmdline>[^\r\n]*)\r?\n")
# The block is complete once a following non-e820 line has arrived.
E820_RE = re.compile(r"BIOS-provided physical RAM map:\r?\n"
                     r"(?P<lines>(?:[^\n]*: \[mem 0x[^\n]*\n)+)(?![^\n]*: \[mem 0x)[^\n]*\n")
MPTABLE_RE = re.compile(r"found SMP MP-table at \[mem (?P<start>0x[0-9a-f]+)-(?P<end>0x[0-9a-f]+)\]\r?\n")
PROCESSOR_RE = re.compile(r"(?:^|\] )Processor #(?P<apicid>\d+)(?P<boot> \(Bootup-CPU\))?\r?\n",
                          re.MULTILINE)
PROCESSORS_RE = re.compile(r"(?:^|\] )Processors: (?P<n>\d+)\r?\n", re.MULTILINE)
ALLOWING_RE = re.compile(r"smpboot: Allowing (?P<n>\d+) CPUs, (?P<hotplug>\d+) hotplug CPUs\r?\n")
RAMDISK_RE = re.compile(r"RAMDISK: \[mem (?P<start>0x[0-9a-f]+)-(?P<end>0x[0-9a-f]+)\]\r?\n")


@dataclass
class EarlyLog:
    """The lines of an early-boot transcript that carry the facts (see check_early_log)."""

    matches: dict[str, re.Match[str]] = field(default_factory=dict)  # fact -> deciding line
    processors: list[re.Match[str]] = field(default_factory=list)
    e820: list[E820Entry] = field(default_factory=list)

    @property
    def decided(self) -> bool:
        """True once every fact has been printed or can no longer be: "smpboot: Allowing"
        comes after the MP-table scan and the initrd reservation in setup_arch()."""
        return "cpus" in self.matches

    def line(self, fact: str) -> str:
        m = self.matches.get(fact)
        if not m:
            return "(not printed)"
        if fact == "e820":
            return f"BIOS-provided physical RAM map: + {len(self.e820)} lines"
        return m.group(0).strip()

    def end(self, fact: str) -> int:
        """Transcript offset at which the fact had been printed completely."""
        m = self.matches[fact]
        return m.end("lines") if fact == "e820" else m.end()


def parse_early_log(text: str) -> EarlyLog:
    log = EarlyLog()
    for fact, regex in (("cmdline", CMDLINE_RE), ("e820", E820_RE), ("mptable", MPTABLE_RE),
                        ("processors", PROCESSORS_RE), ("cpus", ALLOWING_RE),
                        ("ramdisk", RAMDISK_RE)):
        m = regex.search(text)
        if m:
            log.matches[fact] = m
    log.processors = list(PROCESSOR_RE.finditer(text))
    if "e820" in log.matches:
        for line in log.matches["e820"]["lines"].splitlines():
            entry = parse_linux_e820_line(line)
            if entry:
                log.e820.append(entry)
    return log


def check_early_log(log: EarlyLog, *, cmdline: str, ram_size: int, cpus: int,
                    initrd_size: int, strict: bool) -> list[str]:
    """Problems with the facts, as messages that say what was expected. strict=False is
    QEMU reference mode: any parsed e820 map and any CPU description are accepted."""
    problems = []
    m = log.matches.get("cmdline")
    if not m:
        problems.append("(a) no 'Command line:' line: the kernel did not print its command line")
    elif m["cmdline"] != cmdline:
        problems.append(f"(a) command line differs:\n    expected {cmdline!r}\n"
                        f"    printed  {m['cmdline']!r}")

    expected_e820 = linux_e820_view(e820_map(ram_size), pvh=True)
    if "e820" not in log.matches:
        problems.append("(b) no 'BIOS-provided physical RAM map:' block of 'BIOS-e820:' lines")
    elif not log.e820:
        problems.append("(b) the RAM map block has no parsable e820 lines")
    elif strict and log.e820 != expected_e820:
        problems.append("(b) e820 map differs from flexvm's layout for -m {}:\n  expected\n{}\n"
                        "  printed\n{}".format(
                            RAM, "\n".join("    " + format_linux_e820(e) for e in expected_e820),
                            "\n".join("    " + format_linux_e820(e) for e in log.e820)))

    if "mptable" not in log.matches:
        problems.append("(c) no 'found SMP MP-table at' line: Linux did not find the MP floating "
                        "pointer (it scans 0x0-0x3ff, 0x9fc00-0x9ffff, 0xf0000-0xfffff and the "
                        "first KiB of the EBDA at *(u16 *)0x40e << 4), or the kernel lacks "
                        "CONFIG_X86_MPPARSE")
    if strict:
        m = log.matches.get("processors")
        ids = [int(p["apicid"]) for p in log.processors]
        if not m:
            problems.append("(c) no 'Processors: N' line: the MP table was not parsed for CPUs")
        elif int(m["n"]) != cpus or len(ids) != cpus:
            problems.append(f"(c) the MP table lists {m['n']} CPUs (Processor # lines: {ids}), "
                            f"expected {cpus}")
        if log.processors and not log.processors[0]["boot"]:
            problems.append("(c) the first MP-table CPU entry is not flagged as the bootstrap CPU")
    m = log.matches.get("cpus")
    if not m:
        problems.append("(c) no 'smpboot: Allowing N CPUs' line")
    elif int(m["n"]) != cpus or int(m["hotplug"]) != 0:
        problems.append(f"(c) {m.group(0).strip()!r}: expected {cpus} CPUs, 0 hotplug")

    m = log.matches.get("ramdisk")
    if not m:
        problems.append("(d) no 'RAMDISK: [mem ...]' line: the kernel did not get the initrd")
    else:
        start, end = int(m["start"], 16), int(m["end"], 16)
        want = linux_ramdisk_range(start, initrd_size)
        if (start, end) != want:
            problems.append(f"(d) RAMDISK range {start:#x}-{end:#x} is {end - start + 1} bytes; the "
                            f"{initrd_size}-byte initrd at {start:#x} should give "
                            f"{want[0]:#x}-{want[1]:#x}")
        if start % 4096:
            problems.append(f"(d) the initrd at {start:#x} is not page aligned")
    return problems


def _vmm_mode() -> str:
    mode = os.environ.get("FLEXVM_EARLY_VMM", "flexvm")
    if mode not in ("flexvm", "qemu"):
        pytest.fail(f"FLEXVM_EARLY_VMM must be 'flexvm' or 'qemu', not {mode!r}")
    return mode


def _vmm_argv(request, mode: str) -> tuple[list, object]:
    """The VMM command line and the guest image. The VMM is looked up first, so a missing
    flexvm binary skips the test before the image is downloaded."""
    if mode == "flexvm":
        vmm = [request.getfixturevalue("flexvm_binary")]
    else:
        qemu = shutil.which(os.environ.get("FLEXVM_QEMU", "qemu-system-x86_64"))
        if not qemu:
            pytest.skip("FLEXVM_EARLY_VMM=qemu but qemu-system-x86_64 is not installed")
        # arch-capabilities off: on PVM, QEMU 7.2 aborts on `-cpu host` ("failed to set MSR
        # 0x10a"). -net none drops the iPXE option ROM, which costs ~6 s under emulation.
        vmm = [qemu, "-accel", "kvm", "-cpu", "host,-arch-capabilities", "-no-reboot",
               "-net", "none"]
    guest = request.getfixturevalue("linux_guest")
    return [*vmm, "-kernel", guest.vmlinux, "-initrd", guest.initrd, "-append", APPEND,
            "-m", RAM, "-smp", str(CPUS), "-nographic"], guest


def _decided_log(text: str) -> EarlyLog | None:
    log = parse_early_log(text)
    return log if log.decided else None


def test_linux_early_boot_facts(request, kvm):
    mode = _vmm_mode()
    argv, linux_guest = _vmm_argv(request, mode)
    initrd_size = linux_guest.initrd.stat().st_size
    log_path = linux_guest.dir / f"early-{mode}.log"
    with VMProcess(argv, timeout=BUDGET, log_path=str(log_path)) as vm:
        log = vm.wait_for(_decided_log) or parse_early_log(vm.transcript())
        seen_at = {fact: vm.elapsed_at(log.end(fact)) for fact in log.matches}
        vm.kill()
        report = [f"{mode}: {linux_guest.stamp.splitlines()[0]}, transcript in {log_path}"]
        for fact in ("cmdline", "e820", "mptable", "processors", "ramdisk", "cpus"):
            when = f"{seen_at[fact]:6.2f} s" if fact in seen_at else "   never"
            report.append(f"  {when}  {fact:10}  {log.line(fact)}")
        for entry in log.e820:
            report.append(f"             e820        {format_linux_e820(entry)}")
        print("\n".join(report))
        problems = check_early_log(log, cmdline=APPEND, ram_size=parse_size(RAM), cpus=CPUS,
                                   initrd_size=initrd_size, strict=mode == "flexvm")
        if problems:
            pytest.fail("early boot facts missing or wrong ({} s budget):\n{}\n\n{}\n\n{}".format(
                BUDGET, "\n".join(problems), "\n".join(report), vm.describe(80)), pytrace=False)


# --- the parser and checks against recorded output, no VM needed ----------------------

# QEMU 7.2, Debian 6.1.0-56-amd64 via PVH, `acpi=off` so that Linux reads SeaBIOS's MP
# table (which lists one CPU on PVM: SeaBIOS's AP start-up runs under the emulator).
RECORDED_QEMU = """\
Booting from ROM..[    0.000000] Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org)
[    0.000000] Command line: console=ttyS0 earlyprintk=serial,ttyS0,115200 flexvm.test=early acpi=off
[    0.000000] BIOS-provided physical RAM map:
[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
[    0.000000] BIOS-e820: [mem 0x000000000009fc00-0x00000000000fffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000001ffdffff] usable
[    0.000000] BIOS-e820: [mem 0x000000001ffe0000-0x000000001fffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000feffc000-0x00000000feffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved
[    0.000000] BIOS-e820: [mem 0x000000fd00000000-0x000000ffffffffff] reserved
[    0.000000] printk: bootconsole [earlyser0] enabled
[    5.823213] found SMP MP-table at [mem 0x000f5ba0-0x000f5baf]
[    6.565970] RAMDISK: [mem 0x1fedc000-0x1ffd7fff]
[   10.406679] Intel MultiProcessor Specification v1.4
[   10.429979] Processor #0 (Bootup-CPU)
[   10.443512] Processors: 1
[   10.451418] smpboot: Allowing 1 CPUs, 0 hotplug CPUs
[   20.635551] Kernel command line: console=ttyS0 earlyprintk=serial,ttyS0,115200 flexvm.test=early acpi=off
""".replace("\n", "\r\n")


def _flexvm_like_log(cmdline=APPEND, e820=None, mptable=True, cpus=CPUS, ramdisk=(0x1fee0000, 0x11a000)):
    """A transcript as flexvm should produce it, to test the checks themselves."""
    e820 = linux_e820_view(e820_map(parse_size(RAM)), pvh=True) if e820 is None else e820
    lines = [f"Command line: {cmdline}", "BIOS-provided physical RAM map:"]
    lines += [format_linux_e820(e) for e in e820]
    lines += ["printk: bootconsole [earlyser0] enabled"]
    if mptable:
        lines += ["found SMP MP-table at [mem 0x0009fc00-0x0009fc0f]"]
    if ramdisk:
        start, size = ramdisk
        lines += ["RAMDISK: [mem {:#010x}-{:#010x}]".format(*linux_ramdisk_range(start, size))]
    if mptable:
        lines += [f"Processor #{i}{' (Bootup-CPU)' if i == 0 else ''}" for i in range(cpus)]
        lines += [f"Processors: {cpus}"]
    lines += [f"smpboot: Allowing {cpus} CPUs, 0 hotplug CPUs"]
    return "".join(f"[    0.000000] {line}\r\n" for line in lines)


def test_parser_reads_recorded_qemu_log():
    log = parse_early_log(RECORDED_QEMU)
    assert log.decided
    assert log.matches["cmdline"]["cmdline"] == APPEND + " acpi=off"
    assert len(log.e820) == 7 and log.e820[1] == E820Entry(0x9FC00, 0xFFFFF, 2)
    assert log.matches["mptable"]["start"] == "0x000f5ba0"
    assert [p["apicid"] for p in log.processors] == ["0"] and log.processors[0]["boot"]
    problems = check_early_log(log, cmdline=APPEND + " acpi=off", ram_size=512 << 20, cpus=1,
                               initrd_size=1028113, strict=False)
    assert problems == []


def test_parser_needs_complete_lines():
    # Serial output arrives a few bytes at a time: a half-printed fact must not count.
    text = _flexvm_like_log()
    cut = text.index("BIOS-e820: [mem 0x0000000000100000") + 20
    log = parse_early_log(text[:cut])
    assert "e820" not in log.matches and not log.decided
    assert parse_early_log(text[:text.index("smpboot")] + "smpboot: Allowing 2").decided is False


def test_check_accepts_flexvm_layout():
    log = parse_early_log(_flexvm_like_log())
    assert log.decided
    assert check_early_log(log, cmdline=APPEND, ram_size=512 << 20, cpus=2,
                           initrd_size=0x11a000, strict=True) == []


@pytest.mark.parametrize("variant, complaint", [
    (dict(cmdline=APPEND + " extra"), "(a) command line differs"),
    (dict(e820=e820_map(512 << 20)), "(b) e820 map differs"),
    (dict(mptable=False), "(c) no 'found SMP MP-table at'"),
    (dict(cpus=1), "(c) the MP table lists 1 CPUs"),
    (dict(ramdisk=None), "(d) no 'RAMDISK"),
    (dict(ramdisk=(0x1fee0000, 0x11a000 + 4096)), "(d) RAMDISK range"),
])
def test_check_names_what_is_wrong(variant, complaint):
    log = parse_early_log(_flexvm_like_log(**variant))
    problems = check_early_log(log, cmdline=APPEND, ram_size=512 << 20, cpus=2,
                               initrd_size=0x11a000, strict=True)
    assert any(p.startswith(complaint) for p in problems), problems
