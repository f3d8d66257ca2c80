package llmkernel

import (
	"math"
	"math/bits"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ResourcesOf is an OCI spec's resource limits in the engine's units: the
// ceilings no decision may grant beyond. nil gives no limits.
func ResourcesOf(r *specs.LinuxResources) Resources {
	var l Resources
	if r == nil {
		return l
	}
	if c := r.CPU; c != nil {
		if c.Shares != nil {
			l.CPUShares = *c.Shares
		}
		if c.Quota != nil && *c.Quota > 0 && c.Period != nil && *c.Period > 0 {
			l.CPUQuotaPct = MulDiv(uint64(*c.Quota), 100, *c.Period)
		}
	}
	if m := r.Memory; m != nil && m.Limit != nil && *m.Limit > 0 {
		l.MemoryBytes = uint64(*m.Limit)
	}
	if b := r.BlockIO; b != nil && b.Weight != nil {
		l.IOWeight = uint64(*b.Weight)
	}
	return l
}

// Step is where a step of stepPct percent of cur in direction dir (> 0
// grant, < 0 cut) takes the setting cur, bounded by ceiling (a grant never
// passes it; 0: none) and floor (a cut never goes below it, nor below 1),
// and the step actually taken in percent of cur, rounded up so that a
// step landing on a bound is not truncated (2034 → 2048 is 1 %, not 0). A
// grant moves at least one unit; a step that moves nothing is 0. This is
// the one place the guardrails (which clamp a decision's step) and the
// live loop (which computes the setting to apply) do this arithmetic.
func Step(cur uint64, dir, stepPct int, ceiling, floor uint64) (v uint64, taken int) {
	if cur == 0 || dir == 0 || stepPct <= 0 {
		return cur, 0
	}
	delta := MulDiv(cur, uint64(stepPct), 100)
	v = cur
	if dir > 0 {
		delta = max(delta, 1)
		if v > math.MaxUint64-delta {
			v = math.MaxUint64
		} else {
			v += delta
		}
		if ceiling > 0 && v > ceiling {
			v = max(ceiling, cur) // never a cut
		}
	} else {
		v -= min(delta, v)
		v = min(max(v, floor, 1), cur) // never a grant
	}
	return v, StepToReach(cur, v)
}

// StepToReach is the smallest step, in percent of cur, that moves cur to
// target or past it (the caller clamps the result to target), capped at
// MaxStepPct. It neither overflows for huge values nor truncates a step
// that is needed to arrive: 2034 → 2048 is 1 %, not 0.
func StepToReach(cur, target uint64) int {
	if cur == 0 {
		return MaxStepPct
	}
	diff := target - cur
	if target < cur {
		diff = cur - target
	}
	hi, lo := bits.Mul64(diff, 100)
	if hi >= cur { // quotient does not fit in 64 bits
		return MaxStepPct
	}
	q, r := bits.Div64(hi, lo, cur)
	if r > 0 {
		q++
	}
	return int(min(q, MaxStepPct))
}

// MulDiv is v * num / den, saturating instead of overflowing.
func MulDiv(v, num, den uint64) uint64 {
	hi, lo := bits.Mul64(v, num)
	if hi >= den {
		return math.MaxUint64
	}
	q, _ := bits.Div64(hi, lo, den)
	return q
}
