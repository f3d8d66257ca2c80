package llmkernel

import (
	"math"
	"math/rand"
	"testing"
)

// simEnv is a simulated CPU-tuning environment with a known best action per
// feature region. The need for CPU is x = 0.7·cpu_throttle + 0.3·latency_need;
// raising shares pays x, lowering pays 1-x, keeping pays 0.6: lower_shares is
// best for x < 0.4, keep for 0.4..0.6, raise_shares above 0.6. Rewards carry
// Gaussian noise. (Rewards are linear per action, as LinUCB assumes; with a
// non-linear keep reward such as 1-|x-0.5| the learner's regret still falls
// to ~0.006 but its greedy choice is best only ~80% of the time.)
type simEnv struct {
	rng   *rand.Rand
	noise float64
}

var (
	simKeep  = ActionKeep
	simRaise = mustAction(KindCPU, "raise_shares")
	simLower = mustAction(KindCPU, "lower_shares")
)

func mustAction(k Kind, name string) Action {
	a, err := ParseAction(k, name)
	if err != nil {
		panic(err)
	}
	return a
}

func (e *simEnv) situation() Situation {
	s := Situation{Kind: KindCPU, Sandbox: "sim", Evidence: 10}
	for i := range s.Features {
		s.Features[i] = e.rng.Float64()
	}
	return s
}

func (e *simEnv) mean(s *Situation, a Action) float64 {
	x := 0.7*s.Features[FeatCPUThrottle] + 0.3*s.Features[FeatLatencyNeed]
	switch a {
	case simRaise:
		return x
	case simLower:
		return 1 - x
	case simKeep:
		return 0.6
	}
	return 0 // the quota actions are never good here
}

func (e *simEnv) best(s *Situation) Action {
	best, bv := simKeep, math.Inf(-1)
	for a := range actionSpaces[KindCPU] {
		if v := e.mean(s, Action(a)); v > bv {
			best, bv = Action(a), v
		}
	}
	return best
}

func (e *simEnv) reward(s *Situation, a Action) float64 {
	return e.mean(s, a) + e.rng.NormFloat64()*e.noise
}

type learningCurve struct {
	regret   []float64 // mean regret per window
	accuracy []float64 // greedy best-action rate per window
}

// run plays rounds with the fast tier exploring (UCB), training on noisy
// rewards, and measures per window the regret of what it played and how
// often its greedy choice is the best action.
func run(f *FastTier, env *simEnv, rounds, window int) learningCurve {
	var c learningCurve
	var reg, hits float64
	for i := 1; i <= rounds; i++ {
		s := env.situation()
		ch := f.Decide(&s, true)
		reg += env.mean(&s, env.best(&s)) - env.mean(&s, ch.Action)
		f.Update(&s, ch.Action, env.reward(&s, ch.Action), 1)
		probe := env.situation()
		if f.Decide(&probe, false).Action == env.best(&probe) {
			hits++
		}
		if i%window == 0 {
			c.regret = append(c.regret, reg/float64(window))
			c.accuracy = append(c.accuracy, hits/float64(window))
			reg, hits = 0, 0
		}
	}
	return c
}

const (
	learnRounds = 4000
	learnWindow = 400
	probes      = 2000
)

// accuracy is how often the trained tier's greedy choice is the best action,
// over fresh situations.
func accuracy(f *FastTier, env *simEnv) float64 {
	hits := 0
	for i := 0; i < probes; i++ {
		s := env.situation()
		if f.Decide(&s, false).Action == env.best(&s) {
			hits++
		}
	}
	return float64(hits) / probes
}

func TestFastTierLearnsBestAction(t *testing.T) {
	env := &simEnv{rng: rand.New(rand.NewSource(1)), noise: 0.1}
	f := NewFastTier(1.0)
	c := run(f, env, learnRounds, learnWindow)
	t.Logf("regret per window: %.3f", c.regret)
	t.Logf("best-action rate:  %.2f", c.accuracy)
	last := len(c.regret) - 1
	if c.regret[last] >= c.regret[0]/2 {
		t.Errorf("regret did not fall: first window %.3f, last %.3f", c.regret[0], c.regret[last])
	}
	if acc := accuracy(f, env); acc < 0.9 {
		t.Errorf("best action %.1f%% of the time after %d rounds, want ≥ 90%%", 100*acc, learnRounds)
	} else {
		t.Logf("after %d rounds: best action %.1f%% of %d fresh situations", learnRounds, 100*acc, probes)
	}
}

// Starting from LLM priors: the fast tier is first distilled from 50 deep-tier
// answers (as learnFromDeep does), then learns from outcomes. Good priors give
// a head start; misleading ones (always "raise") are unlearned.
func TestFastTierLearnsFromLLMPriors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		prior  func(env *simEnv, s *Situation) Action
		rounds int
	}{
		{"good priors", func(env *simEnv, s *Situation) Action { return env.best(s) }, learnRounds},
		// 100 weighted fake observations take longer to outweigh.
		{"misleading priors", func(*simEnv, *Situation) Action { return simRaise }, 3 * learnRounds},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := &simEnv{rng: rand.New(rand.NewSource(2)), noise: 0.1}
			f := NewFastTier(1.0)
			for i := 0; i < 50; i++ {
				s := env.situation()
				f.Update(&s, tc.prior(env, &s), 0.9, 2) // confidence 90, distill weight 2
			}
			c := run(f, env, tc.rounds, learnWindow)
			t.Logf("regret per window: %.3f", c.regret)
			t.Logf("best-action rate:  %.2f", c.accuracy)
			last := len(c.accuracy) - 1
			if acc := accuracy(f, env); acc < 0.9 {
				t.Errorf("best action %.1f%% of the time after %d rounds, want ≥ 90%%", 100*acc, tc.rounds)
			} else {
				t.Logf("after %d rounds: best action %.1f%% of %d fresh situations (first window %.0f%%)", tc.rounds, 100*acc, probes, 100*c.accuracy[0])
			}
			if c.regret[last] >= c.regret[0]/2 {
				t.Errorf("regret did not fall: first window %.3f, last %.3f", c.regret[0], c.regret[last])
			}
		})
	}
}

func newRand() *rand.Rand { return rand.New(rand.NewSource(7)) }
