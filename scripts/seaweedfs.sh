#!/usr/bin/env bash
# Builds SeaweedFS's `weed` (an S3-compatible server the S3 archive tests start on loopback) from
# the Go module proxy into a cache outside the repository; prints the binary's path. Its go.mod
# has replace directives, so `go install pkg@version` refuses it: the module's source is fetched
# with `go mod download` and built in a scratch copy. About 8 minutes on 2 cores the first time;
# idempotent: a second run only prints the path.
set -euo pipefail
version="v0.0.0-20261109003541-7506e5f91cd6"
cache="${MEMORY_ENGINE_CACHE:-$HOME/.cache/memory-engine}"
bin="$cache/bin/weed"
stamp="$cache/bin/weed.version"
if [ ! -x "$bin" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$version" ]; then
  command -v go >/dev/null || { echo "seaweedfs.sh: the go command is needed" >&2; exit 1; }
  src="$(go mod download -json "github.com/seaweedfs/seaweedfs@$version" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cp -r "$src/." "$work/"
  chmod -R u+w "$work"
  mkdir -p "$cache/bin"
  (cd "$work" && go build -o "$bin" ./weed) >&2
  echo "$version" > "$stamp"
fi
echo "$bin"
