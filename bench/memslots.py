#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Dynamic memslots: what a virtio-mem device costs the host, per policy.

One run measures, side by side, flexvm with its three memslot policies
(x-memslot-policy=flexvm|qemu|firecracker) and QEMU 7.2 itself (the whole
device in one KVM slot, mapped at start-up), on the same test guest and its
Linux-like virtio-mem driver (tests/guest, scenario=vmem):

 1. host kernel memory along resize traces: VmallocUsed growth against the
    moment before the VMM started, next to the floor (one slot covering
    exactly the plugged bytes), memslots mapped and slot operations
    (x-query-memslots), and the VMM's RSS; targets (a) and (b);
 2. start-up time, exec until the guest's first serial line; target (c);
 3. plug latency (mode=plug, 8 GiB, polled) per request and GiB/s, target
    (d); and end-to-end resize latency in follow mode (qom-set 0 -> 8 GiB
    until the guest's settle line);
 4. RSS returned after unplug, with the guest writing every plugged 2 MiB.

The cost model is memslot_kernel_cost() (src/mem/memslot_policy.c), within
0.2 % of this host's measurements (docs/memslots.md). VmallocUsed is
machine-wide, so every reading waits until no other KVM VM runs on the
host, and is the median of three. Writes bench/results/memslots.txt and,
with gnuplot, bench/results/memslots.png.

Usage: FLEXVM_BUILD=<build dir> bench/memslots.py [-v] [--sizes 16G,256G,1T,16T]
       [--sections 1,2,3,4] [--no-save]   (-v prints every command line it runs)
Takes about 4 minutes on a quiet host; needs about 3 GiB of free kernel memory
(QEMU 7.2 with a 1 TiB device) and 9 GiB of RAM (section 4).
"""
import argparse
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import vmlib
from vmlib import GiB, MiB, TiB, short_size, floor_kib

POLICIES = ("flexvm", "qemu", "firecracker")
KVM_SLOTS = 32764  # KVM_CAP_NR_MEMSLOTS on this host
GROW = [0, GiB, 16 * GiB, 64 * GiB]
DEMO = [0, GiB, 8 * GiB, 2 * GiB, 0]
FOLLOW = "scenario=vmem mode=follow pattern=none"
PLUG = "scenario=vmem mode=plug size=8G pattern=none irq=poll"
PLUG_RE = (r"vmem: plugged (?P<mib>\d+) MiB in (?P<requests>\d+) requests, "
           r"(?P<us>\d+) us, (?P<avg>\d+) us per request \(min (?P<min>\d+), "
           r"max (?P<max>\d+)\), (?P<gibs>[\d.]+) GiB/s")

OUT = []


def out(text=""):
    print(text, flush=True)
    OUT.append(text)


def mib(kib):
    text = f"{kib / 1024:.1f}"
    return "0.0" if text == "-0.0" else text


def med(values):
    return statistics.median(values)


class Bench:
    """Paths, a QMP socket per VM, and the command lines of section 1-4."""

    def __init__(self, args, tmp):
        self.args = args
        self.tmp = tmp
        self.socks = itertools.count()

    def sock(self):
        return os.path.join(self.tmp, f"qmp{next(self.socks)}.sock")

    def flexvm_argv(self, size, policy, append, requested=0, sock=None):
        budget = vmlib.firecracker_budget(size) if policy == "firecracker" else None
        return vmlib.flexvm_argv(self.args.flexvm, self.args.guest, size, append,
                                 policy, requested, sock, budget)

    def qemu_argv(self, size, append, requested=0, sock=None):
        return vmlib.qemu_argv(self.args.qemu, self.args.guest, size, append,
                               requested, sock)

    def vm(self, vmm, size, policy=None, append=FOLLOW, requested=0):
        sock = self.sock()
        argv = (self.flexvm_argv(size, policy, append, requested, sock)
                if vmm == "flexvm" else self.qemu_argv(size, append, requested, sock))
        return vmlib.Vm(argv, sock)


# -- 1. host kernel memory ---------------------------------------------------

def no_device(b, vmm, runs=3):
    """VmallocUsed growth of the same VM without the device (the guest
    idles in scenario=echo), median of `runs` VMs."""
    growth = []
    for _ in range(runs):
        kw = dict(window=TiB, sock=None)
        argv = (vmlib.flexvm_argv(b.args.flexvm, b.args.guest, 0, "scenario=echo", **kw)
                if vmm == "flexvm" else
                vmlib.qemu_argv(b.args.qemu, b.args.guest, 0, "scenario=echo", **kw))
        vm = vmlib.Vm(argv, stdin=True)
        try:
            vm.expect(r"^echo: ready")
            growth.append(vm.kernel_kib())
        finally:
            vm.close()
    return med(growth), growth


def run_trace(b, vmm, size, policy, name, trace, nodev):
    rows = []
    vm = b.vm(vmm, size, policy)
    try:
        vm.settled(0)
        for i, target in enumerate(trace):
            if i:
                vm.resize(target)
            growth = vm.kernel_kib()
            d = vm.device_slots() if vmm == "flexvm" else None
            rows.append({
                "size": size, "vmm": vmm, "policy": policy, "trace": name,
                "plugged": target, "growth": growth, "dev": growth - nodev,
                "floor": floor_kib(target), "rss": vm.rss_kib(),
                "model": d["kernel-cost"] / 1024 if d else None,
                "slots": d["mapped-slots"] if d else None,
                "limit": d["slot-limit"] if d else None,
                "layout": d["layout-slots"] if d else None,
                "ops": f"{d['slot-adds']}/{d['slot-removes']}" if d else "-",
            })
    finally:
        vm.close()
    return rows


def bound_ok(r):
    return r["dev"] <= 1.1 * r["floor"] + 1024


def kernel_section(b, sizes):
    out("## 1. Host kernel memory along the traces")
    out("VmallocUsed growth against the moment before the VMM started, after the")
    out("guest settled (median of 3 readings on a quiet host). device = growth minus")
    out("the same VM without the device; model = x-query-memslots kernel-cost;")
    out("floor = one slot of exactly the plugged bytes; bound = 1.1 x floor + 1 MiB.")
    out("Traces: grow 0 -> 1 GiB -> 16 GiB -> 64 GiB (as far as the device holds),")
    out("demo 0 -> 1 GiB -> 8 GiB -> 2 GiB -> 0; guest pattern=none. ops = slot")
    out("adds/removes since start-up. QEMU 7.2 maps its device as one slot at start-up.")
    out("firecracker on 256 GiB and 1 TiB (2048 and 8192 slots) runs with -machine")
    out("x-memslot-budget=9000; the other policies keep the default budget of 256.")
    nodev = {}
    for vmm in ("flexvm", "qemu"):
        nodev[vmm], runs = no_device(b, vmm)
        out(f"VM without the device, {'flexvm' if vmm == 'flexvm' else 'QEMU 7.2'}: "
            f"+{mib(nodev[vmm])} MiB (runs: {', '.join(mib(g) for g in runs)})")
    rows, na = [], []
    for size in sizes:
        for policy in POLICIES:
            if policy == "firecracker" and size // (128 * MiB) > KVM_SLOTS:
                argv = b.flexvm_argv(size, policy, FOLLOW)
                argv[argv.index("-machine") + 1] = f"x-memslot-budget={KVM_SLOTS}"
                na.append((size, vmlib.failure_text(argv)))
                continue
            for name, trace in (("grow", [p for p in GROW if p <= size]), ("demo", DEMO)):
                rows += run_trace(b, "flexvm", size, policy, name, trace, nodev["flexvm"])
        # QEMU 7.2 at 16 TiB would need ~40 GiB of kernel memory (24 GiB host).
        if size <= TiB:
            for name, trace in (("grow", [p for p in GROW if p <= size]), ("demo", DEMO)):
                rows += run_trace(b, "qemu", size, None, name, trace, nodev["qemu"])
    print_kernel(rows, na)
    return rows, nodev


def print_kernel(rows, na):
    out()
    out(f"{'device':>7} {'VMM / policy':<19}{'trace':<6}{'plugged':>8}{'growth':>9}"
        f"{'device':>9}{'model':>8}{'floor':>8}{'ratio':>8} {'bound':<6}{'slots':>6}"
        f"{'ops':>9}{'RSS':>8}")
    out(f"{'':>7} {'':<19}{'':<6}{'':>8}{'MiB':>9}{'MiB':>9}{'MiB':>8}{'MiB':>8}"
        f"{'':>8} {'':<6}{'':>6}{'add/rm':>9}{'MiB':>8}")
    last = None
    for r in rows:
        key = (r["size"], r["vmm"], r["policy"])
        if last and key[:1] != last[:1]:
            out()
        last = key
        who = f"flexvm {r['policy']}" if r["vmm"] == "flexvm" else "QEMU 7.2"
        ratio = f"{r['dev'] / r['floor']:.2f}" if r["floor"] else "-"
        model = mib(r["model"]) if r["model"] is not None else "-"
        slots = r["slots"] if r["slots"] is not None else "1 (all)"
        out(f"{short_size(r['size']):>7} {who:<19}{r['trace']:<6}{short_size(r['plugged']):>8}"
            f"{mib(r['growth']):>9}{mib(r['dev']):>9}{model:>8}{mib(r['floor']):>8}"
            f"{ratio:>8} {'ok' if bound_ok(r) else 'OVER':<6}{slots:>6}{r['ops']:>9}"
            f"{mib(r['rss']):>8}")
    for size, why in na:
        out(f"{short_size(size):>7} flexvm firecracker n/a: more slots than KVM's "
            f"{KVM_SLOTS} (flexvm refuses it, with -machine x-memslot-budget={KVM_SLOTS}):")
        out(f"        {why}")
    out()


def kernel_targets(rows, nodev):
    flex = [r for r in rows if r["vmm"] == "flexvm" and r["policy"] == "flexvm"]
    idle = [r for r in flex if r["size"] == TiB and r["plugged"] == 0
            and r["trace"] == "grow"][:1]
    ok_a = all(r["slots"] == 0 and abs(r["dev"]) <= 1024 for r in idle) if idle else None
    a = (f"1 TiB device, nothing plugged: {idle[0]['slots']} memslots, VmallocUsed "
         f"+{mib(idle[0]['growth'])} MiB vs +{mib(nodev['flexvm'])} MiB without the "
         f"device (difference {mib(idle[0]['dev'])} MiB, limit 1 MiB)") if idle \
        else "not measured: --sizes has no 1T"
    worst = max(flex, key=lambda r: r["dev"] / (1.1 * r["floor"] + 1024))
    over_budget = [r for r in flex if r["slots"] > r["limit"] or r["layout"] > r["limit"]]
    ok_b = all(bound_ok(r) for r in flex) and not over_budget
    b = (f"flexvm policy, {len(flex)} settled steps on {len({r['size'] for r in flex})} "
         f"device sizes: closest to the bound {short_size(worst['size'])} "
         f"{worst['trace']} {short_size(worst['plugged'])}: {mib(worst['dev'])} MiB vs "
         f"{mib(1.1 * worst['floor'] + 1024)} MiB; most slots mapped "
         f"{max(r['slots'] for r in flex)}, layouts "
         f"{max(r['layout'] for r in flex)} slots, budget {flex[0]['limit']}")
    g1 = [r for r in flex if r["size"] == TiB and r["plugged"] == GiB]
    if g1:
        b += (f"; 1 TiB with 1 GiB plugged: {mib(g1[0]['dev'])} MiB, "
              f"{g1[0]['dev'] / g1[0]['floor']:.2f} x floor")
    return [("a", ok_a, a), ("b", ok_b, b)]


# -- 2. start-up time --------------------------------------------------------

def startup_section(b, runs):
    out(f"## 2. Start-up time (exec until the guest's first serial line, median of {runs})")
    configs = [
        ("flexvm, 16 GiB device", lambda s: b.flexvm_argv(16 * GiB, "flexvm", FOLLOW, sock=s)),
        ("flexvm, 16 TiB device", lambda s: b.flexvm_argv(16 * TiB, "flexvm", FOLLOW, sock=s)),
        ("QEMU 7.2, 16 GiB device", lambda s: b.qemu_argv(16 * GiB, FOLLOW, sock=s)),
        ("QEMU 7.2, 1 TiB device", lambda s: b.qemu_argv(TiB, FOLLOW, sock=s))]
    times = {name: [] for name, _ in configs}
    for _ in range(runs):  # interleaved, so a slow spell hits every config
        for name, make in configs:
            argv = make(b.sock())
            vmlib.show_cmd(argv)
            vmlib.wait_quiet()
            with vmlib.VMProcess(argv, timeout=120, split_stderr=True) as vm:
                times[name].append(vm.elapsed_at(vm.expect(vmlib.BANNER).end()))
            time.sleep(0.3)
    out(f"{'VMM, device':<26}{'median':>10}   all runs, sorted (ms)")
    for name, t in times.items():
        out(f"{name:<26}{med(t) * 1000:>8.1f}ms   "
            + " ".join(f"{x * 1000:.1f}" for x in sorted(t)))
    small, big = med(times[configs[0][0]]), med(times[configs[1][0]])
    out()
    return [("c", big <= 1.1 * small,
             f"flexvm start-up, 16 TiB device {big * 1000:.1f} ms vs 16 GiB "
             f"{small * 1000:.1f} ms: {big / small:.2f} x (limit 1.10 x)")]


# -- 3. plug latency ---------------------------------------------------------

def plug_section(b, runs):
    out(f"## 3. Plug latency: guest '{PLUG}',")
    out(f"requested-size=8G at start-up, median of {runs} runs (interleaved)")
    configs = [(f"flexvm {p}, {short_size(s)}", "flexvm", s, p)
               for s in (16 * GiB, TiB) for p in POLICIES]
    configs.append(("QEMU 7.2, 16G", "qemu", 16 * GiB, None))
    res = {c[0]: [] for c in configs}
    for _ in range(runs):
        for name, vmm, size, policy in configs:
            argv = (b.flexvm_argv(size, policy, PLUG, requested=8 * GiB) if vmm == "flexvm"
                    else b.qemu_argv(size, PLUG, requested=8 * GiB))
            res[name].append(vmlib.run_to_exit(argv, PLUG_RE).groupdict())
    out(f"{'VMM / policy, device':<27}{'requests':>9}{'total':>10}{'(min-max)':>16}"
        f"{'per request':>13}{'GiB/s':>10}")
    for name, rs in res.items():
        total = [int(r["us"]) for r in rs]
        out(f"{name:<27}{rs[0]['requests']:>9}{med(total) / 1000:>8.2f}ms"
            f"{f'({min(total) / 1000:.2f}-{max(total) / 1000:.2f})':>16}"
            f"{med(int(r['avg']) for r in rs):>10} us"
            f"{med(float(r['gibs']) for r in rs):>10.0f}")
    out()
    ours, qemu = med(int(r["us"]) for r in res["flexvm flexvm, 16G"]), \
        med(int(r["us"]) for r in res["QEMU 7.2, 16G"])
    big = med(int(r["us"]) for r in res["flexvm flexvm, 1T"])
    return [("d", ours <= qemu,
             f"guest plugs 8 GiB: flexvm (flexvm policy) {ours / 1000:.2f} ms on a 16 GiB "
             f"device, {big / 1000:.2f} ms on 1 TiB, QEMU 7.2 {qemu / 1000:.2f} ms on 16 GiB")]


def resize_section(b, runs):
    out(f"End-to-end resize latency, follow mode ('{FOLLOW}'), qom-set")
    out(f"requested-size 0 -> 8 GiB, median of {runs} (8 GiB -> 0 between them);")
    out("interrupts: MSI-X under flexvm, INTx under QEMU 7.2 (its virtio-mem has no MSI-X)")
    configs = [(f"flexvm {p}, {short_size(s)}", "flexvm", s, p)
               for s in (16 * GiB, TiB) for p in POLICIES]
    configs.append(("QEMU 7.2, 16G", "qemu", 16 * GiB, None))
    out(f"{'VMM / policy, device':<27}{'requests':>9}{'qom-set':>10}{'guest':>10}"
        f"{'qom-set -> settle line':>24}")
    for name, vmm, size, policy in configs:
        vm = b.vm(vmm, size, policy)
        samples = []
        try:
            vm.settled(0)
            for _ in range(runs):
                vmlib.wait_quiet([vm.pid])
                samples.append(vm.resize(8 * GiB))
                vm.resize(0)
        finally:
            vm.close()
        out(f"{name:<27}{samples[0][0]:>9}{med(s[2] for s in samples) * 1000:>8.2f}ms"
            f"{med(s[1] for s in samples) / 1000:>8.2f}ms"
            f"{med(s[3] for s in samples) * 1000:>22.2f}ms")
    out("qom-set: until QMP answered; guest: the guest's time_us, from seeing the")
    out("change to plugged = requested; qom-set -> settle line: from sending qom-set")
    out("until the first byte of the guest's settle line arrived (printed once plugged")
    out("= requested; the whole line takes 3-4 ms more: one exit per byte).")
    out()


# -- 4. RSS returned after unplug --------------------------------------------

def rss_section(b):
    out("## 4. RSS returned after unplug: demo trace, guest pattern=block (one word")
    out("per 2 MiB block written after each plug, all checked after each resize)")
    out(f"{'VMM / policy, device':<25}" + "".join(f"{short_size(p):>9}" for p in DEMO)
        + "   (VmRSS, MiB)")
    for name, vmm, size, policy in (("flexvm flexvm, 1T", "flexvm", TiB, "flexvm"),
                                    ("QEMU 7.2, 16G", "qemu", 16 * GiB, None)):
        vm = b.vm(vmm, size, policy, append=FOLLOW.replace("none", "block"))
        try:
            vm.settled(0)
            rss = []
            for i, target in enumerate(DEMO):
                if i:
                    vm.resize(target)
                time.sleep(0.3)
                rss.append(vm.rss_kib())
            fails = [l for l in vm.transcript().splitlines() if l.startswith("FAIL")]
            checks = vm.transcript().count("vmem: pattern ok")
        finally:
            vm.close()
        out(f"{name:<25}" + "".join(f"{mib(r):>9}" for r in rss)
            + f"   pattern checks ok: {checks}, FAIL lines: {len(fails)}")
        for line in fails[:3]:
            out(f"    {line}")
    out()


# -- plot ----------------------------------------------------------------------

def plot(rows, path):
    if not shutil.which("gnuplot"):
        out("(gnuplot not installed: no plot)")
        return
    # flexvm last and thickest: below 8 GiB its slots are firecracker's.
    series = [(None, "QEMU 7.2", "lw 2 pt 5"), ("qemu", "qemu policy (QEMU 8.2)", "lw 2 pt 9"),
              ("firecracker", "firecracker policy", "lw 2 dt 3 pt 6"),
              ("flexvm", "flexvm policy", "lw 4 pt 7")]
    data = []
    for policy, _, _ in series:
        pts = {}  # plugged -> readings (1 GiB is in both traces)
        for r in rows:
            if r["size"] == TiB and r["policy"] == policy and r["plugged"]:
                pts.setdefault(r["plugged"], []).append(r["dev"])
        data.append("\n".join(f"{p / GiB:g} {med(d) / 1024:.3f}"
                              for p, d in sorted(pts.items()) if med(d) > 0) or "1 nan")
    data.append("\n".join(f"{x / 4:g} {floor_kib(x * GiB // 4) / 1024:.3f}"
                          for x in range(3, 257)))
    script = ("set terminal pngcairo size 900,600\n"
              f"set output '{path}'\nset logscale xy\n"
              "set title 'Host kernel memory for a 1 TiB virtio-mem device'\n"
              "set xlabel 'plugged (GiB)'\n"
              "set ylabel 'VmallocUsed growth minus the VM without it (MiB)'\n"
              "set key bottom right box opaque\nset grid\n"
              "set xrange [0.7:90]\nset yrange [1:10000]\nplot "
              + ", ".join(f"'-' with linespoints {style} title '{t}'"
                          for _, t, style in series)
              + ", '-' with lines lw 1 dt 2 lc 'black' title 'floor (one slot of exactly"
              " the plugged bytes)'\n"
              + "".join(d + "\ne\n" for d in data))
    subprocess.run(["gnuplot"], input=script.encode(), check=True)
    out(f"plot: {os.path.relpath(path, vmlib.TOP)}")


def header(args):
    def run(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"
    with open("/sys/module/kvm/parameters/tdp_mmu") as f:
        tdp = f.read().strip()
    with open("/proc/cpuinfo") as f:
        cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    out("# bench/memslots.py: dynamic memslots, flexvm vs QEMU 7.2")
    out(f"# {time.strftime('%Y-%m-%d %H:%M %Z')}, host {os.uname().release}, {cpu}, "
        f"{os.cpu_count()} CPUs, {os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') >> 30} "
        f"GiB, kvm tdp_mmu={tdp}")
    out(f"# flexvm {run(['git', '-C', vmlib.TOP, 'describe', '--always', '--dirty'])}, "
        f"{run([args.qemu, '--version']).splitlines()[0]}")
    out()


def main():
    build = os.environ.get("FLEXVM_BUILD", os.path.join(vmlib.TOP, "build"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flexvm", default=os.path.join(build, "flexvm"))
    ap.add_argument("--guest", default=os.path.join(build, "tests/guest/guest.elf"))
    ap.add_argument("--sizes", default="16G,256G,1T,16T")
    ap.add_argument("--sections", default="1,2,3,4")
    ap.add_argument("--startup-runs", type=int, default=7)
    ap.add_argument("--plug-runs", type=int, default=5)
    ap.add_argument("-v", "--verbose", action="store_true", help="print every command run")
    ap.add_argument("--no-save", action="store_true", help="do not write bench/results")
    args = ap.parse_args()
    args.qemu = shutil.which("qemu-system-x86_64")
    if not args.qemu:
        sys.exit("qemu-system-x86_64 is not installed (scripts/setup.sh)")
    vmlib.verbose, vmlib.emit = args.verbose, out
    sections = set(args.sections.split(","))
    results = os.path.join(vmlib.TOP, "bench", "results")
    header(args)
    targets, rows = [], []
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        b = Bench(args, tmp)
        if "1" in sections:
            rows, nodev = kernel_section(b, [vmlib.parse_size(s) for s in args.sizes.split(",")])
            targets += kernel_targets(rows, nodev)
        if "2" in sections:
            targets += startup_section(b, args.startup_runs)
        if "3" in sections:
            targets += plug_section(b, args.plug_runs)
            resize_section(b, args.plug_runs)
        if "4" in sections:
            rss_section(b)
    out("## Targets (issue 5)")
    for name, ok, text in targets:
        out(f"{'SKIP' if ok is None else 'PASS' if ok else 'FAIL'} ({name}) {text}")
    if vmlib.disturbed:
        out(f"note: {vmlib.disturbed} readings taken while other KVM VMs ran (waited 30 min)")
    out(f"# {time.monotonic() - t0:.0f} s")
    if not args.no_save:
        os.makedirs(results, exist_ok=True)
        if rows and any(r["size"] == TiB for r in rows):
            plot(rows, os.path.join(results, "memslots.png"))
        with open(os.path.join(results, "memslots.txt"), "w") as f:
            f.write("\n".join(OUT) + "\n")


if __name__ == "__main__":
    main()
