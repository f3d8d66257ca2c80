package sandboxconf

import (
	"fmt"
	"time"

	"github.com/go-os-agent/runsc-ai/llmkernel"
)

// ImageRuns is what runsc-ai remembers about one image.
type ImageRuns struct {
	Image string `json:"image"`
	Runs  []Run  `json:"runs"`
	// Failed maps "setting=value" to the last time it failed to boot this
	// image; such a value is not chosen again for FailureTTL.
	Failed map[string]Failure `json:"failed,omitempty"`
}

// Failure is a decided value that failed to boot.
type Failure struct {
	At    time.Time `json:"at"`
	Error string    `json:"error"`
}

// Run is one create-time decision and what came of it.
type Run struct {
	ContainerID string             `json:"container_id"`
	At          time.Time          `json:"at"`
	Profile     string             `json:"profile"`
	Tier        string             `json:"tier"`
	Reason      string             `json:"reason"`
	Choices     []Choice           `json:"choices"`
	Features    llmkernel.Features `json:"features"`
	Evidence    int                `json:"evidence"`
	// StartupMs is what Measure measured: "create" is the create command
	// (the sandbox boot); "run" is the whole run/do command (boot and the
	// workload), comparable only between runs of the same command.
	StartupMs  float64 `json:"startup_ms,omitempty"`
	Measure    string  `json:"measure,omitempty"`
	PeakMemory uint64  `json:"peak_memory_bytes,omitempty"`
	// Failed says why the decided configuration did not boot; the run then
	// went ahead with the defaults.
	Failed string   `json:"failed,omitempty"`
	Reward *float64 `json:"reward,omitempty"`
}

const (
	// maxRuns bounds a history file; older runs are dropped.
	maxRuns = 32
	// FailureTTL is how long a value that failed to boot is avoided.
	FailureTTL = 7 * 24 * time.Hour
)

func (h *ImageRuns) succeeded() []Run {
	if h == nil {
		return nil
	}
	var ok []Run
	for _, r := range h.Runs {
		if r.Failed == "" {
			ok = append(ok, r)
		}
	}
	return ok
}

// same: r is this run (a container ID is unique, and so is its decision's
// time).
func (r *Run) same(o *Run) bool { return r.ContainerID == o.ContainerID && r.At.Equal(o.At) }

// has: r is in the history already (a fold that died after writing it).
func (h *ImageRuns) has(r *Run) bool {
	for i := range h.Runs {
		if h.Runs[i].same(r) {
			return true
		}
	}
	return false
}

func (h *ImageRuns) add(r Run) {
	h.Runs = append(h.Runs, r)
	if n := len(h.Runs) - maxRuns; n > 0 {
		h.Runs = append(h.Runs[:0], h.Runs[n:]...)
	}
	for k, f := range h.Failed {
		if time.Since(f.At) > FailureTTL {
			delete(h.Failed, k)
		}
	}
}

// baseline is the median of earlier successful runs measured the same way.
func (h *ImageRuns) baseline(measure string, get func(Run) float64) (float64, bool) {
	var xs []float64
	for _, r := range h.succeeded() {
		if r.Measure == measure {
			if v := get(r); v > 0 {
				xs = append(xs, v)
			}
		}
	}
	if len(xs) == 0 {
		return 0, false
	}
	return median(xs), true
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	for i := 1; i < len(s); i++ { // insertion sort: at most maxRuns values
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// relative is (base - x) / max(base, x): positive when x is smaller (better).
func relative(base, x float64) float64 {
	if base <= 0 || x <= 0 {
		return 0
	}
	return (base - x) / max(base, x)
}

// outcome scores r against the image's earlier runs.
func (h *ImageRuns) outcome(r *Run) llmkernel.Outcome {
	var o llmkernel.Outcome
	if r.Failed != "" {
		o.Stability = -1
	}
	if b, ok := h.baseline(r.Measure, func(x Run) float64 { return x.StartupMs }); ok {
		o.Latency = relative(b, r.StartupMs)
	}
	if b, ok := h.baseline(r.Measure, func(x Run) float64 { return float64(x.PeakMemory) }); ok {
		o.Efficiency = relative(b, float64(r.PeakMemory))
	}
	return o
}

// Digest is what a create-time decision needs of an image's history. It is
// kept in a small file beside the history, so the create path reads a few
// hundred bytes instead of every run (decoding 32 runs cost ~0.5 ms).
type Digest struct {
	Image string `json:"image"`
	// Runs counts the runs that booted as decided.
	Runs       int    `json:"runs"`
	PeakMemory uint64 `json:"peak_memory_bytes,omitempty"`
	// Failed is History.Failed.
	Failed map[string]Failure `json:"failed,omitempty"`
	// MedianMs is the median start-up per measure ("create", "run").
	MedianMs    map[string]float64 `json:"median_ms,omitempty"`
	LastProfile string             `json:"last_profile,omitempty"`
	LastMeasure string             `json:"last_measure,omitempty"`
	LastReward  *float64           `json:"last_reward,omitempty"`
}

// Digest summarises the history.
func (h *ImageRuns) Digest() Digest {
	d := Digest{Image: h.Image, Failed: h.Failed}
	ok := h.succeeded()
	d.Runs = len(ok)
	for _, r := range ok {
		d.PeakMemory = max(d.PeakMemory, r.PeakMemory)
		if _, seen := d.MedianMs[r.Measure]; !seen && r.Measure != "" {
			if b, found := h.baseline(r.Measure, func(x Run) float64 { return x.StartupMs }); found {
				if d.MedianMs == nil {
					d.MedianMs = map[string]float64{}
				}
				d.MedianMs[r.Measure] = b
			}
		}
	}
	if len(ok) > 0 {
		last := ok[len(ok)-1]
		d.LastProfile, d.LastMeasure, d.LastReward = last.Profile, last.Measure, last.Reward
	}
	return d
}

func (d *Digest) failed(name, value string) (Failure, bool) {
	if d == nil {
		return Failure{}, false
	}
	f, ok := d.Failed[name+"="+value]
	if !ok || time.Since(f.At) > FailureTTL {
		return Failure{}, false
	}
	return f, true
}

// Summary says in a few words what the history holds, for reasons.
func (d *Digest) Summary() string {
	if d == nil || d.Runs == 0 {
		return ""
	}
	s := fmt.Sprintf("history: %d earlier runs", d.Runs)
	if m, ok := d.MedianMs[d.LastMeasure]; ok {
		s += fmt.Sprintf(", median %.0f ms (%s)", m, d.LastMeasure)
	}
	if d.LastReward != nil {
		s += fmt.Sprintf(", last %s reward %+.2f", d.LastProfile, *d.LastReward)
	}
	return s
}
