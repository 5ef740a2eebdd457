#!/usr/bin/env bash
# build-refs.sh OUTDIR [TOOLCHAIN...] - build the reference program
# (tests/offsets/ref) once per toolchain and grpc-go release of
# versions.txt, plus Debian's Go 1.19 with Debian's packaged grpc-go in
# GOPATH mode, for the machine GOARCH names (amd64 when unset). Toolchains
# named as arguments limit it to their builds. Each build lands in
# OUTDIR/<name>/ with:
#   ref      the binary
#   build    one line: go version, grpc version, x/net version, how built
#            (the mode, module or gopath, then GOARCH=..., then the rest)
# A build already there is kept. Failures (a release that needs a newer Go,
# a module the proxy does not serve) are listed in OUTDIR/skipped.txt.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: build-refs.sh OUTDIR [TOOLCHAIN...]}
shift
only=("$@")
mkdir -p "$out" && out=$(cd "$out" && pwd)
[[ ${#only[@]} -gt 0 ]] || : >"$out/skipped.txt"
export PATH=/usr/local/go/bin:$PATH
export GOARCH=${GOARCH:-amd64}

field() { awk -v k="$1" '$1 == k { for (i = 2; i <= NF; i++) print $i }' "$here/versions.txt"; }
# amd64's toolchains are on "toolchain" lines, another machine's on
# "toolchain-GOARCH" lines.
key=toolchain
[[ $GOARCH == amd64 ]] || key=toolchain-$GOARCH
mapfile -t toolchains < <(field "$key")
mapfile -t grpcs < <(field grpc)
mapfile -t xnets < <(field xnet)

# modversion BINARY MODULE: the module's version from the build info.
modversion() {
	go version -m "$1" | awk -v m="$2" '$1 == "dep" && $2 == m { v = $3 } $1 == "=>" { } END { print v }'
}

# build_module NAME TOOLCHAIN GRPC [XNET]: TOOLCHAIN is a GOTOOLCHAIN value,
# or the path of a go command (Debian's Go 1.19: the toolchain module's Go
# 1.19 cannot build, its src/go.mod is renamed).
build_module() {
	local name=$1 tc=$2 grpc=$3 xnet=${4:-} dir log gocmd=go gotc=$2
	if [[ $tc == /* ]]; then gocmd=$tc gotc=local; fi
	dir=$out/$name
	[[ -f $dir/build ]] && return 0
	mkdir -p "$dir/src" && cp "$here/ref/main.go" "$dir/src/"
	log=$( (cd "$dir/src" && export GOTOOLCHAIN=$gotc GOFLAGS=-mod=mod GOWORK=off &&
		"$gocmd" mod init offsetref &&
		"$gocmd" get "google.golang.org/grpc@$grpc" &&
		{ [[ -z $xnet ]] || "$gocmd" get "golang.org/x/net@$xnet"; } &&
		"$gocmd" mod tidy && "$gocmd" build -o ../ref . ) 2>&1)
	if [[ $? -ne 0 ]]; then
		echo "$name: $(printf '%s\n' "$log" | grep -v '^go: downloading' | tail -1)" >>"$out/skipped.txt"
		rm -rf "$dir"
		return 0
	fi
	# Asking for an older x/net than grpc-go needs makes go get downgrade
	# grpc-go instead; such a build is not the one asked for.
	if [[ $(modversion "$dir/ref" google.golang.org/grpc) != "$grpc" ]]; then
		echo "$name: go get chose grpc $(modversion "$dir/ref" google.golang.org/grpc)" >>"$out/skipped.txt"
		rm -rf "$dir"
		return 0
	fi
	printf '%s %s %s module GOARCH=%s %s go get google.golang.org/grpc@%s%s\n' \
		"$(go version "$dir/ref" | sed 's/^.*: //')" "$(modversion "$dir/ref" google.golang.org/grpc)" \
		"$(modversion "$dir/ref" golang.org/x/net)" "$GOARCH" "$([[ $tc == /* ]] && echo "$tc" || echo "GOTOOLCHAIN=$tc")" \
		"$grpc" "${xnet:+ golang.org/x/net@$xnet}" >"$dir/build"
	echo "built $name"
}

# Debian's Go 1.19 and its packaged grpc-go and x/net, in GOPATH mode: the
# binary records neither version, so they come from dpkg.
build_debian() {
	local dir=$out/debian-go1.19 gp grpc xnet
	[[ -f $dir/build ]] && return 0
	[[ -x /usr/lib/go-1.19/bin/go && -d /usr/share/gocode/src/google.golang.org/grpc ]] || {
		echo "debian-go1.19: golang-1.19-go or golang-google-grpc-dev not installed" >>"$out/skipped.txt"
		return 0
	}
	gp=$(mktemp -d) && mkdir -p "$gp/src/offsetref" "$dir" && cp "$here/ref/main.go" "$gp/src/offsetref/"
	if ! (cd "$gp/src/offsetref" && GO111MODULE=off GOPATH="$gp:/usr/share/gocode" GOTOOLCHAIN=local \
		/usr/lib/go-1.19/bin/go build -o "$dir/ref" .); then
		echo "debian-go1.19: build failed" >>"$out/skipped.txt"
		rm -rf "$gp" "$dir"
		return 0
	fi
	rm -rf "$gp"
	grpc=v$(dpkg-query -W -f '${Version}' golang-google-grpc-dev | sed 's/^[0-9]*://; s/[-+~].*//')
	xnet=v$(dpkg-query -W -f '${Version}' golang-golang-x-net-dev | sed 's/^[0-9]*://; s/[-+~].*//')
	printf '%s %s %s gopath GOARCH=%s Debian golang-1.19-go, golang-google-grpc-dev, golang-golang-x-net-dev\n' \
		"$(/usr/lib/go-1.19/bin/go version "$dir/ref" | sed 's/^.*: //')" "$grpc" "$xnet" "$GOARCH" >"$dir/build"
	echo "built debian-go1.19"
}

if [[ ${#only[@]} -gt 0 ]]; then
	toolchains=("${only[@]}")
else
	build_debian
fi
newest=${grpcs[-1]}
for tc in "${toolchains[@]}"; do
	tcname=$tc
	[[ $tc == /* ]] && tcname=$("$tc" env GOVERSION 2>/dev/null)
	# the newer x/net releases services link, with every Go that builds them
	for x in "${xnets[@]}"; do build_module "${tcname:-unknown}-$newest-xnet-$x" "$tc" "$newest" "$x"; done
	for g in "${grpcs[@]}"; do
		# Debian patches the grpc-go it packages: the GOPATH build holds
		# that release for Debian's Go, a module build would disagree.
		if [[ -f $out/debian-go1.19/build && $(cut -d' ' -f1,2 "$out/debian-go1.19/build") == "$tcname $g" ]]; then
			echo "$tcname-$g: Debian's own grpc-go $g (debian-go1.19) holds this release" >>"$out/skipped.txt"
			continue
		fi
		build_module "${tcname:-unknown}-$g" "$tc" "$g"
	done
done
