package llmkernel

import (
	"sync"
	"time"
)

// pendingRing remembers recent decisions until their outcome arrives. It is a
// fixed ring, so memory stays bounded however many decisions are made; an
// outcome older than the ring is counted as lost.
type pendingRing struct {
	mu    sync.Mutex
	slots []pendingEntry
}

// DefaultCapacity is how many decisions await their outcome by default.
const DefaultCapacity = 8192

func newPendingRing(n int) pendingRing { return pendingRing{slots: make([]pendingEntry, n)} }

type pendingEntry struct {
	id uint64
	s  Situation
	d  Decision
	at time.Time
}

func (r *pendingRing) put(id uint64, s Situation, d Decision, at time.Time) {
	r.mu.Lock()
	r.slots[id%uint64(len(r.slots))] = pendingEntry{id: id, s: s, d: d, at: at}
	r.mu.Unlock()
}

func (r *pendingRing) take(id uint64) (pendingEntry, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.slots[id%uint64(len(r.slots))]
	if e.id != id || id == 0 {
		return pendingEntry{}, false
	}
	r.slots[id%uint64(len(r.slots))] = pendingEntry{}
	return e, true
}
