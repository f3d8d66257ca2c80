package agent

// What the agent knows about running sandboxes from their taps' summaries:
// per sandbox and container, totals per syscall
// class, the last window's rates, executed binaries, and lost or dropped
// summaries. It is bounded: a fixed number of sandboxes, fixed-size state
// each, so a flood of syscalls or of sandboxes cannot grow it.

import (
	"sort"
	"sync"
	"time"

	"github.com/go-os-agent/runsc-ai/llmkernel/summary"
)

// MaxSandboxes bounds the sandboxes tracked; the least recently heard from
// is forgotten first.
const MaxSandboxes = 4096

// Container is one container's aggregate.
type Container struct {
	ID     string                            `json:"id"`
	Totals [summary.NumClasses]summary.Count `json:"totals"`
	// Last is the last window's counts; RatePerSec its syscalls per second.
	Last       [summary.NumClasses]summary.Count `json:"last"`
	RatePerSec float64                           `json:"rate_per_sec"`
	Execs      []string                          `json:"execs,omitempty"` // most recent first, at most summary.MaxExecs
	// Missed is how many of the sandbox's windows in a row did not
	// mention the container; after MaxMissed it is forgotten.
	Missed int `json:"missed,omitempty"`
}

// MaxMissed is how many windows a container may be absent from its
// sandbox's summaries before it is forgotten. A container that went quiet
// (the tap leaves out containers without syscalls) has no activity, so its
// last window counts as zero from the first window it is absent.
const MaxMissed = 10

// Sandbox is one sandbox's aggregate.
type Sandbox struct {
	ID         string      `json:"id"`
	Windows    uint64      `json:"windows"` // summaries received
	LastSeq    uint64      `json:"last_seq"`
	Lost       uint64      `json:"lost"`    // gaps in the sequence: summaries never read
	Dropped    uint64      `json:"dropped"` // summaries the tap could not write
	LastSeen   time.Time   `json:"last_seen"`
	Containers []Container `json:"containers"`
}

// TapStats are the totals over every summary received.
type TapStats struct {
	Summaries uint64 `json:"summaries"`
	Lost      uint64 `json:"lost"`
	Forgotten uint64 `json:"forgotten"` // sandboxes dropped to stay within MaxSandboxes
}

// sandboxes is the agent's view; safe for concurrent use.
type sandboxes struct {
	mu        sync.Mutex
	sandboxes map[string]*Sandbox
	stats     TapStats
	max       int
}

// New returns an empty state.
func newSandboxes() *sandboxes {
	return &sandboxes{sandboxes: map[string]*Sandbox{}, max: MaxSandboxes}
}

// Add folds one (validated) summary in.
func (st *sandboxes) Add(s *summary.Summary, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.stats.Summaries++
	sb, ok := st.sandboxes[s.Sandbox]
	if !ok {
		if len(st.sandboxes) >= st.max {
			st.forgetOldest()
		}
		sb = &Sandbox{ID: s.Sandbox}
		st.sandboxes[s.Sandbox] = sb
	}
	if s.Seq > sb.LastSeq+1 && sb.LastSeq > 0 {
		sb.Lost += s.Seq - sb.LastSeq - 1
		st.stats.Lost += s.Seq - sb.LastSeq - 1
	}
	if s.Seq > sb.LastSeq {
		sb.LastSeq = s.Seq
	}
	sb.Windows++
	sb.Dropped = s.Dropped
	sb.LastSeen = now
	for i := range sb.Containers {
		sb.Containers[i].Missed++
	}
	for i := range s.Containers {
		sc := &s.Containers[i]
		c := sb.container(sc.ID)
		if c == nil {
			continue
		}
		c.Missed = 0
		var calls uint64
		for k, n := range sc.Classes {
			c.Totals[k].Calls += n.Calls
			c.Totals[k].Bytes += n.Bytes
			calls += n.Calls
		}
		c.Last = sc.Classes
		c.RatePerSec = float64(calls) / (float64(s.WindowMs) / 1000)
		for _, x := range sc.Execs {
			c.Execs = append([]string{x}, c.Execs...)
			if len(c.Execs) > summary.MaxExecs {
				c.Execs = c.Execs[:summary.MaxExecs]
			}
		}
	}
	// Absent this window: no activity now; absent long: forgotten.
	kept := sb.Containers[:0]
	for _, c := range sb.Containers {
		if c.Missed > 0 {
			c.Last, c.RatePerSec = [summary.NumClasses]summary.Count{}, 0
		}
		if c.Missed <= MaxMissed {
			kept = append(kept, c)
		}
	}
	sb.Containers = kept
}

// container finds or adds a container, within summary.MaxContainers.
func (sb *Sandbox) container(id string) *Container {
	for i := range sb.Containers {
		if sb.Containers[i].ID == id {
			return &sb.Containers[i]
		}
	}
	if len(sb.Containers) >= summary.MaxContainers {
		return nil
	}
	sb.Containers = append(sb.Containers, Container{ID: id})
	return &sb.Containers[len(sb.Containers)-1]
}

func (st *sandboxes) forgetOldest() {
	var oldest *Sandbox
	for _, sb := range st.sandboxes {
		if oldest == nil || sb.LastSeen.Before(oldest.LastSeen) {
			oldest = sb
		}
	}
	if oldest != nil {
		delete(st.sandboxes, oldest.ID)
		st.stats.Forgotten++
	}
}

// Forget drops sandboxes not heard from since before.
// Has says whether sandbox id is known.
func (st *sandboxes) Has(id string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	_, ok := st.sandboxes[id]
	return ok
}

func (st *sandboxes) Forget(before time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for id, sb := range st.sandboxes {
		if sb.LastSeen.Before(before) {
			delete(st.sandboxes, id)
		}
	}
}

// Snapshot copies the state, sandboxes sorted by ID.
func (st *sandboxes) Snapshot() ([]Sandbox, TapStats) {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]Sandbox, 0, len(st.sandboxes))
	for _, sb := range st.sandboxes {
		c := *sb
		c.Containers = append([]Container(nil), sb.Containers...)
		for i := range c.Containers {
			c.Containers[i].Execs = append([]string(nil), c.Containers[i].Execs...)
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, st.stats
}

// Activity is a sandbox's last window over all its containers: syscalls per
// second and the share of them that wait or wake (blocking and wake-ups).
// ok is false when the sandbox has not been heard from since since.
func (st *sandboxes) Activity(id string, since time.Time) (rate, blocking float64, ok bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	sb, found := st.sandboxes[id]
	if !found || sb.LastSeen.Before(since) {
		return 0, 0, false
	}
	var calls, waits uint64
	for i := range sb.Containers {
		c := &sb.Containers[i]
		rate += c.RatePerSec
		for k, n := range c.Last {
			calls += n.Calls
			if k == int(summary.Blocking) || k == int(summary.Wakeups) {
				waits += n.Calls
			}
		}
	}
	if calls > 0 {
		blocking = float64(waits) / float64(calls)
	}
	return rate, blocking, true
}
