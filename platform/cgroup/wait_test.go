package cgroup

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// CPUWait tells threads that wait for a CPU from threads that sleep: more
// spinning processes than CPUs in a real cgroup wait about one CPU's worth
// of wall time (at least), a sleeping one none.
func TestCPUWait(t *testing.T) {
	_, cg := testCgroup(t)
	if !HaveSchedstat() {
		// A kernel that keeps no run-queue delay says so, and samples
		// read no wait rather than an unknown one (which reads as starved).
		if _, err := cg.CPUWait(); !errors.Is(err, ErrNoSchedstat) || !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("CPUWait without /proc/self/schedstat: %v, want ErrNoSchedstat", err)
		}
		if w := cg.WaitReading(); w != 0 {
			t.Errorf("WaitReading without /proc/self/schedstat: %v, want 0", w)
		}
		t.Skip(ErrNoSchedstat)
	}
	var cmds []*exec.Cmd
	join := func(args ...string) {
		cmd := exec.Command(args[0], args[1:]...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		for _, d := range cg.dirs() {
			if err := os.WriteFile(filepath.Join(d, "cgroup.procs"), []byte(strconv.Itoa(cmd.Process.Pid)), 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	// ran and waited over d, with the wall time it took.
	measure := func(d time.Duration) (ran, waited, wall time.Duration) {
		t.Helper()
		read := func() (time.Time, time.Duration, time.Duration) {
			at := time.Now()
			u, err := cg.CPU()
			if err != nil {
				t.Fatal(err)
			}
			w, err := cg.CPUWait()
			if err != nil {
				t.Fatal(err)
			}
			return at, u, w
		}
		t0, u0, w0 := read()
		time.Sleep(d)
		t1, u1, w1 := read()
		return u1 - u0, w1 - w0, t1.Sub(t0)
	}
	join("sleep", "60")
	if _, w, wall := measure(300 * time.Millisecond); w > 20*time.Millisecond {
		t.Errorf("a sleeping process waited %v for a CPU in %v", w, wall)
	}
	// Processes that never block are always either running or waiting:
	// what they ran plus what they waited is their number times the wall
	// time, however busy the machine is (the run time read as the wait
	// would give about twice the CPUs' share).
	n := runtime.NumCPU() + 1
	for i := 0; i < n; i++ {
		join("sh", "-c", "while :; do :; done")
	}
	time.Sleep(100 * time.Millisecond) // all started and in the cgroup
	ran, w, wall := measure(600 * time.Millisecond)
	t.Logf("%d spinners on %d CPUs in %v: ran %v, waited %v", n, runtime.NumCPU(), wall, ran, w)
	if want := time.Duration(n) * wall; ran+w < want*8/10 || ran+w > want*12/10 || w < wall/3 {
		t.Errorf("%d spinning processes on %d CPUs in %v: ran %v and waited %v, want a sum of about %v and a wait of about %v or more",
			n, runtime.NumCPU(), wall, ran, w, want, wall)
	}
	if u, err := cg.Usage(); err != nil || u.CPUWait <= 0 || u.CPUWait < w {
		t.Errorf("Usage's CPUWait %v (%v)", u.CPUWait, err)
	}
	// The spinners exit: what they waited stays in the sum.
	before, err := cg.CPUWait()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cmds[1:] {
		c.Process.Kill()
		c.Wait()
	}
	if after, err := cg.CPUWait(); err != nil || after < before {
		t.Errorf("CPU wait %v after the waiting threads exited, %v before (%v)", after, before, err)
	}
	// Descriptors are kept for the threads alive (the sleep), none for
	// those gone, and none after Close.
	if n := openSchedstats(t); n != 1 {
		t.Errorf("%d schedstat descriptors open for one thread alive", n)
	}
	cg.Close()
	if n := openSchedstats(t); n != 0 {
		t.Errorf("%d schedstat descriptors open after Close", n)
	}
}

func openSchedstats(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		if l, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && strings.HasSuffix(l, "/schedstat") {
			n++
		}
	}
	return n
}

// The thread list is the container's: more threads than MaxThreads is an
// error (never a partial sum read as little wait), a line that is not a
// thread ID names the file. Fault injection: a fake cgroup directory.
func TestCPUWaitBounds(t *testing.T) {
	if !HaveSchedstat() {
		t.Skip(ErrNoSchedstat) // CPUWait says so before it lists a thread (TestCPUWait)
	}
	dir := t.TempDir()
	cg := &Cgroup{V1: map[string]string{"cpu": dir}}
	write := func(s string) {
		if err := os.WriteFile(filepath.Join(dir, "tasks"), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(strings.Repeat(strconv.Itoa(os.Getpid())+"\n", MaxThreads+1))
	if _, err := cg.CPUWait(); !errors.Is(err, ErrTooManyThreads) {
		t.Errorf("%d threads: %v, want ErrTooManyThreads", MaxThreads+1, err)
	}
	if u, _ := cg.Usage(); u.CPUWait != -1 {
		t.Errorf("Usage's CPUWait %v for an unknown wait, want -1", u.CPUWait)
	}
	write("12\nx;rm\n")
	if _, err := cg.CPUWait(); err == nil || !strings.Contains(err.Error(), `"x;rm"`) || !strings.Contains(err.Error(), "tasks") {
		t.Errorf("a bad thread ID: %v", err)
	}
	// Threads that exited between the listing and the read count nothing.
	cg = &Cgroup{V1: map[string]string{"cpu": dir}}
	write("4294967\n")
	if w, err := cg.CPUWait(); err != nil || w != 0 {
		t.Errorf("an exited thread: %v, %v", w, err)
	}
}

// BenchmarkCPUWait reads the wait of 26 threads (a gVisor sandbox's count
// in the live tests; here 26 sleeping processes): what a recheck costs per
// cut sandbox, 10 times a second by default.
func BenchmarkCPUWait(b *testing.B) {
	dir := b.TempDir()
	var tids []string
	for range 26 {
		c := exec.Command("sleep", "600")
		if err := c.Start(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Process.Kill(); c.Wait() })
		tids = append(tids, strconv.Itoa(c.Process.Pid))
	}
	if err := os.WriteFile(filepath.Join(dir, "tasks"), []byte(strings.Join(tids, "\n")+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	cg := &Cgroup{V1: map[string]string{"cpu": dir}}
	defer cg.Close()
	for b.Loop() {
		if _, err := cg.CPUWait(); err != nil {
			b.Fatal(err)
		}
	}
}
