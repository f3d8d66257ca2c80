package llmkernel

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Cache is the immediate tier: decisions by quantised situation. Reads are
// lock-free (sync.Map's read path for keys that are not being written).
//
// An entry is shared by every sandbox (scope "") or belongs to one sandbox
// (scope = its ID): a deep-tier answer came from a prompt that carried that
// sandbox's untrusted strings and history, so it is served to that sandbox
// only. Get prefers the sandbox's own entry.
type Cache struct {
	ttl     time.Duration
	regress float64  // evict when an outcome's reward falls this far below the entry's best
	m       sync.Map // cacheKey -> *cacheEntry
	size    atomic.Int64
}

type cacheKey struct {
	key   Key
	scope string // "": shared; else a sandbox ID
}

// maxCacheEntries bounds the cache: sandbox-scoped entries multiply the
// quantised keys by the sandboxes, which containers control. Beyond it,
// scoped entries are not cached (shared ones are bounded by the key space).
const maxCacheEntries = 1 << 16

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

// Get returns the live entry for k at time now (unix nanoseconds): the
// sandbox's own, else the shared one.
func (c *Cache) Get(k Key, sandbox string, now int64) (Decision, bool) {
	if c.size.Load() == 0 {
		return Decision{}, false
	}
	if sandbox != "" {
		if d, ok := c.get(cacheKey{k, sandbox}, now); ok {
			return d, true
		}
	}
	return c.get(cacheKey{k, ""}, now)
}

func (c *Cache) get(ck cacheKey, now int64) (Decision, bool) {
	v, ok := c.m.Load(ck)
	if !ok {
		return Decision{}, false
	}
	e := v.(*cacheEntry)
	if now > e.expires {
		if c.m.CompareAndDelete(ck, v) {
			c.size.Add(-1)
		}
		return Decision{}, false
	}
	return e.d, true
}

// Put caches d for its key, shared by every sandbox (scope "") or for one
// sandbox only (scope = its ID).
func (c *Cache) Put(d Decision, scope string, now int64) {
	if scope != "" && c.size.Load() >= maxCacheEntries {
		return
	}
	e := &cacheEntry{d: d, expires: now + int64(c.ttl)}
	if _, loaded := c.m.Swap(cacheKey{d.Key, scope}, e); !loaded {
		c.size.Add(1)
	}
}

// Outcome feeds a measured reward for a decision served to sandbox under k
// (its own entry if it has one, else the shared one). It reports whether
// the entry was evicted because its outcomes regressed.
func (c *Cache) Outcome(k Key, sandbox string, a Action, reward float64) (evicted bool) {
	ck := cacheKey{k, sandbox}
	v, ok := c.m.Load(ck)
	if !ok {
		ck = cacheKey{k, ""}
		if v, ok = c.m.Load(ck); !ok {
			return false
		}
	}
	e := v.(*cacheEntry)
	if e.d.Action != a {
		return false // the outcome of another action says nothing of this entry
	}
	for {
		old := e.best.Load()
		if e.seen.Load() && reward < f64(old)-c.regress {
			if c.m.CompareAndDelete(ck, v) {
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

// Delete drops k's entry in scope.
func (c *Cache) Delete(k Key, scope string) {
	if _, ok := c.m.LoadAndDelete(cacheKey{k, scope}); ok {
		c.size.Add(-1)
	}
}

// Len is the number of entries (including expired ones not yet read).
func (c *Cache) Len() int { return int(c.size.Load()) }

func f64(u uint64) float64 { return math.Float64frombits(u) }
func u64(f float64) uint64 { return math.Float64bits(f) }
