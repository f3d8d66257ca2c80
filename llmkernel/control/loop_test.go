package control

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/history"
)

// settingsHost keeps one sandbox's settings in memory and counts changes:
// a stand-in for the cgroup host (tested on real cgroups in
// integration/live) so the loop's ordering can be checked on its own.
type settingsHost struct {
	mu      sync.Mutex
	at      time.Time
	current llmkernel.Resources
	applied int
}

func (h *settingsHost) Sample(ctx context.Context, t *Target) (Sample, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.at = h.at.Add(time.Second)
	return Sample{At: h.at, MemWorkingSet: 32 << 20, Current: h.current, CPUs: 2}, nil
}

func (h *settingsHost) Apply(ctx context.Context, t *Target, set llmkernel.Resources) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.applied++
	if set.MemoryBytes != 0 {
		h.current.MemoryBytes = set.MemoryBytes
	}
	return nil
}

// faultInjectionRecorder fails every write, like a full state filesystem.
type faultInjectionRecorder struct{}

func (faultInjectionRecorder) PutDecision(llmkernel.DecisionRecord) error {
	return errors.New("no space left on device")
}

func cutPolicy() llmkernel.Policy {
	var p llmkernel.Policy
	for _, k := range llmkernel.Kinds() {
		p.Kinds[k] = llmkernel.AllowAll(k, 50)
	}
	p.Goal = llmkernel.Goal{Name: "t", Throughput: 1, Latency: 1}
	p.Guardrails = llmkernel.Guardrails{Floors: llmkernel.Resources{MemoryBytes: 64 << 20}}
	p.Cache = llmkernel.CachePolicy{TTL: time.Minute, MinConfidence: 101}
	p.Fast = llmkernel.FastPolicy{Alpha: 1, DistillWeight: 1}
	p.Deep = llmkernel.DeepPolicy{Timeout: time.Second, Concurrency: 1, Queue: 1}
	lower, _ := llmkernel.ParseAction(llmkernel.KindMemory, "lower_limit")
	p.Rules = []llmkernel.Rule{{Name: "right_size", Kind: llmkernel.KindMemory, Action: lower, StepPct: 25,
		When: []llmkernel.Condition{{Feature: llmkernel.FeatMemUtil, Min: 0, Max: 0.4}}}}
	return p
}

// No audit record, no change: with the history unwritable nothing is
// applied; with a real history every change is in it before it is made.
func TestNoRecordNoChange(t *testing.T) {
	run := func(rec Recorder) (*settingsHost, LoopStats) {
		e, err := llmkernel.New(llmkernel.Config{Policy: cutPolicy(), NoRecords: true})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		h := &settingsHost{at: time.Unix(1000, 0), current: llmkernel.Resources{MemoryBytes: 512 << 20}}
		l := New(Config{Engine: e, Actuator: h, Recorder: rec, Floors: llmkernel.Resources{MemoryBytes: 64 << 20}})
		tg := []Target{{Sandbox: "sb", Ceiling: llmkernel.Resources{MemoryBytes: 512 << 20}}}
		now := time.Now()
		for i := 0; i < 6; i++ {
			l.Step(t.Context(), now.Add(time.Duration(i)*time.Second), tg, func(string) (Activity, bool) { return Activity{}, false })
		}
		st, _ := l.Snapshot()
		return h, st
	}
	h, st := run(faultInjectionRecorder{})
	if h.applied != 0 || st.Applied != 0 || st.Unrecorded == 0 {
		t.Errorf("history failing: %d changes applied, stats %+v", h.applied, st)
	}
	store, err := history.Open(filepath.Join(t.TempDir(), "live.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	h, st = run(store)
	recs, _ := store.ForSandbox("sb", 100)
	// The write-ahead record is replaced by the final one (same ID).
	recorded := 0
	for _, r := range recs {
		if r.Applied != "" {
			recorded++
		}
	}
	if h.applied == 0 || st.Unrecorded != 0 || recorded != h.applied {
		t.Errorf("history working: %d applied, %d recorded, stats %+v", h.applied, recorded, st)
	}
}

// faultInjectionSampler fails to sample the sandbox "bad" (a cgroup it
// cannot read), "never" (a cgroup never there) and, from its fourth
// window, "going" (its cgroup removed), and samples the others through
// settingsHost.
type faultInjectionSampler struct {
	*settingsHost
	going *int
}

func (h faultInjectionSampler) Sample(ctx context.Context, t *Target) (Sample, error) {
	switch t.Sandbox {
	case "bad":
		return Sample{}, errors.New("cgroup unreadable")
	case "never":
		return Sample{}, fmt.Errorf("cgroup /never: %w", fs.ErrNotExist)
	case "going":
		if *h.going++; *h.going > 3 {
			return Sample{}, fmt.Errorf("cgroup /going: %w", fs.ErrNotExist)
		}
	}
	return h.settingsHost.Sample(ctx, t)
}

// Coverage: every sandbox-window after a sandbox's first is counted, and
// decided only when the engine decided for it (not when its sample
// failed); a sandbox that arrives later counts from its second window; a
// sandbox whose cgroup is gone, having been there, is not counted any
// more (it has ended), but one whose cgroup was never found is.
func TestCoverage(t *testing.T) {
	e, err := llmkernel.New(llmkernel.Config{Policy: cutPolicy(), NoRecords: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	h := faultInjectionSampler{&settingsHost{at: time.Unix(1000, 0), current: llmkernel.Resources{MemoryBytes: 512 << 20}}, new(int)}
	l := New(Config{Engine: e, Actuator: h, Floors: llmkernel.Resources{MemoryBytes: 64 << 20}})
	ceil := llmkernel.Resources{MemoryBytes: 512 << 20}
	now := time.Now()
	for i := 0; i < 6; i++ {
		tg := []Target{{Sandbox: "good", Ceiling: ceil}, {Sandbox: "bad", Ceiling: ceil}, {Sandbox: "never", Ceiling: ceil}, {Sandbox: "going", Ceiling: ceil}}
		if i >= 3 {
			tg = append(tg, Target{Sandbox: "late", Ceiling: ceil})
		}
		l.Step(t.Context(), now.Add(time.Duration(i)*time.Second), tg, func(string) (Activity, bool) { return Activity{}, false })
	}
	st, _ := l.Snapshot()
	// good, bad and never: windows 2-6 (5 each); going: 2-3 (its cgroup
	// gone from window 4); late: windows 5-6 (2). Decided: good 5,
	// going 2, late 2.
	if st.SandboxWindows != 19 || st.Decided != 9 || st.WindowLatency.Count != 6 {
		t.Errorf("sandbox-windows %d (want 19), decided %d (want 9), windows timed %d (want 6)", st.SandboxWindows, st.Decided, st.WindowLatency.Count)
	}
}

// Efficiency is memory given back; a CPU weight restored after a cut
// (or cut) is not counted as efficiency — what it changes shows as
// throughput.
func TestOutcomeEfficiency(t *testing.T) {
	var before, now llmkernel.Features
	for _, tc := range []struct {
		kind     llmkernel.Kind
		from, to uint64
		want     float64
	}{
		{llmkernel.KindMemory, 512, 384, 0.25},
		{llmkernel.KindMemory, 256, 512, -1},
		{llmkernel.KindCPU, 64, 96, 0},
		{llmkernel.KindCPU, 1024, 103, 0},
		{llmkernel.KindIO, 500, 250, 0},
	} {
		o := measure(&pending{kind: tc.kind, before: before, resource: tc.from, after: tc.to}, &now, &Sample{})
		if o.Efficiency != tc.want {
			t.Errorf("%s %d -> %d: efficiency %v, want %v", tc.kind, tc.from, tc.to, o.Efficiency, tc.want)
		}
	}
}

// MostLatencySensitive (the in-process model's latency guard asks it) is
// the sandbox with the highest latency need in its last window: not one
// whose sample failed, not one gone from the targets, none before a
// sandbox's first whole window or when no sandbox waits on anything.
func TestMostLatencySensitive(t *testing.T) {
	e, err := llmkernel.New(llmkernel.Config{Policy: cutPolicy(), NoRecords: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	h := faultInjectionSampler{&settingsHost{at: time.Unix(1000, 0), current: llmkernel.Resources{MemoryBytes: 512 << 20}}, new(int)}
	l := New(Config{Engine: e, Actuator: h, Floors: llmkernel.Resources{MemoryBytes: 64 << 20}})
	ceil := llmkernel.Resources{MemoryBytes: 512 << 20}
	act := map[string]Activity{
		"web":   {SyscallsPerSec: 500, Blocking: 0.45}, // need 0.9 (no CPU used)
		"bad":   {SyscallsPerSec: 500, Blocking: 0.5},  // would be 1, but its samples fail
		"batch": {SyscallsPerSec: 500, Blocking: 0.1},  // 0.2
		"quiet": {SyscallsPerSec: 5, Blocking: 1},      // too few syscalls to say
	}
	activity := func(id string) (Activity, bool) { a, ok := act[id]; return a, ok }
	step := func(i int, ids ...string) {
		var tg []Target
		for _, id := range ids {
			tg = append(tg, Target{Sandbox: id, Ceiling: ceil})
		}
		l.Step(t.Context(), time.Unix(2000+int64(i), 0), tg, activity)
	}
	check := func(when, wantID string, wantNeed float64) {
		t.Helper()
		id, need := l.MostLatencySensitive()
		if id != wantID || math.Abs(need-wantNeed) > 1e-9 {
			t.Errorf("%s: %q %v, want %q %v", when, id, need, wantID, wantNeed)
		}
	}
	check("no window yet", "", 0)
	step(0, "web", "bad", "batch", "quiet")
	check("one sample each", "", 0)
	step(1, "web", "bad", "batch", "quiet")
	check("one window", "web", 0.9)
	step(2, "bad", "batch", "quiet")
	check("web gone", "batch", 0.2)
	step(3, "bad", "quiet")
	check("nobody waits", "", 0)
}
