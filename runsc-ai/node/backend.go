package node

import (
	"flag"
	"fmt"
	"time"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/inproc"
	"github.com/go-os-agent/runsc-ai/llmkernel/ollama"
	"github.com/go-os-agent/runsc-ai/platform/host"
)

// BackendFlags are the deep tier's flags, shared by decide and agent.
type BackendFlags struct {
	Name    string
	host    string
	model   string
	threads int
	context int
	// Beside adds the contention guard (deep.max_host_cpu): the agent's
	// inference runs beside the sandboxes, all the time. decide, asked
	// for one answer now, runs it whatever the host is doing.
	Beside bool
	// LatencyNeed, with Beside, is the latency guard's evidence
	// (deep.max_latency_need): the sandbox that needs the lowest latency
	// now, and how much (control.Loop.MostLatencySensitive).
	LatencyNeed func() (sandbox string, need float64)
}

// Register registers the flags on f; def is the default --backend.
func (b *BackendFlags) Register(f *flag.FlagSet, def string) {
	f.StringVar(&b.Name, "backend", def, "deep-tier backend: embedded (no model), inproc (TinyLlama in this process; alias tinyllama), ollama (a server), or auto (inproc when --model is usable, else embedded)")
	f.StringVar(&b.host, "ollama-host", ollama.DefaultHost, "ollama server URL (--backend ollama)")
	f.StringVar(&b.model, "model", ollama.DefaultModel, "the model: a GGUF file, or a name in ollama's local store ($OLLAMA_MODELS, else ~/.ollama/models) for inproc; a model on the server for ollama")
	f.IntVar(&b.threads, "threads", 1, "inproc: threads that run inference (at the lowest CPU priority)")
	f.IntVar(&b.context, "model-context", 1024, "inproc: tokens a decision may use (prompt and answer)")
}

// Opened is a deep-tier backend, or none (embedded) with the reason.
type Opened struct {
	Backend llmkernel.Backend // nil: embedded
	Model   string            // what runs, for status
	Note    string            // why the choice (auto: why no model)
	Close   func()
	// Stats are the in-process model's counters; nil for other backends.
	Stats func() inproc.InferenceStats
}

// Open opens the backend the flags name, bounded by the policy.
func (b *BackendFlags) Open(pol *llmkernel.Policy) (Opened, error) {
	none := Opened{Close: func() {}}
	switch b.Name {
	case "embedded":
		none.Model, none.Note = "fast-tier", "embedded: policy rules, cache and fast tier, no language model"
		return none, nil
	case "ollama":
		be, err := ollama.New(ollama.Options{Host: b.host, Model: b.model})
		if err != nil {
			return none, err
		}
		return Opened{Backend: be, Model: b.model, Note: "ollama server at " + b.host, Close: func() {}}, nil
	case "inproc", "tinyllama", "auto":
		opts := inproc.Options{Model: b.model, Threads: b.threads, Context: b.context, CPUBudget: pol.Deep.CPUBudget,
			Gate: ThermalGate("/", pol.Deep.MaxTempC)}
		if b.Beside {
			opts.HostCPU, opts.MaxHostCPU = HostCPU("/"), pol.Deep.MaxHostCPU
			opts.Latency = LatencyGuard(b.LatencyNeed, pol.Deep.MaxLatencyNeed)
		}
		be, err := inproc.New(opts)
		if err != nil {
			if b.Name == "auto" {
				none.Model, none.Note = "fast-tier", fmt.Sprintf("no usable model, running as embedded: %v", err)
				return none, nil
			}
			return none, err
		}
		return Opened{Backend: be, Model: be.Model(), Note: "in-process", Close: func() { be.Close() }, Stats: be.Stats}, nil
	}
	return none, fmt.Errorf("unknown backend %q (want embedded, inproc, ollama or auto)", b.Name)
}

// HostCPU reads the CPU time of the host below root ("/" live), busy and
// total over its CPUs: the contention guard's evidence.
func HostCPU(root string) func() (busy, total time.Duration, err error) {
	return func() (time.Duration, time.Duration, error) {
		t, err := host.ReadCPUTime(root)
		return t.Busy, t.Total, err
	}
}

// LatencyGuard pauses inference while need says a sandbox needs lower
// latency than max allows (above it). nil need or max 0: no guard.
func LatencyGuard(need func() (sandbox string, need float64), max float64) func() error {
	if need == nil || max <= 0 {
		return nil
	}
	return func() error {
		if id, v := need(); v > max {
			return fmt.Errorf("sandbox %q needs low latency (latency need %.0f%%, above deep.max_latency_need %.0f%%)", id, 100*v, 100*max)
		}
		return nil
	}
}

// ThermalGate pauses inference while the host (below root: "/" live) is
// hotter than maxC or a Raspberry Pi's firmware throttles its CPU. A host without thermal zones
// (most VMs) gives no evidence and is not held back. 0: no guard.
func ThermalGate(root string, maxC float64) func() error {
	if maxC <= 0 {
		return nil
	}
	return func() error {
		t, err := host.ReadThermal(root)
		if err != nil {
			return nil
		}
		if t.TempC > maxC {
			return fmt.Errorf("%s at %.1f °C, above deep.max_temp_c %.0f", t.Zone, t.TempC, maxC)
		}
		if t.Throttling() {
			return fmt.Errorf("the firmware throttles the CPU (get_throttled %#x)", t.Throttled)
		}
		return nil
	}
}
