#!/usr/bin/env bash
# Installs grpcurl (the reflection and quick-start tests' independent gRPC client) from the Go
# module proxy into a cache outside the repository; prints the binary's path. About 30 s the first
# time; idempotent: a second run only prints the path.
set -euo pipefail
version="v1.9.3"
cache="${MEMORY_ENGINE_CACHE:-$HOME/.cache/memory-engine}"
bin="$cache/bin/grpcurl"
stamp="$cache/bin/grpcurl.version"
if [ ! -x "$bin" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$version" ]; then
  command -v go >/dev/null || { echo "grpcurl.sh: the go command is needed" >&2; exit 1; }
  mkdir -p "$cache/bin"
  GOBIN="$cache/bin" go install "github.com/fullstorydev/grpcurl/cmd/grpcurl@$version" >&2
  echo "$version" > "$stamp"
fi
echo "$bin"
