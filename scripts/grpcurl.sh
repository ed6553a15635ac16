#!/usr/bin/env bash
# Installs grpcurl (the reflection and quick-start tests' independent gRPC client) from the Go
# module proxy into a cache outside the repository; prints the binary's path. About 30 s the first
# time; idempotent: a second run only prints the path.
set -euo pipefail
exec bash "$(dirname "$0")/go-tool.sh" grpcurl github.com/fullstorydev/grpcurl/cmd/grpcurl v1.9.3
