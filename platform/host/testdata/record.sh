#!/bin/sh
# Records the files platform/host reads into a fixture tree:
#   sh record.sh DIR      (run on the host to record, e.g. a Raspberry Pi)
# Serial numbers are masked; nothing else is changed.
set -eu
out=${1:?usage: record.sh DIR}
for f in /proc/cpuinfo /proc/meminfo /proc/self/mounts /proc/sys/kernel/arch \
         /proc/sys/kernel/osrelease /proc/stat /proc/pressure/cpu /proc/pressure/memory \
         /proc/pressure/io /sys/devices/system/cpu/online /proc/device-tree/model; do
	[ -r "$f" ] || continue
	mkdir -p "$out$(dirname "$f")"
	cat "$f" > "$out$f" 2>/dev/null || rm -f "$out$f"
done
sed -i 's/^\(Serial[[:space:]]*:\).*/\1 0000000000000000/' "$out/proc/cpuinfo"
for m in $(awk '$3=="cgroup2"{print $2}' /proc/self/mounts); do
	mkdir -p "$out$m" && cat "$m/cgroup.controllers" > "$out$m/cgroup.controllers"
done
for z in /sys/class/thermal/thermal_zone*; do
	[ -r "$z/temp" ] || continue
	mkdir -p "$out$z" && cat "$z/temp" > "$out$z/temp" && cat "$z/type" > "$out$z/type" 2>/dev/null || true
done
fw=/sys/devices/platform/soc/soc:firmware/get_throttled
if [ -r "$fw" ]; then
	mkdir -p "$out$(dirname "$fw")" && cat "$fw" > "$out$fw"
fi
mkdir -p "$out/dev"
[ -e /dev/kvm ] && : > "$out/dev/kvm"
echo "recorded into $out"
