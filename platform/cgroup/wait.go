package cgroup

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// MaxThreads bounds how many threads CPUWait reads: a sandbox controls how
// many it has (a gVisor sandbox has a few dozen), and the agent must not
// spend a core reading them.
const MaxThreads = 4096

// ErrTooManyThreads: the cgroup has more threads than CPUWait reads. Its
// wait is not known; whoever asked must not read that as "no wait".
var ErrTooManyThreads = errors.New("more threads than the CPU wait is read for")

// CPUWait is how long the cgroup's threads (its descendants' included) have
// waited for a CPU while runnable, cumulative since this Cgroup was opened:
// the run-queue delay the scheduler keeps per thread (/proc/TID/schedstat,
// present wherever CONFIG_SCHED_INFO is: every distribution kernel; cgroup
// v1 has no per-cgroup figure without CONFIG_SCHEDSTATS, and v2's
// cpu.pressure counts time, not threads). Each call adds what every thread
// waited since the last call (a thread new since then: all it waited), so
// threads that exit do not take their wait out of the sum; what one waited
// between the last call and its exit is not counted.
//
// CPU time alone cannot tell a sandbox that stopped computing from one
// whose CPU weight starves it on a busy host: both use little. The second
// waits.
func (c *Cgroup) CPUWait() (time.Duration, error) {
	dir, threads := c.V2, "cgroup.threads"
	if dir == "" {
		threads = "tasks"
		var ok bool
		if dir, ok = c.V1["cpu"]; !ok {
			if dir, ok = c.V1["cpuacct"]; !ok {
				return 0, fmt.Errorf("cgroup cpu wait: no cpu hierarchy")
			}
		}
	}
	c.waitMu.Lock()
	defer c.waitMu.Unlock()
	seen := make(map[uint64]time.Duration, len(c.waits))
	var (
		added time.Duration
		n     int
	)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path != dir && errors.Is(err, fs.ErrNotExist) {
				return nil // a child cgroup removed while walking
			}
			return err
		}
		if !d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(filepath.Join(path, threads))
		if err != nil {
			if path != dir && errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		for len(b) > 0 {
			var line []byte
			line, b, _ = bytes.Cut(b, []byte{'\n'})
			if len(line) == 0 {
				continue
			}
			if n++; n > MaxThreads {
				return ErrTooManyThreads
			}
			tid, err := strconv.ParseUint(string(line), 10, 32)
			if err != nil {
				return fmt.Errorf("%s: thread %q: %w", filepath.Join(path, threads), line, err)
			}
			w, ok := threadWait(tid)
			if !ok {
				continue // exited since the listing
			}
			if last, was := c.waits[tid]; was && w >= last {
				added += w - last
			} else {
				added += w // new (or its ID reused by a new thread)
			}
			seen[tid] = w
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("cgroup cpu wait of %s: %w", dir, err)
	}
	c.waits, c.waited = seen, c.waited+added
	return c.waited, nil
}

// threadWait is a thread's run-queue delay, the second field of its
// schedstat ("run wait slices", nanoseconds); false for a thread that has
// exited since the cgroup was listed. Plain system calls: a recheck reads
// a few dozen of these ten times a second, and os.File's bookkeeping
// (the poller, the finalizer) would double what they cost.
func threadWait(tid uint64) (time.Duration, bool) {
	fd, err := unix.Open("/proc/"+strconv.FormatUint(tid, 10)+"/schedstat", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, false
	}
	var buf [96]byte
	n, _ := unix.Read(fd, buf[:])
	unix.Close(fd)
	if n <= 0 {
		return 0, false
	}
	fields := bytes.Fields(buf[:n])
	if len(fields) < 2 {
		return 0, false
	}
	ns, err := strconv.ParseUint(string(fields[1]), 10, 63)
	if err != nil {
		return 0, false
	}
	return time.Duration(ns), true
}
