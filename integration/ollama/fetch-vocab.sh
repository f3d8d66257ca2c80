#!/bin/sh
# Fetches the 32,000-piece SentencePiece vocabulary the engine's tests use
# (npm package @lenml/llama2-tokenizer-vocab-llama2) once, and caches it:
#   integration/ollama/fetch-vocab.sh     prints the path of its dist/main.js
set -eu
pkg=@lenml/llama2-tokenizer-vocab-llama2
version=${VOCAB_VERSION:-1.1.1}
cache=${RUNSC_AI_CACHE:-/var/cache/runsc-ai}
out="$cache/vocab-$version/package/dist/main.js"
if [ -f "$out" ]; then
	echo "$out"
	exit 0
fi
command -v npm >/dev/null 2>&1 || {
	echo "apt-get install npm" >&2
	apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >&2
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null)
mkdir -p "$cache/vocab-$version"
tar xzf "$tmp"/*.tgz -C "$cache/vocab-$version"
echo "$out"
