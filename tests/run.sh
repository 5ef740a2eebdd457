#!/usr/bin/env bash
# run.sh [unit|runtime] [runner flags] - run the test suite through the Go
# runner in tests/runner; it ends with "N passed, N failed".
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PATH=/usr/local/go/bin:$PATH
cd "$here/runner"
go build -o "$here/../build/test-runner" .
exec "$here/../build/test-runner" "$@"
