#!/usr/bin/env bash
# build.sh - the arm64 programs the arm64 VM runs, built on this host:
# the tool (build/arm64/gogrpctrace), cross-compiled against the VM's root
# as its sysroot (setup.sh made it), and the test runner
# (build/arm64/test-runner). The test programs are the cells' arm64/
# builds (tests/targets/build.sh). Incremental, as make and go build are.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
root="$repo/build/vm-arm64/root"
export PATH=/usr/local/go/bin:$PATH

compgen -G "$root/.gogrpctrace-setup-*" >/dev/null ||
	{ echo "build.sh: no arm64 root in $root: run tests/vm/arm64/setup.sh" >&2; exit 2; }
command -v aarch64-linux-gnu-gcc >/dev/null ||
	{ echo "build.sh: aarch64-linux-gnu-gcc missing: run tests/vm/arm64/setup.sh" >&2; exit 2; }
make -s -C "$repo" CC="aarch64-linux-gnu-gcc --sysroot=$root" BUILD=build/arm64 build/arm64/gogrpctrace
(cd "$repo/tests/runner" && GOARCH=arm64 go build -o "$repo/build/arm64/test-runner" .)
