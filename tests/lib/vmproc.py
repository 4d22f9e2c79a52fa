"""Run a VMM (flexvm or QEMU) as a child process and read its serial console (stdlib only).

    with VMProcess(["flexvm", "-kernel", k, "-nographic"], timeout=60) as vm:
        m = vm.expect(r"flexvm-linux-init: ready")
        print(vm.elapsed_at(m.end()))   # seconds after spawn when the match arrived

Output (stdout, and stderr unless split_stderr=True) is read by a thread as it arrives, so
nothing blocks on a full pipe and every chunk gets its arrival time. Failures raise
VMTimeout / VMExited (AssertionError subclasses) whose message carries the command, the
elapsed time, the exit status and the tail of the transcript, so a pytest failure shows
what the guest printed.
"""

from __future__ import annotations

import bisect
import codecs
import os
import re
import shlex
import signal
import subprocess
import threading
import time
from typing import Callable, Mapping, Sequence, TypeVar

T = TypeVar("T")


class VMError(AssertionError):
    """Base class: an expectation about the VM's output or exit was not met."""


class VMTimeout(VMError):
    pass


class VMExited(VMError):
    pass


class VMProcess:
    def __init__(self, argv: Sequence[str], *, env: Mapping[str, str] | None = None,
                 timeout: float = 60.0, cwd: str | None = None, stdin: bool = False,
                 split_stderr: bool = False, log_path: str | None = None):
        """Start argv. `timeout` is the default for expect/wait_for/wait; `env` replaces the
        environment when given; `stdin=True` keeps a pipe for send(); `log_path` tees the
        raw output to a file (useful as a CI artifact)."""
        self.argv = [str(a) for a in argv]
        self.timeout = timeout
        self._cond = threading.Condition()
        self._text = ""
        self._chunk_ends: list[int] = []  # transcript length after each chunk...
        self._chunk_times: list[float] = []  # ...and when that chunk arrived
        self._pos = 0  # expect() consumes output up to here
        self._eof = False
        self._log = open(log_path, "wb") if log_path else None
        self._t0 = time.monotonic()
        # A new session makes the VMM a process-group leader, so kill() also reaches
        # any helper processes it forked.
        self.proc = subprocess.Popen(
            self.argv, env=dict(env) if env is not None else None, cwd=cwd,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if split_stderr else subprocess.STDOUT,
            start_new_session=True)
        self._stderr = b""
        self._readers = [threading.Thread(target=self._read_stdout, daemon=True)]
        if split_stderr:
            self._readers.append(threading.Thread(target=self._read_stderr, daemon=True))
        for t in self._readers:
            t.start()

    # -- reading ----------------------------------------------------------------------
    def _read_stdout(self) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        fd = self.proc.stdout.fileno()
        while True:
            data = os.read(fd, 65536)
            now = time.monotonic()
            if self._log and data:
                self._log.write(data)
                self._log.flush()
            text = decoder.decode(data, final=not data)
            with self._cond:
                if text:
                    self._text += text
                    self._chunk_ends.append(len(self._text))
                    self._chunk_times.append(now - self._t0)
                if not data:
                    self._eof = True
                self._cond.notify_all()
            if not data:
                return

    def _read_stderr(self) -> None:
        data = self.proc.stderr.read()
        with self._cond:
            self._stderr = data

    def elapsed(self) -> float:
        """Seconds since the process was spawned."""
        return time.monotonic() - self._t0

    def elapsed_at(self, offset: int) -> float:
        """Seconds after spawn by which transcript[:offset] had arrived (pass a match's
        end() to time the match): the arrival time of the chunk that completed it."""
        with self._cond:
            i = bisect.bisect_left(self._chunk_ends, offset)
            return self._chunk_times[i] if i < len(self._chunk_times) else self.elapsed()

    def transcript(self) -> str:
        """Everything read so far (serial output keeps its \\r\\n line ends)."""
        with self._cond:
            return self._text

    def stderr(self) -> str:
        """stderr, when split_stderr=True (complete only after exit)."""
        return self._stderr.decode("utf-8", "replace")

    def tail(self, lines: int = 60) -> str:
        text = self.transcript().replace("\r\n", "\n")
        return "\n".join(text.splitlines()[-lines:])

    def describe(self, lines: int = 60) -> str:
        """Command, timing, exit status and transcript tail: the body of failure messages."""
        rc = self.proc.poll()
        status = "still running" if rc is None else f"exit status {rc}"
        out = [f"command: {shlex.join(self.argv)}",
               f"after {self.elapsed():.1f} s, {status}; last {lines} lines of output:",
               self.tail(lines) or "(no output)"]
        if self._stderr:
            out += ["stderr:", self.stderr()[-4000:]]
        return "\n".join(out)

    # -- waiting ----------------------------------------------------------------------
    def wait_for(self, predicate: Callable[[str], T], timeout: float | None = None,
                 interval: float = 0.1) -> T | None:
        """Call predicate(transcript) when new output arrives, at most every `interval`
        seconds (serial output can come a byte at a time), until it returns something truthy;
        return that, or None when the timeout passes or the output ends first."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        seen = -1
        while True:
            with self._cond:
                text, eof = self._text, self._eof
            if len(text) != seen:
                seen = len(text)
                result = predicate(text)
                if result:
                    return result
            if eof:
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            time.sleep(min(interval, left))
            with self._cond:
                if len(self._text) == seen and not self._eof:
                    self._cond.wait(deadline - time.monotonic())

    def expect(self, pattern: str | re.Pattern[str], timeout: float | None = None) -> re.Match[str]:
        """Wait for `pattern` (a str is compiled with re.MULTILINE) in the output after the
        previous expect()'s match; return the match and move past it. Raises VMTimeout, or
        VMExited when the output ends without it."""
        regex = re.compile(pattern, re.MULTILINE) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        with self._cond:
            while True:
                m = regex.search(self._text, self._pos)
                if m:
                    self._pos = m.end()
                    return m
                left = deadline - time.monotonic()
                if self._eof or left <= 0:
                    break
                self._cond.wait(left)
        if self._eof:
            self.proc.wait()
            raise VMExited(f"output ended before /{regex.pattern}/ appeared\n{self.describe()}")
        raise VMTimeout(f"/{regex.pattern}/ did not appear within "
                        f"{self.timeout if timeout is None else timeout:g} s\n{self.describe()}")

    def send(self, data: str | bytes) -> None:
        """Write to the VMM's stdin (the serial console with -nographic); needs stdin=True."""
        if self.proc.stdin is None:
            raise RuntimeError("VMProcess was started without stdin=True")
        self.proc.stdin.write(data.encode() if isinstance(data, str) else data)
        self.proc.stdin.flush()

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the process to exit and return its exit status (negative: killed by
        that signal). Raises VMTimeout if it is still running after `timeout`."""
        limit = self.timeout if timeout is None else timeout
        try:
            rc = self.proc.wait(limit)
        except subprocess.TimeoutExpired:
            raise VMTimeout(f"VM did not exit within {limit:g} s\n{self.describe()}") from None
        self._join_readers(5)
        return rc

    @property
    def returncode(self) -> int | None:
        return self.proc.poll()

    # -- stopping ---------------------------------------------------------------------
    def kill(self, grace: float = 3.0) -> int:
        """Stop the VM: SIGTERM to its process group, SIGKILL after `grace` seconds.
        Safe to call more than once; returns the exit status."""
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        rc = self.proc.wait()
        self._join_readers(5)
        if self.proc.stdin:
            self.proc.stdin.close()
        if self._log and not self._log.closed:
            self._log.close()
        return rc

    def _join_readers(self, timeout: float) -> None:
        for t in self._readers:
            t.join(timeout)

    def __enter__(self) -> "VMProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.kill()
