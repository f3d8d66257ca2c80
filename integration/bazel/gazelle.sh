#!/bin/sh
# Builds Gazelle v0.26.0 from the Go module proxy with the project's patch
# (patches/gazelle-*.patch), once per patch, and prints the binary's path.
# Used outside Bazel by `make bazel-gazelle` (regenerate BUILD files and
# deps.bzl) and `make check` (they must match the tree), so neither needs Bazel.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
version=v0.26.0
patch="$here/patches/gazelle-$version-module-mode.patch"
cache=${RUNSC_AI_CACHE:-/var/cache/runsc-ai}
sum=$(sha256sum <"$patch" | cut -c1-12)
out="$cache/gazelle-$version-$sum/gazelle"
if [ -x "$out" ]; then
	echo "$out"
	exit 0
fi
dir=$(GOFLAGS= GOTOOLCHAIN=local go mod download -json "github.com/bazelbuild/bazel-gazelle@$version" |
	sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$dir" ] || { echo "gazelle.sh: go mod download github.com/bazelbuild/bazel-gazelle@$version gave no directory" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
cp -R "$dir/." "$tmp/src"
chmod -R u+w "$tmp/src"
(cd "$tmp/src" && git apply -p1 "$patch")
mkdir -p "$(dirname "$out")"
(cd "$tmp/src" && GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0 go build -o "$tmp/gazelle" ./cmd/gazelle) >&2
mv "$tmp/gazelle" "$out"
echo "$out"
