package profile

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/go-os-agent/runsc-ai/llmkernel/summary"
)

// An operator who finds an anomaly normal accepts it into its image's
// profile (runsc-ai behaviour accept ID). The anomaly's decision record
// keeps its Subject, so that it can be accepted later, by another process,
// from the history alone.

// Subject kinds, the part of a subject before the first colon.
const (
	subjectExec     = "exec"
	subjectClass    = "class"
	subjectForkRate = "fork_rate"
)

// Subject names what a is about: "exec:NAME" (a binary), "class:CLASS" (a
// socket family or a privileged class), "fork_rate:RATE" (per second). It
// is empty for an anomaly of a rule that reports every attempt (Always):
// no profile silences those; the policy does.
func (a *Anomaly) Subject() string {
	switch {
	case a.Rule != nil && a.Rule.Kind == Privileged && a.Rule.Always:
		return ""
	case a.Rule != nil && a.Rule.Kind == ForkRate:
		return subjectForkRate + ":" + strconv.FormatFloat(a.Rate, 'g', 6, 64)
	case a.Exec != "":
		return subjectExec + ":" + a.Exec
	case a.Class >= 0 && a.Class < summary.NumClasses:
		return subjectClass + ":" + a.Class.String()
	}
	return ""
}

// ParseSubject is the anomaly a Subject names. The subject comes from the
// history on disk: it is checked as hostile input.
func ParseSubject(s string) (Anomaly, error) {
	kind, v, ok := strings.Cut(s, ":")
	if !ok || v == "" {
		return Anomaly{}, fmt.Errorf("anomaly subject %.80q: want exec:NAME, class:CLASS or fork_rate:RATE", s)
	}
	switch kind {
	case subjectExec:
		if v != summary.CleanExec(v) || len(v) > summary.MaxExecLen {
			return Anomaly{}, fmt.Errorf("anomaly subject %.80q: not a binary name the tap reports", s)
		}
		return Anomaly{Exec: v, Class: summary.NumClasses}, nil
	case subjectClass:
		c, err := summary.ParseClass(v)
		if err != nil {
			return Anomaly{}, fmt.Errorf("anomaly subject: %w", err)
		}
		return Anomaly{Class: c, Count: 1}, nil
	case subjectForkRate:
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r < 0 || math.IsInf(r, 0) || math.IsNaN(r) {
			return Anomaly{}, fmt.Errorf("anomaly subject %.80q: not a process-creation rate", s)
		}
		return Anomaly{Rule: &Rule{Kind: ForkRate}, Class: summary.Process, Rate: r}, nil
	}
	return Anomaly{}, fmt.Errorf("anomaly subject %.80q: unknown kind %.20q (want exec, class or fork_rate)", s, kind)
}

// Accept makes an anomaly part of the profile (an operator's "this is
// normal"): its binary, socket family or privileged class is learned, or
// its process-creation rate becomes the profile's highest, even while the
// profile is frozen. A binary beyond MaxExecs names is refused: the
// profile stays bounded.
func (p *Profile) Accept(a Anomaly) error {
	switch {
	case a.Rule != nil && a.Rule.Kind == ForkRate:
		p.MaxForkRate = max(p.MaxForkRate, a.Rate)
	case a.Exec != "":
		if p.Execs == nil {
			p.Execs = map[string]uint64{}
		}
		if _, ok := p.Execs[a.Exec]; !ok && len(p.Execs) >= MaxExecs {
			return fmt.Errorf("profile of %q already holds %d binaries (the most it keeps): %q not accepted", p.Image, MaxExecs, a.Exec)
		}
		p.Execs[a.Exec]++
	case a.Class >= 0 && a.Class < summary.NumClasses:
		p.Calls[a.Class] += max(a.Count, 1)
	default:
		return fmt.Errorf("nothing to accept into the profile of %q", p.Image)
	}
	return nil
}
