#!/usr/bin/env bash
# seeds.sh - generate the fuzz corpus seeds into build/fuzz/seeds/ (nothing
# binary is committed):
#   small/  inputs libFuzzer mutates (all below FUZZ_MAX_LEN, default 64 KiB):
#           synthetic Go-like ELF files with DWARF, symbols, build info and
#           itabs for every function/struct/itab tool/probes.c wants
#           (tests/fuzz/mkseed.py); a minimal C ELF; the first bytes of the
#           matrix binaries cut at ELF boundaries; the bad-input files.
#   large/  inputs run once each, not mutated: the matrix grpcserver
#           binaries (symlinks), stripped copies of two of them, and a tiny
#           Go program built with -ldflags=-w.
# Also writes build/fuzz/reader.dict (libFuzzer dictionary).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/build/fuzz
small=$out/seeds/small
large=$out/seeds/large
max_len=${FUZZ_MAX_LEN:-65536}
gotool=${GO:-/usr/local/go/bin/go}

rm -rf "$out/seeds"
mkdir -p "$small" "$large"

# What the probe table wants, from the table itself.
gcc -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$out/wanted" \
	"$here/wanted.c" "$root/tool/probes.c"
"$out/wanted" >"$out/wanted.txt"

python3 "$here/mkseed.py" "$small" <"$out/wanted.txt" >/dev/null

# A minimal C executable: an ELF that is not a Go program.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'void _start(void) { for (;;) ; }\n' >"$tmp/min.c"
gcc -nostdlib -static -Os -s -o "$small/c-minimal" "$tmp/min.c"
gcc -nostdlib -static -O0 -g -o "$small/c-minimal-dwarf" "$tmp/min.c"
cp "$root/tests/badinput/not-elf.txt" "$small/not-elf.txt"
cp "$root/tests/badinput/empty" "$small/empty"

# ELF boundaries of a Go binary: the ELF header, the program headers, the
# first page, the first 64 KiB (all stop before the sections: the reader
# must refuse them cleanly).
cut_at() { # FILE NAME BYTES
	head -c "$3" "$1" >"$small/$2-first-$3"
}
n=0
for bin in "$root"/build/targets/*/grpcserver; do
	[[ -f "$bin" ]] || continue
	cell=$(basename "$(dirname "$bin")")
	ln -sf "$bin" "$large/$cell-grpcserver"
	# without symbols: functions from Go's table, itabs from the runtime's
	# list (Go 1.27's itab region too)
	if [[ $cell == go1.27-* ]]; then strip -o "$large/$cell-grpcserver-stripped" "$bin"; fi
	((n++ < 2)) || continue # cuts of two cells are plenty
	strip -o "$large/$cell-grpcserver-stripped" "$bin"
	phend=$(python3 -c 'import struct,sys
b=open(sys.argv[1],"rb").read(64)
phoff,=struct.unpack_from("<Q",b,0x20); es,n=struct.unpack_from("<HH",b,0x36)
print(phoff+es*n)' "$bin")
	for len in 64 "$phend" 4096 "$max_len"; do cut_at "$bin" "$cell" "$len"; done
done
if ((n == 0)); then
	echo "seeds.sh: note: no matrix binaries under build/targets (make targets); synthetic seeds only" >&2
fi

# A tiny Go program without DWARF (-ldflags=-w), run once, not mutated.
if [[ -x "$gotool" ]]; then
	(cd "$root/tests/badinput/hello" &&
		GOTOOLCHAIN=local GOFLAGS= GO111MODULE=on GOWORK=off \
			"$gotool" build -trimpath -ldflags=-w -o "$large/go-hello-nodwarf" . 2>"$tmp/go.err") ||
		echo "seeds.sh: note: go build of tests/badinput/hello failed: $(head -c 300 "$tmp/go.err")" >&2
fi

# Drop anything too large to mutate.
for f in "$small"/*; do
	if (($(stat -c %s "$f") > max_len)); then mv "$f" "$large/"; fi
done

# Dictionary: the names the reader looks for and the formats' magic.
{
	printf '"\\x7fELF"\n"\\xff Go buildinf:"\n".go.buildinfo"\n".note.go.buildid"\n'
	printf '".symtab"\n".strtab"\n".debug_info"\n".debug_abbrev"\n".debug_str"\n'
	printf '".debug_loc"\n".debug_loclists"\n".debug_frame"\n".debug_line"\n'
	printf '".zdebug_info"\n".gopclntab"\n"go:itab."\n"go.itab."\n"Go\\x00\\x00"\n'
	printf '"\\x09google.golang.org/grpc\\x09v1.60.0"\n"\\x0a=>\\x09"\n"dep\\x09"\n"go1.22.5"\n'
	sed -n 's/^[FMSI] //p' "$out/wanted.txt" | sort -u | sed 's/:.*//; s/^/"/; s/$/"/'
} | sort -u >"$out/reader.dict"

# The protobuf descriptor path (fuzz_protos.c): protoc's descriptors of
# tests/unit/protos and descriptor.proto, one per seed, back to back as a
# Go string table holds them, and gzipped as golang/protobuf 1.3 stores them.
protos=$out/seeds/protos
mkdir -p "$protos"
protoc --include_imports --descriptor_set_out="$tmp/set.pb" -I"$root/tests/unit/protos" \
	-I/usr/include "$root"/tests/unit/protos/*.proto google/protobuf/descriptor.proto
python3 - "$tmp/set.pb" "$protos" <<'PY'
import gzip, sys
b = open(sys.argv[1], "rb").read()
files, i = [], 0
while i < len(b):
    i += 1  # tag 0x0a
    n = s = 0
    while True:
        c = b[i]; i += 1; n |= (c & 0x7F) << s; s += 7
        if c < 0x80: break
    files.append(b[i:i + n]); i += n
for k, f in enumerate(files):
    open(f"{sys.argv[2]}/file-{k}", "wb").write(f)
    open(f"{sys.argv[2]}/gzip-{k}", "wb").write(gzip.compress(f, mtime=0))
open(f"{sys.argv[2]}/packed", "wb").write(b"go:string" + b"".join(files[:6]) + b"\0" * 8)
PY

echo "seeds.sh: $(ls "$small" | wc -l) small seeds in $small, $(ls "$large" | wc -l) large in $large, $(ls "$protos" | wc -l) in $protos"
