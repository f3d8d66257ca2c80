package llmkernel

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// guard enforces the guardrails. Its state is the last change per sandbox and
// kind; keep decisions never touch it, so the common path takes no lock.
type guard struct {
	p        *Policy
	mu       sync.Mutex
	last     map[guardKey]lastChange
	rejected [numKinds]atomic.Uint64
}

type guardKey struct {
	sandbox string
	kind    Kind
}

type lastChange struct {
	at        time.Time
	direction int
}

// maxTrackedSandboxes bounds the guard's memory: sandbox IDs come from
// containers, and a flood of them must not grow it without end.
const maxTrackedSandboxes = 1 << 16

func newGuard(p *Policy) *guard {
	return &guard{p: p, last: map[guardKey]lastChange{}}
}

// Guardrail names the guardrail that rejected a decision.
type Guardrail string

// Guardrails, as Decision.Guardrail names them.
const (
	GuardActionSpace Guardrail = "action space"
	GuardPolicy      Guardrail = "policy"
	GuardEvidence    Guardrail = "evidence"
	GuardStep        Guardrail = "step"
	GuardOCILimit    Guardrail = "OCI limit"
	GuardFloor       Guardrail = "floor"
	GuardRateLimit   Guardrail = "rate limit"
	GuardHysteresis  Guardrail = "hysteresis"
)

// Resource names the setting action a of kind k changes and points at it
// in l (nil for actions that change no setting). Soft limits are bounded by
// the memory limit, so they point at MemoryBytes.
func Resource(k Kind, a Action, l *Resources) (name string, v *uint64) {
	switch ActionName(k, a) {
	case "raise_shares", "lower_shares":
		return "cpu shares", &l.CPUShares
	case "raise_quota", "lower_quota":
		return "cpu quota %", &l.CPUQuotaPct
	case "raise_limit", "lower_limit":
		return "memory limit", &l.MemoryBytes
	case "raise_soft_limit", "lower_soft_limit":
		return "memory soft limit", &l.MemoryBytes
	case "raise_weight", "lower_weight":
		return "io weight", &l.IOWeight
	}
	return "", nil
}

func resource(k Kind, a Action, l *Resources) *uint64 {
	_, v := Resource(k, a, l)
	return v
}

// PeakHeadroomPct is how far above the image's recorded peak a memory cut
// stays (Situation.PeakMemory).
const PeakHeadroomPct = 25

// CutFloor is the lowest value a cut of the setting action a moves may
// reach in s: the policy's floor and, for the memory limit of an image
// whose earlier runs are recorded, their peak plus PeakHeadroomPct.
func CutFloor(s *Situation, a Action, floors *Resources) uint64 {
	name, f := Resource(s.Kind, a, floors)
	if f == nil {
		return 0
	}
	if name == "memory limit" && s.PeakMemory > 0 {
		return max(*f, MulDiv(s.PeakMemory, 100+PeakHeadroomPct, 100))
	}
	return *f
}

// peakBacked: a memory cut of an image whose earlier runs are recorded;
// CutFloor keeps it above their peak, so the rate limit does not hold it.
func peakBacked(s *Situation, a Action) bool {
	name, _ := Resource(s.Kind, a, &s.Current)
	return name == "memory limit" && s.PeakMemory > 0
}

// check returns d if it passes every guardrail (with its step clamped to the
// bounds), or the keep fallback naming the guardrail that rejected it.
func (g *guard) check(s *Situation, d Decision, now time.Time) Decision {
	current := &s.Current
	if d.Action == ActionKeep {
		return d
	}
	// reject names the guardrail (rule) and says why in detail.
	reject := func(rule Guardrail, why string) Decision {
		g.rejected[s.Kind].Add(1)
		fb := keep(s, TierFallback, "guardrail: "+why)
		fb.Rejected = fmt.Sprintf("%s from %s tier: %s", d.ActionName(), d.Tier, why)
		fb.Guardrail = rule
		fb.Latency = d.Latency
		return fb
	}
	kp := &g.p.Kinds[s.Kind]
	if int(d.Action) >= len(actionSpaces[s.Kind]) {
		return reject(GuardActionSpace, "action outside the action space")
	}
	if int(d.Action) >= len(kp.Allowed) || !kp.Allowed[d.Action] {
		return reject(GuardPolicy, "action not allowed by the policy")
	}
	if s.Kind == KindSecurity && d.Action != ActionKeep && ActionName(s.Kind, d.Action) != "report_anomaly" {
		return reject(GuardPolicy, "security settings are never changed")
	}
	dir := direction(s.Kind, d.Action)
	// A memory cut that the image's recorded peak bounds (CutFloor) has
	// that image's earlier runs as its evidence: one window of this
	// sandbox suffices, and it goes to that floor at once (the working
	// set's margin still applies when it is made), whatever step was
	// asked and max_step_pct.
	backed := dir < 0 && peakBacked(s, d.Action)
	if min := g.p.MinEvidence(s.Kind); s.Evidence < min && !(backed && s.Evidence >= 1) {
		return reject(GuardEvidence, fmt.Sprintf("evidence %d < minimum %d", s.Evidence, min))
	}
	if d.StepPct < 0 {
		return reject(GuardStep, "negative step")
	}
	if d.StepPct > kp.MaxStepPct && !backed {
		d.StepPct = kp.MaxStepPct
	}
	if cur := resource(s.Kind, d.Action, current); cur != nil && *cur > 0 {
		limit := *resource(s.Kind, d.Action, &s.Ceiling)
		floor := CutFloor(s, d.Action, &g.p.Guardrails.Floors)
		switch {
		case dir > 0 && limit > 0 && *cur >= limit:
			return reject(GuardOCILimit, fmt.Sprintf("already at the OCI limit %d", limit))
		case dir < 0 && *cur <= floor && floor > *resource(s.Kind, d.Action, &g.p.Guardrails.Floors):
			return reject(GuardFloor, fmt.Sprintf("already at the image's recorded peak %d plus %d%%", s.PeakMemory, PeakHeadroomPct))
		case dir < 0 && *cur <= floor:
			return reject(GuardFloor, fmt.Sprintf("already at the policy floor %d", floor))
		}
		// Never grant more than the spec allows nor cut below the floor:
		// the step becomes the one that lands on the bound (rounded up, so
		// it can reach the bound exactly).
		_, taken := Step(*cur, dir, d.StepPct, limit, floor)
		d.StepPct = min(d.StepPct, taken)
		if backed {
			_, d.StepPct = Step(*cur, dir, 100, limit, floor)
		}
	}
	if dir != 0 && d.StepPct == 0 {
		return reject(GuardStep, "step rounds to nothing")
	}

	g.mu.Lock()
	defer g.mu.Unlock()
	k := guardKey{s.Sandbox, s.Kind}
	// Giving back (dir > 0, bounded by the OCI limit) is never delayed: a
	// workload that grows after a cut must get headroom at once. Taking
	// away is rate-limited — unless the image's recorded peak bounds the
	// cut: its earlier runs are the evidence the interval waits for — and,
	// after a grant, always waits out the hysteresis, so a setting cannot
	// flap faster than that.
	if last, ok := g.last[k]; ok && dir <= 0 {
		if now.Sub(last.at) < g.p.Guardrails.MinInterval && !(dir < 0 && peakBacked(s, d.Action)) {
			return reject(GuardRateLimit, fmt.Sprintf("rate limit: last change %v ago < %v", now.Sub(last.at).Round(time.Millisecond), g.p.Guardrails.MinInterval))
		}
		if dir < 0 && last.direction > 0 && now.Sub(last.at) < g.p.Guardrails.Hysteresis {
			return reject(GuardHysteresis, fmt.Sprintf("hysteresis: reverses the change made %v ago", now.Sub(last.at).Round(time.Millisecond)))
		}
	}
	if len(g.last) >= maxTrackedSandboxes {
		g.forgetOldest(now)
	}
	g.last[k] = lastChange{at: now, direction: dir}
	return d
}

// restore seeds the guard with changes made before this engine started
// (by an earlier agent), keeping the newest per sandbox and kind.
func (g *guard) restore(cs []Change) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, c := range cs {
		if c.Kind >= numKinds || len(g.last) >= maxTrackedSandboxes {
			continue
		}
		k := guardKey{c.Sandbox, c.Kind}
		if last, ok := g.last[k]; !ok || c.At.After(last.at) {
			g.last[k] = lastChange{at: c.At, direction: c.Direction}
		}
	}
}

// horizon is how far back a change still constrains the guard.
func (g *guard) horizon() time.Duration {
	return max(g.p.Guardrails.MinInterval, g.p.Guardrails.Hysteresis)
}

// forgetOldest drops entries older than the hysteresis window, or all if none
// are: forgetting only relaxes rate limits, never bounds.
func (g *guard) forgetOldest(now time.Time) {
	horizon := g.p.Guardrails.Hysteresis
	if g.p.Guardrails.MinInterval > horizon {
		horizon = g.p.Guardrails.MinInterval
	}
	for k, v := range g.last {
		if now.Sub(v.at) > horizon {
			delete(g.last, k)
		}
	}
	if len(g.last) >= maxTrackedSandboxes {
		clear(g.last)
	}
}
