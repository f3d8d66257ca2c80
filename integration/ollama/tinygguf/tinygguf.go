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
	"math/rand"
	"os"

	"github.com/ollama/ollama/fs/ggml"
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

// Write writes the model to path; seed fixes the weights.
func Write(path string, seed int64) error {
	rng := rand.New(rand.NewSource(seed))
	tokens, scores, types := vocab()
	nv := uint64(len(tokens))
	kv := ggml.KV{
		"general.architecture":                   "llama",
		"general.name":                           "runsc-ai-tiny-test",
		"general.file_type":                      uint32(0), // all F32
		"llama.context_length":                   uint32(Context),
		"llama.embedding_length":                 uint32(Embedding),
		"llama.block_count":                      uint32(Layers),
		"llama.feed_forward_length":              uint32(FFN),
		"llama.attention.head_count":             uint32(Heads),
		"llama.attention.head_count_kv":          uint32(Heads),
		"llama.attention.layer_norm_rms_epsilon": float32(1e-5),
		"llama.rope.dimension_count":             uint32(Embedding / Heads),
		"llama.rope.freq_base":                   float32(10000),
		"llama.vocab_size":                       uint32(nv),
		"tokenizer.ggml.model":                   "llama",
		"tokenizer.ggml.tokens":                  tokens,
		"tokenizer.ggml.scores":                  scores,
		"tokenizer.ggml.token_type":              types,
		"tokenizer.ggml.bos_token_id":            uint32(1),
		"tokenizer.ggml.eos_token_id":            uint32(2),
		"tokenizer.ggml.unknown_token_id":        uint32(0),
		"tokenizer.ggml.add_bos_token":           true,
		"tokenizer.ggml.add_eos_token":           false,
	}
	rnd := func(n uint64, scale float32) f32 {
		t := make(f32, n)
		for i := range t {
			t[i] = float32(rng.NormFloat64()) * scale
		}
		return t
	}
	ones := func(n uint64) f32 {
		t := make(f32, n)
		for i := range t {
			t[i] = 1
		}
		return t
	}
	const e, ff = uint64(Embedding), uint64(FFN)
	tensor := func(name string, data f32, shape ...uint64) *ggml.Tensor {
		return &ggml.Tensor{Name: name, Kind: 0, Shape: shape, WriterTo: data}
	}
	ts := []*ggml.Tensor{
		tensor("token_embd.weight", rnd(e*nv, 0.1), e, nv),
		tensor("output_norm.weight", ones(e), e),
		tensor("output.weight", rnd(e*nv, 0.1), e, nv),
	}
	for l := 0; l < Layers; l++ {
		p := fmt.Sprintf("blk.%d.", l)
		ts = append(ts,
			tensor(p+"attn_norm.weight", ones(e), e),
			tensor(p+"attn_q.weight", rnd(e*e, 0.1), e, e),
			tensor(p+"attn_k.weight", rnd(e*e, 0.1), e, e),
			tensor(p+"attn_v.weight", rnd(e*e, 0.1), e, e),
			tensor(p+"attn_output.weight", rnd(e*e, 0.1), e, e),
			tensor(p+"ffn_norm.weight", ones(e), e),
			tensor(p+"ffn_gate.weight", rnd(e*ff, 0.1), e, ff),
			tensor(p+"ffn_up.weight", rnd(e*ff, 0.1), e, ff),
			tensor(p+"ffn_down.weight", rnd(ff*e, 0.1), ff, e),
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
