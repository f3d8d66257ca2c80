package llama

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Pool is a fixed set of OS threads that run a model's work. Each worker
// goroutine is locked to its thread and runs setup on it first (inproc
// lowers the thread to the idle scheduling class there), so inference runs
// only on threads the caller has chosen and prioritised.
type Pool struct {
	work  chan func()
	n     int
	stop  sync.Once
	clock func() time.Duration // the calling thread's CPU time; nil: none
	cpu   atomic.Int64         // CPU time the workers spent on work, ns
}

// NewPool starts n workers; setup runs once on each worker's thread. With
// a thread CPU clock, the CPU time the workers spend on work is counted
// (CPU).
func NewPool(n int, setup func(), clock func() time.Duration) *Pool {
	n = max(n, 1)
	p := &Pool{work: make(chan func()), n: n, clock: clock}
	var ready sync.WaitGroup
	ready.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			runtime.LockOSThread() // never unlocked: the thread dies with the worker
			if setup != nil {
				setup()
			}
			ready.Done()
			for f := range p.work {
				if p.clock == nil {
					f()
					continue
				}
				t0 := p.clock()
				f()
				p.cpu.Add(int64(p.clock() - t0))
			}
		}()
	}
	ready.Wait()
	return p
}

// CPU is the CPU time the workers have spent on work so far.
func (p *Pool) CPU() time.Duration { return time.Duration(p.cpu.Load()) }

// Size is the number of workers.
func (p *Pool) Size() int { return p.n }

// Run runs f on a worker and waits for it.
func (p *Pool) Run(f func()) {
	done := make(chan struct{})
	p.work <- func() {
		defer close(done)
		f()
	}
	<-done
}

// Close stops the workers (after their current work).
func (p *Pool) Close() { p.stop.Do(func() { close(p.work) }) }

// split runs f over [0, n) in up to parts contiguous ranges: the first on
// the calling goroutine, the others on idle workers (a busy pool runs them
// inline instead: nested splits never wait for a worker).
func (p *Pool) split(n, parts int, f func(lo, hi int)) {
	parts = min(parts, n)
	if p == nil || parts <= 1 {
		f(0, n)
		return
	}
	chunk := (n + parts - 1) / parts
	var wg sync.WaitGroup
	for lo := chunk; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		job := func() {
			defer wg.Done()
			f(lo, hi)
		}
		select {
		case p.work <- job:
		default:
			job()
		}
	}
	f(0, min(chunk, n))
	wg.Wait()
}
