#!/usr/bin/env bash
# Regenerates the checked-in Go code of kitchen.proto in four protobuf
# generations, each into its own package under internal/kitchenpb/:
#
#   new  protoc-gen-go v1.36.11 + protoc-gen-go-grpc v1.6.1: the file
#        descriptor is a string constant (protobuf-go >= 1.36.6)
#   mid  protoc-gen-go v1.36.5 + protoc-gen-go-grpc v1.6.1: the file
#        descriptor is a string variable made from a byte slice,
#        file_kitchen_proto_rawDesc = string([]byte{...})
#        (protobuf-go 1.36.4 and 1.36.5)
#   old  protoc-gen-go v1.34.2 + protoc-gen-go-grpc v1.3.0: the file
#        descriptor is a []byte variable, file_kitchen_proto_rawDesc
#        (protobuf-go <= 1.36.3)
#   v13  github.com/golang/protobuf v1.3.5's protoc-gen-go, plugins=grpc:
#        the descriptor gzipped in fileDescriptor_<hash>, handed to
#        proto.RegisterFile
#
# The plugins are built from their modules at these pinned versions with
# the machine's go command (through the module proxy, as GOFLAGS/GOPROXY
# say); protoc is Debian's (/usr/bin/protoc, well-known types from
# /usr/include). Run from anywhere: bash tests/targets/protos/generate.sh
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pbdir=$(cd "$here/.." && pwd)/internal/kitchenpb
modpath=gogrpctrace/tests/targets/internal/kitchenpb
protoc=${PROTOC:-/usr/bin/protoc}
wkt=${WKT_INCLUDE:-/usr/include}

new_go=v1.36.11
new_grpc=v1.6.1
mid_go=v1.36.5
mid_grpc=$new_grpc
old_go=v1.34.2
old_grpc=v1.3.0
v13_go=v1.3.5

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# install DIR PKG@VERSION: build one plugin into DIR (each generation has
# its own protoc-gen-go, so each gets its own directory).
install() {
	echo "generate: building $2" >&2
	GOBIN=$1 GOWORK=off GO111MODULE=on go install "$2"
}
install "$tmp/new" google.golang.org/protobuf/cmd/protoc-gen-go@$new_go
install "$tmp/new" google.golang.org/grpc/cmd/protoc-gen-go-grpc@$new_grpc
install "$tmp/mid" google.golang.org/protobuf/cmd/protoc-gen-go@$mid_go
install "$tmp/mid" google.golang.org/grpc/cmd/protoc-gen-go-grpc@$mid_grpc
install "$tmp/old" google.golang.org/protobuf/cmd/protoc-gen-go@$old_go
install "$tmp/old" google.golang.org/grpc/cmd/protoc-gen-go-grpc@$old_grpc
install "$tmp/v13" github.com/golang/protobuf/protoc-gen-go@$v13_go

# new, mid and old: the same command with their own plugins.
for gen in new mid old; do
	out=$pbdir/$gen
	mkdir -p "$out"
	rm -f "$out"/*.pb.go
	m="Mkitchen.proto=$modpath/$gen;kitchenpb"
	"$protoc" -I "$here" -I "$wkt" \
		--plugin=protoc-gen-go="$tmp/$gen/protoc-gen-go" \
		--plugin=protoc-gen-go-grpc="$tmp/$gen/protoc-gen-go-grpc" \
		--go_out="$out" --go_opt=paths=source_relative,"$m" \
		--go-grpc_out="$out" --go-grpc_opt=paths=source_relative,"$m" \
		kitchen.proto
done

# v13: golang/protobuf 1.3 cannot generate proto3 optional (protoc refuses
# a plugin that does not claim it), so it gets a copy of kitchen.proto
# without the word; the fields keep their numbers and types. Its
# well-known types come from golang/protobuf's ptypes packages, as a
# 1.3-era program's did; FieldMask, which golang/protobuf never had, from
# our package v13/fieldmaskpb (see its doc.go).
mkdir -p "$tmp/v13src"
sed -E 's/^([[:space:]]*)optional /\1/' "$here/kitchen.proto" >"$tmp/v13src/kitchen.proto"
out=$pbdir/v13
mkdir -p "$out/fieldmaskpb"
rm -f "$out"/*.pb.go "$out"/fieldmaskpb/*.pb.go
opts="plugins=grpc,paths=source_relative,Mkitchen.proto=$modpath/v13;kitchenpb"
for t in any duration empty struct timestamp wrappers; do
	opts+=",Mgoogle/protobuf/$t.proto=github.com/golang/protobuf/ptypes/$t"
done
opts+=",Mgoogle/protobuf/field_mask.proto=$modpath/v13/fieldmaskpb"
"$protoc" -I "$tmp/v13src" -I "$wkt" \
	--plugin=protoc-gen-go="$tmp/v13/protoc-gen-go" \
	--go_out="$opts:$out" kitchen.proto
# field_mask.proto itself, for golang/protobuf 1.3 alone (the Debian cell
# builds with -tags goprotobuf13): the generated file gets that build
# constraint in front.
mkdir -p "$tmp/v13fm"
"$protoc" -I "$wkt" --plugin=protoc-gen-go="$tmp/v13/protoc-gen-go" \
	--go_out="paths=source_relative,Mgoogle/protobuf/field_mask.proto=$modpath/v13/fieldmaskpb:$tmp/v13fm" \
	google/protobuf/field_mask.proto
{
	printf '//go:build goprotobuf13\n\n'
	cat "$tmp/v13fm/google/protobuf/field_mask.pb.go"
} >"$out/fieldmaskpb/field_mask.pb.go"

echo "generate: wrote $(cd "$pbdir" && ls -1 */*.pb.go */*/*.pb.go | tr '\n' ' ')" >&2
