#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Boots the test guest under QEMU with KVM: the guest's COM1 is this
# script's stdin/stdout, the isa-debug-exit device ends the run.
# Usage: run-qemu.sh GUEST.ELF [extra qemu args...]
# Exit status: QEMU's, i.e. (guest code << 1) | 1 after a debug-exit write
# (1 = all passed), 0 after a reset/triple fault (-no-reboot), 124 on timeout.
# Environment: QEMU (binary), GUEST_TIMEOUT (seconds, default 60).

set -u

if [ $# -lt 1 ]; then
	echo "usage: $0 GUEST.ELF [qemu args...]" >&2
	exit 2
fi
elf=$1
shift

qemu=${QEMU:-qemu-system-x86_64}
timeout_s=${GUEST_TIMEOUT:-60}

# Why not -nographic: it muxes the monitor onto stdio and makes SeaBIOS
# print its banner on COM1 ("sercon"), glued to the guest's first line.
# -display none + -monitor none leave stdio to the UART alone.
# -nodefaults drops the NIC and VGA option ROMs: ~0.4 s less of SeaBIOS
# under the emulator. arch-capabilities: QEMU 7.2 fails to set MSR 0x10a
# under PVM ("failed to set MSR 0x10a") and aborts with plain -cpu host.
# --foreground lets QEMU read a terminal; -k kills a QEMU that ignores TERM.
timeout --foreground -k 5 "$timeout_s" \
	"$qemu" -accel kvm -cpu host,-arch-capabilities -m 256M \
	-display none -nodefaults -monitor none -serial stdio -no-reboot \
	-device isa-debug-exit \
	-kernel "$elf" "$@"
status=$?
if [ "$status" -eq 124 ]; then
	echo "run-qemu.sh: timed out after ${timeout_s}s" >&2
fi
exit "$status"
