#!/usr/bin/env bash
# setup.sh - install what gogrpctrace builds and tests with (Debian 12),
# and mount tracefs. Idempotent: does nothing that is already done.
set -euo pipefail

packages=(
	build-essential pkg-config
	libbpfcc-dev libelf-dev libdw-dev libcapstone-dev # the tool
	libdebuginfod-dev                                 # its header; the library is dlopen()ed
	libprotobuf-c-dev protobuf-c-compiler zlib1g-dev  # the target's protobuf descriptors
	protobuf-compiler libprotobuf-dev                 # descriptor.proto; protoc for the unit tests
	linux-headers-amd64                               # a header tree for bcc
	golang-1.19-go golang-google-grpc-dev golang-golang-x-net-dev # the Debian cell
	golang-github-golang-protobuf-1-3-dev                          # ... its protobuf runtime (pbserver, pbclient)
	llvm-14-tools binutils gdb jq                     # oracles for the tests
	binutils-aarch64-linux-gnu qemu-user-static       # ... and for the arm64 builds
	debuginfod                                        # a debug-info server for the tests
	clang-14 libclang-rt-14-dev python3               # the fuzz target (tests/fuzz)
	qemu-system-x86                                   # a throwaway VM for kernels we cannot become (tests/vm)
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q "${missing[@]}" >/dev/null
fi

# The VM tests boot Debian's stock kernel, the one linux-headers-amd64 is
# for: its package is unpacked (not installed) into build/vm/kernel.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$repo/tests/vm/stockkernel.sh"
stock_kernel
kver=$kabi-amd64
if [[ ! -e "$repo/build/vm/kernel/boot/vmlinuz-$kver" ]]; then
	echo "setup: unpacking linux-image-$kver into build/vm/kernel"
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -q "linux-image-$kver" >/dev/null 2>&1)
	mkdir -p "$repo/build/vm/kernel"
	dpkg-deb -x "$tmp"/linux-image-"$kver"_*.deb "$repo/build/vm/kernel"
	rm -rf "$tmp"
fi

# securityfs tells the kernel's lockdown mode (the tool reports it).
if [[ ! -e /sys/kernel/security/lockdown ]]; then
	mount -t securityfs securityfs /sys/kernel/security 2>/dev/null || true
fi
if [[ ! -e /sys/kernel/tracing/uprobe_events ]]; then
	mkdir -p /sys/kernel/tracing
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
fi
if ! command -v go >/dev/null && [[ -x /usr/local/go/bin/go ]]; then
	echo "setup: note: add /usr/local/go/bin to PATH" >&2
fi
