package llmkernel

import (
	"encoding/json"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
)

// dim is the learner's input: the features plus a bias term.
const dim = int(NumFeatures) + 1

// FastTier is a contextual bandit per decision kind: disjoint LinUCB over the
// feature vector. Decisions read an immutable snapshot through an atomic
// pointer (no locks, no allocation); updates build a new snapshot under a
// mutex and publish it.
type FastTier struct {
	alpha  float64 // exploration weight of the confidence bound
	mu     sync.Mutex
	models [numKinds]atomic.Pointer[linUCB]
}

// linUCB holds, per arm, A⁻¹ (kept directly via Sherman–Morrison) and b.
type linUCB struct {
	Ainv [][dim * dim]float64
	B    [][dim]float64
	N    []int // observations per arm
}

// NewFastTier makes an untrained fast tier; alpha sets exploration.
func NewFastTier(alpha float64) *FastTier {
	f := &FastTier{alpha: alpha}
	for k := Kind(0); k < numKinds; k++ {
		f.models[k].Store(newLinUCB(len(actionSpaces[k])))
	}
	return f
}

func newLinUCB(arms int) *linUCB {
	m := &linUCB{Ainv: make([][dim * dim]float64, arms), B: make([][dim]float64, arms), N: make([]int, arms)}
	for a := range m.Ainv {
		for i := 0; i < dim; i++ {
			m.Ainv[a][i*dim+i] = 1 // A = I (ridge prior)
		}
	}
	return m
}

func input(f *Features) (x [dim]float64) {
	copy(x[:], f[:])
	x[dim-1] = 1
	return x
}

// Choice is the fast tier's pick with its estimate.
type Choice struct {
	Action   Action
	Estimate float64 // expected reward θ·x
	Width    float64 // confidence-bound width √(xᵀA⁻¹x)
	N        int     // observations of the chosen arm
}

// Decide picks the arm with the highest upper confidence bound; explore
// widens the bound (false: pure exploitation, for explanations and tests).
func (f *FastTier) Decide(s *Situation, explore bool) Choice {
	m := f.models[s.Kind].Load()
	x := input(&s.Features)
	best := Choice{Estimate: math.Inf(-1)}
	bestScore := math.Inf(-1)
	for a := range m.Ainv {
		ai := &m.Ainv[a]
		var est, width float64
		for i := 0; i < dim; i++ {
			var theta, ax float64 // (A⁻¹b)_i and (A⁻¹x)_i
			row := ai[i*dim : i*dim+dim]
			for j := 0; j < dim; j++ {
				theta += row[j] * m.B[a][j]
				ax += row[j] * x[j]
			}
			est += theta * x[i]
			width += ax * x[i]
		}
		width = math.Sqrt(math.Max(width, 0))
		score := est
		if explore {
			score += f.alpha * width
		}
		if score > bestScore {
			bestScore = score
			best = Choice{Action: Action(a), Estimate: est, Width: width, N: m.N[a]}
		}
	}
	return best
}

// Update trains arm a of s's kind with reward r (weight w scales how much one
// observation counts: distilled LLM answers count less than measured ones).
func (f *FastTier) Update(s *Situation, a Action, r, w float64) {
	if w <= 0 || math.IsNaN(r) || math.IsInf(r, 0) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	old := f.models[s.Kind].Load()
	if int(a) >= len(old.Ainv) {
		return
	}
	m := &linUCB{Ainv: append([][dim * dim]float64(nil), old.Ainv...), B: append([][dim]float64(nil), old.B...), N: append([]int(nil), old.N...)}
	x := input(&s.Features)
	// Sherman–Morrison: (A + w xxᵀ)⁻¹ = A⁻¹ − w A⁻¹x xᵀA⁻¹ / (1 + w xᵀA⁻¹x).
	ai := &m.Ainv[a]
	var ax [dim]float64
	var xax float64
	for i := 0; i < dim; i++ {
		for j := 0; j < dim; j++ {
			ax[i] += ai[i*dim+j] * x[j]
		}
		xax += x[i] * ax[i]
	}
	den := 1 + w*xax
	for i := 0; i < dim; i++ {
		for j := 0; j < dim; j++ {
			ai[i*dim+j] -= w * ax[i] * ax[j] / den // A⁻¹ is symmetric
		}
	}
	for i := 0; i < dim; i++ {
		m.B[a][i] += w * r * x[i]
	}
	m.N[a]++
	f.models[s.Kind].Store(m)
}

// fastState is the persisted form of the fast tier.
type fastState struct {
	Alpha  float64            `json:"alpha"`
	Models map[string]*linUCB `json:"models"`
}

// MarshalJSON persists the learned parameters.
func (f *FastTier) MarshalJSON() ([]byte, error) {
	st := fastState{Alpha: f.alpha, Models: map[string]*linUCB{}}
	for k := Kind(0); k < numKinds; k++ {
		st.Models[k.String()] = f.models[k].Load()
	}
	return json.Marshal(st)
}

// UnmarshalJSON restores learned parameters, refusing any whose shape does
// not match this build's action spaces and features (they would be garbage).
func (f *FastTier) UnmarshalJSON(b []byte) error {
	var st fastState
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("fast tier state: %w", err)
	}
	for name, m := range st.Models {
		k, err := ParseKind(name)
		if err != nil {
			return fmt.Errorf("fast tier state: %w", err)
		}
		arms := len(actionSpaces[k])
		if m == nil || len(m.Ainv) != arms || len(m.B) != arms || len(m.N) != arms {
			return fmt.Errorf("fast tier state: %s model has the wrong number of actions (want %d)", k, arms)
		}
		for a := range m.Ainv {
			for _, v := range m.Ainv[a] {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("fast tier state: %s model has non-finite values", k)
				}
			}
		}
		f.models[k].Store(m)
	}
	if st.Alpha > 0 {
		f.alpha = st.Alpha
	}
	return nil
}
