package control

import (
	"strings"
	"testing"
	"time"

	"github.com/go-os-agent/runsc-ai/llmkernel"
)

func action(t *testing.T, k llmkernel.Kind, name string) llmkernel.Action {
	t.Helper()
	a, err := llmkernel.ParseAction(k, name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestNext(t *testing.T) {
	floors := llmkernel.Resources{CPUShares: 64, MemoryBytes: 64 << 20, IOWeight: 10}
	const mib = 1 << 20
	for _, tc := range []struct {
		name          string
		kind          llmkernel.Kind
		action        string
		step          int
		cur, ceil     llmkernel.Resources
		ws, peak      uint64
		before, after uint64
		err           string
	}{
		{name: "halve a hog's shares", kind: llmkernel.KindCPU, action: "lower_shares", step: 50,
			cur: llmkernel.Resources{CPUShares: 1024}, ceil: llmkernel.Resources{CPUShares: 1024}, before: 1024, after: 512},
		{name: "never below the floor", kind: llmkernel.KindCPU, action: "lower_shares", step: 50,
			cur: llmkernel.Resources{CPUShares: 100}, before: 100, after: 64},
		{name: "at the floor", kind: llmkernel.KindCPU, action: "lower_shares", step: 50,
			cur: llmkernel.Resources{CPUShares: 64}, err: "stays 64"},
		{name: "never beyond the ceiling", kind: llmkernel.KindCPU, action: "raise_shares", step: 50,
			cur: llmkernel.Resources{CPUShares: 800}, ceil: llmkernel.Resources{CPUShares: 1024}, before: 800, after: 1024},
		{name: "at the ceiling", kind: llmkernel.KindCPU, action: "raise_shares", step: 50,
			cur: llmkernel.Resources{CPUShares: 1024}, ceil: llmkernel.Resources{CPUShares: 1024}, err: "stays 1024"},
		{name: "memory cut keeps headroom over the working set", kind: llmkernel.KindMemory, action: "lower_limit", step: 25,
			cur: llmkernel.Resources{MemoryBytes: 512 * mib}, ws: 320 * mib, err: "stays"},
		{name: "memory cut", kind: llmkernel.KindMemory, action: "lower_limit", step: 25,
			cur: llmkernel.Resources{MemoryBytes: 512 * mib}, ws: 60 * mib, before: 512 * mib, after: 384 * mib},
		{name: "memory cut bound by working set", kind: llmkernel.KindMemory, action: "lower_limit", step: 25,
			cur: llmkernel.Resources{MemoryBytes: 512 * mib}, ws: 270 * mib, before: 512 * mib, after: 450 * mib},
		// The image's earlier runs peaked at 100 MiB: no cut below 125,
		// exactly (the guard's rounded-up step would overshoot).
		{name: "memory cut bound by the image's peak", kind: llmkernel.KindMemory, action: "lower_limit", step: 76,
			cur: llmkernel.Resources{MemoryBytes: 512 * mib}, ws: 60 * mib, peak: 100 * mib, before: 512 * mib, after: 125 * mib},
		{name: "the image's peak floor is whole pages", kind: llmkernel.KindMemory, action: "lower_limit", step: 76,
			cur: llmkernel.Resources{MemoryBytes: 512 * mib}, ws: 60 * mib, peak: 100*mib + 1, before: 512 * mib, after: 125*mib + 4096},
		{name: "at the image's peak", kind: llmkernel.KindMemory, action: "lower_limit", step: 25,
			cur: llmkernel.Resources{MemoryBytes: 125 * mib}, ws: 60 * mib, peak: 100 * mib, err: "stays"},
		// Within the image's recorded peak the working set keeps 30 %
		// headroom (≤ 70 % of the limit), not 40: 140 MiB / 0.7 = 200.
		{name: "memory cut within the image's peak keeps 30% headroom", kind: llmkernel.KindMemory, action: "lower_limit", step: 76,
			cur: llmkernel.Resources{MemoryBytes: 512 * mib}, ws: 140 * mib, peak: 150 * mib, before: 512 * mib, after: 200 * mib},
		// Beyond it (the sandbox does what its image never did) 40 %:
		// 160 MiB / 0.6, rounded up to whole pages.
		{name: "memory cut beyond the image's peak keeps 40% headroom", kind: llmkernel.KindMemory, action: "lower_limit", step: 76,
			cur: llmkernel.Resources{MemoryBytes: 512 * mib}, ws: 160 * mib, peak: 120 * mib, before: 512 * mib, after: (160*mib*100/60 + 4095) / 4096 * 4096},
		{name: "a peak does not hold back a grant", kind: llmkernel.KindMemory, action: "raise_limit", step: 25,
			cur: llmkernel.Resources{MemoryBytes: 100 * mib}, ceil: llmkernel.Resources{MemoryBytes: 512 * mib}, peak: 400 * mib, before: 100 * mib, after: 125 * mib},
		{name: "huge values saturate, never wrap", kind: llmkernel.KindMemory, action: "raise_limit", step: 50,
			cur: llmkernel.Resources{MemoryBytes: 3 << 62}, ceil: llmkernel.Resources{MemoryBytes: ^uint64(0)}, before: 3 << 62, after: ^uint64(0)},
		{name: "huge working set", kind: llmkernel.KindMemory, action: "lower_limit", step: 25,
			cur: llmkernel.Resources{MemoryBytes: 3 << 62}, ws: 3 << 62, err: "stays"},
		{name: "memory grant within the OCI limit", kind: llmkernel.KindMemory, action: "raise_limit", step: 25,
			cur: llmkernel.Resources{MemoryBytes: 900 * mib}, ceil: llmkernel.Resources{MemoryBytes: 1024 * mib}, before: 900 * mib, after: 1024 * mib},
		{name: "unlimited memory is left alone", kind: llmkernel.KindMemory, action: "lower_limit", step: 25, err: "unset or unlimited"},
		{name: "soft limits are not managed", kind: llmkernel.KindMemory, action: "lower_soft_limit", step: 25,
			cur: llmkernel.Resources{MemoryBytes: 512 * mib}, err: "not managed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sit := llmkernel.Situation{Kind: tc.kind, Current: tc.cur, Ceiling: tc.ceil, PeakMemory: tc.peak}
			d := llmkernel.Decision{Kind: tc.kind, Action: action(t, tc.kind, tc.action), StepPct: tc.step}
			set, before, after, what, err := next(&sit, &d, &Sample{MemWorkingSet: tc.ws}, floors)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if before != tc.before || after != tc.after {
				t.Errorf("%s: %d -> %d, want %d -> %d", what, before, after, tc.before, tc.after)
			}
			if _, field := llmkernel.Resource(tc.kind, d.Action, &set); *field != after {
				t.Errorf("settings %+v do not carry %d", set, after)
			}
		})
	}
}

func TestFeatures(t *testing.T) {
	t0 := time.Unix(100, 0)
	prev := Sample{At: t0, CPUUsage: time.Second, Periods: 100, Throttled: 10}
	cur := Sample{At: t0.Add(time.Second), CPUUsage: time.Second + 1500*time.Millisecond, Periods: 200, Throttled: 60,
		MemWorkingSet: 100, CPUs: 2, MemPressure: -1, IOPressure: 250,
		Current: llmkernel.Resources{MemoryBytes: 400}}
	hog := features(&prev, &cur, Activity{SyscallsPerSec: 3})
	want := map[llmkernel.Feature]float64{
		llmkernel.FeatCPUUtil: 0.75, llmkernel.FeatCPUThrottle: 0.5, llmkernel.FeatMemUtil: 0.25,
		llmkernel.FeatMemPressure: 0, llmkernel.FeatIOPressure: 1, llmkernel.FeatLatencyNeed: 0,
	}
	for f, v := range want {
		if got := hog[f]; got < v-1e-9 || got > v+1e-9 {
			t.Errorf("%s = %v, want %v", f, got, v)
		}
	}
	cur.CPUUsage = prev.CPUUsage + 100*time.Millisecond
	interactive := features(&prev, &cur, Activity{SyscallsPerSec: 400, Blocking: 0.5})
	if got := interactive[llmkernel.FeatLatencyNeed]; got < 0.9 {
		t.Errorf("latency need of a sandbox that mostly waits: %v", got)
	}
	// A counter reset (a recreated cgroup) reads as nothing, not as huge.
	cur.CPUUsage, cur.Periods = 0, 0
	if f := features(&prev, &cur, Activity{}); f[llmkernel.FeatCPUUtil] != 0 || f[llmkernel.FeatCPUThrottle] != 0 {
		t.Errorf("counter reset: %v", f)
	}
}
