package sandboxconf

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-os-agent/runsc-ai/llmkernel"
)

// Plan is a create-time decision: every allowlisted setting with its value,
// source and reason.
type Plan struct {
	Image     string
	Situation llmkernel.Situation
	Decision  llmkernel.Decision
	// Profile is the create action the plan applies.
	Profile string
	Choices []Choice
}

// Decided returns the choices runsc-ai must apply.
func (p *Plan) Decided() []Choice {
	var out []Choice
	for _, c := range p.Choices {
		if c.Decided() {
			out = append(out, c)
		}
	}
	return out
}

// Get returns the choice for a setting.
func (p *Plan) Get(name string) (Choice, bool) {
	for _, c := range p.Choices {
		if c.Name == name {
			return c, true
		}
	}
	return Choice{}, false
}

// Risky reports whether the plan decided a boot-critical setting away from
// gVisor's default: only then is a failed boot worth a retry.
func (p *Plan) Risky() bool {
	for _, c := range p.Decided() {
		if BootCritical(c.Name) && c.Value != Default(c.Name) {
			return true
		}
	}
	return false
}

// FallBack turns every decided boot-critical setting back to its default,
// naming why; it returns the settings it changed.
func (p *Plan) FallBack(why string) []Choice {
	var changed []Choice
	for i, c := range p.Choices {
		if c.Decided() && BootCritical(c.Name) && c.Value != Default(c.Name) {
			changed = append(changed, c)
			p.Choices[i] = Choice{Name: c.Name, Value: Default(c.Name), Source: SourceFallback, Reason: why}
		}
	}
	return changed
}

// Decide makes the create-time plan. It never waits on a model: the engine
// answers from its cache or fast tier. The errors are a runsc-ai.*
// annotation that names something that does not exist, and limits the host
// cannot enforce (ErrLimitsUnenforceable).
func Decide(ctx context.Context, e *llmkernel.Engine, pol *llmkernel.Policy, in Inputs) (Plan, error) {
	p := Plan{Image: in.Spec.Image, Situation: in.situation()}
	if in.Spec.Profile != "" {
		a, err := llmkernel.ParseAction(llmkernel.KindCreate, in.Spec.Profile)
		if err != nil {
			return p, fmt.Errorf("annotation runsc-ai.profile: %w", err)
		}
		p.Decision = llmkernel.Decision{Kind: llmkernel.KindCreate, Key: p.Situation.Key(), Action: a, Reason: "asked for by the runsc-ai.profile annotation"}
	} else {
		p.Decision = e.Decide(ctx, p.Situation)
		if p.Situation.Evidence == 0 && p.Decision.Action == llmkernel.ActionKeep {
			p.Decision.Reason = "first run of this image: gVisor's defaults; its outcome teaches later runs"
		} else if sum := in.History.Summary(); sum != "" {
			p.Decision.Reason += "; " + sum
		}
	}
	p.Profile = p.Decision.ActionName()
	profile := pol.Create.Profiles[p.Profile]
	decided := SourceDecision
	if in.Spec.Profile != "" {
		decided = SourceProfile
	}
	for _, s := range settings {
		if c, ok := in.Explicit[s.name]; ok {
			p.Choices = append(p.Choices, c)
			continue
		}
		var c Choice
		switch v, ok := profile[s.name]; {
		case s.name == "platform":
			c = choosePlatform(pol, &in)
		case s.name == "ignore-cgroups":
			var err error
			if c, err = chooseCgroups(&in); err != nil {
				return p, err
			}
		case ok:
			c = Choice{Name: s.name, Value: resolve(s.name, v, in.Host.Cores), Source: decided,
				Reason: fmt.Sprintf("%s (%s tier): %s", p.Profile, p.Decision.Tier, p.Decision.Reason)}
		default:
			c = Choice{Name: s.name, Value: s.def, Source: SourceDefault}
		}
		// Profiles are checked when the policy loads; check again so a
		// Policy built in code cannot smuggle in anything else.
		if c.Decided() && !s.host {
			if err := CheckSetting(c.Name, c.Value); err != nil {
				c = Choice{Name: s.name, Value: s.def, Source: SourceDefault, Reason: "rejected: " + err.Error()}
			}
		}
		p.Choices = append(p.Choices, c)
	}
	return p, nil
}

// choosePlatform takes the first platform in the policy's preference for this
// architecture that the host probe allows and that has not failed to boot
// for this image.
func choosePlatform(pol *llmkernel.Policy, in *Inputs) Choice {
	prefs := pol.Create.Platforms[in.Host.Arch]
	if len(prefs) == 0 {
		prefs = []string{Default("platform")}
	}
	var skipped []string
	for _, name := range prefs {
		if f, ok := in.History.failed("platform", name); ok {
			skipped = append(skipped, fmt.Sprintf("%s failed to boot this image at %s", name, f.At.Format("2006-01-02 15:04:05Z07:00")))
			continue
		}
		pr, probed := in.Host.Platforms[name]
		switch {
		case probed && !pr.Usable:
			skipped = append(skipped, fmt.Sprintf("%s: probe says unusable", name))
			continue
		case !probed && name == "kvm":
			// KVM that passes no probe can hang a boot: never guess.
			skipped = append(skipped, "kvm: not probed (run 'runsc-ai host' to probe)")
			continue
		}
		why := fmt.Sprintf("%s policy prefers %v", in.Host.Arch, prefs)
		if probed {
			why += "; probe: " + name + " boots"
		}
		if len(skipped) > 0 {
			why += "; skipped " + fmt.Sprint(skipped)
		}
		return Choice{Name: "platform", Value: name, Source: SourceHost, Reason: why}
	}
	return Choice{Name: "platform", Value: Default("platform"), Source: SourceDefault,
		Reason: fmt.Sprintf("no preferred platform usable: %v", skipped)}
}

// ErrLimitsUnenforceable is wrapped by Decide's error for a container whose
// resource limits this host's cgroups cannot enforce: the create must fail
// (gVisor would, with a bare "controller missing").
var ErrLimitsUnenforceable = errors.New("resource limits cannot be enforced on this host")

// gvisorCgroups are the cgroup v2 controllers gVisor requires for every
// sandbox's cgroup (runsc/cgroup: all mandatory).
var gvisorCgroups = []string{"cpu", "cpuset", "io", "memory", "pids"}

// chooseCgroups decides for a host that lacks a controller gVisor requires
// (the memory controller on Raspberry Pi OS, unless its kernel command line
// enables it), where gVisor would fail every create: a spec that sets no
// limit runs without a cgroup, since there is nothing for one to enforce;
// a spec that sets limits is refused, with the fix, rather than run with
// them silently dropped.
func chooseCgroups(in *Inputs) (Choice, error) {
	var missing []string
	for _, c := range in.Host.MissingCgroups {
		if slices.Contains(gvisorCgroups, c) {
			missing = append(missing, c)
		}
	}
	if len(missing) == 0 {
		return Choice{Name: "ignore-cgroups", Value: Default("ignore-cgroups"), Source: SourceDefault}, nil
	}
	fix := ""
	if in.Host.CgroupFix != "" {
		fix = "; " + in.Host.CgroupFix
	}
	if len(in.Spec.Limits) > 0 {
		return Choice{}, fmt.Errorf("%w: the container sets %s limits, but this host's cgroups have no %s controller, which gVisor needs to enforce them%s",
			ErrLimitsUnenforceable, strings.Join(in.Spec.Limits, ", "), strings.Join(missing, ", "), fix)
	}
	return Choice{Name: "ignore-cgroups", Value: "true", Source: SourceHost,
		Reason: fmt.Sprintf("this host's cgroups have no %s controller, which gVisor requires for a sandbox's cgroup; the container sets no limits, so it runs without one (the agent cannot manage it)%s",
			strings.Join(missing, ", "), fix)}, nil
}

// Profiles lists the create actions.
func Profiles() []string { return slices.Clone(llmkernel.Actions(llmkernel.KindCreate)) }
