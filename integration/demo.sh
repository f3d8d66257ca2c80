#!/bin/sh
# `make run`: runs a small workload in a real gVisor sandbox with runsc-ai and
# prints what it ran and the host facts.
#   integration/demo.sh RUNSC_AI ROOTFS
set -eu
bin=${1:?usage: demo.sh RUNSC_AI ROOTFS}
rootfs=$(cd "${2:?usage: demo.sh RUNSC_AI ROOTFS}" && pwd)
bundle=$(mktemp -d)
state=$(mktemp -d)
id=demo-$$
cleanup() {
	"$bin" --root="$state" delete --force "$id" >/dev/null 2>&1 || true
	while umount -l "$state/null-netns" 2>/dev/null; do :; done
	rm -rf "$bundle" "$state"
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
exit $rc
