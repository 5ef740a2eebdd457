#!/usr/bin/env bash
# generate.sh - rebuild tool/offsets_GOARCH.tbl (make offsets; GOARCH from
# the environment, amd64 when unset): build the reference programs for that
# machine (build-refs.sh; builds already there are kept), read each one's
# DWARF with build/offsets-dump, and merge the dumps with collapse.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
goarch=${GOARCH:-amd64}
refs=${OFFSETS_REFS:-$root/build/offsets-refs-$goarch}
table=$root/tool/offsets_$goarch.tbl
dump=$root/build/offsets-dump
export PATH=/usr/local/go/bin:$PATH

GOARCH=$goarch bash "$here/build-refs.sh" "$refs"
for d in "$refs"/*/; do
	[[ -f $d/build && -x $d/ref ]] || continue
	# A table holds one machine's builds (a refs folder reused for another
	# would mix them).
	if ! go version -m "$d/ref" | grep -q "^[[:space:]]*build[[:space:]]*GOARCH=$goarch\$"; then
		echo "generate.sh: $d/ref is not a $goarch build" >&2
		exit 1
	fi
	# A dump is redone when the reader or the probe table changed.
	[[ -f $d/dump && $d/dump -nt $dump && $d/dump -nt $d/ref ]] && continue
	"$dump" "$d/ref" >"$d/dump.tmp"
	mv "$d/dump.tmp" "$d/dump"
done
(cd "$here/collapse" && go run . "$refs" "$goarch") >"$table.tmp"
mv "$table.tmp" "$table"
echo "offsets: $(grep -c '^build ' "$table") reference builds," \
	"$(grep -vc '^#\|^build ' "$table") rows in ${table#"$root"/}"
if [[ -s $refs/skipped.txt ]]; then
	echo "offsets: skipped (see $refs/skipped.txt):"
	sed 's/^/  /' "$refs/skipped.txt"
fi
