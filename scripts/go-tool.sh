#!/usr/bin/env bash
# go-tool.sh NAME PACKAGE VERSION: installs a Go command (`go install PACKAGE@VERSION`, from the
# Go module proxy) as NAME into a cache outside the repository, once per version; prints its path.
set -euo pipefail
name="$1" package="$2" version="$3"
cache="${MEMORY_ENGINE_CACHE:-$HOME/.cache/memory-engine}"
bin="$cache/bin/$name"
stamp="$cache/bin/$name.version"
if [ ! -x "$bin" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$version" ]; then
  command -v go >/dev/null || { echo "go-tool.sh: the go command is needed to build $name" >&2; exit 1; }
  mkdir -p "$cache/bin"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  # Outside any module, so the repository's files play no part in the build.
  (cd "$work" && GOBIN="$cache/bin" go install "$package@$version") >&2
  echo "$version" > "$stamp"
fi
echo "$bin"
