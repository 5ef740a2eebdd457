#!/usr/bin/env bash
# Builds grpc-go's own interop client and server (google.golang.org/grpc/interop/client
# and .../server, straight from the grpc module) at two releases, and the
# recording proxy h2proxy, into ${OUT:-<repo>/build/interop}/<cell>/:
#   go1.27-grpc1.85  go1.27.3, grpc-go v1.85.0 (go.mod)      client server h2proxy
#   go1.26-grpc1.66  local Go 1.26, grpc-go v1.66.2 (grpc1.66.mod)  client server
# Skips what is newer than its inputs. Needs the modules in the module
# cache (or the Go module proxy). Prints one line per cell.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=${OUT:-$root/build/interop}
export PATH=/usr/local/go/bin:$PATH
mkdir -p "$out"
exec 9>"$out/.lock"
flock 9

# build CELL TOOLCHAIN MODFILE PKG...: into $out/CELL, unless up to date.
build() {
	local cell=$1 toolchain=$2 modfile=$3 dest=$out/$1 p fresh=1
	shift 3
	for p in "$@"; do
		p=${p##*/}
		[[ -x "$dest/$p" && -z "$(find "$here" -newer "$dest/$p" -print -quit)" ]] || fresh=0
	done
	if ((fresh)); then
		echo "up to date  $cell"
		return
	fi
	mkdir -p "$dest"
	(cd "$here" && env -u GOFLAGS GOWORK=off GO111MODULE=on GOTOOLCHAIN="$toolchain" \
		go build -buildvcs=false -modfile="$modfile" -o "$dest/" "$@")
	echo "built       $cell -> $dest"
}

build go1.27-grpc1.85 go1.27.3 go.mod \
	google.golang.org/grpc/interop/client google.golang.org/grpc/interop/server ./h2proxy
build go1.26-grpc1.66 local grpc1.66.mod \
	google.golang.org/grpc/interop/client google.golang.org/grpc/interop/server
