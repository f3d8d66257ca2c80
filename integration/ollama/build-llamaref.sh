#!/bin/sh
# Builds llamaref (the in-process engine's oracle: llama.cpp through the
# ollama module's cgo bindings, see llamaref/main.go) once per source
# version, and caches it:
#   integration/ollama/build-llamaref.sh     prints the path of the binary
# llama.cpp's missing vendor headers come from the same places as for the
# ollama build (build.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
version=${OLLAMA_VERSION:-v0.17.4}
malgo=${MALGO_VERSION:-v0.11.24}
cache=${RUNSC_AI_CACHE:-/var/cache/runsc-ai}
sum=$(cat "$here/llamaref/main.go" "$here/build-llamaref.sh" | sha256sum | cut -c1-12)
out="$cache/llamaref-$version-$sum/llamaref"
if [ -x "$out" ]; then
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
# A fixed include directory keeps the cgo compile of llama.cpp cacheable.
inc="$cache/include"
if [ ! -f "$inc/miniaudio/miniaudio.h" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	malgo_dir=$(cd "$tmp" && GOFLAGS=-mod=mod go mod download -json "github.com/gen2brain/malgo@$malgo" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	mkdir -p "$inc/miniaudio"
	cp "$malgo_dir/miniaudio.h" "$inc/miniaudio/miniaudio.h"
fi
echo "building llamaref (llama.cpp through ollama $version; about 10 minutes on 2 cores)..." >&2
mkdir -p "$(dirname "$out")"
(cd "$here/../.." && CGO_ENABLED=1 CGO_CPPFLAGS="-I$inc -I/usr/include/stb" \
	go build -trimpath -tags llamaref -o "$out.tmp" ./integration/ollama/llamaref) >&2
mv "$out.tmp" "$out"
echo "$out"
