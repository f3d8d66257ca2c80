package tap

import (
	"sync"
	"sync/atomic"

	"gvisor.dev/gvisor/pkg/hostarch"
	"gvisor.dev/gvisor/pkg/sentry/kernel"

	"github.com/go-os-agent/runsc-ai/llmkernel/summary"
)

// maxTracked bounds the containers with their own counters; a sandbox
// holding more (a pod is usually a handful) counts the rest together.
const maxTracked = summary.MaxContainers

// overflowID collects containers beyond maxTracked.
const overflowID = "_other"

// counters are one container's cumulative counts.
type counters struct {
	id string
	k  [summary.NumClasses]struct {
		calls, bytes atomic.Uint64
	}

	execMu       sync.Mutex // execve is rare; taken only there and per window
	execs        []string
	execsDropped uint64
}

// noteExec records the basename of a binary being executed.
func (c *counters) noteExec(task *kernel.Task, addr hostarch.Addr) {
	path, err := task.CopyInString(addr, 4096)
	if err != nil {
		return
	}
	name := summary.CleanExec(path)
	c.execMu.Lock()
	if len(c.execs) < summary.MaxExecs {
		c.execs = append(c.execs, name)
	} else {
		c.execsDropped++
	}
	c.execMu.Unlock()
}

func (c *counters) takeExecs() ([]string, uint64) {
	c.execMu.Lock()
	defer c.execMu.Unlock()
	x, d := c.execs, c.execsDropped
	c.execs, c.execsDropped = nil, 0
	return x, d
}

// registry maps container IDs to counters. The syscall path reads the last
// container's entry (one pointer load and a string compare, equal pointers
// in practice: a task's container ID string is shared); switching
// containers takes a sync.Map load.
type registry struct {
	last  atomic.Pointer[counters]
	byID  sync.Map // string -> *counters
	mu    sync.Mutex
	count int
}

func (r *registry) get(id string) *counters {
	if c := r.last.Load(); c != nil && c.id == id {
		return c
	}
	if v, ok := r.byID.Load(id); ok {
		c := v.(*counters)
		r.last.Store(c)
		return c
	}
	return r.add(id)
}

func (r *registry) add(id string) *counters {
	r.mu.Lock()
	defer r.mu.Unlock()
	if v, ok := r.byID.Load(id); ok {
		return v.(*counters)
	}
	if summary.ValidID(id) != nil || r.count >= maxTracked {
		id = overflowID
		if v, ok := r.byID.Load(id); ok {
			return v.(*counters)
		}
	}
	c := &counters{id: id}
	r.byID.Store(id, c)
	r.count++
	r.last.Store(c)
	return c
}

func (r *registry) each(f func(id string, c *counters)) {
	r.byID.Range(func(k, v any) bool {
		f(k.(string), v.(*counters))
		return true
	})
}
