#!/usr/bin/env bash
# generate.sh - rebuild tool/offsets.tbl (make offsets): build the reference
# programs (build-refs.sh; builds already there are kept), read each one's
# DWARF with build/offsets-dump, and merge the dumps with collapse.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
refs=${OFFSETS_REFS:-$root/build/offsets-refs}
dump=$root/build/offsets-dump
export PATH=/usr/local/go/bin:$PATH

bash "$here/build-refs.sh" "$refs"
for d in "$refs"/*/; do
	[[ -f $d/build && -x $d/ref ]] || continue
	# A dump is redone when the reader or the probe table changed.
	[[ -f $d/dump && $d/dump -nt $dump && $d/dump -nt $d/ref ]] && continue
	"$dump" "$d/ref" >"$d/dump.tmp"
	mv "$d/dump.tmp" "$d/dump"
done
(cd "$here/collapse" && go run . "$refs") >"$root/tool/offsets.tbl.tmp"
mv "$root/tool/offsets.tbl.tmp" "$root/tool/offsets.tbl"
echo "offsets: $(grep -c '^build ' "$root/tool/offsets.tbl") reference builds," \
	"$(grep -vc '^#\|^build ' "$root/tool/offsets.tbl") rows in tool/offsets.tbl"
if [[ -s $refs/skipped.txt ]]; then
	echo "offsets: skipped (see $refs/skipped.txt):"
	sed 's/^/  /' "$refs/skipped.txt"
fi
