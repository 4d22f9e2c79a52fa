# SPDX-License-Identifier: MIT
"""Step 2's "Must show": a hostile or broken client leaves the VM running and the
other clients served. Each test runs the echo guest with two monitors (the
default socket and qmp2.sock, so that the "other client" exists under QEMU too,
which serves one client per socket), abuses one, and checks that the guest
still echoes and that another client gets prompt answers. Everything is on
UNIX sockets in a private directory and bounded in count and time."""
import os
import re
import socket
import threading
import time

import pytest

from qmp_client import QmpClient, QmpTimeout

SECOND = ["-qmp", "unix:@DIR@/qmp2.sock,server=on,wait=off"]
PROMPT = 2.0  # seconds: what "served promptly" means for one query-status

GARBAGE = [
    b'{"execute": }', b"}", b"]", b'{"a":1 "b":2}', b"\x01", b'{"execute":"x"]',
    b"\xff\xfe", b"[1,,2]", b"nul", b'{"execute":"query-status",,}',
    b"42", b'"text"', b"[]", b'{"execute": 7}', b'{"arguments": {}}',
]


def start(vmm, extra=()):
    vm = vmm.start(extra=SECOND + list(extra))
    vm.sock2 = vm.tmp_path("qmp2.sock")
    vm.expect(r"echo: ready", 30)
    return vm


def served_promptly(q, what=""):
    t0 = time.monotonic()
    reply = q.cmd("query-status", timeout=PROMPT + 5)
    took = time.monotonic() - t0
    assert "return" in reply, (what, reply)
    assert took < PROMPT, f"{what}: query-status took {took:.2f} s"
    return reply["return"]


def guest_echoes(vm, text):
    vm.send_serial(text + "\n")
    vm.expect(re.escape(f"echo: {text}"), 10)


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_1000_malformed_messages_leave_the_vm_and_other_clients_served(vmm):
    vm = start(vmm)
    other = vm.connect(vm.sock2)
    abuser = vm.connect()
    sent = 0
    for burst in range(10):
        data = b"".join(GARBAGE[(burst * 100 + i) % len(GARBAGE)] + b"\n" for i in range(100))
        abuser.send_raw(data, timeout=10)
        sent += 100
        served_promptly(other, f"after {sent} malformed messages")
        # Read what has come so far, so that this test is about bad input only.
        while True:
            try:
                r = abuser.recv(timeout=0.05)
            except QmpTimeout:
                break
            assert "error" in r and r["error"]["class"] == "GenericError", r
            abuser.errors = getattr(abuser, "errors", 0) + 1
    abuser.send_raw(b'{"execute":"query-status","id":"sentinel"}\n')
    while True:
        r = abuser.reply(timeout=10)
        if r.get("id") == "sentinel":
            break
        assert "error" in r and r["error"]["class"] == "GenericError", r
        abuser.errors = getattr(abuser, "errors", 0) + 1
    assert sent == 1000
    assert abuser.errors >= 1000, f"only {abuser.errors} error replies for 1000 messages"
    assert r["return"]["running"] is True, r  # the abuser's own session went on
    assert vm.alive(), vm.describe()
    guest_echoes(vm, "after malformed flood")
    served_promptly(other, "at the end")


@pytest.mark.flexvm_only("QEMU serves one client per socket; the others wait in the backlog")
def test_32_clients_connecting_and_disconnecting_in_a_loop(vmm):
    vm = start(vmm)
    steady = vm.connect(vm.sock2)
    pid = vm.proc.proc.pid
    fds_before = fd_count(pid)
    deadline = time.monotonic() + 60
    for rnd in range(20):
        assert time.monotonic() < deadline, f"round {rnd}: over 60 s"
        clients = [QmpClient.connect(vm.sock, alive=vm.alive, read_greeting=False,
                                     name=f"r{rnd}c{i}") for i in range(32)]
        for i, c in enumerate(clients):
            kind = i % 4
            if kind == 0:
                continue  # hangs up without reading the greeting
            c.read_greeting()
            if kind == 1:
                continue  # hangs up before negotiating
            c.negotiate()
            if kind == 2:
                assert c.cmd("query-status", id=i)["id"] == i
            else:
                c.send_raw(b'{"execute": "query-sta')  # hangs up mid-message
        for c in clients:
            c.close()
        served_promptly(steady, f"round {rnd}")
    assert vm.alive(), vm.describe()
    guest_echoes(vm, "after 640 connections")
    q = vm.connect()
    served_promptly(q, "a new client")
    q.close()
    # Every connection was closed: flexvm must not keep their fds.
    for _ in range(50):
        if fd_count(pid) <= fds_before:
            break
        time.sleep(0.1)
    assert fd_count(pid) <= fds_before, (fds_before, os.listdir(f"/proc/{pid}/fd"))


def test_reconnecting_one_client_200_times(vmm):
    """The same churn, one client at a time (QEMU can do this one too)."""
    vm = start(vmm)
    steady = vm.connect(vm.sock2)
    for i in range(200):
        with QmpClient.connect(vm.sock, alive=vm.alive, name=f"c{i}") as c:
            if i % 2:
                c.negotiate()
    served_promptly(steady, "after 200 connections")
    guest_echoes(vm, "after churn")


def test_a_client_that_never_reads_stalls_neither_the_vm_nor_other_clients(vmm):
    vm = start(vmm)
    other = vm.connect(vm.sock2)
    pid = vm.proc.proc.pid
    rss_before = rss_kib(pid)
    hog = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    hog.settimeout(10)
    hog.connect(vm.sock)
    hog.sendall(b'{"execute":"qmp_capabilities"}\n')
    # The hog sends 20,000 commands and never reads a reply. flexvm may stop reading
    # from it once its replies pile up (QEMU does): then the hog's send times out.
    sent = {"bytes": 0}
    chunk = b'{"execute":"query-status","id":"hog"}\n' * 500

    def flood():
        hog.settimeout(0.5)
        for _ in range(40):
            try:
                hog.sendall(chunk)
            except (socket.timeout, OSError):
                return
            sent["bytes"] += len(chunk)

    t = threading.Thread(target=flood, daemon=True)
    t.start()
    # Meanwhile events pile up for the hog too: 100 stop/cont cycles from the other client.
    t0 = time.monotonic()
    for i in range(100):
        other.ok("stop")
        other.wait_event("STOP", timeout=PROMPT)
        other.ok("cont")
        other.wait_event("RESUME", timeout=PROMPT)
        if i % 20 == 0:
            served_promptly(other, f"cycle {i}")
    took = time.monotonic() - t0
    t.join(30)
    assert not t.is_alive()
    assert took < 30, f"100 stop/cont cycles took {took:.1f} s with a hog connected"
    assert vm.alive(), vm.describe()
    guest_echoes(vm, "with a hog connected")
    assert served_promptly(other, "at the end")["status"] == "running"
    # A new client on the hog's own socket is served too (flexvm; QEMU has one per socket).
    if not vmm.is_qemu:
        fresh = vm.connect()
        served_promptly(fresh, "a client on the hog's socket")
    grown = rss_kib(pid) - rss_before
    assert grown < 64 * 1024, f"flexvm grew by {grown} KiB buffering for a client that never reads"
    hog.close()
    assert sent["bytes"] > 0
    served_promptly(other, "after the hog left")
