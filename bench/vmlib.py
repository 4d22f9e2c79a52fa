# SPDX-License-Identifier: MIT
"""Helpers for the memory benchmarks: sizes, host readings (/proc/meminfo,
VmRSS), the memslot cost model, command lines for flexvm and QEMU 7.2 with
a virtio-mem device, and a VM running the test guest's `vmem` scenario,
driven over QMP and timed from its serial output (tests/lib/vmproc.py).
"""
import importlib.util
import os
import shlex
import statistics
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
from vmproc import VMProcess  # noqa: E402

# Loaded under the name the other suites use: "qmp" may be tests/qmp.
_spec = importlib.util.spec_from_file_location(
    "qmp_client", os.path.join(TOP, "tests", "lib", "qmp.py"))
qmp_client = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(qmp_client)

KiB, MiB, GiB, TiB = 1 << 10, 1 << 20, 1 << 30, 1 << 40
BANNER = r"^flexvm-test-guest: scenario="
# The whole line: serial output arrives a few bytes at a time, so a number
# at the end of a pattern could match half-read.
SETTLE = (r"vmem: requested=(?P<req>\d+) plugged=(?P<plugged>\d+) usable=\d+ "
          r"requests=(?P<requests>\d+) time_us=(?P<us>\d+)\r?\n")

verbose = False
emit = print    # where show_cmd() and wait_quiet() report
_shown = set()


def show_cmd(argv):
    """With -v, print each distinct command line once, as it is run."""
    line = shlex.join(argv)
    if verbose and line not in _shown:
        _shown.add(line)
        emit(f"# run: {line}")


def parse_size(text):
    units = {"K": KiB, "M": MiB, "G": GiB, "T": TiB}
    if text[-1].isalpha():
        return int(float(text[:-1]) * units[text[-1].upper()])
    return int(text)


def fmt_size(n):
    for unit, div in (("TiB", TiB), ("GiB", GiB), ("MiB", MiB)):
        if n >= div:
            return f"{n / div:g} {unit}"
    return f"{n} B"


def short_size(n):
    return fmt_size(n).replace(" ", "").replace("iB", "") if n else "0"


def vmalloc_used_kib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("VmallocUsed:"):
                return int(line.split()[1])
    raise RuntimeError("no VmallocUsed in /proc/meminfo")


def kvm_vm_pids():
    """Processes holding a KVM VM fd: other VMs on the host move the
    machine-wide VmallocUsed by megabytes and steal the 2 CPUs."""
    pids = set()
    for p in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{p}/fd"):
                if os.readlink(f"/proc/{p}/fd/{fd}") == "anon_inode:kvm-vm":
                    pids.add(int(p))
                    break
        except OSError:
            continue  # gone, or an fd closed while we looked
    return pids


disturbed = 0   # readings or runs that could not wait for a quiet host


def wait_quiet(own=(), limit=1800):
    """Wait until no process but `own` runs a KVM VM. Returns False (and
    counts it) if the host stayed busy for `limit` seconds."""
    global disturbed
    deadline, said = time.monotonic() + limit, False
    while kvm_vm_pids() - set(own):
        if time.monotonic() > deadline:
            disturbed += 1
            return False
        if not said:
            emit("# waiting: other KVM VMs are running on this host")
            said = True
        time.sleep(2)
    return True


def vmalloc_settled_kib(own=(), pause=0.3, reads=3, gap=0.1, spread=512):
    """VmallocUsed is machine-wide: on a quiet host, after a pause, read it
    a few times and keep the median; read again if the readings spread more
    than `spread` KiB or another VM appeared meanwhile."""
    for _ in range(5):
        wait_quiet(own)
        time.sleep(pause)
        values = []
        for i in range(reads):
            if i:
                time.sleep(gap)
            values.append(vmalloc_used_kib())
        if max(values) - min(values) <= spread and not kvm_vm_pids() - set(own):
            break
    return statistics.median(values)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def floor_kib(plugged):
    """Kernel memory of one memslot of exactly `plugged` bytes (x86 KVM,
    shadow MMU): rmap 8 B per 4 KiB, 2 MiB and 1 GiB page, gfn_track 2 B
    per 4 KiB, lpage_info 4 B per 2 MiB and 1 GiB page, each array
    page-rounded. The model of memslot_kernel_cost() (docs/memslots.md)."""
    if plugged == 0:
        return 0

    def arr(n, size):
        return -(-n * size // 4096) * 4
    p4k, p2m, p1g = plugged // 4096, -(-plugged // (2 * MiB)), -(-plugged // GiB)
    return (arr(p4k, 8) + arr(p2m, 8) + arr(p1g, 8) + arr(p4k, 2)
            + arr(p2m, 4) + arr(p1g, 4))


def firecracker_budget(size):
    """Firecracker's 128 MiB slots exceed the default budget of 256 from
    32 GiB on; give them room (KVM offers 32764 slots here)."""
    return 9000 if size // (128 * MiB) > 256 else None


def maxmem_arg(window):
    """maxmem holds the RAM and the device window."""
    return f"512M,maxmem={(window + 512 * MiB) // MiB}M"


def flexvm_argv(binary, guest, size, append, policy="flexvm", requested=0,
                sock=None, budget=None, window=None):
    """flexvm with the test guest and, if size, one virtio-mem device."""
    argv = [binary, "-display", "none", "-nodefaults", "-serial", "stdio",
            "-device", "isa-debug-exit",
            "-m", maxmem_arg(window or size)]
    if budget:
        argv += ["-machine", f"x-memslot-budget={budget}"]
    if size:
        argv += ["-object", f"memory-backend-ram,id=mem0,size={size},reserve=off",
                 "-device", f"virtio-mem-pci,id=vm0,memdev=mem0,"
                            f"requested-size={requested},x-memslot-policy={policy}"]
    argv += ["-kernel", guest, "-append", append]
    return argv + (["-qmp", f"unix:{sock},server=on,wait=off"] if sock else [])


def qemu_argv(binary, guest, size, append, requested=0, sock=None,
              window=None):
    """QEMU 7.2: the whole device is one KVM slot, mapped at start-up."""
    argv = [binary, "-accel", "kvm", "-cpu", "host,-arch-capabilities",
            "-display", "none", "-nodefaults", "-no-user-config",
            "-serial", "stdio", "-monitor", "none", "-device", "isa-debug-exit",
            "-m", maxmem_arg(window or size)]
    if size:
        argv += ["-object", f"memory-backend-ram,id=mem0,size={size},reserve=off",
                 "-device", f"virtio-mem-pci,id=vm0,memdev=mem0,"
                            f"requested-size={requested},unplugged-inaccessible=on"]
    argv += ["-kernel", guest, "-append", append]
    return argv + (["-qmp", f"unix:{sock},server=on,wait=off"] if sock else [])


class Vm:
    """A VMM running the test guest. `base_kib` is VmallocUsed just before
    the exec; `startup` is exec until the guest's first serial line."""

    def __init__(self, argv, sock=None, stdin=False, timeout=180):
        show_cmd(argv)
        self.base_kib = vmalloc_settled_kib(pause=0.2)  # waits for a quiet host
        self.vm = VMProcess(argv, timeout=timeout, stdin=stdin, split_stderr=True)
        self.pid = self.vm.proc.pid
        try:
            m = self.vm.expect(BANNER)
            self.startup = self.vm.elapsed_at(m.end())
            self.qmp = None
            if sock:
                self.qmp = qmp_client.QmpClient.connect(
                    sock, timeout=60, alive=lambda: self.vm.returncode is None)
                self.qmp.negotiate()
        except BaseException:
            self.close()
            raise

    def expect(self, pattern, timeout=None):
        return self.vm.expect(pattern, timeout)

    def settled(self, size=None, timeout=None):
        """Wait for the guest's settle block (at `size` if given); returns
        (requests, guest time_us, arrival of the settle line's first byte,
        in seconds since spawn). The guest prints that line as soon as
        plugged = requested; the whole line takes 3-4 ms more under PVM
        (one exit per byte)."""
        want = SETTLE if size is None else SETTLE.replace(
            r"(?P<req>\d+) plugged=(?P<plugged>\d+)", f"{size} plugged={size}")
        m = self.vm.expect(want, timeout)
        at = self.vm.elapsed_at(m.start() + 1)
        self.vm.expect(r"^vmem: settled", timeout)
        return int(m.group("requests")), int(m.group("us")), at

    def resize(self, size):
        """qom-set requested-size and wait until the guest settled there.
        Returns (requests, guest time_us, qom-set s, qom-set to settle s)."""
        t0 = self.vm.elapsed()
        self.qmp.ok("qom-set", path="vm0", property="requested-size", value=size)
        t1 = self.vm.elapsed()
        requests, us, at = self.settled(size)
        return requests, us, t1 - t0, at - t0

    def kernel_kib(self):
        return vmalloc_settled_kib(own=[self.pid]) - self.base_kib

    def rss_kib(self):
        return rss_kib(self.pid)

    def device_slots(self):
        """x-query-memslots devices[0] (flexvm only)."""
        return self.qmp.ok("x-query-memslots")["devices"][0]

    def transcript(self):
        return self.vm.transcript()

    def close(self):
        if getattr(self, "qmp", None):
            self.qmp.close()
        self.vm.kill()
        time.sleep(0.3)  # the VM's slots are freed with its last fd


def run_to_exit(argv, pattern, timeout=120):
    """Run a VM that exits by itself; return the match of `pattern`."""
    show_cmd(argv)
    wait_quiet()
    with VMProcess(argv, timeout=timeout, split_stderr=True) as vm:
        m = vm.expect(pattern)
        rc = vm.wait()
        if rc != 1:  # (0 << 1) | 1: the guest passed every check
            raise RuntimeError(f"guest exited with status {rc}\n{vm.describe()}")
        return m


def failure_text(argv):
    """Run a command that should refuse to start; its first stderr line."""
    show_cmd(argv)
    with VMProcess(argv, timeout=30, split_stderr=True) as vm:
        vm.wait()
        return (vm.stderr().strip().splitlines() or ["(no message)"])[0]
