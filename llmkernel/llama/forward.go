package llama

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/go-os-agent/runsc-ai/llmkernel/gguf"
	"github.com/go-os-agent/runsc-ai/llmkernel/quant"
)

// State is one sequence being evaluated: its KV cache (values rounded to
// half precision, as llama.cpp's F16 cache holds them) and scratch space.
// A State is used by one goroutine at a time.
type State struct {
	m       *Model
	pool    *Pool // nil: goroutines
	threads int
	max     int         // positions the cache holds
	pos     int         // positions filled
	k, v    [][]float32 // per layer: max × KV width

	x, xn, q, kk, vv, att, ffg, ffu, logits []float32
	scores                                  []float32 // per head: max positions
	qh                                      []float32 // the query rounded to half
	xh                                      []float32 // activations rounded to half, for F16 weights
	acts, actsFF                            *quant.Acts
}

// ErrContextFull is returned when a sequence outgrows its State.
var ErrContextFull = errors.New("llama: context full")

// NewState makes a sequence that holds up to maxTokens positions (at most
// the model's context), using threads OS threads for the matrix work.
func (m *Model) NewState(maxTokens, threads int) *State {
	maxTokens = min(max(maxTokens, 1), m.Context)
	threads = max(threads, 1)
	kv := m.KVHeads * m.HeadDim
	s := &State{m: m, threads: threads, max: maxTokens,
		x: make([]float32, m.Embd), xn: make([]float32, m.Embd), q: make([]float32, m.Embd),
		kk: make([]float32, kv), vv: make([]float32, kv), att: make([]float32, m.Embd),
		ffg: make([]float32, m.FFN), ffu: make([]float32, m.FFN), logits: make([]float32, m.VocabSize),
		scores: make([]float32, m.Heads*maxTokens), qh: make([]float32, m.Embd), xh: make([]float32, max(m.Embd, m.FFN)),
		acts: quant.NewActs(m.Embd), actsFF: quant.NewActs(m.FFN)}
	s.k = make([][]float32, m.Layers)
	s.v = make([][]float32, m.Layers)
	for l := range s.k {
		s.k[l] = make([]float32, maxTokens*kv)
		s.v[l] = make([]float32, maxTokens*kv)
	}
	return s
}

// UsePool makes s split its work over p's threads (the caller then runs
// Eval on one of them, through p.Run, so all of it runs there).
func (s *State) UsePool(p *Pool) {
	s.pool = p
	s.threads = p.Size()
}

// Pos is how many positions are filled.
func (s *State) Pos() int { return s.pos }

// Truncate forgets the positions from n on (a shared prefix stays).
func (s *State) Truncate(n int) {
	s.pos = min(max(n, 0), s.pos)
}

// CopyFrom makes s hold src's first n positions (a cached prompt prefix).
func (s *State) CopyFrom(src *State, n int) {
	n = min(n, src.pos, s.max)
	kv := s.m.KVHeads * s.m.HeadDim
	for l := range s.k {
		copy(s.k[l][:n*kv], src.k[l][:n*kv])
		copy(s.v[l][:n*kv], src.v[l][:n*kv])
	}
	s.pos = n
}

// Eval runs tokens through the model at the next positions and returns the
// logits after the last one (valid until the next call).
func (s *State) Eval(ctx context.Context, tokens []int32) ([]float32, error) {
	if len(tokens) == 0 {
		return nil, errors.New("llama: no tokens")
	}
	if s.pos+len(tokens) > s.max {
		return nil, fmt.Errorf("%w: %d positions + %d tokens > %d", ErrContextFull, s.pos, len(tokens), s.max)
	}
	for i, t := range tokens {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if t < 0 || int(t) >= s.m.VocabSize {
			return nil, fmt.Errorf("llama: token %d outside the vocabulary of %d", t, s.m.VocabSize)
		}
		s.step(t, i == len(tokens)-1)
	}
	return s.logits, nil
}

// step evaluates one token at s.pos; logits only when wanted.
func (s *State) step(tok int32, wantLogits bool) {
	m := s.m
	embedRow(m.tokEmbd, int(tok), s.x)
	kvw := m.KVHeads * m.HeadDim
	group := m.Heads / m.KVHeads
	scale := float32(1 / math.Sqrt(float64(m.HeadDim)))
	p := s.pos
	for li := range m.layers {
		l := &m.layers[li]
		rmsNorm(s.xn, s.x, l.attnNorm, m.Eps)
		s.matvec3(l.q, l.k, l.v, s.xn, s.q, s.kk, s.vv)
		s.rope(s.q, m.Heads, p)
		s.rope(s.kk, m.KVHeads, p)
		kc, vc := s.k[li][p*kvw:(p+1)*kvw], s.v[li][p*kvw:(p+1)*kvw]
		for i := range kc {
			kc[i] = quant.RoundF16(s.kk[i])
			vc[i] = quant.RoundF16(s.vv[i])
		}
		s.attention(li, p, group, scale)
		s.matvec(l.o, s.att, s.xn)
		for i := range s.x {
			s.x[i] += s.xn[i]
		}
		rmsNorm(s.xn, s.x, l.ffnNorm, m.Eps)
		s.matvec2(l.gate, l.up, s.xn, s.ffg, s.ffu)
		swiglu(s.ffg, s.ffu)
		s.matvec(l.down, s.ffg, s.xn)
		for i := range s.x {
			s.x[i] += s.xn[i]
		}
	}
	s.pos++
	if wantLogits {
		rmsNorm(s.xn, s.x, m.outNorm, m.Eps)
		s.matvec(m.output, s.xn, s.logits)
	}
}

// attention computes every head's output at position p into s.att: scores
// of the query (rounded to half, as ggml's F16·F32 product does) against
// the cached keys, softmax with a double-precision sum, probabilities
// rounded to half, weighted sum of the cached values.
func (s *State) attention(li, p, group int, scale float32) {
	m := s.m
	kvw := m.KVHeads * m.HeadDim
	hd := m.HeadDim
	kc, vc := s.k[li], s.v[li]
	n := p + 1
	s.parallel(m.Heads, s.split(n*m.Embd*2), func(h0, h1 int) {
		for h := h0; h < h1; h++ {
			scores := s.scores[h*s.max : h*s.max+n]
			qh := s.qh[h*hd : h*hd+hd]
			kvh := h / group
			for i := range qh {
				qh[i] = quant.RoundF16(s.q[h*hd+i])
			}
			mx := float32(math.Inf(-1))
			for t := 0; t < n; t++ {
				k := kc[t*kvw+kvh*hd : t*kvw+kvh*hd+hd]
				var d float64 // ggml_vec_dot_f16: float products, double sum
				for i, qv := range qh {
					d += float64(qv * k[i])
				}
				scores[t] = float32(d) * scale
				mx = max(mx, scores[t])
			}
			inv := float32(1 / softmaxExp(scores[:n], mx))
			for t := 0; t < n; t++ {
				scores[t] = quant.RoundF16(scores[t] * inv)
			}
			out := s.att[h*hd : h*hd+hd]
			for i := range out {
				// V is cached transposed: each output is a dot product
				// over positions, summed in double.
				var d float64
				for t := 0; t < n; t++ {
					d += float64(scores[t] * vc[t*kvw+kvh*hd+i])
				}
				out[i] = float32(d)
			}
		}
	})
}

// rope rotates each head's first RopeDim values in pairs (llama's "normal"
// RoPE), the angles built as ggml's rope cache builds them: in float32,
// theta multiplied by base^(-2/dims) at each pair.
func (s *State) rope(x []float32, heads, p int) {
	m := s.m
	thetaScale := float32(math.Pow(float64(m.RopeBase), -2.0/float64(m.RopeDim)))
	theta := float32(p)
	for i := 0; i < m.RopeDim; i += 2 {
		th := m.RopeFreqScl * theta
		c, sn := float32(math.Cos(float64(th))), float32(math.Sin(float64(th)))
		for h := 0; h < heads; h++ {
			o := h*m.HeadDim + i
			x0, x1 := x[o], x[o+1]
			x[o] = x0*c - x1*sn
			x[o+1] = x0*sn + x1*c
		}
		theta *= thetaScale
	}
}

// rmsNorm is ggml's RMS norm (sum of squares in double) times w.
func rmsNorm(out, x, w []float32, eps float32) {
	var sum float64
	for _, v := range x {
		sum += float64(v * v)
	}
	mean := float32(sum / float64(len(x)))
	sc := 1 / float32(math.Sqrt(float64(mean+eps)))
	for i, v := range x {
		out[i] = v * sc * w[i]
	}
}

// embedRow copies token t's embedding (dequantized) into out.
func embedRow(w *matrix, t int, out []float32) {
	row := w.data[t*w.rowBytes : (t+1)*w.rowBytes]
	switch w.typ {
	case gguf.F32:
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(row[4*i:]))
		}
	case gguf.F16:
		for i := range out {
			out[i] = quant.F16ToF32(binary.LittleEndian.Uint16(row[2*i:]))
		}
	case gguf.Q8_0:
		quant.DequantizeQ8_0(out, row)
	case gguf.Q4_0:
		quant.DequantizeQ4_0(out, row)
	}
}

// prepared is an input vector in the form a weight type's dot product takes.
type prepared struct {
	x    []float32
	xh   []float32
	acts *quant.Acts
}

func (s *State) prepare(w *matrix, x []float32, acts *quant.Acts, xh []float32) prepared {
	switch w.typ {
	case gguf.F16:
		xh = xh[:len(x)]
		for i, v := range x {
			xh[i] = quant.RoundF16(v)
		}
		return prepared{xh: xh}
	case gguf.Q8_0, gguf.Q4_0:
		acts.Quantize(x)
		return prepared{acts: acts}
	}
	return prepared{x: x}
}

func dot(w *matrix, r int, in prepared) float32 {
	row := w.data[r*w.rowBytes : (r+1)*w.rowBytes]
	switch w.typ {
	case gguf.F16:
		return quant.DotF16(w.f16[r*w.cols:(r+1)*w.cols], in.xh)
	case gguf.Q8_0:
		return quant.DotQ8_0(row, in.acts)
	case gguf.Q4_0:
		return quant.DotQ4_0(row, in.acts)
	}
	return quant.DotF32(w.f32[r*w.cols:(r+1)*w.cols], in.x)
}

func (s *State) actsFor(x []float32) *quant.Acts {
	if len(x) == s.m.FFN && len(x) != s.m.Embd {
		return s.actsFF
	}
	return s.acts
}

// matvec sets out = w·x.
func (s *State) matvec(w *matrix, x, out []float32) {
	in := s.prepare(w, x, s.actsFor(x), s.xh)
	s.parallel(w.rows, s.split(w.rows*w.cols), func(r0, r1 int) {
		for r := r0; r < r1; r++ {
			out[r] = dot(w, r, in)
		}
	})
}

// matvec2 and matvec3 share one preparation of x between weights of the
// same type (q, k and v; gate and up).
func (s *State) matvec2(a, b *matrix, x, oa, ob []float32) {
	if a.typ != b.typ {
		s.matvec(a, x, oa)
		s.matvec(b, x, ob)
		return
	}
	in := s.prepare(a, x, s.actsFor(x), s.xh)
	s.parallel(a.rows+b.rows, s.split((a.rows+b.rows)*a.cols), func(r0, r1 int) {
		for r := r0; r < r1; r++ {
			if r < a.rows {
				oa[r] = dot(a, r, in)
			} else {
				ob[r-a.rows] = dot(b, r-a.rows, in)
			}
		}
	})
}

func (s *State) matvec3(a, b, c *matrix, x, oa, ob, oc []float32) {
	if a.typ != b.typ || a.typ != c.typ {
		s.matvec(a, x, oa)
		s.matvec(b, x, ob)
		s.matvec(c, x, oc)
		return
	}
	in := s.prepare(a, x, s.actsFor(x), s.xh)
	s.parallel(a.rows+b.rows+c.rows, s.split((a.rows+b.rows+c.rows)*a.cols), func(r0, r1 int) {
		for r := r0; r < r1; r++ {
			switch {
			case r < a.rows:
				oa[r] = dot(a, r, in)
			case r < a.rows+b.rows:
				ob[r-a.rows] = dot(b, r-a.rows, in)
			default:
				oc[r-a.rows-b.rows] = dot(c, r-a.rows-b.rows, in)
			}
		}
	})
}

// minParallel is the work (multiply-adds) below which splitting costs
// more than it saves.
const minParallel = 1 << 15

// split is how many threads work of this size gets.
func (s *State) split(work int) int {
	if work < minParallel {
		return 1
	}
	return s.threads
}

// parallel splits [0, n) over the pool, or goroutines without one.
func (s *State) parallel(n, threads int, f func(lo, hi int)) {
	if s.pool != nil {
		s.pool.split(n, threads, f)
		return
	}
	parallel(n, threads, f)
}

// parallel splits [0, n) into at most threads contiguous parts.
func parallel(n, threads int, f func(lo, hi int)) {
	threads = min(threads, n, runtime.GOMAXPROCS(0))
	if threads <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + threads - 1) / threads
	for lo := 0; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			f(lo, hi)
		}(lo, min(lo+chunk, n))
	}
	wg.Wait()
}
