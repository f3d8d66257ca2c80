package llmkernel

import (
	"fmt"
	"math"
	"time"
)

// Goal weighs what an outcome changed into one reward. Weights are in [0, 1]
// and come from the policy (e.g. prioritize_interactive weighs latency most).
type Goal struct {
	Name       string  `json:"name"`
	Throughput float64 `json:"throughput"`
	Latency    float64 `json:"latency"`
	Efficiency float64 `json:"efficiency"` // resources given back to the host
	Stability  float64 `json:"stability"`  // no OOM kills, no throttling storms
}

// Outcome is what was measured over a decision's window, each as a relative
// improvement in [-1, 1] (positive is better): throughput up, latency down,
// reserved resources down, failures down.
type Outcome struct {
	DecisionID uint64        `json:"decision_id"`
	Throughput float64       `json:"throughput"`
	Latency    float64       `json:"latency"`
	Efficiency float64       `json:"efficiency"`
	Stability  float64       `json:"stability"`
	Window     time.Duration `json:"window"`
}

// Validate bounds an outcome: its numbers come from measuring containers.
func (o *Outcome) Validate() error {
	for name, v := range map[string]float64{"throughput": o.Throughput, "latency": o.Latency, "efficiency": o.Efficiency, "stability": o.Stability} {
		if math.IsNaN(v) || v < -1 || v > 1 {
			return fmt.Errorf("outcome %d: %s = %v, want [-1, 1]", o.DecisionID, name, v)
		}
	}
	return nil
}

// Reward is the outcome under the goal, in [-1, 1].
func (g Goal) Reward(o Outcome) float64 {
	sum := g.Throughput + g.Latency + g.Efficiency + g.Stability
	if sum == 0 {
		return 0
	}
	return (g.Throughput*o.Throughput + g.Latency*o.Latency + g.Efficiency*o.Efficiency + g.Stability*o.Stability) / sum
}
