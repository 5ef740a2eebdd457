#!/usr/bin/env bash
# Builds the Go test targets (grpcserver, grpcclient, h2server,
# h2server-grpc, h2client, grpcload, and pbserver-<gen>/pbclient-<gen> per
# protobuf generation the cell has in pbcells.txt)
# for every cell in cells.txt, or only the cells named as arguments, into
# ${OUT:-<repo>/build/targets}/<cell>/. A cell whose binaries are newer
# than every source, build.sh and its module files is skipped.
# Prints one line per cell; exits non-zero if any cell failed to build.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${OUT:-$root/build/targets}
# Package directories; a program is named after the last element.
progs=(grpcserver grpcclient h2server h2client grpcload h2server/h2server-grpc)
# Also built with -ldflags="-s -w" (no symbol table, no DWARF) into sw/,
# as production binaries usually are.
sw_progs=(grpcserver grpcclient)
# And, for the newest cell only (the first of cells.txt), as position-
# independent executables into pie/: mapped at a different address in
# each process (the tool adds the load bias to every address it renders).
pie_progs=(grpcserver grpcclient)
# And, for the cells whose tests are "all", cross-built for arm64 into
# arm64/: read by --inspect here, traced in the arm64 VM (tests/vm/arm64).
arm64_progs=(grpcserver grpcclient h2server h2client)
pkgdirs=(internal records grpcserver grpcclient h2server h2client grpcload pbserver pbclient)

declare -A c_go c_toolchain c_version c_grpc c_modfile c_tests
order=()
while read -r cell gocmd toolchain version grpc xnet modfile tests; do
	[[ -z "$cell" || "$cell" == \#* ]] && continue
	order+=("$cell")
	c_go[$cell]=$gocmd c_toolchain[$cell]=$toolchain c_version[$cell]=$version
	c_grpc[$cell]=$grpc c_modfile[$cell]=$modfile c_tests[$cell]=$tests
done <"$here/cells.txt"

# Protobuf generations of pbserver/pbclient per cell (pbcells.txt).
declare -A c_pbgens
while read -r cell gens; do
	[[ -z "$cell" || "$cell" == \#* ]] && continue
	c_pbgens[$cell]=$gens
done <"$here/pbcells.txt"

# pb_names CELL: the pbserver/pbclient binaries of the cell.
pb_names() {
	local gen
	for gen in ${c_pbgens[$1]:-}; do echo "pbserver-$gen pbclient-$gen"; done
}

# gen_tags GEN: the build tags that pick a generation (internal/kitchen).
gen_tags() {
	case $1 in
	old | v13 | mid) echo "kitchen_$1" ;;
	esac
}

# build_pb CELL TMPDIR LDFLAGS EXTRA_TAGS GO-BUILD-COMMAND...: one
# pbserver and pbclient per generation of the cell, as built and -s -w.
build_pb() {
	local cell=$1 tmp=$2 ld=$3 extra=$4 gen p tags
	shift 4
	for gen in ${c_pbgens[$cell]:-}; do
		tags=$(gen_tags "$gen")
		[[ -n "$extra" ]] && tags=${tags:+$tags,}$extra
		for p in pbserver pbclient; do
			"$@" -tags "$tags" -ldflags="$ld" -o "$tmp/$p-$gen" "./$p" || return 1
			"$@" -tags "$tags" -ldflags="-s -w${ld:+ $ld}" -o "$tmp/sw/$p-$gen" "./$p" || return 1
		done
	done
}

cells=("$@")
[[ ${#cells[@]} -eq 0 ]] && cells=("${order[@]}")
for cell in "${cells[@]}"; do
	if [[ -z "${c_go[$cell]:-}" ]]; then
		echo "build.sh: unknown cell '$cell' (see $here/cells.txt)" >&2
		exit 2
	fi
done

# pie_names CELL: the cell's PIE binaries (pie/...), if it has any.
pie_names() {
	[[ "$1" == "${order[0]}" ]] && echo "${pie_progs[@]/#/pie/}"
	return 0
}

# arm64_names CELL: the cell's arm64 binaries (arm64/...), if it has any.
arm64_names() {
	[[ "${c_tests[$1]}" == all ]] && echo "${arm64_progs[@]/#/arm64/}"
	return 0
}

# build_arm64 CELL TMPDIR GO-BUILD-COMMAND...: the cell's arm64 binaries.
build_arm64() {
	local cell=$1 tmp=$2
	shift 2
	[[ -z "$(arm64_names "$cell")" ]] || "$@" -o "$tmp/arm64/" "${arm64_progs[@]/#/./}"
}

# up_to_date CELL: all binaries exist and no input is newer than any of them.
up_to_date() {
	local cell=$1 dest=$out/$1 modfile=${c_modfile[$1]} p inputs
	inputs=("$here/build.sh" "$here/cells.txt" "$here/pbcells.txt")
	for p in "${pkgdirs[@]}"; do inputs+=("$here/$p"); done
	if [[ "$modfile" != - ]]; then
		inputs+=("$here/$modfile" "$here/${modfile%.mod}.sum")
	fi
	for p in "${progs[@]##*/}" "${sw_progs[@]/#/sw/}" $(pb_names "$cell") $(pb_names "$cell" | sed 's#[^ ]*#sw/&#g') \
		$(pie_names "$cell") $(arm64_names "$cell"); do
		[[ -x "$dest/$p" ]] || return 1
		[[ -z "$(find "${inputs[@]}" -newer "$dest/$p" -print -quit)" ]] || return 1
	done
}

# linkflags CELL: linker flags every program of the cell needs. The
# programs import internal/itabdump, which reads runtime.itabTable through
# a pull linkname: Go 1.23 and later link that only with -checklinkname=0
# (older releases reject the flag).
linkflags() {
	local v=${c_version[$1]#go} minor
	minor=${v#*.}
	minor=${minor%%[!0-9]*}
	if [[ "${v%%.*}" -gt 1 || "$minor" -ge 23 ]]; then
		echo "-checklinkname=0"
	fi
}

# build_module CELL TMPDIR: module mode, with the cell's module file.
build_module() {
	local cell=$1 tmp=$2 modflag=() run ld
	ld=$(linkflags "$cell")
	[[ "${c_modfile[$cell]}" != go.mod ]] && modflag=("-modfile=$here/${c_modfile[$cell]}")
	run=(env -u GOFLAGS GOWORK=off GO111MODULE=on GOTOOLCHAIN="${c_toolchain[$cell]}"
		"${c_go[$cell]}" build -buildvcs=false "${modflag[@]}")
	(cd "$here" && "${run[@]}" -ldflags="$ld" -o "$tmp/" "${progs[@]/#/./}" &&
		"${run[@]}" -ldflags="-s -w${ld:+ $ld}" -o "$tmp/sw/" "${sw_progs[@]/#/./}" &&
		{ [[ -z "$(pie_names "$cell")" ]] ||
			"${run[@]}" -buildmode=pie -ldflags="$ld" -o "$tmp/pie/" "${pie_progs[@]/#/./}"; } &&
		build_arm64 "$cell" "$tmp" env GOARCH=arm64 "${run[@]}" -ldflags="$ld" &&
		build_pb "$cell" "$tmp" "$ld" "" "${run[@]}")
}

# build_gopath CELL TMPDIR: GOPATH mode against Debian's /usr/share/gocode;
# the sources are copied to where their import path says they live.
build_gopath() {
	local cell=$1 tmp=$2 gp ld tags run
	ld=$(linkflags "$cell")
	gp=$(mktemp -d)
	trap 'rm -rf "$gp"' RETURN
	mkdir -p "$gp/src/gogrpctrace/tests/targets"
	cp -r "${pkgdirs[@]/#/$here/}" "$gp/src/gogrpctrace/tests/targets/"
	# Debian's protobuf runtime is golang/protobuf 1.3 alone (no
	# google.golang.org/protobuf): internal/pbjson, protodump and the v13
	# FieldMask have files for it under this tag.
	tags=goprotobuf13
	if [[ ! -d /usr/share/gocode/src/golang.org/x/net/http2/h2c ]]; then
		echo "note: $cell: golang.org/x/net/http2/h2c missing, building h2server/h2client without -h2c" >&2
		tags+=,noh2c
	fi
	run=(env -u GOFLAGS GO111MODULE=off GOPATH="$gp:/usr/share/gocode" GOTOOLCHAIN=local
		"${c_go[$cell]}" build -buildvcs=false)
	(cd "$gp/src/gogrpctrace/tests/targets" &&
		"${run[@]}" -tags "$tags" -ldflags="$ld" -o "$tmp/" "${progs[@]/#/./}" &&
		"${run[@]}" -tags "$tags" -ldflags="-s -w${ld:+ $ld}" -o "$tmp/sw/" "${sw_progs[@]/#/./}" &&
		build_arm64 "$cell" "$tmp" env GOARCH=arm64 "${run[@]}" -tags "$tags" -ldflags="$ld" &&
		build_pb "$cell" "$tmp" "$ld" "$tags" "${run[@]}")
}

# Serialize concurrent runs (a test runner and a person may both call us).
mkdir -p "$out"
exec 9>"$out/.lock"
flock 9

failed=0
for cell in "${cells[@]}"; do
	if up_to_date "$cell"; then
		echo "up to date  $cell"
		continue
	fi
	gocmd=${c_go[$cell]}
	if ! command -v "$gocmd" >/dev/null; then
		echo "FAILED      $cell: go command $gocmd not found" >&2
		failed=1
		continue
	fi
	have=$(env -u GOFLAGS GOWORK=off GOTOOLCHAIN="${c_toolchain[$cell]}" "$gocmd" env GOVERSION 2>/dev/null || true)
	if [[ "$have" != "${c_version[$cell]}"* ]]; then
		echo "FAILED      $cell: $gocmd is '${have:-unknown}', cell needs ${c_version[$cell]}" >&2
		failed=1
		continue
	fi
	# Build into a fresh directory, then rename each binary into place: a
	# failed build leaves the old binaries alone, a running target keeps its
	# file, and fresh files get fresh mtimes (go build -o skips rewriting an
	# identical existing binary, which would defeat the up-to-date check).
	tmp=$(mktemp -d "$out/.build-$cell.XXXXXX")
	start=$SECONDS
	if [[ "${c_modfile[$cell]}" == - ]]; then
		builder=build_gopath
	else
		builder=build_module
	fi
	if log=$($builder "$cell" "$tmp" 2>&1); then
		mkdir -p "$out/$cell/sw"
		for p in "${progs[@]##*/}"; do mv -f "$tmp/$p" "$out/$cell/$p"; done
		for p in "${sw_progs[@]}" $(pb_names "$cell"); do mv -f "$tmp/sw/$p" "$out/$cell/sw/$p"; done
		for p in $(pb_names "$cell"); do mv -f "$tmp/$p" "$out/$cell/$p"; done
		if [[ -n "$(pie_names "$cell")" ]]; then
			mkdir -p "$out/$cell/pie"
			for p in $(pie_names "$cell"); do mv -f "$tmp/$p" "$out/$cell/$p"; done
			rmdir "$tmp/pie"
		fi
		if [[ -n "$(arm64_names "$cell")" ]]; then
			mkdir -p "$out/$cell/arm64"
			for p in $(arm64_names "$cell"); do mv -f "$tmp/$p" "$out/$cell/$p"; done
			rmdir "$tmp/arm64"
		fi
		rmdir "$tmp/sw" "$tmp"
		echo "built       $cell ($have, grpc ${c_grpc[$cell]}) in $((SECONDS - start))s -> $out/$cell"
	else
		rm -rf "$tmp"
		echo "FAILED      $cell:" >&2
		printf '%s\n' "$log" >&2
		failed=1
	fi
done
exit $failed
