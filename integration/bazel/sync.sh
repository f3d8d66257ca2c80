#!/bin/sh
# Keeps the Bazel files true to the Go tree:
#   integration/bazel/sync.sh           regenerate deps.bzl (from go.mod) and every BUILD.bazel
#   integration/bazel/sync.sh --check   fail, showing the difference, if either is stale
# Run from the repository root (make bazel-gazelle, make check).
set -eu
gazelle=$(sh integration/bazel/gazelle.sh)
repos_flags="-from_file=go.mod -to_macro=deps.bzl%go_dependencies -prune -build_file_proto_mode=disable_global"
if [ "${1:-}" != "--check" ]; then
	$gazelle update-repos $repos_flags
	$gazelle -repo_root .
	exit 0
fi
stale=0
if ! $gazelle -repo_root . -mode diff; then
	echo "BUILD.bazel files do not match the Go sources: run make bazel-gazelle" >&2
	stale=1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp WORKSPACE go.mod go.sum deps.bzl "$tmp/"
(cd "$tmp" && $gazelle update-repos $repos_flags)
if ! diff -u deps.bzl "$tmp/deps.bzl"; then
	echo "deps.bzl does not match go.mod: run make bazel-gazelle" >&2
	stale=1
fi
exit $stale
