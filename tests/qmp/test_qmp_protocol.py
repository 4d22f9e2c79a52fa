# SPDX-License-Identifier: MIT
"""The QMP wire protocol as QEMU 7.2 speaks it: greeting, negotiation, id echo,
error replies with QEMU's classes and texts, framing, and bad input that must
not end the session. One VM serves the whole module (each test opens its own
client and closes it: QEMU serves one client per socket at a time); tests that
pause it resume it before they end."""
import json
import re
import time

import pytest

from qmp_client import QmpClient, QmpClosed

NOT_NEGOTIATED = "Expecting capabilities negotiation with 'qmp_capabilities'"


@pytest.fixture(scope="module")
def shared_vm(module_vmm):
    """The test guest (scenario=echo) with two QMP monitors: the default socket and
    qmp2.sock (for the test that needs a second, not yet negotiated, client)."""
    vm = module_vmm.start(extra=["-qmp", "unix:@DIR@/qmp2.sock,server=on,wait=off"])
    vm.sock2 = vm.tmp_path("qmp2.sock")
    return vm


@pytest.fixture
def raw(shared_vm):
    """A connected client that has read the greeting but not negotiated."""
    q = QmpClient.connect(shared_vm.sock, alive=shared_vm.alive)
    yield q
    q.close()
    assert shared_vm.alive(), shared_vm.describe()


@pytest.fixture
def q(raw):
    return raw.negotiate()


def until_id(q, want_id, timeout=10.0):
    """Replies up to and including the one with id == want_id."""
    out = []
    deadline = time.monotonic() + timeout
    while True:
        r = q.reply(max(deadline - time.monotonic(), 0.001))
        out.append(r)
        if r.get("id") == want_id:
            return out


def assert_error(reply, cls, desc=None):
    assert "error" in reply and "return" not in reply, reply
    assert set(reply["error"]) == {"class", "desc"}, reply
    assert reply["error"]["class"] == cls, reply
    assert isinstance(reply["error"]["desc"], str) and reply["error"]["desc"], reply
    if desc is not None:
        assert reply["error"]["desc"] == desc, reply


# -- greeting and negotiation ---------------------------------------------------------------

def test_greeting_has_qemu_shape(raw):
    g = raw.greeting
    assert set(g) == {"QMP"}, g
    assert set(g["QMP"]) == {"version", "capabilities"}, g
    version = g["QMP"]["version"]
    assert set(version) == {"qemu", "package"}, g
    assert set(version["qemu"]) == {"major", "minor", "micro"}, g
    assert all(type(v) is int and v >= 0 for v in version["qemu"].values()), g
    assert isinstance(version["package"], str), g
    assert isinstance(g["QMP"]["capabilities"], list), g
    assert all(isinstance(c, str) for c in g["QMP"]["capabilities"]), g


def test_messages_are_single_lines_ending_in_crlf(q):
    # libvirt splits the stream on "\r\n" (its LINE_ENDING), as QEMU writes it.
    q.cmd("query-status")
    q.cmd("query-version")
    assert len(q.raw_lines) == 4, q.raw_lines  # greeting, capabilities, two replies
    for line in q.raw_lines:
        assert line.endswith(b"\r\n"), line
        assert b"\n" not in line[:-1] and b"\r" not in line[:-2], line


def test_command_before_negotiation_is_command_not_found(raw):
    assert_error(raw.cmd("query-status"), "CommandNotFound", NOT_NEGOTIATED)
    reply = raw.cmd("query-status", id="early")
    assert_error(reply, "CommandNotFound", NOT_NEGOTIATED)
    assert reply["id"] == "early"
    # Still in negotiation mode: unknown commands get the same answer.
    assert_error(raw.cmd("no-such-command"), "CommandNotFound", NOT_NEGOTIATED)


def test_negotiation_returns_empty_object_and_echoes_id(raw):
    assert raw.cmd("qmp_capabilities", id=1) == {"return": {}, "id": 1}
    assert raw.cmd("query-status")["return"]["running"] is True


def test_second_negotiation_is_refused(q):
    assert_error(q.cmd("qmp_capabilities"), "CommandNotFound",
                 "Capabilities negotiation is already complete, command ignored")


def test_negotiation_with_unknown_capability_is_refused_and_session_stays_in_negotiation(raw):
    reply = raw.cmd("qmp_capabilities", enable=["no-such-capability"])
    assert_error(reply, "GenericError")
    assert_error(raw.cmd("query-status"), "CommandNotFound", NOT_NEGOTIATED)
    raw.negotiate()


# -- ids ------------------------------------------------------------------------------------

@pytest.mark.parametrize("ident", [
    "a string", "", 0, 42, -7, 1.5, True, None,
    {"nested": {"list": [1, "two", None]}}, [1, [2, [3]], {"k": "v"}], [],
], ids=["str", "empty-str", "zero", "int", "negative", "float", "bool", "null",
        "object", "array", "empty-array"])
def test_id_is_echoed_whatever_its_type(q, ident):
    reply = q.execute({"execute": "query-status", "id": ident})
    assert "return" in reply, reply
    assert "id" in reply and reply["id"] == ident and type(reply["id"]) is type(ident), reply


def test_id_is_echoed_on_errors(q):
    reply = q.execute({"execute": "no-such-command", "id": {"seq": 3}})
    assert_error(reply, "CommandNotFound", "The command no-such-command has not been found")
    assert reply["id"] == {"seq": 3}
    reply = q.execute({"execute": "qom-get", "arguments": {"path": "/machine"}, "id": [9]})
    assert reply["id"] == [9], reply


def test_reply_without_id_has_no_id(q):
    reply = q.cmd("query-status")
    assert set(reply) == {"return"}, reply


# -- commands and arguments -----------------------------------------------------------------

def test_unknown_command_is_command_not_found(q):
    assert_error(q.cmd("no-such-command"), "CommandNotFound",
                 "The command no-such-command has not been found")


@pytest.mark.parametrize("msg, desc", [
    ({"execute": "query-status", "arguments": {"x": 1}}, "Parameter 'x' is unexpected"),
    ({"execute": "qom-get", "arguments": {"path": "/machine"}},
     "Parameter 'property' is missing"),
    ({"execute": "qom-get", "arguments": {"property": "type"}}, "Parameter 'path' is missing"),
    ({"execute": "qom-get", "arguments": {"path": 1, "property": "type"}},
     "Invalid parameter type for 'path', expected: string"),
    ({"execute": "qom-get", "arguments": {"path": "/machine", "property": ["type"]}},
     "Invalid parameter type for 'property', expected: string"),
    ({"execute": "qom-list", "arguments": {"path": None}},
     "Invalid parameter type for 'path', expected: string"),
    ({"execute": "human-monitor-command", "arguments": {}},
     "Parameter 'command-line' is missing"),
    ({"execute": "human-monitor-command", "arguments": {"command-line": True}},
     "Invalid parameter type for 'command-line', expected: string"),
    ({"execute": "qom-set", "arguments": {"path": "/machine", "property": "type"}},
     "Parameter 'value' is missing"),
    ({"execute": "stop", "arguments": {"now": True}}, "Parameter 'now' is unexpected"),
], ids=["extra", "missing", "missing-first", "int-for-str", "list-for-str", "null-for-str",
        "hmp-missing", "hmp-bool", "qom-set-missing-value", "stop-extra"])
def test_bad_arguments_get_qemu_generic_error(q, msg, desc):
    assert_error(q.execute(msg), "GenericError", desc)
    assert q.cmd("query-status")["return"]["running"] is True


def test_bad_arguments_do_not_run_the_command(q):
    # stop with an unexpected argument must not pause the VM.
    assert_error(q.cmd("stop", extra=1), "GenericError", "Parameter 'extra' is unexpected")
    assert q.cmd("query-status")["return"]["status"] == "running"
    assert q.events(0.3) == []


@pytest.mark.parametrize("msg, desc", [
    ([1, 2], "QMP input must be a JSON object"),
    ("query-status", "QMP input must be a JSON object"),
    (123, "QMP input must be a JSON object"),
    (None, "QMP input must be a JSON object"),
    ({"id": 1}, "QMP input lacks member 'execute'"),
    ({"execute": 1}, "QMP input member 'execute' must be a string"),
    ({"execute": "query-status", "arguments": [1]},
     "QMP input member 'arguments' must be an object"),
    ({"execute": "query-status", "arguments": None},
     "QMP input member 'arguments' must be an object"),
    ({"execute": "query-status", "foo": 1}, "QMP input member 'foo' is unexpected"),
], ids=["array", "string", "number", "null", "no-execute", "execute-int", "args-array",
        "args-null", "unexpected-member"])
def test_bad_message_shape_gets_qemu_generic_error(q, msg, desc):
    assert_error(q.execute(msg), "GenericError", desc)


def test_empty_arguments_object_is_accepted(q):
    assert q.execute({"execute": "query-status", "arguments": {}})["return"]["running"] is True


# -- framing and bad JSON -------------------------------------------------------------------

def test_crlf_line_endings_are_accepted(q):
    q.send_raw(b'{"execute":"query-status","id":1}\r\n{"execute":"query-name","id":2}\r\n')
    assert [r.get("id") for r in (q.reply(), q.reply())] == [1, 2]


def test_messages_split_across_writes_are_reassembled(q):
    data = b'{"execute": "query-status", "id": "split"}\n'
    for i in range(len(data)):
        q.send_raw(data[i:i + 1])
        time.sleep(0.002)
    assert q.reply()["id"] == "split"


def test_concatenated_messages_get_one_reply_each(q):
    q.send_raw(b'{"execute":"query-status","id":1}{"execute":"query-status","id":2}  '
               b'{"execute":"query-name","id":3}\n')
    assert [q.reply().get("id") for _ in range(3)] == [1, 2, 3]


@pytest.mark.parametrize("garbage", [
    b'{"execute": }', b"}", b"]", b'{"a":1 "b":2}', b"\x01", b'{"execute":"query-status"]',
    b"\xff\xfe", b'{"execute":"query-status","id":1,,}', b"[1,,2]", b"nul",
], ids=["no-value", "close-brace", "close-bracket", "no-comma", "control-char",
        "mismatched", "bad-utf8", "double-comma", "array-double-comma", "bad-literal"])
def test_malformed_json_gets_generic_error_and_session_goes_on(q, garbage):
    q.send_raw(garbage + b"\n")
    q.send_raw(b'{"execute":"query-status","id":"after"}\n')
    replies = until_id(q, "after")
    errors, last = replies[:-1], replies[-1]
    assert errors, f"no error reply for {garbage!r}: {replies!r}"
    for r in errors:
        assert_error(r, "GenericError")
    assert "return" in last and last["return"]["running"] is True, replies


# Hostile input and the exact replies QEMU 7.2 gives before the "after" command's
# (measured with qemu-system-x86_64 7.2; FLEXVM_QMP_VMM=qemu checks them again).
E_VALUE = "JSON parse error, expecting value"
E_UTF8 = "JSON parse error, invalid UTF-8 sequence in string"


@pytest.mark.parametrize("data, expected", [
    (rb'{"execute":"query-status\u0000x"}',
     [("CommandNotFound", "The command query-status\x00x has not been found")]),
    (rb'{"execute\u0000":"query-status"}',
     [("GenericError", "QMP input member 'execute\x00' is unexpected")]),
    (b'{"execute":"query-status","id":"a\tb"}',
     [("GenericError", "JSON parse error, stray '\"a\t'"), ("GenericError", E_VALUE)]),
    (b'{"execute":"query-status","id":"a\x00b"}',
     [("GenericError", "JSON parse error, stray '\"a'"), ("GenericError", E_VALUE)]),
    (b'{"execute":"query-status","id":"abc',
     [("GenericError", "JSON parse error, stray '\"abc\n'")]),
    (b'{"arguments":{\n]', [("GenericError", E_VALUE)]),
    (b'{"execute":"query-status","id":"\xc0\xaf"}', [("GenericError", E_UTF8)]),
    (b'{"execute":"query-status","id":"\xed\xa0\x80"}', [("GenericError", E_UTF8)]),
    (b'{"execute":"query-status","id":"\xf4\x90\x80\x80"}', [("GenericError", E_UTF8)]),
    (rb'{"execute":"query-status","id":"\ud800"}',
     [("GenericError", "JSON parse error, \\ud800 is not a valid Unicode character")]),
    (b'{"execute":"query-status","id":1e}', [("GenericError", "JSON parse error, stray '1e}'")]),
    (b'{"execute":"query-status" /* c */}',
     [("GenericError", "JSON parse error, stray '/'"), ("GenericError", E_VALUE)]),
    (b'{"execute":"query-status","execute":"stop"}',
     [("GenericError", "JSON parse error, duplicate key")]),
    (b'abc def', [("GenericError", "JSON parse error, invalid keyword 'abc'"),
                  ("GenericError", "JSON parse error, invalid keyword 'def'")]),
], ids=["nul-in-name", "nul-in-key", "raw-tab", "raw-nul", "line-cut-in-string",
        "other-close", "overlong-utf8", "encoded-surrogate", "above-10ffff",
        "lone-surrogate-escape", "exponent-without-digits", "comment", "duplicate-key",
        "keywords"])
def test_hostile_json_gets_qemu_replies(q, data, expected):
    q.send_raw(data + b"\n")
    q.send_raw(b'{"execute":"query-status","id":"after"}\n')
    replies = until_id(q, "after")
    got = [(r["error"]["class"], r["error"]["desc"]) for r in replies[:-1]]
    assert got == expected
    assert replies[-1]["return"]["running"] is True


@pytest.mark.parametrize("text, ident", [
    (b"1E5", 100000), (b"1.5e+3", 1500), (b"18446744073709551616", 1.8446744073709552e+19),
    (b"-0", 0), (rb'"a\u0000b"', "a\x00b"), (rb'"\ud83d\ude00"', "\U0001F600"),
])
def test_numbers_and_strings_are_read_like_qemu(q, text, ident):
    q.send_raw(b'{"execute":"query-status","id":' + text + b"}\n")
    reply = q.reply()
    assert reply["id"] == ident and type(reply["id"]) is type(ident)


def test_oversized_message_gets_an_error_and_the_vm_goes_on(shared_vm, q, vmm):
    """Over flexvm's 1 MiB limit (QEMU 7.2 takes up to 64 MiB and answers normally).
    The session may go on or be closed; the VM and new clients must be served."""
    big = 'x' * (1536 * 1024)
    q.send_raw('{"execute":"query-status","id":"big","arguments":{"pad":"' + big + '"}}\n',
               timeout=20)
    first = q.reply(timeout=60)  # QEMU lexes 1.5 MiB slowly on a loaded machine
    if vmm.is_qemu:
        assert_error(first, "GenericError", "Parameter 'pad' is unexpected")
    else:
        assert_error(first, "GenericError")
    try:
        q.send_raw(b'{"execute":"query-status","id":"after"}\n')
        replies = until_id(q, "after")
        assert all("error" in r for r in replies[:-1]), replies
        assert replies[-1]["return"]["running"] is True, replies
    except QmpClosed:
        pass  # flexvm may drop a client that sends an oversized message
    q.close()  # QEMU serves one client per socket at a time
    with QmpClient.connect(shared_vm.sock, alive=shared_vm.alive) as other:
        other.negotiate()
        assert other.cmd("query-status")["return"]["running"] is True


def test_large_message_under_the_limit_is_served(q):
    ident = "y" * (512 * 1024)
    reply = q.execute({"execute": "query-status", "id": ident}, timeout=20)
    assert reply.get("id") == ident and "return" in reply


def test_moderate_nesting_is_echoed(q):
    ident = [{"a": [{"b": [{"c": [1]}]}]}]
    for _ in range(3):
        ident = [ident, {"d": ident}]
    assert q.execute({"execute": "query-status", "id": ident})["id"] == ident


def test_deep_nesting_gets_generic_error_and_session_goes_on(q):
    depth = 5000  # beyond QEMU's 1024 and any sane limit
    q.send_raw(b'{"execute":"query-status","id":' + b"[" * depth + b"]" * depth + b"}\n")
    q.send_raw(b'{"execute":"query-status","id":"after"}\n')
    replies = until_id(q, "after", timeout=20)
    errors = replies[:-1]
    assert errors and replies[-1]["return"]["running"] is True, replies[:3]
    for r in errors:
        assert_error(r, "GenericError")


def test_single_quoted_strings_are_accepted_like_qemu(q):
    # QEMU's JSON parser takes 'single-quoted' strings; scripts rely on it.
    q.send_raw(b"{'execute':'query-status','id':'sq'}\n")
    reply = q.reply()
    assert reply.get("id") == "sq" and "return" in reply, reply


# -- events ---------------------------------------------------------------------------------

def check_event_shape(ev, name, data=None):
    assert ev["event"] == name, ev
    assert set(ev) == ({"event", "timestamp"} | ({"data"} if data is not None else set())), ev
    ts = ev["timestamp"]
    assert set(ts) == {"seconds", "microseconds"}, ev
    assert type(ts["seconds"]) is int and type(ts["microseconds"]) is int, ev
    assert 0 <= ts["microseconds"] < 1_000_000, ev
    assert abs(ts["seconds"] + ts["microseconds"] / 1e6 - time.time()) < 30, ev
    if data is not None:
        assert ev["data"] == data, ev


def test_events_carry_timestamps_and_reach_every_negotiated_client(shared_vm, q):
    with QmpClient.connect(shared_vm.sock2, alive=shared_vm.alive) as other:
        other.negotiate()
        t0 = time.time()
        assert q.cmd("stop") == {"return": {}}
        stop = q.wait_event("STOP")
        assert q.cmd("cont") == {"return": {}}
        resume = q.wait_event("RESUME")
        check_event_shape(stop, "STOP")
        check_event_shape(resume, "RESUME")
        t_stop = stop["timestamp"]["seconds"] + stop["timestamp"]["microseconds"] / 1e6
        t_res = resume["timestamp"]["seconds"] + resume["timestamp"]["microseconds"] / 1e6
        assert t0 - 1 <= t_stop <= t_res <= time.time() + 1, (t0, stop, resume)
        check_event_shape(other.wait_event("STOP"), "STOP")
        check_event_shape(other.wait_event("RESUME"), "RESUME")
        assert other.events(0.2) == []


def test_events_are_not_sent_before_negotiation(shared_vm, q):
    with QmpClient.connect(shared_vm.sock2, alive=shared_vm.alive) as other:
        q.ok("stop")
        q.wait_event("STOP")
        q.ok("cont")
        q.wait_event("RESUME")
        time.sleep(0.3)
        assert other.cmd("qmp_capabilities") == {"return": {}}, other.raw_lines
        assert other.events(0.5) == []
        assert len(other.raw_lines) == 2, other.raw_lines  # greeting, the reply


def test_replies_are_json_objects_with_exactly_return_or_error(q):
    for name in ("query-status", "query-version", "query-name", "query-kvm", "no-such"):
        reply = q.cmd(name, id=name)
        assert set(reply) in ({"return", "id"}, {"error", "id"}), reply
    # The raw text parses back to the same objects (no trailing garbage).
    for line in q.raw_lines[2:]:
        json.loads(line)
    assert re.fullmatch(rb"\{.*\}\r\n", q.raw_lines[-1], re.S), q.raw_lines[-1]
