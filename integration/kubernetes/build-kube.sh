#!/bin/sh
# Builds Kubernetes components from the k8s.io/kubernetes Go module (no
# download of release binaries), once each, into $RUNSC_AI_CACHE, and prints
# their paths, one per line:
#   build-kube.sh kube-apiserver [kubelet kube-controller-manager kube-scheduler]
# kube-apiserver takes about 9 minutes cold on 2 cores, the others about as
# long together (they share the build cache); instant when cached. The
# module's staging packages are replaced with their published versions
# (v0.X.Y for v1.X.Y).
set -eu
V=${KUBE_VERSION:-v1.34.3}
CACHE=${RUNSC_AI_CACHE:-/var/cache/runsc-ai}
[ $# -gt 0 ] || { echo "usage: build-kube.sh COMPONENT..." >&2; exit 2; }
missing=""
for c in "$@"; do
	case $c in
	kube-apiserver | kubelet | kube-controller-manager | kube-scheduler) ;;
	*) echo "build-kube.sh: unknown component $c" >&2; exit 2 ;;
	esac
	[ -x "$CACHE/kube-$V/$c" ] || missing="$missing $c"
done
if [ -n "$missing" ]; then
	W=$(mktemp -d)
	trap 'rm -rf "$W"' EXIT
	cd "$W"
	go mod init kbuild >/dev/null 2>&1
	DIR=$(go mod download -json "k8s.io/kubernetes@$V" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')
	SV="v0.${V#v1.}"
	{
		echo "module kbuild"
		echo "go 1.24"
		echo "require k8s.io/kubernetes $V"
		grep -E '^[[:space:]]*k8s.io/[a-z0-9-]+ => \./staging' "$DIR/go.mod" | awk -v sv="$SV" '{print "replace " $1 " => " $1 " " sv}'
	} > go.mod
	{
		echo "package main"
		echo "import ("
		for c in $missing; do echo "	_ \"k8s.io/kubernetes/cmd/$c/app\""; done
		echo ")"
		echo "func main() {}"
	} > main.go
	GOFLAGS=-mod=mod go mod tidy >&2
	mkdir -p "$CACHE/kube-$V"
	for c in $missing; do
		CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -o "$CACHE/kube-$V/$c.tmp" "k8s.io/kubernetes/cmd/$c" >&2
		mv "$CACHE/kube-$V/$c.tmp" "$CACHE/kube-$V/$c"
	done
fi
for c in "$@"; do echo "$CACHE/kube-$V/$c"; done
