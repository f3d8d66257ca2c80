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
	"github.com/go-os-agent/runsc-ai/policies"
)

// settingsHost keeps one sandbox's settings in memory and counts changes:
// a stand-in for the cgroup host (tested on real cgroups in
// integration/live) so the loop's ordering can be checked on its own.
type settingsHost struct {
	mu      sync.Mutex
	at      time.Time
	current llmkernel.Resources
	applied int
	// busy is how many CPUs the sandbox keeps busy; its CPU time grows
	// by that much of each reading's interval (a window 1 s, a recheck
	// 100 ms).
	busy float64
	// waiting is how many of its threads wait for a CPU (a busy host);
	// its CPU wait grows by that much of each interval. unknownWait: the
	// host cannot say (more threads than are read).
	waiting     float64
	unknownWait bool
	cpu, wait   time.Duration
	reads       int // SampleCPU calls
	noWait      int // of which without the wait
}

// byTarget is an Actuator over one settingsHost per sandbox.
type byTarget map[string]*settingsHost

func (b byTarget) Sample(ctx context.Context, t *Target) (Sample, error) {
	return b[t.Sandbox].Sample(ctx, t)
}

func (b byTarget) SampleCPU(ctx context.Context, t *Target, wait bool) (Sample, error) {
	return b[t.Sandbox].SampleCPU(ctx, t, wait)
}

func (b byTarget) Apply(ctx context.Context, t *Target, set llmkernel.Resources) error {
	return b[t.Sandbox].Apply(ctx, t, set)
}

func (h *settingsHost) advance(d time.Duration) {
	h.at = h.at.Add(d)
	h.cpu += time.Duration(h.busy * float64(d))
	h.wait += time.Duration(h.waiting * float64(d))
}

func (h *settingsHost) cpuWait() time.Duration {
	if h.unknownWait {
		return -1
	}
	return h.wait
}

func (h *settingsHost) Sample(ctx context.Context, t *Target) (Sample, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.advance(time.Second)
	return Sample{At: h.at, CPUUsage: h.cpu, CPUWait: h.cpuWait(), MemWorkingSet: 32 << 20, Current: h.current, CPUs: 2}, nil
}

func (h *settingsHost) SampleCPU(ctx context.Context, t *Target, wait bool) (Sample, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reads++
	h.advance(100 * time.Millisecond)
	if !wait {
		h.noWait++
		return Sample{At: h.at, CPUUsage: h.cpu, CPUWait: -1}, nil
	}
	return Sample{At: h.at, CPUUsage: h.cpu, CPUWait: h.cpuWait()}, nil
}

func (h *settingsHost) Apply(ctx context.Context, t *Target, set llmkernel.Resources) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.applied++
	setNonZero(&h.current, set)
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
// (or cut) is not counted as efficiency, and what a weight moves is not
// counted as the sandbox's throughput (its neighbours get it); a quota's
// cut is.
func TestOutcomeEfficiency(t *testing.T) {
	before, now := llmkernel.Features{llmkernel.FeatCPUUtil: 0.9}, llmkernel.Features{llmkernel.FeatCPUUtil: 0.8}
	if o := measure(&pending{kind: llmkernel.KindCPU, before: before, resource: 1024, after: 103, weight: true}, &now, &Sample{}); o.Throughput != 0 {
		t.Errorf("a weight cut: throughput %v, want 0", o.Throughput)
	}
	if o := measure(&pending{kind: llmkernel.KindCPU, before: before, resource: 100, after: 50}, &now, &Sample{}); math.Abs(o.Throughput+0.1) > 1e-9 {
		t.Errorf("a quota cut: throughput %v, want -0.1", o.Throughput)
	}
	before, now = llmkernel.Features{}, llmkernel.Features{}
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

// Between windows, Recheck decides the CPU of the sandboxes whose weight a
// change of role makes wrong at once, on the default policy: a hog is cut
// after min_evidence's two windows (for CPU); when it stops computing, the next recheck (not the next
// window) gives its weight back whole; an interactive sandbox that starts
// computing yields at the next recheck. Step leaves their CPU to Recheck
// (with Recheck off it decides as before), and an idle sandbox with no
// latency need is not rechecked at all.
func TestRecheckBetweenWindows(t *testing.T) {
	e := defaultEngine(t)
	full := llmkernel.Resources{CPUShares: 1024, MemoryBytes: 512 << 20}
	hog := &settingsHost{at: time.Unix(1000, 0), current: full, busy: 2}
	web := &settingsHost{at: time.Unix(1000, 0), current: full, busy: 0.05}
	idle := &settingsHost{at: time.Unix(1000, 0), current: full}
	hosts := map[string]*settingsHost{"hog": hog, "web": web, "idle": idle}
	l := New(Config{Engine: e, Actuator: byTarget(hosts), Floors: policies.Default().Guardrails.Floors, Recheck: true})
	tg := []Target{{Sandbox: "hog", Ceiling: full}, {Sandbox: "web", Ceiling: full}, {Sandbox: "idle", Ceiling: full}}
	act := map[string]Activity{
		"hog":  {SyscallsPerSec: 3},                  // computes, waits on nothing
		"web":  {SyscallsPerSec: 400, Blocking: 0.5}, // waits on requests
		"idle": {SyscallsPerSec: 1, Blocking: 1},     // too few calls to say
	}
	activity := func(id string) (Activity, bool) { a, ok := act[id]; return a, ok }
	now := time.Unix(5000, 0)
	step := func() {
		now = now.Add(time.Second)
		l.Step(t.Context(), now, tg, activity)
	}
	recheck := func() {
		now = now.Add(100 * time.Millisecond)
		l.Recheck(t.Context(), now, activity)
	}
	// The first Step only reads; a window's evidence comes with each
	// one after it.
	for range 2 {
		step()
	}
	if hog.current.CPUShares != 1024 {
		t.Fatalf("after one window: hog %d shares (want 1024: a CPU cut waits for min_evidence's two windows)", hog.current.CPUShares)
	}
	step()
	if hog.current.CPUShares != 103 {
		t.Fatalf("after two windows: hog %d shares (want 103: the rule's 90 %% step)", hog.current.CPUShares)
	}
	step()
	if hog.current.CPUShares != 103 || web.current.CPUShares != 1024 {
		t.Fatalf("after three windows: hog %d shares (want 103: one cut per min_interval), web %d", hog.current.CPUShares, web.current.CPUShares)
	}
	recheck()
	// A dip of a tenth of a second (its collector, a busy host) is not a
	// change of role: rechecks measure over their last 300 ms.
	hog.busy = 0.2
	recheck()
	hog.busy = 2
	recheck()
	if hog.current.CPUShares != 103 {
		t.Fatalf("rechecks while the hog computes, one dip: %d shares", hog.current.CPUShares)
	}
	// The host gets busy: the cut hog gets a fifth of a CPU and waits
	// for the rest. It uses as little as one that stopped, but it did
	// not stop: its cut stays (the CI run of 2026-12-02 had given it
	// back, and the hysteresis then held it for 60 s). Nor when the wait
	// cannot be read.
	hog.busy, hog.waiting = 0.2, 1.8
	for range 4 {
		recheck()
	}
	hog.waiting, hog.unknownWait = 0, true
	for range 4 {
		recheck()
	}
	if hog.current.CPUShares != 103 {
		t.Fatalf("rechecks while the cut hog is starved, then while its wait is unknown: %d shares, want 103", hog.current.CPUShares)
	}
	// The wait costs a read per thread: asked for where it decides (the
	// cut hog), not for the service at its full weight.
	if hog.noWait != 0 || web.reads == 0 || web.noWait != web.reads {
		t.Errorf("rechecks without the wait: cut hog %d of %d, full-weight service %d of %d (want none, all)", hog.noWait, hog.reads, web.noWait, web.reads)
	}
	hog.busy, hog.unknownWait = 2, false
	recheck()
	// The roles swap: the hog waits on requests, the service computes.
	hog.busy, web.busy = 0.05, 2
	// (The tap's activity still says what the last window was: the
	// recheck acts on the CPU time alone.) Within three rechecks:
	for range 3 {
		recheck()
	}
	if hog.current.CPUShares != 1024 {
		t.Errorf("three rechecks after the hog stopped: %d shares, want 1024 (its weight back whole)", hog.current.CPUShares)
	}
	if web.current.CPUShares != 103 {
		t.Errorf("three rechecks after the service started computing: %d shares, want 103", web.current.CPUShares)
	}
	st, _ := l.Snapshot()
	if st.RecheckApplied != 2 || st.Rechecks < 14 || idle.current.CPUShares != 1024 {
		t.Errorf("rechecks %d, applied by them %d (want 2), idle's CPU shares %d", st.Rechecks, st.RecheckApplied, idle.current.CPUShares)
	}
	// The window in which the roles swapped mixes both (the service
	// busy half of it, the tap still saying it waits on requests: its
	// latency need 0.5 would give its weight back); it leaves CPU to the
	// recheck, which keeps the new settings.
	web.busy = 1
	step()
	web.busy = 2
	act["hog"], act["web"] = act["web"], act["hog"]
	recheck()
	if hog.current.CPUShares != 1024 || web.current.CPUShares != 103 {
		t.Errorf("a window and a recheck later: hog %d, web %d (want 1024, 103)", hog.current.CPUShares, web.current.CPUShares)
	}
	if n := idle.reads; n != 0 {
		t.Errorf("the idle sandbox was rechecked %d times", n)
	}
}

// A hog on a host busy with other work gets less than half its CPUs, so
// cpu_util alone (cpu_hog_yields) does not call it a hog; it waits for the
// rest, and cpu_hog_waits cuts it — when weights matter, under contention.
// A sandbox that uses as little without waiting is left alone.
func TestStarvedHogIsCut(t *testing.T) {
	e := defaultEngine(t)
	full := llmkernel.Resources{CPUShares: 1024, MemoryBytes: 512 << 20}
	hog := &settingsHost{at: time.Unix(1000, 0), current: full, busy: 0.66, waiting: 1.34}
	calm := &settingsHost{at: time.Unix(1000, 0), current: full, busy: 0.66}
	// An idle gVisor sandbox on a busy host: its runtime's threads wake
	// now and then and each waits its turn (the crowd scenario, 12-02).
	idle := &settingsHost{at: time.Unix(1000, 0), current: full, busy: 0.02, waiting: 1.2}
	l := New(Config{Engine: e, Actuator: byTarget{"hog": hog, "calm": calm, "idle": idle}, Floors: policies.Default().Guardrails.Floors})
	tg := []Target{{Sandbox: "hog", Ceiling: full}, {Sandbox: "calm", Ceiling: full}, {Sandbox: "idle", Ceiling: full}}
	activity := func(string) (Activity, bool) { return Activity{SyscallsPerSec: 3}, true }
	now := time.Unix(5000, 0)
	for range 4 {
		now = now.Add(time.Second)
		l.Step(t.Context(), now, tg, activity)
	}
	if hog.current.CPUShares != 103 || calm.current.CPUShares != 1024 || idle.current.CPUShares != 1024 {
		t.Errorf("after three windows: starved hog %d shares (want 103), one using as much without waiting %d, an idle one whose threads wait %d (want 1024 both)",
			hog.current.CPUShares, calm.current.CPUShares, idle.current.CPUShares)
	}
}

// defaultEngine is an engine on the embedded default policy, recording
// nothing, closed when the test ends.
func defaultEngine(t *testing.T) *llmkernel.Engine {
	t.Helper()
	e, err := llmkernel.New(llmkernel.Config{Policy: policies.Default(), NoRecords: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}
