package oci

import (
	"context"
	"testing"
	"time"

	"github.com/go-os-agent/runsc-ai/integration/testenv"
)

// BenchmarkStartupDoTrue measures `do /bin/true` wall time of runsc-ai
// against plain runsc built from the same gVisor module, with the same flags.
// Every iteration runs both, alternating which goes first, so machine drift
// and cache effects hit both alike; it reports each runtime's ms/op and their
// ratio. `make bench` prints the median over -count rounds.
func BenchmarkStartupDoTrue(b *testing.B) {
	e := testenv.Get(b)
	flags := append(sandboxFlags, "--ignore-cgroups")
	rts := []*testenv.Runtime{
		testenv.NewRuntime(b, e.Runsc, flags...),
		testenv.NewRuntime(b, e.RunscAI, flags...),
	}
	var total [2]time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := 0; k < 2; k++ {
			j := (i + k) % 2
			start := time.Now()
			if err := rts[j].Command(context.Background(), "do", "/bin/true").Run(); err != nil {
				b.Fatal(err)
			}
			total[j] += time.Since(start)
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(total[0].Milliseconds())/n, "runsc-ms/op")
	b.ReportMetric(float64(total[1].Milliseconds())/n, "runsc-ai-ms/op")
	b.ReportMetric(float64(total[1])/float64(total[0]), "ratio")
}
