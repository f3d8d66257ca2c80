package oci

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/go-os-agent/runsc-ai/integration/testenv"
)

// startupPair runs op once per runtime per iteration — plain runsc built
// from the same gVisor module, and runsc-ai with create-time decisions on
// (private history, so later iterations decide from earlier ones) — with
// the same flags, alternating which goes first so that drift and cache
// effects hit both alike. It reports each runtime's median ms and the ratio
// of the medians; `make bench` prints the median over -count rounds.
func startupPair(b *testing.B, op func(rt *testenv.Runtime, i int) (time.Duration, error)) {
	e := testenv.Get(b)
	flags := []string{"--network=none", "--ignore-cgroups"}
	rts := []*testenv.Runtime{
		testenv.NewRuntime(b, e.Runsc, flags...),
		testenv.NewRuntime(b, e.RunscAI, flags...),
	}
	var ds [2][]time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := 0; k < 2; k++ {
			j := (i + k) % 2
			d, err := op(rts[j], i)
			if err != nil {
				b.Fatalf("%s: %v", rts[j].Bin, err)
			}
			ds[j] = append(ds[j], d)
		}
	}
	b.StopTimer()
	m0, m1 := median(ds[0]), median(ds[1])
	b.ReportMetric(float64(m0.Microseconds())/1000, "runsc-ms/op")
	b.ReportMetric(float64(m1.Microseconds())/1000, "runsc-ai-ms/op")
	b.ReportMetric(float64(m1)/float64(m0), "ratio")
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// BenchmarkStartupDoTrue: `do /bin/true`, whole command.
func BenchmarkStartupDoTrue(b *testing.B) {
	startupPair(b, func(rt *testenv.Runtime, _ int) (time.Duration, error) {
		start := time.Now()
		err := rt.Command(context.Background(), "do", "/bin/true").Run()
		return time.Since(start), err
	})
}

// BenchmarkStartupCreateStart: `create` then `start` of a small bundle (the
// same image every time, as a node restarting one workload); the delete
// that follows is not timed.
func BenchmarkStartupCreateStart(b *testing.B) {
	e := testenv.Get(b)
	bundle := testenv.NewBundle(b, e, []string{"/bin/true"}, nil)
	startupPair(b, func(rt *testenv.Runtime, i int) (time.Duration, error) {
		ctx := context.Background()
		id := fmt.Sprintf("bench-%d", i)
		start := time.Now()
		// The sandbox inherits create's stdio: a pipe would never close,
		// so it gets /dev/null.
		if err := rt.Command(ctx, "create", "--bundle", bundle, id).Run(); err != nil {
			return 0, fmt.Errorf("create: %v", err)
		}
		if out, err := rt.Command(ctx, "start", id).CombinedOutput(); err != nil {
			return 0, fmt.Errorf("start: %v: %s", err, out)
		}
		d := time.Since(start)
		if out, err := rt.Command(ctx, "delete", "--force", id).CombinedOutput(); err != nil {
			return 0, fmt.Errorf("delete: %v: %s", err, out)
		}
		return d, nil
	})
}
