package llmkernel

import (
	"encoding/binary"
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

// FastChoice is the fast tier's pick with its estimate.
type FastChoice struct {
	Action   Action
	Estimate float64 // expected reward θ·x
	Width    float64 // confidence-bound width √(xᵀA⁻¹x)
	N        int     // observations of the chosen arm
}

// Decide picks the arm with the highest upper confidence bound; explore
// widens the bound (false: pure exploitation, for explanations and tests).
func (f *FastTier) Decide(s *Situation, explore bool) FastChoice {
	if explore {
		return f.decide(s, f.alpha)
	}
	return f.decide(s, 0)
}

// Conservative picks by the lower confidence bound: an action replaces the
// well-known one only when its estimate is better beyond its uncertainty.
// For decisions whose mistakes cost users (create-time configuration).
// The bound is one confidence width (at least alpha widths) below the
// estimate.
func (f *FastTier) Conservative(s *Situation) FastChoice { return f.decide(s, -max(1, f.alpha)) }

// decide scores each action as estimate + coef·width.
func (f *FastTier) decide(s *Situation, coef float64) FastChoice {
	m := f.models[s.Kind].Load()
	x := input(&s.Features)
	best := FastChoice{Estimate: math.Inf(-1)}
	bestScore := math.Inf(-1)
	for a := range m.Ainv {
		est, width := m.score(a, &x)
		score := est + coef*width
		if score > bestScore {
			bestScore = score
			best = FastChoice{Action: Action(a), Estimate: est, Width: width, N: m.N[a]}
		}
	}
	return best
}

// Arm is the fast tier's estimate for action a in s.
func (f *FastTier) Arm(s *Situation, a Action) FastChoice {
	m := f.models[s.Kind].Load()
	if int(a) >= len(m.Ainv) {
		return FastChoice{Action: a}
	}
	x := input(&s.Features)
	est, width := m.score(int(a), &x)
	return FastChoice{Action: a, Estimate: est, Width: width, N: m.N[a]}
}

// score is arm a's expected reward θ·x and confidence width √(xᵀA⁻¹x).
func (m *linUCB) score(a int, x *[dim]float64) (est, width float64) {
	ai := &m.Ainv[a]
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
	return est, math.Sqrt(math.Max(width, 0))
}

// Distill teaches the fast tier a validated deep-tier answer to s: the
// answer's action is rewarded with its confidence, weighted by w (the
// policy's fast.distill_weight, less what the sandbox's budget allows).
// Measured outcomes teach through Update. The live engine and the
// create-time records both distil through here.
func (f *FastTier) Distill(s *Situation, a Answer, w float64) {
	f.Update(s, a.Action, float64(a.Confidence)/100, w)
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
	Alpha float64 `json:"alpha"`
	// Dim is the learner's input size (features plus the bias): a model
	// learned on other features is refused, not zero-filled.
	Dim    int                `json:"dim"`
	Models map[string]*linUCB `json:"models"`
}

// MarshalJSON persists the learned parameters.
func (f *FastTier) MarshalJSON() ([]byte, error) {
	st := fastState{Alpha: f.alpha, Dim: dim, Models: map[string]*linUCB{}}
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
	if st.Dim != dim {
		return fmt.Errorf("fast tier state: model built for other features (input size %d, want %d)", st.Dim, dim)
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

// binaryMagic starts the binary form, which a create path decodes in
// microseconds where the JSON form takes ~0.4 ms.
const binaryMagic = "LUCB\x01"

// MarshalBinary is the compact form of MarshalJSON: magic, alpha, the
// dimension, then per kind its arm count and per arm A⁻¹, b and N
// (little-endian float64s and uint64s).
func (f *FastTier) MarshalBinary() ([]byte, error) {
	b := append([]byte(binaryMagic), make([]byte, 8)...)
	binary.LittleEndian.PutUint64(b[len(binaryMagic):], math.Float64bits(f.alpha))
	b = append(b, byte(dim), byte(numKinds))
	for k := Kind(0); k < numKinds; k++ {
		m := f.models[k].Load()
		b = append(b, byte(len(m.Ainv)))
		for a := range m.Ainv {
			for _, v := range m.Ainv[a] {
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
			}
			for _, v := range m.B[a] {
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
			}
			b = binary.LittleEndian.AppendUint64(b, uint64(m.N[a]))
		}
	}
	return b, nil
}

// UnmarshalBinary restores MarshalBinary's form with UnmarshalJSON's checks.
func (f *FastTier) UnmarshalBinary(b []byte) error {
	bad := func(why string) error { return fmt.Errorf("fast tier state: %s", why) }
	if len(b) < len(binaryMagic)+10 || string(b[:len(binaryMagic)]) != binaryMagic {
		return bad("not a binary fast-tier model")
	}
	b = b[len(binaryMagic):]
	alpha := math.Float64frombits(binary.LittleEndian.Uint64(b))
	if b[8] != byte(dim) || b[9] != byte(numKinds) {
		return bad("model built for other features or kinds")
	}
	b = b[10:]
	var models [numKinds]*linUCB
	next := func() (uint64, bool) {
		if len(b) < 8 {
			return 0, false
		}
		v := binary.LittleEndian.Uint64(b)
		b = b[8:]
		return v, true
	}
	for k := Kind(0); k < numKinds; k++ {
		if len(b) < 1 || int(b[0]) != len(actionSpaces[k]) {
			return bad(fmt.Sprintf("%s model has the wrong number of actions (want %d)", k, len(actionSpaces[k])))
		}
		m := newLinUCB(int(b[0]))
		b = b[1:]
		for a := range m.Ainv {
			for i := range m.Ainv[a] {
				v, ok := next()
				if !ok {
					return bad("truncated")
				}
				m.Ainv[a][i] = math.Float64frombits(v)
			}
			for i := range m.B[a] {
				v, ok := next()
				if !ok {
					return bad("truncated")
				}
				m.B[a][i] = math.Float64frombits(v)
			}
			n, ok := next()
			if !ok || n > math.MaxInt32 {
				return bad("truncated or bad count")
			}
			m.N[a] = int(n)
			for _, v := range m.Ainv[a] {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return bad(fmt.Sprintf("%s model has non-finite values", k))
				}
			}
			for _, v := range m.B[a] {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return bad(fmt.Sprintf("%s model has non-finite values", k))
				}
			}
		}
		models[k] = m
	}
	if len(b) != 0 {
		return bad("trailing bytes")
	}
	for k, m := range models {
		f.models[k].Store(m)
	}
	if alpha > 0 && !math.IsInf(alpha, 0) {
		f.alpha = alpha
	}
	return nil
}

// Restore reads either persisted form.
func (f *FastTier) Restore(b []byte) error {
	if len(b) > 0 && b[0] == '{' {
		return f.UnmarshalJSON(b)
	}
	return f.UnmarshalBinary(b)
}
