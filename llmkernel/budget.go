package llmkernel

import (
	"sync"
	"time"
)

// learnBudget bounds each sandbox's influence on the shared fast tier: a
// token bucket per sandbox holding at most perHour units of outcome
// weight, refilled at perHour per hour. One sandbox — whose features and
// outcomes its workload shapes — can thus move the model that decides for
// every other sandbox only by a bounded amount per hour, however many
// outcomes it produces.
type learnBudget struct {
	perHour  float64 // 0: unbounded
	mu       sync.Mutex
	buckets  map[string]*bucket
	withheld float64
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLearnBudget(perHour float64) *learnBudget {
	return &learnBudget{perHour: perHour, buckets: map[string]*bucket{}}
}

// take grants up to w units of weight to sandbox at now, and returns what
// was granted (w when unbounded, 0 when the bucket is empty).
func (b *learnBudget) take(sandbox string, w float64, now time.Time) float64 {
	if b.perHour <= 0 || w <= 0 {
		return w
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	bk, ok := b.buckets[sandbox]
	if !ok {
		if len(b.buckets) >= maxTrackedSandboxes {
			b.forgetFull(now)
		}
		bk = &bucket{tokens: b.perHour, at: now}
		b.buckets[sandbox] = bk
	}
	if el := now.Sub(bk.at); el > 0 {
		bk.tokens = min(b.perHour, bk.tokens+b.perHour*el.Hours())
		bk.at = now
	}
	got := min(w, bk.tokens)
	bk.tokens -= got
	b.withheld += w - got
	return got
}

// forgetFull drops buckets that have refilled (forgetting them changes
// nothing), or all if none have: forgetting only ever grants a full bucket.
func (b *learnBudget) forgetFull(now time.Time) {
	for id, bk := range b.buckets {
		if bk.tokens+b.perHour*now.Sub(bk.at).Hours() >= b.perHour {
			delete(b.buckets, id)
		}
	}
	if len(b.buckets) >= maxTrackedSandboxes {
		clear(b.buckets)
	}
}

func (b *learnBudget) withheldTotal() float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.withheld
}
