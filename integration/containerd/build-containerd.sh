#!/bin/sh
# Builds containerd and ctr 2.x from the github.com/containerd/containerd/v2
# Go module (no release download), once, into $RUNSC_AI_CACHE, and prints
# the directory holding them. Debian ships only containerd 1.6; the tests
# run the shim against both. About 3 minutes cold on 2 cores.
set -eu
V=${CONTAINERD_VERSION:-v2.4.2}
CACHE=${RUNSC_AI_CACHE:-/var/cache/runsc-ai}
OUT=$CACHE/containerd-$V
if [ -x "$OUT/containerd" ] && [ -x "$OUT/ctr" ]; then echo "$OUT"; exit 0; fi
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
cat > go.mod <<MOD
module cbuild
go 1.24
require github.com/containerd/containerd/v2 $V
MOD
cat > main.go <<'GO'
package main

import (
	_ "github.com/containerd/containerd/v2/cmd/containerd/command"
	_ "github.com/containerd/containerd/v2/cmd/ctr/app"
)

func main() {}
GO
GOFLAGS=-mod=mod go mod tidy >&2
mkdir -p "$OUT"
for cmd in containerd ctr; do
	CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -tags "no_btrfs no_devmapper no_zfs" \
		-ldflags "-X github.com/containerd/containerd/v2/version.Version=$V" \
		-o "$OUT/$cmd.tmp" "github.com/containerd/containerd/v2/cmd/$cmd" >&2
	mv "$OUT/$cmd.tmp" "$OUT/$cmd"
done
echo "$OUT"
