package llmkernel

import (
	"time"

	"github.com/go-os-agent/runsc-ai/llmkernel/profile"
)

// Policy is everything the engine is told rather than learns: the goal,
// which actions each kind may take, the guardrails, and tier settings. The
// policies package loads it from YAML.
type Policy struct {
	Goal       Goal
	Kinds      [numKinds]KindPolicy
	Guardrails Guardrails
	Cache      CachePolicy
	Fast       FastPolicy
	Deep       DeepPolicy
	Create     CreatePolicy
	// Rules are declarative decisions, tried in order (see Rule).
	Rules []Rule
	// Security configures behaviour profiles and the security rules.
	Security SecurityPolicy
}

// SecurityPolicy configures the behaviour watcher (llmkernel/profile).
type SecurityPolicy struct {
	// Learning is how long an image's profile learns before it freezes.
	Learning profile.Learning
	// ReportEvery bounds how often one sandbox reports one rule on one
	// subject.
	ReportEvery time.Duration
	// Rules are checked every window, in order.
	Rules []profile.Rule
}

// CreatePolicy configures create-time configuration decisions (applied by
// llmkernel/sandboxconf); the engine itself only decides the profile.
type CreatePolicy struct {
	// Platforms lists gVisor platforms in order of preference per GOARCH.
	// kvm is taken only where the host probe says gVisor boots on it.
	Platforms map[string][]string
	// Profiles maps each create action (profile_*) to the gVisor flags it
	// sets; sandboxconf checks every flag and value against its allowlist.
	Profiles map[string]map[string]string
	// BootTimeout bounds a boot that uses a decided boot-critical setting
	// (the platform); past it the sandbox is retried with the default.
	BootTimeout time.Duration
}

// KindPolicy restricts one kind.
type KindPolicy struct {
	// Allowed[a] permits action a; keep is always allowed.
	Allowed    []bool
	MaxStepPct int
	// NoExplore makes the fast tier conservative (lower confidence bound
	// instead of the optimistic upper one): for create, where trying a
	// slower configuration costs a user's start-up. Another action then
	// replaces the known one only when measured outcomes or the deep tier's
	// answers show it better beyond their uncertainty.
	NoExplore bool
	// MinEvidence overrides the guardrail's minimum for this kind when > 0
	// (create decisions count earlier runs of an image, not windows).
	MinEvidence int
}

// MinEvidence is how much evidence must back a situation of kind k before
// anything but keep: the kind's own minimum, else the guardrails'.
func (p *Policy) MinEvidence(k Kind) int {
	if int(k) < len(p.Kinds) && p.Kinds[k].MinEvidence > 0 {
		return p.Kinds[k].MinEvidence
	}
	return p.Guardrails.MinEvidence
}

// Guardrails apply to every decision from every tier.
type Guardrails struct {
	// MinEvidence windows must back a situation before anything but keep.
	MinEvidence int
	// MinInterval between two changes of one kind to one sandbox.
	MinInterval time.Duration
	// Hysteresis: no reversal of direction (raise after lower, or lower
	// after raise) of one kind for one sandbox within this long.
	Hysteresis time.Duration
	// Floors: no decision takes a sandbox below these.
	Floors Resources
}

// CachePolicy configures the immediate tier.
type CachePolicy struct {
	TTL     time.Duration
	Regress float64
	// MinConfidence: fast-tier decisions at least this confident are cached.
	MinConfidence int
}

// FastPolicy configures the fast tier.
type FastPolicy struct {
	// Off: rules only — no learned decision, and no rule overridden by
	// what outcomes taught (a baseline to measure learning against).
	Off   bool
	Alpha float64
	// DistillWeight is how much one validated deep-tier answer counts,
	// relative to one measured outcome.
	DistillWeight float64
	// SandboxBudget bounds what one sandbox teaches the fast tier, which
	// every sandbox shares: the outcome weight (one per outcome,
	// DistillWeight per distilled deep answer) a sandbox may add per hour.
	// Beyond it its outcomes still reach the cache and the history, not
	// the shared model. 0: unbounded.
	SandboxBudget float64
}

// DeepPolicy configures the deep tier.
type DeepPolicy struct {
	Timeout     time.Duration
	Concurrency int
	Queue       int
	// CPUBudget bounds an in-process model's inference to this share of
	// one core, averaged over a minute; 0: unbounded.
	CPUBudget float64
	// MaxTempC pauses in-process inference while the host is hotter (or
	// its firmware throttles the CPU); 0: no thermal guard.
	MaxTempC float64
	// MaxHostCPU pauses in-process inference (and stops a running one)
	// while work other than the agent uses more than this share of the
	// host's CPUs; 0: no contention guard.
	MaxHostCPU float64
	// MaxLatencyNeed pauses in-process inference (and stops a running
	// one) while a managed sandbox's latency need is above this: an
	// interactive service is active and would share the memory bandwidth
	// and caches with the model; 0: no latency guard.
	MaxLatencyNeed float64
}

// AllowAll returns a KindPolicy allowing every action of k.
func AllowAll(k Kind, maxStep int) KindPolicy {
	p := KindPolicy{Allowed: make([]bool, len(actionSpaces[k])), MaxStepPct: maxStep}
	for i := range p.Allowed {
		p.Allowed[i] = true
	}
	return p
}
