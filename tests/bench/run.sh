#!/usr/bin/env bash
# make bench: builds the benchmark driver and the large Go binary
# (tests/bench/bigbin, skipped when up to date), then runs the driver, which
# prints one table and writes build/bench.json. Needs root (tracing), the
# tool (make all) and the test targets (make targets). Extra arguments go to
# the driver (e.g. -round 5s -pairs 5 -sustained 30s; -h lists them).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/build/bench
mkdir -p "$out"
cd "$root"

gobuild() { env -u GOFLAGS GOWORK=off GOTOOLCHAIN=local GO111MODULE=on go build -buildvcs=false "$@"; }

if [[ $(id -u) -ne 0 ]]; then
	echo "bench: needs root (attaching uprobes)" >&2
	exit 2
fi

(cd "$here/driver" && gobuild -o "$out/driver" .)

# The large binary: rebuilt only when its sources or module files changed.
bigbin=$out/bigbin
build_s=-1
only_hour=false
for a in "$@"; do [[ $a == -only-hour || $a == --only-hour ]] && only_hour=true; done
if ! $only_hour && [[ ! -x "$bigbin" || -n "$(find "$here/bigbin" "$here/run.sh" -newer "$bigbin" -print -quit)" ]]; then
	echo "bench: building the large binary (first build fetches its modules and takes a few minutes)" >&2
	start_ns=$(date +%s%N)
	(cd "$here/bigbin" && gobuild -o "$bigbin.tmp" .)
	mv -f "$bigbin.tmp" "$bigbin"
	build_s=$(awk -v a="$start_ns" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
fi

exec "$out/driver" -tool "$root/build/gogrpctrace" -targets "$root/build/targets/go1.26-grpc1.85" \
	-bigbin "$bigbin" -out "$root/build/bench.json" -bigbin-build-s "$build_s" "$@"
