package llama

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Every index of a split runs exactly once, on the pool's threads or the
// caller's, whether the workers are polling, asleep or busy, and split
// returns only after all of it ran.
func TestPoolSplitCoversEachIndexOnce(t *testing.T) {
	for _, workers := range []int{1, 2, 4} {
		p := NewPool(workers, nil, nil)
		for round := 0; round < 300; round++ {
			n := 1 + round%97
			hits := make([]atomic.Int32, n)
			p.split(n, 1+round%5, func(lo, hi int) {
				if round%7 == 0 {
					time.Sleep(100 * time.Microsecond) // past the polling: the caller sleeps
				}
				for i := lo; i < hi; i++ {
					hits[i].Add(1)
				}
			})
			for i := range hits {
				if h := hits[i].Load(); h != 1 {
					t.Fatalf("%d workers, round %d: index %d of %d ran %d times", workers, round, i, n, h)
				}
			}
			if round%50 == 0 {
				time.Sleep(200 * time.Microsecond) // the workers fall asleep
			}
		}
		p.Close()
	}
}

// Run and nested splits from several goroutines at once: everything runs,
// nothing deadlocks (run with -race in make test's race pass).
func TestPoolRunWithNestedSplits(t *testing.T) {
	p := NewPool(2, nil, func() time.Duration { return 0 })
	defer p.Close()
	var wg sync.WaitGroup
	var total atomic.Int64
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				p.Run(func() {
					p.split(64, 2, func(lo, hi int) {
						p.split(hi-lo, 2, func(a, b int) { total.Add(int64(b - a)) })
					})
				})
			}
		}()
	}
	wg.Wait()
	if got := total.Load(); got != 4*50*64 {
		t.Fatalf("ran %d indices, want %d", got, 4*50*64)
	}
}

// A job's CPU time is counted before Run returns: the budget and the
// stats read it right after, even when reading the clock takes a while
// (the clock here is fault injection: slow, and it moves only when the job
// says so).
func TestPoolRunCountsCPUBeforeReturning(t *testing.T) {
	var ticks atomic.Int64
	p := NewPool(2, nil, func() time.Duration {
		time.Sleep(300 * time.Microsecond)
		return time.Duration(ticks.Load())
	})
	defer p.Close()
	for i := 1; i <= 50; i++ {
		p.Run(func() { ticks.Add(1000) })
		if got := p.CPU(); got != time.Duration(1000*i) {
			t.Fatalf("after job %d: CPU %v, want %v", i, got, time.Duration(1000*i))
		}
	}
}
