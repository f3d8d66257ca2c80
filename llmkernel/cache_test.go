package llmkernel

import (
	"testing"
	"time"
)

func TestCacheTTLAndRegression(t *testing.T) {
	c := NewCache(time.Second, 0.2)
	s := Situation{Kind: KindCPU}
	d := Decision{Kind: KindCPU, Key: s.Key(), Action: simRaise}
	c.Put(d, "", 0)
	if _, ok := c.Get(d.Key, "a", int64(time.Second/2)); !ok {
		t.Fatal("fresh entry missing")
	}
	if _, ok := c.Get(d.Key, "a", int64(2*time.Second)); ok || c.Len() != 0 {
		t.Fatal("expired entry served")
	}
	c.Put(d, "", 0)
	if c.Outcome(d.Key, "a", simRaise, 0.8) || c.Outcome(d.Key, "", simRaise, 0.7) {
		t.Fatal("evicted on a small dip")
	}
	if c.Outcome(d.Key, "a", simLower, -1) {
		t.Fatal("another action's outcome evicted the entry")
	}
	if !c.Outcome(d.Key, "a", simRaise, 0.5) {
		t.Fatal("not evicted when the outcome regressed 0.3 below its best")
	}
	if _, ok := c.Get(d.Key, "", 1); ok {
		t.Fatal("evicted entry still served")
	}
}

// A sandbox's own entry is served to it only, before the shared one.
func TestCacheScopes(t *testing.T) {
	c := NewCache(time.Hour, 0.2)
	s := Situation{Kind: KindCPU}
	shared := Decision{Kind: KindCPU, Key: s.Key(), Action: simLower}
	own := Decision{Kind: KindCPU, Key: s.Key(), Action: simRaise}
	c.Put(shared, "", 0)
	c.Put(own, "a", 0)
	if d, _ := c.Get(s.Key(), "a", 1); d.Action != simRaise {
		t.Errorf("sandbox a got %v, want its own entry", d)
	}
	if d, _ := c.Get(s.Key(), "b", 1); d.Action != simLower {
		t.Errorf("sandbox b got %v, want the shared entry", d)
	}
	c.Delete(s.Key(), "")
	if _, ok := c.Get(s.Key(), "b", 1); ok {
		t.Error("sandbox b was served sandbox a's entry")
	}
}

func BenchmarkCacheHit(b *testing.B) {
	c := NewCache(time.Hour, 0.2)
	s := Situation{Kind: KindCPU, Features: Features{0.9, 0.8}}
	now := time.Now().UnixNano()
	c.Put(Decision{Kind: KindCPU, Key: s.Key(), Action: simRaise}, "", now)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ok := c.Get(s.Key(), "bench", now); !ok {
			b.Fatal("miss")
		}
	}
}

func BenchmarkFastTierDecide(b *testing.B) {
	f := NewFastTier(1)
	env := &simEnv{rng: newRand(), noise: 0.1}
	for i := 0; i < 500; i++ {
		s := env.situation()
		a := f.Decide(&s, true).Action
		f.Update(&s, a, env.reward(&s, a), 1)
	}
	s := env.situation()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.Decide(&s, true)
	}
}

// BenchmarkDecideEmbedded is the whole Decide call of an embedded engine:
// cache or fast tier plus guardrails, logging off.
func BenchmarkDecideEmbedded(b *testing.B) {
	e, err := New(Config{Policy: testPolicy()})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	s := Situation{Kind: KindCPU, Sandbox: "bench", Evidence: 5, Features: Features{0.2, 0.9}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Decide(b.Context(), s)
	}
}
