// Package workload holds the benchmark workloads that run inside a sandbox
// (or a runc container): syscall micro-benchmarks, CPU, memory, file I/O,
// loopback TCP, and the live loop's scenario workloads. Each times itself
// and prints one JSON Result line, so the harness measures the workload and
// not the runtime's start-up (process start is timed from outside).
//
// They run as `runsc-ai bench-workload NAME`: the harness copies the static
// runsc-ai binary into the benchmark rootfs, so nothing has to be built or
// downloaded on the machine under test.
package workload

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"
)

// Result is what one workload run measured.
type Result struct {
	Workload string  `json:"workload"`
	Metric   string  `json:"metric"` // unit of Value, e.g. "ns/op", "MB/s"
	Better   string  `json:"better"` // "lower" or "higher"
	Value    float64 `json:"value"`
	// Samples are per-request latencies in ms (latency workloads), for
	// percentiles and CDFs.
	Samples []float64 `json:"samples,omitempty"`
}

// Params size a run.
type Params struct {
	Quick bool
	// Dir is a writable directory on a real filesystem (file I/O).
	Dir string
	// Seconds, when > 0, is how long a scenario workload runs (the
	// harness sets it so the sides of a scenario overlap as intended).
	Seconds int
	// Alone: a workload that disturbs others for part of its time (a
	// phase's batch half) idles then instead: the scenario's floor.
	Alone bool
}

// Spec describes a workload.
type Spec struct {
	Name        string
	Description string
	Metric      string
	Better      string
	// Scenario marks the live loop's scenario workloads.
	Scenario bool
	// External workloads are timed by the harness from outside (process
	// start); Run only does the work.
	External bool
	run      func(ctx context.Context, p Params) (float64, []float64, error)
}

var specs []Spec

func register(s Spec) { specs = append(specs, s) }

// All lists the workloads by name.
func All() []Spec {
	out := append([]Spec(nil), specs...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup finds a workload.
func Lookup(name string) (Spec, bool) {
	for _, s := range specs {
		if s.Name == name {
			return s, true
		}
	}
	return Spec{}, false
}

// Run runs the named workload and writes its Result as one JSON line.
func Run(ctx context.Context, name string, p Params, out io.Writer) error {
	s, ok := Lookup(name)
	if !ok {
		return fmt.Errorf("unknown workload %q", name)
	}
	v, samples, err := s.run(ctx, p)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return json.NewEncoder(out).Encode(Result{Workload: name, Metric: s.Metric, Better: s.Better, Value: v, Samples: samples})
}

// perOp times n iterations of op and returns ns per op.
func perOp(n int, op func() error) (float64, error) {
	start := time.Now()
	for i := 0; i < n; i++ {
		if err := op(); err != nil {
			return 0, err
		}
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n), nil
}

func pick(p Params, quick, full int) int {
	if p.Quick {
		return quick
	}
	return full
}

// seconds is p.Seconds, or the quick or full default.
func seconds(p Params, quick, full int) int {
	if p.Seconds > 0 {
		return p.Seconds
	}
	return pick(p, quick, full)
}

func sortFloats(s []float64) { sort.Float64s(s) }

// Percentile is the nearest-rank percentile p (0–100) of xs.
func Percentile(xs []float64, p float64) float64 { return percentile(xs, p) }
