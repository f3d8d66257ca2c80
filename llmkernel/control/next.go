package control

import (
	"fmt"
	"math"

	"github.com/go-os-agent/runsc-ai/llmkernel"
)

// memHeadroomPct: a memory limit is never cut below the working set plus
// this share of the new limit (working set ≤ 60% of the new limit), so a cut
// cannot OOM-kill what is in use and does not re-trigger a grant. (An
// image's recorded peak is a floor too: llmkernel.CutFloor.)
const memHeadroomPct = 40

// peakHeadroomPct replaces memHeadroomPct while the working set is within
// the image's recorded peak: its earlier runs bound its growth (the cut
// stays above that peak plus llmkernel.PeakHeadroomPct), so less is kept
// for growth never seen — the working set ≤ 70% of the new limit, still
// below the memory_headroom grant's 75%.
const peakHeadroomPct = 30

const pageSize = 4096

// next computes the setting decision d asks for, within the situation's
// ceilings (OCI limits or baseline) and the policy floors. It returns the
// settings to apply, the value before and after, and a description.
func next(sit *llmkernel.Situation, d *llmkernel.Decision, s *Sample, floors llmkernel.Resources) (set llmkernel.Resources, before, after uint64, what string, err error) {
	name, cur := llmkernel.Resource(sit.Kind, d.Action, &sit.Current)
	if cur == nil || name == "memory soft limit" {
		return set, 0, 0, "", fmt.Errorf("not applied: %s is not managed on running sandboxes", d.ActionName())
	}
	_, ceil := llmkernel.Resource(sit.Kind, d.Action, &sit.Ceiling)
	floor := llmkernel.CutFloor(sit, d.Action, &floors)
	if *cur == 0 {
		return set, 0, 0, "", fmt.Errorf("not applied: %s is unset or unlimited", name)
	}
	if d.StepPct <= 0 {
		return set, 0, 0, "", fmt.Errorf("not applied: a step of %d%%", d.StepPct)
	}
	v, _ := llmkernel.Step(*cur, llmkernel.Direction(sit.Kind, d.Action), d.StepPct, *ceil, floor)
	if v > *cur && name == "cpu shares" && *ceil > *cur {
		// A weight comes back whole: under contention, a tenth of it
		// back is still a starved sandbox, and uncontended it costs
		// nothing. (Cuts still step, and only with evidence.)
		v = *ceil
	}
	if v < *cur && name == "memory limit" {
		// Whole pages, rounded up: the kernel rounds a limit down, and
		// a floor must hold after it has.
		head := memHeadroomPct
		if sit.PeakMemory > 0 && s.MemWorkingSet <= sit.PeakMemory {
			head = peakHeadroomPct
		}
		v = max(v, llmkernel.MulDiv(s.MemWorkingSet, 100, uint64(100-head)))
		if v <= math.MaxUint64-pageSize {
			v = (v + pageSize - 1) / pageSize * pageSize
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
