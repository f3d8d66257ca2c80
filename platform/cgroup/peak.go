package cgroup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// Peak is what FollowPeak saw of a memory cgroup's high-water mark.
type Peak struct {
	Bytes uint64 // the highest high-water mark read (0: none)
	Reads int    // how many times it was read
	// Events: the kernel said when to read (cgroup v1 usage thresholds),
	// rather than a timer.
	Events bool
}

// ReadPeak reads the high-water mark of the memory cgroup directory dir:
// memory.max_usage_in_bytes (v1) or memory.peak (v2, Linux 5.19 and later).
// It is fs.ErrNotExist when dir has neither (the cgroup is gone, or the
// kernel keeps no mark).
func ReadPeak(dir string) (uint64, error) {
	for _, name := range []string{"memory.max_usage_in_bytes", "memory.peak"} {
		v, err := readU(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		return v, err
	}
	return 0, fmt.Errorf("%s: no memory high-water mark: %w", dir, fs.ErrNotExist)
}

func (p *Peak) read(dir string) bool {
	v, err := ReadPeak(dir)
	if err != nil {
		return false
	}
	p.Reads++
	p.Bytes = max(p.Bytes, v)
	return true
}

// Following: on cgroup v1 the kernel signals an eventfd when usage crosses
// a threshold, armed one step above the mark read (a 32nd of it, at least
// peakMinStep), so a sandbox whose memory does not grow costs no wake-up at
// all — 50 attached runs each sampling twice a second took 3 % of this
// 2-CPU machine and a fifth of the busy sandboxes' throughput beside them
// (the crowd scenario, docs/benchmarks.md). Elsewhere the mark is sampled,
// every pollFirst while it grows and twice as long after each sample that
// finds it unchanged, up to pollMax.
const (
	peakStepDiv = 32
	peakMinStep = 256 << 10
	pollFirst   = 500 * time.Millisecond
	pollMax     = 8 * time.Second
)

// FollowPeak follows the high-water mark of the memory cgroup directory dir
// until done is closed (it reads it once more then) or the cgroup is
// removed. It returns at once, with nothing read, where dir keeps no mark.
// A cgroup removed first can no longer be read: the mark returned is then
// the one read at the last threshold crossed (at most a step, a 32nd, below
// the last), or the last sample.
func FollowPeak(dir string, done <-chan struct{}) Peak {
	var p Peak
	if !p.read(dir) {
		return p
	}
	if !p.followThresholds(dir, done) {
		p.poll(dir, done)
	}
	return p
}

// followThresholds follows the mark through v1 usage thresholds. It
// reports false, for the caller to sample instead, where they cannot be
// armed (no cgroup.event_control: v2, or not permitted).
func (p *Peak) followThresholds(dir string, done <-chan struct{}) bool {
	for {
		at := p.Bytes + max(p.Bytes/peakStepDiv, peakMinStep)
		ev, err := armThreshold(dir, at)
		if err != nil {
			// Gone (a cgroup being removed refuses new thresholds), or
			// thresholds are not to be had here: sample instead.
			return !p.read(dir)
		}
		p.Events = true
		// Usage may have crossed the threshold before it was armed, and
		// the kernel only signals crossings it sees: read again.
		if !p.read(dir) {
			ev.Close()
			return true
		}
		if p.Bytes >= at {
			ev.Close()
			continue
		}
		fired := make(chan error, 1)
		go func() {
			var b [8]byte
			_, err := ev.Read(b[:])
			fired <- err
		}()
		select {
		case <-done:
			ev.Close()
			<-fired
			p.read(dir)
			return true
		case err := <-fired:
			ev.Close()
			// Signalled: usage crossed the threshold, or the cgroup was
			// removed (the read fails then).
			if !p.read(dir) {
				return true
			}
			if err != nil {
				return false
			}
		}
	}
}

// armThreshold returns an eventfd the kernel signals when dir's memory
// usage crosses at bytes (or the cgroup is removed); closing it unarms it.
func armThreshold(dir string, at uint64) (*os.File, error) {
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	ev := os.NewFile(uintptr(efd), "memory threshold")
	usage, err := os.Open(filepath.Join(dir, "memory.usage_in_bytes"))
	if err != nil {
		ev.Close()
		return nil, err
	}
	defer usage.Close()
	ctl := filepath.Join(dir, "cgroup.event_control")
	if err := os.WriteFile(ctl, []byte(fmt.Sprintf("%d %d %d", efd, usage.Fd(), at)), 0); err != nil {
		ev.Close()
		return nil, fmt.Errorf("arming a memory threshold: %w", err)
	}
	return ev, nil
}

// poll samples the mark: every pollFirst while it grows, backing off to
// pollMax while it does not.
func (p *Peak) poll(dir string, done <-chan struct{}) {
	wait := pollFirst
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case <-done:
			p.read(dir)
			return
		case <-t.C:
		}
		before := p.Bytes
		if !p.read(dir) {
			return
		}
		if p.Bytes > before {
			wait = pollFirst
		} else {
			wait = min(2*wait, pollMax)
		}
		t.Reset(wait)
	}
}
