#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs everything flexvm needs to build, test and run its demo on a
# fresh Debian 12 machine, then configures the build directory. Idempotent:
# a second run installs nothing and only re-runs the build.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${FLEXVM_BUILD:-$top/build}

packages=(
	gcc meson ninja-build pkg-config	# build
	libcmocka-dev libjson-c-dev libseccomp-dev	# libraries
	python3 python3-pytest			# integration tests
	qemu-system-x86				# the reference VMM
	cpio xz-utils zstd busybox-static	# Linux guest image
	hyperfine gnuplot-nox			# benchmarks (gnuplot: bench plots)
	clang-14 libclang-rt-14-dev		# libFuzzer + ASan/UBSan (tests/fuzz)
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -q
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
		--no-install-recommends "${missing[@]}"
fi

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$top" ${FLEXVM_MESON_ARGS:-}
fi
ninja -C "$build"
