#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Adds up the results of every test runner into CI's closing line.

Reads meson's testlog.json (counting the TAP sub-tests of each cmocka
program, so the figure is per test case) and pytest JUnit XML files, prints
a line per source and then 'N passed, N failed, N skipped'. Exits 1 when
anything failed or when no test ran at all.
"""
import json
import re
import sys
import xml.etree.ElementTree as ET

TAP_LINE = re.compile(r"^(not )?ok\b[^#]*(#\s*(SKIP|TODO)\b)?", re.I)


def count_tap(stdout):
    passed = failed = skipped = 0
    for line in stdout.splitlines():
        m = TAP_LINE.match(line.strip())
        if not m:
            continue
        if m.group(3) and m.group(3).upper() == "SKIP":
            skipped += 1
        elif m.group(1):
            failed += 1
        else:
            passed += 1
    return passed, failed, skipped


def count_meson(path):
    passed = failed = skipped = 0
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            t = json.loads(line)
            result = t.get("result", "")
            p, fl, s = count_tap(t.get("stdout") or "")
            if p + fl + s == 0:  # not TAP: the program is one test
                p, fl, s = (result == "OK", result not in ("OK", "SKIP"),
                            result == "SKIP")
            elif result not in ("OK", "SKIP") and fl == 0:
                fl = 1  # crashed or timed out after some passing cases
            passed, failed, skipped = passed + p, failed + fl, skipped + s
    return int(passed), int(failed), int(skipped)


def count_junit(path):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    passed = failed = skipped = 0
    for s in suites:
        tests = int(s.get("tests", 0))
        fl = int(s.get("failures", 0)) + int(s.get("errors", 0))
        sk = int(s.get("skipped", 0))
        passed, failed, skipped = passed + tests - fl - sk, failed + fl, skipped + sk
    return passed, failed, skipped


def main(paths):
    total = [0, 0, 0]
    for path in paths:
        try:
            counts = count_junit(path) if path.endswith(".xml") else count_meson(path)
        except (OSError, ValueError, ET.ParseError) as e:
            print(f"{path}: unreadable ({e}): counted as 1 failure")
            counts = (0, 1, 0)
        print(f"{path}: {counts[0]} passed, {counts[1]} failed, {counts[2]} skipped")
        total = [a + b for a, b in zip(total, counts)]
    print(f"{total[0]} passed, {total[1]} failed, {total[2]} skipped")
    return 1 if total[1] or total[0] == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
