#!/bin/sh
# make bazel: the Bazel build of runsc-ai, from a fresh machine, idempotently.
#  1. installs Debian's Bazel 4.2.3 and rule packages if missing;
#  2. bazel build //... — rules_go and Gazelle come from the Go module proxy,
#     patched (WORKSPACE); every module at go.mod's version;
#  3. checks that //runsc-ai says the same --version and --help as make
#     build's binary ($RUNSC_AI_BIN), and copies both binaries to bin/bazel/;
#  4. bazel test //... (the unit tests), then lists the tests tagged
#     runsc_ai_host that it left out, and how to run them;
#  5. builds the static arm64 runsc-ai and shim (--platforms) and runs
#     runsc-ai --version under qemu-aarch64.
# Bazel's state lives under $RUNSC_AI_CACHE/bazel (output bases, a disk cache
# shared by every clone, the repository cache). Run from the repository root.
set -eu
cache=${RUNSC_AI_CACHE:-/var/cache/runsc-ai}
ref=${RUNSC_AI_BIN:-bin/runsc-ai}

pkgs="bazel-bootstrap bazel-skylib bazel-platforms bazel-rules-java bazel-rules-proto"
missing=""
for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
	echo "apt-get install$missing" >&2
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

# Output bases of clones that no longer exist (CI clones to fresh paths).
root="$cache/bazel/root"
mkdir -p "$root"
for ob in "$root"/*/; do
	ws=$(cat "$ob/DO_NOT_BUILD_HERE" 2>/dev/null || true)
	if [ -n "$ws" ] && [ ! -d "$ws" ]; then
		echo "removing the Bazel output base of $ws (gone)" >&2
		chmod -R u+w "$ob" && rm -rf "$ob"
	fi
done

startup="--output_user_root=$root --max_idle_secs=600"
common="--disk_cache=$cache/bazel/disk --repository_cache=$cache/bazel/repos --curses=no --color=no --show_progress_rate_limit=60"
bz() { cmd=$1; shift; bazel $startup "$cmd" $common "$@"; }
trap 'bazel $startup shutdown' EXIT

start=$(date +%s)
bz build //...
echo "bazel build //...: $(($(date +%s) - start)) s" >&2

out=bin/bazel
mkdir -p "$out"
bin=$(bazel $startup info $common bazel-bin 2>/dev/null)
install -m 0755 "$bin/runsc-ai/runsc-ai_/runsc-ai" "$out/runsc-ai"
install -m 0755 "$bin/integration/containerd/cmd/containerd-shim-runsc-ai-v1/containerd-shim-runsc-ai-v1_/containerd-shim-runsc-ai-v1" "$out/containerd-shim-runsc-ai-v1"
file "$out/runsc-ai" | grep -q "statically linked" || { echo "$out/runsc-ai is not static: $(file "$out/runsc-ai")" >&2; exit 1; }
if [ -x "$ref" ]; then
	for args in --version --help; do
		if ! "$out/runsc-ai" $args >"$out/bazel.out" 2>&1 || ! "$ref" $args >"$out/make.out" 2>&1 ||
			! diff -u "$out/make.out" "$out/bazel.out"; then
			echo "the Bazel runsc-ai's $args differs from make build's ($ref)" >&2
			exit 1
		fi
	done
	rm -f "$out/bazel.out" "$out/make.out"
	echo "$out/runsc-ai: static; --version and --help the same as $ref" >&2
else
	echo "no make build binary at $ref: --version/--help not compared (make bazel builds it)" >&2
fi

# Test results are not taken from the disk cache: every run runs them.
start=$(date +%s)
bz test --nocache_test_results //...
echo "bazel test //...: $(($(date +%s) - start)) s" >&2
echo "left out of bazel test //... (tag runsc_ai_host; make test runs them, or bazel test --config=host TARGET on a prepared machine):" >&2
bazel $startup query --output=label 'attr(tags, "runsc_ai_host", tests(//...))' 2>/dev/null | sed 's/^/  /' >&2

start=$(date +%s)
bz build --platforms=@io_bazel_rules_go//go/toolchain:linux_arm64 \
	//runsc-ai //integration/containerd/cmd/containerd-shim-runsc-ai-v1
echo "bazel build --platforms=linux_arm64: $(($(date +%s) - start)) s" >&2
bin=$(bazel $startup info $common --platforms=@io_bazel_rules_go//go/toolchain:linux_arm64 bazel-bin 2>/dev/null)
install -m 0755 "$bin/runsc-ai/runsc-ai_/runsc-ai" "$out/runsc-ai-arm64"
install -m 0755 "$bin/integration/containerd/cmd/containerd-shim-runsc-ai-v1/containerd-shim-runsc-ai-v1_/containerd-shim-runsc-ai-v1" "$out/containerd-shim-runsc-ai-v1-arm64"
kind=$(file "$out/runsc-ai-arm64")
case "$kind" in
*aarch64*"statically linked"*) ;;
*) echo "$out/runsc-ai-arm64 is not a static arm64 binary: $kind" >&2; exit 1 ;;
esac
if command -v qemu-aarch64-static >/dev/null; then
	qemu-aarch64-static "$out/runsc-ai-arm64" --version >"$out/arm64.out"
	"$out/runsc-ai" --version | diff -u - "$out/arm64.out"
	rm -f "$out/arm64.out"
	echo "$out/runsc-ai-arm64: static aarch64; --version under qemu-aarch64 the same" >&2
fi
