package llama

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
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

	b      *batch    // scratch for up to maxBatch tokens at once
	xn     []float32 // the last token's normed output, for the logits
	logits []float32
	all    [][]float32 // EvalAll's logits, per token (allocated on first use)
	scores []float32   // per head: max positions
	qh     []float32   // the query rounded to half
	// For SIMD attention: each key head's eight query heads rounded to
	// half and transposed (value i of head j at 8i+j), their scores (per
	// position, eight), and each head's double sums of values.
	qT, scores8 []float32
	acc         []float64
	out         prepared // the output layer's input
	last        *tree    // the last EvalTree's, until its branch is kept
}

// maxBatch is how many prompt tokens go through the model together: each
// weight row is read once for all of them (llama.cpp's ubatch does the
// same), which is what makes prompt evaluation faster than generation.
const maxBatch = 32

// batch holds per-token activations for up to maxBatch tokens.
type batch struct {
	x, xn, q, kk, vv, att, ffg, ffu [][]float32
	// Each token's input prepared for a product: Q8_0 activations (for
	// the model's width and the FFN's) or values rounded to half.
	actsE, actsF   []*quant.Acts
	kactsE, kactsF []*quant.KActs  // Q8_K, for k-quant weights
	a8             []*quant.Acts8  // groups of eight tokens' Q8_0 activations, interleaved
	a16            []*quant.Acts16 // groups of sixteen, interleaved four values at a time
	a4             []*quant.Acts8  // the tokens left, eight to each (two quads)
	xh             [][]float32
	in             []prepared
}

func rows(n, w int) [][]float32 {
	flat := make([]float32, n*w)
	out := make([][]float32, n)
	for i := range out {
		out[i] = flat[i*w : (i+1)*w : (i+1)*w]
	}
	return out
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
		xn: make([]float32, m.Embd), logits: make([]float32, m.VocabSize),
		scores: make([]float32, m.Heads*maxTokens), qh: make([]float32, m.Embd)}
	if simdAttention {
		s.acc = make([]float64, m.Embd)
		if m.Heads == 8*m.KVHeads {
			s.qT, s.scores8 = make([]float32, m.Embd), make([]float32, m.Heads*maxTokens)
		}
	}
	s.k = make([][]float32, m.Layers)
	s.v = make([][]float32, m.Layers)
	for l := range s.k {
		s.k[l] = make([]float32, maxTokens*kv)
		s.v[l] = make([]float32, maxTokens*kv)
	}
	s.grow(1)
	return s
}

// grow makes the batch scratch hold n tokens (allocated as prompts need it:
// generation uses one).
func (s *State) grow(n int) {
	if s.b != nil && len(s.b.x) >= n {
		return
	}
	m := s.m
	kv := m.KVHeads * m.HeadDim
	b := &batch{x: rows(n, m.Embd), xn: rows(n, m.Embd), q: rows(n, m.Embd), kk: rows(n, kv), vv: rows(n, kv),
		att: rows(n, m.Embd), ffg: rows(n, m.FFN), ffu: rows(n, m.FFN), xh: rows(n, max(m.Embd, m.FFN)), in: make([]prepared, n)}
	for range n {
		b.actsE = append(b.actsE, quant.NewActs(m.Embd))
		b.actsF = append(b.actsF, quant.NewActs(m.FFN))
		if m.kquants {
			b.kactsE = append(b.kactsE, quant.NewKActs(m.Embd))
			b.kactsF = append(b.kactsF, quant.NewKActs(m.FFN))
		}
	}
	s.b = b
	s.out = prepared{acts: quant.NewActs(m.Embd), xh: make([]float32, m.Embd)}
	if m.kquants {
		s.out.kacts = quant.NewKActs(m.Embd)
	}
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
// logits after the last one (valid until the next call). Tokens go through
// in batches of up to maxBatch; every token's arithmetic is the same as one
// at a time, so the result does not depend on the batching.
func (s *State) Eval(ctx context.Context, tokens []int32) ([]float32, error) {
	if err := s.check(tokens); err != nil {
		return nil, err
	}
	s.grow(min(len(tokens), maxBatch))
	for i := 0; i < len(tokens); i += maxBatch {
		n := min(maxBatch, len(tokens)-i)
		if err := s.forward(ctx, tokens[i:i+n], nil, i+n == len(tokens)); err != nil {
			return nil, err
		}
	}
	return s.logits, nil
}

// check refuses tokens that cannot be evaluated at s.pos.
func (s *State) check(tokens []int32) error {
	if len(tokens) == 0 {
		return errors.New("llama: no tokens")
	}
	if s.pos+len(tokens) > s.max {
		return fmt.Errorf("%w: %d positions + %d tokens > %d", ErrContextFull, s.pos, len(tokens), s.max)
	}
	for _, t := range tokens {
		if t < 0 || int(t) >= s.m.VocabSize {
			return fmt.Errorf("llama: token %d outside the vocabulary of %d", t, s.m.VocabSize)
		}
	}
	return nil
}

// EvalAll is Eval for at most maxBatch tokens that returns the logits after
// every one of them (valid until the next call), computed in one batch.
func (s *State) EvalAll(ctx context.Context, tokens []int32) ([][]float32, error) {
	if len(tokens) > maxBatch {
		return nil, fmt.Errorf("llama: EvalAll of %d tokens, more than %d", len(tokens), maxBatch)
	}
	parent := make([]int, len(tokens))
	for j := range parent {
		parent[j] = j - 1
	}
	return s.EvalTree(ctx, tokens, parent)
}

// tree is a batch of alternative continuations of the positions before
// base: token j follows token parent[j] of the batch, or for -1 the cached
// positions themselves. Token j fills cache slot base+j but sits at
// position base+depth[j] and sees only the cached positions and its own
// branch.
type tree struct {
	base          int
	parent, depth []int
	seen          []int // scratch: one token's branch, root first
}

// branch returns the slots of token j's branch, root first, in t.seen.
func (t *tree) branch(j int) []int {
	t.seen = t.seen[:0]
	for g := j; g >= 0; g = t.parent[g] {
		t.seen = append(t.seen, t.base+g)
	}
	slices.Reverse(t.seen)
	return t.seen
}

// EvalTree evaluates alternative continuations of what s holds in one
// pass (what scoring several candidate answers needs): tokens[j] follows
// tokens[parent[j]] (parent[j] < j) or, where parent[j] is -1, the
// positions s holds. It returns the logits after every token (valid until
// the next call); each is bit for bit what evaluating that token's branch
// alone, in order, gives. The tokens take the cache slots after s.Pos();
// KeepBranch then keeps one branch and forgets the others.
func (s *State) EvalTree(ctx context.Context, tokens []int32, parent []int) ([][]float32, error) {
	if err := s.check(tokens); err != nil {
		return nil, err
	}
	if len(parent) != len(tokens) {
		return nil, fmt.Errorf("llama: %d tokens with %d parents", len(tokens), len(parent))
	}
	tr := &tree{base: s.pos, parent: parent, depth: make([]int, len(tokens))}
	for j, p := range parent {
		if p < -1 || p >= j {
			return nil, fmt.Errorf("llama: token %d follows %d, not an earlier token of the batch", j, p)
		}
		if p >= 0 {
			tr.depth[j] = tr.depth[p] + 1
		}
	}
	n := len(tokens)
	s.grow(min(n, maxBatch))
	if len(s.all) < n {
		s.all = rows(n, s.m.VocabSize)
	}
	m := s.m
	for i := 0; i < n; i += maxBatch {
		k := min(maxBatch, n-i)
		if err := s.forward(ctx, tokens[i:i+k], tr, false); err != nil {
			s.pos = tr.base
			return nil, err
		}
		b := s.b
		for j := range k {
			rmsNorm(b.xn[j], b.x[j], m.outNorm, m.Eps)
		}
		s.mul([]*matrix{m.output}, b.xn[:k], [][][]float32{s.all[i : i+k]})
	}
	s.last = tr
	return s.all[:n], nil
}

// KeepBranch keeps, of the last EvalTree's tokens, the branch that ends at
// token j (its root first, at the positions after the tree's base) and
// forgets the rest: the cache then holds exactly what evaluating that
// branch alone would have left.
func (s *State) KeepBranch(j int) error {
	tr := s.last
	if tr == nil || j < 0 || j >= len(tr.parent) || tr.base+len(tr.parent) != s.pos {
		return fmt.Errorf("llama: no evaluated tree holds token %d", j)
	}
	kv := s.m.KVHeads * s.m.HeadDim
	for d, slot := range tr.branch(j) {
		to := tr.base + d
		if to == slot {
			continue
		}
		for l := range s.k {
			copy(s.k[l][to*kv:(to+1)*kv], s.k[l][slot*kv:(slot+1)*kv])
			copy(s.v[l][to*kv:(to+1)*kv], s.v[l][slot*kv:(slot+1)*kv])
		}
	}
	s.pos = tr.base + tr.depth[j] + 1
	s.last = nil
	return nil
}

// forward evaluates toks in the cache slots from s.pos on: in sequence, or
// as the next tokens of tree tr; the logits of the last one only when
// wanted.
func (s *State) forward(ctx context.Context, toks []int32, tr *tree, wantLogits bool) error {
	m, b, n := s.m, s.b, len(toks)
	kvw := m.KVHeads * m.HeadDim
	group := m.Heads / m.KVHeads
	scale := float32(1 / math.Sqrt(float64(m.HeadDim)))
	x, xn := b.x[:n], b.xn[:n]
	for j, t := range toks {
		embedRow(m.tokEmbd, int(t), x[j])
	}
	// What each token attends to. Causal: token j sees the positions up
	// to its own, which are all in the cache by then; in a tree, the
	// cached positions before it and its own branch.
	spans := make([]span, n)
	for j := range spans {
		if tr == nil {
			spans[j].pre = s.pos + j + 1
		} else {
			spans[j] = span{tr.base, slices.Clone(tr.branch(s.pos + j - tr.base))}
		}
	}
	for li := range m.layers {
		// Cancelled between layers: the positions stay unevaluated (the
		// cache rows this batch wrote are past s.pos, rewritten by the
		// next evaluation before anything reads them).
		if err := ctx.Err(); err != nil {
			return err
		}
		l := &m.layers[li]
		s.perToken(n, func(j int) {
			rmsNorm(xn[j], x[j], l.attnNorm, m.Eps)
		})
		s.mul([]*matrix{l.q, l.k, l.v}, xn, [][][]float32{b.q[:n], b.kk[:n], b.vv[:n]})
		s.perToken(n, func(j int) {
			slot, p := s.pos+j, s.pos+j
			if tr != nil {
				p = tr.base + tr.depth[slot-tr.base]
			}
			s.rope(b.q[j], m.Heads, p)
			s.rope(b.kk[j], m.KVHeads, p)
			kc, vc := s.k[li][slot*kvw:(slot+1)*kvw], s.v[li][slot*kvw:(slot+1)*kvw]
			copy(kc, b.kk[j])
			copy(vc, b.vv[j])
			quant.RoundF16s(kc)
			quant.RoundF16s(vc)
		})
		s.attention(li, spans, group, scale)
		s.mul([]*matrix{l.o}, b.att[:n], [][][]float32{xn})
		s.perToken(n, func(j int) {
			for i := range x[j] {
				x[j][i] += xn[j][i]
			}
			rmsNorm(xn[j], x[j], l.ffnNorm, m.Eps)
		})
		s.mul([]*matrix{l.gate, l.up}, xn, [][][]float32{b.ffg[:n], b.ffu[:n]})
		s.perToken(n, func(j int) {
			swiglu(b.ffg[j], b.ffu[j])
		})
		s.mul([]*matrix{l.down}, b.ffg[:n], [][][]float32{xn})
		s.perToken(n, func(j int) {
			for i := range x[j] {
				x[j][i] += xn[j][i]
			}
		})
	}
	s.pos += n
	if wantLogits {
		rmsNorm(s.xn, x[n-1], m.outNorm, m.Eps)
		in := s.prepare(m.output, s.xn, s.out)
		out := s.logits
		s.parallel(m.output.rows, s.split(m.output.rows*m.output.cols), func(r0, r1 int) {
			dotRows(m.output, r0, r1, in, out)
		})
	}
	return nil
}

// span is what a token attends to: the cached positions before pre, then
// the cache slots in more, in that order.
type span struct {
	pre  int
	more []int
}

// attention computes every head's output for the batch's tokens (b.q),
// token j over spans[j], into b.att. Each head's: scores of the query
// (rounded to half, as ggml's F16·F32 product does) against the cached
// keys, softmax with a double-precision sum, probabilities rounded to
// half, weighted sum of the cached values. The threads split the heads (a
// head's scratch is its own), each doing every token: one split a layer.
func (s *State) attention(li int, spans []span, group int, scale float32) {
	m, b := s.m, s.b
	work := len(spans) * (s.pos + len(spans)) * m.Embd * 2
	if simdAttention && group == 8 && m.HeadDim%16 == 0 {
		// Eight query heads share a key head: their scores are the eight
		// lanes of one register.
		s.parallel(m.KVHeads, s.split(work), func(g0, g1 int) {
			for j, sp := range spans {
				for g := g0; g < g1; g++ {
					s.attendGroup(li, sp.pre, sp.more, g, scale, b.q[j], b.att[j])
				}
			}
		})
		return
	}
	s.parallel(m.Heads, s.split(work), func(h0, h1 int) {
		for j, sp := range spans {
			for h := h0; h < h1; h++ {
				s.keyScores(li, sp.pre, sp.more, h, h/group, scale, b.q[j])
				s.attendHead(li, sp.pre, sp.more, h, h/group, b.att[j])
			}
		}
	})
}

// perToken runs f for each of a batch's n tokens, the tokens split over
// the threads (each token's work touches only its own rows).
func (s *State) perToken(n int, f func(j int)) {
	s.parallel(n, min(n, s.threads), func(lo, hi int) {
		for j := lo; j < hi; j++ {
			f(j)
		}
	})
}

// keyScores sets head h's scores (s.scores) against the cached keys of key
// head kvh: ggml_vec_dot_f16's float products, a double sum in order.
func (s *State) keyScores(li, pre int, more []int, h, kvh int, scale float32, q []float32) {
	m := s.m
	kvw := m.KVHeads * m.HeadDim
	hd := m.HeadDim
	kc := s.k[li]
	n := pre + len(more)
	scores := s.scores[h*s.max : h*s.max+n]
	qh := s.qh[h*hd : h*hd+hd]
	copy(qh, q[h*hd:h*hd+hd])
	quant.RoundF16s(qh)
	// Four positions' sums run side by side (each still in order): four
	// dependency chains instead of one.
	t := 0
	for ; t+4 <= pre; t += 4 {
		o := t*kvw + kvh*hd
		k0, k1 := kc[o:o+hd], kc[o+kvw:o+kvw+hd]
		k2, k3 := kc[o+2*kvw:o+2*kvw+hd], kc[o+3*kvw:o+3*kvw+hd]
		var d0, d1, d2, d3 float64
		for i, qv := range qh {
			d0 += float64(qv * k0[i])
			d1 += float64(qv * k1[i])
			d2 += float64(qv * k2[i])
			d3 += float64(qv * k3[i])
		}
		scores[t], scores[t+1], scores[t+2], scores[t+3] = float32(d0)*scale, float32(d1)*scale, float32(d2)*scale, float32(d3)*scale
	}
	for ; t < n; t++ {
		slot := t
		if t >= pre {
			slot = more[t-pre]
		}
		k := kc[slot*kvw+kvh*hd : slot*kvw+kvh*hd+hd]
		var d float64
		for i, qv := range qh {
			d += float64(qv * k[i])
		}
		scores[t] = float32(d) * scale
	}
}

// attendGroup is keyScores and attendHead for the eight query heads of
// key head g, their scores computed together (qkHeads8).
func (s *State) attendGroup(li, pre int, more []int, g int, scale float32, q, att []float32) {
	m := s.m
	kvw := m.KVHeads * m.HeadDim
	hd := m.HeadDim
	kc := s.k[li]
	n := pre + len(more)
	qT := s.qT[g*8*hd : (g+1)*8*hd]
	qh := s.qh[g*8*hd : (g+1)*8*hd]
	copy(qh, q[g*8*hd:(g+1)*8*hd])
	quant.RoundF16s(qh)
	for j := range 8 {
		for i := range hd {
			qT[8*i+j] = qh[j*hd+i]
		}
	}
	out := s.scores8[g*8*s.max : g*8*s.max+8*n]
	qkHeads8(qT, kc[g*hd:], kvw, pre, hd, scale, out)
	for e, slot := range more {
		qkHeads8(qT, kc[slot*kvw+g*hd:], kvw, 1, hd, scale, out[8*(pre+e):])
	}
	for j := range 8 {
		h := 8*g + j
		scores := s.scores[h*s.max : h*s.max+n]
		for t := range scores {
			scores[t] = out[8*t+j]
		}
		s.attendHead(li, pre, more, h, g, att)
	}
}

// attendHead turns head h's scores into probabilities (softmax with a
// double-precision sum, rounded to half) and sets its output to their
// weighted sum of key head kvh's cached values.
func (s *State) attendHead(li, pre int, more []int, h, kvh int, att []float32) {
	m := s.m
	kvw := m.KVHeads * m.HeadDim
	hd := m.HeadDim
	vc := s.v[li]
	n := pre + len(more)
	scores := s.scores[h*s.max : h*s.max+n]
	mx := float32(math.Inf(-1))
	for _, sc := range scores {
		mx = max(mx, sc)
	}
	inv := float32(1 / softmaxExp(scores, mx))
	for t := range scores {
		scores[t] *= inv
	}
	quant.RoundF16s(scores)
	// V is cached by position: each output is a dot product over
	// positions, summed in double in order.
	out := att[h*hd : h*hd+hd]
	base := kvh * hd
	if simdAttention && hd%16 == 0 {
		acc := s.acc[h*hd : h*hd+hd]
		clear(acc)
		sv(scores, vc[base:], kvw, pre, hd, acc)
		for e, slot := range more {
			sv(scores[pre+e:], vc[slot*kvw+base:], kvw, 1, hd, acc)
		}
		for i, d := range acc {
			out[i] = float32(d)
		}
		return
	}
	// Four outputs at a time.
	i := 0
	for ; i+4 <= hd; i += 4 {
		var d0, d1, d2, d3 float64
		for t, sc := range scores[:pre] {
			v := vc[t*kvw+base+i : t*kvw+base+i+4]
			d0 += float64(sc * v[0])
			d1 += float64(sc * v[1])
			d2 += float64(sc * v[2])
			d3 += float64(sc * v[3])
		}
		for e, slot := range more {
			sc, v := scores[pre+e], vc[slot*kvw+base+i:slot*kvw+base+i+4]
			d0 += float64(sc * v[0])
			d1 += float64(sc * v[1])
			d2 += float64(sc * v[2])
			d3 += float64(sc * v[3])
		}
		out[i], out[i+1], out[i+2], out[i+3] = float32(d0), float32(d1), float32(d2), float32(d3)
	}
	for ; i < hd; i++ {
		var d float64
		for t, sc := range scores[:pre] {
			d += float64(sc * vc[t*kvw+base+i])
		}
		for e, slot := range more {
			d += float64(scores[pre+e] * vc[slot*kvw+base+i])
		}
		out[i] = float32(d)
	}
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
			// Each product rounded on its own, as llama.cpp's amd64
			// build does: Go on arm64 would fuse one into the sum.
			x[o] = float32(x0*c) - float32(x1*sn)
			x[o+1] = float32(x0*sn) + float32(x1*c)
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
	case gguf.Q4_K:
		quant.DequantizeQ4_K(out, row)
	case gguf.Q6_K:
		quant.DequantizeQ6_K(out, row)
	}
}

// prepared is an input vector in the form a weight type's dot product
// takes: as is (F32), rounded to half (F16), quantized to Q8_0 (Q8_0, Q4_0)
// or to Q8_K (the k-quants), as ggml's vec_dot_type says.
type prepared struct {
	x     []float32
	xh    []float32
	acts  *quant.Acts
	kacts *quant.KActs
}

// form is the input form a weight type takes (weights of one form share
// one preparation of each input).
func form(t gguf.Type) gguf.Type {
	switch t {
	case gguf.Q4_0:
		return gguf.Q8_0
	case gguf.Q4_K, gguf.Q6_K:
		return gguf.Q8_K
	}
	return t
}

// prepare puts x in w's form, in scratch's buffers.
func (s *State) prepare(w *matrix, x []float32, scratch prepared) prepared {
	switch form(w.typ) {
	case gguf.F16:
		xh := scratch.xh[:len(x)]
		copy(xh, x)
		quant.RoundF16s(xh)
		return prepared{xh: xh}
	case gguf.Q8_0:
		scratch.acts.Quantize(x)
		return prepared{acts: scratch.acts}
	case gguf.Q8_K:
		scratch.kacts.Quantize(x)
		return prepared{kacts: scratch.kacts}
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
	case gguf.Q4_K:
		return quant.DotQ4_K(row, in.kacts)
	case gguf.Q6_K:
		return quant.DotQ6_K(row, in.kacts)
	}
	return quant.DotF32(w.f32[r*w.cols:(r+1)*w.cols], in.x)
}

// mul sets outs[i][j] = ws[i]·xs[j] for every weight and every input (one
// token's activations). Weights of one type share one preparation of each
// input (q, k and v; gate and up). The rows are split over the threads and
// each row is read once for all inputs, while it is in cache.
func (s *State) mul(ws []*matrix, xs [][]float32, outs [][][]float32) {
	for _, w := range ws[1:] {
		if form(w.typ) != form(ws[0].typ) {
			for i, w := range ws {
				s.mul([]*matrix{w}, xs, outs[i:i+1])
			}
			return
		}
	}
	b := s.b
	in := b.in[:len(xs)]
	s.perToken(len(xs), func(j int) {
		x := xs[j]
		scratch := prepared{xh: b.xh[j], acts: b.actsE[j]}
		if b.kactsE != nil {
			scratch.kacts = b.kactsE[j]
		}
		if len(x) == s.m.FFN && len(x) != s.m.Embd {
			scratch.acts = b.actsF[j]
			if b.kactsF != nil {
				scratch.kacts = b.kactsF[j]
			}
		}
		in[j] = s.prepare(ws[0], x, scratch)
	})
	// Groups of sixteen tokens go through the sixteen-token kernel, where
	// the CPU has one and the weights are Q4_0, and groups of eight (of
	// the rest) through the eight-token kernel (each weight block read
	// once for all of them); a last partial group of padSixteen (or
	// padEight) or more is padded (the padding's products are dropped):
	// a kernel costs the same for any fill.
	n := len(in)
	g16 := 0
	if n >= padSixteen && allQ4(ws) && quant.HasQ4Batch() {
		g16 = n / 16
		if n%16 >= padSixteen {
			g16++
		}
		for g := 0; g < g16; g++ {
			var acts [16]*quant.Acts
			for t := range acts {
				acts[t] = in[min(16*g+t, n-1)].acts
			}
			b.acts16(g, len(xs[0])).Interleave(acts[:])
		}
	}
	from8 := min(16*g16, n) // the first token the eight-token groups hold
	groups := 0
	if rest := n - from8; form(ws[0].typ) == gguf.Q8_0 && rest >= padEight {
		groups = rest / 8
		if rest%8 >= padEight {
			groups++
		}
		interleave8(&b.a8, in, from8, groups, len(xs[0]))
	}
	// The tokens left (a small batch: forced answer text, or a group's
	// remainder) go four at a time through the eight-row, four-token
	// kernel where the CPU has one and the weights are Q4_0 (each weight
	// block unpacked once for the four), a last three padded to four; one
	// or two left go token by token.
	from4 := min(from8+8*groups, n)
	quads, to4 := 0, from4
	if rest := n - from4; rest >= padFour && allQ4(ws) && quant.HasQ4Batch() {
		quads = rest / 4
		if rest%4 >= padFour {
			quads++
		}
		to4 = min(from4+4*quads, n)
		interleave8(&b.a4, in, from4, (quads+1)/2, len(xs[0])) // two quads to each
	}
	total := 0
	for _, w := range ws {
		total += w.rows
	}
	// The rows are taken a tile at a time: the groups' products first,
	// then the quads', then the tokens none holds (one token in
	// generation; the rest of a batch) through the eight-row kernel token
	// by token, while the tile is in cache.
	s.parallel(total, s.split(total*ws[0].cols*n), func(r0, r1 int) {
		var out8 [8]float32
		var out32 [32]float32
		for t0 := r0; t0 < r1; t0 += tileRows {
			t1 := min(t0+tileRows, r1)
			done := 0
			for r := t0; r < t1 && g16+groups > 0; {
				i, rr := 0, r
				for rr >= ws[i].rows {
					rr -= ws[i].rows
					i++
				}
				w, out := ws[i], outs[i]
				// Two rows at a time through the sixteen-token kernel
				// (each activation read once for both); a tile's last
				// odd row paired with the row before it.
				nr := 1
				if r+1 < t1 && rr+1 < w.rows {
					nr = 2
				}
				// The pair computed: these rows, or for one row the row
				// before it (or after: a matrix's first) and this one;
				// lo is where row rr's products start in out32.
				p0, lo := rr, 0
				if nr == 1 && rr > 0 {
					p0, lo = rr-1, 16
				}
				j := 0
				for g := 0; g < g16; g++ {
					rows := w.data[p0*w.rowBytes : (p0+2)*w.rowBytes]
					if !quant.Dot16Rows2(rows, w.rowBytes, b.a16[g], &out32) {
						break
					}
					for e := 0; e < nr; e++ {
						for t := range min(16, n-j) {
							out[j+t][rr+e] = out32[lo+16*e+t]
						}
					}
					j += 16
				}
				for e := 0; e < nr; e++ {
					je := j
					if je >= from8 { // the groups of eight follow on
						row := w.data[(rr+e)*w.rowBytes : (rr+e+1)*w.rowBytes]
						for g := 0; g < groups && quant.Dot8(row, b.a8[g], &out8, w.typ == gguf.Q4_0); g++ {
							for t := range min(8, n-je) {
								out[je+t][rr+e] = out8[t]
							}
							je += 8
						}
					}
					done = min(je, n)
				}
				r += nr
			}
			base := 0
			for i, w := range ws {
				lo, hi := max(t0-base, 0), min(t1-base, w.rows)
				if quads > 0 && done == from4 {
					// Four tokens at a time, then what the quads do
					// not hold token by token; the rows left (fewer
					// than eight at the end) token by token below.
					r4 := s.rowsByFour(w, lo, hi, quads, from4, n, outs[i])
					for j := to4; j < n && lo < r4; j++ {
						dotRows(w, lo, r4, in[j], outs[i][j])
					}
					lo = r4
				}
				for j := done; j < n && lo < hi; j++ {
					dotRows(w, lo, hi, in[j], outs[i][j])
				}
				base += w.rows
			}
		}
	})
}

// rowsByFour sets out[j][r] for the quads' tokens j (from on, four to each,
// in b.a4; none past n) and the rows r in [lo, hi), eight rows at a time
// through the eight-row, four-token kernel, and returns
// the first row it did not do (the last rows when fewer than eight are
// left, or all of them where the kernel does not run).
func (s *State) rowsByFour(w *matrix, lo, hi, quads, from, n int, out [][]float32) int {
	var out32 [32]float32
	b := s.b
	r := lo
	for ; r+8 <= hi; r += 8 {
		rows := w.data[r*w.rowBytes : (r+8)*w.rowBytes]
		for q := 0; q < quads; q++ {
			if !quant.DotRows8x4(rows, w.rowBytes, b.a4[q/2], q%2, &out32) {
				return r
			}
			j0 := from + 4*q
			for t := range min(4, n-j0) {
				copy(out[j0+t][r:r+8], out32[8*t:8*t+8])
			}
		}
	}
	return r
}

// allQ4: every matrix is Q4_0 (the sixteen- and four-token kernels'
// weights) and has a pair of rows.
func allQ4(ws []*matrix) bool {
	for _, w := range ws {
		if w.typ != gguf.Q4_0 || w.rows < 2 {
			return false
		}
	}
	return true
}

// padFour, padEight and padSixteen are the fewest tokens worth padding
// into the four-, eight- and sixteen-token kernels (a padded sixteen costs
// 1.2-1.25 eights, two tokens one by one less than a four), and tileRows the rows taken at a time (of the widest matrix,
// 32 rows of 5,632 Q4_0 values are 99 KiB: in L2 while each token reads
// them). Measured by BenchmarkSmallBatch.
const (
	padFour    = 3
	padEight   = 6
	padSixteen = 10
	tileRows   = 32
)

// dotRows sets out[r] = w's row r · in for r in [r0, r1): eight rows at a
// time where the CPU has that kernel (each bit-identical to dot).
func dotRows(w *matrix, r0, r1 int, in prepared, out []float32) {
	r := r0
	if form(w.typ) == gguf.Q8_0 {
		var out8 [8]float32
		for ; r+8 <= r1; r += 8 {
			if !quant.DotRows8(w.data[r*w.rowBytes:(r+8)*w.rowBytes], w.rowBytes, in.acts, &out8, w.typ == gguf.Q4_0) {
				break
			}
			copy(out[r:r+8], out8[:])
		}
	}
	for ; r < r1; r++ {
		out[r] = dot(w, r, in)
	}
}

// interleave8 fills k groups of eight tokens' interleaved activations
// (groups[0:k], allocated as needed for width values) from in's tokens
// from on, the last token repeated past the end (padding).
func interleave8(groups *[]*quant.Acts8, in []prepared, from, k, width int) {
	for g := 0; g < k; g++ {
		if len(*groups) <= g {
			*groups = append(*groups, nil)
		}
		a := (*groups)[g]
		if a == nil || cap(a.Q) < 8*width {
			a = quant.NewActs8(width)
			(*groups)[g] = a
		}
		a.Q, a.D, a.S = a.Q[:8*width], a.D[:8*width/quant.QK], a.S[:8*width/quant.QK]
		var acts [8]*quant.Acts
		for t := range acts {
			acts[t] = in[min(from+8*g+t, len(in)-1)].acts
		}
		a.Interleave(acts[:])
	}
}

// acts16 is group g's sixteen-token scratch for inputs of n values.
func (b *batch) acts16(g, n int) *quant.Acts16 {
	for len(b.a16) <= g {
		b.a16 = append(b.a16, nil)
	}
	if b.a16[g] == nil || cap(b.a16[g].Q) < 16*n {
		b.a16[g] = quant.NewActs16(n)
	}
	a := b.a16[g]
	a.Q, a.D, a.S = a.Q[:16*n], a.D[:16*n/quant.QK], a.S[:16*n/quant.QK]
	return a
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
