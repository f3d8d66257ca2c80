// Package tinygguf writes a tiny llama-architecture GGUF model with random
// weights. It is a real model file that a real ollama server loads and runs;
// its answers are noise, which is exactly what schema-constrained decoding and
// the engine's validation must cope with. No model weights can be fetched
// here, and none are needed for these tests.
package tinygguf

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"strings"

	"github.com/ollama/ollama/fs/ggml"

	"github.com/go-os-agent/runsc-ai/llmkernel/quant"
)

// Shape of the model: small enough to load in milliseconds.
const (
	Embedding = 64
	Heads     = 4
	Layers    = 2
	FFN       = 128
	Context   = 2048
)

type f32 []float32

func (t f32) WriteTo(w io.Writer) (int64, error) {
	return int64(4 * len(t)), binary.Write(w, binary.LittleEndian, []float32(t))
}

// vocab is a SentencePiece-style vocabulary: <unk>, <s>, </s>, the 256 byte
// fallback tokens, then printable ASCII and "▁" (SentencePiece's space), so
// any text — in particular any JSON — can be produced.
func vocab() (tokens []string, scores []float32, types []int32) {
	add := func(tok string, typ int32) {
		tokens = append(tokens, tok)
		scores = append(scores, float32(-len(tokens)))
		types = append(types, typ)
	}
	add("<unk>", 2)
	add("<s>", 3)
	add("</s>", 3)
	for b := 0; b < 256; b++ {
		add(fmt.Sprintf("<0x%02X>", b), 6)
	}
	add("▁", 1)
	for c := byte('!'); c <= '~'; c++ {
		add(string(c), 1)
	}
	return tokens, scores, types
}

// Write writes the tiny F32 model with the tiny vocabulary to path
// (weights N(0, 0.1), norms 1: the model the ollama tests were tuned on);
// seed fixes the weights. WriteSpec shapes others.
func Write(path string, seed int64) error {
	return WriteSpec(path, Spec{Seed: seed, Legacy: true})
}

// Spec shapes a generated model. Zero fields take the tiny defaults.
type Spec struct {
	Embd, Heads, KVHeads, Layers, FFN int
	// Type is the weights' GGML type: 0 F32, 1 F16, 2 Q4_0, 8 Q8_0,
	// 12 Q4_K, 14 Q6_K (norms stay F32, as in llama.cpp's files).
	Type uint32
	// Types overrides Type for some weights, by role ("token_embd",
	// "output", "attn_v", "ffn_down", ...): llama.cpp's mixes, such as
	// Q4_0 files with a Q6_K output (ollama's tinyllama) or Q4_K_M.
	Types map[string]uint32
	// Vocab is the tokenizer's vocabulary; nil: the tiny byte-level one.
	Vocab *Vocab
	// Scale multiplies the weights' spread (default 1: logits far apart,
	// so greedy decoding has clear winners).
	Scale float64
	// Template is tokenizer.chat_template, if any.
	Template string
	Seed     int64
	// Legacy: every weight N(0, 0.1) and norms 1 (Write's model).
	Legacy bool
}

// Vocab is a SentencePiece vocabulary.
type Vocab struct {
	Tokens []string
	Scores []float32
	Types  []int32
}

type raw []byte

func (r raw) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(r)
	return int64(n), err
}

// WriteSpec writes a random-weight llama model shaped by sp to path.
func WriteSpec(path string, sp Spec) error {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&sp.Embd, Embedding)
	def(&sp.Heads, Heads)
	def(&sp.KVHeads, sp.Heads)
	def(&sp.Layers, Layers)
	def(&sp.FFN, FFN)
	if sp.Scale == 0 {
		sp.Scale = 1
	}
	rng := rand.New(rand.NewSource(sp.Seed))
	voc := sp.Vocab
	if voc == nil {
		t, sc, ty := vocab()
		voc = &Vocab{t, sc, ty}
	}
	nv := uint64(len(voc.Tokens))
	kv := ggml.KV{
		"general.architecture":                   "llama",
		"general.name":                           "runsc-ai-test",
		"general.file_type":                      sp.Type,
		"llama.context_length":                   uint32(Context),
		"llama.embedding_length":                 uint32(sp.Embd),
		"llama.block_count":                      uint32(sp.Layers),
		"llama.feed_forward_length":              uint32(sp.FFN),
		"llama.attention.head_count":             uint32(sp.Heads),
		"llama.attention.head_count_kv":          uint32(sp.KVHeads),
		"llama.attention.layer_norm_rms_epsilon": float32(1e-5),
		"llama.rope.dimension_count":             uint32(sp.Embd / sp.Heads),
		"llama.rope.freq_base":                   float32(10000),
		"llama.vocab_size":                       uint32(nv),
		"tokenizer.ggml.model":                   "llama",
		"tokenizer.ggml.tokens":                  voc.Tokens,
		"tokenizer.ggml.scores":                  voc.Scores,
		"tokenizer.ggml.token_type":              voc.Types,
		"tokenizer.ggml.bos_token_id":            uint32(1),
		"tokenizer.ggml.eos_token_id":            uint32(2),
		"tokenizer.ggml.unknown_token_id":        uint32(0),
		"tokenizer.ggml.add_bos_token":           true,
		"tokenizer.ggml.add_eos_token":           false,
	}
	if sp.Template != "" {
		kv["tokenizer.chat_template"] = sp.Template
	}
	rnd := func(n uint64, scale float64) []float32 {
		t := make([]float32, n)
		for i := range t {
			if sp.Legacy {
				t[i] = float32(rng.NormFloat64()) * 0.1 // float32 math, as Write always did
				continue
			}
			t[i] = float32(rng.NormFloat64() * scale * sp.Scale)
		}
		return t
	}
	norm := func(n uint64) f32 {
		t := make(f32, n)
		for i := range t {
			t[i] = 1
			if !sp.Legacy {
				t[i] += float32(0.1 * rng.NormFloat64())
			}
		}
		return t
	}
	tensor := func(name string, data []float32, shape ...uint64) *ggml.Tensor {
		typ := sp.Type
		role := strings.TrimSuffix(name, ".weight")
		role = role[strings.LastIndexByte(role, '.')+1:]
		if t, ok := sp.Types[role]; ok {
			typ = t
		}
		return &ggml.Tensor{Name: name, Kind: typ, Shape: shape, WriterTo: encode(typ, data)}
	}
	e, ff := uint64(sp.Embd), uint64(sp.FFN)
	kvw := e / uint64(sp.Heads) * uint64(sp.KVHeads)
	// Spreads keep activations of order one through the layers.
	in := 1 / math.Sqrt(float64(e))
	ts := []*ggml.Tensor{
		tensor("token_embd.weight", rnd(e*nv, 1), e, nv),
		{Name: "output_norm.weight", Kind: 0, Shape: []uint64{e}, WriterTo: norm(e)},
		tensor("output.weight", rnd(e*nv, 2*in), e, nv),
	}
	for l := 0; l < sp.Layers; l++ {
		p := fmt.Sprintf("blk.%d.", l)
		ts = append(ts,
			&ggml.Tensor{Name: p + "attn_norm.weight", Kind: 0, Shape: []uint64{e}, WriterTo: norm(e)},
			tensor(p+"attn_q.weight", rnd(e*e, 2*in), e, e),
			tensor(p+"attn_k.weight", rnd(e*kvw, 2*in), e, kvw),
			tensor(p+"attn_v.weight", rnd(e*kvw, in), e, kvw),
			tensor(p+"attn_output.weight", rnd(e*e, in), e, e),
			&ggml.Tensor{Name: p + "ffn_norm.weight", Kind: 0, Shape: []uint64{e}, WriterTo: norm(e)},
			tensor(p+"ffn_gate.weight", rnd(e*ff, in), e, ff),
			tensor(p+"ffn_up.weight", rnd(e*ff, in), e, ff),
			tensor(p+"ffn_down.weight", rnd(ff*e, 1/math.Sqrt(float64(ff))), ff, e),
		)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := ggml.WriteGGUF(f, kv, ts); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// encode stores x in GGML type t.
func encode(t uint32, x []float32) io.WriterTo {
	switch t {
	case 1:
		b := make([]byte, 2*len(x))
		for i, v := range x {
			binary.LittleEndian.PutUint16(b[2*i:], quant.F32ToF16(v))
		}
		return raw(b)
	case 2:
		b := make([]byte, len(x)/quant.QK*quant.Q4_0Size)
		quant.QuantizeQ4_0(b, x)
		return raw(b)
	case 8:
		b := make([]byte, len(x)/quant.QK*quant.Q8_0Size)
		quant.QuantizeQ8_0(b, x)
		return raw(b)
	case 12:
		b := make([]byte, len(x)/quant.QKK*quant.Q4_KSize)
		quant.QuantizeQ4_K(b, x)
		return raw(b)
	case 14:
		b := make([]byte, len(x)/quant.QKK*quant.Q6_KSize)
		quant.QuantizeQ6_K(b, x)
		return raw(b)
	}
	return f32(x)
}
