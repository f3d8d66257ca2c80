#!/bin/sh
# Builds a minimal container root filesystem from Debian's busybox-static:
#   integration/mkrootfs.sh DIR [BUSYBOX]
# BUSYBOX (default /bin/busybox) may be another architecture's (make
# e2e-arm64's); its applets are then listed under qemu-aarch64-static.
# Idempotent: an existing complete rootfs is left as it is.
set -eu
dir=${1:?usage: mkrootfs.sh DIR [BUSYBOX]}
bb=${2:-/bin/busybox}
if [ -x "$dir/bin/busybox" ] && [ -e "$dir/.complete" ]; then
	exit 0
fi
applets=$("$bb" --list 2>/dev/null || qemu-aarch64-static "$bb" --list 2>/dev/null) || applets=
if [ -z "$applets" ] || ! file -L "$bb" 2>/dev/null | grep -q 'statically linked'; then
	echo "mkrootfs: need a static $bb (apt-get install busybox-static)" >&2
	exit 1
fi
mkdir -p "$dir/bin" "$dir/proc" "$dir/sys" "$dir/dev" "$dir/tmp" "$dir/etc" "$dir/root"
cp "$bb" "$dir/bin/busybox"
for applet in $applets; do
	[ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' > "$dir/etc/passwd"
echo 'root:x:0:' > "$dir/etc/group"
touch "$dir/.complete"
