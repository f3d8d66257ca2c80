#!/bin/sh
# Builds a minimal container root filesystem from Debian's busybox-static:
#   integration/mkrootfs.sh DIR
# Idempotent: an existing complete rootfs is left as it is.
set -eu
dir=${1:?usage: mkrootfs.sh DIR}
bb=/bin/busybox
if [ -x "$dir/bin/busybox" ] && [ -e "$dir/.complete" ]; then
	exit 0
fi
if ! "$bb" --list >/dev/null 2>&1 || ! file -L "$bb" 2>/dev/null | grep -q 'statically linked'; then
	echo "mkrootfs: need a static $bb (apt-get install busybox-static)" >&2
	exit 1
fi
mkdir -p "$dir/bin" "$dir/proc" "$dir/sys" "$dir/dev" "$dir/tmp" "$dir/etc" "$dir/root"
cp "$bb" "$dir/bin/busybox"
for applet in $("$bb" --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' > "$dir/etc/passwd"
echo 'root:x:0:' > "$dir/etc/group"
touch "$dir/.complete"
