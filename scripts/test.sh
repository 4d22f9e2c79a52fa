#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Sets everything up and runs flexvm's whole test suite: unit tests (meson
# + cmocka) and integration tests (pytest: the test guest under flexvm and
# under QEMU 7.2, Linux boots). Ends with 'N passed, N failed, N skipped'.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
export FLEXVM_BUILD=${FLEXVM_BUILD:-$top/build}
if [ "${CI:-}" = true ]; then
	export FLEXVM_MESON_ARGS="${FLEXVM_MESON_ARGS:-} -Dwerror=true"
fi

if ! "$top/scripts/setup.sh"; then
	echo "setup or build failed"
	echo "0 passed, 1 failed"
	exit 1
fi

export FLEXVM="$FLEXVM_BUILD/flexvm"
export FLEXVM_GUEST="$FLEXVM_BUILD/tests/guest/guest.elf"
results=()

meson test -C "$FLEXVM_BUILD" --suite unit --print-errorlogs \
	--num-processes 2
results+=("$FLEXVM_BUILD/meson-logs/testlog.json")

# The unit suite (and the fuzz corpus replay) again under ASan + UBSan,
# with LeakSanitizer: any finding fails its test.
asan="$FLEXVM_BUILD-asan"
if { [ -f "$asan/build.ninja" ] ||
     meson setup "$asan" "$top" -Db_sanitize=address,undefined \
	-Db_lundef=false ${FLEXVM_MESON_ARGS:-} >/dev/null; } &&
   ninja -C "$asan" >/dev/null; then
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C "$asan" --suite unit --print-errorlogs \
		--num-processes 2
	results+=("$asan/meson-logs/testlog.json")
else
	echo "the ASan+UBSan build failed"
	results+=("$asan/build-failed")	# counted as a failure
fi

# Every libFuzzer target (clang, ASan+UBSan) for 30 s, two at a time: any
# finding (crash, leak, UBSan report, timeout, OOM) fails its test, and
# so does a missing clang (tests/fuzz/smoke.sh). Own log base, so the
# unit suite's testlog.json stays as it is.
rm -f "$FLEXVM_BUILD/meson-logs/fuzz-smoke.json"
meson test -C "$FLEXVM_BUILD" --suite fuzz-smoke --print-errorlogs \
	--num-processes 2 --logbase fuzz-smoke
results+=("$FLEXVM_BUILD/meson-logs/fuzz-smoke.json")

# Debian's pytest, whatever python3 comes first on PATH.
/usr/bin/python3 -m pytest -rs -q -p no:cacheprovider \
	--junitxml="$FLEXVM_BUILD/pytest-integration.xml" \
	"$top/tests/kvm" "$top/tests/boot" "$top/tests/qmp"
results+=("$FLEXVM_BUILD/pytest-integration.xml")

# tests/kvm and tests/qmp again with the ASan+UBSan flexvm (same test
# guest). Not tests/boot: Linux runs emulated at CPL0 under PVM and is
# slow enough without sanitizers. Reports go to files (log_path), so they
# count even when a test kills flexvm or ignores its stderr: the conftest
# fixtures (tests/lib/sanitizer_reports.py) fail the test during which
# one appears; a finding also ends flexvm (halt_on_error) with the
# sanitizers' exit status 1. QEMU-only tests and ulimit -v skip there,
# with reasons. A failed ASan build was already counted above.
if ninja -C "$asan" >/dev/null 2>&1; then
	sanlog="$asan/sanitizer-logs"
	rm -rf "$sanlog" && mkdir -p "$sanlog"
	san_start=$SECONDS
	FLEXVM="$asan/flexvm" FLEXVM_SANITIZER_LOG_DIR="$sanlog" \
	ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:log_path=$sanlog/san" \
	UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$sanlog/san" \
		/usr/bin/python3 -m pytest -rs -q -p no:cacheprovider \
		--junitxml="$asan/pytest-sanitizer.xml" \
		"$top/tests/kvm" "$top/tests/qmp"
	echo "sanitizer pytest run: $((SECONDS - san_start)) s"
	results+=("$asan/pytest-sanitizer.xml")
fi

exec /usr/bin/python3 "$top/tools/test-summary.py" "${results[@]}"
