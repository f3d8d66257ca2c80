package llmkernel

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// deepTier runs inferences asynchronously: bounded concurrency, a bounded
// queue, at most one inference in flight per situation key. Submit never
// blocks; when the queue is full the request is dropped and counted.
type deepTier struct {
	backend Backend
	policy  DeepPolicy
	queue   chan Situation
	done    func(s Situation, a Answer, r Response, wall time.Duration)
	failed  func(s Situation, err error)
	prepare func(s *Situation) Request
	allowed [numKinds][]bool

	mu       sync.Mutex
	inflight map[cacheKey]struct{} // one inference per key and sandbox
	wg       sync.WaitGroup
	idle     sync.Cond

	submitted, deduped, dropped, completed atomic.Uint64
	errTimeout, errSchema, errBackend      atomic.Uint64
	declined                               atomic.Uint64
	// declinedHow is the last refusal's reason.
	declinedHow atomic.Pointer[string]
}

func newDeepTier(b Backend, p DeepPolicy) *deepTier {
	d := &deepTier{backend: b, policy: p, queue: make(chan Situation, p.Queue), inflight: map[cacheKey]struct{}{}}
	d.idle.L = &d.mu
	return d
}

func (d *deepTier) start(ctx context.Context) {
	for i := 0; i < d.policy.Concurrency; i++ {
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case s, ok := <-d.queue:
					if !ok {
						return
					}
					d.run(ctx, s)
				}
			}
		}()
	}
}

// submit queues s unless its key is already in flight or the queue is full.
func (d *deepTier) submit(s Situation) {
	k := cacheKey{s.Key(), s.Sandbox}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.inflight[k]; ok {
		d.deduped.Add(1)
		return
	}
	select {
	case d.queue <- s:
		d.inflight[k] = struct{}{}
		d.submitted.Add(1)
	default:
		d.dropped.Add(1)
	}
}

func (d *deepTier) run(ctx context.Context, s Situation) {
	defer func() {
		d.mu.Lock()
		delete(d.inflight, cacheKey{s.Key(), s.Sandbox})
		if len(d.inflight) == 0 {
			d.idle.Broadcast()
		}
		d.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(ctx, d.policy.Timeout)
	defer cancel()
	req := d.prepare(&s)
	start := time.Now()
	resp, err := d.backend.Infer(ctx, req)
	wall := time.Since(start)
	if err != nil {
		if errors.Is(err, ErrDeclined) && ctx.Err() == nil {
			d.declined.Add(1)
			why := err.Error()
			d.declinedHow.Store(&why)
			return
		}
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			d.errTimeout.Add(1)
			err = fmt.Errorf("%s backend: no answer within %v: %w", d.backend.Name(), d.policy.Timeout, err)
		} else {
			d.errBackend.Add(1)
		}
		d.failed(s, err)
		return
	}
	if len(resp.Text) > MaxAnswerBytes {
		d.errBackend.Add(1)
		d.failed(s, fmt.Errorf("%s backend: answer of %d bytes, more than %d", d.backend.Name(), len(resp.Text), MaxAnswerBytes))
		return
	}
	a, err := ParseAnswer(s.Kind, d.allowed[s.Kind], resp.Text)
	if err != nil {
		d.errSchema.Add(1)
		d.failed(s, fmt.Errorf("%s backend: %w (answer %q)", d.backend.Name(), err, truncate(string(resp.Text), 200)))
		return
	}
	d.completed.Add(1)
	d.done(s, a, resp, wall)
}

// waitIdle blocks until nothing is queued or in flight, or ctx ends.
func (d *deepTier) waitIdle(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		d.mu.Lock()
		d.idle.Broadcast()
		d.mu.Unlock()
	})
	defer stop()
	d.mu.Lock()
	defer d.mu.Unlock()
	for len(d.inflight) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		d.idle.Wait()
	}
	return nil
}
