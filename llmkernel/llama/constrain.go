package llama

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/go-os-agent/runsc-ai/llmkernel/spm"
)

// Field is one property of a flat JSON object to generate: a string from
// an enum, a bounded integer, or a bounded string over a character set.
type Field struct {
	Name string
	// Enum: the value is one of these strings (chosen by likelihood).
	Enum []string
	// Integer: Min ≤ value ≤ Max.
	Integer  bool
	Min, Max int
	// Otherwise a string of at most MaxLen characters for which Char is
	// true (ASCII only).
	MaxLen int
	Char   func(byte) bool
}

// Shape is an object's fields, in the order they are written.
type Shape []Field

// grammar holds, per vocabulary, the tokens each kind of value may use.
type grammar struct {
	text  []string // token id -> its text ("▁" as space; "" for special)
	digit []int32  // tokens made of digits only
}

func (m *Model) grammar() *grammar {
	m.gramOnce.Do(func() {
		v := m.Vocab
		g := &grammar{text: make([]string, v.Len())}
		for id := int32(0); int(id) < v.Len(); id++ {
			switch v.Type(id) {
			case spm.Normal, spm.Byte, spm.UserDefined:
				g.text[id] = string(v.AppendPiece(nil, id))
			}
			if t := g.text[id]; t != "" && strings.Trim(t, "0123456789") == "" {
				g.digit = append(g.digit, id)
			}
		}
		m.gram = g
	})
	return m.gram
}

// ErrNoValue: no token can continue a value (a vocabulary without digits).
var ErrNoValue = errors.New("llama: the vocabulary cannot write the value")

// DecodeJSON generates the object shape describes after what s holds,
// token by token under the shape: every token that cannot continue a valid
// answer is masked, runs of forced text (punctuation, keys) are appended
// without sampling, an enum value is the one the model finds likeliest.
// The text always parses as the shape. maxTokens bounds the generation.
// prompt are tokens to evaluate first (the rest of the prompt), in the same
// batch as the answer's opening: one pass fewer; they do not count against
// maxTokens.
func (s *State) DecodeJSON(ctx context.Context, prompt []int32, shape Shape, maxTokens int) ([]byte, error) {
	d := &decoder{s: s, g: s.m.grammar(), ctx: ctx, budget: maxTokens + len(prompt), pending: append([]int32(nil), prompt...)}
	var out strings.Builder
	for i, f := range shape {
		sep := ","
		if i == 0 {
			sep = "{"
		}
		key := sep + strconv.Quote(f.Name) + ":"
		switch {
		case f.Enum != nil:
			if err := d.force(key + `"`); err != nil {
				return nil, err
			}
			v, err := d.enum(f.Enum, `"`)
			if err != nil {
				return nil, err
			}
			out.WriteString(key + strconv.Quote(v))
		case f.Integer:
			if err := d.force(key); err != nil {
				return nil, err
			}
			n, err := d.integer(f.Min, f.Max)
			if err != nil {
				return nil, err
			}
			out.WriteString(key + strconv.Itoa(n))
		default:
			if err := d.force(key + `"`); err != nil {
				return nil, err
			}
			str, err := d.str(f.MaxLen, f.Char)
			if err != nil {
				return nil, err
			}
			out.WriteString(key + `"` + str + `"`)
			d.pendingText = `"`
		}
	}
	out.WriteString("}")
	return []byte(out.String()), nil
}

// decoder feeds the state: text forced or chosen so far whose tokens are
// not evaluated yet waits in pending (tokens) and pendingText, and is
// evaluated with the next force, in the same batch.
type decoder struct {
	s           *State
	g           *grammar
	ctx         context.Context
	budget      int
	pending     []int32
	pendingText string
	logits      []float32
}

// force appends text (after anything pending) without sampling.
func (d *decoder) force(text string) error {
	ids := append(d.pending, d.s.m.Vocab.EncodeRaw(d.pendingText+text)...)
	d.pending, d.pendingText = nil, ""
	return d.eval(ids)
}

func (d *decoder) eval(ids []int32) error {
	if len(ids) == 0 {
		return nil
	}
	if d.budget -= len(ids); d.budget < 0 {
		return fmt.Errorf("llama: the answer needs more than its token budget")
	}
	l, err := d.s.Eval(d.ctx, ids)
	d.logits = l
	return err
}

// enum scores each value (followed by end) from the current position by
// its total log-probability and keeps the likeliest. Every value's tokens
// but its last go through the model in one batch, as a tree (values that
// start alike share their first tokens); the winner's branch stays in the
// cache and its last token waits to be evaluated with what follows.
func (d *decoder) enum(values []string, end string) (string, error) {
	if d.logits == nil {
		return "", errors.New("llama: enum before any evaluated text")
	}
	type node struct {
		parent int
		tok    int32
	}
	index := map[node]int{}
	var toks []int32
	var parent []int
	ids := make([][]int32, len(values))
	last := make([]int, len(values)) // the node of each value's next-to-last token (-1: none)
	for i, v := range values {
		ids[i] = d.s.m.Vocab.EncodeRaw(v + end)
		at := -1
		for _, t := range ids[i][:max(len(ids[i])-1, 0)] {
			k := node{at, t}
			j, ok := index[k]
			if !ok {
				j = len(toks)
				index[k] = j
				toks, parent = append(toks, t), append(parent, at)
			}
			at = j
		}
		last[i] = at
	}
	// Each token is scored under the logits before it: the current ones
	// for a value's first token, then those after each node.
	var after [][]float32
	if len(toks) > 0 {
		var err error
		if after, err = d.s.EvalTree(d.ctx, toks, parent); err != nil {
			return "", err
		}
	}
	norm := make([]logNorm, len(toks)+1)
	norm[0] = normOf(d.logits)
	for j, l := range after {
		norm[1+j] = normOf(l)
	}
	best, bestLP := -1, math.Inf(-1)
	for i, vi := range ids {
		if len(vi) == 0 {
			continue
		}
		lp := norm[0].of(d.logits, vi[0])
		for j, at := 1, -1; j < len(vi); j++ {
			at = index[node{at, vi[j-1]}]
			lp += norm[1+at].of(after[at], vi[j])
		}
		if lp > bestLP || best < 0 {
			best, bestLP = i, lp
		}
	}
	if best < 0 {
		return "", ErrNoValue
	}
	base := d.s.pos - len(toks)
	if last[best] < 0 {
		d.s.Truncate(base)
	} else {
		if err := d.s.KeepBranch(last[best]); err != nil {
			return "", err
		}
		d.budget -= len(ids[best]) - 1
	}
	d.pending = append(d.pending, ids[best][len(ids[best])-1])
	d.logits = nil // the value's last token is not evaluated yet
	return values[best], nil
}

// logNorm is what log softmax needs of a row of logits: its largest value
// and log Σ exp(logit − largest).
type logNorm struct{ max, logSum float64 }

func normOf(logits []float32) logNorm {
	mx := float64(logits[Argmax(logits)])
	var sum float64
	for _, l := range logits {
		sum += math.Exp(float64(l) - mx)
	}
	return logNorm{mx, math.Log(sum)}
}

// of is log softmax(logits)[id].
func (n logNorm) of(logits []float32, id int32) float64 {
	return float64(logits[id]) - n.max - n.logSum
}

// integer writes digits while they keep a prefix of an integer in
// [lo, hi] (no leading zeros), stopping when ending the number is likelier
// than any allowed digit token (ending: the best token that starts with
// ',' or '}'), or when no digit fits.
func (d *decoder) integer(lo, hi int) (int, error) {
	if lo < 0 || hi < lo {
		return 0, fmt.Errorf("llama: integer range [%d, %d]", lo, hi)
	}
	digits := ""
	for {
		bestTok, bestL := int32(-1), float32(math.Inf(-1))
		for _, id := range d.g.digit {
			next := digits + d.g.text[id]
			if validIntPrefix(next, hi) && d.logits[id] > bestL {
				bestTok, bestL = id, d.logits[id]
			}
		}
		if digits != "" {
			n, _ := strconv.Atoi(digits)
			if n >= lo && (bestTok < 0 || d.endLogit(",}") >= bestL) {
				return n, nil
			}
		}
		if bestTok < 0 {
			if digits == "" {
				return 0, ErrNoValue
			}
			// The digits so far are below lo and nothing fits: the
			// smallest valid value.
			return lo, d.force("")
		}
		digits += d.g.text[bestTok]
		if n, _ := strconv.Atoi(digits); n >= lo && !d.digitFits(digits, hi) {
			// Nothing can follow: the number ends here, and its last
			// token waits to be evaluated with what follows (one pass
			// fewer, the same logits after it).
			d.pending = append(d.pending, bestTok)
			d.logits = nil
			return n, nil
		}
		if err := d.eval([]int32{bestTok}); err != nil {
			return 0, err
		}
	}
}

// digitFits: some digit token continues digits to a prefix of an integer
// ≤ hi.
func (d *decoder) digitFits(digits string, hi int) bool {
	for _, id := range d.g.digit {
		if validIntPrefix(digits+d.g.text[id], hi) {
			return true
		}
	}
	return false
}

// validIntPrefix: s (digits) can still become an integer ≤ hi.
func validIntPrefix(s string, hi int) bool {
	if s == "" || len(s) > len(strconv.Itoa(hi)) || len(s) > 1 && s[0] == '0' {
		return false
	}
	n, err := strconv.Atoi(s)
	return err == nil && n <= hi
}

// endLogit is the largest logit of a token whose text starts with one of
// the bytes in starts.
func (d *decoder) endLogit(starts string) float32 {
	best := float32(math.Inf(-1))
	for id, t := range d.g.text {
		if t != "" && strings.IndexByte(starts, t[0]) >= 0 && d.logits[id] > best {
			best = d.logits[id]
		}
	}
	return best
}

// str writes characters for which char is true, at most maxLen, until a
// token starting with '"' is likelier than any allowed token.
func (d *decoder) str(maxLen int, char func(byte) bool) (string, error) {
	var b strings.Builder
	for b.Len() < maxLen {
		bestTok, bestL := int32(-1), float32(math.Inf(-1))
		for id, t := range d.g.text {
			if t == "" || b.Len()+len(t) > maxLen || d.logits[id] <= bestL || !allBytes(t, char) {
				continue
			}
			bestTok, bestL = int32(id), d.logits[id]
		}
		if bestTok < 0 || d.endLogit(`"`) >= bestL {
			break
		}
		b.WriteString(d.g.text[bestTok])
		if b.Len() >= maxLen {
			// Full: the string ends, and its last token waits to be
			// evaluated with what follows.
			d.pending = append(d.pending, bestTok)
			d.logits = nil
			break
		}
		if err := d.eval([]int32{bestTok}); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || !ok(s[i]) {
			return false
		}
	}
	return true
}
