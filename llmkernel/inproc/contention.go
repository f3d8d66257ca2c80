package inproc

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// The contention guard: inference does not start, and a running one
// stops, while work other than this process keeps more than a share of
// the host's CPUs busy, or (the latency guard) while a sandbox that needs
// low latency is active. The inference threads run at SCHED_IDLE, so they
// take no CPU time a sandbox asks for, but they still share the memory
// bandwidth and the last-level cache with it, and a latency-sensitive
// sandbox pays for that: beside a busy one (docs/benchmarks.md,
// noisy-neighbour with the deep tier), and even alone (plain runsc's
// prober beside an idle-priority loop streaming the model's file).

const (
	// contentionWindow is the shortest window a verdict is measured
	// over, and how often a running inference is checked: 25 USER_HZ
	// ticks per CPU.
	contentionWindow = 250 * time.Millisecond
	// contentionStale is the oldest evidence a verdict starts from: older,
	// a fresh contentionWindow is measured first.
	contentionStale = 2 * time.Second
)

// cpuSample is the host's and this process's CPU time at a moment.
type cpuSample struct {
	at                time.Time
	busy, total, self time.Duration
}

// contention is the evidence of both guards: the host's CPU use by others,
// and the latency guard's verdict.
type contention struct {
	read    func() (busy, total time.Duration, err error) // the host, over all CPUs; nil: not measured
	self    func() time.Duration                          // this process
	max     float64                                       // share of the host's CPUs; 0: not measured
	latency func() error                                  // the latency guard; nil: none

	mu   sync.Mutex
	prev cpuSample
}

func newContention(read func() (busy, total time.Duration, err error), self func() time.Duration, max float64, latency func() error) *contention {
	if max <= 0 {
		read = nil
	}
	c := &contention{read: read, self: self, max: max, latency: latency}
	if read != nil {
		c.prev, _ = c.sample()
	}
	return c
}

func (c *contention) sample() (cpuSample, error) {
	busy, total, err := c.read()
	return cpuSample{at: time.Now(), busy: busy, total: total, self: c.self()}, err
}

// check says whether a sandbox needs low latency now (the latency guard),
// or others used more than c.max of the host's CPUs over the window since
// the last check: at least contentionWindow (it waits for the rest, ctx
// permitting) and at most contentionStale (older evidence is dropped and
// a fresh window measured). A host whose CPU time cannot be read gives no
// evidence and holds nothing back. Without the CPU measure, watch says
// how long to wait between checks.
func (c *contention) check(ctx context.Context, watch bool) error {
	if c.latency != nil {
		if err := c.latency(); err != nil {
			return err
		}
	}
	if c.read == nil {
		if watch {
			sleep(ctx, contentionWindow)
		}
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now, err := c.sample()
	if err != nil {
		sleep(ctx, contentionWindow) // a watch does not spin on a broken reader
		return nil
	}
	if now.at.Sub(c.prev.at) > contentionStale || now.total < c.prev.total {
		c.prev = now
	}
	if wait := contentionWindow - now.at.Sub(c.prev.at); wait > 0 {
		if !sleep(ctx, wait) {
			return nil // the caller sees its context
		}
		if now, err = c.sample(); err != nil {
			return nil
		}
	}
	total := now.total - c.prev.total
	others := (now.busy - c.prev.busy) - (now.self - c.prev.self)
	c.prev = now
	if total <= 0 {
		return nil
	}
	if share := float64(others) / float64(total); share > c.max {
		return fmt.Errorf("the host's other work used %.0f%% of its CPUs, above deep.max_host_cpu %.0f%%", 100*share, 100*c.max)
	}
	return nil
}

// sleep waits d unless ctx ends first (false).
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
