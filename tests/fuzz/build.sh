#!/usr/bin/env bash
# build.sh - build the libFuzzer targets of the binary reader into
# build/fuzz/fuzz_reader and of the protobuf descriptor path into
# build/fuzz/fuzz_protos (clang-14, ASan + UBSan + LeakSanitizer).
# The reader's own sources (dwarf/*.c and the tool files the --inspect and
# --ebpf paths use) are compiled with the project's warning flags. Nothing
# that talks to libbcc or the kernel is linked in.
# Rebuilds only when a source is newer than the binary.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/build/fuzz
CC=${FUZZ_CC:-clang-14}

if ! command -v "$CC" >/dev/null; then
	echo "fuzz/build.sh: $CC not found (bash tests/setup.sh installs clang-14 libclang-rt-14-dev)" >&2
	exit 2
fi
mkdir -p "$out/obj"

srcs=("$root"/dwarf/*.c
	"$root"/tool/resolve.c "$root"/tool/probes.c "$root"/tool/inspect.c
	"$root"/tool/json.c "$root"/tool/render.c "$root"/tool/layout.c "$root"/tool/offsets.c
	"$root"/tool/termtext.c "$root"/tool/connwrap.c
	"$root"/tool/inspect_protos.c "$root"/tool/protodb.c "$root"/tool/protobuild.c
	"$root"/tool/protocheck.c "$root"/tool/arena.c "$root"/tool/protomodel.c
	"$root"/build/gen/google/protobuf/descriptor.pb-c.c)
templates=("$root"/bpf_templates/*.c "$root"/bpf_templates/*.h "$root"/tool/offsets_*.tbl)

# descriptor.proto's parser, as the Makefile generates it.
if [[ ! -f "$root/build/gen/google/protobuf/descriptor.pb-c.c" ]]; then
	mkdir -p "$root/build/gen"
	protoc-c --c_out="$root/build/gen" -I/usr/include /usr/include/google/protobuf/descriptor.proto
fi

bin=$out/fuzz_reader
newer=0
if [[ -x "$bin" && -x "$out/fuzz_protos" ]]; then
	for f in "${srcs[@]}" "${templates[@]}" "$root"/dwarf/*.h "$root"/tool/*.h \
		"$root/tool/embed.sh" "$here/fuzz_reader.c" "$here/fuzz_protos.c" "$here/build.sh"; do
		[[ "$f" -nt "$bin" ]] && newer=1 && break
	done
	((newer)) || exit 0
fi

# The templates as strings, exactly as the Makefile embeds them.
sh "$root/tool/embed.sh" "${templates[@]}" >"$out/templates.c.tmp"
mv "$out/templates.c.tmp" "$out/templates.c"

# The project's flags (Makefile: -std=gnu11 -Wall -Wextra -Werror
# -D_GNU_SOURCE) plus the sanitizers. -fsanitize=fuzzer-no-link gives the
# coverage instrumentation; the fuzzer main is linked at the end.
san=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
# clang (unlike gcc 12) warns about the probe table's positional
# initializers that leave .piece/.optional implicit; that one warning is off.
cflags=(-O1 -g -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers -D_GNU_SOURCE
	-I"$root/build/gen" "${san[@]}")

objs=()
for s in "${srcs[@]}"; do
	rel=${s#"$root"/}
	o=$out/obj/${rel//\//_}.o
	"$CC" "${cflags[@]}" -fsanitize=fuzzer-no-link -c -o "$o" "$s"
	objs+=("$o")
done
"$CC" "${cflags[@]}" -Wno-overlength-strings -c -o "$out/obj/templates.o" "$out/templates.c"
objs+=("$out/obj/templates.o")
"$CC" "${cflags[@]}" -fsanitize=fuzzer-no-link -c -o "$out/obj/fuzz_reader.o" "$here/fuzz_reader.c"
"$CC" "${san[@]}" -fsanitize=fuzzer -o "$bin.tmp" "$out/obj/fuzz_reader.o" "${objs[@]}" \
	-ldw -lelf -lcapstone -lpthread -lm -lprotobuf-c -lz
mv "$bin.tmp" "$bin"
"$CC" "${cflags[@]}" -fsanitize=fuzzer-no-link -c -o "$out/obj/fuzz_protos.o" "$here/fuzz_protos.c"
"$CC" "${san[@]}" -fsanitize=fuzzer -o "$out/fuzz_protos.tmp" "$out/obj/fuzz_protos.o" "${objs[@]}" \
	-ldw -lelf -lcapstone -lpthread -lm -lprotobuf-c -lz
mv "$out/fuzz_protos.tmp" "$out/fuzz_protos"
echo "fuzz/build.sh: built $bin and $out/fuzz_protos"
