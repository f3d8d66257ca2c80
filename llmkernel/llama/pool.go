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
//
// A forward pass splits a hundred matrix products a token over the
// workers, microseconds apart. Waking a goroutine locked to its thread is a
// handoff between threads (the Go scheduler's P passes to that thread):
// hundreds of microseconds in a VM, and a late part makes its caller sleep
// too, so one slow wake-up feeds the next (measured: one token 84 ms on a
// pool that slept between parts, 60 ms on plain goroutines). So a worker
// that has just finished stays awake, polling for its next part, for
// spinFor before it sleeps, and a caller polls for its parts' completion
// likewise. The polling runs on the workers' own (lowered) threads and is
// bounded: an idle pool sleeps.
type Pool struct {
	work    chan func() // Run's whole jobs, to any sleeping worker
	workers []*worker
	n       int
	stop    sync.Once
	clock   func() time.Duration // the calling thread's CPU time; nil: none
	cpu     atomic.Int64         // CPU time the workers spent on work, ns
}

// A worker's states: polling for a part, asleep, or claimed by a caller
// (its part is in, or on its way to, wake).
const (
	polling int32 = iota
	asleep
	claimed
)

type worker struct {
	state atomic.Int32
	wake  chan func() // the part a caller claimed this worker for (one at most)
}

// spinFor is how long a worker, or a caller waiting for its parts, polls
// before it sleeps.
const spinFor = 500 * time.Microsecond

// NewPool starts n workers; setup runs once on each worker's thread. With
// a thread CPU clock, the CPU time the workers spend on work is counted
// (CPU).
func NewPool(n int, setup func(), clock func() time.Duration) *Pool {
	n = max(n, 1)
	p := &Pool{work: make(chan func()), n: n, clock: clock}
	var ready sync.WaitGroup
	ready.Add(n)
	for i := 0; i < n; i++ {
		w := &worker{wake: make(chan func(), 1)}
		w.state.Store(asleep)
		p.workers = append(p.workers, w)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread dies with the worker
			if setup != nil {
				setup()
			}
			ready.Done()
			p.serve(w)
		}()
	}
	ready.Wait()
	return p
}

// serve is a worker's loop: asleep, it waits for a part a caller claimed
// it for or a whole job from Run; after each, it polls for its next part
// (taking it without sleeping) for spinFor, then sleeps again.
func (p *Pool) serve(w *worker) {
	for {
		select {
		case f := <-w.wake:
			p.do(f)
		case f, ok := <-p.work:
			if !ok {
				if !w.state.CompareAndSwap(asleep, claimed) {
					p.do(<-w.wake) // claimed as the pool closed
				}
				return
			}
			if !w.state.CompareAndSwap(asleep, claimed) {
				// A caller claimed this worker at the same moment:
				// its part is short and waited for; it goes first.
				p.do(<-w.wake)
			}
			f() // a job from Run counts its own CPU
		}
		p.poll(w)
	}
}

// poll takes parts without sleeping until none has come for spinFor,
// then leaves w asleep.
func (p *Pool) poll(w *worker) {
	for {
		w.state.Store(polling)
		until := time.Now().Add(spinFor)
		var f func()
		for i := 0; f == nil; i++ {
			select {
			case f = <-w.wake:
				continue
			default:
			}
			if i&63 == 63 && time.Now().After(until) {
				break
			}
		}
		if f == nil {
			if w.state.CompareAndSwap(polling, asleep) {
				return
			}
			f = <-w.wake // claimed just now: the part is on its way
		}
		p.do(f)
	}
}

// do runs f, counting its CPU time.
func (p *Pool) do(f func()) {
	if p.clock == nil {
		f()
		return
	}
	t0 := p.clock()
	f()
	p.cpu.Add(int64(p.clock() - t0))
}

// CPU is the CPU time the workers have spent on work so far.
func (p *Pool) CPU() time.Duration { return time.Duration(p.cpu.Load()) }

// Size is the number of workers.
func (p *Pool) Size() int { return p.n }

// Run runs f on a worker and waits for it. Its CPU time is counted before
// the caller goes on, so CPU after Run has it (a part of it another worker
// ran may still be on its way: a share of one matrix product at most).
func (p *Pool) Run(f func()) {
	done := make(chan struct{})
	p.work <- func() {
		defer close(done)
		p.do(f)
	}
	<-done
}

// Close stops the workers (after their current work).
func (p *Pool) Close() { p.stop.Do(func() { close(p.work) }) }

// claim takes a worker that is polling or asleep for a part, or reports
// false when every worker is busy.
func (p *Pool) claim(f func()) bool {
	for _, w := range p.workers {
		if w.state.CompareAndSwap(polling, claimed) || w.state.CompareAndSwap(asleep, claimed) {
			w.wake <- f
			return true
		}
	}
	return false
}

// split runs f over [0, n) in up to parts contiguous ranges: the first on
// the calling goroutine, the others on free workers (with every worker
// busy a part runs inline: nested splits never wait for a worker).
func (p *Pool) split(n, parts int, f func(lo, hi int)) {
	parts = min(parts, n)
	if p == nil || parts <= 1 {
		f(0, n)
		return
	}
	chunk := (n + parts - 1) / parts
	// pending counts the parts not yet ended, all of them from the start:
	// it reaches zero once, when the last one ends.
	var pending atomic.Int32
	pending.Store(int32((n+chunk-1)/chunk - 1))
	// sleep: 0 while the caller polls; 1 once it sleeps on ch; 2 once
	// the last part has ended before it slept.
	var sleep atomic.Int32
	ch := make(chan struct{}, 1)
	for lo := chunk; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		part := func() {
			f(lo, hi)
			if pending.Add(-1) == 0 && !sleep.CompareAndSwap(0, 2) {
				ch <- struct{}{}
			}
		}
		if !p.claim(part) {
			part()
		}
	}
	f(0, min(chunk, n))
	until := time.Now().Add(spinFor)
	for i := 0; pending.Load() != 0; i++ {
		if i&63 == 63 && time.Now().After(until) {
			if sleep.CompareAndSwap(0, 1) {
				<-ch
			}
			return
		}
	}
}
