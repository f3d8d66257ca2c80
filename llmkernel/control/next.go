package control

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/go-os-agent/runsc-ai/llmkernel"
)

// memHeadroomPct: a memory limit is never cut below the working set plus
// this share of the new limit (working set ≤ 60% of the new limit), so a cut
// cannot OOM-kill what is in use and does not re-trigger a grant.
const memHeadroomPct = 40

const pageSize = 4096

// next computes the setting decision d asks for, within the situation's
// ceilings (OCI limits or baseline) and the policy floors. It returns the
// settings to apply, the value before and after, and a description.
func next(sit *llmkernel.Situation, d *llmkernel.Decision, s *Sample, floors llmkernel.Limits) (set llmkernel.Limits, before, after uint64, what string, err error) {
	name, cur := llmkernel.Resource(sit.Kind, d.Action, &sit.Current)
	if cur == nil || name == "memory soft limit" {
		return set, 0, 0, "", fmt.Errorf("not applied: %s is not managed on running sandboxes", d.ActionName())
	}
	_, ceil := llmkernel.Resource(sit.Kind, d.Action, &sit.Limits)
	_, floor := llmkernel.Resource(sit.Kind, d.Action, &floors)
	if *cur == 0 {
		return set, 0, 0, "", fmt.Errorf("not applied: %s is unset or unlimited", name)
	}
	v := *cur
	delta := mulDiv(*cur, uint64(d.StepPct), 100)
	switch {
	case d.StepPct <= 0:
		return set, 0, 0, "", fmt.Errorf("not applied: a step of %d%%", d.StepPct)
	case llmkernel.Direction(sit.Kind, d.Action) > 0:
		if delta = max(delta, 1); v > math.MaxUint64-delta {
			v = math.MaxUint64
		} else {
			v += delta
		}
		if *ceil > 0 && v > *ceil {
			v = *ceil
		}
	default:
		v -= min(delta, v)
		v = max(v, *floor, 1)
		if name == "memory limit" {
			need := mulDiv(s.MemWorkingSet, 100, 100-memHeadroomPct)
			if need <= math.MaxUint64-pageSize {
				need = (need + pageSize - 1) / pageSize * pageSize
			}
			v = max(v, need)
		}
		v = min(v, *cur) // a cut never grows a setting
	}
	if v == *cur {
		return set, 0, 0, "", fmt.Errorf("not applied: %s stays %d (bound by the OCI limit, the floor or the working set)", name, v)
	}
	_, field := llmkernel.Resource(sit.Kind, d.Action, &set)
	*field = v
	return set, *cur, v, fmt.Sprintf("%s %d -> %d", name, *cur, v), nil
}

// mulDiv is v * num / den, saturating instead of overflowing.
func mulDiv(v, num, den uint64) uint64 {
	hi, lo := bits.Mul64(v, num)
	if hi >= den {
		return math.MaxUint64
	}
	q, _ := bits.Div64(hi, lo, den)
	return q
}
