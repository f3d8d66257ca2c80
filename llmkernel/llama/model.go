// Package llama runs llama-architecture language models (TinyLlama-1.1B
// and its relatives) from GGUF files inside runsc-ai: no server, no cgo.
// The forward pass follows llama.cpp's CPU backend operation for operation
// — RMSNorm, RoPE, grouped-query attention over a half-precision KV cache,
// SwiGLU — including where llama.cpp rounds (activations quantized to Q8_0
// for Q8_0/Q4_0 weights and to Q8_K for Q4_K/Q6_K, to half for half
// weights and for the attention's products), so that its greedy tokens
// are llama.cpp's; the tests check that against llama.cpp on the same
// files (integration/ollama).
package llama

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/go-os-agent/runsc-ai/llmkernel/gguf"
	"github.com/go-os-agent/runsc-ai/llmkernel/quant"
	"github.com/go-os-agent/runsc-ai/llmkernel/spm"
)

// Config is a model's shape, from its file.
type Config struct {
	Embd, Layers, FFN     int
	Heads, KVHeads        int
	HeadDim, RopeDim      int
	Context, VocabSize    int
	Eps                   float32
	RopeBase, RopeFreqScl float32
}

// Limits on shapes a file may claim (TinyLlama: 2048, 22, 5632, 32, 4,
// 32000, 2048).
const (
	maxEmbd    = 1 << 14
	maxLayers  = 256
	maxFFN     = 1 << 16
	maxHeads   = 256
	maxVocab   = 1 << 18
	maxContext = 1 << 17
)

// ErrUnsupported is wrapped by errors about models this engine cannot run.
var ErrUnsupported = errors.New("unsupported model")

// Model is a loaded model: its weights stay in the mapped file.
type Model struct {
	Config
	File  *gguf.File
	Vocab *spm.Vocab
	// ChatTemplate is tokenizer.chat_template, when the file has one.
	ChatTemplate string

	tokEmbd, output *matrix
	outNorm         []float32
	layers          []layer

	kquants bool // some weight is a k-quant (inputs need Q8_K too)

	gramOnce sync.Once
	gram     *grammar
}

type layer struct {
	attnNorm, ffnNorm []float32
	q, k, v, o        *matrix
	gate, up, down    *matrix
}

// matrix is a weight of rows × cols in one tensor type; row r's bytes are
// data[r*rowBytes:].
type matrix struct {
	name       string
	typ        gguf.Type
	rows, cols int
	rowBytes   int
	data       []byte
	f32        []float32 // data viewed as float32 (F32)
	f16        []uint16  // data viewed as halves (F16)
}

// Open loads the model in path. The file stays mapped until Close.
func Open(path string) (*Model, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	m, err := load(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return m, nil
}

// Close releases the file.
func (m *Model) Close() error { return m.File.Close() }

func load(f *gguf.File) (*Model, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("llama: %s: %s: %w", f.Path, fmt.Sprintf(format, args...), ErrUnsupported)
	}
	if a := f.String("general.architecture"); a != "llama" {
		return nil, bad("architecture %q (this engine runs llama)", a)
	}
	m := &Model{File: f, ChatTemplate: f.String("tokenizer.chat_template")}
	c := &m.Config
	geti := func(key string, def, max int) (int, error) {
		v, err := f.Uint(key)
		if err != nil {
			if def >= 0 {
				if _, ok := f.Metadata[key]; !ok {
					return def, nil
				}
			}
			return 0, err
		}
		if v == 0 || v > uint64(max) {
			return 0, bad("%s = %d (1..%d)", key, v, max)
		}
		return int(v), nil
	}
	var err error
	if c.Embd, err = geti("llama.embedding_length", -1, maxEmbd); err != nil {
		return nil, err
	}
	if c.Layers, err = geti("llama.block_count", -1, maxLayers); err != nil {
		return nil, err
	}
	if c.FFN, err = geti("llama.feed_forward_length", -1, maxFFN); err != nil {
		return nil, err
	}
	if c.Heads, err = geti("llama.attention.head_count", -1, maxHeads); err != nil {
		return nil, err
	}
	if c.KVHeads, err = geti("llama.attention.head_count_kv", c.Heads, maxHeads); err != nil {
		return nil, err
	}
	if c.Context, err = geti("llama.context_length", 2048, maxContext); err != nil {
		return nil, err
	}
	if c.Embd%c.Heads != 0 || c.Heads%c.KVHeads != 0 {
		return nil, bad("%d heads of an embedding of %d with %d KV heads", c.Heads, c.Embd, c.KVHeads)
	}
	c.HeadDim = c.Embd / c.Heads
	if c.RopeDim, err = geti("llama.rope.dimension_count", c.HeadDim, c.HeadDim); err != nil {
		return nil, err
	}
	if c.RopeDim%2 != 0 {
		return nil, bad("rope dimension %d is odd", c.RopeDim)
	}
	eps, err := f.Float("llama.attention.layer_norm_rms_epsilon", 1e-5)
	if err != nil {
		return nil, err
	}
	base, err := f.Float("llama.rope.freq_base", 10000)
	if err != nil {
		return nil, err
	}
	scale := 1.0
	if t := f.String("llama.rope.scaling.type"); t != "" && t != "none" {
		if t != "linear" {
			return nil, bad("rope scaling %q (this engine does linear)", t)
		}
		fac, err := f.Float("llama.rope.scaling.factor", 1)
		if err != nil {
			return nil, err
		}
		if !(fac >= 1 && fac <= 64) {
			return nil, bad("rope scaling factor %v", fac)
		}
		scale = 1 / fac
	}
	if !(eps > 0 && eps < 1) || !(base > 1 && base < 1e9) {
		return nil, bad("epsilon %v or rope base %v out of range", eps, base)
	}
	c.Eps, c.RopeBase, c.RopeFreqScl = float32(eps), float32(base), float32(scale)

	if m.Vocab, err = vocab(f); err != nil {
		return nil, err
	}
	c.VocabSize = m.Vocab.Len()
	if c.VocabSize > maxVocab {
		return nil, bad("vocabulary of %d", c.VocabSize)
	}
	kv := c.KVHeads * c.HeadDim
	if m.tokEmbd, err = mat(f, "token_embd.weight", c.VocabSize, c.Embd); err != nil {
		return nil, err
	}
	if m.outNorm, err = vec(f, "output_norm.weight", c.Embd); err != nil {
		return nil, err
	}
	if _, ok := f.Tensor("output.weight"); ok {
		if m.output, err = mat(f, "output.weight", c.VocabSize, c.Embd); err != nil {
			return nil, err
		}
	} else {
		m.output = m.tokEmbd // tied embeddings
	}
	m.layers = make([]layer, c.Layers)
	for i := range m.layers {
		l := &m.layers[i]
		p := fmt.Sprintf("blk.%d.", i)
		for _, w := range []struct {
			dst        **matrix
			name       string
			rows, cols int
		}{{&l.q, "attn_q", c.Embd, c.Embd}, {&l.k, "attn_k", kv, c.Embd}, {&l.v, "attn_v", kv, c.Embd},
			{&l.o, "attn_output", c.Embd, c.Embd}, {&l.gate, "ffn_gate", c.FFN, c.Embd}, {&l.up, "ffn_up", c.FFN, c.Embd},
			{&l.down, "ffn_down", c.Embd, c.FFN}} {
			if *w.dst, err = mat(f, p+w.name+".weight", w.rows, w.cols); err != nil {
				return nil, err
			}
		}
		if l.attnNorm, err = vec(f, p+"attn_norm.weight", c.Embd); err != nil {
			return nil, err
		}
		if l.ffnNorm, err = vec(f, p+"ffn_norm.weight", c.Embd); err != nil {
			return nil, err
		}
		for _, w := range []*matrix{l.q, l.k, l.v, l.o, l.gate, l.up, l.down} {
			m.kquants = m.kquants || form(w.typ) == gguf.Q8_K
		}
	}
	m.kquants = m.kquants || form(m.output.typ) == gguf.Q8_K
	return m, nil
}

// mat finds a weight of rows × cols (GGUF dims [cols, rows]).
func mat(f *gguf.File, name string, rows, cols int) (*matrix, error) {
	t, ok := f.Tensor(name)
	if !ok {
		return nil, fmt.Errorf("llama: %s: no tensor %s: %w", f.Path, name, ErrUnsupported)
	}
	if len(t.Dims) != 2 || t.Dims[0] != uint64(cols) || t.Dims[1] != uint64(rows) {
		return nil, fmt.Errorf("llama: %s: tensor %s has shape %v, want [%d %d]: %w", f.Path, name, t.Dims, cols, rows, ErrUnsupported)
	}
	switch t.Type {
	case gguf.F32, gguf.F16, gguf.Q8_0, gguf.Q4_0, gguf.Q4_K, gguf.Q6_K:
	default:
		return nil, fmt.Errorf("llama: %s: tensor %s is %s (this engine computes with F32, F16, Q8_0, Q4_0, Q4_K and Q6_K): %w", f.Path, name, t.Type, ErrUnsupported)
	}
	w := &matrix{name: name, typ: t.Type, rows: rows, cols: cols, rowBytes: int(t.Size) / rows, data: f.Data(t)}
	switch t.Type {
	case gguf.F32:
		w.f32 = quant.F32s(w.data)
	case gguf.F16:
		w.f16 = quant.F16s(w.data)
	}
	return w, nil
}

// vec reads a norm weight (F32, or F16 widened) into memory.
func vec(f *gguf.File, name string, n int) ([]float32, error) {
	t, ok := f.Tensor(name)
	if !ok {
		return nil, fmt.Errorf("llama: %s: no tensor %s: %w", f.Path, name, ErrUnsupported)
	}
	if len(t.Dims) != 1 || t.Dims[0] != uint64(n) || (t.Type != gguf.F32 && t.Type != gguf.F16) {
		return nil, fmt.Errorf("llama: %s: tensor %s is %s %v, want F32 [%d]: %w", f.Path, name, t.Type, t.Dims, n, ErrUnsupported)
	}
	d := f.Data(t)
	out := make([]float32, n)
	for i := range out {
		if t.Type == gguf.F32 {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(d[4*i:]))
		} else {
			out[i] = quant.F16ToF32(binary.LittleEndian.Uint16(d[2*i:]))
		}
	}
	return out, nil
}

// vocab builds the tokenizer from the file's vocabulary.
func vocab(f *gguf.File) (*spm.Vocab, error) {
	if m := f.String("tokenizer.ggml.model"); m != "llama" {
		return nil, fmt.Errorf("llama: %s: tokenizer %q (this engine has llama's SentencePiece): %w", f.Path, m, ErrUnsupported)
	}
	toks, ok1 := f.Metadata["tokenizer.ggml.tokens"].Strings()
	scores, ok2 := f.Metadata["tokenizer.ggml.scores"].Float32s()
	types, ok3 := f.Metadata["tokenizer.ggml.token_type"].Int32s()
	if !ok1 || !ok2 || !ok3 {
		return nil, fmt.Errorf("llama: %s: tokenizer tokens, scores and types missing or mistyped: %w", f.Path, ErrUnsupported)
	}
	id := func(key string, def int32) int32 {
		if v, err := f.Uint(key); err == nil && v < uint64(len(toks)) {
			return int32(v)
		}
		return def
	}
	flag := func(key string, def bool) bool {
		if b, ok := f.Metadata[key].Bool(); ok {
			return b
		}
		return def
	}
	v, err := spm.New(toks, scores, types, spm.Options{
		BOS: id("tokenizer.ggml.bos_token_id", 1), EOS: id("tokenizer.ggml.eos_token_id", 2), UNK: id("tokenizer.ggml.unknown_token_id", 0),
		AddBOS: flag("tokenizer.ggml.add_bos_token", true), AddEOS: flag("tokenizer.ggml.add_eos_token", false),
		AddSpacePrefix: flag("tokenizer.ggml.add_space_prefix", true),
	})
	if err != nil {
		return nil, fmt.Errorf("llama: %s: %w", f.Path, err)
	}
	return v, nil
}
