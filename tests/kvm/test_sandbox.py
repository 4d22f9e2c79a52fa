# SPDX-License-Identifier: MIT
"""The seccomp sandbox (src/core/sandbox.c, docs/security.md) on the real
binary: every thread filtered by default, normal operation stays inside
the lists, and a forbidden system call kills the process.

The forbidden call is made by a tiny LD_PRELOAD library built here (gcc):
it wraps accept4() (the main loop accepts a QMP client) or ioctl(KVM_RUN)
(a vCPU thread enters the guest), both of which flexvm only reaches after
its filters are in place, and calls socket(2), which no list allows. The
same run with -sandbox off is the control: the process lives on and the
library reports that its socket() call went through.

Also checks that docs/security.md lists exactly what the tables in
src/core/sandbox.c allow (no KVM needed for that one)."""
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import debug_exit_status, qmp_client
from vmproc import VMProcess

TOP = Path(__file__).resolve().parents[2]
MiB = 1 << 20
BANNER = "flexvm-test-guest: scenario=vmem"
RESIZE_LINE = re.compile(r"^vmem: requested=(\d+) plugged=(\d+) usable=\d+ "
                         r"requests=\d+ time_us=\d+\r?\n", re.M)
SHIM_MARK = "sandbox-shim: socket() went through"

SHIM_C = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kvm.h>

static int (*real_accept4)(int, struct sockaddr *, socklen_t *, int);
static int (*real_ioctl)(int, unsigned long, ...);
static const char *hook, *action;

/* Resolved at load time: dlsym() must not run inside the sandbox. */
__attribute__((constructor)) static void shim_init(void)
{
	real_accept4 = dlsym(RTLD_NEXT, "accept4");
	real_ioctl = dlsym(RTLD_NEXT, "ioctl");
	hook = getenv("SANDBOX_SHIM_HOOK");
	action = getenv("SANDBOX_SHIM_ACTION");
}

static void forbidden(const char *where)
{
	static const char mark[] = "MARK\n";
	void *volatile p;
	long fd;

	if (!hook || strcmp(hook, where))
		return;
	if (action && !strcmp(action, "double-free")) {
		p = malloc(16);	/* a finding for a sanitizer to report */
		free(p);
		free(p);
		return;
	}
	fd = syscall(SYS_socket, AF_UNIX, SOCK_DGRAM, 0);
	if (fd >= 0) {
		syscall(SYS_close, fd);
		syscall(SYS_write, 2, mark, sizeof(mark) - 1);
	}
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	forbidden("accept4");
	return real_accept4(fd, addr, len, flags);
}

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (request == KVM_RUN)
		forbidden("kvm_run");
	return real_ioctl(fd, request, arg);
}
""".replace("MARK", SHIM_MARK)


PF_USER_WORKER = 0x4000  # a kernel-owned task in the process (KVM's NX recovery)


def thread_status(pid):
    """{tid: (name, Seccomp, Seccomp_filters, NoNewPrivs)} of the process's
    own threads: kernel user-worker tasks (they never run user code) left out."""
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/stat") as f:
            flags = int(f.read().rsplit(")", 1)[1].split()[6])
        if flags & PF_USER_WORKER:
            continue
        fields = {}
        with open(f"/proc/{pid}/task/{tid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        name = "main" if int(tid) == pid else fields["Name"]
        threads[int(tid)] = (name, int(fields["Seccomp"]),
                             int(fields["Seccomp_filters"]), int(fields["NoNewPrivs"]))
    return threads


def echo_vm(flexvm, guest, extra=()):
    return qmp_client().QmpVm("flexvm", flexvm, guest, append="scenario=echo",
                              extra=["-smp", "2"] + list(extra))


@pytest.mark.parametrize("sandbox", ["default", "off"])
def test_every_thread_is_filtered_by_default(flexvm, guest, kvm, sandbox):
    extra = ["-sandbox", "off"] if sandbox == "off" else []
    with echo_vm(flexvm, guest, extra) as vm:
        vm.expect(r"echo: ready")
        vm.connect()    # the main loop runs: every filter is in place
        pid = vm.proc.proc.pid
        threads = thread_status(pid)
        why = f"{threads}\n{vm.describe()}"
        names = sorted(name for name, *_ in threads.values())
        assert names == ["CPU 0/KVM", "CPU 1/KVM", "main"], why
        if sandbox == "off":
            assert {t[1:] for t in threads.values()} == {(0, 0, 0)}, why
        else:
            # One filter each: the vCPU threads started before the main
            # thread loaded its list, so they did not inherit it.
            assert {t[1:] for t in threads.values()} == {(2, 1, 1)}, why
        os.kill(pid, signal.SIGTERM)
        status = vm.wait(30)
        assert status == 0, vm.describe()
        assert "terminating on signal 15" in vm.proc.stderr(), vm.describe()


def resize(vm, q, size):
    q.ok("qom-set", {"path": "vm0", "property": "requested-size", "value": size})
    m = vm.expect(RESIZE_LINE, timeout=120)
    assert (int(m[1]), int(m[2])) == (size, size), vm.describe()
    vm.expect(r"^vmem: settled", timeout=60)


def test_normal_operation_stays_inside_the_lists(flexvm, guest, kvm):
    """QMP from connect to quit, virtio-mem plug and unplug on a memfd
    (discard punches holes), stop/cont, a second client, HMP, and a
    system_reset that reads the kernel again, all with the sandbox on."""
    extra = ["-smp", "2",
             "-object", "memory-backend-memfd,id=mem0,size=16G",
             "-device", "virtio-mem-pci,id=vm0,memdev=mem0,requested-size=0,"
                        "unplugged-inaccessible=on",
             "-device", "virtio-rng-pci", "-pidfile", "@DIR@/flexvm.pid"]
    with qmp_client().QmpVm("flexvm", flexvm, guest, append="scenario=vmem mode=follow",
                            extra=extra, memory="512M,maxmem=64G", stdin=True,
                            timeout=120) as vm:
        pidfile = vm.tmp_path("flexvm.pid")
        vm.expect(r"^vmem: settled", timeout=90)
        q = vm.connect()
        assert q.ok("query-status")["status"] == "running"
        resize(vm, q, 256 * MiB)
        q.ok("stop")
        q.wait_event("STOP")
        assert q.ok("query-status")["status"] == "paused"
        q.ok("cont")
        q.wait_event("RESUME")
        assert "running" in q.ok("human-monitor-command",
                                  {"command-line": "info status"})
        resize(vm, q, 0)
        q2 = vm.connect()
        assert q2.ok("query-memory-devices")[0]["data"]["size"] == 0
        q2.close()
        q.ok("system_reset")
        q.wait_event("RESET")
        vm.expect(BANNER, timeout=60)
        vm.expect(r"^vmem: settled", timeout=90)
        assert os.path.exists(pidfile), vm.describe()
        q.ok("quit")
        status = vm.wait(30)
        why = vm.describe()
    assert status == 0, why
    assert not os.path.exists(pidfile), why


def test_reset_after_kernel_and_initrd_deleted(flexvm, guest, kvm, tmp_path):
    """The sandboxed main thread cannot open files: a system_reset reads
    the -kernel and -initrd through the descriptors kept since start-up,
    so it boots again even once both files are gone (QEMU reloads its
    in-memory copy, same outcome)."""
    kernel = tmp_path / "guest.elf"
    initrd = tmp_path / "initrd.img"
    shutil.copy(guest, kernel)
    initrd.write_bytes(b"initrd" * 1000)
    # mode=follow keeps the guest running (waiting for resizes), so the
    # reset cannot race a guest that already exited.
    extra = ["-initrd", str(initrd),
             "-object", "memory-backend-ram,id=mem0,size=1G",
             "-device", "virtio-mem-pci,id=vm0,memdev=mem0,requested-size=0"]
    with qmp_client().QmpVm("flexvm", flexvm, str(kernel),
                            append="scenario=vmem mode=follow", extra=extra,
                            memory="256M,maxmem=2G", timeout=120) as vm:
        vm.expect(r"^vmem: settled", timeout=90)
        q = vm.connect()
        kernel.unlink()
        initrd.unlink()
        q.ok("system_reset")
        q.wait_event("RESET")
        vm.expect(BANNER, timeout=60)
        vm.expect(r"^vmem: settled", timeout=90)
        assert q.ok("query-status")["status"] == "running"
        q.ok("quit")
        status = vm.wait(30)
        why = vm.describe()
    assert status == 0, why


def test_rng_msix_and_debug_exit_stay_inside_the_lists(run_guest, tmp_path):
    """virtio-rng through MSI-X (its queue served from an ioeventfd or an
    MMIO notify), then the guest's isa-debug-exit write, a vCPU exit that
    ends the process through the main loop, which removes the -pidfile."""
    pidfile = tmp_path / "flexvm.pid"
    r = run_guest("scenario=rng irq=msix bytes=4096",
                  extra=["-smp", "2", "-device", "virtio-rng-pci",
                         "-pidfile", str(pidfile)])
    assert "rng: 4096 bytes in" in r.out, r
    assert r.lines("FAIL:") == [], r
    assert r.status == debug_exit_status(0), r
    assert not pidfile.exists(), r


def test_terminal_session_stays_inside_the_lists(flexvm, guest, kvm):
    """On a terminal: raw mode, input, Ctrl-a x, and the terminal restored
    at exit (the other tests run flexvm on pipes, which skips all that)."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execv(flexvm, [flexvm, "-kernel", guest, "-nographic", "-m", "256M",
                              "-append", "scenario=echo"])
        finally:
            os._exit(127)
    out = b""

    def read_until(marker, timeout):
        nonlocal out
        deadline = time.monotonic() + timeout
        while marker not in out and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    data = os.read(fd, 4096)
                except OSError:     # EIO: the other side is gone
                    return
                if not data:
                    return
                out += data

    try:
        read_until(b"echo: ready", 30)
        os.write(fd, b"hello\r")
        read_until(b"echo: hello", 10)
        os.write(fd, b"\x01x")    # Ctrl-a x: quit, as QEMU's mux
        read_until(b"\xff", 10)    # to EOF
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    why = out.decode(errors="replace")
    assert "echo: hello" in why, why
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, (status, why)


@pytest.fixture(scope="module")
def shim(tmp_path_factory):
    gcc = shutil.which("gcc")
    if not gcc:
        pytest.skip("gcc is not installed: cannot build the LD_PRELOAD library")
    d = tmp_path_factory.mktemp("sandbox-shim")
    (d / "shim.c").write_text(SHIM_C)
    subprocess.run([gcc, "-shared", "-fPIC", "-g", "-O0", "-o", str(d / "shim.so"),
                    str(d / "shim.c"), "-ldl"], check=True)
    return str(d / "shim.so")


def shim_env(shim, hook, action="socket", asan=()):
    env = dict(os.environ, LD_PRELOAD=shim, SANDBOX_SHIM_HOOK=hook,
               SANDBOX_SHIM_ACTION=action)
    # An ASan build wants its runtime first in the library list; later
    # options override earlier ones.
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"),
                                                 "verify_asan_link_order=0",
                                                 *asan]))
    return env


@pytest.mark.parametrize("sandbox", ["default", "off"])
def test_forbidden_call_on_a_vcpu_thread_kills(flexvm, guest, kvm, shim, sandbox):
    argv = [flexvm, "-kernel", guest, "-nographic", "-m", "256M",
            "-append", "scenario=hello"]
    if sandbox == "off":
        argv += ["-sandbox", "off"]
    p = subprocess.run(argv, env=shim_env(shim, "kvm_run"), stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60)
    why = f"status {p.returncode}\n{p.stdout}\n{p.stderr}"
    if sandbox == "off":
        assert p.returncode == debug_exit_status(0), why
        assert SHIM_MARK in p.stderr, why
    else:
        assert p.returncode == -signal.SIGSYS, why
        assert SHIM_MARK not in p.stderr, why


@pytest.mark.parametrize("sandbox", ["default", "off"])
def test_forbidden_call_on_the_main_thread_kills(flexvm, guest, kvm, shim, sandbox,
                                                 tmp_path):
    sock = str(tmp_path / "qmp.sock")
    argv = [flexvm, "-kernel", guest, "-nographic", "-m", "256M",
            "-append", "scenario=echo", "-qmp", f"unix:{sock},server=on,wait=off"]
    if sandbox == "off":
        argv += ["-sandbox", "off"]
    client = qmp_client().QmpClient
    with VMProcess(argv, env=shim_env(shim, "accept4"), stdin=True,
                   split_stderr=True, timeout=30) as proc:
        proc.expect(r"echo: ready")
        alive = lambda: proc.returncode is None
        if sandbox == "off":
            with client.connect(sock, alive=alive) as q:
                q.negotiate()
                assert q.ok("query-status")["status"] == "running"
            proc.send("quit\n")
            assert proc.wait(30) == debug_exit_status(0), proc.describe()
            assert SHIM_MARK in proc.stderr(), proc.describe()
        else:
            # accept4() is where it dies: the greeting never comes.
            with pytest.raises(AssertionError):
                client.connect(sock, alive=alive, timeout=10).close()
            assert proc.wait(30) == -signal.SIGSYS, proc.describe()
            assert SHIM_MARK not in proc.stderr(), proc.describe()


def built_with_asan(binary):
    with open(binary, "rb") as f:
        return b"libasan.so" in f.read()


@pytest.mark.parametrize("output", ["stderr", "log_path"])
@pytest.mark.parametrize("hook", ["kvm_run", "accept4"])
def test_sanitizer_report_survives_the_sandbox(flexvm, guest, kvm, shim, hook,
                                               output, tmp_path):
    """In an ASan build the sandbox stays on and a finding (a double free
    in the shim, on a vCPU thread or the main thread) still gets its full
    report, symbolized, on stderr or in a log_path= file (CI's sanitizer
    pass uses one), and ASan's exit status instead of SIGSYS. The report
    goes to this test's own place, not to CI's report directory: it is
    the expected outcome here, not a finding."""
    if not built_with_asan(flexvm):
        pytest.skip("FLEXVM is not built with AddressSanitizer")
    sock = str(tmp_path / "qmp.sock")
    log = tmp_path / "asan"
    where = "log_path=stderr" if output == "stderr" else f"log_path={log}"
    argv = [flexvm, "-kernel", guest, "-nographic", "-m", "256M",
            "-append", "scenario=echo", "-qmp", f"unix:{sock},server=on,wait=off"]
    env = shim_env(shim, hook, "double-free", asan=[where, "halt_on_error=1"])
    with VMProcess(argv, env=env, stdin=True, split_stderr=True, timeout=60) as proc:
        if hook == "accept4":
            proc.expect(r"echo: ready")
            with pytest.raises(AssertionError):
                qmp_client().QmpClient.connect(sock, timeout=10).close()
        status = proc.wait(60)
        report = proc.stderr()
    if output == "log_path":
        files = list(tmp_path.glob("asan.*"))
        assert len(files) == 1, (files, report)
        report = files[0].read_text(errors="replace")
    assert "ERROR: AddressSanitizer: attempting double-free" in report, report
    assert "SUMMARY: AddressSanitizer: double-free" in report, report
    assert "shim.c:" in report, report     # symbolized frames
    assert status == 1, (status, report)


# ---- docs/security.md against src/core/sandbox.c ----

ROW = re.compile(r"^\| `(\w+)` \|\s*(yes)?\s*\|\s*(yes)?\s*\| .+\|$")


def code_tables():
    src = (TOP / "src/core/sandbox.c").read_text()
    tables = {}
    for name, key in (("sandbox_table", "syscalls"),
                      ("sandbox_sanitizer_table", "sanitizer"),
                      ("sandbox_ioctl_table", "ioctls"),
                      ("sandbox_sanitizer_ioctl_table", "sanitizer_ioctls")):
        body = re.search(name + r"\[\] = \{(.*?)\n\};", src, re.S)
        assert body, f"{name} not found in sandbox.c"
        rows = re.findall(r'\{ "(\w+)", ([MV |]+), ARGS_\w+ \}', body[1]) or \
            re.findall(r"IOCTL\((\w+), ([MV |]+)\)", body[1])
        tables[key] = [(n, "M" in c, "V" in c) for n, c in rows]
    return tables


def doc_tables():
    text = (TOP / "docs/security.md").read_text()
    section = re.search(r"^## seccomp\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert section, "docs/security.md has no '## seccomp' section"
    tables, current = {}, None
    headings = {"### System calls": "syscalls", "### ioctl requests": "ioctls",
                "### Sanitizer builds": "sanitizer",
                "#### ioctl requests in sanitizer builds": "sanitizer_ioctls"}
    for line in section[1].splitlines():
        if line.startswith(("### ", "#### ")):
            current = headings.get(line.strip())
        m = ROW.match(line)
        if current and m:
            tables.setdefault(current, []).append((m[1], m[2] == "yes", m[3] == "yes"))
    return tables


def test_docs_list_exactly_what_the_code_allows():
    assert doc_tables() == code_tables()
