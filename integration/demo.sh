#!/bin/sh
# `make run`: runs a small workload in a real gVisor sandbox with runsc-ai and
# prints what it ran and the host facts; then the live loop: a CPU-bound
# sandbox with a 256 MiB limit under a runsc-ai agent (embedded policy), and
# what the agent changed and why.
#   integration/demo.sh RUNSC_AI ROOTFS
set -eu
bin=${1:?usage: demo.sh RUNSC_AI ROOTFS}
rootfs=$(cd "${2:?usage: demo.sh RUNSC_AI ROOTFS}" && pwd)
bundle=$(mktemp -d)
state=$(mktemp -d)
id=demo-$$
live=$state/live
cg=/runsc-ai-demo-$$
agent=
cleanup() {
	rc=$?
	set +e
	"$bin" --root="$state" delete --force "$id" >/dev/null 2>&1 || true
	"$bin" --root="$live/root" --ai-run="$live/run" --ai-state="$live/state" delete --force "$id-live" >/dev/null 2>&1 || true
	[ -n "$agent" ] && kill "$agent" 2>/dev/null && wait "$agent" 2>/dev/null
	while umount -l "$state/null-netns" 2>/dev/null; do :; done
	while umount -l "$live/root/null-netns" 2>/dev/null; do :; done
	for d in /sys/fs/cgroup/*/"$cg" /sys/fs/cgroup/"$cg"; do
		[ -d "$d" ] && { rmdir "$d"/hog 2>/dev/null; rmdir "$d" 2>/dev/null; }
	done
	rm -rf "$bundle" "$state"
	exit $rc
}
trap cleanup EXIT

workload='echo "hello from $(uname -n), kernel: $(cat /proc/version)"
echo "cpus: $(nproc)  memory: $(grep MemTotal /proc/meminfo)"
dmesg | head -n 3
i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; echo "counted to $i"
sha256sum /bin/busybox
exit 0'

echo "== host facts (runsc-ai host)"
"$bin" host
echo
"$bin" spec --bundle "$bundle" -- /bin/sh -c "$workload"
# runsc's starter spec asks for a terminal and a ./rootfs; use ours.
sed -i -e 's/"terminal": true/"terminal": false/' \
       -e "s#\"path\": \"rootfs\"#\"path\": \"$rootfs\"#" "$bundle/config.json"
echo "== running in a gVisor sandbox: $bin --platform=systrap --network=none run $id"
echo "   workload: /bin/sh -c <<"
echo "$workload" | sed 's/^/     /'
echo "   >>"
start=$(date +%s%N)
set +e
"$bin" --root="$state" --platform=systrap --network=none run --bundle "$bundle" "$id"
rc=$?
set -e
echo "== sandbox exited with status $rc after $(( ($(date +%s%N) - start) / 1000000 )) ms"
[ $rc -eq 0 ] || exit $rc

echo
echo "== the live loop: runsc-ai agent + a CPU-bound sandbox with a 256 MiB limit (cgroup $cg/hog)"
if [ "$(id -u)" != 0 ] || [ ! -w /sys/fs/cgroup ]; then
	echo "   skipped: needs root and a writable /sys/fs/cgroup"
	exit 0
fi
mkdir -p "$live/b"
"$bin" spec --bundle "$live/b" -- /bin/sh -c 'while :; do :; done'
sed -i -e 's/"terminal": true/"terminal": false/' \
       -e "s#\"path\": \"rootfs\"#\"path\": \"$rootfs\"#" \
       -e "s#\"linux\": {#\"linux\": {\"cgroupsPath\": \"$cg/hog\", \"resources\": {\"memory\": {\"limit\": 268435456}},#" "$live/b/config.json"
ai="--root=$live/root --ai-run=$live/run --ai-state=$live/state"
"$bin" --ai-run="$live/run" --ai-state="$live/state" agent --metrics= --backend=embedded >"$live/agent.log" 2>&1 &
agent=$!
"$bin" $ai --platform=systrap --network=none create --bundle "$live/b" "$id-live"
"$bin" $ai start "$id-live"
echo "   running for 8 s (the default policy waits for 3 windows of evidence) ..."
sleep 8
"$bin" --ai-run="$live/run" agent status | sed 's/^/   /'
echo
"$bin" $ai explain "$id-live" | sed -n '/^live decisions/,$p' | sed 's/^/   /'
exit 0
