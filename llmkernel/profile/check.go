package profile

import (
	"fmt"
	"sort"

	"github.com/go-os-agent/runsc-ai/llmkernel/summary"
)

// RuleKind is what a security rule looks for.
type RuleKind string

// Rule kinds.
const (
	// NewExec: a binary the image's profile never executed.
	NewExec RuleKind = "new_exec"
	// NewNetwork: a socket of a family (inet, netlink, other) the image
	// never opened.
	NewNetwork RuleKind = "new_network"
	// Privileged: an attempt at a privileged operation of a class in
	// Classes the image never attempted (with Always: any attempt,
	// profile or not — module loading, say).
	Privileged RuleKind = "privileged"
	// ForkRate: process creation faster than Factor times the profile's
	// highest rate, and at least MinRate per second.
	ForkRate RuleKind = "fork_rate"
)

// Rule is one declarative security rule (the policy's security.rules).
type Rule struct {
	Name    string
	Kind    RuleKind
	Classes []summary.Class // Privileged: which classes (empty: every privileged class)
	Always  bool            // Privileged: any attempt, even one the profile has seen
	Factor  float64         // ForkRate
	MinRate float64         // ForkRate
	// Enforce is what is done to the sandbox beyond the report, where the
	// policy opts in: "" (nothing), "pause" or "kill".
	Enforce string
}

// Enforcements a rule may opt into.
var Enforcements = []string{"", "pause", "kill"}

// ParseRuleKind checks a rule kind's name.
func ParseRuleKind(s string) (RuleKind, error) {
	switch k := RuleKind(s); k {
	case NewExec, NewNetwork, Privileged, ForkRate:
		return k, nil
	}
	return "", fmt.Errorf("unknown rule kind %q (want %s, %s, %s or %s)", s, NewExec, NewNetwork, Privileged, ForkRate)
}

// needsProfile: the rule compares with a learned profile (all but an
// Always rule).
func (r *Rule) needsProfile() bool { return !(r.Kind == Privileged && r.Always) }

// Anomaly is one rule's finding in one window, with its evidence.
type Anomaly struct {
	Rule *Rule
	// What triggered it: a binary (Exec), a class (Class; NumClasses
	// when none) and its count, a rate.
	Exec  string
	Class summary.Class
	Count uint64
	Rate  float64
	// Evidence says it in one line (container strings quoted).
	Evidence string
}

// Check returns the anomalies of window w of a sandbox of p's image under
// rules: rules that compare with the profile apply only once it is frozen
// (while it learns, its image's behaviour is what it learns). At most one
// anomaly per rule and binary, class or rate, in rule order.
func Check(p *Profile, w *Window, rules []Rule) []Anomaly {
	var out []Anomaly
	for i := range rules {
		r := &rules[i]
		if r.needsProfile() && (p == nil || !p.Frozen) {
			continue
		}
		switch r.Kind {
		case NewExec:
			seen := map[string]bool{}
			for _, x := range w.Execs {
				if _, known := p.Execs[x]; known || seen[x] {
					continue
				}
				seen[x] = true
				out = append(out, Anomaly{Rule: r, Exec: x, Class: summary.NumClasses, Count: count(w.Execs, x),
					Evidence: fmt.Sprintf("executed %q, never seen in this image (%d binaries learned over %d runs)", x, len(p.Execs), p.Runs)})
			}
		case NewNetwork:
			for c := summary.SockInet; c <= summary.SockOther; c++ {
				if n := w.Classes[c].Calls; n > 0 && p.Calls[c] == 0 {
					out = append(out, Anomaly{Rule: r, Class: c, Count: n,
						Evidence: fmt.Sprintf("%d socket(2) of family %s; this image never opened one in %d runs", n, c, p.Runs)})
				}
			}
		case Privileged:
			classes := r.Classes
			if len(classes) == 0 {
				for c := summary.FirstSensitive; c <= summary.LastSensitive; c++ {
					classes = append(classes, c)
				}
			}
			for _, c := range classes {
				n := w.Classes[c].Calls
				if n == 0 || !c.Sensitive() || !r.Always && p.Calls[c] > 0 {
					continue
				}
				ev := fmt.Sprintf("%d attempts at %s operations (%d refused)", n, c, w.Classes[c].Bytes)
				if !r.Always {
					ev += fmt.Sprintf("; this image never attempted one in %d runs", p.Runs)
				}
				out = append(out, Anomaly{Rule: r, Class: c, Count: n, Evidence: ev})
			}
		case ForkRate:
			rate := forkRate(w)
			if rate >= r.MinRate && rate > r.Factor*p.MaxForkRate {
				out = append(out, Anomaly{Rule: r, Class: summary.Process, Count: w.Classes[summary.Process].Calls, Rate: rate,
					Evidence: fmt.Sprintf("%.0f process creations per second, more than %.1f× this image's highest (%.1f/s)", rate, r.Factor, p.MaxForkRate)})
			}
		}
	}
	return out
}

func count(xs []string, x string) uint64 {
	var n uint64
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

// sortedExecs lists a profile's binaries by name.
func (p *Profile) sortedExecs() []string {
	names := make([]string, 0, len(p.Execs))
	for n := range p.Execs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
