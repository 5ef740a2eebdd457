#!/usr/bin/env bash
# run.sh [SECONDS] - build the fuzz target, generate the seeds, replay the
# regression inputs and the large seeds once each, then fuzz for SECONDS
# (default $FUZZ_SECONDS or 600) with libFuzzer, ASan, UBSan and
# LeakSanitizer. Exits non-zero when anything was found: a crash, a
# sanitizer report, a leak, a timeout (FUZZ_TIMEOUT s per input) or an
# out-of-memory. Findings land in build/fuzz/artifacts/; copy the small
# ones to tests/fuzz/regressions/ (see tests/fuzz/README.md).
#
#   FUZZ_JOBS=N     N>1: libFuzzer fork mode with N workers that keeps
#                   going after a finding (for long campaigns)
#   FUZZ_MAX_LEN    largest input libFuzzer generates (default 65536)
#   FUZZ_TIMEOUT    seconds one input may take (default 10)
#   FUZZ_FLAGS      more libFuzzer flags (e.g. -use_value_profile=1)
#   FUZZ_CORPUS     the corpus directory kept between runs (build/fuzz/corpus)
#   FUZZ_TARGET     reader (default): the binary reader, fuzz_reader.c;
#                   protos: the protobuf descriptor path, fuzz_protos.c, with
#                   its own seeds (build/fuzz/seeds/protos), corpus
#                   (build/fuzz/corpus-protos) and regressions/protos/
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/build/fuzz
seconds=${1:-${FUZZ_SECONDS:-600}}
jobs=${FUZZ_JOBS:-1}
max_len=${FUZZ_MAX_LEN:-65536}
timeout=${FUZZ_TIMEOUT:-10}
target=${FUZZ_TARGET:-reader}
fuzzer=$out/fuzz_$target
if [[ $target == protos ]]; then
	corpus=${FUZZ_CORPUS:-$out/corpus-protos}
	regressions=$here/regressions/protos large=/nonexistent small=$out/seeds/protos dict=()
else
	corpus=${FUZZ_CORPUS:-$out/corpus}
	regressions=$here/regressions large=$out/seeds/large small=$out/seeds/small
	dict=(-dict="$out/reader.dict")
fi

bash "$here/build.sh"
FUZZ_MAX_LEN=$max_len bash "$here/seeds.sh"
mkdir -p "$corpus" "$out/artifacts"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# 1. Every saved regression input and every large seed, once each.
replay=()
for f in "$regressions"/* "$large"/*; do
	[[ -f "$f" && "$(basename "$f")" != README* ]] && replay+=("$f")
done
if ((${#replay[@]})); then
	echo "fuzz: replaying ${#replay[@]} regression inputs and large seeds"
	"$fuzzer" -timeout="$timeout" -rss_limit_mb=4096 "${replay[@]}" >"$out/replay.log" 2>&1 || {
		tail -60 "$out/replay.log"
		echo "fuzz: FAIL: a regression input or large seed fails (log: $out/replay.log)" >&2
		exit 1
	}
fi

# 2. Fuzz.
before=$(ls "$out/artifacts" | wc -l)
log=$out/fuzz-$(date +%Y%m%d-%H%M%S).log
args=(-max_total_time="$seconds" -max_len="$max_len" -timeout="$timeout" -rss_limit_mb=2048
	"${dict[@]}" -artifact_prefix="$out/artifacts/" -print_final_stats=1)
# shellcheck disable=SC2206 # word splitting wanted
args+=(${FUZZ_FLAGS:-})
if ((jobs > 1)); then
	args+=(-fork="$jobs" -ignore_crashes=1 -ignore_timeouts=0 -ignore_ooms=0)
fi
echo "fuzz: ${seconds}s, $jobs job(s), max_len $max_len; log $log"
status=0
"$fuzzer" "${args[@]}" "$corpus" "$small" >"$log" 2>&1 || status=$?
execs=$(grep -oE '^#[0-9]+' "$log" | tr -d '#' | sort -n | tail -1)
echo "fuzz: ${execs:-0} executions (libFuzzer exit status $status)"
after=$(ls "$out/artifacts" | wc -l)
if ((status != 0 || after > before)); then
	grep -E 'ERROR: |SUMMARY: |FINDING|runtime error' "$log" | sort | uniq -c | head -40
	echo "fuzz: FAIL: findings in $out/artifacts/ (log: $log)" >&2
	exit 1
fi
echo "fuzz: OK, nothing found"
