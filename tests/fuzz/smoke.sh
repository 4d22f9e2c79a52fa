#!/bin/sh
# SPDX-License-Identifier: MIT
# One 'fuzz-smoke' test (tests/fuzz/meson.build): runs a libFuzzer binary
# with a fresh temporary directory first, where libFuzzer writes the new
# inputs it finds, and the repository corpus second, which it only reads.
# Any finding (crash, leak, UBSan report, timeout, out of memory) makes
# the fuzzer exit non-zero, and so fails the test. Crash inputs go where
# -artifact_prefix says (the build directory).
#   smoke.sh FUZZER CORPUS_DIR [libFuzzer flags...]
#   smoke.sh --missing WHAT     (no libFuzzer build: fail, saying why)
set -u

if [ "${1:-}" = --missing ]; then
	echo "fuzz-smoke: $2 not found, so the fuzzers were not built:" \
	     "install clang-14 and libclang-rt-14-dev (scripts/setup.sh)" >&2
	exit 1
fi
if [ $# -lt 2 ]; then
	echo "usage: $0 FUZZER CORPUS_DIR [libFuzzer flags...]" >&2
	exit 2
fi
fuzzer=$1
corpus=$2
shift 2
new=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-smoke.XXXXXX") || exit 1
trap 'rm -rf "$new"' EXIT
trap 'exit 143' INT TERM	# so the EXIT trap cleans up
# UBSan findings abort (they are also built with -fno-sanitize-recover).
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
"$fuzzer" -create_missing_dirs=1 "$@" "$new" "$corpus"
rc=$?
# libFuzzer's default error code, 77, would read as "skipped" to meson.
[ $rc = 77 ] && rc=1
exit $rc
