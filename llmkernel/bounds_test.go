package llmkernel

import (
	"math"
	"math/rand/v2"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestStep(t *testing.T) {
	for _, tc := range []struct {
		cur            uint64
		dir, step      int
		ceiling, floor uint64
		wantV          uint64
		wantTaken      int
	}{
		{1024, +1, 50, 0, 0, 1536, 50},
		{1024, +1, 50, 2048, 0, 1536, 50},
		{1024, +1, 50, 1200, 0, 1200, 18}, // clamped to the OCI limit
		{2034, +1, 50, 2048, 0, 2048, 1},  // rounded up to arrive
		{50, +1, 1, 0, 0, 51, 2},          // a grant moves one unit at least
		{1024, -1, 50, 0, 0, 512, 50},     // cut
		{1024, -1, 50, 0, 800, 800, 22},   // clamped to the floor
		{1024, -1, 100, 0, 0, 1, 100},     // never below 1
		{3, -1, 10, 0, 0, 3, 0},           // a cut that rounds to nothing
		{math.MaxUint64 - 1, +1, 50, 0, 0, math.MaxUint64, 1},
		{1024, +1, 50, 512, 0, 1024, 0}, // above the ceiling already: never a cut
		{0, +1, 50, 0, 0, 0, 0},         // unset
		{1024, 0, 50, 0, 0, 1024, 0},    // no direction
	} {
		v, taken := Step(tc.cur, tc.dir, tc.step, tc.ceiling, tc.floor)
		if v != tc.wantV || taken != tc.wantTaken {
			t.Errorf("Step(%d, %+d, %d%%, ceiling %d, floor %d) = %d, %d%%; want %d, %d%%", tc.cur, tc.dir, tc.step, tc.ceiling, tc.floor, v, taken, tc.wantV, tc.wantTaken)
		}
	}
}

// The guardrails report the step Step took; the live loop applies that
// step: it must land on the same setting, or the decision recorded is not
// the change made.
func TestStepTakenLandsOnTheSameSetting(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		cur := r.Uint64N(1 << uint(r.IntN(63)+1))
		dir := []int{-1, 1}[r.IntN(2)]
		step := 1 + r.IntN(MaxStepPct)
		var ceiling, floor uint64
		if r.IntN(2) == 0 {
			ceiling = cur + r.Uint64N(cur/2+1)
		}
		if r.IntN(2) == 0 {
			floor = r.Uint64N(cur + 1)
		}
		v, taken := Step(cur, dir, step, ceiling, floor)
		if taken == 0 {
			if v != cur {
				t.Fatalf("Step(%d, %+d, %d, %d, %d) moved to %d with a step of 0", cur, dir, step, ceiling, floor, v)
			}
			continue
		}
		if again, _ := Step(cur, dir, min(step, taken), ceiling, floor); again != v {
			t.Fatalf("Step(%d, %+d, %d, %d, %d) = %d, %d%%; that step gives %d", cur, dir, step, ceiling, floor, v, taken, again)
		}
	}
}

func TestResourcesOf(t *testing.T) {
	shares, quota, period, mem, weight := uint64(512), int64(150000), uint64(100000), int64(256<<20), uint16(300)
	got := ResourcesOf(&specs.LinuxResources{
		CPU:     &specs.LinuxCPU{Shares: &shares, Quota: &quota, Period: &period},
		Memory:  &specs.LinuxMemory{Limit: &mem},
		BlockIO: &specs.LinuxBlockIO{Weight: &weight},
	})
	want := Resources{CPUShares: 512, CPUQuotaPct: 150, MemoryBytes: 256 << 20, IOWeight: 300}
	if got != want {
		t.Errorf("ResourcesOf = %+v, want %+v", got, want)
	}
	unlimited, zero := int64(-1), uint64(0)
	if got := ResourcesOf(&specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: &unlimited, Period: &zero}, Memory: &specs.LinuxMemory{Limit: &unlimited}}); got != (Resources{}) {
		t.Errorf("unlimited spec: %+v, want no limits", got)
	}
	if got := ResourcesOf(nil); got != (Resources{}) {
		t.Errorf("nil: %+v", got)
	}
}
