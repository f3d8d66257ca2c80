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

// ErrNoSchedstat: this kernel keeps no per-thread run-queue delay (it was
// built without CONFIG_SCHED_INFO, which CONFIG_SCHEDSTATS or
// CONFIG_TASK_DELAY_ACCT select; distribution and Raspberry Pi OS kernels
// have it, minimal embedded ones may not).
var ErrNoSchedstat = fmt.Errorf("this kernel keeps no per-thread run-queue delay (no /proc/self/schedstat: built without CONFIG_SCHED_INFO): %w", errors.ErrUnsupported)

// HaveSchedstat reports whether this kernel keeps each thread's run-queue
// delay (/proc/PID/schedstat), which CPUWait reads.
func HaveSchedstat() bool {
	return unix.Access("/proc/self/schedstat", unix.R_OK) == nil
}

// WaitReading is CPUWait as a sample carries it: -1 where it is not known
// this time (more threads than are read, a read that failed), and 0 all
// along on a kernel that keeps no run-queue delay (ErrNoSchedstat): there
// is no evidence of waiting, so decisions rest on CPU time alone, as they
// would without the reading.
func (c *Cgroup) WaitReading() time.Duration {
	w, err := c.CPUWait()
	switch {
	case err == nil:
		return w
	case errors.Is(err, ErrNoSchedstat):
		return 0
	default:
		return -1
	}
}

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
	dir, list := c.V2, "cgroup.threads"
	if dir == "" {
		list = "tasks"
		var ok bool
		if dir, ok = c.V1["cpu"]; !ok {
			if dir, ok = c.V1["cpuacct"]; !ok {
				return 0, fmt.Errorf("cgroup cpu wait: no cpu hierarchy")
			}
		}
	}
	c.waitMu.Lock()
	defer c.waitMu.Unlock()
	if c.threads == nil && !HaveSchedstat() {
		return 0, ErrNoSchedstat // asked once per reading while it is so: one access(2)
	}
	seen := make(map[uint64]thread, len(c.threads))
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
		b, err := os.ReadFile(filepath.Join(path, list))
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
				return fmt.Errorf("%s: thread %q: %w", filepath.Join(path, list), line, err)
			}
			if _, dup := seen[tid]; dup {
				continue
			}
			last, was := c.threads[tid]
			if !was {
				last = thread{fd: -1}
			}
			th, reread, err := last.read(tid, len(seen) < maxOpenThreads)
			if err != nil {
				return err
			}
			if th.fd < 0 && th.wait < 0 {
				continue // exited since the listing
			}
			// The same thread: what it waited since. A kept descriptor
			// that failed means its ID is now another thread's.
			if was && th.wait >= last.wait && (reread || last.fd < 0) {
				added += th.wait - last.wait
			} else {
				added += th.wait // new (or its ID reused by a new thread)
			}
			seen[tid] = th
		}
		return nil
	})
	for tid, th := range c.threads {
		if now, ok := seen[tid]; !ok || now.fd != th.fd {
			th.close()
		}
	}
	if err != nil {
		for _, th := range seen {
			th.close()
		}
		c.threads = nil // the next reading starts over: the interval reads as unknown
		return 0, fmt.Errorf("cgroup cpu wait of %s: %w", dir, err)
	}
	c.threads, c.waited = seen, c.waited+added
	return c.waited, nil
}

// maxOpenThreads is how many threads of a cgroup CPUWait keeps a
// descriptor open for: rereading one (pread) costs a third of opening,
// reading and closing it. A gVisor sandbox has a few dozen threads; more
// are read the slow way, so a sandbox cannot make the agent hold thousands
// of descriptors.
const maxOpenThreads = 64

// thread is one thread's schedstat: its open descriptor (-1: none) and the
// wait it read (-1: the thread is gone).
type thread struct {
	fd   int
	wait time.Duration
}

// read rereads the thread's wait through its descriptor (th.fd, -1: none;
// reread says it did), or opens it (kept open if keep). A thread that has
// exited (the file gone, or a kept descriptor answering ESRCH: its ID may
// now be another thread's, which is opened afresh) reads as {-1, -1}; any
// other failure (out of descriptors) is an error: a wait not read is not a
// wait of zero. A failed descriptor is left to the caller to close, once.
func (th thread) read(tid uint64, keep bool) (_ thread, reread bool, _ error) {
	if th.fd >= 0 {
		if w, err := schedWait(th.fd); err == nil {
			return thread{fd: th.fd, wait: w}, true, nil
		}
	}
	gone := thread{fd: -1, wait: -1}
	fd, err := unix.Open("/proc/"+strconv.FormatUint(tid, 10)+"/schedstat", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	switch {
	case errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ESRCH):
		return gone, false, nil
	case err != nil:
		return gone, false, fmt.Errorf("thread %d's schedstat: %w", tid, err)
	}
	w, err := schedWait(fd)
	if err != nil || !keep {
		unix.Close(fd)
		fd = -1
	}
	if err != nil {
		return gone, false, nil // exited between the open and the read
	}
	return thread{fd: fd, wait: w}, false, nil
}

func (th thread) close() {
	if th.fd >= 0 {
		unix.Close(th.fd)
	}
}

// Close releases what CPUWait keeps open. The Cgroup stays usable: a later
// CPUWait starts its sum over.
func (c *Cgroup) Close() {
	c.waitMu.Lock()
	defer c.waitMu.Unlock()
	for _, th := range c.threads {
		th.close()
	}
	c.threads = nil
}

// schedWait reads a schedstat descriptor's run-queue delay, the second
// field ("run wait slices", nanoseconds), from its start: a kept
// descriptor rereads the thread's current figures.
func schedWait(fd int) (time.Duration, error) {
	var buf [96]byte
	n, err := unix.Pread(fd, buf[:], 0)
	if err != nil {
		return 0, err
	}
	fields := bytes.Fields(buf[:max(n, 0)])
	if len(fields) < 2 {
		return 0, fmt.Errorf("schedstat %q: want \"run wait slices\"", buf[:max(n, 0)])
	}
	ns, err := strconv.ParseUint(string(fields[1]), 10, 63)
	if err != nil {
		return 0, fmt.Errorf("schedstat wait: %w", err)
	}
	return time.Duration(ns), nil
}
