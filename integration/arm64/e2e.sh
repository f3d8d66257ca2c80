#!/bin/sh
# make e2e-arm64: runs runsc-ai's end-to-end tests on an emulated Cortex-A72
# (qemu-system-aarch64, TCG: no KVM needed) with cgroup v2, in one boot per
# kernel configuration:
#   va39      a small kernel with a 39-bit virtual address space like
#             Raspberry Pi OS's (build-kernel.sh), cgroup v2
#   nomemcg   the same kernel with cgroup_disable=memory (Raspberry Pi OS's
#             default unless cgroup_enable=memory cgroup_memory=1 is set)
#   va48      Debian's arm64 kernel (48-bit virtual addresses), cgroup v2
# Usage: integration/arm64/e2e.sh [BOOT...]   (default: every boot)
# Needs root for apt; everything downloaded or built is cached under
# $RUNSC_AI_CACHE (default /var/cache/runsc-ai). Prints one line per test
# package and boot, and the boot's time; fails if any test fails.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${RUNSC_AI_CACHE:-/var/cache/runsc-ai}/arm64-e2e
work=${E2E_ARM64_WORK:-$repo/bin/arm64-e2e}
boots=${*:-va39 nomemcg va48}
mkdir -p "$cache" "$work"

# Host tools (idempotent): the emulator, and arm64 packages from Debian.
if ! command -v qemu-system-aarch64 >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-system-arm >/dev/null
fi
# Debian's newest arm64 6.1 kernel image, once (then the cached one).
vmlinuz=$(ls "$cache"/vmlinuz-* 2>/dev/null | tail -1)
if [ -z "$vmlinuz" ] || [ ! -x "$cache/busybox" ]; then
	dpkg --print-foreign-architectures | grep -qx arm64 || { dpkg --add-architecture arm64; apt-get update -qq; }
	kpkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-arm64$' | cut -d' ' -f1 | sort -V | tail -1)
	[ -n "$kpkg" ] || { echo "e2e-arm64: no linux-image-6.1.0-*-arm64 in the apt lists" >&2; exit 1; }
	d=$(mktemp -d)
	(cd "$d" && apt-get download -qq "$kpkg:arm64" busybox-static:arm64 2>/dev/null)
	dpkg-deb -x "$d"/linux-image-*.deb "$d/k"
	dpkg-deb -x "$d"/busybox-static_*.deb "$d/bb"
	cp "$d"/k/boot/vmlinuz-* "$cache/"
	cp "$d/bb/bin/busybox" "$cache/busybox"
	rm -rf "$d"
	vmlinuz=$(ls "$cache"/vmlinuz-* | tail -1)
fi

# The arm64 binaries: runsc-ai, runsc (the tests' reference), the shim, and
# the test packages, all static.
export GOARCH=arm64 CGO_ENABLED=0
root="$work/initramfs"
rm -rf "$root"
mkdir -p "$root/bin" "$root/e2e" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/newroot"
(cd "$repo"
	go build -trimpath -o "$root/e2e/runsc-ai" ./runsc-ai
	go build -trimpath -o "$root/e2e/runsc" gvisor.dev/gvisor/runsc
	go build -trimpath -o "$root/e2e/containerd-shim-runsc-ai-v1" ./integration/containerd/cmd/containerd-shim-runsc-ai-v1
	for p in $(cut -d' ' -f1 "$here"/packages* | sort -u); do
		go test -c -o "$root/e2e/$(echo "$p" | tr / _).test" "./$p"
	done
)
unset GOARCH CGO_ENABLED
cp "$cache/busybox" "$root/bin/busybox"
cp "$here/init" "$root/init"
cp "$here"/packages* "$root/e2e/"
echo "$repo" > "$root/e2e/repo"
chmod 755 "$root/init"
# The containers' root filesystem: the arm64 busybox with its applets.
sh "$repo/integration/mkrootfs.sh" "$root/e2e/rootfs" "$cache/busybox"
# The tests read a few repository files (policies, host fixtures) by the
# path they were built at: the same path, inside the guest.
mkdir -p "$root/$repo"
(cd "$repo" && tar cf - policies/default.yaml platform/host/testdata) | (cd "$root/$repo" && tar xf -)
(cd "$root" && find . | /bin/busybox cpio -o -H newc 2>/dev/null | gzip -1 > "$work/initramfs.cpio.gz")

status=0
for boot in $boots; do
	case $boot in
	va39) kernel=$(sh "$here/build-kernel.sh"); extra= ;;
	nomemcg) kernel=$(sh "$here/build-kernel.sh"); extra=cgroup_disable=memory ;;
	va48) kernel=$vmlinuz; extra= ;;
	*) echo "e2e-arm64: unknown boot $boot (va39, nomemcg, va48)" >&2; exit 2 ;;
	esac
	log=$work/console-$boot.log
	rm -f "$log"
	start=$(date +%s)
	timeout 1800 qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2 -m 4096 -nographic -nic none -no-reboot \
		-kernel "$kernel" -initrd "$work/initramfs.cpio.gz" \
		-append "console=ttyAMA0 rdinit=/init panic=-1 quiet e2e.boot=$boot $extra" >"$log" 2>&1 || true
	took=$(( $(date +%s) - start ))
	tr -d '\r' < "$log" | grep -a '^E2E ' | sed "s/^E2E /$boot: /" || true
	if ! tr -d '\r' < "$log" | grep -aq '^E2E done'; then
		echo "$boot: the guest did not finish (see $log)"; status=1
	fi
	if tr -d '\r' < "$log" | grep -aq '^E2E .* FAIL'; then
		status=1
	fi
	echo "$boot: boot to power-off ${took}s (console: $log)"
done
exit $status
