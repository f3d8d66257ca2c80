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
const maxTracked = summary.MaxContainers - 1

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

// noteExec records the basename of a binary being executed. A binary that
// executes itself again through /proc/self/exe (busybox's applets, say) or
// a descriptor (fexecve's /dev/fd/N) is named by its argv[0] instead:
// "exe" or "3" would say nothing.
func (c *counters) noteExec(task *kernel.Task, pathAddr, argvAddr hostarch.Addr) {
	path, err := task.CopyInString(pathAddr, 4096)
	if err != nil {
		return
	}
	if summary.SelfExec(path) {
		if argv, err := task.CopyInVector(argvAddr, 4096, 4096); err == nil && len(argv) > 0 && argv[0] != "" {
			path = argv[0]
		}
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
// containers takes a sync.Map load. Every ID seen gets an entry, so IDs
// beyond maxTracked (and invalid ones) also stay on that path, sharing the
// overflow counters.
type registry struct {
	last    atomic.Pointer[entry]
	byID    sync.Map // string -> *entry
	mu      sync.Mutex
	list    []*counters // the counters, each once (summaries)
	aliases int
}

type entry struct {
	id string
	c  *counters
}

// maxAliases bounds the IDs remembered; more (not seen in practice: IDs
// come from the runtime) take the locked path.
const maxAliases = 1024

func (r *registry) get(id string) *counters {
	if e := r.last.Load(); e != nil && e.id == id {
		return e.c
	}
	if v, ok := r.byID.Load(id); ok {
		e := v.(*entry)
		r.last.Store(e)
		return e.c
	}
	return r.add(id)
}

func (r *registry) add(id string) *counters {
	r.mu.Lock()
	defer r.mu.Unlock()
	if v, ok := r.byID.Load(id); ok {
		return v.(*entry).c
	}
	var c *counters
	if summary.ValidID(id) == nil && len(r.list) < maxTracked {
		c = &counters{id: id}
		r.list = append(r.list, c)
	} else {
		c = r.overflow()
	}
	if r.aliases < maxAliases {
		e := &entry{id: id, c: c}
		r.byID.Store(id, e)
		r.aliases++
		r.last.Store(e)
	}
	return c
}

// overflow returns the shared counters of containers beyond maxTracked.
// Called with mu held.
func (r *registry) overflow() *counters {
	for _, c := range r.list {
		if c.id == overflowID {
			return c
		}
	}
	c := &counters{id: overflowID}
	r.list = append(r.list, c)
	return c
}

func (r *registry) each(f func(id string, c *counters)) {
	r.mu.Lock()
	list := append([]*counters(nil), r.list...)
	r.mu.Unlock()
	for _, c := range list {
		f(c.id, c)
	}
}
