package cgroup

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testCgroup makes a real cgroup in every hierarchy of this machine.
func testCgroup(t *testing.T) (string, *Cgroup) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root to make cgroups")
	}
	path := fmt.Sprintf("/runsc-ai-actuator-test-%d", os.Getpid())
	dirs, err := Dirs(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Remove(d) })
	}
	cg, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, cg
}

func raw(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// hasMemory: the cgroup has the memory controller (not on a kernel booted
// with cgroup_disable=memory, where memory knobs are refused instead:
// TestV2WithoutMemoryController).
func hasMemory(cg *Cgroup) bool {
	for _, m := range cg.Missing() {
		if m == "memory" {
			return false
		}
	}
	return true
}

// Apply changes the real files, and Read reads back what was applied.
func TestApplyAndRead(t *testing.T) {
	_, cg := testCgroup(t)
	want := Settings{CPUShares: 512, CPUQuotaUs: 50000, CPUPeriodUs: 100000, MemoryLimit: 256 << 20, MemorySoftLimit: 128 << 20}
	if !hasMemory(cg) {
		if err := cg.Apply(want); !errors.Is(err, ErrUnsupported) {
			t.Errorf("a memory limit without the memory controller: %v", err)
		}
		want.MemoryLimit, want.MemorySoftLimit = 0, 0
	}
	if err := cg.Apply(want); err != nil {
		t.Fatal(err)
	}
	got, err := cg.Read()
	if err != nil {
		t.Fatal(err)
	}
	if cg.V2 == "" {
		if v := raw(t, filepath.Join(cg.V1["cpu"], "cpu.shares")); v != "512" {
			t.Errorf("cpu.shares = %s", v)
		}
		if v := raw(t, filepath.Join(cg.V1["memory"], "memory.limit_in_bytes")); hasMemory(cg) && v != "268435456" {
			t.Errorf("memory.limit_in_bytes = %s", v)
		}
	}
	got.IOWeight = 0
	if got != want {
		t.Errorf("read back %+v, want %+v", got, want)
	}
	// Zero fields are left alone.
	if err := cg.Apply(Settings{CPUShares: 256}); err != nil {
		t.Fatal(err)
	}
	if got, _ := cg.Read(); got.CPUShares != 256 || got.MemoryLimit != want.MemoryLimit {
		t.Errorf("after a shares-only change: %+v", got)
	}
}

// A write the kernel refuses undoes the ones before it.
func TestApplyIsAllOrNothing(t *testing.T) {
	_, cg := testCgroup(t)
	mem := func(v uint64) uint64 {
		if hasMemory(cg) {
			return v
		}
		return 0
	}
	if err := cg.Apply(Settings{CPUShares: 512, MemoryLimit: mem(256 << 20)}); err != nil {
		t.Fatal(err)
	}
	// 500 µs is below the kernel's minimum CFS quota (1 ms): EINVAL, after
	// cpu.shares was already written.
	err := cg.Apply(Settings{CPUShares: 2048, CPUQuotaUs: 500, MemoryLimit: mem(512 << 20)})
	if err == nil || !strings.Contains(err.Error(), "cfs_quota_us") && !strings.Contains(err.Error(), "cpu.max") {
		t.Fatalf("err = %v, want one naming the quota file", err)
	}
	got, _ := cg.Read()
	if got.CPUShares != 512 || got.MemoryLimit != mem(256<<20) {
		t.Errorf("half applied: %+v", got)
	}
}

func TestIOWeightUnsupportedIsClear(t *testing.T) {
	_, cg := testCgroup(t)
	err := cg.Apply(Settings{IOWeight: 500})
	if !hasIOWeight(cg.files()) {
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("err = %v, want ErrUnsupported", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := cg.Read(); got.IOWeight != 500 {
		t.Errorf("io weight %d", got.IOWeight)
	}
}

func TestOpenRejectsBadPaths(t *testing.T) {
	for _, p := range []string{"relative", "/a/../../etc", ""} {
		if _, err := Open(p); err == nil {
			t.Errorf("%q accepted", p)
		}
	}
	if _, err := Open("/runsc-ai-no-such-cgroup"); err == nil {
		t.Error("missing cgroup accepted")
	}
}

// The v2 conversions are runc's; check their fixed points.
func TestV2Conversions(t *testing.T) {
	for _, c := range []struct{ shares, weight uint64 }{{2, 1}, {1024, 39}, {262144, 10000}} {
		if w := sharesToWeight(c.shares); w != c.weight {
			t.Errorf("sharesToWeight(%d) = %d, want %d", c.shares, w, c.weight)
		}
	}
	for _, c := range []struct{ blkio, io uint64 }{{10, 1}, {1000, 10000}, {500, 4950}} {
		if w := blkioToIOWeight(c.blkio); w != c.io {
			t.Errorf("blkioToIOWeight(%d) = %d, want %d", c.blkio, w, c.io)
		}
	}
}

// recordedV2 is a cgroup v2 directory as the kernel lays it out (the files
// the actuators read and write, with a fresh cgroup's contents); the
// writes land in regular files, so what is checked is the encoding and
// the read-back.
func recordedV2(t *testing.T) *Cgroup {
	t.Helper()
	d := t.TempDir()
	for name, v := range map[string]string{
		"cgroup.controllers": "cpuset cpu io memory hugetlb pids rdma misc\n",
		"cpu.weight":         "100\n",
		"cpu.max":            "max 100000\n",
		"memory.max":         "max\n",
		"memory.low":         "0\n",
		"io.weight":          "default 100\n",
	} {
		if err := os.WriteFile(filepath.Join(d, name), []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &Cgroup{V2: d}
}

// Every setting round-trips exactly through a v2 cgroup: what Apply wrote
// reads back as itself, and a value read from a cgroup written elsewhere
// writes back as the same weight (no drift).
func TestV2RoundTripsExactly(t *testing.T) {
	cg := recordedV2(t)
	for shares := uint64(2); shares <= 262144; shares += 1 + shares/50 {
		if err := cg.Apply(Settings{CPUShares: shares}); err != nil {
			t.Fatal(err)
		}
		if got, err := cg.Read(); err != nil || got.CPUShares != shares {
			t.Fatalf("wrote %d shares, read %d (%v)", shares, got.CPUShares, err)
		}
	}
	for b := uint64(10); b <= 1000; b++ {
		cg.Apply(Settings{IOWeight: b})
		if got, _ := cg.Read(); got.IOWeight != b {
			t.Fatalf("wrote blkio weight %d, read %d", b, got.IOWeight)
		}
	}
	for w := uint64(1); w <= 10000; w++ {
		if sharesToWeight(weightToShares(w)) != w {
			t.Fatalf("weight %d reads as %d shares, which write weight %d", w, weightToShares(w), sharesToWeight(weightToShares(w)))
		}
		// blkio has fewer values than io.weight: a read value must at
		// least be stable (write it, read it: the same value).
		if v := ioWeightToBlkio(w); ioWeightToBlkio(blkioToIOWeight(v)) != v {
			t.Fatalf("io weight %d reads as %d, which writes %d and reads %d", w, v, blkioToIOWeight(v), ioWeightToBlkio(blkioToIOWeight(v)))
		}
	}
	// Another agent (or a restart) wrote the floor and the ceiling: read
	// with them known, they come back exactly — 64 is not 55 (below the
	// floor), 1024 is not 999 (a grant that never arrives).
	floor, ceiling := Settings{CPUShares: 64, IOWeight: 10}, Settings{CPUShares: 1024, IOWeight: 500}
	for _, want := range []Settings{floor, ceiling} {
		cg.Apply(want)
		fresh := &Cgroup{V2: cg.V2}
		got, err := fresh.ReadKnown(ceiling, floor)
		if err != nil || got.CPUShares != want.CPUShares || got.IOWeight != want.IOWeight {
			t.Errorf("wrote %+v, a fresh reader got %+v (%v)", want, got, err)
		}
		if plain, _ := fresh.Read(); sharesToWeight(plain.CPUShares) != sharesToWeight(want.CPUShares) {
			t.Errorf("read %d shares for %d: a different weight", plain.CPUShares, want.CPUShares)
		}
	}
	b, _ := os.ReadFile(filepath.Join(cg.V2, "cpu.weight"))
	if strings.TrimSpace(string(b)) != "39" {
		t.Errorf("1024 shares wrote cpu.weight %q, want runc's 39", b)
	}
}

// Usage reads a real workload's CPU time and memory in the cgroup.
func TestUsage(t *testing.T) {
	_, cg := testCgroup(t)
	// The shell waits for a line before it becomes dd, so dd's buffer is
	// allocated (and charged) after the move into the cgroup: v1 does not
	// move charges made before.
	cmd := exec.Command("sh", "-c", "read go; exec dd if=/dev/zero of=/dev/null bs=64M count=60")
	start, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := []byte(strconv.Itoa(cmd.Process.Pid))
	for _, d := range cg.dirs() {
		if err := os.WriteFile(filepath.Join(d, "cgroup.procs"), pid, 0); err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal(err)
		}
	}
	start.Write([]byte("go\n"))
	start.Close()
	// dd's buffer is charged as it is first written: on a loaded machine
	// that takes a while, so sample until it shows (or dd is nearly done).
	var during Usage
	for deadline := time.Now().Add(3 * time.Second); ; {
		time.Sleep(100 * time.Millisecond)
		if during, err = cg.Usage(); err != nil {
			t.Fatal(err)
		}
		if during.WorkingSet() >= 32<<20 || !hasMemory(cg) || time.Now().After(deadline) {
			break
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	after, err := cg.Usage()
	if err != nil {
		t.Fatal(err)
	}
	if during.WorkingSet() < 32<<20 && hasMemory(cg) {
		t.Errorf("working set of a process with a 64 MiB buffer: %d bytes", during.WorkingSet())
	}
	if after.CPU < 50*time.Millisecond || after.CPU < during.CPU {
		t.Errorf("CPU time %v then %v for 3.75 GiB copied", during.CPU, after.CPU)
	}
	if after.MemPressure > 100 || after.IOPressure > 100 {
		t.Errorf("pressure out of range: %+v", after)
	}
}

// A cgroup v2 host without the memory controller (cgroup_disable=memory,
// Raspberry Pi OS's default) still has CPU and I/O weights: the cgroup is
// used, its memory knobs are reported missing and refused with the fix, the
// others work.
func TestV2WithoutMemoryController(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "pod", "c1")
	os.MkdirAll(dir, 0o755)
	for path, v := range map[string]string{
		"cgroup.controllers":        "cpuset cpu io pids\n",
		"pod/c1/cgroup.controllers": "cpu io pids\n",
		"pod/c1/cpu.weight":         "100\n",
		"pod/c1/cpu.max":            "max 100000\n",
		"pod/c1/io.weight":          "default 100\n",
	} {
		if err := os.WriteFile(filepath.Join(root, path), []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cg, err := open([]mount{{dir: root, v2: true}}, "/pod/c1")
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if cg.V2 != dir || strings.Join(cg.Missing(), ",") != "memory" {
		t.Fatalf("v2 %q, missing %v; want %s and memory", cg.V2, cg.Missing(), dir)
	}
	if err := cg.Apply(Settings{CPUShares: 512, IOWeight: 200}); err != nil {
		t.Fatal(err)
	}
	if got, err := cg.Read(); err != nil || got.CPUShares != 512 || got.IOWeight != 200 {
		t.Errorf("read %+v, %v", got, err)
	}
	err = cg.Apply(Settings{CPUShares: 256, MemoryLimit: 1 << 30})
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "cgroup_enable=memory") {
		t.Errorf("memory limit without the controller: %v", err)
	}
	if got, _ := cg.Read(); got.CPUShares != 512 {
		t.Errorf("a refused Apply changed cpu shares to %d", got.CPUShares)
	}
	// With no controller the actuators use, v2 is not used at all.
	os.WriteFile(filepath.Join(root, "cgroup.controllers"), []byte("pids\n"), 0o644)
	if _, err := open([]mount{{dir: root, v2: true}}, "/pod/c1"); err == nil {
		t.Error("a v2 hierarchy with only pids was used")
	}
}
