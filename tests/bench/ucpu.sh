#!/bin/bash
# ucpu.sh - the tool's own CPU per 10,000 events, tool binaries compared.
#
# Usage: sudo tests/bench/ucpu.sh [-n ROUNDS] [-d DURATION] [-c CONC] [-a ARGS] TOOL [TOOL...]
#
# One grpcserver (go1.26-grpc1.85 cell); each round runs every TOOL in
# turn (interleaved, so a busy machine weighs on all alike), once with
# text output and once with --json, both read from a pipe and thrown
# away (as make bench's driver does): the tool attached to the server, grpcload at concurrency CONC for DURATION, 300 ms for the
# last events to drain, then the tool's utime+stime since its start line
# (/proc/PID/stat) over events_received of its --json summary (or the
# "events: N received" line of the text one). Prints one line per run and
# the median per tool and mode. ARGS: more options for every TOOL, split
# at spaces (-a "--method /none/*": the cost of calls a filter drops).
set -u
rounds=3 dur=20s conc=32 extra=
while getopts "n:d:c:a:" opt; do
	case $opt in
	n) rounds=$OPTARG ;;
	d) dur=$OPTARG ;;
	c) conc=$OPTARG ;;
	a) extra=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [-n ROUNDS] [-d DURATION] [-c CONC] [-a ARGS] TOOL [TOOL...]" >&2; exit 2; }

root=$(cd "$(dirname "$0")/../.." && pwd)
cell=$root/build/targets/go1.26-grpc1.85
tmp=$(mktemp -d /tmp/ucpu.XXXXXX)
srv=
cleanup() {
	[ -n "$srv" ] && kill "$srv" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
tck=$(getconf CLK_TCK)

"$cell/grpcserver" -addr 127.0.0.1:0 >"$tmp/srv.out" 2>&1 &
srv=$!
for _ in $(seq 100); do
	grep -q '^listening ' "$tmp/srv.out" && break
	sleep 0.05
done
addr=$(sed -n 's/^listening //p' "$tmp/srv.out")
[ -n "$addr" ] || { echo "ucpu: grpcserver did not start" >&2; exit 1; }

# ticks PID: utime+stime of PID in clock ticks.
ticks() {
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

# run TOOL MODE: prints "ms_per_10k events cpu_s". The tool's stdout is a
# pipe (as in make bench, whose driver reads it): its start line, flushed
# once every probe is attached, starts the measurement; tail keeps the
# summary.
run() {
	local tool=$1 mode=$2 flags=() t0 t1 ev pid tailpid
	read -r -a flags <<<"$extra"
	[ "$mode" = json ] && flags+=(--json)
	rm -f "$tmp/fifo" "$tmp/tail" "$tmp/started"
	mkfifo "$tmp/fifo"
	{
		grep -m1 -e '^Tracing ' -e '^{"type":"start"' >/dev/null && touch "$tmp/started"
		tail -c 4096 >"$tmp/tail"
	} <"$tmp/fifo" &
	tailpid=$!
	"$tool" -p "$srv" "${flags[@]}" >"$tmp/fifo" 2>"$tmp/err" &
	pid=$!
	for _ in $(seq 1200); do
		[ -e "$tmp/started" ] && break
		sleep 0.05
	done
	[ -e "$tmp/started" ] || echo "ucpu: $tool did not start: $(head -c 300 "$tmp/err")" >&2
	t0=$(ticks "$pid")
	"$cell/grpcload" -addr "$addr" -concurrency "$conc" -duration "$dur" >/dev/null 2>&1
	sleep 0.3
	t1=$(ticks "$pid")
	kill -INT "$pid"
	wait "$pid" "$tailpid"
	if [ "$mode" = json ]; then
		ev=$(grep -o '"events_received":[0-9]*' "$tmp/tail" | tail -1 | cut -d: -f2)
	else
		ev=$(sed -n 's/^events: \([0-9]*\) received.*/\1/p' "$tmp/tail" | tail -1)
	fi
	if [ -z "$ev" ] || [ "$ev" -eq 0 ]; then
		echo "ucpu: no event count from $tool ($mode): $(head -c 300 "$tmp/err")" >&2
		echo "nan 0 0"
		return
	fi
	awk -v d=$((t1 - t0)) -v e="$ev" -v hz="$tck" \
		'BEGIN { printf "%.2f %d %.2f\n", d / hz * 1000 / e * 10000, e, d / hz }'
}

for r in $(seq "$rounds"); do
	for mode in text json; do
		for tool in "$@"; do
			read -r ms ev cpu < <(run "$tool" "$mode")
			printf "round %d %-5s %-40s %8s ms/10k  %9s events  %6s s cpu\n" \
				"$r" "$mode" "$tool" "$ms" "$ev" "$cpu"
			echo "$tool $mode $ms" >>"$tmp/all"
		done
	done
done
echo "median ms per 10,000 events:"
for mode in text json; do
	for tool in "$@"; do
		awk -v t="$tool" -v m="$mode" '$1 == t && $2 == m { print $3 }' "$tmp/all" | sort -g |
			awk -v t="$tool" -v m="$mode" '{ v[NR] = $1 } END {
				med = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
				printf "  %-5s %-40s %6.2f  (min %.2f, max %.2f, %d runs)\n", m, t, med, v[1], v[NR], NR }'
	done
done
