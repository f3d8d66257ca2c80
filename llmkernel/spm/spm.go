// Package spm is llama's SentencePiece BPE tokenizer as llama.cpp runs it
// (llm_tokenizer_spm): the vocabulary and scores come from the model file,
// merges are taken best score first (ties: leftmost), pieces that are not
// in the vocabulary fall back to byte tokens (<0xNN>), spaces are "▁", and
// a space is put before the text and after every special token. Its ids
// are checked against llama.cpp's on the same file (integration/ollama).
package spm

import (
	"container/heap"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// TokenType is a vocabulary entry's kind (GGUF tokenizer.ggml.token_type).
type TokenType int32

// Token types.
const (
	Normal      TokenType = 1
	Unknown     TokenType = 2
	Control     TokenType = 3
	UserDefined TokenType = 4
	Unused      TokenType = 5
	Byte        TokenType = 6
)

// Space is SentencePiece's visible space.
const Space = "▁"

// MaxTokens bounds a vocabulary.
const MaxTokens = 1 << 20

// Vocab is a tokenizer.
type Vocab struct {
	pieces  []string
	scores  []float32
	types   []TokenType
	ids     map[string]int32
	bytes   [256]int32 // byte fallback token per byte value; -1: none
	special []int32    // control, user-defined and unknown tokens, longest text first

	BOS, EOS, UNK  int32
	AddBOS, AddEOS bool
	// AddSpacePrefix puts a space before the text (llama's default).
	AddSpacePrefix bool
}

// Options are the tokenizer's settings from the model file.
type Options struct {
	BOS, EOS, UNK  int32
	AddBOS, AddEOS bool
	AddSpacePrefix bool
}

// New builds a tokenizer from a vocabulary. pieces, scores and types must
// have the same length; special ids must be in range.
func New(pieces []string, scores []float32, types []int32, o Options) (*Vocab, error) {
	n := len(pieces)
	if n == 0 || n > MaxTokens {
		return nil, fmt.Errorf("spm: %d tokens (1..%d)", n, MaxTokens)
	}
	if len(scores) != n || len(types) != n {
		return nil, fmt.Errorf("spm: %d tokens but %d scores and %d types", n, len(scores), len(types))
	}
	for _, id := range []int32{o.BOS, o.EOS, o.UNK} {
		if id < 0 || int(id) >= n {
			return nil, fmt.Errorf("spm: special token id %d outside the vocabulary of %d", id, n)
		}
	}
	v := &Vocab{pieces: pieces, scores: scores, types: make([]TokenType, n), ids: make(map[string]int32, n),
		BOS: o.BOS, EOS: o.EOS, UNK: o.UNK, AddBOS: o.AddBOS, AddEOS: o.AddEOS, AddSpacePrefix: o.AddSpacePrefix}
	for i := range v.bytes {
		v.bytes[i] = -1
	}
	for i, p := range pieces {
		t := TokenType(types[i])
		v.types[i] = t
		v.ids[p] = int32(i) // a duplicate piece: the last id wins, as in llama.cpp
		switch t {
		case Byte:
			var b byte
			if len(p) == 6 && strings.HasPrefix(p, "<0x") && p[5] == '>' {
				if _, err := fmt.Sscanf(p[3:5], "%02X", &b); err == nil {
					v.bytes[b] = int32(i)
				}
			}
		case Control, UserDefined, Unknown:
			if p != "" {
				v.special = append(v.special, int32(i))
			}
		}
	}
	sort.SliceStable(v.special, func(a, b int) bool { return len(pieces[v.special[a]]) > len(pieces[v.special[b]]) })
	return v, nil
}

// Len is the vocabulary's size.
func (v *Vocab) Len() int { return len(v.pieces) }

// Piece is token id's text as stored ("▁" for spaces).
func (v *Vocab) Piece(id int32) string {
	if id < 0 || int(id) >= len(v.pieces) {
		return ""
	}
	return v.pieces[id]
}

// Type is token id's type.
func (v *Vocab) Type(id int32) TokenType {
	if id < 0 || int(id) >= len(v.types) {
		return 0
	}
	return v.types[id]
}

// ID returns the token whose piece is exactly s.
func (v *Vocab) ID(s string) (int32, bool) {
	id, ok := v.ids[s]
	return id, ok
}

// Decode renders tokens as text: "▁" as space, byte tokens as their bytes,
// control tokens as nothing.
func (v *Vocab) Decode(ids []int32) string {
	var b []byte
	for _, id := range ids {
		b = v.AppendPiece(b, id)
	}
	return string(b)
}

// AppendPiece appends token id's text to b (see Decode).
func (v *Vocab) AppendPiece(b []byte, id int32) []byte {
	switch v.Type(id) {
	case Control, Unused:
		return b
	case Byte:
		p := v.pieces[id]
		var x byte
		if _, err := fmt.Sscanf(p, "<0x%02X>", &x); err == nil {
			return append(b, x)
		}
		return b
	}
	return append(b, strings.ReplaceAll(v.Piece(id), Space, " ")...)
}

// ErrTooLong is returned for texts beyond MaxTextLen.
var ErrTooLong = errors.New("spm: text too long")

// MaxTextLen bounds a text to tokenize.
const MaxTextLen = 1 << 20

// Encode tokenizes text. With addSpecial the BOS (and EOS) tokens the model
// asks for are added; with parseSpecial the text of control, user-defined
// and unknown tokens ("<s>") becomes those tokens, else only user-defined
// ones do (llama.cpp's parse_special).
func (v *Vocab) Encode(text string, addSpecial, parseSpecial bool) ([]int32, error) {
	if len(text) > MaxTextLen {
		return nil, ErrTooLong
	}
	var out []int32
	if addSpecial && v.AddBOS {
		out = append(out, v.BOS)
	}
	prevSpecial := true // a space before the first text
	for _, f := range v.partition(text, parseSpecial) {
		if f.special < 0 && f.text == "" {
			continue // no text, no space in front of it
		}
		if f.special >= 0 {
			out = append(out, f.special)
			prevSpecial = true
			continue
		}
		s := f.text
		if v.AddSpacePrefix && prevSpecial {
			s = " " + s
		}
		out = v.bpe(strings.ReplaceAll(s, " ", Space), out)
		prevSpecial = false
	}
	if addSpecial && v.AddEOS {
		out = append(out, v.EOS)
	}
	return out, nil
}

// EncodeRaw tokenizes text as a continuation: no space in front, no BOS,
// special tokens' text taken as text (for appending forced text to a
// sequence).
func (v *Vocab) EncodeRaw(text string) []int32 {
	if len(text) > MaxTextLen {
		text = text[:MaxTextLen]
	}
	return v.bpe(strings.ReplaceAll(text, " ", Space), nil)
}

type fragment struct {
	text    string
	special int32 // -1: text
}

// partition splits text on special tokens' texts, longest first, as
// llama.cpp's tokenizer_st_partition does.
func (v *Vocab) partition(text string, parseSpecial bool) []fragment {
	frags := []fragment{{text: text, special: -1}}
	for _, id := range v.special {
		t := v.types[id]
		if !parseSpecial && (t == Control || t == Unknown) {
			continue
		}
		p := v.pieces[id]
		var next []fragment
		for _, f := range frags {
			if f.special >= 0 || !strings.Contains(f.text, p) {
				next = append(next, f)
				continue
			}
			rest := f.text
			for {
				i := strings.Index(rest, p)
				if i < 0 {
					break
				}
				if i > 0 {
					next = append(next, fragment{text: rest[:i], special: -1})
				}
				next = append(next, fragment{special: id})
				rest = rest[i+len(p):]
			}
			if rest != "" {
				next = append(next, fragment{text: rest, special: -1})
			}
		}
		frags = next
	}
	return frags
}

type symbol struct {
	start, n   int // bytes of the text
	prev, next int
}

type bigram struct {
	left, right int
	score       float32
	size        int
}

// queue orders bigrams best score first, then leftmost (llama.cpp's
// comparator on a max-heap).
type queue []bigram

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	return q[i].score > q[j].score || q[i].score == q[j].score && q[i].left < q[j].left
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(bigram)) }
func (q *queue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// bpe is llm_tokenizer_spm_session::tokenize on one fragment.
func (v *Vocab) bpe(text string, out []int32) []int32 {
	if text == "" {
		return out
	}
	syms := make([]symbol, 0, len(text))
	for off := 0; off < len(text); {
		n := utf8Len(text[off])
		n = min(n, len(text)-off)
		next := len(syms) + 1
		if off+n == len(text) {
			next = -1
		}
		syms = append(syms, symbol{start: off, n: n, prev: len(syms) - 1, next: next})
		off += n
	}
	revMerge := map[string][2]int{}
	var q queue
	tryAdd := func(l, r int) {
		if l < 0 || r < 0 {
			return
		}
		s := text[syms[l].start : syms[l].start+syms[l].n+syms[r].n]
		id, ok := v.ids[s]
		if !ok {
			return
		}
		heap.Push(&q, bigram{left: l, right: r, score: v.scores[id], size: len(s)})
		revMerge[s] = [2]int{l, r}
	}
	for i := 1; i < len(syms); i++ {
		tryAdd(i-1, i)
	}
	for q.Len() > 0 {
		b := heap.Pop(&q).(bigram)
		l, r := &syms[b.left], &syms[b.right]
		if l.n == 0 || r.n == 0 || l.n+r.n != b.size {
			continue
		}
		l.n += r.n
		r.n = 0
		l.next = r.next
		if r.next >= 0 {
			syms[r.next].prev = b.left
		}
		tryAdd(l.prev, b.left)
		tryAdd(b.left, l.next)
	}
	var reseg func(i int)
	reseg = func(i int) {
		s := text[syms[i].start : syms[i].start+syms[i].n]
		if id, ok := v.ids[s]; ok {
			out = append(out, id)
			return
		}
		if p, ok := revMerge[s]; ok {
			reseg(p[0])
			reseg(p[1])
			return
		}
		for j := 0; j < len(s); j++ {
			id := v.bytes[s[j]]
			if id < 0 {
				// No byte token: the byte as a one-byte piece, else unknown.
				if x, ok := v.ids[s[j:j+1]]; ok {
					id = x
				} else {
					id = v.UNK
				}
			}
			out = append(out, id)
		}
	}
	for i := 0; i != -1; i = syms[i].next {
		reseg(i)
	}
	return out
}

// utf8Len is the length of the UTF-8 sequence a lead byte starts, from its
// high nibble, exactly as llama.cpp's unicode_len_utf8 (continuation and
// invalid bytes count 1; 0xF8..0xFF count 4).
func utf8Len(b byte) int {
	return [16]int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4}[b>>4]
}
