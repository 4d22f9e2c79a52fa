# SPDX-License-Identifier: MIT
"""Fixtures for the integration tests: the flexvm binary, the test guest,
QEMU 7.2 as the reference VMM, and helpers that run a VM to completion.

FLEXVM, FLEXVM_GUEST and FLEXVM_BUILD come from scripts/test.sh."""
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))

import sanitizer_reports  # noqa: E402  (tests/lib, just put on the path)


def qmp_client():
    """tests/lib/qmp.py, loaded by path as qmp_client: in a pytest run that
    also collects tests/qmp, that package would shadow a plain "import qmp"
    (tests/qmp/conftest.py loads it the same way)."""
    if "qmp_client" in sys.modules:
        return sys.modules["qmp_client"]
    path = Path(__file__).resolve().parents[1] / "lib" / "qmp.py"
    if not path.exists():
        pytest.skip("tests/lib/qmp.py (the QMP client) is missing")
    spec = importlib.util.spec_from_file_location("qmp_client", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["qmp_client"] = mod
    spec.loader.exec_module(mod)
    return mod


def debug_exit_status(code):
    """The process status isa-debug-exit gives for a guest's code (QEMU's)."""
    return ((code << 1) | 1) & 0xFF


def _path_from_env(name):
    path = os.environ.get(name)
    if not path or not os.path.exists(path):
        pytest.skip(f"{name} is not set or missing: run through scripts/test.sh")
    return path


@pytest.fixture(autouse=True)
def sanitizer_check_test():
    """In the ASan+UBSan pass, a sanitizer report fails the test that caused it."""
    yield from sanitizer_reports.watch("test")


@pytest.fixture(autouse=True, scope="module")
def sanitizer_check_module():
    """...and the module, for VMs that live as long as the module."""
    yield from sanitizer_reports.watch("module")


@pytest.fixture(scope="session")
def flexvm():
    return _path_from_env("FLEXVM")


@pytest.fixture(scope="session")
def guest():
    return _path_from_env("FLEXVM_GUEST")


@pytest.fixture(scope="session")
def kvm():
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        pytest.skip("/dev/kvm is not usable on this host")


@pytest.fixture(scope="session")
def qemu():
    if sanitizer_reports.active():
        # Only flexvm is built with sanitizers: QEMU-only runs would repeat
        # the plain pass for nothing but time.
        pytest.skip(sanitizer_reports.skip_reason(
            "QEMU 7.2 alone, already run in the plain pass"))
    path = shutil.which("qemu-system-x86_64")
    if not path:
        pytest.skip("qemu-system-x86_64 is not installed (scripts/setup.sh installs it)")
    return path


class VmResult:
    def __init__(self, proc):
        self.status = proc.returncode
        self.out = proc.stdout.decode(errors="replace")
        self.err = proc.stderr.decode(errors="replace")

    def lines(self, prefix):
        return [l[len(prefix):].strip() for l in self.out.splitlines()
                if l.startswith(prefix)]

    def __repr__(self):
        return f"status={self.status}\n--- stdout ---\n{self.out}\n--- stderr ---\n{self.err}"


def run(cmd, timeout=60, stdin=subprocess.DEVNULL, **kw):
    proc = subprocess.run(cmd, stdin=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout, **kw)
    return VmResult(proc)


@pytest.fixture
def run_flexvm(flexvm, kvm):
    def go(args, timeout=60, **kw):
        return run([flexvm] + list(args), timeout=timeout, **kw)
    return go


@pytest.fixture
def run_guest(flexvm, guest, kvm):
    """Boots the test guest under flexvm with a scenario; returns VmResult."""
    def go(append, extra=(), timeout=60, **kw):
        cmd = [flexvm, "-kernel", guest, "-nographic", "-m", "256M",
               "-append", append] + list(extra)
        return run(cmd, timeout=timeout, **kw)
    return go


@pytest.fixture
def run_guest_qemu(qemu, guest, kvm):
    """The same guest under QEMU 7.2, the reference VMM."""
    def go(append, extra=(), timeout=90):
        cmd = [qemu, "-accel", "kvm", "-cpu", "host,-arch-capabilities", "-m", "256M",
               "-display", "none", "-serial", "stdio", "-monitor", "none",
               "-no-user-config", "-nodefaults", "-device", "isa-debug-exit",
               "-kernel", guest, "-append", append] + list(extra)
        return run(cmd, timeout=timeout)
    return go
