#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Sets everything up and runs flexvm's demo: boots the test guest under
# flexvm, shows its console and exit status, then the same guest under
# QEMU 7.2 for comparison. Later steps grow this into the elastic-memory
# demo (virtio-mem resized live over QMP).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
export FLEXVM_BUILD=${FLEXVM_BUILD:-$top/build}
"$top/scripts/setup.sh" >/dev/null
flexvm="$FLEXVM_BUILD/flexvm"
guest="$FLEXVM_BUILD/tests/guest/guest.elf"

run() {
	echo "\$ $*"
	local t0 status=0
	t0=$(date +%s%N)
	"$@" </dev/null || status=$?
	printf '[exit status %d = guest code %d, %d ms]\n\n' "$status" \
		$(( (status - 1) / 2 )) $(( ($(date +%s%N) - t0) / 1000000 ))
}

echo "== flexvm boots the test guest (PVH ELF, 2 vCPUs) =="
run "$flexvm" -kernel "$guest" -m 512M -smp 2 -nographic \
	-append "scenario=hello"
run "$flexvm" -kernel "$guest" -m 512M -smp 2 -nographic \
	-append "scenario=smp cpus=2"
echo "== the same guest under QEMU 7.2 (SeaBIOS runs first) =="
run qemu-system-x86_64 -accel kvm -cpu host,-arch-capabilities -m 512M -smp 2,sockets=2 -display none \
	-serial stdio -monitor none -nodefaults -no-user-config \
	-device isa-debug-exit -kernel "$guest" -append "scenario=smp cpus=2"
