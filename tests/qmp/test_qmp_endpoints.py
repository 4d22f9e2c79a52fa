# SPDX-License-Identifier: MIT
"""Where a monitor can live: -qmp unix:..., -qmp stdio, libvirt's -chardev
socket + -mon form; several monitors and several clients at once; the socket
file (mode 0600, a stale file from a dead process, removed at exit)."""
import os
import signal
import socket
import stat
import subprocess
import time

import pytest

from qmp_client import QmpClient, QmpError, vmm_argv

# The form of libvirt's monitor options...
CHARDEV_MON = ["-chardev", "socket,id=charmonitor,path=@DIR@/mon.sock,server=on,wait=off",
               "-mon", "chardev=charmonitor,mode=control"]
# ...and what libvirt really passes (it names the monitor too).
LIBVIRT_ARGS = ["-chardev", "socket,id=charmonitor,path=@DIR@/mon.sock,server=on,wait=off",
                "-mon", "chardev=charmonitor,id=monitor,mode=control"]


@pytest.mark.parametrize("opts", ["server=on,wait=off", "server,nowait", "wait=off,server=on"],
                         ids=["on-off", "old-spelling", "reordered"])
def test_qmp_unix_socket_serves_a_client(vmm, opts):
    vm = vmm.start(qmp=False, extra=["-S", "-qmp", f"unix:@DIR@/q.sock,{opts}"])
    q = vm.connect(vm.tmp_path("q.sock"))
    assert q.ok("query-status")["status"] == "prelaunch"


def test_qmp_stdio(vmm, tmp_path):
    """The monitor on stdin/stdout (the serial console goes to a file)."""
    serial = tmp_path / "serial.log"
    argv = vmm_argv(vmm.kind, vmm.binary, vmm.guest, "scenario=echo", ["-qmp", "stdio"],
                    serial=f"file:{serial}")
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        q = QmpClient.from_pipes(proc.stdout.fileno(), proc.stdin.fileno())
        q.negotiate()
        assert q.ok("query-status")["running"] is True
        q.send({"execute": "quit"})
        msgs = q.wait_closed(timeout=10)
        assert {"return": {}} in msgs, msgs
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=10)
    assert q.raw_lines[0].endswith(b"\r\n"), q.raw_lines


@pytest.mark.parametrize("args", [CHARDEV_MON, LIBVIRT_ARGS], ids=["chardev-mon", "libvirt"])
def test_chardev_socket_and_mon_control(vmm, args):
    vm = vmm.start(qmp=False, extra=["-S"] + args)
    q = vm.connect(vm.tmp_path("mon.sock"))
    assert q.ok("query-status")["status"] == "prelaunch"
    q.ok("cont")
    assert q.wait_event("RESUME")["event"] == "RESUME"


def test_two_monitors_both_get_events_and_commands(vmm):
    vm = vmm.start(extra=CHARDEV_MON)
    a = vm.connect()
    b = vm.connect(vm.tmp_path("mon.sock"))
    vm.expect("echo: ready", 30)
    a.ok("stop")
    a.wait_event("STOP")
    b.wait_event("STOP")
    assert b.ok("query-status")["status"] == "paused"
    b.ok("cont")
    a.wait_event("RESUME")
    b.wait_event("RESUME")
    assert a.ok("query-status")["status"] == "running"


@pytest.mark.flexvm_only("QEMU serves one client per socket; a second one waits")
def test_several_clients_on_one_socket(vmm):
    vm = vmm.start()
    clients = [vm.connect() for _ in range(4)]
    vm.expect("echo: ready", 30)
    for i, q in enumerate(clients):
        assert q.cmd("query-status", id=i) == {
            "return": {"status": "running", "running": True, "singlestep": False}, "id": i}
    clients[2].ok("stop")
    for q in clients:
        q.wait_event("STOP")
    clients[0].close()  # one leaves; the others go on
    clients[3].ok("cont")
    for q in clients[1:]:
        q.wait_event("RESUME")


@pytest.mark.flexvm_only("QEMU 7.2 creates the socket with the umask (0755 here)")
def test_socket_files_are_mode_0600(vmm):
    vm = vmm.start(extra=CHARDEV_MON)
    vm.connect()
    for path in (vm.sock, vm.tmp_path("mon.sock")):
        st = os.stat(path)
        assert stat.S_ISSOCK(st.st_mode), path
        assert stat.S_IMODE(st.st_mode) == 0o600, (path, oct(st.st_mode))


def test_stale_socket_file_is_replaced(vmm, tmp_path):
    """A socket file left by a dead process (bound, never unlinked): QEMU unlinks it
    and listens again."""
    path = str(tmp_path / "stale.sock")
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(path)
    dead.close()
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with pytest.raises(ConnectionRefusedError):
        probe.connect(path)
    probe.close()
    vm = vmm.start(qmp=False, extra=["-S", "-qmp", f"unix:{path},server=on,wait=off"])
    q = vm.connect(path)
    assert q.ok("query-status")["status"] == "prelaunch"
    q.send({"execute": "quit"})
    q.wait_closed()
    assert vm.wait(10) == 0
    assert not os.path.exists(path)


def test_sockets_are_removed_at_exit(vmm):
    vm = vmm.start(extra=CHARDEV_MON)
    q = vm.connect()
    assert os.path.exists(vm.sock) and os.path.exists(vm.tmp_path("mon.sock"))
    q.send({"execute": "quit"})
    q.wait_closed()
    assert vm.wait(10) == 0
    assert not os.path.exists(vm.sock)
    assert not os.path.exists(vm.tmp_path("mon.sock"))


def test_wait_off_does_not_wait_for_a_client(vmm):
    """server=on,wait=off: the guest runs with nobody connected."""
    vm = vmm.start()
    vm.expect("echo: ready", 30)
    q = vm.connect()
    assert q.ok("query-status")["status"] == "running"


def test_clients_that_leave_early_do_not_matter(vmm):
    """Clients that hang up before the greeting, or before negotiating, or in the
    middle of a command, leave the monitor serving the next one."""
    vm = vmm.start()
    for _ in range(3):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        for _ in range(200):  # until the VMM listens
            try:
                s.connect(vm.sock)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                time.sleep(0.02)
        s.close()
        QmpClient.connect(vm.sock, alive=vm.alive).close()
        half = QmpClient.connect(vm.sock, alive=vm.alive).negotiate()
        half.send_raw(b'{"execute": "query-sta')
        half.close()
    q = vm.connect()
    assert q.ok("query-status")["running"] is True


def test_connect_fails_cleanly_once_the_vm_is_gone(vmm):
    vm = vmm.start(extra=["-S"])
    q = vm.connect()
    q.send({"execute": "quit"})
    q.wait_closed()
    vm.wait(10)
    with pytest.raises(QmpError):
        QmpClient.connect(vm.sock, timeout=1, alive=vm.alive)
