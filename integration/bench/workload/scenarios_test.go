package workload

import (
	"bytes"
	"context"
	"encoding/json"
	"syscall"
	"testing"
	"time"
)

func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// A phase's batch half hogs the CPU, and idles when the workload runs
// alone (the scenario's floor); the interactive half is measured either
// way.
func TestPhasesAlone(t *testing.T) {
	for _, name := range []string{"phase-early", "phase-late"} {
		var cpu [2]time.Duration
		for i, alone := range []bool{false, true} {
			var out bytes.Buffer
			before := cpuTime(t)
			if err := Run(context.Background(), name, Params{Seconds: 2, Alone: alone}, &out); err != nil {
				t.Fatal(err)
			}
			cpu[i] = cpuTime(t) - before
			var r Result
			if err := json.Unmarshal(out.Bytes(), &r); err != nil || len(r.Samples) != 100 || r.Value <= 0 {
				t.Fatalf("%s alone=%v: %v %+v", name, alone, err, r)
			}
		}
		// The hog: two threads per CPU for a second; alone: a 10 % burst
		// for a second and sleep.
		if cpu[0] < 200*time.Millisecond || cpu[1] > cpu[0]/3 {
			t.Errorf("%s: CPU %v with its batch half, %v alone", name, cpu[0], cpu[1])
		}
	}
}
