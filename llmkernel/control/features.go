package control

import (
	"math"

	"github.com/go-os-agent/runsc-ai/llmkernel"
)

// minActiveRate is the syscall rate below which a sandbox's blocking share
// says nothing about its latency needs (a CPU hog makes almost none).
const minActiveRate = 20

// features computes the situation's features from two samples a window
// apart and the tap's activity. Every input is measured from
// container-controlled behaviour, so every output is clamped to [0, 1].
func features(prev, cur *Sample, act Activity) llmkernel.Features {
	var f llmkernel.Features
	wall := cur.At.Sub(prev.At).Seconds()
	cpus := float64(max(cur.CPUs, 1))
	if q := cur.Current.CPUQuotaPct; q > 0 {
		cpus = math.Min(cpus, float64(q)/100)
	}
	if wall > 0 && cur.CPUUsage >= prev.CPUUsage {
		f[llmkernel.FeatCPUUtil] = clamp((cur.CPUUsage - prev.CPUUsage).Seconds() / (wall * cpus))
	}
	if dp := sub(cur.Periods, prev.Periods); dp > 0 {
		f[llmkernel.FeatCPUThrottle] = clamp(float64(sub(cur.Throttled, prev.Throttled)) / float64(dp))
	}
	if l := cur.Current.MemoryBytes; l > 0 {
		f[llmkernel.FeatMemUtil] = clamp(float64(cur.MemWorkingSet) / float64(l))
	}
	f[llmkernel.FeatMemPressure] = clamp(cur.MemPressure / 100)
	f[llmkernel.FeatIOPressure] = clamp(cur.IOPressure / 100)
	f[llmkernel.FeatSyscallRate] = clamp(math.Log10(1+math.Max(act.SyscallsPerSec, 0)) / 7)
	f[llmkernel.FeatBlockingRate] = clamp(act.Blocking)
	if act.SyscallsPerSec >= minActiveRate {
		// Waits often and computes little: someone is waiting on it.
		f[llmkernel.FeatLatencyNeed] = clamp(act.Blocking * (1 - f[llmkernel.FeatCPUUtil]) * 2)
	}
	return f
}

func clamp(v float64) float64 {
	switch {
	case math.IsNaN(v) || v < 0:
		return 0
	case v > 1:
		return 1
	}
	return v
}

func sub(a, b uint64) uint64 {
	if a < b {
		return 0 // a counter reset (cgroup recreated)
	}
	return a - b
}
