package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/control"
	"github.com/go-os-agent/runsc-ai/llmkernel/inproc"
	"github.com/go-os-agent/runsc-ai/platform/cgroup"
)

// Role is one side of a scenario: a workload, when it starts after the
// scenario does, how long it runs, and its container's OCI memory limit.
type Role struct {
	Workload              string
	Lead, QuickLead       time.Duration
	Seconds, QuickSeconds int
	// Count containers run this role (0: one), QuickCount with --quick;
	// their results are one series: the median of their values, every
	// sample.
	Count, QuickCount int
	MemoryLimit       int64
	// Reserved: the harness samples the container's memory limit while it
	// runs and reports the time average ("<workload>/reserved").
	Reserved bool
	// Sensitive: the role a scheduler protects; alone, it is the
	// scenario's floor (see oracle.go). Disturbs: a sensitive role that
	// also disturbs the others part of the time (a phase's batch half),
	// which idles in the floor (the workload's --alone).
	Sensitive, Disturbs bool
	alone               bool // this run is the floor's
	// Limits are set in the container's OCI spec (a static setting's).
	Limits Limits
}

// scenarioRoles are the live loop's scenarios. A scenario's roles start
// together (after their leads) in separate containers on one runtime, each
// in its own cgroup, so the agent has something to manage. The leads model
// a node where a batch job already runs when the interactive one arrives;
// they are the same for every runtime.
var scenarioRoles = map[string][]Role{
	"noisy-neighbour": {
		{Workload: "latency-prober", Lead: 10 * time.Second, QuickLead: 2 * time.Second, Seconds: 10, QuickSeconds: 2, Sensitive: true},
		{Workload: "cpu-hog", Seconds: 24, QuickSeconds: 5},
	},
	"memory": {
		{Workload: "mem-idle", Seconds: 30, QuickSeconds: 4, MemoryLimit: 512 << 20, Reserved: true},
		{Workload: "mem-ramp", Seconds: 30, QuickSeconds: 6, MemoryLimit: 512 << 20, Reserved: true},
	},
	// The roles swap halfway: the agent must follow (hysteresis, grants);
	// no static setting suits both halves.
	"phases": {
		{Workload: "phase-early", Seconds: 30, QuickSeconds: 4, Sensitive: true, Disturbs: true},
		{Workload: "phase-late", Seconds: 30, QuickSeconds: 4, Sensitive: true, Disturbs: true},
	},
	// A slow leak beside a tight working set: headroom up to the OCI limit
	// for the leaker, no OOM kill for either, less memory reserved.
	"leak": {
		{Workload: "mem-leak", Seconds: 30, QuickSeconds: 6, MemoryLimit: 512 << 20, Reserved: true},
		{Workload: "mem-steady", Seconds: 30, QuickSeconds: 6, MemoryLimit: 512 << 20, Reserved: true},
	},
	// Cron-like jobs bursting beside an interactive service.
	"burst": {
		{Workload: "latency-prober", Lead: 2 * time.Second, QuickLead: time.Second, Seconds: 20, QuickSeconds: 4, Sensitive: true},
		{Workload: "cron-burst", Seconds: 24, QuickSeconds: 6, Count: 4, QuickCount: 2},
	},
	// Many sandboxes, mostly idle, a few busy: what the agent costs and
	// whether it decides for every sandbox on every window (run it on its
	// own: the agent's cost is the whole run's).
	"crowd": {
		{Workload: "crowd-idle", Seconds: 45, QuickSeconds: 6, Count: 45, QuickCount: 8, MemoryLimit: 256 << 20},
		{Workload: "crowd-busy", Lead: 5 * time.Second, QuickLead: time.Second, Seconds: 30, QuickSeconds: 4, Count: 5, QuickCount: 2, MemoryLimit: 256 << 20},
	},
	"io": {
		{Workload: "io-reader", Lead: 8 * time.Second, QuickLead: time.Second, Seconds: 10, QuickSeconds: 1, Sensitive: true},
		{Workload: "io-writer", Seconds: 20, QuickSeconds: 3},
	},
}

// Scenarios maps each scenario to its workloads.
var Scenarios = func() map[string][]string {
	m := map[string][]string{}
	for s, roles := range scenarioRoles {
		for _, r := range roles {
			m[s] = append(m[s], r.Workload)
		}
	}
	return m
}()

// ScenarioNames lists the scenarios, sorted.
func ScenarioNames() []string {
	var out []string
	for n := range Scenarios {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func role(scenario, w string) *Role {
	for i := range scenarioRoles[scenario] {
		if r := &scenarioRoles[scenario][i]; r.Workload == w {
			return r
		}
	}
	return nil
}

// cgroupParent is where the harness puts scenario containers' cgroups.
func cgroupParent() string { return fmt.Sprintf("/runsc-ai-bench-%d", os.Getpid()) }

// removeCgroup removes path's directory in every hierarchy, if empty.
func removeCgroup(path string) {
	dirs, err := cgroup.Dirs(path)
	if err != nil {
		return
	}
	for _, d := range dirs {
		os.Remove(d)
	}
}

// sampleLimit reads path's memory limit every 200 ms until ctx ends and
// returns the time average in MiB (0 when it could never be read).
func sampleLimit(ctx context.Context, path string) float64 {
	var sum float64
	var n int
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		if cg, err := cgroup.Open(path); err == nil {
			if s, err := cg.Read(); err == nil && s.MemoryLimit > 0 {
				sum += float64(s.MemoryLimit) / (1 << 20)
				n++
			}
		}
		select {
		case <-ctx.Done():
			if n == 0 {
				return 0
			}
			return sum / float64(n)
		case <-tick.C:
		}
	}
}

// agentProc is the runsc-ai agent the runsc-ai+agent runtime runs with.
type agentProc struct {
	cmd     *exec.Cmd
	self    string
	global  []string
	started time.Time
}

// AgentCost is what the agent cost over the run: CPU time, its peak
// resident memory, the decisions it made and the changes it applied.
type AgentCost struct {
	Seconds         float64 `json:"seconds"` // the agent's lifetime
	CPUSeconds      float64 `json:"cpu_seconds"`
	CPUShare        float64 `json:"cpu_share"` // of one core, over its lifetime
	PeakRSSBytes    uint64  `json:"peak_rss_bytes"`
	Decisions       uint64  `json:"decisions"`
	DecisionsPerSec float64 `json:"decisions_per_sec"`
	Applied         uint64  `json:"applied"`
	// Coverage is the share of sandbox-windows (after each sandbox's
	// first) the engine decided for; WindowMean one window over every
	// sandbox, DecisionMean one Decide.
	Coverage     float64       `json:"coverage"`
	WindowMean   time.Duration `json:"window_mean_ns"`
	DecisionMean time.Duration `json:"decision_mean_ns"`
}

// cost reads the agent's CPU time and peak RSS from /proc while it still
// runs; rep (may be nil) gives its decisions and changes.
func (a *agentProc) cost(rep *AgentReport) *AgentCost {
	c := &AgentCost{Seconds: time.Since(a.started).Seconds()}
	pid := a.cmd.Process.Pid
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// Fields after the command's closing parenthesis: utime and stime
		// are the 12th and 13th, in clock ticks (100 per second on Linux).
		if i := strings.LastIndexByte(string(b), ')'); i > 0 {
			f := strings.Fields(string(b[i+1:]))
			if len(f) > 12 {
				var ut, st float64
				fmt.Sscan(f[11], &ut)
				fmt.Sscan(f[12], &st)
				c.CPUSeconds = (ut + st) / 100
			}
		}
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				var kb uint64
				fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
				c.PeakRSSBytes = kb << 10
			}
		}
	}
	if c.Seconds > 0 {
		c.CPUShare = c.CPUSeconds / c.Seconds
	}
	if rep != nil {
		c.Decisions, c.Applied = rep.DecisionLatency.Count, rep.Applied
		if c.Seconds > 0 {
			c.DecisionsPerSec = float64(c.Decisions) / c.Seconds
		}
		if rep.SandboxWindows > 0 {
			c.Coverage = float64(rep.Decided) / float64(rep.SandboxWindows)
		}
		c.WindowMean, c.DecisionMean = rep.WindowLatency.Mean(), rep.DecisionLatency.Mean()
	}
	return c
}

// startAgent starts `runsc-ai agent` on rt's --ai-run and --ai-state (the
// embedded backend, the default policy), logging to logDir/<runtime>.log.
func startAgent(self string, rt Runtime, logDir string) (*agentProc, error) {
	var global []string
	for _, f := range rt.Flags {
		if strings.HasPrefix(f, "--ai-run=") || strings.HasPrefix(f, "--ai-state=") || strings.HasPrefix(f, "--ai-policy=") {
			global = append(global, f)
		}
	}
	logPath := filepath.Join(logDir, rt.Name+".log")
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer log.Close()
	// The bench measures the agent of the documented results: the embedded
	// backend, whatever models this host has — or the one its runtime
	// names (runsc-ai+deep).
	backend := rt.AgentFlags
	if backend == nil {
		backend = []string{"--backend=embedded"}
	}
	cmd := exec.Command(self, append(append(append([]string{}, global...), "agent", "--metrics="), backend...)...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the agent: %w", err)
	}
	a := &agentProc{cmd: cmd, self: self, global: global, started: time.Now()}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, err := a.status(); err == nil {
			return a, nil
		}
		if time.Now().After(deadline) {
			a.stop()
			b, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("the agent did not answer: %s", b)
		}
	}
}

// AgentReport is what the agent did during the run: its loop's counters.
type AgentReport = control.LoopStats

func (a *agentProc) status() (*AgentReport, error) {
	st, err := a.fullStatus()
	if err != nil {
		return nil, err
	}
	return &st.Loop, nil
}

// account is what the agent did and what that cost, from its status.
func (a *agentProc) account() *OtherAgent {
	acc := &OtherAgent{}
	if st, err := a.fullStatus(); err == nil {
		acc.Report, acc.Backend, acc.Model, acc.ModelNote, acc.Engine, acc.Inference = &st.Loop, st.Backend, st.Model, st.ModelNote, st.Engine, st.Inference
	}
	acc.Cost = a.cost(acc.Report)
	return acc
}

// OtherAgent is what an agent runtime's agent did and cost (results.json
// keeps runsc-ai+agent's in agent and agent_cost, the others' here).
type OtherAgent struct {
	Report *AgentReport `json:"agent,omitempty"`
	Cost   *AgentCost   `json:"cost,omitempty"`
	// Backend and Model as the agent reports them (with ModelNote: why
	// it runs without a model), its engine's counters (the deep tier's
	// answers among them) and the in-process model's work.
	Backend   string                 `json:"backend,omitempty"`
	Model     string                 `json:"model,omitempty"`
	ModelNote string                 `json:"model_note,omitempty"`
	Engine    *llmkernel.EngineStats `json:"engine,omitempty"`
	Inference *inproc.InferenceStats `json:"inference,omitempty"`
}

// agentStatus is the part of `agent status --json` the harness reads.
type agentStatus struct {
	Loop      AgentReport            `json:"loop"`
	Backend   string                 `json:"backend"`
	Model     string                 `json:"model"`
	ModelNote string                 `json:"model_note"`
	Engine    *llmkernel.EngineStats `json:"engine"`
	Inference *inproc.InferenceStats `json:"inference"`
	Security  *struct {
		Counts map[string]map[string]uint64 `json:"counts"`
		Recent []string                     `json:"recent"`
	} `json:"security"`
}

func (a *agentProc) fullStatus() (*agentStatus, error) {
	out, err := exec.Command(a.self, append(append([]string{}, a.global...), "agent", "status", "--json")...).Output()
	if err != nil {
		return nil, err
	}
	var st agentStatus
	if err := json.Unmarshal(out, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// Anomalies are the security findings of the agent over the run: on the
// benchmark's own workloads, once their images' profiles are learned
// (three runs), every one is a false positive.
type Anomalies struct {
	ByRule map[string]uint64 `json:"by_rule"`
	Total  uint64            `json:"total"`
	Recent []string          `json:"recent,omitempty"`
}

// anomalies reads them from the agent's status.
func (a *agentProc) anomalies() *Anomalies {
	st, err := a.fullStatus()
	if err != nil || st.Security == nil {
		return nil
	}
	out := &Anomalies{ByRule: map[string]uint64{}, Recent: st.Security.Recent}
	for _, rules := range st.Security.Counts {
		for r, n := range rules {
			out.ByRule[r] += n
			out.Total += n
		}
	}
	return out
}

func (a *agentProc) stop() {
	a.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { a.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		a.cmd.Process.Kill()
		<-done
	}
}
