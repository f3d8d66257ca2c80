// Package bench is the benchmark harness behind `runsc-ai bench`: it runs the
// workloads (package workload) in runc, plain runsc, runsc-ai and runsc-ai
// with its agent, interleaved, and writes results.json (schema below,
// documented in docs/benchmarks.md), report.md and PNG plots.
package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"time"
)

// Schema names the results.json format; bump it on incompatible changes.
const Schema = "runsc-ai-bench/v1"

// Results is results.json.
type Results struct {
	Schema   string    `json:"schema"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Command  []string  `json:"command"`
	Machine  Machine   `json:"machine"`
	Config   Config    `json:"config"`
	Runtimes []Runtime `json:"runtimes"`
	Series   []Series  `json:"series"`
	Ratios   []Ratio   `json:"ratios"`
	// Agent is what the runsc-ai+agent runtime's agent did, when it ran,
	// and what that cost.
	Agent     *AgentReport `json:"agent,omitempty"`
	AgentCost *AgentCost   `json:"agent_cost,omitempty"`
	// OtherAgents: the same for the other agent runtimes in the run
	// (runsc-ai+rules, runsc-ai+deep), by runtime.
	OtherAgents map[string]*OtherAgent `json:"other_agents,omitempty"`
	// Anomalies are the agent's security findings on the benchmark's own
	// workloads (false positives, once each image's profile is learned).
	Anomalies *Anomalies `json:"anomalies,omitempty"`
	// AgentLogs are the agent runtimes' logs beside results.json (file
	// names; each change applied is an "applied" line with its rule and
	// the situation it saw).
	AgentLogs []string `json:"agent_logs,omitempty"`
	// Static is each scenario's grid of static settings (oracle.go); their
	// series carry the runtime "static:<name>", the floor's "floor".
	Static map[string][]Setting `json:"static,omitempty"`
	// Captures: each scenario measure of runsc-ai+agent against its
	// oracle.
	Captures []Capture `json:"captures,omitempty"`
}

// Machine is where the results were measured.
type Machine struct {
	Hostname    string `json:"hostname"`
	Arch        string `json:"arch"`
	Kernel      string `json:"kernel"`
	CPUModel    string `json:"cpu_model"`
	Cores       int    `json:"cores"`
	MemoryBytes uint64 `json:"memory_bytes"`
	Virtualized bool   `json:"virtualized"`
	Board       string `json:"board,omitempty"`
}

// Config is what was asked for.
type Config struct {
	Quick     bool     `json:"quick"`
	Repeat    int      `json:"repeat"`
	Warmup    int      `json:"warmup"`
	Workloads []string `json:"workloads"`
	Scenarios []string `json:"scenarios,omitempty"`
	Oracles   bool     `json:"oracles,omitempty"`
}

// Runtime is one runtime compared.
type Runtime struct {
	Name   string   `json:"name"`
	Binary string   `json:"binary,omitempty"`
	Flags  []string `json:"flags,omitempty"`
	// AgentFlags are the agent command's own flags (its backend), for
	// the runtimes that run one.
	AgentFlags []string `json:"agent_flags,omitempty"`
	Available  bool     `json:"available"`
	// Reason says why an unavailable runtime was skipped.
	Reason string `json:"reason,omitempty"`
}

// Series is one workload on one runtime: a value per repetition.
type Series struct {
	Workload string `json:"workload"`
	// Scenario is set when the workload ran as part of a scenario.
	Scenario string    `json:"scenario,omitempty"`
	Runtime  string    `json:"runtime"`
	Metric   string    `json:"metric"`
	Better   string    `json:"better"` // lower | higher
	Values   []float64 `json:"values"`
	Median   float64   `json:"median"`
	Min      float64   `json:"min"`
	Max      float64   `json:"max"`
	// Latency workloads: percentiles over every sample of every repetition.
	P50     float64   `json:"p50,omitempty"`
	P99     float64   `json:"p99,omitempty"`
	Samples []float64 `json:"samples,omitempty"`
	Errors  []string  `json:"errors,omitempty"`
}

// Ratio compares a runtime with a baseline (runsc) repetition by repetition:
// Pairs[i] = value(runtime, rep i) / value(vs, rep i). Above 1 means a larger
// value: slower for "lower is better" metrics, faster for "higher".
type Ratio struct {
	Workload string    `json:"workload"`
	Scenario string    `json:"scenario,omitempty"`
	Runtime  string    `json:"runtime"`
	Vs       string    `json:"vs"`
	Better   string    `json:"better"`
	Pairs    []float64 `json:"pairs"`
	Median   float64   `json:"median"`
}

// Load reads and checks a results.json.
func Load(path string) (*Results, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Results
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.Schema != Schema {
		return nil, fmt.Errorf("%s: schema %q, want %q", path, r.Schema, Schema)
	}
	return &r, nil
}

// Save writes results.json.
func (r *Results) Save(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// Find returns the series of a workload (in a scenario) on a runtime.
func (r *Results) Find(workload, scenario, runtime string) *Series {
	for i := range r.Series {
		s := &r.Series[i]
		if s.Workload == workload && s.Scenario == scenario && s.Runtime == runtime {
			return s
		}
	}
	return nil
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// summarize fills the statistics of s from its values and samples.
func (s *Series) summarize(percentile func([]float64, float64) float64) {
	if len(s.Values) > 0 {
		s.Median = median(s.Values)
		s.Min, s.Max = s.Values[0], s.Values[0]
		for _, v := range s.Values {
			s.Min, s.Max = min(s.Min, v), max(s.Max, v)
		}
	}
	if len(s.Samples) > 0 {
		s.P50, s.P99 = percentile(s.Samples, 50), percentile(s.Samples, 99)
	}
}

// ratios computes every available runtime's pair-by-pair ratios against vs.
func (r *Results) ratios(vs string) {
	r.Ratios = nil
	for _, s := range r.Series {
		if s.Runtime == vs {
			continue
		}
		base := r.Find(s.Workload, s.Scenario, vs)
		if base == nil {
			continue
		}
		ra := Ratio{Workload: s.Workload, Scenario: s.Scenario, Runtime: s.Runtime, Vs: vs, Better: s.Better}
		for i := 0; i < len(s.Values) && i < len(base.Values); i++ {
			if base.Values[i] > 0 {
				ra.Pairs = append(ra.Pairs, s.Values[i]/base.Values[i])
			}
		}
		if len(ra.Pairs) == 0 {
			continue
		}
		ra.Median = median(ra.Pairs)
		r.Ratios = append(r.Ratios, ra)
	}
}

// Recompute derives the ratios to runsc and the captures against the
// oracles from the series (bench report runs it on an older results.json).
func (r *Results) Recompute() {
	r.ratios(Runsc)
	r.Captures = nil
	for _, judged := range agentRuntimes {
		r.Captures = append(r.Captures, r.captures(judged)...)
	}
}

// RatioOf returns the ratio of runtime vs the baseline for a workload.
func (r *Results) RatioOf(workload, scenario, runtime string) (Ratio, bool) {
	for _, ra := range r.Ratios {
		if ra.Workload == workload && ra.Scenario == scenario && ra.Runtime == runtime {
			return ra, true
		}
	}
	return Ratio{}, false
}
