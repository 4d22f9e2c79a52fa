# SPDX-License-Identifier: MIT
"""Sanitizer reports of an ASan+UBSan flexvm, turned into test failures.

scripts/test.sh runs tests/kvm and tests/qmp a second time against the
sanitizer build, with ASAN_OPTIONS/UBSAN_OPTIONS log_path=<dir>/san: every
report (ASan error, UBSan error, LeakSanitizer at exit) lands in a file
<dir>/san.<pid>, even when the test never reads flexvm's stderr or stops it
with a signal. It also sets FLEXVM_SANITIZER_LOG_DIR=<dir>. The conftest
fixtures call watch() around each test and each module (module-scoped VMs
exit after the module's last test): a report file that appeared meanwhile
fails the test with the report's text. Without the variable nothing
happens.
"""
from __future__ import annotations

import os

import pytest

ENV = "FLEXVM_SANITIZER_LOG_DIR"

_seen: set[str] | None = None  # report files already charged to some test


def log_dir() -> str | None:
    return os.environ.get(ENV) or None


def active() -> bool:
    """True in the sanitizer pass of scripts/test.sh."""
    return log_dir() is not None


def skip_reason(why: str) -> str:
    return f"under ASan+UBSan: {why}"


def _reports(d: str) -> list[str]:
    """Report files; an empty one (opened ahead, nothing written) is none."""
    try:
        return sorted(n for n in os.listdir(d) if n.startswith("san.")
                      and os.path.getsize(os.path.join(d, n)) > 0)
    except FileNotFoundError:
        return []


def _read(path: str, limit: int = 12000) -> str:
    with open(path, errors="replace") as f:
        text = f.read()
    return text if len(text) <= limit else text[:limit] + "\n[... cut]"


def watch(what: str):
    """Generator for a yield fixture: fails `what` (a test, a module) if a new
    sanitizer report file appeared while it ran."""
    global _seen
    d = log_dir()
    if d is None:
        yield
        return
    if _seen is None:  # older runs' files are not this session's business
        _seen = set(_reports(d))
    yield
    # Everything new since the last check: a report written between tests
    # (a session fixture's probe) is charged to the next one, not lost.
    new = [n for n in _reports(d) if n not in _seen]
    _seen.update(new)
    if new:
        body = "\n".join(f"--- {os.path.join(d, n)} ---\n{_read(os.path.join(d, n))}"
                         for n in new)
        pytest.fail(f"flexvm's sanitizers reported {len(new)} finding(s) during this "
                    f"{what}:\n{body}", pytrace=False)
