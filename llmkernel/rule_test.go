package llmkernel

import (
	"context"
	"testing"
	"time"
)

// A matching rule decides until measured outcomes show its action harms;
// then the fast tier's choice stands.
func TestRuleThenLearned(t *testing.T) {
	e := hogRuleEngine(t, false)
	s := Situation{Kind: KindCPU, Sandbox: "b", Evidence: 5, Current: Resources{CPUShares: 1024}}
	s.Features[FeatCPUUtil] = 0.9
	quiet := s
	quiet.Features[FeatCPUUtil] = 0.1
	if d := e.Decide(context.Background(), quiet); d.Tier == TierPolicy {
		t.Fatalf("rule matched a quiet sandbox: %v", d)
	}
	for i := 0; i < minRuleOutcomes; i++ {
		s.Sandbox = string(rune('c' + i)) // fresh guard state each time
		d := e.Decide(context.Background(), s)
		if d.Tier != TierPolicy || d.Action != simLower || d.StepPct != 50 {
			t.Fatalf("decision %d: %v, want the rule's lower_shares", i, d)
		}
		if err := e.Observe(Outcome{DecisionID: d.ID, Throughput: -1, Latency: -1}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for e.Stats().Outcomes < minRuleOutcomes && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	s.Sandbox = "z"
	if d := e.Decide(context.Background(), s); d.Tier == TierPolicy {
		t.Errorf("rule still decides after %d harmful outcomes: %v", minRuleOutcomes, d)
	}
	if err := (&Rule{Name: "bad", Kind: KindCPU, Action: 9}).validate(); err == nil {
		t.Error("a rule with an action outside the space validated")
	}
}

// With the fast tier off (rules only), a rule holds even after outcomes
// taught that its action does harm (TestRuleThenLearned: with it on, the
// learned choice then stands), and where no rule holds the engine keeps.
func TestFastOffIsRulesOnly(t *testing.T) {
	e := hogRuleEngine(t, true)
	s := Situation{Kind: KindCPU, Sandbox: "b", Evidence: 5, Current: Resources{CPUShares: 1024}}
	s.Features[FeatCPUUtil] = 0.9
	for i := 0; i < minRuleOutcomes; i++ {
		s.Sandbox = string(rune('c' + i))
		d := e.Decide(context.Background(), s)
		if err := e.Observe(Outcome{DecisionID: d.ID, Throughput: -1, Latency: -1}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for e.Stats().Outcomes < minRuleOutcomes && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	s.Sandbox = "z"
	if d := e.Decide(context.Background(), s); d.Tier != TierPolicy || d.Action != simLower {
		t.Errorf("rules only: after harmful outcomes the rule no longer decides: %v", d)
	}
	quiet := s
	quiet.Features[FeatCPUUtil] = 0.1
	quiet.Sandbox = "q"
	if d := e.Decide(context.Background(), quiet); d.Action != ActionKeep || d.Tier != TierFast {
		t.Errorf("rules only, no rule holds: %v", d)
	}
}

// hogRuleEngine is an engine whose one rule lowers a busy, non-interactive
// sandbox's shares; fastOff: rules only.
func hogRuleEngine(t *testing.T, fastOff bool) *Engine {
	t.Helper()
	p := testPolicy()
	p.Fast.Off = fastOff
	p.Rules = []Rule{{Name: "hog", Kind: KindCPU, Action: simLower, StepPct: 50,
		When: []Condition{{Feature: FeatCPUUtil, Min: 0.5, Max: 1}, {Feature: FeatLatencyNeed, Min: 0, Max: 0.2}}}}
	e, err := New(Config{Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}
