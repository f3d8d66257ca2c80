package llmkernel

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Cache is the immediate tier: decisions by quantised situation. Reads are
// lock-free (sync.Map's read path for keys that are not being written).
type Cache struct {
	ttl     time.Duration
	regress float64  // evict when an outcome's reward falls this far below the entry's best
	m       sync.Map // Key -> *cacheEntry
	size    atomic.Int64
}

type cacheEntry struct {
	d       Decision
	expires int64 // unix nanoseconds
	// best is the best reward seen for this entry (float64 bits); outcomes
	// that regress from it evict the entry.
	best atomic.Uint64
	seen atomic.Bool
}

// NewCache makes a cache whose entries live for ttl and are evicted when an
// outcome's reward drops more than regress below the best seen.
func NewCache(ttl time.Duration, regress float64) *Cache {
	return &Cache{ttl: ttl, regress: regress}
}

// Get returns the live entry for k at time now (unix nanoseconds).
func (c *Cache) Get(k Key, now int64) (Decision, bool) {
	v, ok := c.m.Load(k)
	if !ok {
		return Decision{}, false
	}
	e := v.(*cacheEntry)
	if now > e.expires {
		if c.m.CompareAndDelete(k, v) {
			c.size.Add(-1)
		}
		return Decision{}, false
	}
	return e.d, true
}

// Put caches d for its key.
func (c *Cache) Put(d Decision, now int64) {
	e := &cacheEntry{d: d, expires: now + int64(c.ttl)}
	if _, loaded := c.m.Swap(d.Key, e); !loaded {
		c.size.Add(1)
	}
}

// Outcome feeds a measured reward for a decision served under k. It reports
// whether the entry was evicted because its outcomes regressed.
func (c *Cache) Outcome(k Key, a Action, reward float64) (evicted bool) {
	v, ok := c.m.Load(k)
	if !ok {
		return false
	}
	e := v.(*cacheEntry)
	if e.d.Action != a {
		return false // the outcome of another action says nothing of this entry
	}
	for {
		old := e.best.Load()
		if e.seen.Load() && reward < f64(old)-c.regress {
			if c.m.CompareAndDelete(k, v) {
				c.size.Add(-1)
			}
			return true
		}
		if e.seen.Load() && reward <= f64(old) {
			return false
		}
		if e.best.CompareAndSwap(old, u64(reward)) {
			e.seen.Store(true)
			return false
		}
	}
}

// Delete drops k.
func (c *Cache) Delete(k Key) {
	if _, ok := c.m.LoadAndDelete(k); ok {
		c.size.Add(-1)
	}
}

// Len is the number of entries (including expired ones not yet read).
func (c *Cache) Len() int { return int(c.size.Load()) }

func f64(u uint64) float64 { return math.Float64frombits(u) }
func u64(f float64) uint64 { return math.Float64bits(f) }
