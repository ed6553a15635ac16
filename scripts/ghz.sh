#!/usr/bin/env bash
# Installs ghz (a gRPC load generator written in Go, for bench/ghz.ts) from the Go module proxy
# into a cache outside the repository; prints the binary's path. Idempotent.
set -euo pipefail
version="v0.93.0"
cache="${MEMORY_ENGINE_CACHE:-$HOME/.cache/memory-engine}"
bin="$cache/bin/ghz"
stamp="$cache/bin/ghz.version"
if [ ! -x "$bin" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$version" ]; then
  command -v go >/dev/null || { echo "ghz.sh: the go command is needed" >&2; exit 1; }
  mkdir -p "$cache/bin"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && GOBIN="$cache/bin" go install "github.com/bojand/ghz/cmd/ghz@$version") >&2
  echo "$version" > "$stamp"
fi
echo "$bin"
