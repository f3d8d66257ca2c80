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

// The live loop's scenario workloads: each is one side of a scenario (an
// interactive sandbox next to a CPU hog, an idle and a growing memory user,
// a writer next to a latency-sensitive reader); alone they are also plain
// workloads. Their durations follow Params.Seconds.
func init() {
	register(Spec{Name: "latency-prober", Scenario: true, Description: "a 1 ms burst of work every 10 ms; the response latency of each", Metric: "ms p99", Better: "lower",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			samples := probe(time.Duration(seconds(p, 1, 10)) * time.Second)
			return percentile(samples, 99), samples, nil
		}})
	register(Spec{Name: "cpu-hog", Scenario: true, Description: "two hashing threads per CPU (oversubscribed, like make -j) for a fixed time; work done", Metric: "MB hashed", Better: "higher",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			return float64(hog(time.Duration(seconds(p, 2, 10)) * time.Second)), nil, nil
		}})
	// phases: an interactive service and a batch job whose roles swap
	// halfway. Each reports the latency of its interactive half.
	register(Spec{Name: "phase-early", Scenario: true, Description: "interactive (the prober) for the first half of its time, then a CPU hog; latency of the interactive half", Metric: "ms p99", Better: "lower",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			half := time.Duration(seconds(p, 4, 30)) * time.Second / 2
			samples := probe(half)
			batch(p, half)
			return percentile(samples, 99), samples, nil
		}})
	register(Spec{Name: "phase-late", Scenario: true, Description: "a CPU hog for the first half of its time, then interactive (the prober); latency of the interactive half", Metric: "ms p99", Better: "lower",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			half := time.Duration(seconds(p, 4, 30)) * time.Second / 2
			batch(p, half)
			samples := probe(half)
			return percentile(samples, 99), samples, nil
		}})
	register(Spec{Name: "mem-idle", Scenario: true, Description: "holds 48 MiB far below its limit, re-touching it every 100 ms; latency of each pass", Metric: "ms p99", Better: "lower",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			return holdAndTouch(48<<20, seconds(p, 3, 30))
		}})
	register(Spec{Name: "mem-ramp", Scenario: true, Description: "holds 32 MiB for 40% of its time, then grows by 8 MiB steps to 256 MiB and holds; latency of each step", Metric: "ms p99", Better: "lower",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			total := time.Duration(seconds(p, 6, 30)) * time.Second
			held := [][]byte{touch(make([]byte, 32<<20), 1)}
			time.Sleep(total * 4 / 10)
			const steps = 28 // 32 MiB + 28 × 8 MiB = 256 MiB
			every := total * 4 / 10 / steps
			samples := make([]float64, 0, steps)
			for i := 0; i < steps; i++ {
				start := time.Now()
				held = append(held, touch(make([]byte, 8<<20), 1))
				samples = append(samples, float64(time.Since(start).Microseconds())/1000)
				time.Sleep(every)
			}
			time.Sleep(total * 2 / 10)
			runtime.KeepAlive(held)
			return percentile(samples, 99), samples, nil
		}})
	// leak: a slow memory leak beside a steady, tight working set.
	register(Spec{Name: "mem-leak", Scenario: true, Description: "leaks 1 MiB every 150 ms from 32 MiB (to about 230 MiB in 30 s); latency of each allocation", Metric: "ms p99", Better: "lower",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			total := time.Duration(seconds(p, 6, 30)) * time.Second
			held := [][]byte{touch(make([]byte, 32<<20), 1)}
			samples := make([]float64, 0, total/(150*time.Millisecond)+1)
			for end := time.Now().Add(total); time.Now().Before(end); time.Sleep(150 * time.Millisecond) {
				start := time.Now()
				held = append(held, touch(make([]byte, 1<<20), 1))
				samples = append(samples, float64(time.Since(start).Microseconds())/1000)
			}
			runtime.KeepAlive(held)
			return percentile(samples, 99), samples, nil
		}})
	register(Spec{Name: "mem-steady", Scenario: true, Description: "holds 96 MiB and re-touches all of it every 100 ms (a tight working set); latency of each pass", Metric: "ms p99", Better: "lower",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			return holdAndTouch(96<<20, seconds(p, 6, 30))
		}})
	// burst: cron-like jobs beside an interactive service.
	register(Spec{Name: "cron-burst", Scenario: true, Description: "every 3 s (from a random phase) hashes 64 MiB on two threads, like a cron job; duration of each run", Metric: "ms p99", Better: "lower",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			total := time.Duration(seconds(p, 6, 24)) * time.Second
			end := time.Now().Add(total)
			time.Sleep(time.Duration(time.Now().UnixNano() % int64(3*time.Second)))
			var samples []float64
			for time.Now().Before(end) {
				start := time.Now()
				hashMiB(2, 64)
				samples = append(samples, float64(time.Since(start).Microseconds())/1000)
				time.Sleep(time.Until(start.Add(3 * time.Second)))
			}
			if len(samples) == 0 {
				return 0, nil, nil
			}
			return percentile(samples, 99), samples, nil
		}})
	// crowd: many sandboxes, mostly idle, a few busy — the agent's cost
	// at that scale.
	register(Spec{Name: "crowd-idle", Scenario: true, Description: "wakes every second for 0.5 ms of work (a mostly idle service); wake-up latency of each", Metric: "ms p99", Better: "lower",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			n := seconds(p, 6, 45)
			samples := make([]float64, 0, n)
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for i := 0; i < n; i++ {
				due := <-tick.C
				burn(500 * time.Microsecond)
				samples = append(samples, float64(time.Since(due).Microseconds())/1000)
			}
			return percentile(samples, 99), samples, nil
		}})
	register(Spec{Name: "crowd-busy", Scenario: true, Description: "one hashing thread for a fixed time; work done", Metric: "MB hashed", Better: "higher",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			buf := make([]byte, 1<<20)
			n := 0
			for end := time.Now().Add(time.Duration(seconds(p, 4, 30)) * time.Second); time.Now().Before(end); n++ {
				sum := sha256.Sum256(buf)
				buf[0] = sum[0]
			}
			return float64(n), nil, nil
		}})
	register(Spec{Name: "io-writer", Scenario: true, Description: "writes 1 MiB chunks with fsync for a fixed time", Metric: "MB/s", Better: "higher",
		run: func(_ context.Context, p Params) (float64, []float64, error) {
			f, err := os.Create(filepath.Join(p.Dir, "writer"))
			if err != nil {
				return 0, nil, err
			}
			defer f.Close()
			buf := make([]byte, 1<<20)
			d := time.Duration(seconds(p, 2, 10)) * time.Second
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
			n := seconds(p, 1, 10) * 50
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

// probe runs a 1 ms burst of work every 10 ms for d and returns each
// burst's response latency (from when it was due), in ms.
func probe(d time.Duration) []float64 {
	n := int(d / (10 * time.Millisecond))
	samples := make([]float64, 0, n)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for i := 0; i < n; i++ {
		due := <-tick.C
		burn(time.Millisecond)
		samples = append(samples, float64(time.Since(due).Microseconds())/1000)
	}
	return samples
}

// hog hashes on two threads per CPU for d and returns the MiB hashed.
func hog(d time.Duration) int64 {
	var total atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < 2*runtime.NumCPU(); i++ {
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
	return total.Load()
}

// hashMiB hashes mib MiB split over threads and returns when all are done.
func hashMiB(threads, mib int) {
	var wg sync.WaitGroup
	for i := 0; i < threads; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1<<20)
			for j := 0; j < mib/threads; j++ {
				sum := sha256.Sum256(buf)
				buf[0] = sum[0]
			}
		}()
	}
	wg.Wait()
}

// batch is a phase's batch half: a hog, or (alone: the floor) idle.
func batch(p Params, d time.Duration) {
	if p.Alone {
		time.Sleep(d)
		return
	}
	hog(d)
}

// holdAndTouch holds size bytes and touches every page of them every
// 100 ms for secs seconds; it returns the p99 and each pass's latency, ms.
func holdAndTouch(size, secs int) (float64, []float64, error) {
	buf := touch(make([]byte, size), 1)
	n := secs * 10
	samples := make([]float64, 0, n)
	for i := 0; i < n; i++ {
		start := time.Now()
		touch(buf, byte(i))
		samples = append(samples, float64(time.Since(start).Microseconds())/1000)
		time.Sleep(100 * time.Millisecond)
	}
	runtime.KeepAlive(buf)
	return percentile(samples, 99), samples, nil
}

// touch writes v to every page of b and returns it.
func touch(b []byte, v byte) []byte {
	for j := 0; j < len(b); j += 4096 {
		b[j] = v
	}
	return b
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
