#!/bin/sh
# Builds llamaref (the in-process engine's oracle: llama.cpp through the
# ollama module's cgo bindings, see llamaref/main.go) once per source
# version, and caches it:
#   integration/ollama/build-llamaref.sh     prints the path of the binary
# llama.cpp's missing vendor headers: see llamacpp-deps.sh.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
version=${OLLAMA_VERSION:-v0.17.4}
cache=${RUNSC_AI_CACHE:-/var/cache/runsc-ai}
sum=$(cat "$here/llamaref/main.go" "$here/build-llamaref.sh" | sha256sum | cut -c1-12)
out="$cache/llamaref-$version-$sum/llamaref"
if [ -x "$out" ]; then
	echo "$out"
	exit 0
fi
flags=$(sh "$here/llamacpp-deps.sh")
echo "building llamaref (llama.cpp through ollama $version; about 10 minutes on 2 cores)..." >&2
mkdir -p "$(dirname "$out")"
(cd "$here/../.." && CGO_ENABLED=1 CGO_CPPFLAGS="$flags" \
	go build -trimpath -tags llamaref -o "$out.tmp" ./integration/ollama/llamaref) >&2
mv "$out.tmp" "$out"
echo "$out"
