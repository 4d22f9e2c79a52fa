#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Start-up time and VMM resident memory: flexvm vs QEMU 7.2, same test
guest, same run.

Start-up: from exec until the guest's first serial line
("flexvm-test-guest: ...") arrives on the VMM's stdout.
Resident memory: the VMM's RSS while the guest idles in its echo
scenario, minus the resident part of the guest-RAM mapping (found in
/proc/PID/smaps as the anonymous mapping of exactly -m bytes).

Usage: bench/startup.py [--runs N] [--flexvm PATH] [--guest PATH]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

RAM = 256 << 20
BANNER = b"flexvm-test-guest:"


def flexvm_cmd(flexvm, guest):
    return [flexvm, "-kernel", guest, "-m", "256M", "-nographic",
            "-append", "scenario=echo"]


def qemu_cmd(qemu, guest):
    return [qemu, "-accel", "kvm", "-cpu", "host,-arch-capabilities", "-m", "256M",
            "-display", "none", "-serial", "stdio", "-monitor", "none",
            "-nodefaults", "-no-user-config", "-device", "isa-debug-exit",
            "-kernel", guest, "-append", "scenario=echo"]


def guest_ram_rss_kib(pid):
    """Rss of the anonymous mapping whose size is the guest RAM size."""
    rss = 0
    size = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            fields = line.split()
            if "-" in fields[0] and len(fields) >= 5:
                start, end = (int(x, 16) for x in fields[0].split("-"))
                size = end - start
            elif fields[0] == "Rss:" and size == RAM:
                rss += int(fields[1])
    return rss


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def one_run(cmd):
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    out = b""
    try:
        while BANNER not in out:
            chunk = p.stdout.read1(4096)
            if not chunk:
                raise RuntimeError(f"{cmd[0]} ended before the guest spoke")
            out += chunk
        startup = time.monotonic() - t0
        while b"echo: ready" not in out:
            out += p.stdout.read1(4096)
        rss = vm_rss_kib(p.pid) - guest_ram_rss_kib(p.pid)
        p.stdin.write(b"quit\n")
        p.stdin.flush()
        p.wait(timeout=30)
    finally:
        p.kill()
        p.wait()
    return startup, rss


def measure(name, cmd, runs):
    times, rss = [], []
    for _ in range(runs):
        t, r = one_run(cmd)
        times.append(t)
        rss.append(r)
    return {"name": name, "startup": statistics.median(times),
            "min": min(times), "max": max(times),
            "rss": statistics.median(rss)}


def main():
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build = os.environ.get("FLEXVM_BUILD", os.path.join(top, "build"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--flexvm", default=os.path.join(build, "flexvm"))
    ap.add_argument("--guest", default=os.path.join(build, "tests/guest/guest.elf"))
    args = ap.parse_args()
    qemu = shutil.which("qemu-system-x86_64")
    if not qemu:
        sys.exit("qemu-system-x86_64 is not installed (scripts/setup.sh)")

    rows = [measure("flexvm", flexvm_cmd(args.flexvm, args.guest), args.runs),
            measure("QEMU 7.2", qemu_cmd(qemu, args.guest), args.runs)]
    print(f"start-up to first guest line, median of {args.runs} runs; "
          f"VMM resident memory without guest RAM")
    print(f"{'VMM':<10} {'start-up':>10} {'(min-max)':>18} {'RSS':>10}")
    for r in rows:
        print(f"{r['name']:<10} {r['startup'] * 1000:>8.1f}ms "
              f"({r['min'] * 1000:.0f}-{r['max'] * 1000:.0f} ms)".ljust(40)
              + f"{r['rss'] / 1024:>8.1f}MiB")
    f, q = rows
    print(f"ratio QEMU/flexvm: start-up {q['startup'] / f['startup']:.1f}x, "
          f"RSS {q['rss'] / f['rss']:.1f}x")


if __name__ == "__main__":
    main()
