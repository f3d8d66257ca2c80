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

// Apply changes the real files, and Read reads back what was applied.
func TestApplyAndRead(t *testing.T) {
	_, cg := testCgroup(t)
	want := Settings{CPUShares: 512, CPUQuotaUs: 50000, CPUPeriodUs: 100000, MemoryLimit: 256 << 20, MemorySoftLimit: 128 << 20}
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
		if v := raw(t, filepath.Join(cg.V1["memory"], "memory.limit_in_bytes")); v != "268435456" {
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
	if got, _ := cg.Read(); got.CPUShares != 256 || got.MemoryLimit != 256<<20 {
		t.Errorf("after a shares-only change: %+v", got)
	}
}

// A write the kernel refuses undoes the ones before it.
func TestApplyIsAllOrNothing(t *testing.T) {
	_, cg := testCgroup(t)
	if err := cg.Apply(Settings{CPUShares: 512, MemoryLimit: 256 << 20}); err != nil {
		t.Fatal(err)
	}
	// 500 µs is below the kernel's minimum CFS quota (1 ms): EINVAL, after
	// cpu.shares was already written.
	err := cg.Apply(Settings{CPUShares: 2048, CPUQuotaUs: 500, MemoryLimit: 512 << 20})
	if err == nil || !strings.Contains(err.Error(), "cfs_quota_us") && !strings.Contains(err.Error(), "cpu.max") {
		t.Fatalf("err = %v, want one naming the quota file", err)
	}
	got, _ := cg.Read()
	if got.CPUShares != 512 || got.MemoryLimit != 256<<20 {
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
	time.Sleep(200 * time.Millisecond)
	during, err := cg.Usage()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	after, err := cg.Usage()
	if err != nil {
		t.Fatal(err)
	}
	if during.WorkingSet() < 32<<20 {
		t.Errorf("working set of a process with a 64 MiB buffer: %d bytes", during.WorkingSet())
	}
	if after.CPU < 50*time.Millisecond || after.CPU < during.CPU {
		t.Errorf("CPU time %v then %v for 3.75 GiB copied", during.CPU, after.CPU)
	}
	if after.MemPressure > 100 || after.IOPressure > 100 {
		t.Errorf("pressure out of range: %+v", after)
	}
}
