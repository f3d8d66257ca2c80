package workload

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The live loop's scenario workloads: each is one side of a scenario
// (an interactive sandbox next to a CPU hog, a memory grower, a writer next
// to a latency-sensitive reader); alone they are also plain workloads.
func init() {
	register(Spec{Name: "latency-prober", Scenario: true, Description: "a 1 ms burst of work every 10 ms; the response latency of each", Metric: "ms p99", Better: "lower",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			n := pick(p, 100, 1000)
			samples := make([]float64, 0, n)
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for i := 0; i < n; i++ {
				due := <-tick.C
				burn(time.Millisecond)
				samples = append(samples, float64(time.Since(due).Microseconds())/1000)
			}
			return percentile(samples, 99), samples, nil
		}})
	register(Spec{Name: "cpu-hog", Scenario: true, Description: "one hashing thread per CPU for a fixed time; work done", Metric: "MB hashed", Better: "higher",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			d := time.Duration(pick(p, 2, 10)) * time.Second
			var total atomic.Int64
			var wg sync.WaitGroup
			for i := 0; i < runtime.NumCPU(); i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					buf := make([]byte, 1<<20)
					for end := time.Now().Add(d); time.Now().Before(end); {
						sum := sha256.Sum256(buf)
						buf[0] = sum[0]
						total.Add(1)
					}
				}()
			}
			wg.Wait()
			return float64(total.Load()), nil, nil
		}})
	register(Spec{Name: "mem-grower", Scenario: true, Description: "touches 16 MiB more every 100 ms, then holds it", Metric: "MB/s", Better: "higher",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			steps := pick(p, 8, 32)
			var held [][]byte
			start := time.Now()
			for i := 0; i < steps; i++ {
				b := make([]byte, 16<<20)
				for j := 0; j < len(b); j += 4096 {
					b[j] = 1
				}
				held = append(held, b)
				time.Sleep(100 * time.Millisecond)
			}
			runtime.KeepAlive(held)
			return float64(steps*16) / time.Since(start).Seconds(), nil, nil
		}})
	register(Spec{Name: "io-writer", Scenario: true, Description: "writes 1 MiB chunks with fsync for a fixed time", Metric: "MB/s", Better: "higher",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			f, err := os.Create(filepath.Join(p.Dir, "writer"))
			if err != nil {
				return 0, nil, err
			}
			defer f.Close()
			buf := make([]byte, 1<<20)
			d := time.Duration(pick(p, 2, 10)) * time.Second
			n := 0
			start := time.Now()
			for time.Since(start) < d {
				if _, err := f.Write(buf); err != nil {
					return 0, nil, err
				}
				if n++; n%8 == 0 {
					if err := f.Sync(); err != nil {
						return 0, nil, err
					}
				}
			}
			return float64(n) / time.Since(start).Seconds(), nil, nil
		}})
	register(Spec{Name: "io-reader", Scenario: true, Description: "a 4 KiB read + fsync'd 4 KiB write every 20 ms; latency of each", Metric: "ms p99", Better: "lower",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			f, err := os.Create(filepath.Join(p.Dir, "reader"))
			if err != nil {
				return 0, nil, err
			}
			defer f.Close()
			buf := make([]byte, 4096)
			n := pick(p, 50, 500)
			samples := make([]float64, 0, n)
			for i := 0; i < n; i++ {
				start := time.Now()
				if _, err := f.WriteAt(buf, 0); err != nil {
					return 0, nil, err
				}
				if err := f.Sync(); err != nil {
					return 0, nil, err
				}
				if _, err := f.ReadAt(buf, 0); err != nil {
					return 0, nil, err
				}
				samples = append(samples, float64(time.Since(start).Microseconds())/1000)
				time.Sleep(20 * time.Millisecond)
			}
			return percentile(samples, 99), samples, nil
		}})
}

// burn spins for d of CPU time as wall time.
func burn(d time.Duration) {
	buf := make([]byte, 4096)
	for end := time.Now().Add(d); time.Now().Before(end); {
		sum := sha256.Sum256(buf)
		buf[0] = sum[0]
	}
}

// percentile of xs (nearest rank).
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sortFloats(s)
	i := int(p/100*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}
