#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fails when a C source or header under src/ or tests/ exceeds the hard cap
# of 1,200 lines (design: aim for 150-600, soft cap 800). Warns above 800.
set -euo pipefail
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
status=0
while IFS= read -r -d '' f; do
	n=$(wc -l <"$f")
	rel=${f#"$top"/}
	if [ "$n" -gt 1200 ]; then
		echo "FAIL: $rel has $n lines (hard cap 1200): split it by responsibility"
		status=1
	elif [ "$n" -gt 800 ]; then
		echo "warning: $rel has $n lines (soft cap 800)"
	fi
done < <(find "$top/src" "$top/tests" -name '*.[ch]' -print0)
[ $status = 0 ] && echo "ok: every C file is within 1200 lines"
exit $status
