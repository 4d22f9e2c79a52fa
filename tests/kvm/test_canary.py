# SPDX-License-Identifier: MIT
"""-machine x-canary=on (src/mem/canary.h): canaries directly around each host
mapping of guest memory, checked on every normal exit. A guest that runs and exits
leaves them intact and the check says so; one changed byte next to guest RAM,
written from outside through /proc/PID/mem (no guest can do that, which is the
point), is reported with its address and turns the exit status into 70."""
import os
import re
import signal
import subprocess

import pytest

from conftest import debug_exit_status, qmp_client

BANNER = "flexvm-test-guest: scenario="
EX_SOFTWARE = 70
CANARY = ["-machine", "x-canary=on"]
MiB = 1 << 20
INTACT = re.compile(r"^flexvm: x-canary: the canaries around (\d+) guest memory "
                    r"mappings? are intact$", re.M)
VMEM = ["-object", "memory-backend-ram,id=mem0,size=1G,reserve=off",
        "-device", "virtio-mem-pci,id=vm0,memdev=mem0,requested-size=128M"]


def intact_count(err):
    m = INTACT.findall(err)
    assert len(m) == 1, err
    return int(m[0])


def test_canary_guest_exit_keeps_status_and_reports_intact(run_guest):
    r = run_guest("scenario=exit code=5", extra=CANARY)
    assert r.status == debug_exit_status(5), r
    assert intact_count(r.err) == 1, r  # guest RAM only


def test_canary_without_option_prints_nothing(run_guest):
    r = run_guest("scenario=exit code=0")
    assert r.status == debug_exit_status(0), r
    assert "canary" not in r.err, r


def test_canary_covers_each_memory_backend(run_guest):
    r = run_guest("scenario=exit code=0",
                  extra=CANARY + ["-m", "512M,maxmem=4G"] + VMEM + [
                      "-object", "memory-backend-memfd,id=mem1,size=64M"])
    assert r.status == debug_exit_status(0), r
    assert intact_count(r.err) == 3, r  # RAM, mem0, mem1


def test_canary_on_a_1tib_backend_costs_pages_not_size(run_guest):
    # A canary proportional to the backend could not be mapped at all here.
    r = run_guest("scenario=exit code=0",
                  extra=CANARY + ["-m", "512M,maxmem=2T",
                                  "-object", "memory-backend-ram,id=mem0,size=1T,reserve=off",
                                  "-device", "virtio-mem-pci,id=vm0,memdev=mem0"])
    assert r.status == debug_exit_status(0), r
    assert intact_count(r.err) == 2, r


def test_canary_bad_value_is_refused(run_flexvm, guest):
    r = run_flexvm(["-machine", "x-canary=maybe", "-kernel", guest])
    assert r.status == 1, r
    assert r.err.strip() == "flexvm: Parameter 'x-canary' expects 'on' or 'off'", r


def test_canary_checked_on_sigterm(flexvm, guest, kvm):
    proc = subprocess.Popen([flexvm, "-kernel", guest, "-nographic",
                             "-append", "scenario=echo"] + CANARY,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline().startswith(BANNER.encode())
        proc.terminate()
        status = proc.wait(timeout=30)
    finally:
        proc.kill()
    err = proc.stderr.read().decode(errors="replace")
    assert status == 0, err
    assert intact_count(err) == 1


def maps(pid):
    """(start, end, perms) of each mapping of process `pid`."""
    out = []
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            span, perms = line.split()[:2]
            start, end = (int(x, 16) for x in span.split("-"))
            out.append((start, end, perms))
    return out


def ram_canaries(pid, ram_size):
    """The canary mappings right below and right above guest RAM (the one
    mapping of exactly `ram_size` bytes with such neighbours)."""
    m = maps(pid)
    for i in range(1, len(m) - 1):
        (b0, b1, bp), (r0, r1, _), (a0, a1, ap) = m[i - 1], m[i], m[i + 1]
        if r1 - r0 == ram_size and b1 == r0 and a0 == r1 and \
                bp.startswith("rw") and ap.startswith("rw") and b1 - b0 == a1 - a0:
            return b0, a0
    pytest.fail(f"no canaries around a {ram_size}-byte mapping:\n"
                + "\n".join(f"{s:x}-{e:x} {p}" for s, e, p in m))


def test_canary_overwritten_after_ram_is_reported(flexvm, guest, kvm):
    """Detection end to end: flexvm's own memory changed from outside, as a
    device model's overrun would change it, then a QMP quit."""
    qmp = qmp_client()
    with qmp.QmpVm("flexvm", flexvm, guest, extra=["-S"] + CANARY,
                   memory="256M") as vm:
        q = vm.connect()
        pid = vm.proc.proc.pid
        before, after = ram_canaries(pid, 256 * MiB)
        try:
            with open(f"/proc/{pid}/mem", "r+b", buffering=0) as mem:
                mem.seek(after + 2)
                old = mem.read(1)
                mem.seek(after + 2)
                mem.write(bytes([old[0] ^ 0xff]))
        except PermissionError as e:
            pytest.skip(f"cannot write another process's memory here: {e}")
        assert "return" in q.cmd("quit"), vm.describe()
        status = vm.wait(30)
        err = vm.proc.stderr()
    assert status == EX_SOFTWARE, err
    assert f"flexvm: canary after guest RAM at {after:#x} was overwritten: 1 byte " \
           "changed, the first at offset 2" in err.splitlines(), err
    assert not INTACT.search(err), err
    assert before < after
