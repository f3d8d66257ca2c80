#!/bin/sh
# What compiling llama.cpp from the ollama module needs (module zips drop its
# vendor/ headers): nlohmann-json and stb from Debian, miniaudio.h from the
# github.com/gen2brain/malgo module, put in a fixed include directory (so the
# cgo compile of llama.cpp is cached across builds). Prints CGO_CPPFLAGS.
set -eu
malgo=${MALGO_VERSION:-v0.11.24}
cache=${RUNSC_AI_CACHE:-/var/cache/runsc-ai}
missing=""
for p in nlohmann-json3-dev libstb-dev g++; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "apt-get install$missing" >&2
	apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2
fi
inc="$cache/include"
if [ ! -f "$inc/miniaudio/miniaudio.h" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	malgo_dir=$(cd "$tmp" && GOFLAGS=-mod=mod go mod download -json "github.com/gen2brain/malgo@$malgo" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	mkdir -p "$inc/miniaudio"
	cp "$malgo_dir/miniaudio.h" "$inc/miniaudio/miniaudio.h.tmp"
	mv "$inc/miniaudio/miniaudio.h.tmp" "$inc/miniaudio/miniaudio.h"
fi
echo "-I$inc -I/usr/include/stb"
