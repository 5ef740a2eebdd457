#!/usr/bin/env bash
# build.sh - build Jaeger, the tracing backend the otlp/* tests send spans
# to: the jaeger program of github.com/jaegertracing/jaeger, at the version
# this module's go.mod pins as a tool (go get -tool), into build/jaeger.
# About 4 minutes the first time; nothing when go.mod has not changed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out="$here/../../build/jaeger"
export PATH=/usr/local/go/bin:$PATH
if [[ -x "$out" && "$out" -nt "$here/go.mod" && "$out" -nt "$here/go.sum" ]]; then
	exit 0
fi
mkdir -p "$(dirname "$out")"
echo "building Jaeger (tests/otlp: about 4 minutes the first time)"
cd "$here"
go build -o "$out.tmp" github.com/jaegertracing/jaeger/cmd/jaeger
mv "$out.tmp" "$out"
