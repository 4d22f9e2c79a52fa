# SPDX-License-Identifier: MIT
"""Step 2's "Must show": a hostile or broken client leaves the VM running and the
other clients served. Each test runs the echo guest with two monitors (the
default socket and qmp2.sock, so that the "other client" exists under QEMU too,
which serves one client per socket), abuses one, and checks that the guest
still echoes and that another client gets prompt answers. Everything is on
UNIX sockets in a private directory and bounded in count and time."""
import json
import os
import re
import socket
import threading
import time

import pytest

from qmp_client import QmpClient, QmpTimeout

SECOND = ["-qmp", "unix:@DIR@/qmp2.sock,server=on,wait=off"]
PROMPT = 2.0  # seconds: what "served promptly" means for one query-status

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


# -- 10,000 malformed messages ----------------------------------------------------------------
#
# Each kind is one message (a line) and the exact replies it gets, in order: "GE"
# GenericError, "CNF" CommandNotFound, "DNF" DeviceNotFound, "OK" a return. A "#"
# means the reply carries the message's id, which is its sequence number (written
# where the text says @ID@); "=" that it carries the id the text gives (KINDS_ID).
# Where QEMU 7.2 answers differently on purpose (docs/qmp.md, "Deliberate
# differences": the 1 MiB limit, skipping the rest of a too deep value, no device_add),
# the kind says what QEMU sends too, so the test stays exact under both.

CLASSES = {"GE": "GenericError", "CNF": "CommandNotFound", "DNF": "DeviceNotFound"}
MIB = 1024 * 1024


class Kind:
    def __init__(self, text, *replies, qemu=None, ident=None):
        self.text, self.ident = text, ident
        self.replies = {"flexvm": list(replies), "qemu": list(qemu or replies)}

    def message(self, seq):
        return self.text.replace(b"@ID@", str(seq).encode()) + b"\n"


def qs(ident):
    return b'{"execute":"query-status","id":' + ident + b"}"


def args(cmd, text):
    return b'{"execute":"' + cmd + b'","id":@ID@,"arguments":' + text + b"}"


def hmp(text):
    return args(b"human-monitor-command", text)


KINDS_PARSE = [  # bad JSON: QEMU's lexer or parser refuses it; no id can be read
    Kind(b'{"execute": }', "GE"),
    Kind(b"}", "GE"),
    Kind(b"]", "GE"),
    Kind(b'{"a":1 "b":2}', "GE"),
    Kind(b"\x01", "GE"),
    Kind(b"\x00", "GE"),                                   # a NUL byte
    Kind(b'{"execute":"query-status"]', "GE"),             # cut, wrong closer
    Kind(b'{"execute":"query-status","id":}', "GE"),       # cut before the value
    Kind(b'{"execute":"qom-set","arguments":{"path":"/machine","value":}}', "GE"),
    Kind(b"\xff\xfe", "GE", "GE"),           # one error per byte
    Kind(b"[1,,2]", "GE"),
    Kind(b"nul", "GE"),
    Kind(b'{"execute":"query-status",,}', "GE"),
    Kind(qs(b'"\xc3("'), "GE"),                            # invalid UTF-8
    Kind(qs(b'"\x80"'), "GE"),
    Kind(qs(b'"\xc3"'), "GE"),                             # truncated sequence
    Kind(b"\xc3\xa9", "GE"),                               # UTF-8 outside a string
    Kind(qs(b'"\\x41"'), "GE"),                            # bad escape
    Kind(qs(b"tru"), "GE"),
    Kind(qs(b"0x10"), "GE"),
    Kind(qs(b".5"), "GE", "GE"),
    Kind(qs(b'{"a":1]'), "GE", "GE"),
    Kind(b'{"execute":"query-status","id":[1,2]]', "GE"),
    Kind(qs(b'"abc\x00def"'), "GE", "GE"),    # NUL inside a string
    Kind(b"NaN", "GE"),
    Kind(b"Infinity", "GE"),
    Kind(b"--1", "GE"),
]

KINDS_ENVELOPE = [  # valid JSON that is not a valid QMP request
    Kind(b"[]", "GE"), Kind(b"1", "GE"), Kind(b'"s"', "GE"), Kind(b"null", "GE"),
    Kind(b"true", "GE"), Kind(b"1.5", "GE"), Kind(b"{}", "GE"),
    Kind(b'{"id":@ID@}', "GE#"),
    Kind(b'{"execute":1,"id":@ID@}', "GE#"),
    Kind(b'{"execute":null,"id":@ID@}', "GE#"),
    Kind(b'{"execute":["query-status"],"id":@ID@}', "GE#"),
    Kind(b'{"execute":{"a":1},"id":@ID@}', "GE#"),
    Kind(b'{"execute":true,"id":@ID@}', "GE#"),
    Kind(b'{"execute":1.5,"id":@ID@}', "GE#"),
    Kind(b'{"execute":"query-status","arguments":[],"id":@ID@}', "GE#"),
    Kind(b'{"execute":"query-status","arguments":"x","id":@ID@}', "GE#"),
    Kind(b'{"execute":"query-status","arguments":null,"id":@ID@}', "GE#"),
    Kind(b'{"execute":"query-status","extra":2,"id":@ID@}', "GE#"),
    Kind(b'{"execute":"query-status","exec-oob":"stop","id":@ID@}', "GE#"),
    Kind(b'{"execute":"query-status","control":{},"id":@ID@}', "GE#"),
]

KINDS_COMMAND = [  # unknown commands, missing, extra and wrong-typed arguments
    Kind(b'{"execute":"no-such-command","id":@ID@}', "CNF#"),
    Kind(b'{"execute":"","id":@ID@}', "CNF#"),
    Kind(b'{"execute":"' + b"q" * 1000 + b'","id":@ID@}', "CNF#"),
    Kind(b'{"execute":"qmp_capabilities","id":@ID@}', "CNF#"),     # again
    Kind(args(b"device_add", b'{"driver":1}'), "CNF#", qemu=["GE#"]),
    Kind(args(b"device_add", b"{}"), "CNF#", qemu=["GE#"]),
    Kind(args(b"qmp_capabilities", b'{"enable":"oob"}'), "GE#"),
    Kind(args(b"query-status", b'{"a":1}'), "GE#"),
    Kind(args(b"stop", b'{"now":true}'), "GE#"),
    Kind(args(b"qom-get", b'{"path":[],"property":{}}'), "GE#"),
    Kind(args(b"qom-get", b'{"path":"/machine","property":"type","x":null}'), "GE#"),
    Kind(args(b"qom-get", b'{"path":"/machine"}'), "GE#"),
    Kind(args(b"qom-get", b'{"path":"/nope","property":"type"}'), "DNF#"),
    Kind(args(b"qom-set", b'{"path":1,"property":"type","value":1}'), "GE#"),
    Kind(args(b"qom-set", b'{"path":"/machine","property":true,"value":1}'), "GE#"),
    Kind(args(b"qom-set", b'{"path":"/machine","property":"type"}'), "GE#"),
    Kind(args(b"qom-set", b'{"path":"/machine","property":"type","value":1,"x":2}'),
         "GE#"),
    Kind(args(b"qom-set", b'{"path":"/machine","property":"type","value":{"a":[1]}}'),
         "GE#"),                                                   # read-only
    Kind(args(b"qom-set", b'{"path":"/nope","property":"type","value":1}'), "DNF#"),
    Kind(hmp(b"{}"), "GE#"),
    Kind(hmp(b'{"command-line":1}'), "GE#"),
    Kind(hmp(b'{"command-line":"info status","cpu-index":"x"}'), "GE#"),
    Kind(hmp(b'{"command-line":"info status","cpu-index":99}'), "GE#"),
    Kind(hmp(b'{"command-line":"info status","cpu-index":-1}'), "GE#"),
    Kind(hmp(b'{"command-line":"info status","cpu-index":18446744073709551616}'), "GE#"),
    Kind(hmp(b'{"command-line":"","x":1}'), "GE#"),
    Kind(hmp(b'{"command-line":"no-such-hmp-command"}'), "OK#"),   # HMP's error text
]

KINDS_ID = [  # well-formed requests with ids of every JSON type
    Kind(qs(b'"a string"'), "OK=", ident="a string"),
    Kind(qs(b'""'), "OK=", ident=""),
    Kind(qs(b"0"), "OK=", ident=0),
    Kind(qs(b"-7"), "OK=", ident=-7),
    Kind(qs(b"1.5"), "OK=", ident=1.5),
    Kind(qs(b"1e308"), "OK=", ident=1e308),
    Kind(qs(b"18446744073709551615"), "OK=", ident=18446744073709551615),
    Kind(qs(b"-9223372036854775808"), "OK=", ident=-9223372036854775808),
    Kind(qs(b"true"), "OK=", ident=True),
    Kind(qs(b"false"), "OK=", ident=False),
    Kind(qs(b"null"), "OK=", ident=None),
    Kind(qs(b'{"n":[1,{"m":null}],"s":"x"}'), "OK=", ident={"n": [1, {"m": None}], "s": "x"}),
    Kind(qs(b"[]"), "OK=", ident=[]),
    Kind(qs(b'"\\u00e9\\ud83d\\ude00"'), "OK=", ident="\u00e9\U0001F600"),
    Kind(qs(b'"\xc3\xa9\xf0\x9f\x98\x80"'), "OK=", ident="\u00e9\U0001F600"),
    Kind(b"{'execute':'query-status','id':'single'}", "OK=", ident="single"),
]

KINDS = KINDS_PARSE + KINDS_ENVELOPE + KINDS_COMMAND + KINDS_ID

# Rare kinds at fixed places: 1,025 levels of nesting (QEMU sends one more error per
# bracket left), and ids of just under and just over flexvm's 1 MiB message limit.
DEEP = Kind(b"[" * 1025 + b"]" * 1025, "GE", qemu=["GE"] * 1026)
NEAR_LIMIT = Kind(qs(b'"' + b"n" * (MIB - 100) + b'"'), "OK=", ident="n" * (MIB - 100))
OVER_LIMIT = Kind(qs(b'"' + b"o" * (MIB + 100) + b'"'), "GE",
                  qemu=["OK="])  # QEMU takes up to 64 MiB
OVER_LIMIT.ident = "o" * (MIB + 100)
RARE = {500 + 1000 * i: DEEP for i in range(10)}
RARE.update({2000: NEAR_LIMIT, 5000: NEAR_LIMIT, 8000: NEAR_LIMIT,
             3000: OVER_LIMIT, 6000: OVER_LIMIT, 9000: OVER_LIMIT})


def flood_plan(count):
    """[(message bytes, kind)] for `count` messages: the kinds in turn, rare ones
    at their places."""
    plan = []
    for seq in range(count):
        kind = RARE.get(seq) or KINDS[seq % len(KINDS)]
        plan.append((kind.message(seq), kind))
    return plan


class LineReader(threading.Thread):
    """Reads a socket to EOF in the background and decodes every line."""

    def __init__(self, sock):
        super().__init__(daemon=True)
        self.sock, self.msgs, self.error = sock, [], None

    def run(self):
        buf = b""
        try:
            while True:
                data = self.sock.recv(1 << 20)
                if not data:
                    return
                buf += data
                *lines, buf = buf.split(b"\n")
                self.msgs.extend(json.loads(line) for line in lines)
        except (OSError, ValueError) as e:
            self.error = e

    def replies(self):
        return [m for m in self.msgs if "event" not in m and "QMP" not in m]


def check_reply(reply, want, seq, kind, ident_of):
    what = f"message {seq} ({kind.text[:60]!r}...): got {str(reply)[:300]}, want {want}"
    cls = want.rstrip("#=")
    if cls == "OK":
        assert "return" in reply and "error" not in reply, what
    else:
        assert "error" in reply and reply["error"]["class"] == CLASSES[cls], what
    if want.endswith("#"):
        assert reply.get("id", "none") == seq, what
    elif want.endswith("="):
        assert "id" in reply and reply["id"] == ident_of(kind), what
        assert type(reply["id"]) is type(ident_of(kind)), what
    else:
        assert "id" not in reply, what


def test_10000_malformed_messages_each_get_their_error_in_order(vmm):
    vm = start(vmm)
    other = vm.connect(vm.sock2)
    abuser = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    abuser.settimeout(120)
    abuser.connect(vm.sock)
    abuser.sendall(b'{"execute":"qmp_capabilities"}\n')
    reader = LineReader(abuser)
    reader.start()
    plan = flood_plan(10000)
    # Pipelined: many messages per write, read by the other thread as they come.
    batch, size, sent = [], 0, 0
    for seq, (msg, _) in enumerate(plan):
        batch.append(msg)
        size += len(msg)
        if size >= 65536 or seq == len(plan) - 1:
            abuser.sendall(b"".join(batch))
            sent += len(batch)
            batch, size = [], 0
        if seq % 1000 == 999:
            served_promptly(other, f"after {seq + 1} malformed messages")
    abuser.sendall(b'{"execute":"query-status","id":"sentinel"}\n')
    deadline = time.monotonic() + 120
    while not any(r.get("id") == "sentinel" for r in reader.replies()[-3:]):
        assert reader.is_alive() and time.monotonic() < deadline, \
            (reader.error, len(reader.replies()), vm.describe())
        time.sleep(0.05)
    replies = reader.replies()
    assert sent == 10000
    assert replies[0] == {"return": {}}, replies[0]  # qmp_capabilities
    assert replies[-1]["id"] == "sentinel" and replies[-1]["return"]["running"], replies[-1]
    got = iter(replies[1:-1])
    counts = {}
    for seq, (_, kind) in enumerate(plan):
        for want in kind.replies[vmm.kind]:
            reply = next(got, None)
            assert reply is not None, f"no reply for message {seq}: {kind.text[:60]!r}"
            check_reply(reply, want, seq, kind, lambda k: k.ident)
            cls = reply["error"]["class"] if "error" in reply else "return"
            counts[cls] = counts.get(cls, 0) + 1
    rest = list(got)
    assert rest == [], f"{len(rest)} replies too many, first {str(rest[0])[:300]}"
    print(f"\n{vmm.kind}: 10000 messages, {len(replies) - 2} replies: {counts}")
    assert vm.alive(), vm.describe()
    guest_echoes(vm, "after 10000 malformed messages")
    served_promptly(other, "at the end")
    abuser.shutdown(socket.SHUT_RDWR)  # ends the reader's recv()
    reader.join(10)
    abuser.close()


def one_client(path, i, rnd, barrier, results):
    """What client i of a round does, at the same time as the 63 others."""
    kind = i % 6
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(30)
        barrier.wait(30)
        sock.connect(path)
        if kind == 0:  # hangs up without reading the greeting
            sock.close()
            results[i] = "closed"
            return
        c = QmpClient(_Sock(sock), 30, f"r{rnd}c{i}")
        c.read_greeting()
        if kind == 1:  # hangs up before negotiating
            c.close()
        elif kind == 2:  # a whole session
            c.negotiate()
            assert c.cmd("query-status", id=[rnd, i]) == {
                "return": {"status": "running", "singlestep": False, "running": True},
                "id": [rnd, i]}
            c.close()
        elif kind == 3:  # hangs up in the middle of a message
            c.negotiate()
            c.send_raw(b'{"execute": "query-sta')
            c.close()
        elif kind == 4:  # asks for a big reply and leaves without reading it
            c.negotiate()
            c.send_raw(b'{"execute":"query-pci"}\n{"execute":"query-commands"}\n')
            c.close()
        else:  # shuts down its sending side, then reads its replies to the end
            c.send_raw(b'{"execute":"qmp_capabilities"}\n{"execute":"query-name","id":1}\n')
            sock.shutdown(socket.SHUT_WR)
            assert [m.get("id") for m in c.wait_closed(30)] == [None, 1]
            c.close()
        results[i] = "ok"
    except BaseException as e:  # reported by the main thread
        results[i] = e


class _Sock:
    """The QmpClient transport over an already connected socket."""

    def __init__(self, sock):
        self.sock = sock

    def read(self, timeout):
        self.sock.settimeout(max(timeout, 0.001))
        try:
            return self.sock.recv(65536)
        except socket.timeout:
            raise QmpTimeout(f"no data within {timeout:g} s") from None
        except ConnectionResetError:
            return b""

    def write(self, data, timeout):
        self.sock.settimeout(timeout)
        self.sock.sendall(data)

    def close(self):
        self.sock.close()


@pytest.mark.flexvm_only("QEMU serves one client per socket; the others wait in the backlog")
def test_64_clients_at_once_in_5_rounds(vmm):
    """64 threads connect at the same moment (a barrier), each negotiates, runs a
    command, hangs up early or half-closes, then the next round; meanwhile a steady
    client on the other socket is served, and at the end no fd is left open."""
    vm = start(vmm)
    steady = vm.connect(vm.sock2)
    pid = vm.proc.proc.pid
    fds_before = fd_count(pid)
    for rnd in range(5):
        barrier = threading.Barrier(64)
        results = [None] * 64
        threads = [threading.Thread(target=one_client, daemon=True,
                                    args=(vm.sock, i, rnd, barrier, results))
                   for i in range(64)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        bad = [(i, r) for i, r in enumerate(results) if r not in ("ok", "closed")]
        assert not bad, f"round {rnd}: {bad[:5]}\n{vm.describe()}"
        served_promptly(steady, f"round {rnd}")
    assert vm.alive(), vm.describe()
    guest_echoes(vm, "after 320 concurrent connections")
    q = vm.connect()
    served_promptly(q, "a new client")
    q.close()
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


HOG_REQUESTS = (b'{"execute":"query-pci","id":"hog"}\n'
                b'{"execute":"query-commands","id":"hog"}\n'
                b'{"execute":"x-query-memslots","id":"hog"}\n'
                b'{"execute":"human-monitor-command","id":"hog",'
                b'"arguments":{"command-line":"info pci"}}\n')


def test_a_client_that_never_reads_stalls_neither_the_vm_nor_other_clients(vmm):
    """The hog asks for big replies (query-pci with six PCI functions, query-commands,
    HMP 'info pci': 1-3 KiB each; x-query-memslots is flexvm's), trying 40,000 times, and
    never reads; 300 stop/cont cycles add 600 events for it. The other client must
    be served promptly throughout, the guest must keep running, and flexvm must not
    buffer without bound (it pauses the hog's input at 64 KiB of unread output and
    drops it past 1 MiB; QEMU 7.2 buffers without limit)."""
    vm = start(vmm, ["-device", "virtio-rng-pci"] * 5)
    other = vm.connect(vm.sock2)
    pid = vm.proc.proc.pid
    rss_before = rss_kib(pid)
    hog = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    hog.settimeout(10)
    hog.connect(vm.sock)
    hog.sendall(b'{"execute":"qmp_capabilities"}\n')
    sent = {"bytes": 0}
    chunk = HOG_REQUESTS * 100

    def flood():
        hog.settimeout(0.5)
        for _ in range(100):
            try:
                hog.sendall(chunk)
            except (socket.timeout, OSError):
                return  # flexvm stopped reading it, or dropped it
            sent["bytes"] += len(chunk)

    t = threading.Thread(target=flood, daemon=True)
    t.start()
    rss_peak = rss_before
    for i in range(300):
        other.ok("stop")
        other.wait_event("STOP", timeout=PROMPT)
        other.ok("cont")
        other.wait_event("RESUME", timeout=PROMPT)
        if i % 30 == 0:
            served_promptly(other, f"cycle {i}")
            rss_peak = max(rss_peak, rss_kib(pid))
    t.join(60)
    assert not t.is_alive()
    assert vm.alive(), vm.describe()
    guest_echoes(vm, "with a hog connected")
    assert served_promptly(other, "at the end")["status"] == "running"
    # A new client on the hog's own socket is served too (flexvm; QEMU has one per socket).
    if not vmm.is_qemu:
        fresh = vm.connect()
        served_promptly(fresh, "a client on the hog's socket")
    rss_peak = max(rss_peak, rss_kib(pid))
    grown = rss_peak - rss_before
    print(f"\n{vmm.kind}: the hog sent {sent['bytes']} bytes; RSS {rss_before} KiB, "
          f"peak +{grown} KiB")
    if not vmm.is_qemu:
        assert grown < 64 * 1024, f"flexvm grew by {grown} KiB for a client that never reads"
    hog.close()
    assert sent["bytes"] > 0
    served_promptly(other, "after the hog left")
