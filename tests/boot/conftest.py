"""Fixtures for the Linux boot tests: the flexvm binary, the build dir, the guest image.

The test runner sets FLEXVM (path of the flexvm binary) and FLEXVM_BUILD (build dir). The
guest image is built, or found cached, by tools/linux-guest.sh in $FLEXVM_BUILD/linux-guest.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# tests/lib holds helpers shared by all pytest suites (vmproc, flexvm_layout).
sys.path.insert(0, str(REPO / "tests" / "lib"))

LINUX_GUEST_SCRIPT = REPO / "tools" / "linux-guest.sh"
EX_TEMPFAIL = 75  # linux-guest.sh: packages could not be fetched (no mirror, no network)
PVM_SKIP_REASON = ("host KVM is PVM (nested, no VMX/SVM): unmodified Linux cannot boot; "
                   "see shared docs host-kvm.md")


def host_is_pvm() -> bool:
    """PVM runs an unmodified kernel's CPL0 code under the instruction emulator, where it
    dies after the first seconds of boot (host-kvm.md)."""
    return Path("/sys/module/kvm_pvm").exists()


def kvm_usable() -> bool:
    return os.access("/dev/kvm", os.R_OK | os.W_OK)


def pytest_report_header(config):
    kind = "absent" if not Path("/dev/kvm").exists() else ("PVM" if host_is_pvm() else "hardware")
    return [f"flexvm boot tests: FLEXVM={os.environ.get('FLEXVM', '(unset)')} "
            f"FLEXVM_BUILD={os.environ.get('FLEXVM_BUILD', '(unset)')} host KVM: {kind}"]


@pytest.fixture(scope="session")
def kvm():
    """Skip unless /dev/kvm can be opened for reading and writing."""
    if not Path("/dev/kvm").exists():
        pytest.skip("/dev/kvm is absent: no KVM on this host")
    if not kvm_usable():
        pytest.skip("/dev/kvm is not readable and writable by this user")


@pytest.fixture(scope="session")
def unmodified_linux_host(kvm):
    """Skip unless this host's KVM can run an unmodified Linux kernel to userspace."""
    if host_is_pvm():
        pytest.skip(PVM_SKIP_REASON)


@pytest.fixture(scope="session")
def flexvm_binary() -> Path:
    value = os.environ.get("FLEXVM")
    if not value:
        pytest.skip("FLEXVM is not set (the test runner sets it to the flexvm binary)")
    path = Path(value)
    # Before flexvm's main program exists the runner still points FLEXVM at the build dir.
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.skip(f"FLEXVM={value} is not an executable file (flexvm not built?)")
    return path


@pytest.fixture(scope="session")
def flexvm_build_dir() -> Path:
    value = os.environ.get("FLEXVM_BUILD")
    if not value:
        pytest.skip("FLEXVM_BUILD is not set (the test runner sets it to the build dir)")
    path = Path(value)
    if not path.is_dir():
        pytest.skip(f"FLEXVM_BUILD={value} is not a directory (not configured yet?)")
    return path


@dataclass(frozen=True)
class LinuxGuest:
    dir: Path
    bzimage: Path
    vmlinux: Path
    initrd: Path
    stamp: str  # package versions the image was built from


@pytest.fixture(scope="session")
def linux_guest(flexvm_build_dir: Path) -> LinuxGuest:
    """The Debian kernel + busybox initrd, built once and cached by tools/linux-guest.sh."""
    outdir = flexvm_build_dir / "linux-guest"
    try:
        run = subprocess.run(["bash", str(LINUX_GUEST_SCRIPT), str(outdir)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, timeout=900)
    except subprocess.TimeoutExpired:
        pytest.skip("tools/linux-guest.sh took more than 900 s (slow or stuck package download)")
    tail = "\n".join(run.stdout.splitlines()[-15:])
    if run.returncode == EX_TEMPFAIL:
        pytest.skip(f"cannot build the Linux guest image (Debian packages unavailable):\n{tail}")
    if run.returncode != 0:
        pytest.fail(f"tools/linux-guest.sh failed with exit status {run.returncode}:\n{tail}")
    guest = LinuxGuest(dir=outdir, bzimage=outdir / "bzImage", vmlinux=outdir / "vmlinux",
                       initrd=outdir / "initrd.img",
                       stamp=(outdir / "linux-guest.stamp").read_text().strip())
    for path in (guest.bzimage, guest.vmlinux, guest.initrd):
        if not path.is_file():
            pytest.fail(f"tools/linux-guest.sh succeeded but {path} is missing")
    return guest
