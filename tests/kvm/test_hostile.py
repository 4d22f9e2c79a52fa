# SPDX-License-Identifier: MIT
"""Hostile-guest attacks (tests/guest scenario=hostile) under flexvm.

Each attack of the guest's tables runs in its own VM, with two vCPUs, a
virtio-rng-pci, a virtio-mem-pci (4 GiB backend, 256 MiB requested,
unplugged-inaccessible=on), isa-debug-exit, a serial console and a QMP
socket. The guest waits after the attack (wait=1) so that QMP's
query-status is asked while the device is still in the state the attack
left; then the guest's own health check runs (virtio-rng, virtio-mem,
console). flexvm must exit with the guest's code 0, print PASS for the
attack and no FAIL, raise no sanitizer report (the sanitizer CI run points
FLEXVM at an ASan+UBSan build), and, with -machine x-canary=on, find the
canary mappings around guest memory intact.

The attack names come from the guest itself (attack=list) at collection
time, so a new attack is a new test; attack=all runs every one in one VM.
"""
import os
import re
import subprocess

import pytest

from conftest import debug_exit_status, qmp_client

DEVICE_ARGS = [
    "-smp", "2",
    "-object", "memory-backend-ram,id=mem0,size=4G,reserve=off",
    "-device", "virtio-mem-pci,id=vm0,memdev=mem0,requested-size=256M,"
               "unplugged-inaccessible=on",
    "-device", "virtio-rng-pci,id=rng0",
]
MEMORY = "512M,maxmem=8G"
CANARY_ARGS = ["-machine", "x-canary=on"]
ATTACK_TIMEOUT = 300   # the 1e6-notify storm is the slowest, ~40 s here
ALL_TIMEOUT = 1800
SANITIZER = re.compile(r"ERROR: (Address|Leak)Sanitizer|runtime error:|"
                       r"SUMMARY: \w+Sanitizer")
# The exit status already shows a damaged canary; this names it.
CANARY_DAMAGE = re.compile(r"canary.*(damag|corrupt|overwrit|changed|touched)",
                           re.I)


def _list_attacks():
    """The attack names the guest lists, or [] when it cannot be run."""
    flexvm, guest = os.environ.get("FLEXVM"), os.environ.get("FLEXVM_GUEST")
    if not (flexvm and guest and os.path.exists(flexvm)
            and os.path.exists(guest) and os.access("/dev/kvm", os.W_OK)):
        return []
    argv = [flexvm, "-display", "none", "-nodefaults", "-m", MEMORY,
            "-serial", "stdio", "-device", "isa-debug-exit", "-kernel", guest,
            "-append", "scenario=hostile attack=list"] + DEVICE_ARGS
    out = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                         text=True, timeout=60).stdout
    return re.findall(r"^hostile: attack (\S+)$", out, re.M)


def pytest_generate_tests(metafunc):
    if "attack" in metafunc.fixturenames:
        names = _list_attacks()
        # Without a runnable guest the test is skipped with the reason,
        # not silently dropped.
        metafunc.parametrize("attack", names or ["(guest not runnable)"])


@pytest.fixture(scope="session")
def canary(flexvm, guest, kvm):
    """The -machine x-canary=on arguments if this flexvm has the option."""
    argv = [flexvm, "-display", "none", "-nodefaults", "-m", "256M",
            "-serial", "stdio", "-device", "isa-debug-exit", "-kernel", guest,
            "-append", "scenario=exit code=0"] + CANARY_ARGS
    res = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                         text=True, timeout=60)
    if "x-canary" in res.stderr and "not found" in res.stderr:
        return None
    return CANARY_ARGS


def hostile_vm(flexvm, guest, append, canary_args, timeout, stdin=False):
    extra = DEVICE_ARGS + list(canary_args or [])
    return qmp_client().QmpVm("flexvm", flexvm, guest, append=append,
                              extra=extra, memory=MEMORY, stdin=stdin,
                              timeout=timeout)


def check_exit(status, out, err, why):
    """Guest code 0, no FAIL line, no sanitizer report, canary intact."""
    assert status == debug_exit_status(0), why
    assert "flexvm-test-guest: done" in out, why
    fails = [l for l in out.splitlines() if l.startswith("FAIL:")]
    assert fails == [], why
    assert not SANITIZER.search(err), why
    assert not CANARY_DAMAGE.search(err), why


def test_hostile_attack(flexvm, guest, kvm, canary, attack):
    if attack == "(guest not runnable)":
        pytest.skip("FLEXVM/FLEXVM_GUEST not set or /dev/kvm unusable: "
                    "cannot list the attacks")
    append = f"scenario=hostile attack={attack} wait=1"
    with hostile_vm(flexvm, guest, append, canary, ATTACK_TIMEOUT,
                    stdin=True) as vm:
        vm.expect(rf"hostile: {re.escape(attack)}: attacked, waiting",
                  ATTACK_TIMEOUT)
        # The device may be broken now; the VMM must still answer.
        q = vm.connect()
        assert q.ok("query-status")["status"] == "running", vm.describe()
        vm.send_serial("go\n")
        status = vm.wait(ATTACK_TIMEOUT)
        out, err, why = vm.proc.transcript(), vm.proc.stderr(), vm.describe()
    check_exit(status, out, err, why)
    assert f"PASS: hostile: {attack}\n" in out.replace("\r\n", "\n"), why


def test_hostile_all(flexvm, guest, kvm, canary):
    """Every attack in one VM, one after the other; none may be missing."""
    names = _list_attacks()
    assert names, "the guest lists no attack"
    with hostile_vm(flexvm, guest, "scenario=hostile attack=all", canary,
                    ALL_TIMEOUT) as vm:
        vm.expect(r"PASS: hostile: ", ALL_TIMEOUT)
        q = vm.connect()
        assert q.ok("query-status")["status"] == "running", vm.describe()
        status = vm.wait(ALL_TIMEOUT)
        out, err, why = vm.proc.transcript(), vm.proc.stderr(), vm.describe()
    check_exit(status, out, err, why)
    passed = re.findall(r"^PASS: hostile: (\S+)\r?$", out, re.M)
    assert sorted(passed) == sorted(names), why


def test_hostile_canary_checked(flexvm, guest, kvm, canary):
    """The attacks above run with canary mappings around guest memory
    once flexvm has -machine x-canary; until then this is the visible gap."""
    if canary is None:
        pytest.xfail("flexvm has no -machine x-canary yet: host memory "
                     "around guest RAM is checked by ASan only")
    with hostile_vm(flexvm, guest, "scenario=hostile attack=list", canary,
                    60) as vm:
        status = vm.wait(60)
        out, err, why = vm.proc.transcript(), vm.proc.stderr(), vm.describe()
    check_exit(status, out, err, why)
