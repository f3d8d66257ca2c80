package inproc

import (
	"slices"

	"github.com/go-os-agent/runsc-ai/llmkernel/llama"
)

// maxSpanBytes bounds the kept data blocks: about ten decisions' of a
// TinyLlama-shaped model (22 KiB a position as halves, a data block 40–60
// positions).
const maxSpanBytes = 16 << 20

// spans keeps recent decisions' data blocks — their KV rows past the
// kind's fixed part, with the tokens up to them — so that a decision whose
// data begins the same way (the same image: the same sandbox after others
// were decided, or another sandbox of the image) takes those positions back
// instead of evaluating them. Least recently used out first. Guarded by
// Backend.mu.
type spans struct {
	list  []*kept // most recently used last
	bytes int
}

type kept struct {
	toks []int32 // the prompt's tokens up to the span's end
	kv   *llama.Span
}

// best is the kept span that extends a sequence holding ids[:have] the
// furthest, and how far (at most limit): its tokens agree with ids up to
// there and it begins at or before have. Nil when none goes past have.
func (p *spans) best(ids []int32, have, limit int) (*kept, int) {
	var b *kept
	bi, to := -1, have
	for i, k := range p.list {
		if k.kv.From > have {
			continue
		}
		end := min(len(k.toks), limit, len(ids))
		n := 0
		for n < end && k.toks[n] == ids[n] {
			n++
		}
		if n > to {
			b, bi, to = k, i, n
		}
	}
	if b != nil {
		p.list = append(slices.Delete(p.list, bi, bi+1), b)
	}
	return b, to
}

// keep adds a span saved after ids (replacing one with the same tokens),
// dropping the least recently used beyond the bound; a span larger than a
// quarter of the bound is not kept.
func (p *spans) keep(ids []int32, kv *llama.Span) {
	if kv.Bytes() > maxSpanBytes/4 {
		return
	}
	k := &kept{toks: slices.Clone(ids[:kv.From+kv.Len]), kv: kv}
	for i, o := range p.list {
		if slices.Equal(o.toks, k.toks) {
			p.bytes -= o.kv.Bytes()
			p.list = slices.Delete(p.list, i, i+1)
			break
		}
	}
	p.list = append(p.list, k)
	p.bytes += kv.Bytes()
	for p.bytes > maxSpanBytes {
		p.bytes -= p.list[0].kv.Bytes()
		p.list = slices.Delete(p.list, 0, 1)
	}
}
