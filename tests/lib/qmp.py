# SPDX-License-Identifier: MIT
"""A small QMP client and a VM launcher for flexvm's monitor tests (stdlib only).

    with QmpVm("flexvm", flexvm_path, guest, append="scenario=echo") as vm:
        q = vm.qmp()                     # connect (retrying), greeting, qmp_capabilities
        assert q.cmd("query-status")["return"]["status"] == "running"
        q.cmd("stop"); q.wait_event("STOP")

QmpClient speaks the wire protocol as QEMU's own clients do: one JSON value per
line from the server; replies are told from events by the "event" key; events
that arrive while a reply is awaited are queued for events()/wait_event().
Every read has a deadline, so a silent or dead server fails the test with a
QmpTimeout (an AssertionError) instead of hanging it.

QmpVm starts flexvm or QEMU 7.2 with the test guest (serial console on stdout,
read by tests/lib/vmproc.py), a QMP socket in a private temporary directory,
and kills the process group and removes the directory on exit.

Import it as qmp_client, the name tests/qmp/conftest.py loads it under: in a
pytest run that collects tests/qmp, "import qmp" finds that package instead.
Another suite loads it the same way (importlib.util.spec_from_file_location).
"""

from __future__ import annotations

import json
import os
import select
import shutil
import socket
import tempfile
import time
from typing import Any, Callable, Sequence

from vmproc import VMProcess

DEFAULT_TIMEOUT = 10.0


class QmpError(AssertionError):
    """The server broke the protocol, or closed the connection."""


class QmpTimeout(QmpError):
    pass


class QmpClosed(QmpError):
    pass


class _SocketIO:
    def __init__(self, sock: socket.socket):
        self.sock = sock

    def read(self, timeout: float) -> bytes:
        self.sock.settimeout(max(timeout, 0.001))
        try:
            return self.sock.recv(65536)
        except socket.timeout:
            raise QmpTimeout(f"no data from the QMP server within {timeout:g} s") from None
        except ConnectionResetError:
            return b""

    def write(self, data: bytes, timeout: float) -> None:
        self.sock.settimeout(timeout)
        try:
            self.sock.sendall(data)
        except socket.timeout:
            raise QmpTimeout(f"could not send {len(data)} bytes within {timeout:g} s") from None

    def close(self) -> None:
        self.sock.close()


class _PipeIO:
    """-qmp stdio: we write the VMM's stdin and read its stdout."""

    def __init__(self, rfd: int, wfd: int):
        self.rfd, self.wfd = rfd, wfd

    def read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.rfd], [], [], max(timeout, 0))
        if not ready:
            raise QmpTimeout(f"no data from the QMP server within {timeout:g} s")
        return os.read(self.rfd, 65536)

    def write(self, data: bytes, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while data:
            _, ready, _ = select.select([], [self.wfd], [], max(deadline - time.monotonic(), 0))
            if not ready:
                raise QmpTimeout(f"could not send to the QMP server within {timeout:g} s")
            data = data[os.write(self.wfd, data):]

    def close(self) -> None:
        pass  # the pipes belong to the Popen object


class QmpClient:
    """One QMP session. Construct with connect(path) or from_pipes(), then negotiate()."""

    def __init__(self, io, timeout: float = DEFAULT_TIMEOUT, name: str = "qmp"):
        self._io = io
        self.timeout = timeout
        self.name = name
        self._buf = b""
        self._events: list[dict] = []
        self.greeting: dict | None = None
        self.raw_lines: list[bytes] = []  # every line received, terminator included
        self.closed = False

    # -- construction -----------------------------------------------------------------
    @classmethod
    def connect(cls, path: str, timeout: float = DEFAULT_TIMEOUT, *,
                alive: Callable[[], bool] | None = None, read_greeting: bool = True,
                name: str = "qmp") -> "QmpClient":
        """Connect to a UNIX socket, retrying until it exists and accepts (at most `timeout`
        seconds, or until alive() says the server process died), then read the greeting."""
        deadline = time.monotonic() + timeout
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError) as e:
                sock.close()
                if alive is not None and not alive():
                    raise QmpClosed(f"the VMM exited before {path} accepted connections") from e
                if time.monotonic() >= deadline:
                    raise QmpTimeout(f"{path} did not accept a connection within "
                                     f"{timeout:g} s ({e})") from e
                time.sleep(0.02)
        client = cls(_SocketIO(sock), timeout, name)
        if read_greeting:
            client.read_greeting()
        return client

    @classmethod
    def from_pipes(cls, rfd: int, wfd: int, timeout: float = DEFAULT_TIMEOUT,
                   read_greeting: bool = True) -> "QmpClient":
        client = cls(_PipeIO(rfd, wfd), timeout, "qmp-stdio")
        if read_greeting:
            client.read_greeting()
        return client

    def read_greeting(self) -> dict:
        msg = self.recv()
        if "QMP" not in msg:
            raise QmpError(f"{self.name}: expected the greeting, got {msg!r}")
        self.greeting = msg
        return msg

    def negotiate(self) -> "QmpClient":
        reply = self.cmd("qmp_capabilities")
        if reply != {"return": {}}:
            raise QmpError(f"{self.name}: qmp_capabilities answered {reply!r}")
        return self

    # -- sending ----------------------------------------------------------------------
    def send_raw(self, data: bytes | str, timeout: float | None = None) -> None:
        """Send bytes as they are (abuse tests); no reply is read."""
        self._io.write(data.encode() if isinstance(data, str) else data,
                       self.timeout if timeout is None else timeout)

    def send(self, msg: Any) -> None:
        self.send_raw(json.dumps(msg) + "\n")

    def execute(self, msg: Any, timeout: float | None = None) -> dict:
        """Send one message (any JSON value) and return the next reply; events that come
        first are queued."""
        self.send(msg)
        return self.reply(timeout)

    def cmd(self, name: str, args: dict | None = None, *, id: Any = None,
            timeout: float | None = None, **kwargs) -> dict:
        """Run a command and return its reply as parsed ({"return": ...} or {"error": ...}).
        Arguments come from `args` and/or keyword arguments (use args for names with '-')."""
        msg: dict[str, Any] = {"execute": name}
        merged = dict(args or {}, **kwargs)
        if merged:
            msg["arguments"] = merged
        if id is not None:
            msg["id"] = id
        return self.execute(msg, timeout)

    def ok(self, name: str, args: dict | None = None, **kwargs) -> Any:
        """cmd() that must succeed: returns the "return" value."""
        reply = self.cmd(name, args, **kwargs)
        if "return" not in reply:
            raise QmpError(f"{self.name}: {name} {args or kwargs or ''} failed: {reply!r}")
        return reply["return"]

    # -- receiving --------------------------------------------------------------------
    def recv(self, timeout: float | None = None) -> dict:
        """The next message, reply or event, whatever it is."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while b"\n" not in self._buf:
            if self.closed:
                raise QmpClosed(f"{self.name}: the server closed the connection"
                                f" (unterminated data: {self._buf[:200]!r})")
            data = self._io.read(deadline - time.monotonic())
            if not data:
                self.closed = True
                continue
            self._buf += data
        line, self._buf = self._buf.split(b"\n", 1)
        self.raw_lines.append(line + b"\n")
        try:
            msg = json.loads(line)
        except ValueError as e:
            raise QmpError(f"{self.name}: the server sent a line that is not JSON: "
                           f"{line[:300]!r} ({e})") from None
        if not isinstance(msg, dict):
            raise QmpError(f"{self.name}: the server sent a non-object: {msg!r}")
        return msg

    def reply(self, timeout: float | None = None) -> dict:
        """The next reply ({"return"} or {"error"}); events before it are queued."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            msg = self.recv(deadline - time.monotonic())
            if "event" in msg:
                self._events.append(msg)
                continue
            if "return" not in msg and "error" not in msg:
                raise QmpError(f"{self.name}: not a reply and not an event: {msg!r}")
            return msg

    def events(self, timeout: float = 0.0) -> list[dict]:
        """Queued events plus whatever arrives within `timeout` seconds; empties the queue.
        A reply that arrives meanwhile is a protocol error (none was asked for)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                msg = self.recv(max(deadline - time.monotonic(), 0.0))
            except (QmpTimeout, QmpClosed):
                break
            if "event" not in msg:
                raise QmpError(f"{self.name}: unexpected reply while reading events: {msg!r}")
            self._events.append(msg)
        out, self._events = self._events, []
        return out

    def wait_event(self, name: str, timeout: float | None = None,
                   match: Callable[[dict], bool] | None = None) -> dict:
        """Return the first event called `name` (and accepted by match); earlier events are
        dropped. Raises QmpTimeout with the events that did arrive."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        seen: list[dict] = []
        while True:
            while self._events:
                ev = self._events.pop(0)
                if ev.get("event") == name and (match is None or match(ev)):
                    return ev
                seen.append(ev)
            left = deadline - time.monotonic()
            try:
                msg = self.recv(left) if left > 0 else None
            except QmpTimeout:
                msg = None
            if msg is None:
                raise QmpTimeout(f"{self.name}: no {name} event within "
                                 f"{self.timeout if timeout is None else timeout:g} s; "
                                 f"events seen: {seen!r}")
            if "event" not in msg:
                raise QmpError(f"{self.name}: unexpected reply while waiting for {name}: {msg!r}")
            self._events.append(msg)

    def wait_closed(self, timeout: float | None = None) -> list[dict]:
        """Read until the server closes the connection; return the messages read."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        msgs = []
        while True:
            try:
                msgs.append(self.recv(max(deadline - time.monotonic(), 0.0)))
            except QmpClosed:
                return msgs
            except QmpTimeout:
                raise QmpTimeout(f"{self.name}: the server did not close the connection; "
                                 f"read {msgs!r}") from None

    def close(self) -> None:
        if self._io is not None:
            self._io.close()
            self._io = None

    def __enter__(self) -> "QmpClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# -- VM processes -------------------------------------------------------------------------

VMM_KINDS = ("flexvm", "qemu")


def vmm_argv(kind: str, binary: str, guest: str | None, append: str | None,
             extra: Sequence[str] = (), memory: str = "256M",
             debug_exit: str = "isa-debug-exit", serial: str = "stdio") -> list[str]:
    """The command line that runs the test guest (`-serial serial`, `-device debug_exit`)
    under `kind`. Without a guest QEMU runs -machine none (flexvm needs one)."""
    if kind == "qemu":
        argv = [binary, "-display", "none", "-nodefaults", "-no-user-config"]
        if guest is None:
            return argv + ["-machine", "none"] + list(extra)
        argv += ["-accel", "kvm", "-cpu", "host,-arch-capabilities", "-m", memory,
                 "-serial", serial, "-device", debug_exit]
    elif kind == "flexvm":
        if guest is None:
            raise ValueError("flexvm needs a kernel")
        argv = [binary, "-display", "none", "-nodefaults", "-m", memory,
                "-serial", serial, "-device", debug_exit]
    else:
        raise ValueError(f"unknown VMM kind {kind!r}")
    argv += ["-kernel", guest]
    if append is not None:
        argv += ["-append", append]
    return argv + list(extra)


class QmpVm:
    """A VMM process with the test guest and, unless qmp=False, `-qmp unix:<tmp>/qmp.sock`.

    `extra` is appended to the command line, with "@DIR@" replaced by the private
    directory (for more sockets, serial files); tmp_path() names files in it. Stops the process (SIGTERM, then SIGKILL) and
    deletes the directory on exit."""

    def __init__(self, kind: str, binary: str, guest: str | None, *,
                 append: str | None = "scenario=echo", extra: Sequence[str] = (),
                 qmp: bool = True, timeout: float = 30.0, stdin: bool = False,
                 memory: str = "256M", debug_exit: str = "isa-debug-exit"):
        self.kind = kind
        self.dir = tempfile.mkdtemp(prefix=f"qmp-{kind}-")
        self.sock = self.tmp_path("qmp.sock")
        extra = [a.replace("@DIR@", self.dir) for a in extra]
        argv = vmm_argv(kind, binary, guest, append, extra, memory, debug_exit)
        if qmp:
            argv += ["-qmp", f"unix:{self.sock},server=on,wait=off"]
        self.clients: list[QmpClient] = []
        try:
            self.proc = VMProcess(argv, timeout=timeout, stdin=stdin, split_stderr=True)
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise

    def tmp_path(self, name: str) -> str:
        return os.path.join(self.dir, name)

    def alive(self) -> bool:
        return self.proc.returncode is None

    def connect(self, path: str | None = None, negotiate: bool = True,
                timeout: float = DEFAULT_TIMEOUT, name: str | None = None) -> QmpClient:
        """A new client on the default socket (or `path`); the VM closes it on exit."""
        try:
            q = QmpClient.connect(path or self.sock, timeout, alive=self.alive,
                                  name=name or f"qmp#{len(self.clients)}")
            if negotiate:
                q.negotiate()
        except QmpError as e:
            raise QmpError(f"{e}\n{self.describe()}") from None
        self.clients.append(q)
        return q

    qmp = connect

    def expect(self, pattern: str, timeout: float | None = None):
        """Wait for `pattern` on the guest's serial console (see VMProcess.expect)."""
        return self.proc.expect(pattern, timeout)

    def send_serial(self, text: str) -> None:
        self.proc.send(text)

    def wait(self, timeout: float = 10.0) -> int:
        return self.proc.wait(timeout)

    def describe(self) -> str:
        return self.proc.describe(30)

    def close(self) -> None:
        for q in self.clients:
            q.close()
        try:
            self.proc.kill()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "QmpVm":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
