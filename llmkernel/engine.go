package llmkernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// Config assembles an engine.
type Config struct {
	Policy  Policy
	Backend Backend // nil: embedded (no deep tier)
	Readers Readers
	// Models is where the fast tier is restored from, and saved to when it
	// is also a ModelSaver; nil: start fresh, keep nothing.
	Models ModelLoader
	// Records keeps decisions and outcomes (nil: nothing kept); if it is
	// also a ChangeHistory the guardrails resume from it, and if it is a
	// HistoryReader the prompt's history comes from it.
	Records Recorder
	Logger  *zap.Logger // nil: no logs
	// OnDeepAnswer, if set, also receives every validated deep-tier answer
	// (after it is cached and distilled), e.g. to persist it elsewhere.
	OnDeepAnswer func(Situation, Answer)
	// OnTriage, if set, receives the deep tier's note on an anomaly
	// (Anomaly): the security decision's ID and a one-line note (the
	// model's words, quoted and bounded). Called from the deep tier's
	// goroutines.
	OnTriage func(decisionID uint64, note string)
	// NoRecords: the caller persists the decisions it wants (the live loop
	// records what it applied, not every window's keep); Records still
	// keeps outcomes.
	NoRecords bool
	// Capacity bounds the decisions awaiting an outcome and the queues;
	// 0 is DefaultCapacity. A short-lived process (runsc-ai create makes
	// one decision) sets it small: the ring is allocated up front.
	Capacity int
}

// Engine is the decision engine. It is safe for concurrent use.
type Engine struct {
	policy    Policy
	cache     *Cache
	fast      *FastTier
	guard     *guard
	deep      *deepTier // nil when embedded
	models    ModelLoader
	saver     ModelSaver // nil: the model is not kept
	recorder  Recorder
	onDeep    func(Situation, Answer)
	onTriage  func(uint64, string)
	noRecords bool
	log       *zap.Logger
	read      Readers

	nextID  atomic.Uint64
	pending pendingRing

	outcomes chan Outcome
	records  chan DecisionRecord
	cancel   context.CancelFunc
	bg       sync.WaitGroup
	closed   atomic.Bool

	decisions     [numKinds][numTiers]atomic.Uint64 // by kind and tier
	outcomesSeen  atomic.Uint64
	outcomesLost  atomic.Uint64
	recordsLost   atomic.Uint64
	cacheEvicted  atomic.Uint64
	persistErrors atomic.Uint64
	budget        *learnBudget
}

const (
	outcomeQueue = 1024
	recordQueue  = 4096
)

// ModelName is the fast tier's key in the store.
const ModelName = "fast-tier"

// New starts an engine: it restores the fast tier from the store if one is
// given, and starts the deep-tier workers and the background learner.
func New(cfg Config) (*Engine, error) {
	p := cfg.Policy
	if err := p.validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = zap.NewNop()
	}
	capacity := cfg.Capacity
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	e := &Engine{
		policy:   p,
		cache:    NewCache(p.Cache.TTL, p.Cache.Regress),
		fast:     NewFastTier(p.Fast.Alpha),
		models:   cfg.Models,
		recorder: cfg.Records,
		log:      log,
		read:     cfg.Readers,
		pending:  newPendingRing(capacity),
		outcomes: make(chan Outcome, min(outcomeQueue, capacity)),
		records:  make(chan DecisionRecord, min(recordQueue, capacity)),
	}
	e.guard = newGuard(&e.policy)
	e.budget = newLearnBudget(p.Fast.SandboxBudget)
	e.onDeep = cfg.OnDeepAnswer
	e.onTriage = cfg.OnTriage
	e.noRecords = cfg.NoRecords
	// IDs key the persisted history: start from the clock so that a restart
	// never reuses one.
	e.nextID.Store(uint64(time.Now().UnixNano()))
	e.saver, _ = cfg.Models.(ModelSaver)
	if e.models != nil {
		b, err := e.models.LoadModel(ModelName)
		switch {
		case err != nil:
			return nil, fmt.Errorf("loading the learned fast tier: %w", err)
		case b != nil:
			if err := e.fast.Restore(b); err != nil {
				// A model from another build is not worth crashing for:
				// start fresh, say so.
				log.Warn("discarding stored fast-tier model", zap.Error(err))
				e.fast = NewFastTier(p.Fast.Alpha)
			}
		}
	}
	if e.recorder != nil {
		if ch, ok := e.recorder.(ChangeHistory); ok {
			cs, err := ch.RecentChanges(time.Now().Add(-e.guard.horizon()))
			if err != nil {
				return nil, fmt.Errorf("restoring the guardrails' recent changes: %w", err)
			}
			e.guard.restore(cs)
		}
		if hr, ok := e.recorder.(HistoryReader); ok && e.read.History == nil {
			e.read.History = func(sb string, k Kind, n int) []HistoryEntry {
				h, _ := hr.Recent(sb, k, n)
				return h
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	if cfg.Backend != nil {
		e.deep = newDeepTier(cfg.Backend, p.Deep)
		for k := range e.deep.allowed {
			e.deep.allowed[k] = p.Kinds[k].Allowed
		}
		e.deep.prepare = e.request
		e.deep.done = e.learnFromDeep
		e.deep.failed = func(s Situation, err error) {
			e.log.Warn("deep tier failed; the fast tier's decision stands", zap.Stringer("kind", s.Kind), zap.Stringer("key", s.Key()), zap.Error(err))
		}
		e.deep.start(ctx)
	}
	e.bg.Add(1)
	go e.background(ctx)
	return e, nil
}

// Backend names the deep-tier backend, or "embedded".
func (e *Engine) Backend() string {
	if e.deep == nil {
		return "embedded"
	}
	return e.deep.backend.Name()
}

// Decide returns a decision for s at once; it never waits on a model.
func (e *Engine) Decide(ctx context.Context, s Situation) Decision {
	start := time.Now()
	var d Decision
	if err := s.Validate(); err != nil {
		d = keep(&s, TierFallback, "invalid situation")
		d.Rejected = err.Error()
		e.guard.rejected[s.Kind%numKinds].Add(1)
	} else if cached, ok := e.cache.Get(s.Key(), s.Sandbox, start.UnixNano()); ok {
		d = cached
		d.Tier = TierCache
		d = e.guard.check(&s, d, start)
	} else {
		var ruled bool
		if d, ruled = e.ruleDecision(&s); !ruled {
			d = e.fastDecision(&s)
		}
		if e.deep != nil && ctx.Err() == nil {
			e.deep.submit(s)
		} else if !ruled && d.Confidence >= e.policy.Cache.MinConfidence && d.Action != ActionKeep {
			e.cache.Put(d, "", start.UnixNano())
		}
		d = e.guard.check(&s, d, start)
	}
	d.ID = e.nextID.Add(1)
	d.Latency = time.Since(start)
	e.decisions[d.Kind%numKinds][d.Tier].Add(1)
	e.pending.put(d.ID, s, d, start)
	if ce := e.log.Check(zap.InfoLevel, "decision"); ce != nil {
		ce.Write(zap.Uint64("id", d.ID), zap.Stringer("kind", d.Kind), zap.Stringer("key", d.Key),
			zap.Stringer("tier", d.Tier), zap.String("action", d.ActionName()), zap.Int("step_pct", d.StepPct),
			zap.String("reason", d.Reason), zap.String("rejected", d.Rejected), zap.Duration("latency", d.Latency))
	}
	if e.recorder != nil && !e.noRecords {
		select {
		case e.records <- NewRecord(&s, &d, start):
		default:
			e.recordsLost.Add(1)
		}
	}
	return d
}

func (e *Engine) fastDecision(s *Situation) Decision {
	if e.policy.Fast.Off {
		return keep(s, TierFast, "fast tier off (rules only): no rule holds")
	}
	var c FastChoice
	if e.policy.Kinds[s.Kind].NoExplore {
		c = e.fast.Conservative(s)
	} else {
		c = e.fast.Decide(s, true)
	}
	conf := int(100 * (1 - c.Width))
	if conf < 0 {
		conf = 0
	}
	step := 0
	if direction(s.Kind, c.Action) != 0 {
		step = e.policy.Kinds[s.Kind].MaxStepPct / 2
	}
	return Decision{
		Kind: s.Kind, Key: s.Key(), Action: c.Action, Tier: TierFast,
		StepPct:    step,
		Confidence: conf,
		Reason:     fmt.Sprintf("fast tier: expected reward %.2f ± %.2f after %d outcomes", c.Estimate, c.Width, c.N),
	}
}

// request builds the deep-tier request for s.
func (e *Engine) request(s *Situation) Request {
	c := Assemble(s, e.read, e.policy.Goal)
	return Request{Kind: s.Kind, Prompt: Prompt(s.Kind, e.policy.Kinds[s.Kind].Allowed, &c), Schema: Schema(s.Kind, e.policy.Kinds[s.Kind].Allowed)}
}

// learnFromDeep caches a validated deep-tier answer and distils it into the
// fast tier, so later situations like it are answered without the model.
func (e *Engine) learnFromDeep(s Situation, a Answer, r Response, wall time.Duration) {
	if s.Finding != nil {
		e.triaged(s, a, r, wall)
		return
	}
	d := Decision{
		Kind: s.Kind, Key: s.Key(), Action: a.Action, StepPct: a.StepPct, Confidence: a.Confidence,
		Tier: TierDeep, Reason: "deep tier (" + e.deep.backend.Name() + "): " + a.Reason,
	}
	if direction(s.Kind, a.Action) == 0 {
		d.StepPct = 0 // a step means nothing for keep or report actions
	}
	// The answer came from a prompt carrying this sandbox's untrusted
	// strings and history: it is cached for this sandbox only, and what it
	// teaches the shared fast tier counts against the sandbox's budget.
	now := time.Now()
	e.cache.Put(d, s.Sandbox, now.UnixNano())
	if w := e.budget.take(s.Sandbox, e.policy.Fast.DistillWeight, now); w > 0 {
		e.fast.Distill(&s, a, w)
	}
	if e.onDeep != nil {
		e.onDeep(s, a)
	}
	e.log.Info("deep tier answer", zap.Stringer("kind", s.Kind), zap.Stringer("key", d.Key), zap.String("action", d.ActionName()),
		zap.Int("confidence", a.Confidence), zap.String("reason", a.Reason), zap.Duration("wall", wall), zap.Duration("model", r.ModelTime))
}

// Observe reports the measured outcome of decision o.DecisionID. Learning
// happens in the background; Observe never blocks (a full queue drops the
// outcome, counted).
func (e *Engine) Observe(o Outcome) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if e.closed.Load() {
		return errors.New("engine closed")
	}
	select {
	case e.outcomes <- o:
		return nil
	default:
		e.outcomesLost.Add(1)
		return errors.New("outcome queue full; outcome dropped")
	}
}

func (e *Engine) background(ctx context.Context) {
	defer e.bg.Done()
	save := time.NewTicker(30 * time.Second)
	defer save.Stop()
	for {
		select {
		case o := <-e.outcomes:
			e.learn(o)
		case r := <-e.records:
			e.record(r)
		case <-save.C:
			e.saveModel()
		case <-ctx.Done():
			e.drain()
			return
		}
	}
}

// drain finishes queued work at shutdown so nothing accepted is lost.
func (e *Engine) drain() {
	for {
		if o, ok := tryReceive(e.outcomes); ok {
			e.learn(o)
		} else if r, ok := tryReceive(e.records); ok {
			e.record(r)
		} else {
			e.saveModel()
			return
		}
	}
}

// tryReceive receives from c if a value is ready.
func tryReceive[T any](c <-chan T) (T, bool) {
	select {
	case v := <-c:
		return v, true
	default:
		var zero T
		return zero, false
	}
}

func (e *Engine) record(r DecisionRecord) {
	e.persist(func() error { return e.recorder.PutDecision(r) })
}

func (e *Engine) learn(o Outcome) {
	p, ok := e.pending.take(o.DecisionID)
	if !ok {
		e.outcomesLost.Add(1)
		e.log.Warn("outcome for an unknown or expired decision", zap.Uint64("id", o.DecisionID))
		return
	}
	e.outcomesSeen.Add(1)
	reward := e.policy.Goal.Reward(o)
	if w := e.budget.take(p.s.Sandbox, 1, time.Now()); w > 0 {
		e.fast.Update(&p.s, p.d.Action, reward, w)
	}
	if e.cache.Outcome(p.d.Key, p.s.Sandbox, p.d.Action, reward) {
		e.cacheEvicted.Add(1)
		e.log.Info("cache entry evicted: its outcome regressed", zap.Stringer("key", p.d.Key), zap.Float64("reward", reward))
	}
	if e.recorder != nil {
		e.persist(func() error { return e.recorder.PutOutcome(o.DecisionID, o, reward) })
	}
}

func (e *Engine) persist(f func() error) {
	if e.recorder == nil {
		return
	}
	if err := f(); err != nil {
		e.persistErrors.Add(1)
		e.log.Warn("history write failed", zap.Error(err))
	}
}

func (e *Engine) saveModel() {
	if e.saver == nil {
		return
	}
	b, err := json.Marshal(e.fast)
	if err == nil {
		err = e.saver.SaveModel(ModelName, b)
	}
	if err != nil {
		e.persistErrors.Add(1)
		e.log.Warn("saving the fast tier failed", zap.Error(err))
	}
}

// WaitIdle waits until the deep tier has nothing queued or in flight.
func (e *Engine) WaitIdle(ctx context.Context) error {
	if e.deep == nil {
		return nil
	}
	return e.deep.waitIdle(ctx)
}

// Close stops the workers, learns from queued outcomes and persists.
func (e *Engine) Close() error {
	if e.closed.Swap(true) {
		return nil
	}
	e.cancel()
	if e.deep != nil {
		e.deep.wg.Wait()
	}
	e.bg.Wait()
	return nil
}

// FastChoice is the fast tier's current greedy pick for s, for explanations.
func (e *Engine) FastChoice(s Situation) FastChoice { return e.fast.Decide(&s, false) }

func (p *Policy) validate() error {
	for k := Kind(0); k < numKinds; k++ {
		if len(p.Kinds[k].Allowed) != len(actionSpaces[k]) {
			return fmt.Errorf("policy: %s allows %d actions, the action space has %d", k, len(p.Kinds[k].Allowed), len(actionSpaces[k]))
		}
		if p.Kinds[k].MaxStepPct < 0 || p.Kinds[k].MaxStepPct > MaxStepPct {
			return fmt.Errorf("policy: %s max step %d%% outside 0..%d", k, p.Kinds[k].MaxStepPct, MaxStepPct)
		}
	}
	for i := range p.Rules {
		if err := p.Rules[i].validate(); err != nil {
			return err
		}
	}
	if p.Deep.Concurrency < 1 || p.Deep.Queue < 1 || p.Deep.Timeout <= 0 {
		return errors.New("policy: deep tier needs concurrency ≥ 1, queue ≥ 1 and a timeout")
	}
	if p.Cache.TTL <= 0 {
		return errors.New("policy: cache TTL must be positive")
	}
	// NaN compares false with everything: a NaN weight or rate would
	// silently disable learning, so every number must be finite and ≥ 0.
	g := p.Goal
	for _, f := range []struct {
		name string
		v    float64
	}{{"goal throughput", g.Throughput}, {"goal latency", g.Latency}, {"goal efficiency", g.Efficiency}, {"goal stability", g.Stability},
		{"cache regress", p.Cache.Regress}, {"fast alpha", p.Fast.Alpha}, {"fast distill weight", p.Fast.DistillWeight},
		{"fast sandbox budget", p.Fast.SandboxBudget}, {"deep cpu budget", p.Deep.CPUBudget}, {"deep max temperature", p.Deep.MaxTempC}} {
		if !(f.v >= 0) || math.IsInf(f.v, 1) {
			return fmt.Errorf("policy: %s = %v, want a finite number ≥ 0", f.name, f.v)
		}
	}
	return nil
}
