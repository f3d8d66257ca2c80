package llama

import (
	"fmt"

	"github.com/go-os-agent/runsc-ai/llmkernel/quant"
)

// Span is a copy of a run of a sequence's KV cache, positions [From,
// From+Len): what a later sequence whose tokens are the same up to a
// position in the run can take back (Restore) instead of evaluating them.
// A position's keys and values depend only on the tokens up to it (and
// every token's arithmetic is the same in any batch), so what is taken back
// is exactly what evaluation would have written. The values are kept as
// the halves they are (the cache holds them rounded to half precision), at
// half the memory.
type Span struct {
	From, Len int
	k, v      [][]uint16 // per layer: Len × KV width
}

// Bytes is the memory the span holds.
func (p *Span) Bytes() int {
	n := 0
	for l := range p.k {
		n += 2 * (len(p.k[l]) + len(p.v[l]))
	}
	return n
}

// Save copies positions [from, to) of the cache.
func (s *State) Save(from, to int) (*Span, error) {
	if from < 0 || to < from || to > s.pos {
		return nil, fmt.Errorf("llama: save of positions %d..%d with %d filled", from, to, s.pos)
	}
	kv := s.m.KVHeads * s.m.HeadDim
	p := &Span{From: from, Len: to - from, k: make([][]uint16, len(s.k)), v: make([][]uint16, len(s.v))}
	flat := make([]uint16, 2*len(s.k)*p.Len*kv)
	for l := range s.k {
		p.k[l], flat = flat[:p.Len*kv:p.Len*kv], flat[p.Len*kv:]
		p.v[l], flat = flat[:p.Len*kv:p.Len*kv], flat[p.Len*kv:]
		toHalves(p.k[l], s.k[l][from*kv:to*kv])
		toHalves(p.v[l], s.v[l][from*kv:to*kv])
	}
	return p, nil
}

// Restore fills positions [s.Pos(), to) from p, which must hold them and
// begin at or before s.Pos(); the caller vouches that the tokens before to
// are the ones p was saved with.
func (s *State) Restore(p *Span, to int) error {
	if p.From > s.pos || to < s.pos || to > p.From+p.Len || to > s.max || len(p.k) != len(s.k) {
		return fmt.Errorf("llama: restore of positions %d..%d from a span of %d..%d with %d filled", s.pos, to, p.From, p.From+p.Len, s.pos)
	}
	kv := s.m.KVHeads * s.m.HeadDim
	if len(p.k[0]) != p.Len*kv {
		return fmt.Errorf("llama: span of another model (%d values a position, want %d)", len(p.k[0])/max(p.Len, 1), kv)
	}
	lo, hi := (s.pos-p.From)*kv, (to-p.From)*kv
	for l := range s.k {
		fromHalves(s.k[l][s.pos*kv:to*kv], p.k[l][lo:hi])
		fromHalves(s.v[l][s.pos*kv:to*kv], p.v[l][lo:hi])
	}
	s.pos, s.last = to, nil
	return nil
}

func toHalves(dst []uint16, src []float32) {
	for i, f := range src {
		dst[i] = quant.F32ToF16(f)
	}
}

func fromHalves(dst []float32, src []uint16) {
	for i, h := range src {
		dst[i] = quant.F16ToF32(h)
	}
}
