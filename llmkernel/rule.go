package llmkernel

import "fmt"

// Rule is a declarative decision from the policy: when every condition
// holds, take Action with StepPct. Rules are what a fresh node does before
// anything is learned; the fast tier overrides a rule once measured outcomes
// show its action does harm in situations like this one, and deep-tier
// answers (through the cache) come first.
type Rule struct {
	Name    string      `json:"name"`
	Kind    Kind        `json:"kind"`
	When    []Condition `json:"when"`
	Action  Action      `json:"action"`
	StepPct int         `json:"step_pct"`
}

// Condition bounds one feature: Min ≤ value ≤ Max.
type Condition struct {
	Feature Feature `json:"feature"`
	Min     float64 `json:"min"`
	Max     float64 `json:"max"`
}

// Match reports whether every condition holds for s.
func (r *Rule) Match(s *Situation) bool {
	if r.Kind != s.Kind {
		return false
	}
	for _, c := range r.When {
		if v := s.Features[c.Feature]; v < c.Min || v > c.Max {
			return false
		}
	}
	return true
}

func (r *Rule) validate() error {
	if r.Kind >= numKinds || int(r.Action) >= len(actionSpaces[r.Kind]) {
		return fmt.Errorf("policy: rule %q: action %d outside the %s action space", r.Name, r.Action, r.Kind)
	}
	if r.StepPct < 0 || r.StepPct > MaxStepPct {
		return fmt.Errorf("policy: rule %q: step %d%% outside 0..%d", r.Name, r.StepPct, MaxStepPct)
	}
	for _, c := range r.When {
		if c.Feature >= NumFeatures || !(c.Min <= c.Max) || !(c.Min >= 0) || !(c.Max <= 1) {
			return fmt.Errorf("policy: rule %q: condition on %s wants %v ≤ value ≤ %v", r.Name, c.Feature, c.Min, c.Max)
		}
	}
	return nil
}

// minRuleOutcomes is how many measured outcomes of a rule's action the fast
// tier needs before its estimate may override the rule.
const minRuleOutcomes = 3

// ruleDecision returns the first matching rule's decision, unless the fast
// tier has learned (from at least minRuleOutcomes outcomes) that the rule's
// action does harm here.
func (e *Engine) ruleDecision(s *Situation) (Decision, bool) {
	for i := range e.policy.Rules {
		r := &e.policy.Rules[i]
		if !r.Match(s) {
			continue
		}
		if c := e.fast.Arm(s, r.Action); !e.policy.Fast.Off && c.N >= minRuleOutcomes && c.Estimate < 0 {
			return Decision{}, false
		}
		return Decision{
			Kind: s.Kind, Key: s.Key(), Action: r.Action, StepPct: r.StepPct, Confidence: 100,
			Tier: TierPolicy, Reason: "policy rule " + r.Name,
		}, true
	}
	return Decision{}, false
}
