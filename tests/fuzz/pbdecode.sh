#!/usr/bin/env bash
# pbdecode.sh [SECONDS] - build the payload decoder's libFuzzer target
# (fuzz_pbdecode.c) into build/fuzz/fuzz_pbdecode, write its seeds (the
# messages of tests/unit/pbdecode/cases.txt), replay regressions/pbdecode/,
# then fuzz for SECONDS (default $FUZZ_SECONDS or 600) with ASan, UBSan and
# LeakSanitizer. Exits non-zero when anything was found; findings land in
# build/fuzz/artifacts/pbdecode-*. FUZZ_CORPUS, FUZZ_TIMEOUT, FUZZ_FLAGS as
# for run.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/build/fuzz
seconds=${1:-${FUZZ_SECONDS:-600}}
timeout=${FUZZ_TIMEOUT:-10}
corpus=${FUZZ_CORPUS:-$out/corpus-pbdecode}
bin=$out/fuzz_pbdecode
CC=${FUZZ_CC:-clang-14}

if ! command -v "$CC" >/dev/null; then
	echo "fuzz/pbdecode.sh: $CC not found (bash tests/setup.sh installs clang-14 libclang-rt-14-dev)" >&2
	exit 2
fi
srcs=(tool/pbdecode.c tool/pbwire.c tool/pbjson.c tool/pbtext.c tool/pbgzip.c tool/shortfloat.c
	tool/json.c tool/protomodel.c)
mkdir -p "$out/artifacts" "$corpus"
cd "$root"
newer=1
if [[ -x "$bin" ]]; then
	newer=0
	for f in "${srcs[@]}" tool/*.h tests/unit/pbdecode/*.h "$here"/fuzz_pbdecode.c "$here"/pbdecode.sh
	do
		[[ "$f" -nt "$bin" ]] && newer=1 && break
	done
fi
if ((newer)); then
	"$CC" -O1 -g -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers -D_GNU_SOURCE \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
		-o "$bin.tmp.$$" "$here/fuzz_pbdecode.c" "${srcs[@]}" -lz -lm
	mv "$bin.tmp.$$" "$bin"
	echo "fuzz/pbdecode.sh: built $bin"
fi
# Seeds of this run's own: another run may be writing its seeds.
seeds=$(mktemp -d "${TMPDIR:-/tmp}/gogrpctrace-pbdecode-seeds.XXXXXX")
trap 'rm -rf "$seeds"' EXIT
FUZZ_PBDECODE_SEEDS=$seeds "$bin" >/dev/null 2>&1

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

replay=()
for f in "$here"/regressions/pbdecode/* "$seeds"/*; do
	[[ -f "$f" && "$(basename "$f")" != README* ]] && replay+=("$f")
done
echo "fuzz/pbdecode: replaying ${#replay[@]} regression inputs and seeds"
"$bin" -timeout="$timeout" "${replay[@]}" >"$out/replay-pbdecode.log" 2>&1 || {
	tail -60 "$out/replay-pbdecode.log"
	echo "fuzz/pbdecode: FAIL: a regression input or seed fails (log: $out/replay-pbdecode.log)" >&2
	exit 1
}

before=$(ls "$out/artifacts" | wc -l)
log=$out/fuzz-pbdecode-$(date +%Y%m%d-%H%M%S).log
status=0
# shellcheck disable=SC2086 # word splitting of FUZZ_FLAGS wanted
"$bin" -max_total_time="$seconds" -max_len=4096 -timeout="$timeout" -rss_limit_mb=2048 \
	-artifact_prefix="$out/artifacts/pbdecode-" -print_final_stats=1 ${FUZZ_FLAGS:-} \
	"$corpus" "$seeds" >"$log" 2>&1 || status=$?
execs=$(grep -oE '^#[0-9]+' "$log" | tr -d '#' | sort -n | tail -1)
echo "fuzz/pbdecode: ${execs:-0} executions (libFuzzer exit status $status)"
after=$(ls "$out/artifacts" | wc -l)
if ((status != 0 || after > before)); then
	grep -E 'ERROR: |SUMMARY: |FINDING|runtime error' "$log" | sort | uniq -c | head -40
	echo "fuzz/pbdecode: FAIL: findings in $out/artifacts/ (log: $log)" >&2
	exit 1
fi
echo "fuzz/pbdecode: OK, nothing found"
