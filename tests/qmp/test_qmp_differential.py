# SPDX-License-Identifier: MIT
"""The differential test: one transcript, sent to QEMU 7.2 and to flexvm, both
running the test guest with the same options. For each step it compares
return vs error, the keys of every reply (recursively in objects; in lists,
the keys of the elements), JSON types, error classes, and the events the step
caused (names and data). Values are not compared (versions, thread ids and QOM
property lists differ by nature); the other test modules check them.

Every difference the test tolerates is in TOLERATED with its reason, and
docs/qmp.md lists each one. A tolerance that no longer matches anything fails
the test too, so the table (and the doc) stays true.

Runs whenever qemu-system-x86_64 is installed. With FLEXVM_QMP_VMM=qemu the
"subject" is QEMU as well: a self-check that must find no difference at all.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from qmp_client import QmpVm

OPTIONS = ["-S", "-name", "difftest", "-smp", "2,sockets=2"]
DEBUG_EXIT = "isa-debug-exit,id=dbg"
SEND_TIMEOUT = 120  # seconds for one raw step to be taken (only a hang should fail)


@dataclass
class Step:
    label: str
    send: Any                   # a message, or bytes sent as they are
    settle: float = 0.0         # seconds to collect the events the step causes
    sentinel: bool = False      # raw bytes: then a query-status with id "sentinel"


def hmp(line):
    return {"execute": "human-monitor-command", "arguments": {"command-line": line}}


def cmd(name, **args):
    msg = {"execute": name}
    if args:
        msg["arguments"] = args
    return msg


def nested(depth):
    value = []
    for _ in range(depth - 1):
        value = [value]
    return value


TRANSCRIPT = [
    Step("before-negotiation", cmd("query-status")),
    Step("before-negotiation-id", {"execute": "query-status", "id": "early"}),
    Step("negotiate-bad-cap", cmd("qmp_capabilities", enable=["no-such-capability"])),
    Step("negotiate", {"execute": "qmp_capabilities", "id": 1}),
    Step("negotiate-again", cmd("qmp_capabilities")),
    Step("query-version", cmd("query-version")),
    Step("query-commands", cmd("query-commands")),
    Step("query-status-prelaunch", cmd("query-status")),
    Step("query-name", cmd("query-name")),
    Step("query-kvm", cmd("query-kvm")),
    Step("query-cpus-fast", cmd("query-cpus-fast")),
    Step("unknown-command", {"execute": "no-such-command", "id": "u"}),
    Step("extra-argument", cmd("query-status", bogus=1)),
    Step("missing-argument", cmd("qom-get", path="/machine")),
    Step("wrong-type-argument", cmd("qom-get", path=1, property="type")),
    Step("not-an-object", [1, 2]),
    Step("no-execute", {"id": 2}),
    Step("execute-not-string", {"execute": 3}),
    Step("arguments-not-object", {"execute": "query-status", "arguments": [1]}),
    Step("unexpected-member", {"execute": "query-status", "foo": 1}),
    Step("id-object", {"execute": "query-status", "id": {"a": [1, None, "x"]}}),
    Step("id-array", {"execute": "query-status", "id": [1, {"b": True}]}),
    Step("id-null", {"execute": "query-status", "id": None}),
    Step("malformed-no-value", b'{"execute": }\n', sentinel=True),
    Step("malformed-no-comma", b'{"a":1 "b":2}\n', sentinel=True),
    Step("malformed-stray-brace", b"}\n", sentinel=True),
    Step("malformed-control-char", b"\x01\n", sentinel=True),
    Step("nul-in-name", rb'{"execute":"query-status\u0000x"}' b"\n", sentinel=True),
    Step("nul-in-key", rb'{"execute\u0000":"query-status"}' b"\n", sentinel=True),
    Step("raw-tab-in-string", b'{"execute":"query-status","id":"a\tb"}\n', sentinel=True),
    Step("line-cut-in-string", b'{"execute":"query-status","id":"abc\n', sentinel=True),
    Step("other-close-recovers", b'{"arguments":{\n]\n', sentinel=True),
    Step("overlong-utf8", b'{"execute":"query-status","id":"\xc0\xaf"}\n', sentinel=True),
    Step("lone-surrogate", rb'{"execute":"query-status","id":"\ud800"}' b"\n", sentinel=True),
    Step("capital-exponent", b'{"execute":"query-status","id":1E5}\n', sentinel=True),
    Step("exponent-no-digits", b'{"execute":"query-status","id":1e}\n', sentinel=True),
    Step("comment", b'{"execute":"query-status" /* c */}\n', sentinel=True),
    Step("duplicate-key", b'{"execute":"query-status","execute":"stop"}\n', sentinel=True),
    Step("crlf", b'{"execute":"query-status","id":"crlf"}\r\n', sentinel=True),
    Step("single-quotes", b"{'execute':'query-status','id':'sq'}\n", sentinel=True),
    Step("nesting-500", {"execute": "query-status", "id": nested(500)}),
    Step("nesting-over-limit", b'{"execute":"query-status","id":' + b"[" * 1100 + b"]" * 1100
         + b"}\n", sentinel=True),
    Step("oversized", b'{"execute":"query-status","id":"' + b"x" * (1536 * 1024) + b'"}\n',
         sentinel=True),
    Step("cont-from-prelaunch", cmd("cont"), settle=0.5),
    Step("query-status-running", cmd("query-status")),
    Step("stop", cmd("stop"), settle=0.5),
    Step("query-status-paused", cmd("query-status")),
    Step("stop-again", cmd("stop"), settle=0.3),
    Step("cont", cmd("cont"), settle=0.5),
    Step("cont-again", cmd("cont"), settle=0.3),
    Step("qom-list-root", cmd("qom-list", path="/")),
    Step("qom-list-machine", cmd("qom-list", path="/machine")),
    Step("qom-list-peripheral", cmd("qom-list", path="/machine/peripheral")),
    Step("qom-list-device", cmd("qom-list", path="/machine/peripheral/dbg")),
    Step("qom-list-missing", cmd("qom-list", path="/nope")),
    Step("qom-get-type", cmd("qom-get", path="/machine", property="type")),
    Step("qom-get-device-prop", cmd("qom-get", path="dbg", property="iobase")),
    Step("qom-get-missing-path", cmd("qom-get", path="/nope", property="type")),
    Step("qom-get-missing-prop", cmd("qom-get", path="/machine", property="nope")),
    Step("qom-set-read-only", cmd("qom-set", path="/machine", property="type", value="x")),
    Step("qom-set-missing-path", cmd("qom-set", path="/nope", property="x", value=1)),
    Step("qom-set-realized", cmd("qom-set", path="dbg", property="iobase", value=1536)),
    Step("qom-set-no-value", cmd("qom-set", path="/machine", property="type")),
    Step("hmp-info-status", hmp("info status")),
    Step("hmp-info-version", hmp("info version")),
    Step("hmp-qom-get", hmp("qom-get /machine type")),
    Step("hmp-unknown", hmp("no-such-hmp-command")),
    Step("hmp-no-command-line", cmd("human-monitor-command")),
    Step("system_reset", cmd("system_reset"), settle=1.5),
    Step("query-status-after-reset", cmd("query-status")),
]

# (step label, path, reason). A path ending in "*" covers everything under it ("*": the
# whole step).
TOLERATED = [
    ("greeting", "QMP.capabilities[]",
     "flexvm offers no QMP capabilities: it has no out-of-band execution (QEMU offers 'oob')"),
    ("nesting-over-limit", "reply-count",
     "QEMU 7.2 answers the nesting error, then once more for every bracket left in the "
     "message (about 1,100 errors here); flexvm answers once and skips the rest of it"),
    ("oversized", "*",
     "flexvm refuses a message over 1 MiB ('JSON token size limit exceeded'); QEMU 7.2 "
     "takes up to 64 MiB and answers the command"),
    ("system_reset", "events",
     "under QEMU, SeaBIOS resets the machine once more after a warm reset, which adds a "
     "RESET {guest: true, reason: guest-reset}; flexvm has no firmware"),
]


@dataclass
class Result:
    replies: list = field(default_factory=list)
    events: list = field(default_factory=list)
    count: int = 0  # sentinel steps: replies received up to the sentinel's


def run_transcript(vm: QmpVm) -> dict[str, Result]:
    out: dict[str, Result] = {}
    q = vm.connect(negotiate=False)
    out["greeting"] = Result(replies=[q.greeting])
    for step in TRANSCRIPT:
        r = Result()
        if isinstance(step.send, bytes):
            # QEMU under host load can take well over 10 s to read 1.5 MiB.
            q.send_raw(step.send, timeout=SEND_TIMEOUT)
        else:
            q.send(step.send)
        if step.sentinel:
            # Replies up to the sentinel's: how many, and one of each error class.
            q.send({"execute": "query-status", "id": "sentinel"})
            while True:
                reply = q.reply(timeout=60)
                r.count += 1
                if reply.get("id") == "sentinel":
                    r.replies.append(reply)
                    break
                cls = reply.get("error", {}).get("class")
                if not any(cls == x.get("error", {}).get("class") for x in r.replies):
                    r.replies.append(reply)
        else:
            r.replies.append(q.reply())
        r.events = [(e["event"], e.get("data")) for e in q.events(step.settle)]
        out[step.label] = r
    q.send({"execute": "quit"})
    msgs = q.wait_closed(timeout=10)
    out["quit"] = Result(replies=[m for m in msgs if "event" not in m],
                         events=[(m["event"], m.get("data")) for m in msgs if "event" in m])
    out["exit-status"] = Result(replies=[{"return": vm.wait(10)}])
    return out


def json_type(v) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if v is None:
        return "null"
    return {dict: "object", list: "array", str: "string"}[type(v)]


def compare(qv, fv, path: str) -> list[tuple[str, str]]:
    """Differences between QEMU's value qv and flexvm's fv, as (path, what)."""
    tq, tf = json_type(qv), json_type(fv)
    if tq != tf:
        return [(path, f"{tq} in QEMU, {tf} in flexvm")]
    if tq == "object":
        diffs = []
        for k in sorted(set(qv) | set(fv)):
            sub = f"{path}.{k}" if path else k
            if k not in fv:
                diffs.append((sub, "missing in flexvm"))
            elif k not in qv:
                diffs.append((sub, "not in QEMU"))
            elif sub.endswith("error.class") and qv[k] != fv[k]:
                diffs.append((sub, f"{qv[k]!r} in QEMU, {fv[k]!r} in flexvm"))
            else:
                diffs += compare(qv[k], fv[k], sub)
        return diffs
    if tq == "array":
        if not qv or not fv:
            if bool(qv) != bool(fv):
                return [(path + "[]", "empty in " + ("flexvm" if qv else "QEMU"))]
            return []
        return compare(merge(qv), merge(fv), path + "[]")
    return []


def merge(items: list):
    """One representative of a list's elements: objects are merged key by key (so the
    element key sets are compared as a union), other values must share one type."""
    if all(isinstance(i, dict) for i in items):
        merged: dict = {}
        for i in items:
            for k, v in i.items():
                merged.setdefault(k, v)
        return merged
    types = {json_type(i) for i in items}
    return items[0] if len(types) == 1 else "|".join(sorted(types))


def compare_results(qemu: dict[str, Result], subject: dict[str, Result]):
    """All differences as (step label, path, what)."""
    diffs = []
    for label in qemu:
        qr, fr = qemu[label], subject[label]
        if len(qr.replies) != len(fr.replies):
            diffs.append((label, "replies", f"{len(qr.replies)} replies from QEMU, "
                          f"{len(fr.replies)} from flexvm: {fr.replies!r}"))
        for i, (a, b) in enumerate(zip(qr.replies, fr.replies)):
            if label == "exit-status":
                if a != b:
                    diffs.append((label, "return", f"{a} in QEMU, {b} in flexvm"))
                continue
            for path, what in compare(a, b, ""):
                diffs.append((label, path, what))
        if qr.count != fr.count:
            diffs.append((label, "reply-count", f"{qr.count} replies from QEMU, "
                          f"{fr.count} from flexvm"))
        if qr.events != fr.events:
            diffs.append((label, "events", f"QEMU {qr.events!r}, flexvm {fr.events!r}"))
    return diffs


def tolerated(label: str, path: str) -> str | None:
    for t_label, t_path, reason in TOLERATED:
        if t_label == label and (t_path == path or
                                 (t_path.endswith("*") and path.startswith(t_path[:-1]))):
            return reason
    return None


def start(kind, binary, guest):
    return QmpVm(kind, binary, guest, append="scenario=echo", extra=OPTIONS,
                 debug_exit=DEBUG_EXIT, stdin=True)


@pytest.fixture(scope="module")
def transcripts(qemu_binary, vmm_kind, vmm_binary, guest):
    """The transcript's results under QEMU 7.2 and under the VMM being tested."""
    out = {}
    for name, kind, binary in (("qemu", "qemu", qemu_binary),
                               ("subject", vmm_kind, vmm_binary)):
        with start(kind, binary, guest) as vm:
            out[name] = run_transcript(vm)
    return out


def test_transcript_replies_match_qemu(transcripts, vmm_kind):
    diffs = compare_results(transcripts["qemu"], transcripts["subject"])
    unexpected = [d for d in diffs if not tolerated(d[0], d[1])]
    assert not unexpected, "differences from QEMU 7.2 not in TOLERATED:\n" + "\n".join(
        f"  {label}: {path}: {what}" for label, path, what in unexpected)
    if vmm_kind == "qemu":
        assert diffs == [], diffs  # QEMU against itself: the harness is deterministic


def test_every_tolerated_difference_still_occurs(transcripts, vmm_kind):
    if vmm_kind == "qemu":
        pytest.skip("QEMU against itself: nothing to tolerate")
    diffs = compare_results(transcripts["qemu"], transcripts["subject"])
    stale = [t for t in TOLERATED
             if not any(d[0] == t[0] and tolerated(d[0], d[1]) == t[2] for d in diffs)]
    assert not stale, ("TOLERATED lists differences that no longer occur (remove them "
                       "here and from docs/qmp.md): " + repr(stale))


def test_the_transcript_exercised_both_replies_and_errors(transcripts):
    """Guards the comparison against a transcript that compares nothing."""
    q = transcripts["qemu"]
    assert "return" in q["query-status-running"].replies[0], q["query-status-running"]
    assert q["query-status-running"].replies[0]["return"]["status"] == "running"
    assert q["unknown-command"].replies[0]["error"]["class"] == "CommandNotFound"
    assert q["missing-argument"].replies[0]["error"]["class"] == "GenericError"
    assert q["qom-list-missing"].replies[0]["error"]["class"] == "DeviceNotFound"
    assert [e[0] for e in q["stop"].events] == ["STOP"]
    assert q["quit"].replies == [{"return": {}}]
    assert [e[0] for e in q["quit"].events] == ["SHUTDOWN"]
    assert q["exit-status"].replies == [{"return": 0}]
    s = transcripts["subject"]
    assert s["query-status-running"].replies[0]["return"]["status"] == "running", s


def test_compare_finds_key_type_and_class_differences():
    """The comparison itself: each kind of difference is reported."""
    a = {"return": {"x": 1, "l": [{"k": 1}], "s": "v"}}
    assert compare(a, a, "") == []
    assert compare(a, {"return": {"x": 1, "l": [{"k": 1}]}}, "") == [
        ("return.s", "missing in flexvm")]
    assert compare(a, {"return": {"x": "1", "l": [{"k": 1}], "s": "v"}}, "") == [
        ("return.x", "number in QEMU, string in flexvm")]
    assert compare(a, {"return": {"x": 1, "l": [{"k": 1, "j": 2}], "s": "v"}}, "") == [
        ("return.l[].j", "not in QEMU")]
    assert compare(a, {"return": {"x": 1, "l": [], "s": "v"}}, "") == [
        ("return.l[]", "empty in flexvm")]
    assert compare({"error": {"class": "GenericError", "desc": "a"}},
                   {"error": {"class": "CommandNotFound", "desc": "b"}}, "") == [
        ("error.class", "'GenericError' in QEMU, 'CommandNotFound' in flexvm")]
    assert compare({"return": {}}, {"error": {"class": "GenericError", "desc": "b"}}, "") == [
        ("error", "not in QEMU"), ("return", "missing in flexvm")]


# -- "A client written for QEMU's QMP drives flexvm with no change" --------------------------

def qemu_style_session(vm: QmpVm) -> list:
    """A management script as one writes it against QEMU: connect, negotiate,
    query-status, stop, cont, quit. Returns what it saw."""
    seen = []
    q = vm.connect()
    vm.expect(r"echo: ready", 30)
    seen.append(q.ok("query-status")["status"])
    q.ok("stop")
    seen.append(q.wait_event("STOP")["event"])
    seen.append(q.ok("query-status")["status"])
    q.ok("cont")
    seen.append(q.wait_event("RESUME")["event"])
    q.send({"execute": "quit"})
    msgs = q.wait_closed()
    seen.append([m for m in msgs if "event" not in m])
    seen.append([(m["event"], m["data"]["reason"]) for m in msgs if "event" in m])
    seen.append(vm.wait(10))
    return seen


def test_a_qemu_client_drives_both_the_same_way(qemu_binary, vmm_kind, vmm_binary, guest):
    results = {}
    for name, kind, binary in (("qemu", "qemu", qemu_binary),
                               ("subject", vmm_kind, vmm_binary)):
        with QmpVm(kind, binary, guest, stdin=True) as vm:
            results[name] = qemu_style_session(vm)
    want = ["running", "STOP", "paused", "RESUME", [{"return": {}}],
            [("SHUTDOWN", "host-qmp-quit")], 0]
    assert results["qemu"] == want
    assert results["subject"] == want
