#!/bin/sh
# Builds a real ollama server from the Go module proxy, once, and caches it:
#   integration/ollama/build.sh           prints the path of the cached binary
# llama.cpp's missing vendor headers: see llamacpp-deps.sh.
set -eu
version=${OLLAMA_VERSION:-v0.17.4}
cache=${RUNSC_AI_CACHE:-/var/cache/runsc-ai}
out="$cache/ollama-$version/ollama"
if [ -x "$out" ] && "$out" --version 2>/dev/null | grep -q "${version#v}"; then
	echo "$out"
	exit 0
fi
flags=$(sh "$(dirname "$0")/llamacpp-deps.sh")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "building ollama $version (about 10 minutes on 2 cores)..." >&2
mkdir -p "$(dirname "$out")"
(cd "$tmp" && GOFLAGS=-mod=mod CGO_ENABLED=1 \
	CGO_CPPFLAGS="$flags" \
	GOBIN="$tmp/bin" go install -trimpath \
	-ldflags "-X github.com/ollama/ollama/version.Version=${version#v}" \
	"github.com/ollama/ollama@$version") >&2
mv "$tmp/bin/ollama" "$out"
echo "$out"
