package llmkernel

import (
	"fmt"
	"time"
)

// Action is an index into its kind's action space.
type Action uint8

// ActionKeep is index 0 of every kind: change nothing. It is always safe,
// and it is the fallback when a decision is rejected.
const ActionKeep Action = 0

// actionSpaces are the finite, typed actions per kind. Direction matters to
// the guardrails' hysteresis: +1 grants more, -1 takes away, 0 neither.
var actionSpaces = [numKinds][]actionDef{
	KindCreate: {
		{"keep", 0}, {"profile_default", 0}, {"profile_low_memory", 0},
		{"profile_io_heavy", 0}, {"profile_latency", 0},
	},
	KindCPU: {
		{"keep", 0}, {"raise_shares", +1}, {"lower_shares", -1},
		{"raise_quota", +1}, {"lower_quota", -1},
	},
	KindMemory: {
		{"keep", 0}, {"raise_limit", +1}, {"lower_limit", -1},
		{"raise_soft_limit", +1}, {"lower_soft_limit", -1},
	},
	KindIO:       {{"keep", 0}, {"raise_weight", +1}, {"lower_weight", -1}},
	KindSecurity: {{"keep", 0}, {"report_anomaly", 0}},
}

type actionDef struct {
	name      string
	direction int
}

// Actions lists a kind's action names, in index order.
func Actions(k Kind) []string {
	defs := actionSpaces[k]
	names := make([]string, len(defs))
	for i, d := range defs {
		names[i] = d.name
	}
	return names
}

// ActionName is the name of action a of kind k.
func ActionName(k Kind, a Action) string {
	if k < numKinds && int(a) < len(actionSpaces[k]) {
		return actionSpaces[k][a].name
	}
	return fmt.Sprintf("action(%d)", a)
}

// ParseAction maps an action name of kind k to its index.
func ParseAction(k Kind, name string) (Action, error) {
	if k >= numKinds {
		return 0, fmt.Errorf("unknown kind %d", k)
	}
	for i, d := range actionSpaces[k] {
		if d.name == name {
			return Action(i), nil
		}
	}
	return 0, fmt.Errorf("action %q is not in the %s action space %v", name, k, Actions(k))
}

func direction(k Kind, a Action) int { return actionSpaces[k][a].direction }

// Direction says whether action a of kind k grants more (+1), takes away
// (-1) or neither (0).
func Direction(k Kind, a Action) int {
	if k >= numKinds || int(a) >= len(actionSpaces[k]) {
		return 0
	}
	return direction(k, a)
}

// Tier says which tier made a decision.
type Tier uint8

// Tiers.
const (
	TierFallback Tier = iota // the safe default (guardrail or no model)
	TierCache
	TierFast
	TierDeep
	TierPolicy // a declarative rule of the policy
	numTiers
)

var tierNames = [numTiers]string{"fallback", "cache", "fast", "deep", "policy"}

func (t Tier) String() string {
	if int(t) < len(tierNames) {
		return tierNames[t]
	}
	return fmt.Sprintf("tier(%d)", t)
}

// MaxStepPct bounds every decision's magnitude: no single decision moves a
// setting by more than this percentage.
const MaxStepPct = 100

// MaxReasonLen bounds a decision's reason; LLM text beyond it is rejected.
// Kept short: a small model may spend up to 4 byte tokens per character.
const MaxReasonLen = 48

// Decision is what Decide returns.
type Decision struct {
	// ID identifies the decision when its outcome is reported (Observe).
	ID     uint64
	Kind   Kind
	Key    Key
	Action Action
	// StepPct is the relative size of the change, 0..MaxStepPct.
	StepPct int
	// Confidence is 0..100.
	Confidence int
	Reason     string
	Tier       Tier
	// Rejected is set when a guardrail replaced the proposed decision; it
	// names the guardrail and what it rejected; Guardrail is that
	// guardrail's name alone.
	Rejected  string
	Guardrail Guardrail
	Latency   time.Duration
}

// ActionName is the decision's action name.
func (d Decision) ActionName() string { return ActionName(d.Kind, d.Action) }

func (d Decision) String() string {
	s := fmt.Sprintf("%s %s step=%d%% confidence=%d tier=%s reason=%q", d.Kind, d.ActionName(), d.StepPct, d.Confidence, d.Tier, d.Reason)
	if d.Rejected != "" {
		s += fmt.Sprintf(" rejected=%q", d.Rejected)
	}
	return s
}

func keep(s *Situation, tier Tier, reason string) Decision {
	return Decision{Kind: s.Kind, Key: s.Key(), Action: ActionKeep, Tier: tier, Reason: reason}
}
