package llmkernel

import "time"

// SystemContext is what a deep-tier model is told about a situation, in the
// six parts of the design: hardware, performance, workload, resources,
// history and goals.
type SystemContext struct {
	Hardware    HardwareContext    `json:"hardware"`
	Performance PerformanceContext `json:"performance"`
	Workload    WorkloadContext    `json:"workload"`
	Resources   ResourceContext    `json:"resources"`
	History     []HistoryEntry     `json:"history"`
	Goal        Goal               `json:"goal"`
}

// HardwareContext describes the host.
type HardwareContext struct {
	Arch        string `json:"arch"`
	CPUModel    string `json:"cpu_model"`
	Cores       int    `json:"cores"`
	MemoryBytes uint64 `json:"memory_bytes"`
	Board       string `json:"board,omitempty"`
	Platform    string `json:"platform,omitempty"` // gVisor platform in use
}

// PerformanceContext is the measured state behind the features.
type PerformanceContext struct {
	CPUUtil     float64 `json:"cpu_util"`
	CPUThrottle float64 `json:"cpu_throttle"`
	CPUWait     float64 `json:"cpu_wait"`
	MemUtil     float64 `json:"mem_util"`
	MemPressure float64 `json:"mem_pressure"`
	IOPressure  float64 `json:"io_pressure"`
}

// WorkloadContext says what the sandbox does. Sandbox and Image are
// container-controlled.
type WorkloadContext struct {
	Sandbox      string  `json:"sandbox"`
	Image        string  `json:"image"`
	SyscallRate  float64 `json:"syscall_rate"`
	BlockingRate float64 `json:"blocking_rate"`
	LatencyNeed  float64 `json:"latency_need"`
	Evidence     int     `json:"evidence_windows"`
	// Finding is a security situation's anomaly (rule and evidence), for
	// triage; container-controlled in part.
	Finding string `json:"finding,omitempty"`
}

// ResourceContext is what the sandbox may have and has.
type ResourceContext struct {
	Ceiling Resources `json:"oci_limits"`
	Current Resources `json:"current"`
}

// HistoryEntry is one earlier decision and what it led to.
type HistoryEntry struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	Tier   string    `json:"tier"`
	Reward *float64  `json:"reward,omitempty"` // nil until the outcome is in
}

// Readers supply the parts of the context that live outside the situation;
// any may be nil.
type Readers struct {
	Hardware func() HardwareContext
	History  func(sandbox string, k Kind, max int) []HistoryEntry
}

// maxHistory bounds the history told to the model (prompt size is latency).
const maxHistory = 5

// Assemble builds the context for s from the situation itself and r.
func Assemble(s *Situation, r Readers, g Goal) SystemContext {
	f := &s.Features
	c := SystemContext{
		Performance: PerformanceContext{
			CPUUtil: f[FeatCPUUtil], CPUThrottle: f[FeatCPUThrottle], CPUWait: f[FeatCPUWait], MemUtil: f[FeatMemUtil],
			MemPressure: f[FeatMemPressure], IOPressure: f[FeatIOPressure],
		},
		Workload: WorkloadContext{
			Sandbox: s.Sandbox, Image: s.Image, SyscallRate: f[FeatSyscallRate],
			BlockingRate: f[FeatBlockingRate], LatencyNeed: f[FeatLatencyNeed], Evidence: s.Evidence,
		},
		Resources: ResourceContext{Ceiling: s.Ceiling, Current: s.Current},
		Goal:      g,
	}
	if s.Finding != nil {
		c.Workload.Finding = s.Finding.Text
	}
	if r.Hardware != nil {
		c.Hardware = r.Hardware()
	}
	if r.History != nil {
		c.History = r.History(s.Sandbox, s.Kind, maxHistory)
		if len(c.History) > maxHistory {
			c.History = c.History[len(c.History)-maxHistory:]
		}
	}
	return c
}
