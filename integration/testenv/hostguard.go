package testenv

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// guardedSysctls are the host settings container daemons are known to change
// here: dockerd (forwarding, bridge netfilter) and kubelet (overcommit,
// panic, keys).
var guardedSysctls = []string{
	"net/ipv4/ip_forward",
	"net/ipv6/conf/all/forwarding",
	"net/ipv4/conf/all/route_localnet",
	"net/bridge/bridge-nf-call-iptables",
	"net/bridge/bridge-nf-call-ip6tables",
	"vm/overcommit_memory",
	"vm/panic_on_oom",
	"kernel/panic",
	"kernel/panic_on_oops",
	"kernel/keys/root_maxkeys",
	"kernel/keys/root_maxbytes",
}

// HostGuard records host state a daemon under test may change and puts it
// back when the test ends: the sysctls above, iptables rules, network links,
// mounts below the test's private directories and cgroups created under the
// given names. What it had to restore is logged; what it could not is an
// error.
type HostGuard struct {
	sysctls  map[string]string
	iptables map[string][]byte // binary -> iptables-save output
	links    map[string]bool
	dirs     []string
	cgroups  []string
	existed  map[string]bool // cgroup dirs present before the test
}

// GuardHost snapshots the host now and restores it at cleanup. dirs are the
// test's private directories (anything mounted below them is unmounted);
// cgroupNames are top-level cgroup names the daemons were told to use.
func GuardHost(t testing.TB, dirs, cgroupNames []string) *HostGuard {
	t.Helper()
	g := &HostGuard{sysctls: map[string]string{}, iptables: map[string][]byte{}, dirs: dirs, cgroups: cgroupNames, existed: map[string]bool{}}
	for _, k := range guardedSysctls {
		if b, err := os.ReadFile("/proc/sys/" + k); err == nil {
			g.sysctls[k] = strings.TrimSpace(string(b))
		}
	}
	for _, bin := range []string{"iptables-save", "ip6tables-save"} {
		if out, err := exec.Command(bin).Output(); err == nil {
			g.iptables[bin] = stripComments(out)
		}
	}
	g.links = linkNames()
	for _, d := range g.cgroupDirs() {
		if _, err := os.Stat(d); err == nil {
			g.existed[d] = true
		}
	}
	t.Cleanup(func() { g.restore(t) })
	return g
}

func (g *HostGuard) restore(t testing.TB) {
	for _, d := range g.dirs {
		for _, m := range mountsBelow(d) {
			if err := unix.Unmount(m, unix.MNT_DETACH); err == nil {
				t.Logf("host guard: unmounted %s", m)
			}
		}
	}
	for k, v := range g.sysctls {
		b, err := os.ReadFile("/proc/sys/" + k)
		if err != nil || strings.TrimSpace(string(b)) == v {
			continue
		}
		if err := os.WriteFile("/proc/sys/"+k, []byte(v), 0o644); err != nil {
			t.Errorf("host guard: cannot restore %s=%s (now %s): %v", k, v, strings.TrimSpace(string(b)), err)
			continue
		}
		t.Logf("host guard: restored %s=%s (was changed to %s)", strings.ReplaceAll(k, "/", "."), v, strings.TrimSpace(string(b)))
	}
	for bin, before := range g.iptables {
		out, err := exec.Command(bin).Output()
		if err != nil || bytes.Equal(stripComments(out), before) {
			continue
		}
		restore := strings.Replace(bin, "-save", "-restore", 1)
		cmd := exec.Command(restore)
		cmd.Stdin = bytes.NewReader(before)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("host guard: %s: %v: %s", restore, err, out)
			continue
		}
		t.Logf("host guard: %s put the rules back as they were", restore)
	}
	for name := range linkNames() {
		if g.links[name] {
			continue
		}
		if out, err := exec.Command("ip", "link", "delete", name).CombinedOutput(); err != nil {
			t.Errorf("host guard: new link %s not deleted: %v: %s", name, err, out)
			continue
		}
		t.Logf("host guard: deleted link %s", name)
	}
	dirs := g.cgroupDirs()
	// Deepest first: a cgroup is removed only once its children are.
	sort.Slice(dirs, func(i, j int) bool { return len(dirs[i]) > len(dirs[j]) })
	for _, d := range dirs {
		if g.existed[d] {
			continue
		}
		removeCgroupTree(t, d)
	}
}

func (g *HostGuard) cgroupDirs() []string {
	var dirs []string
	for _, name := range g.cgroups {
		matches, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", strings.TrimPrefix(name, "/")))
		dirs = append(dirs, matches...)
		if _, err := os.Stat(filepath.Join("/sys/fs/cgroup/cgroup.controllers")); err == nil {
			dirs = append(dirs, filepath.Join("/sys/fs/cgroup", strings.TrimPrefix(name, "/")))
		}
	}
	return dirs
}

// removeCgroupTree removes an (empty of tasks) cgroup and its children.
func removeCgroupTree(t testing.TB, dir string) {
	var sub []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			sub = append(sub, p)
		}
		return nil
	})
	for i := len(sub) - 1; i >= 0; i-- {
		if err := os.Remove(sub[i]); err != nil && !os.IsNotExist(err) {
			t.Errorf("host guard: cgroup %s left behind: %v", sub[i], err)
		} else if err == nil {
			t.Logf("host guard: removed cgroup %s", sub[i])
		}
	}
}

func linkNames() map[string]bool {
	names := map[string]bool{}
	entries, _ := os.ReadDir("/sys/class/net")
	for _, e := range entries {
		names[e.Name()] = true
	}
	return names
}

// mountsBelow lists mount points under dir, deepest first.
func mountsBelow(dir string) []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	var ms []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) > 4 && (fields[4] == dir || strings.HasPrefix(fields[4], dir+"/")) {
			ms = append(ms, fields[4])
		}
	}
	sort.Slice(ms, func(i, j int) bool { return len(ms[i]) > len(ms[j]) })
	return ms
}

// stripComments drops iptables-save's "# Generated ... on <date>" lines and
// packet counters, which change without any rule changing.
func stripComments(b []byte) []byte {
	var out bytes.Buffer
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, ":") { // ":CHAIN POLICY [pkts:bytes]"
			if i := strings.LastIndex(line, " ["); i > 0 {
				line = line[:i]
			}
		}
		out.WriteString(line + "\n")
	}
	return out.Bytes()
}

// KillMatching SIGKILLs every process whose command line contains substr:
// daemons' detached children (shims, sandboxes) that a failed test left. A
// containerd shim's socket (named in the "address" file of its working
// directory, the bundle) is removed too. It reports how many it killed.
func KillMatching(substr string) int {
	n := 0
	self := os.Getpid()
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(b, []byte(substr)) {
			continue
		}
		addr, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cwd", "address"))
		if unix.Kill(pid, unix.SIGKILL) == nil {
			n++
		}
		if sock, ok := strings.CutPrefix(strings.TrimSpace(string(addr)), "unix://"); ok && strings.HasPrefix(sock, "/run/containerd/s/") {
			os.Remove(sock)
		}
	}
	return n
}

// RemoveNewEntries removes, at cleanup, the entries of dir that were not
// there now. Only for directories no other test writes to concurrently
// (ctr's FIFOs, kubelet's log links and device-plugin socket).
func RemoveNewEntries(t testing.TB, dir string) {
	before := map[string]bool{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		before[e.Name()] = true
	}
	t.Cleanup(func() {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !before[e.Name()] && os.RemoveAll(filepath.Join(dir, e.Name())) == nil {
				t.Logf("host guard: removed %s", filepath.Join(dir, e.Name()))
			}
		}
	})
}

// RemoveIfNew removes, at cleanup, each of paths that did not exist now and
// is empty then (daemons' hard-coded directories such as /run/containerd).
// List parents first: children are removed first.
func RemoveIfNew(t testing.TB, paths ...string) {
	for _, p := range paths {
		p := p
		if _, err := os.Lstat(p); err == nil {
			continue
		}
		t.Cleanup(func() {
			if os.Remove(p) == nil {
				t.Logf("host guard: removed %s", p)
			}
		})
	}
}

// SerializeDaemons makes the tests that start container daemons (dockerd,
// containerd, kubelet) run one at a time across test packages: they share
// hard-coded host directories (/run/containerd/s, ...) that each removes
// when it created them. Call it first; the lock is released last.
func SerializeDaemons(t testing.TB) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "runsc-ai-daemon-tests.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() }) // closing releases the lock
}
