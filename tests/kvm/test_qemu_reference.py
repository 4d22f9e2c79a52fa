# SPDX-License-Identifier: MIT
"""The same test guest under QEMU 7.2, the reference VMM: the scenarios
that pass under flexvm must pass under QEMU too, so the guest tests the
VMM's device model and not flexvm's quirks. Each boot costs ~4 s here
(SeaBIOS runs under PVM's instruction emulator)."""
from conftest import debug_exit_status

BANNER = "flexvm-test-guest: scenario="


def test_qemu_hello(run_guest_qemu):
    r = run_guest_qemu("scenario=hello")
    assert f"{BANNER}hello" in r.out, r
    assert r.lines("FAIL:") == [], r
    assert r.status == debug_exit_status(0), r


def test_qemu_exit_status(run_guest_qemu):
    r = run_guest_qemu("scenario=exit code=5")
    assert r.status == debug_exit_status(5), r


def test_qemu_smp2(run_guest_qemu):
    # SeaBIOS's MP table lists only the first CPU of each package, so
    # QEMU needs one socket per CPU for the guest to find both.
    r = run_guest_qemu("scenario=smp cpus=2", extra=["-smp", "2,sockets=2"])
    assert r.lines("FAIL:") == [], r
    assert sorted(r.lines("cpu ")) == ["0 online", "1 online"], r
    assert r.status == debug_exit_status(0), r


def test_qemu_reboot_with_no_reboot_exits_zero(run_guest_qemu):
    r = run_guest_qemu("scenario=reboot", extra=["-no-reboot"])
    assert r.status == 0, r


def test_qemu_triple_fault_with_no_reboot_exits_zero(run_guest_qemu):
    r = run_guest_qemu("scenario=triple", extra=["-no-reboot"])
    assert r.status == 0, r


def test_qemu_rtc(run_guest_qemu):
    r = run_guest_qemu("scenario=rtc")
    assert len(r.lines("rtc:")) == 1, r
    assert r.status == debug_exit_status(0), r
