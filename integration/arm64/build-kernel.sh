#!/bin/sh
# Builds (once, cached) the small arm64 kernel of make e2e-arm64's
# Raspberry-Pi-like boot: Debian's linux-source-6.1, tinyconfig plus
# kernel-va39.config, cross-compiled with Debian's gcc-aarch64-linux-gnu
# (~5 min on 2 cores). Prints the Image's path.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${RUNSC_AI_CACHE:-/var/cache/runsc-ai}/arm64-e2e
sum=$(sha256sum "$here/kernel-va39.config" | cut -c1-12)
out=$cache/Image-va39-$sum
if [ -f "$out" ]; then echo "$out"; exit 0; fi
need=
for p in linux-source-6.1 gcc-aarch64-linux-gnu gcc make flex bison bc xz-utils; do
	dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >&2
fi
src=$cache/linux-src
if [ ! -f "$src/Makefile" ]; then
	rm -rf "$src" && mkdir -p "$src"
	tar -xf /usr/src/linux-source-6.1.tar.xz -C "$src" --strip-components=1
fi
b=$cache/linux-build-va39
mkdir -p "$b"
mk() { make -s -C "$src" O="$b" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- "$@" >&2; }
mk tinyconfig
"$src/scripts/kconfig/merge_config.sh" -m -O "$b" "$b/.config" "$here/kernel-va39.config" >/dev/null
mk olddefconfig
# Every option asked for must have survived (a missing dependency drops one).
missing=$(grep '^CONFIG_' "$here/kernel-va39.config" | while read -r l; do grep -qx "$l" "$b/.config" || echo "$l"; done)
if [ -n "$missing" ]; then
	echo "build-kernel: options dropped by kconfig: $missing" >&2
	exit 1
fi
mk -j"$(nproc)" Image
cp "$b/arch/arm64/boot/Image" "$out"
echo "$out"
