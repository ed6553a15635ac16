#!/usr/bin/env bash
# Installs ghz (a gRPC load generator written in Go, for bench/ghz.ts) from the Go module proxy
# into a cache outside the repository; prints the binary's path. Idempotent.
set -euo pipefail
exec bash "$(dirname "$0")/go-tool.sh" ghz github.com/bojand/ghz/cmd/ghz v0.93.0
