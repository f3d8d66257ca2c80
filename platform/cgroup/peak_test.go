package cgroup

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// memoryCgroup makes a real memory cgroup and starts script in it (after
// the move, so v1 charges what it allocates). It returns the directory.
func memoryCgroup(t *testing.T, script string) (string, *exec.Cmd) {
	t.Helper()
	_, cg := testCgroup(t)
	dir := cg.V2
	if d, ok := cg.V1["memory"]; ok {
		dir = d
	}
	if !hasMemory(cg) || dir == "" {
		t.Skip("no memory controller")
	}
	if _, err := ReadPeak(dir); err != nil {
		t.Skipf("this kernel keeps no memory high-water mark: %v", err)
	}
	cmd := exec.Command("sh", "-c", "read go; "+script)
	start, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	pid := []byte(strconv.Itoa(cmd.Process.Pid))
	for _, d := range cg.dirs() {
		if err := os.WriteFile(filepath.Join(d, "cgroup.procs"), pid, 0); err != nil {
			t.Fatal(err)
		}
	}
	start.Write([]byte("go\n"))
	start.Close()
	return dir, cmd
}

func follow(dir string) (done chan struct{}, result chan Peak) {
	done, result = make(chan struct{}), make(chan Peak, 1)
	go func() { result <- FollowPeak(dir, done) }()
	return done, result
}

// The mark of a sandbox that grows is followed to its top, which stays
// readable until the cgroup goes.
func TestFollowPeakGrowth(t *testing.T) {
	dir, cmd := memoryCgroup(t, "sleep 0.5; dd if=/dev/zero of=/dev/null bs=64M count=4 2>/dev/null; sleep 0.5")
	done, result := follow(dir)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	close(done)
	p := <-result
	t.Logf("peak %d MiB, %d reads, events %v", p.Bytes>>20, p.Reads, p.Events)
	if p.Bytes < 64<<20 {
		t.Errorf("peak %d bytes: want dd's 64 MiB buffer and more", p.Bytes)
	}
	if v, err := ReadPeak(dir); err != nil || p.Bytes != v {
		t.Errorf("followed %d, the cgroup's mark %d (%v)", p.Bytes, v, err)
	}
	if _, ok := os.Stat(filepath.Join(dir, "cgroup.event_control")); ok == nil && !p.Events {
		t.Error("a v1 memory cgroup was sampled, not followed through thresholds")
	}
}

// A sandbox whose memory does not grow is not woken for: 3 s of sleep cost
// the first read, the threshold's re-read and the last one (v1); sampled
// (v2), the samples at 0.5 and 1.5 s, or one more where the kernel's
// per-CPU charge batches land late (seen under qemu), where the 2 Hz
// sampling this replaced read eight times.
func TestFollowPeakStableIsQuiet(t *testing.T) {
	dir, _ := memoryCgroup(t, "exec sleep 30")
	time.Sleep(time.Second) // sleep has started
	done, result := follow(dir)
	time.Sleep(3 * time.Second)
	close(done)
	p := <-result
	t.Logf("%d reads, events %v", p.Reads, p.Events)
	most := 5
	if p.Events {
		most = 3
	}
	if p.Reads > most || p.Reads < 2 {
		t.Errorf("%d reads of a stable cgroup in 3 s (events %v): want 2 to %d", p.Reads, p.Events, most)
	}
	if p.Bytes == 0 {
		t.Error("no peak read")
	}
}

// When the cgroup is removed under it, following ends by itself. With
// thresholds (v1) it has the mark of dd's buffer; sampled (v2), growth
// after the last sample of a cgroup removed within half a second is not
// seen (docs/create-time.md).
func TestFollowPeakEndsWithTheCgroup(t *testing.T) {
	dir, cmd := memoryCgroup(t, "dd if=/dev/zero of=/dev/null bs=16M count=2 2>/dev/null")
	_, result := follow(dir)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // the last crossing's read, even on a busy machine
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-result:
		// The mark cannot be read once the cgroup is gone: what was read
		// at the last threshold crossed is at most a step below it.
		t.Logf("peak %d bytes, %d reads, events %v", p.Bytes, p.Reads, p.Events)
		if want := uint64(16<<20 - 16<<20/peakStepDiv); p.Events && p.Bytes < want {
			t.Errorf("peak %d bytes: want dd's 16 MiB less one step, %d", p.Bytes, want)
		}
	case <-time.After(pollMax + 2*time.Second):
		t.Fatal("still following a removed cgroup")
	}
	if _, err := ReadPeak(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the mark of a removed cgroup: %v, want fs.ErrNotExist", err)
	}
}

// Where thresholds cannot be armed (cgroup v2), the mark is sampled, faster
// while it grows. A stand-in directory with a memory.peak file (this host's
// memory cgroups may be v1) plays the v2 cgroup, whose removal ends it.
func TestFollowPeakSamplesWithoutThresholds(t *testing.T) {
	dir := t.TempDir()
	mark := filepath.Join(dir, "memory.peak")
	set := func(v int) {
		if err := os.WriteFile(mark, []byte(strconv.Itoa(v)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set(1 << 20)
	done, result := follow(dir)
	time.Sleep(700 * time.Millisecond)
	set(5 << 20)
	time.Sleep(time.Second)
	close(done)
	p := <-result
	if p.Events || p.Bytes != 5<<20 || p.Reads < 2 {
		t.Errorf("%+v: want 5 MiB sampled (not by events), read twice or more", p)
	}
	set(1 << 20)
	done, result = follow(dir)
	time.Sleep(100 * time.Millisecond)
	os.Remove(mark)
	select {
	case p := <-result:
		// On a busy machine the first read may come after the removal.
		if p.Reads > 0 && p.Bytes != 1<<20 {
			t.Errorf("%+v: want the 1 MiB read before it went", p)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("still sampling a removed cgroup")
	}
	close(done)
}
