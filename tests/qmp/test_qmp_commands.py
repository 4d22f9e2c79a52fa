# SPDX-License-Identifier: MIT
"""Each QMP command of Step 2 against a running test guest, with its events:
queries, stop/cont, system_reset, quit, guest resets, -S, QOM and HMP.
The guest runs scenario=echo, so 'is it running?' is asked over its serial
console: a line sent to it comes back only while its vCPU runs."""
import os
import re
import signal
import time

import pytest

from .conftest import BANNER, guest_banners

ISSUE_COMMANDS = {
    "qmp_capabilities", "query-version", "query-commands", "query-status", "query-name",
    "query-kvm", "query-cpus-fast", "stop", "cont", "system_reset", "quit",
    "qom-list", "qom-get", "qom-set", "human-monitor-command",
}
READY = r"echo: ready"


def echo_works(vm, text, timeout=10.0):
    """The guest echoes `text` (proves its vCPU runs)."""
    vm.send_serial(text + "\n")
    vm.expect(re.escape(f"echo: {text}"), timeout)


def status(q):
    return q.ok("query-status")


def start_running(vmm, **kw):
    """A VM whose guest has printed 'echo: ready', and a negotiated client."""
    vm = vmm.start(**kw)
    q = vm.connect()
    vm.expect(READY, 30)
    return vm, q


def start_paused(vmm, **kw):
    """-S: connect before the guest can do anything, then cont yourself."""
    extra = list(kw.pop("extra", ())) + ["-S"]
    vm = vmm.start(extra=extra, **kw)
    return vm, vm.connect()


def quit_messages(q):
    """Send quit; return (replies, events) read until the server closes the socket.
    QEMU 7.2 sends SHUTDOWN before the reply; the order is not part of the contract."""
    q.send({"execute": "quit"})
    msgs = q.wait_closed(timeout=10)
    return ([m for m in msgs if "event" not in m], [m for m in msgs if "event" in m])


# -- queries --------------------------------------------------------------------------------

def test_query_version_matches_the_greeting(vmm):
    vm, q = start_running(vmm)
    version = q.ok("query-version")
    assert version == q.greeting["QMP"]["version"], (version, q.greeting)


def test_query_commands_lists_every_step2_command(vmm):
    vm, q = start_running(vmm)
    cmds = q.ok("query-commands")
    assert all(set(c) == {"name"} and isinstance(c["name"], str) for c in cmds), cmds
    names = [c["name"] for c in cmds]
    assert len(names) == len(set(names)), names
    assert ISSUE_COMMANDS <= set(names), ISSUE_COMMANDS - set(names)


def test_every_listed_command_exists(vmm):
    """A bogus argument makes every command fail argument checking before it runs, so
    this probes each listed command without running it: none may be CommandNotFound.
    (Against QEMU only Step 2's commands are probed.)"""
    vm, q = start_running(vmm)
    names = {c["name"] for c in q.ok("query-commands")}
    if vmm.is_qemu:
        names &= ISSUE_COMMANDS
    names.discard("qmp_capabilities")  # CommandNotFound after negotiation, as QEMU
    for name in sorted(names):
        reply = q.cmd(name, {"flexvm-test-bogus": 1})
        assert "error" in reply and reply["error"]["class"] == "GenericError", (name, reply)
    assert status(q)["status"] == "running"
    assert vm.alive()


def test_query_status_running(vmm):
    vm, q = start_running(vmm)
    assert status(q) == {"status": "running", "running": True, "singlestep": False}


def test_query_status_prelaunch_with_S(vmm):
    vm, q = start_paused(vmm)
    assert status(q) == {"status": "prelaunch", "running": False, "singlestep": False}


def test_query_name_with_and_without_name(vmm):
    vm, q = start_paused(vmm, extra=["-name", "qmp-test-vm"])
    assert q.ok("query-name") == {"name": "qmp-test-vm"}
    vm2, q2 = start_paused(vmm)
    assert q2.ok("query-name") == {}


def test_query_kvm_is_enabled(vmm):
    vm, q = start_paused(vmm)
    assert q.ok("query-kvm") == {"enabled": True, "present": True}


def test_query_cpus_fast_lists_each_vcpu_with_its_thread(vmm):
    vm, q = start_running(vmm, extra=["-smp", "2,sockets=2"])
    cpus = q.ok("query-cpus-fast")
    assert [c["cpu-index"] for c in cpus] == [0, 1], cpus
    pid = vm.proc.proc.pid
    tids = [c["thread-id"] for c in cpus]
    assert len(set(tids)) == 2 and pid not in tids, (pid, cpus)
    for c in cpus:
        assert c["target"] == "x86_64", c
        assert isinstance(c["qom-path"], str) and c["qom-path"].startswith("/machine/"), c
        assert os.path.isdir(f"/proc/{pid}/task/{c['thread-id']}"), (pid, c)
        assert {"socket-id", "core-id", "thread-id"} <= set(c["props"]), c
    assert [c["props"]["socket-id"] for c in cpus] == [0, 1], cpus


# -- stop / cont ----------------------------------------------------------------------------

def test_stop_pauses_the_guest_and_cont_resumes_it(vmm):
    vm, q = start_running(vmm)
    echo_works(vm, "before stop")
    assert q.cmd("stop") == {"return": {}}
    assert q.wait_event("STOP")["event"] == "STOP"
    assert status(q) == {"status": "paused", "running": False, "singlestep": False}
    vm.send_serial("while paused\n")
    time.sleep(0.5)
    assert "echo: while paused" not in vm.proc.transcript(), vm.describe()
    assert q.cmd("cont") == {"return": {}}
    q.wait_event("RESUME")
    assert status(q)["status"] == "running"
    vm.expect(r"echo: while paused", 10)
    echo_works(vm, "after cont")


def test_stop_twice_and_cont_twice_send_one_event_each(vmm):
    vm, q = start_running(vmm)
    assert q.cmd("stop") == {"return": {}}
    assert q.cmd("stop") == {"return": {}}
    assert [e["event"] for e in q.events(0.5)] == ["STOP"]
    assert q.cmd("cont") == {"return": {}}
    assert q.cmd("cont") == {"return": {}}
    assert [e["event"] for e in q.events(0.5)] == ["RESUME"]


def test_S_starts_paused_and_cont_starts_the_guest(vmm):
    vm, q = start_paused(vmm)
    time.sleep(1.0)
    assert guest_banners(vm) == 0, vm.describe()
    assert q.cmd("stop") == {"return": {}}  # nothing to stop: no event, still prelaunch
    assert status(q)["status"] == "prelaunch"
    assert q.cmd("cont") == {"return": {}}
    assert [e["event"] for e in q.events(0.5)] == ["RESUME"]
    vm.expect(BANNER + "echo", 30)
    vm.expect(READY, 10)
    assert status(q)["status"] == "running"
    echo_works(vm, "started by cont")


# -- reset and shutdown ---------------------------------------------------------------------

def test_system_reset_sends_reset_and_the_guest_boots_again(vmm):
    vm, q = start_running(vmm)
    assert guest_banners(vm) == 1
    assert q.cmd("system_reset") == {"return": {}}
    ev = q.wait_event("RESET")
    assert ev["data"] == {"guest": False, "reason": "host-qmp-system-reset"}, ev
    vm.expect(BANNER + "echo", 30)
    vm.expect(READY, 10)
    assert guest_banners(vm) == 2
    assert status(q)["status"] == "running"
    echo_works(vm, "after reset")


def test_quit_replies_sends_shutdown_and_exits_zero(vmm):
    vm, q = start_running(vmm)
    replies, events = quit_messages(q)
    assert replies == [{"return": {}}], (replies, events)
    assert [(e["event"], e.get("data")) for e in events] == [
        ("SHUTDOWN", {"guest": False, "reason": "host-qmp-quit"})], events
    assert vm.wait(10) == 0, vm.describe()
    assert not os.path.exists(vm.sock), "the QMP socket outlived the process"


def test_quit_while_paused_exits_zero(vmm):
    vm, q = start_paused(vmm)
    replies, events = quit_messages(q)
    assert replies == [{"return": {}}], (replies, events)
    assert vm.wait(10) == 0, vm.describe()


@pytest.mark.parametrize("scenario", ["reboot", "triple"])
def test_guest_reset_sends_reset_guest_true(vmm, scenario):
    vm, q = start_paused(vmm, append=f"scenario={scenario}")
    q.ok("cont")
    ev = q.wait_event("RESET", timeout=30)
    assert ev["data"] == {"guest": True, "reason": "guest-reset"}, ev
    vm.expect(BANNER + scenario, 30)
    vm.expect(BANNER + scenario, 30)  # booted again
    assert vm.alive()


@pytest.mark.parametrize("scenario", ["reboot", "triple"])
def test_guest_reset_under_no_reboot_is_a_guest_shutdown(vmm, scenario):
    vm, q = start_paused(vmm, append=f"scenario={scenario}", extra=["-no-reboot"])
    q.ok("cont")
    ev = q.wait_event("SHUTDOWN", timeout=30)
    assert ev["data"] == {"guest": True, "reason": "guest-reset"}, ev
    assert vm.wait(10) == 0, vm.describe()
    assert guest_banners(vm) == 1


def test_sigterm_sends_shutdown_host_signal(vmm):
    vm, q = start_running(vmm)
    os.kill(vm.proc.proc.pid, signal.SIGTERM)
    ev = q.wait_event("SHUTDOWN")
    assert ev["data"] == {"guest": False, "reason": "host-signal"}, ev
    assert vm.wait(10) == 0, vm.describe()
    assert not os.path.exists(vm.sock)


# -- QOM ------------------------------------------------------------------------------------

def prop_names(entries):
    for e in entries:
        assert {"name", "type"} <= set(e) <= {"name", "type", "description", "default-value"}, e
    return {e["name"]: e["type"] for e in entries}


def test_qom_list_root_and_machine(vmm):
    vm, q = start_paused(vmm)
    root = prop_names(q.ok("qom-list", path="/"))
    assert root.get("machine", "").startswith("child<"), root
    machine = prop_names(q.ok("qom-list", path="/machine"))
    assert machine.get("peripheral") == "child<container>", machine
    assert machine.get("type") == "string", machine


def test_qom_peripheral_device_by_id(vmm):
    vm, q = start_paused(vmm, debug_exit="isa-debug-exit,id=dbg")
    periph = prop_names(q.ok("qom-list", path="/machine/peripheral"))
    assert periph.get("dbg") == "child<isa-debug-exit>", periph
    props = prop_names(q.ok("qom-list", path="/machine/peripheral/dbg"))
    assert props.get("iobase") == "uint32" and props.get("iosize") == "uint32", props
    assert q.ok("qom-get", path="/machine/peripheral/dbg", property="iobase") == 0x501
    assert q.ok("qom-get", path="dbg", property="iosize") == 2  # partial path
    assert q.ok("qom-get", path="/machine/peripheral/dbg", property="type") == "isa-debug-exit"


def test_qom_get_errors(vmm):
    vm, q = start_paused(vmm)
    assert q.cmd("qom-get", path="/nope", property="type") == {
        "error": {"class": "DeviceNotFound", "desc": "Device '/nope' not found"}}
    assert q.cmd("qom-list", path="/nope") == {
        "error": {"class": "DeviceNotFound", "desc": "Device '/nope' not found"}}
    mtype = q.ok("qom-get", path="/machine", property="type")
    assert q.cmd("qom-get", path="/machine", property="nope") == {
        "error": {"class": "GenericError", "desc": f"Property '{mtype}.nope' not found"}}


def test_qom_set_errors(vmm):
    vm, q = start_paused(vmm, debug_exit="isa-debug-exit,id=dbg")
    mtype = q.ok("qom-get", path="/machine", property="type")
    assert q.cmd("qom-set", path="/nope", property="x", value=1) == {
        "error": {"class": "DeviceNotFound", "desc": "Device '/nope' not found"}}
    assert q.cmd("qom-set", path="/machine", property="nope", value=1) == {
        "error": {"class": "GenericError", "desc": f"Property '{mtype}.nope' not found"}}
    assert q.cmd("qom-set", path="/machine", property="type", value="x") == {
        "error": {"class": "GenericError",
                  "desc": f"Property '{mtype}.type' is not writable"}}
    # A realized device's I/O base cannot change: refused, and the value stays.
    reply = q.cmd("qom-set", path="/machine/peripheral/dbg", property="iobase", value=0x600)
    assert reply.get("error", {}).get("class") == "GenericError", reply
    assert q.ok("qom-get", path="dbg", property="iobase") == 0x501


# -- HMP ------------------------------------------------------------------------------------

def hmp(q, line):
    return q.ok("human-monitor-command", {"command-line": line})


def test_hmp_info_status_follows_the_run_state(vmm):
    vm, q = start_paused(vmm)
    assert hmp(q, "info status") == "VM status: paused (prelaunch)\r\n"
    q.ok("cont")
    assert hmp(q, "info status") == "VM status: running\r\n"
    q.ok("stop")
    assert hmp(q, "info status") == "VM status: paused\r\n"


def test_hmp_info_version_is_query_version(vmm):
    vm, q = start_paused(vmm)
    v = q.ok("query-version")
    want = "{major}.{minor}.{micro}".format(**v["qemu"]) + v["package"] + "\r\n"
    assert hmp(q, "info version") == want


def test_hmp_qom_get_and_qom_set(vmm):
    vm, q = start_paused(vmm, debug_exit="isa-debug-exit,id=dbg")
    mtype = q.ok("qom-get", path="/machine", property="type")
    assert hmp(q, "qom-get /machine type") == f'"{mtype}"\r\n'
    assert hmp(q, "qom-get /machine/peripheral/dbg iobase") == "1281\r\n"
    assert hmp(q, "qom-get /nope type") == "Error: Device '/nope' not found\r\n"
    assert hmp(q, "qom-set /machine type x") == (
        f"Error: Property '{mtype}.type' is not writable\r\n")


def test_hmp_unknown_and_empty_commands(vmm):
    vm, q = start_paused(vmm)
    assert hmp(q, "no-such-hmp-command") == "unknown command: 'no-such-hmp-command'\r\n"
    assert hmp(q, "info no-such-thing") == "unknown command: 'info no-such-thing'\r\n"
    assert hmp(q, "") == ""


def test_hmp_quit_sends_shutdown_and_exits_zero(vmm):
    vm, q = start_running(vmm)
    q.send({"execute": "human-monitor-command", "arguments": {"command-line": "quit"}})
    msgs = q.wait_closed(timeout=10)
    assert [m for m in msgs if "event" not in m] == [{"return": ""}], msgs
    assert [(m["event"], m["data"]) for m in msgs if "event" in m] == [
        ("SHUTDOWN", {"guest": False, "reason": "host-qmp-quit"})], msgs
    assert vm.wait(10) == 0, vm.describe()
