#!/usr/bin/env bash
# demo.sh - start the bundled example gRPC service and a client that keeps
# calling it, then trace the service for 15 seconds.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cell=go1.27-grpc1.85 # the newest Go and grpc-go
bin=$root/build/targets/$cell
export PATH=/usr/local/go/bin:$PATH

bash "$here/targets/build.sh" "$cell" >/dev/null
log=$(mktemp)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -f "$log"
}
trap cleanup EXIT

"$bin/grpcserver" -tls >"$log" &
pids+=($!)
server=$!
for _ in $(seq 100); do grep -q listening "$log" && break; sleep 0.1; done
addr=$(awk '/listening/{print $2}' "$log")
echo "demo: example service (TLS) is PID $server on $addr; a client keeps calling it (all scenarios, 15 rounds)"
flag=$(mktemp -u)
"$bin/grpcclient" -tls -addr "$addr" -scenario all -repeat 15 -interval 60ms -wait-file "$flag" >/dev/null &
pids+=($!)
# Start calling once the tracer is attached, so the first calls show too.
(sleep 4; touch "$flag") &
pids+=($!)
echo "demo: $root/build/gogrpctrace -p $server -d 15"
"$root/build/gogrpctrace" -p "$server" -d 15
rm -f "$flag"
