#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Sets everything up and runs flexvm's demo: a guest with a 1 TiB
# virtio-mem device, resized live over QMP (0 -> 1 GiB -> 8 GiB -> 2 GiB
# -> 0), with a table of what the host pays after each step. Extra
# arguments go to scripts/demo.py (e.g. --linux on hosts with VMX/SVM).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
export FLEXVM_BUILD=${FLEXVM_BUILD:-$top/build}
"$top/scripts/setup.sh" >/dev/null
exec /usr/bin/python3 "$top/scripts/demo.py" "$@"
