# SPDX-License-Identifier: MIT
"""The test guest under flexvm: console output, exit status, CPUs, reset,
serial input, the RTC, and the memory map the guest receives."""
import datetime
import subprocess
import time

import pytest

import flexvm_layout
from conftest import debug_exit_status

BANNER = "flexvm-test-guest: scenario="


def assert_passed(r, scenario):
    assert f"{BANNER}{scenario}" in r.out, r
    assert r.lines("FAIL:") == [], r
    assert r.lines("PASS:"), r
    assert r.status == debug_exit_status(0), r


def test_hello_prints_and_exits_with_guest_status(run_guest):
    r = run_guest("scenario=hello")
    assert_passed(r, "hello")
    assert "flexvm-test-guest: done" in r.out


def test_exit_status_is_the_debug_exit_code(run_guest):
    r = run_guest("scenario=exit code=5")
    assert r.status == debug_exit_status(5), r


@pytest.mark.parametrize("ram", ["512M", "3G", "5G"])
def test_guest_sees_flexvm_e820_map(run_guest, ram):
    r = run_guest("scenario=hello", extra=["-m", ram])
    # The guest prints "e820: 0x<start>-0x<end> type <n>", end inclusive.
    got = []
    for line in r.lines("e820:"):
        span, _, kind = line.split()
        start, end = (int(x, 16) for x in span.split("-"))
        got.append((start, end, int(kind)))
    want = [(e.start, e.end, e.type)
            for e in flexvm_layout.e820_map(flexvm_layout.parse_size(ram))]
    assert got == want, r


def test_guest_gets_its_command_line(run_guest):
    r = run_guest("scenario=hello extra=words")
    assert "scenario=hello extra=words" in r.out, r


def test_smp2_every_vcpu_reaches_the_guest(run_guest):
    r = run_guest("scenario=smp cpus=2", extra=["-smp", "2"], timeout=90)
    assert_passed(r, "smp")
    assert sorted(r.lines("cpu ")) == ["0 online", "1 online"], r


def test_smp4_every_vcpu_reaches_the_guest(run_guest):
    r = run_guest("scenario=smp cpus=4", extra=["-smp", "4"], timeout=90)
    assert_passed(r, "smp")
    assert len(r.lines("cpu ")) == 4, r


def test_i8042_reset_with_no_reboot_exits_zero(run_guest):
    r = run_guest("scenario=reboot", extra=["-no-reboot"])
    assert r.status == 0, r
    assert f"{BANNER}reboot" in r.out


def test_triple_fault_with_no_reboot_exits_zero(run_guest):
    r = run_guest("scenario=triple", extra=["-no-reboot"])
    assert r.status == 0, r


def _boots_twice(flexvm, guest, scenario):
    """Without -no-reboot the machine resets and the guest boots again."""
    proc = subprocess.Popen([flexvm, "-kernel", guest, "-nographic", "-m",
                             "128M", "-append", f"scenario={scenario}"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    out = b""
    marker = f"{BANNER}{scenario}\n".encode()
    deadline = time.monotonic() + 60
    try:
        while out.count(marker) < 2 and time.monotonic() < deadline:
            chunk = proc.stdout.read1(4096)
            if not chunk:
                break
            out += chunk
    finally:
        proc.kill()
        proc.wait()
    return out.decode(errors="replace")


def test_i8042_reset_reboots_the_machine(flexvm, guest, kvm):
    out = _boots_twice(flexvm, guest, "reboot")
    assert out.count(BANNER + "reboot") >= 2, out


def test_triple_fault_reboots_the_machine(flexvm, guest, kvm):
    out = _boots_twice(flexvm, guest, "triple")
    assert out.count(BANNER + "triple") >= 2, out


def test_serial_input_reaches_the_guest(run_guest):
    r = run_guest("scenario=echo", input=b"hello there\nquit\n",
                  stdin=None)
    assert "echo: hello there" in r.out, r
    assert r.status == debug_exit_status(0), r


def test_rtc_shows_host_time(run_guest):
    before = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    r = run_guest("scenario=rtc")
    after = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    (stamp,) = r.lines("rtc:")
    t = datetime.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S")
    assert before - datetime.timedelta(seconds=2) <= t <= after, r


def test_serial_file_backend_gets_the_output(run_guest, tmp_path):
    log = tmp_path / "serial.log"
    r = run_guest("scenario=hello", extra=["-serial", f"file:{log}"])
    assert r.status == debug_exit_status(0), r
    assert f"{BANNER}hello" in log.read_text()
    assert BANNER not in r.out


def test_serial_none_still_runs_the_guest(run_guest):
    r = run_guest("scenario=exit code=3", extra=["-serial", "none"])
    assert r.status == debug_exit_status(3), r
    assert r.out == ""


def test_pidfile_holds_the_pid_while_running(flexvm, guest, kvm, tmp_path):
    pidfile = tmp_path / "vm.pid"
    proc = subprocess.Popen([flexvm, "-kernel", guest, "-nographic",
                             "-pidfile", str(pidfile), "-append",
                             "scenario=echo"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline().startswith(BANNER.encode())
        assert int(pidfile.read_text()) == proc.pid
        proc.stdin.write(b"quit\n")
        proc.stdin.flush()
        assert proc.wait(timeout=30) == debug_exit_status(0)
    finally:
        proc.kill()
    assert not pidfile.exists()


def test_sigterm_ends_the_vm_like_qemu(flexvm, guest, kvm):
    proc = subprocess.Popen([flexvm, "-kernel", guest, "-nographic",
                             "-append", "scenario=echo"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline().startswith(BANNER.encode())
        proc.terminate()
        status = proc.wait(timeout=30)
    finally:
        proc.kill()
    assert status == 0
    assert b"terminating on signal 15" in proc.stderr.read()
