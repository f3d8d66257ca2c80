#!/bin/sh
# Builds a real ollama server from the Go module proxy, once, and caches it:
#   integration/ollama/build.sh           prints the path of the cached binary
# Module zips drop llama.cpp's vendor/ headers: nlohmann-json and stb come from
# Debian, miniaudio.h from the github.com/gen2brain/malgo module.
set -eu
version=${OLLAMA_VERSION:-v0.17.4}
malgo=${MALGO_VERSION:-v0.11.24}
cache=${RUNSC_AI_CACHE:-/var/cache/runsc-ai}
out="$cache/ollama-$version/ollama"
if [ -x "$out" ] && "$out" --version 2>/dev/null | grep -q "${version#v}"; then
	echo "$out"
	exit 0
fi
missing=""
for p in nlohmann-json3-dev libstb-dev g++; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "apt-get install$missing" >&2
	apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
malgo_dir=$(cd "$tmp" && GOFLAGS=-mod=mod go mod download -json "github.com/gen2brain/malgo@$malgo" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
mkdir -p "$tmp/include/miniaudio"
cp "$malgo_dir/miniaudio.h" "$tmp/include/miniaudio/miniaudio.h"
echo "building ollama $version (about 10 minutes on 2 cores)..." >&2
mkdir -p "$(dirname "$out")"
(cd "$tmp" && GOFLAGS=-mod=mod CGO_ENABLED=1 \
	CGO_CPPFLAGS="-I$tmp/include -I/usr/include/stb" \
	GOBIN="$tmp/bin" go install -trimpath \
	-ldflags "-X github.com/ollama/ollama/version.Version=${version#v}" \
	"github.com/ollama/ollama@$version") >&2
mv "$tmp/bin/ollama" "$out"
echo "$out"
