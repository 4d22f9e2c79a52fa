#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""flexvm's demo: elastic guest memory.

Boots a guest with a 1 TiB virtio-mem device at requested-size 0, then
resizes it over QMP, 0 -> 1 GiB -> 8 GiB -> 2 GiB -> 0, exactly as a
management tool would (qom-set vm0 requested-size). After each step it
prints what the guest plugged, the KVM memslots flexvm mapped for the
device, the host kernel memory the VM costs, and flexvm's resident memory.

By default the guest is flexvm's test guest, whose virtio-mem driver
behaves like Linux's and writes a pattern into every plugged block. With
--linux it boots Debian's kernel (memhp_default_state=online_movable)
instead; that needs a host with hardware virtualization (on PVM Linux
cannot run: see shared docs host-kvm.md).
"""
import argparse
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))  # qmp.py needs vmproc.py
_spec = importlib.util.spec_from_file_location(
    "qmp_client", os.path.join(TOP, "tests", "lib", "qmp.py"))
qmp_client = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(qmp_client)

MiB, GiB, TiB = 1 << 20, 1 << 30, 1 << 40
TRACE = [0, 1 * GiB, 8 * GiB, 2 * GiB, 0]


def meminfo_kib(key):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def human(n):
    if n >= GiB:
        return f"{n / GiB:.2f} GiB"
    return f"{n / MiB:.1f} MiB"


class Demo:
    def __init__(self, args, tmp):
        self.sock = os.path.join(tmp, "qmp.sock")
        self.serial = os.path.join(tmp, "serial.log")
        self.base_kib = meminfo_kib("VmallocUsed")
        cmd = [args.flexvm, "-m", "512M,maxmem=1049088M",
               "-object", "memory-backend-ram,id=mem0,size=1T,reserve=off",
               "-device", "virtio-mem-pci,id=vm0,memdev=mem0,requested-size=0",
               "-qmp", f"unix:{self.sock},server=on,wait=off",
               "-display", "none", "-serial", f"file:{self.serial}"]
        if args.linux:
            cmd += ["-smp", "2", "-kernel", args.kernel, "-initrd", args.initrd,
                    "-append", "console=ttyS0 memhp_default_state=online_movable"]
        else:
            cmd += ["-kernel", args.guest,
                    "-append", "scenario=vmem mode=follow pattern=block"]
        self.cmd = cmd
        self.linux = args.linux
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
        self.qmp = qmp_client.QmpClient.connect(
            self.sock, timeout=30, alive=lambda: self.proc.poll() is None).negotiate()

    def console(self):
        with open(self.serial, errors="replace") as f:
            return f.read()

    def wait_settled(self, size, timeout):
        """Until the device reports `size` plugged (and, for the test
        guest, its pattern check of all plugged memory passed)."""
        want = re.compile(rf"^vmem: requested={size} plugged={size} .*?^vmem: settled",
                          re.M | re.S)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            plugged = self.qmp.ok("qom-get", path="vm0", property="size")
            if plugged == size and (self.linux or want.search(self.console())):
                return
            if self.proc.poll() is not None:
                sys.exit("flexvm ended unexpectedly:\n" + self.console()[-2000:])
            time.sleep(0.05)
        sys.exit(f"the guest did not settle at {human(size)} within {timeout} s")

    def row(self, requested, elapsed):
        time.sleep(0.3)  # let the host finish freeing what was unplugged
        ms = self.qmp.ok("x-query-memslots")
        dev = ms["devices"][0]
        plugged = self.qmp.ok("qom-get", path="vm0", property="size")
        measured = meminfo_kib("VmallocUsed") - self.base_kib
        print(f"{human(requested):>10} {human(plugged):>10} {elapsed * 1000:>8.1f} ms"
              f" {dev['mapped-slots']:>6} {human(dev['mapped-bytes']):>10}"
              f" {human(dev['kernel-cost']):>10} {human(measured * 1024):>10}"
              f" {human(rss_kib(self.proc.pid) * 1024):>10}", flush=True)

    def close(self):
        try:
            self.qmp.cmd("quit")
        except qmp_client.QmpError:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def main():
    build = os.environ.get("FLEXVM_BUILD", os.path.join(TOP, "build"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flexvm", default=os.path.join(build, "flexvm"))
    ap.add_argument("--guest", default=os.path.join(build, "tests/guest/guest.elf"))
    ap.add_argument("--linux", action="store_true",
                    help="boot Debian's Linux instead of the test guest")
    args = ap.parse_args()
    if args.linux:
        if os.path.exists("/sys/module/kvm_pvm"):
            sys.exit("--linux: this host's KVM is PVM (nested, no VMX/SVM); unmodified "
                     "Linux cannot boot here. Run the default demo instead.")
        img = os.path.join(build, "linux-guest")
        subprocess.run([os.path.join(TOP, "tools", "linux-guest.sh"), img], check=True)
        args.kernel, args.initrd = os.path.join(img, "bzImage"), os.path.join(img, "initrd.img")

    with tempfile.TemporaryDirectory() as tmp:
        demo = Demo(args, tmp)
        print("$ " + " ".join(demo.cmd))
        print("guest: " + ("Debian Linux" if args.linux else
                           "flexvm's test guest (Linux-like virtio-mem driver, pattern check)"))
        print(f"\n{'requested':>10} {'plugged':>10} {'resize':>11} {'slots':>6}"
              f" {'mapped':>10} {'kernel*':>10} {'kernel':>10} {'RSS':>10}")
        try:
            demo.wait_settled(0, 60)
            demo.row(0, 0.0)
            for size in TRACE[1:]:
                t0 = time.monotonic()
                demo.qmp.ok("qom-set", path="vm0", property="requested-size", value=size)
                demo.wait_settled(size, 300)
                demo.row(size, time.monotonic() - t0)
        finally:
            demo.close()
        print("\nresize: from qom-set until the guest settled and checked its pattern"
              " (plugged blocks are written, so growing includes first touches);"
              "\nslots/mapped: KVM memslots flexvm mapped for the device;"
              " kernel*: their metadata by KVM's x86 formula;"
              "\nkernel: measured growth of the host's VmallocUsed since flexvm"
              " started (the whole VM, boot RAM included);"
              "\nRSS: flexvm's resident memory. A 1 TiB device costs QEMU 7.2"
              " 2.5 GiB of kernel memory whatever is plugged.")
        log = demo.console()
        checked = re.findall(r"^vmem: pattern ok, (\d+) MiB checked", log, re.M)
        if not args.linux:
            fails = re.findall(r"^FAIL: .*", log, re.M)
            print(f"guest pattern checks: {len(checked)} passed, {len(fails)} failed"
                  + ("" if not fails else "\n" + "\n".join(fails)))
            sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
