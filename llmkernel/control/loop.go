package control

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/go-os-agent/runsc-ai/llmkernel"
)

// OutcomeWindows is how many windows after a change its outcome is measured.
const OutcomeWindows = 3

// Config assembles a loop.
type Config struct {
	Engine   *llmkernel.Engine
	Actuator Actuator
	Recorder Recorder // nil: nothing persisted
	Floors   llmkernel.Resources
	Logger   *zap.Logger
	// Recheck: the agent calls Recheck between windows, and the CPU of
	// the sandboxes it rechecks is decided there, not in Step.
	Recheck bool
}

// Loop is the decision step; Step is called once per window, from one
// goroutine. Snapshot may be called concurrently.
type Loop struct {
	cfg     Config
	log     *zap.Logger
	mu      sync.Mutex
	targets map[string]*tracked
	stats   LoopStats
}

// LoopStats count the loop's work.
type LoopStats struct {
	Windows      uint64 `json:"windows"`
	Applied      uint64 `json:"applied"`
	ApplyErrors  uint64 `json:"apply_errors"`
	Unrecorded   uint64 `json:"unrecorded"` // changes not made: their write-ahead record failed
	Rejected     uint64 `json:"rejected"`   // by guardrails
	SampleErrors uint64 `json:"sample_errors"`
	Outcomes     uint64 `json:"outcomes"`
	// Rechecks are CPU readings between windows (Recheck), and
	// RecheckApplied the changes they led to (also in Applied).
	Rechecks       uint64 `json:"rechecks,omitempty"`
	RecheckApplied uint64 `json:"recheck_applied,omitempty"`
	// Coverage: sandbox-windows after a sandbox's first (a window needs
	// two samples), but for those in which its cgroup, there before, is
	// gone (the sandbox has ended), and those in which the engine decided
	// for it (a sample that failed, or a window cut short, decides
	// nothing).
	SandboxWindows uint64 `json:"sandbox_windows"`
	Decided        uint64 `json:"sandbox_windows_decided"`
	// DecisionLatency is the engine's Decide; ApplyLatency the host's;
	// WindowLatency one whole window over every sandbox.
	DecisionLatency Histogram `json:"decision_latency"`
	ApplyLatency    Histogram `json:"apply_latency"`
	WindowLatency   Histogram `json:"window_latency"`
	// ByKind counts applied changes and rejections per kind.
	AppliedByKind map[string]uint64 `json:"applied_by_kind"`
	// AppliedByAction counts applied changes per kind/action.
	AppliedByAction map[string]uint64 `json:"applied_by_action"`
	RejectedByKind  map[string]uint64 `json:"rejected_by_kind"`
}

// TargetState is what the loop knows of one sandbox, for status.
type TargetState struct {
	Sandbox  string              `json:"sandbox"`
	Evidence int                 `json:"evidence"`
	Features map[string]float64  `json:"features"`
	Current  llmkernel.Resources `json:"current"`
	Ceiling  llmkernel.Resources `json:"ceiling"`
	// PeakMemory is the image's recorded peak (Target.PeakMemory).
	PeakMemory uint64 `json:"image_peak_memory_bytes,omitempty"`
	Last       string `json:"last_change,omitempty"`
	Error      string `json:"error,omitempty"`
}

type tracked struct {
	t        Target
	prev     Sample
	have     bool
	evidence int
	feat     llmkernel.Features
	window   time.Duration // between the last two samples
	pending  []pending
	rejected [llmkernel.NumKinds]llmkernel.Guardrail // last rejection recorded, to record each once
	last     string
	err      string
	seen     bool // stepped in an earlier window
	sampled  bool // sampled once at least: its cgroup existed
	// cpu keeps the last CPU readings, a window's samples and rechecks',
	// oldest first: where a recheck's interval starts (recheckSpan).
	cpu []Sample
}

// reading adds a CPU reading, keeping those a recheck may start from.
func (tr *tracked) reading(s Sample) {
	keep := tr.cpu[:0]
	for _, r := range tr.cpu {
		if s.At.Sub(r.At) <= recheckSpan {
			keep = append(keep, r)
		}
	}
	tr.cpu = append(keep, Sample{At: s.At, CPUUsage: s.CPUUsage, CPUWait: s.CPUWait})
}

// from is where a recheck at time at measures from: the oldest reading at
// most recheckSpan before it, or the newest (a longer interval: the first
// recheck after a while); false when that is less than minRecheck ago.
func (tr *tracked) from(at time.Time) (Sample, bool) {
	if len(tr.cpu) == 0 {
		return Sample{}, false
	}
	r := tr.cpu[len(tr.cpu)-1]
	for _, c := range tr.cpu {
		if at.Sub(c.At) <= recheckSpan {
			r = c
			break
		}
	}
	return r, at.Sub(r.At) >= minRecheck
}

type pending struct {
	id       uint64
	kind     llmkernel.Kind
	due      time.Time
	before   llmkernel.Features
	resource uint64 // the setting before the change
	after    uint64
	ooms     uint64
	weight   bool // the setting is a weight (CPU shares, I/O weight)
}

// liveKinds are the kinds decided for running sandboxes.
var liveKinds = []llmkernel.Kind{llmkernel.KindCPU, llmkernel.KindMemory, llmkernel.KindIO}

// New makes a loop.
func New(cfg Config) *Loop {
	log := cfg.Logger
	if log == nil {
		log = zap.NewNop()
	}
	return &Loop{cfg: cfg, log: log, targets: map[string]*tracked{},
		stats: LoopStats{AppliedByKind: map[string]uint64{}, AppliedByAction: map[string]uint64{}, RejectedByKind: map[string]uint64{}}}
}

// Step runs one window over targets; activity returns a sandbox's tap
// activity (false: the tap said nothing this window). Sandboxes no longer
// among targets are forgotten.
func (l *Loop) Step(ctx context.Context, now time.Time, targets []Target, activity func(sandbox string) (Activity, bool)) {
	l.mu.Lock()
	l.stats.Windows++
	seen := make(map[string]bool, len(targets))
	for i := range targets {
		t := targets[i]
		seen[t.Sandbox] = true
		tr, ok := l.targets[t.Sandbox]
		if !ok {
			tr = &tracked{}
			l.targets[t.Sandbox] = tr
		}
		tr.t = t
	}
	for id := range l.targets {
		if !seen[id] {
			delete(l.targets, id)
		}
	}
	work := make([]*tracked, 0, len(l.targets))
	for _, tr := range l.targets {
		work = append(work, tr)
	}
	l.mu.Unlock()

	start := time.Now()
	var eligible, decided uint64
	for _, tr := range work {
		if ctx.Err() != nil {
			if tr.seen {
				eligible++
			}
			break
		}
		act, ok := activity(tr.t.Sandbox)
		d, gone := l.step(ctx, now, tr, act, ok)
		// A window in which a sandbox's cgroup, there before, is gone is
		// not one to decide: the sandbox has ended (the tap's FIFO and
		// runsc's state outlive it for a moment). A cgroup never found
		// is a failure to decide, and counts.
		if tr.seen && !gone {
			eligible++
			if d {
				decided++
			}
		}
		tr.seen = true
	}
	l.mu.Lock()
	l.stats.SandboxWindows += eligible
	l.stats.Decided += decided
	l.stats.WindowLatency.observe(time.Since(start))
	l.mu.Unlock()
}

// step samples one sandbox and decides for it; it reports whether the
// engine decided anything, and whether the sandbox's cgroup, sampled
// before, no longer exists.
func (l *Loop) step(ctx context.Context, now time.Time, tr *tracked, act Activity, haveAct bool) (decided, gone bool) {
	s, err := l.cfg.Actuator.Sample(ctx, &tr.t)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.stats.SampleErrors++
		if tr.err != err.Error() {
			l.log.Warn("reading sandbox", zap.String("sandbox", tr.t.Sandbox), zap.Error(err))
		}
		tr.err, tr.have, tr.evidence = err.Error(), false, 0
		return false, tr.sampled && errors.Is(err, fs.ErrNotExist)
	}
	tr.err, tr.sampled = "", true
	if !tr.have || !s.At.After(tr.prev.At) {
		tr.prev, tr.have, tr.cpu = s, true, tr.cpu[:0]
		tr.reading(s)
		return
	}
	prev := tr.prev
	tr.prev = s
	tr.reading(s)
	tr.window = max(s.At.Sub(prev.At), 100*time.Millisecond)
	tr.feat = features(&prev, &s, act)
	tr.evidence++
	l.outcomes(now, tr, &s)

	for _, k := range liveKinds {
		if k != llmkernel.KindMemory && !haveAct {
			continue // without the tap's view, CPU and I/O needs are unknown
		}
		if l.unmanaged(k, &s.Current) {
			continue
		}
		if k == llmkernel.KindCPU && l.cfg.Recheck && l.rechecked(tr) {
			decided = true // between windows, on the latest interval (Recheck)
			continue
		}
		sit := llmkernel.Situation{
			Kind: k, Sandbox: tr.t.Sandbox, Image: tr.t.Image, Features: tr.feat, Evidence: tr.evidence,
			Ceiling: l.ceiling(&tr.t), Current: s.Current, PeakMemory: tr.t.PeakMemory,
		}
		d := l.cfg.Engine.Decide(ctx, sit)
		decided = true
		l.stats.DecisionLatency.observe(d.Latency)
		if d.Action == llmkernel.ActionKeep {
			if d.Rejected != "" {
				l.stats.Rejected++
				l.stats.RejectedByKind[k.String()]++
				// Warm-up (too little evidence) is normal, not news.
				if tr.rejected[k] != d.Guardrail && d.Guardrail != llmkernel.GuardEvidence {
					tr.rejected[k] = d.Guardrail
					l.record(&sit, &d, now, "", "")
				}
			}
			continue
		}
		tr.rejected[k] = ""
		l.apply(ctx, now, tr, &sit, &d, &s)
	}
	return decided, false
}

// A recheck measures CPU use over the last recheckSpan (at the agent's
// 100 ms rechecks, its last three intervals): over 100 ms a hog's own dips
// (its runtime's collector, the scheduler's slices) read as a change of
// role, and a role swap still shows within a few tenths of a second. An
// interval shorter than minRecheck says more about the scheduler's timing
// than about the sandbox.
const (
	recheckSpan = 300 * time.Millisecond
	minRecheck  = 50 * time.Millisecond
)

// Recheck reads the CPU time of the sandboxes whose CPU weight a change of
// role makes wrong at once, and decides their CPU on the interval since the
// last reading (with the window's other features): a sandbox whose weight
// was cut (a hog that stops computing gets it back before its own requests
// queue behind a neighbour's work) and one with a latency need (one that
// starts computing yields before its neighbours' requests queue behind it).
// A window is too long for either: at 1 s, a role swap costs an interactive
// service a tenth of its requests. Step decides CPU for the others. Called
// between Steps, from Step's goroutine; it reads one file per sandbox it
// rechecks and records only the changes it makes (a recheck's keep and its
// rejections are the window's to report).
func (l *Loop) Recheck(ctx context.Context, now time.Time, activity func(sandbox string) (Activity, bool)) {
	l.mu.Lock()
	var work []*tracked
	for _, tr := range l.targets {
		if l.rechecked(tr) {
			work = append(work, tr)
		}
	}
	l.mu.Unlock()
	for _, tr := range work {
		if ctx.Err() != nil {
			return
		}
		if act, ok := activity(tr.t.Sandbox); ok {
			l.recheck(ctx, now, tr, act)
		}
	}
}

// rechecked: a sandbox measured for a window whose CPU weight is cut or
// that showed a latency need (Recheck).
func (l *Loop) rechecked(tr *tracked) bool {
	if !tr.have || tr.evidence == 0 || tr.err != "" || l.unmanaged(llmkernel.KindCPU, &tr.prev.Current) {
		return false
	}
	return tr.prev.Current.CPUShares < l.ceiling(&tr.t).CPUShares || tr.feat[llmkernel.FeatLatencyNeed] > 0
}

func (l *Loop) recheck(ctx context.Context, now time.Time, tr *tracked, act Activity) {
	// The wait tells a cut sandbox that stopped from one its cut starves;
	// for the others the window's figure stands (each read costs one per
	// thread, ten times a second).
	cut := tr.prev.Current.CPUShares < l.ceiling(&tr.t).CPUShares
	c, err := l.cfg.Actuator.SampleCPU(ctx, &tr.t, cut)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.stats.SampleErrors++ // the window's sample reports it
		return
	}
	r, ok := tr.from(c.At)
	if !ok {
		return
	}
	u := cpuUtil(r.At, c.At, r.CPUUsage, c.CPUUsage, &tr.prev)
	cur := tr.prev // its CPUs and settings: what the interval is measured against
	cur.At, cur.CPUUsage, cur.CPUWait = c.At, c.CPUUsage, c.CPUWait
	tr.reading(c)
	l.stats.Rechecks++
	f := tr.feat
	f[llmkernel.FeatCPUUtil] = u
	if cut {
		f[llmkernel.FeatCPUWait] = cpuWait(&r, &cur)
	}
	f[llmkernel.FeatLatencyNeed] = latencyNeed(act, u)
	sit := llmkernel.Situation{
		Kind: llmkernel.KindCPU, Sandbox: tr.t.Sandbox, Image: tr.t.Image, Features: f, Evidence: tr.evidence,
		Ceiling: l.ceiling(&tr.t), Current: tr.prev.Current, PeakMemory: tr.t.PeakMemory,
	}
	d := l.cfg.Engine.Decide(ctx, sit)
	l.stats.DecisionLatency.observe(d.Latency)
	if d.Action == llmkernel.ActionKeep {
		return
	}
	applied := l.stats.Applied
	l.apply(ctx, now, tr, &sit, &d, &tr.prev)
	if l.stats.Applied > applied {
		l.stats.RecheckApplied++
	}
}

// unmanaged: a kind whose setting this host does not report (or that is
// unlimited) is left alone; the loop never invents a limit.
func (l *Loop) unmanaged(k llmkernel.Kind, cur *llmkernel.Resources) bool {
	switch k {
	case llmkernel.KindCPU:
		return cur.CPUShares == 0
	case llmkernel.KindMemory:
		return cur.MemoryBytes == 0
	case llmkernel.KindIO:
		return cur.IOWeight == 0
	}
	return true
}

// ceiling is the OCI limit, or where the spec sets none, the baseline.
func (l *Loop) ceiling(t *Target) llmkernel.Resources {
	c := t.Ceiling
	pick := func(oci, base uint64) uint64 {
		if oci > 0 {
			return oci
		}
		return base
	}
	c.CPUShares = pick(c.CPUShares, t.Baseline.CPUShares)
	c.CPUQuotaPct = pick(c.CPUQuotaPct, t.Baseline.CPUQuotaPct)
	c.MemoryBytes = pick(c.MemoryBytes, t.Baseline.MemoryBytes)
	c.IOWeight = pick(c.IOWeight, t.Baseline.IOWeight)
	return c
}

// apply turns d into a new setting, applies it and records it.
func (l *Loop) apply(ctx context.Context, now time.Time, tr *tracked, sit *llmkernel.Situation, d *llmkernel.Decision, s *Sample) {
	set, before, after, what, err := next(sit, d, s, l.cfg.Floors)
	if err != nil {
		l.record(sit, d, now, "", err.Error())
		return
	}
	// Write ahead: an agent killed mid-change leaves a record of it. No
	// audit record, no change: a change explain cannot show is not made.
	if err := l.record(sit, d, now, "applying: "+what, ""); err != nil {
		l.stats.Unrecorded++
		l.log.Warn("not applied: the write-ahead record failed", zap.String("sandbox", tr.t.Sandbox), zap.String("change", what), zap.Error(err))
		return
	}
	start := time.Now()
	err = l.cfg.Actuator.Apply(ctx, &tr.t, set)
	l.stats.ApplyLatency.observe(time.Since(start))
	if err != nil {
		l.stats.ApplyErrors++
		l.log.Warn("applying a decision", zap.String("sandbox", tr.t.Sandbox), zap.Stringer("kind", sit.Kind), zap.Error(err))
		l.record(sit, d, now, "", err.Error())
		return
	}
	l.stats.Applied++
	setNonZero(&tr.prev.Current, set) // in force now: a recheck before the next sample starts from it
	l.stats.AppliedByKind[sit.Kind.String()]++
	l.stats.AppliedByAction[sit.Kind.String()+"/"+d.ActionName()]++
	tr.last = fmt.Sprintf("%s %s (%s)", now.UTC().Format(time.RFC3339), what, d.Reason)
	l.log.Info("applied", zap.String("sandbox", tr.t.Sandbox), zap.String("change", what), zap.Stringer("tier", d.Tier), zap.String("reason", d.Reason))
	l.record(sit, d, now, what, "")
	tr.pending = append(tr.pending, pending{
		id: d.ID, kind: sit.Kind, due: now.Add(OutcomeWindows * tr.window), before: sit.Features,
		resource: before, after: after, ooms: s.OOMKills, weight: set.CPUShares != 0 || set.IOWeight != 0,
	})
	if len(tr.pending) > 16 {
		tr.pending = tr.pending[1:] // bounded; the engine counts the lost outcome
	}
}

func (l *Loop) record(sit *llmkernel.Situation, d *llmkernel.Decision, now time.Time, applied, applyErr string) error {
	if l.cfg.Recorder == nil {
		return nil
	}
	r := llmkernel.NewRecord(sit, d, now)
	r.Applied, r.ApplyError = applied, applyErr
	if err := l.cfg.Recorder.PutDecision(r); err != nil {
		l.log.Warn("recording a decision", zap.Error(err))
		return err
	}
	return nil
}

// outcomes reports what the changes due by now led to.
func (l *Loop) outcomes(now time.Time, tr *tracked, s *Sample) {
	keep := tr.pending[:0]
	for _, p := range tr.pending {
		if now.Before(p.due) {
			keep = append(keep, p)
			continue
		}
		o := measure(&p, &tr.feat, s)
		if err := l.cfg.Engine.Observe(o); err != nil {
			l.log.Debug("outcome", zap.Error(err))
			continue
		}
		l.stats.Outcomes++
	}
	tr.pending = keep
}

// measure compares the windows after a change with the one before it. Each
// part is a relative improvement in [-1, 1]: throughput (CPU used), latency
// (throttling and pressure down), efficiency (the setting given back) and
// stability (no OOM kill, no memory squeeze).
func measure(p *pending, now *llmkernel.Features, s *Sample) llmkernel.Outcome {
	b := &p.before
	o := llmkernel.Outcome{DecisionID: p.id}
	// A weight moves CPU between sandboxes: nothing when uncontended,
	// and under contention what one gives up its neighbours get — a loss
	// to it, the reason for the cut to them. Counted as this sandbox's
	// throughput, every cut of a hog beside a service read as harm, and
	// after three the fast tier overrode cpu_hog_yields (measured: the
	// phases scenario, docs/benchmarks.md). A quota is a cap: what it
	// takes is lost.
	if p.kind == llmkernel.KindCPU && !p.weight {
		o.Throughput = bound(now[llmkernel.FeatCPUUtil] - b[llmkernel.FeatCPUUtil])
	}
	o.Latency = bound((b[llmkernel.FeatCPUThrottle] - now[llmkernel.FeatCPUThrottle]) +
		(b[llmkernel.FeatMemPressure] - now[llmkernel.FeatMemPressure]) + (b[llmkernel.FeatIOPressure] - now[llmkernel.FeatIOPressure]))
	// Efficiency is memory given back: a memory limit reserves what it
	// allows, while CPU shares and I/O weights are weights (they cost
	// nothing unless contended, and what is used then is throughput) and
	// a CPU quota is a cap. Counting a weight restored after a cut as a
	// loss taught the fast tier that giving an interactive sandbox its
	// share back does harm (measured: the phases scenario, docs/benchmarks.md).
	if p.resource > 0 && p.kind == llmkernel.KindMemory {
		o.Efficiency = bound((float64(p.resource) - float64(p.after)) / float64(p.resource))
	}
	switch {
	case s.OOMKills > p.ooms:
		o.Stability = -1
	case p.kind == llmkernel.KindMemory && now[llmkernel.FeatMemUtil] > 0.9:
		o.Stability = -0.5
	}
	return o
}

// setNonZero copies set's non-zero fields to cur (Actuator.Apply's rule).
func setNonZero(cur *llmkernel.Resources, set llmkernel.Resources) {
	for _, f := range [...]struct {
		to *uint64
		v  uint64
	}{
		{&cur.CPUShares, set.CPUShares}, {&cur.CPUQuotaPct, set.CPUQuotaPct},
		{&cur.MemoryBytes, set.MemoryBytes}, {&cur.IOWeight, set.IOWeight},
	} {
		if f.v != 0 {
			*f.to = f.v
		}
	}
}

func bound(v float64) float64 { return max(-1, min(1, v)) }

// Snapshot returns the loop's counters and per-sandbox state.
func (l *Loop) Snapshot() (LoopStats, []TargetState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]TargetState, 0, len(l.targets))
	for _, tr := range l.targets {
		f := make(map[string]float64, llmkernel.NumFeatures)
		for i, v := range tr.feat {
			f[llmkernel.Feature(i).String()] = v
		}
		out = append(out, TargetState{Sandbox: tr.t.Sandbox, Evidence: tr.evidence, Features: f,
			Current: tr.prev.Current, Ceiling: l.ceiling(&tr.t), PeakMemory: tr.t.PeakMemory, Last: tr.last, Error: tr.err})
	}
	st := l.stats
	st.AppliedByKind, st.RejectedByKind = copyMap(l.stats.AppliedByKind), copyMap(l.stats.RejectedByKind)
	st.AppliedByAction = copyMap(l.stats.AppliedByAction)
	st.DecisionLatency.Counts = append([]uint64(nil), l.stats.DecisionLatency.Counts...)
	st.ApplyLatency.Counts = append([]uint64(nil), l.stats.ApplyLatency.Counts...)
	sort.Slice(out, func(i, j int) bool { return out[i].Sandbox < out[j].Sandbox })
	return st, out
}

func copyMap(m map[string]uint64) map[string]uint64 {
	c := make(map[string]uint64, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// MostLatencySensitive is the sandbox whose last window showed the highest
// latency need, and that need ("" and 0: no sandbox measured yet). The
// in-process model's latency guard asks it between windows, from its own
// goroutine.
func (l *Loop) MostLatencySensitive() (sandbox string, need float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, tr := range l.targets {
		if !tr.have || tr.evidence == 0 {
			continue
		}
		if v := tr.feat[llmkernel.FeatLatencyNeed]; v > need || v == need && sandbox != "" && tr.t.Sandbox < sandbox {
			sandbox, need = tr.t.Sandbox, v
		}
	}
	if need == 0 {
		return "", 0
	}
	return sandbox, need
}
