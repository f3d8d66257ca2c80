package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/control"
	"github.com/go-os-agent/runsc-ai/llmkernel/history"
	"github.com/go-os-agent/runsc-ai/llmkernel/sandboxconf"
	"github.com/go-os-agent/runsc-ai/platform/cgroup"
	"github.com/go-os-agent/runsc-ai/runsc-ai/node"
)

// The agent's decision side: engine, history and the control loop over the
// sandboxes' cgroups (agenthost.go), and its metrics.

// startLoop opens the history and the engine; the returned func closes them.
func (a *agent) startLoop(c *Config) (func(), error) {
	logger := a.log
	pol, err := c.Node.LoadPolicy()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(c.historyPath()), 0o700); err != nil {
		return nil, fmt.Errorf("history directory: %w", err)
	}
	st, err := history.Open(c.historyPath())
	if errors.Is(err, history.ErrCorrupt) {
		logger.Warn("history", zap.Error(err))
	} else if err != nil {
		return nil, err
	}
	cfg := llmkernel.Config{Policy: pol, Models: st, Records: st, NoRecords: true, Logger: logger.Named("engine").WithOptions(zap.IncreaseLevel(zap.WarnLevel)),
		Readers: llmkernel.Readers{Hardware: node.Hardware}, OnTriage: a.triage}
	c.Backend.Beside = true
	// The latency guard asks the loop, which needs the engine, which
	// needs the backend: the loop is handed over once it exists.
	var loop atomic.Pointer[control.Loop]
	c.Backend.LatencyNeed = func() (string, float64) {
		if l := loop.Load(); l != nil {
			return l.MostLatencySensitive()
		}
		return "", 0
	}
	ob, err := c.Backend.Open(&pol)
	if err != nil {
		st.Close()
		return nil, err
	}
	cfg.Backend, a.model, a.modelNote, a.inference = ob.Backend, ob.Model, ob.Note, ob.Stats
	logger.Info("deep tier", zap.String("backend", c.Backend.Name), zap.String("model", ob.Model), zap.String("note", ob.Note))
	e, err := llmkernel.New(cfg)
	if err != nil {
		ob.Close()
		st.Close()
		return nil, err
	}
	a.engine, a.store, a.policy = e, st, &pol
	a.createDir = c.Node.CreateDir()
	host := newCgroupHost(pol.Guardrails.Floors)
	if !cgroup.HaveSchedstat() {
		logger.Warn("cpu wait", zap.Error(cgroup.ErrNoSchedstat),
			zap.String("effect", "cpu_wait reads 0: a hog whose weight was cut gets it back when its CPU time drops, even where a busy host starves it"))
	}
	a.targets = newTargets(a.tapDir, host)
	a.targets.peak = a.imagePeak
	a.loop = control.New(control.Config{Engine: e, Actuator: host, Recorder: st, Floors: pol.Guardrails.Floors, Logger: logger.Named("loop"), Recheck: c.Recheck > 0})
	loop.Store(a.loop)
	a.startWatch()
	return func() {
		e.Close()
		ob.Close()
		st.Close()
	}, nil
}

// decideOnce runs one decision window over the managed sandboxes, and
// folds the runs containers finished since the last window into the
// create-time history (commands only journal them).
func (a *agent) decideOnce(ctx context.Context, now time.Time) {
	if a.loop == nil {
		return
	}
	a.foldCreateHistory()
	ts, skipped := a.targets.list(now)
	a.mu.Lock()
	a.unmanaged = skipped
	a.mu.Unlock()
	a.watchTargets(a.targets.images(), now)
	a.loop.Step(ctx, now, ts, a.activity(now))
}

// recheckOnce decides, between windows, the CPU of the sandboxes whose
// weight a change of role makes wrong at once (control.Loop.Recheck).
func (a *agent) recheckOnce(ctx context.Context, now time.Time) {
	a.loop.Recheck(ctx, now, a.activity(now))
}

// activity is the tap's view of a sandbox for the loop: its last summary,
// if one came within three windows.
func (a *agent) activity(now time.Time) func(id string) (control.Activity, bool) {
	since := now.Add(-3 * a.window)
	return func(id string) (control.Activity, bool) {
		rate, blocking, ok := a.state.Activity(id, since)
		return control.Activity{SyscallsPerSec: rate, Blocking: blocking}, ok
	}
}

// imagePeak is the most memory the image's earlier runs used, from the
// create-time history (0: none recorded).
func (a *agent) imagePeak(image string) uint64 {
	st, err := sandboxconf.OpenExisting(a.createDir)
	if err != nil {
		return 0
	}
	d, err := st.Digest(image)
	if err != nil || d == nil {
		return 0
	}
	return d.PeakMemory
}

// foldCreateHistory folds the create-time journal, if runs wait in it.
func (a *agent) foldCreateHistory() {
	st, err := sandboxconf.OpenExisting(a.createDir)
	if err != nil || !st.Journaled() {
		return // no create-time history on this node yet, or nothing to fold
	}
	if _, err := st.Tidy(a.policy); err != nil {
		a.log.Warn("create-time history", zap.Error(err))
	}
}

// writeDecisionMetrics writes the decision loop's metrics.
func writeDecisionMetrics(w io.Writer, st *Status) {
	counter := func(name, help string) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n", name, help, name)
	}
	counter("runsc_ai_decisions_total", "Decisions by kind and tier (keep included).")
	for _, k := range slices.Sorted(maps.Keys(st.Engine.Decisions)) {
		for _, t := range slices.Sorted(maps.Keys(st.Engine.Decisions[k])) {
			fmt.Fprintf(w, "runsc_ai_decisions_total{kind=%q,tier=%q} %d\n", k, t, st.Engine.Decisions[k][t])
		}
	}
	counter("runsc_ai_rejected_total", "Proposed changes rejected by guardrails, by kind.")
	for _, k := range slices.Sorted(maps.Keys(st.Loop.RejectedByKind)) {
		fmt.Fprintf(w, "runsc_ai_rejected_total{kind=%q} %d\n", k, st.Loop.RejectedByKind[k])
	}
	counter("runsc_ai_applied_total", "Changes applied to sandboxes' cgroups, by kind.")
	for _, k := range slices.Sorted(maps.Keys(st.Loop.AppliedByKind)) {
		fmt.Fprintf(w, "runsc_ai_applied_total{kind=%q} %d\n", k, st.Loop.AppliedByKind[k])
	}
	counter("runsc_ai_apply_errors_total", "Changes the host refused.")
	fmt.Fprintf(w, "runsc_ai_apply_errors_total %d\n", st.Loop.ApplyErrors)
	if in := st.Inference; in != nil {
		counter("runsc_ai_inference_cpu_seconds_total", "CPU time of the in-process model's inference threads.")
		fmt.Fprintf(w, "runsc_ai_inference_cpu_seconds_total %g\n", in.CPU.Seconds())
		counter("runsc_ai_inference_budget_pauses_total", "Inferences refused because the inference CPU budget was spent.")
		fmt.Fprintf(w, "runsc_ai_inference_budget_pauses_total %d\n", in.BudgetPauses)
		counter("runsc_ai_inference_thermal_pauses_total", "Inferences paused by the thermal guard (temperature or firmware throttling).")
		fmt.Fprintf(w, "runsc_ai_inference_thermal_pauses_total %d\n", in.GatePauses)
		counter("runsc_ai_inference_contention_pauses_total", "Inferences not started, or stopped, because the host's other work kept its CPUs busy (deep.max_host_cpu) or a sandbox needed low latency (deep.max_latency_need).")
		fmt.Fprintf(w, "runsc_ai_inference_contention_pauses_total %d\n", in.ContentionPauses)
		counter("runsc_ai_inference_prompt_tokens_total", "Prompt tokens past the cached prefixes: evaluated, or taken back from recent decisions' kept data blocks.")
		fmt.Fprintf(w, "runsc_ai_inference_prompt_tokens_total{source=\"evaluated\"} %d\n", in.PromptTokens)
		fmt.Fprintf(w, "runsc_ai_inference_prompt_tokens_total{source=\"kept\"} %d\n", in.KeptTokens)
	}
	counter("runsc_ai_unrecorded_total", "Changes not made because their write-ahead history record failed.")
	fmt.Fprintf(w, "runsc_ai_unrecorded_total %d\n", st.Loop.Unrecorded)
	counter("runsc_ai_outcomes_total", "Outcomes measured and reported to the engine.")
	fmt.Fprintf(w, "runsc_ai_outcomes_total %d\n", st.Loop.Outcomes)
	counter("runsc_ai_sandbox_windows_total", "Sandbox-windows after each sandbox's first (each should be decided).")
	fmt.Fprintf(w, "runsc_ai_sandbox_windows_total %d\n", st.Loop.SandboxWindows)
	counter("runsc_ai_sandbox_windows_decided_total", "Sandbox-windows in which the engine decided for the sandbox.")
	fmt.Fprintf(w, "runsc_ai_sandbox_windows_decided_total %d\n", st.Loop.Decided)
	fmt.Fprintf(w, "# HELP runsc_ai_managed_sandboxes Sandboxes the agent decides on.\n# TYPE runsc_ai_managed_sandboxes gauge\nrunsc_ai_managed_sandboxes %d\n", len(st.Managed))
	for _, h := range []struct {
		name, help string
		h          *control.Histogram
	}{{"runsc_ai_decision_seconds", "Latency of one engine decision.", &st.Loop.DecisionLatency},
		{"runsc_ai_apply_seconds", "Latency of one cgroup change.", &st.Loop.ApplyLatency},
		{"runsc_ai_window_seconds", "Latency of one whole window over every sandbox.", &st.Loop.WindowLatency}} {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s histogram\n", h.name, h.help, h.name)
		for i, b := range control.Buckets {
			var n uint64
			if i < len(h.h.Counts) {
				n = h.h.Counts[i]
			}
			fmt.Fprintf(w, "%s_bucket{le=\"%g\"} %d\n", h.name, b.Seconds(), n)
		}
		fmt.Fprintf(w, "%s_bucket{le=\"+Inf\"} %d\n%s_sum %g\n%s_count %d\n", h.name, h.h.Count, h.name, h.h.Sum.Seconds(), h.name, h.h.Count)
	}
}
