package sandboxconf

import (
	"math"

	"github.com/go-os-agent/runsc-ai/llmkernel"
)

// HostFacts is what a create-time decision needs to know about the machine.
type HostFacts struct {
	Arch        string `json:"arch"` // GOARCH
	Cores       int    `json:"cores"`
	MemoryBytes uint64 `json:"memory_bytes"`
	// Platforms holds the probe's verdict per gVisor platform; nil when no
	// probe has run (then kvm is never chosen).
	Platforms map[string]Probe `json:"platforms,omitempty"`
	// Pressure is the host's PSI "some avg10" for memory and I/O, in [0, 1].
	MemPressure float64 `json:"mem_pressure"`
	IOPressure  float64 `json:"io_pressure"`
	// MissingCgroups are the cgroup controllers this host lacks, and
	// CgroupFix how to get them back (platform/host says both).
	MissingCgroups []string `json:"missing_cgroups,omitempty"`
	CgroupFix      string   `json:"cgroup_fix,omitempty"`
}

// Probe is one platform's probe result.
type Probe struct {
	Usable bool   `json:"usable"`
	Detail string `json:"detail,omitempty"`
}

// Spec is what the decision reads from the container's OCI spec. Every field
// is container-controlled.
type Spec struct {
	// Image is the image reference (from CRI/containerd annotations) or
	// else the command: the key under which runs are remembered.
	Image       string `json:"image"`
	Terminal    bool   `json:"terminal"`
	MemoryLimit uint64 `json:"memory_limit,omitempty"`
	CPUQuotaPct uint64 `json:"cpu_quota_pct,omitempty"`
	// Workload is the runsc-ai.workload annotation: interactive, batch or "".
	Workload string `json:"workload,omitempty"`
	// Profile is the runsc-ai.profile annotation: a create action the user
	// asks for by name.
	Profile string `json:"profile,omitempty"`
	// Limits names the kinds of resource limit the spec sets (memory, cpu,
	// pids, io, hugepages, unified): what a sandbox's cgroup must enforce.
	Limits []string `json:"limits,omitempty"`
}

// Inputs are everything a create-time decision is made from.
type Inputs struct {
	ContainerID string
	Host        HostFacts
	Spec        Spec
	// Explicit holds the settings the user set, by flag or annotation; they
	// are reported and never changed.
	Explicit map[string]Choice
	History  *Digest
}

// situation builds the engine's view. Features unknown before the first run
// (syscall mix, CPU use) come from the image's earlier runs.
func (in *Inputs) situation() llmkernel.Situation {
	s := llmkernel.Situation{Kind: llmkernel.KindCreate, Sandbox: in.ContainerID, Image: in.Spec.Image}
	f := &s.Features
	f[llmkernel.FeatMemPressure] = clamp01(in.Host.MemPressure)
	f[llmkernel.FeatIOPressure] = clamp01(in.Host.IOPressure)
	switch {
	case in.Spec.Workload == "interactive" || in.Spec.Terminal:
		f[llmkernel.FeatLatencyNeed] = 1
	case in.Spec.Workload == "batch":
		f[llmkernel.FeatLatencyNeed] = 0
	default:
		f[llmkernel.FeatLatencyNeed] = 0.5
	}
	limit := in.Spec.MemoryLimit
	if limit == 0 || (in.Host.MemoryBytes > 0 && limit > in.Host.MemoryBytes) {
		limit = in.Host.MemoryBytes
	}
	s.Ceiling = llmkernel.Resources{MemoryBytes: in.Spec.MemoryLimit, CPUQuotaPct: in.Spec.CPUQuotaPct}
	if in.History != nil {
		s.Evidence = in.History.Runs
		if in.History.Runs > 0 && limit > 0 {
			f[llmkernel.FeatMemUtil] = clamp01(float64(in.History.PeakMemory) / float64(limit))
		}
	}
	return s
}

func clamp01(v float64) float64 {
	if math.IsNaN(v) || v < 0 {
		return 0
	}
	return math.Min(v, 1)
}
