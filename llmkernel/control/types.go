package control

import (
	"context"
	"time"

	"github.com/go-os-agent/runsc-ai/llmkernel"
)

// Target is one sandbox the loop manages.
type Target struct {
	Sandbox string
	Image   string // container-controlled: data only
	Cgroup  string // where the host finds it; opaque to the loop
	// Ceiling is the OCI spec's limits (zero: unset). Where the spec sets
	// none, Baseline (the settings in force when the sandbox was first
	// seen) is the ceiling: nothing is ever granted beyond what the
	// container started with.
	Ceiling  llmkernel.Resources
	Baseline llmkernel.Resources
	// PeakMemory is the most memory the image's earlier runs used (the
	// create-time history; 0: unknown): llmkernel.Situation.PeakMemory.
	PeakMemory uint64
}

// Sample is one reading of a sandbox's host side. Counters are cumulative.
type Sample struct {
	At       time.Time
	CPUUsage time.Duration
	// CPUWait is how long its threads waited for a CPU (run-queue
	// delay); negative: not known.
	CPUWait   time.Duration
	Periods   uint64 // CFS periods with runnable tasks
	Throttled uint64 // of which throttled
	// MemWorkingSet is usage less inactive file pages (as the kubelet
	// counts it).
	MemWorkingSet uint64
	OOMKills      uint64
	// PSI "some" avg10 in [0, 100]; negative: the host does not say.
	MemPressure, IOPressure float64
	// Current settings; zero where unset or unlimited.
	Current llmkernel.Resources
	// CPUs is how many CPUs the sandbox may use without a quota.
	CPUs int
}

// Activity is what the sandbox's tap reported for its last window.
type Activity struct {
	SyscallsPerSec float64
	// Blocking is the share of syscalls that wait or wake (futex,
	// nanosleep, poll, epoll): an interactive workload's signature.
	Blocking float64
}

// Actuator reads and changes sandboxes; the agent implements it over
// platform/cgroup.
type Actuator interface {
	Sample(ctx context.Context, t *Target) (Sample, error)
	// SampleCPU reads only the sandbox's cumulative CPU time, and with
	// wait its CPU wait (else CPUWait is -1): a Sample with At, CPUUsage
	// and CPUWait set, for the recheck between windows (Loop.Recheck).
	// The wait costs a read per thread, so a recheck asks for it only
	// where it decides something (a cut weight given back or not).
	SampleCPU(ctx context.Context, t *Target, wait bool) (Sample, error)
	// Apply sets the non-zero fields of set, all or nothing.
	Apply(ctx context.Context, t *Target, set llmkernel.Resources) error
}

// Recorder persists decisions (llmkernel/history implements it).
type Recorder interface {
	PutDecision(r llmkernel.DecisionRecord) error
}
