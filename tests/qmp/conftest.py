# SPDX-License-Identifier: MIT
"""Fixtures for the QMP monitor tests: which VMM to test, and VMs with a QMP socket.

The suite runs against flexvm (FLEXVM, FLEXVM_GUEST come from scripts/test.sh).
FLEXVM_QMP_VMM=qemu runs the same tests against QEMU 7.2 instead, which is how
they were written: a test that passes there checks QEMU's behaviour, not ours.
Tests of things flexvm does on purpose differently from QEMU 7.2 (docs/qmp.md)
are marked flexvm_only and skip under QEMU. The differential test always runs
both and needs only qemu-system-x86_64 besides flexvm.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[1] / "lib"
sys.path.insert(0, str(LIB))

# This package is called "qmp" too, so "import qmp" would find it rather than
# tests/lib/qmp.py: load the client by path, under the name qmp_client.
if "qmp_client" not in sys.modules:
    _spec = importlib.util.spec_from_file_location("qmp_client", LIB / "qmp.py")
    _mod = importlib.util.module_from_spec(_spec)
    sys.modules["qmp_client"] = _mod
    _spec.loader.exec_module(_mod)

from qmp_client import QmpVm  # noqa: E402
import sanitizer_reports  # noqa: E402

BANNER = "flexvm-test-guest: scenario="
QEMU = "qemu-system-x86_64"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "flexvm_only(reason): a deliberate difference from QEMU 7.2; "
        "skipped when FLEXVM_QMP_VMM=qemu")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("FLEXVM_QMP_VMM", "flexvm") != "qemu":
        return
    for item in items:
        mark = item.get_closest_marker("flexvm_only")
        if mark:
            why = mark.args[0] if mark.args else "flexvm-specific"
            item.add_marker(pytest.mark.skip(reason=f"QEMU 7.2 differs on purpose: {why}"))


@pytest.fixture(autouse=True)
def sanitizer_check_test():
    """In the ASan+UBSan pass, a sanitizer report fails the test that caused it."""
    yield from sanitizer_reports.watch("test")


@pytest.fixture(autouse=True, scope="module")
def sanitizer_check_module():
    """...and the module, for the VMs module_vmm keeps for a whole module."""
    yield from sanitizer_reports.watch("module")


def _need_file(name: str) -> str:
    path = os.environ.get(name)
    if not path or not os.path.isfile(path):
        pytest.skip(f"{name} is not set or missing: run through scripts/test.sh")
    return path


def _need_kvm() -> None:
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        pytest.skip("/dev/kvm is not usable on this host")


@pytest.fixture(scope="session")
def guest() -> str:
    return _need_file("FLEXVM_GUEST")


@pytest.fixture(scope="session")
def qemu_binary() -> str:
    path = shutil.which(QEMU)
    if not path:
        pytest.skip(f"{QEMU} is not installed (scripts/setup.sh installs it)")
    return path


def _flexvm_has_monitor(flexvm: str, guest: str) -> str | None:
    """None when flexvm takes -qmp, else its complaint. Until the monitor lands flexvm
    refuses -qmp with 'not implemented yet in flexvm'; only that message skips."""
    with tempfile.TemporaryDirectory(prefix="qmp-probe-") as d:
        argv = [flexvm, "-display", "none", "-nodefaults", "-device", "isa-debug-exit",
                "-kernel", guest, "-append", "scenario=exit code=0",
                "-qmp", f"unix:{d}/probe.sock,server=on,wait=off"]
        try:
            r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=30)
        except subprocess.TimeoutExpired:
            return None  # it ran: a monitor that keeps the VM alive is not our call here
    err = r.stderr.decode(errors="replace")
    return err.strip() if "not implemented yet" in err else None


class Vmm:
    """The VMM under test: start(...) returns a QmpVm that the fixture stops."""

    def __init__(self, kind: str, binary: str, guest: str):
        self.kind, self.binary, self.guest = kind, binary, guest
        self._vms: list[QmpVm] = []

    @property
    def is_qemu(self) -> bool:
        return self.kind == "qemu"

    def start(self, append: str | None = "scenario=echo", extra=(), **kw) -> QmpVm:
        vm = QmpVm(self.kind, self.binary, self.guest, append=append, extra=extra,
                   stdin=True, **kw)
        self._vms.append(vm)
        return vm

    def close(self) -> None:
        for vm in self._vms:
            vm.close()
        self._vms.clear()


@pytest.fixture(scope="session")
def vmm_kind() -> str:
    kind = os.environ.get("FLEXVM_QMP_VMM", "flexvm")
    if kind not in ("flexvm", "qemu"):
        pytest.fail(f"FLEXVM_QMP_VMM={kind!r}: use flexvm or qemu")
    return kind


@pytest.fixture(scope="session")
def flexvm_binary(guest) -> str:
    path = _need_file("FLEXVM")
    _need_kvm()
    why = _flexvm_has_monitor(path, guest)
    if why:
        pytest.skip(f"flexvm's monitor has not landed yet: {why}")
    return path


@pytest.fixture(scope="session")
def vmm_binary(vmm_kind, request) -> str:
    if vmm_kind == "qemu":
        _need_kvm()
        return request.getfixturevalue("qemu_binary")
    return request.getfixturevalue("flexvm_binary")


@pytest.fixture
def vmm(vmm_kind, vmm_binary, guest):
    """Per test: start VMs with vmm.start(); all of them are stopped afterwards."""
    v = Vmm(vmm_kind, vmm_binary, guest)
    yield v
    v.close()


@pytest.fixture(scope="module")
def module_vmm(vmm_kind, vmm_binary, guest):
    """Per module, for a VM shared by tests that do not change its state."""
    v = Vmm(vmm_kind, vmm_binary, guest)
    yield v
    v.close()


def guest_banners(vm: QmpVm) -> int:
    """How many times the test guest has started (its first serial line)."""
    return vm.proc.transcript().count(BANNER)
