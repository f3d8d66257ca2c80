package control

import (
	"math"
	"time"

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
	f[llmkernel.FeatCPUUtil] = cpuUtil(prev.At, cur.At, prev.CPUUsage, cur.CPUUsage, cur)
	f[llmkernel.FeatCPUWait] = cpuWait(prev, cur)
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
	f[llmkernel.FeatLatencyNeed] = latencyNeed(act, f[llmkernel.FeatCPUUtil])
	return f
}

// cpuUtil is the CPU time used between two readings over what the sandbox
// may use in that time (its CPUs, or its quota): 0 when the readings are
// out of order or the counter was reset.
func cpuUtil(from, to time.Time, used0, used1 time.Duration, s *Sample) float64 {
	wall := to.Sub(from).Seconds()
	if wall <= 0 || used1 < used0 {
		return 0
	}
	return clamp((used1 - used0).Seconds() / (wall * allowedCPUs(s)))
}

// cpuWait is the time the sandbox's threads waited for a CPU between two
// readings, over the CPU time it may use (cpuUtil's measure). Where it
// cannot be told — a reading without it (more threads than the host reads),
// or a counter that went down (the cgroup reopened) — it is 1: a sandbox
// whose CPU time dropped for a reason the agent cannot see is taken as
// starved, so a cut weight is not given back on it (the latency need still
// gives it back).
func cpuWait(prev, cur *Sample) float64 {
	wall := cur.At.Sub(prev.At).Seconds()
	if prev.CPUWait < 0 || cur.CPUWait < prev.CPUWait || wall <= 0 {
		return 1
	}
	return clamp((cur.CPUWait - prev.CPUWait).Seconds() / (wall * allowedCPUs(cur)))
}

// allowedCPUs: the sandbox's CPUs, or its quota's, whichever is fewer.
func allowedCPUs(s *Sample) float64 {
	cpus := float64(max(s.CPUs, 1))
	if q := s.Current.CPUQuotaPct; q > 0 {
		cpus = math.Min(cpus, float64(q)/100)
	}
	return cpus
}

// latencyNeed: waits often and computes little — someone is waiting on it.
func latencyNeed(act Activity, cpuUtil float64) float64 {
	if act.SyscallsPerSec < minActiveRate {
		return 0
	}
	return clamp(act.Blocking * (1 - cpuUtil) * 2)
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
