package llama

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-os-agent/runsc-ai/integration/ollama/tinygguf"
	"github.com/go-os-agent/runsc-ai/llmkernel/gguf"
	"github.com/go-os-agent/runsc-ai/llmkernel/quant"
)

func write(t testing.TB, sp tinygguf.Spec) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := tinygguf.WriteSpec(path, sp); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestGenerates(t *testing.T) {
	for _, typ := range []uint32{0, 1, 2, 8} {
		m, err := Open(write(t, tinygguf.Spec{Type: typ, Heads: 4, KVHeads: 2}))
		if err != nil {
			t.Fatal(err)
		}
		prompt, _ := m.Vocab.Encode(`{"action":`, true, true)
		s := m.NewState(64, 2)
		out, err := s.Greedy(context.Background(), prompt, 16)
		if err != nil || len(out) == 0 {
			t.Fatalf("type %d: %v %v", typ, out, err)
		}
		// The same prompt again from a copied prefix gives the same tokens.
		s2 := m.NewState(64, 1)
		s2.CopyFrom(s, len(prompt)-1)
		logits, err := s2.Eval(context.Background(), prompt[len(prompt)-1:])
		if err != nil || Argmax(logits) != out[0] {
			t.Errorf("type %d: from a copied prefix: %v %v, want %d", typ, Argmax(logits), err, out[0])
		}
		m.Close()
	}
}

// Faults are clear errors: a wrong architecture, a missing tensor, an
// unsupported type, a context that is full, a cancelled evaluation.
func TestFaults(t *testing.T) {
	path := write(t, tinygguf.Spec{})
	b, _ := os.ReadFile(path)
	f, err := gguf.Parse(path, b)
	if err != nil {
		t.Fatal(err)
	}
	// Rename the architecture and a tensor in place (same lengths).
	for _, tc := range []struct{ from, to, want string }{
		{"llama", "gemma", `architecture "gemma"`},
		{"llama.", "lla_a.", "no llama."},
		{"token_embd.weight", "token_embx.weight", "no tensor token_embd.weight"},
	} {
		c := []byte(strings.Replace(string(b), tc.from, tc.to, 1))
		p := filepath.Join(t.TempDir(), "bad.gguf")
		os.WriteFile(p, c, 0o600)
		if _, err := Open(p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s -> %s: %v", tc.from, tc.to, err)
		}
	}
	// A tensor type the engine does not compute with (Q5_K): an error
	// naming the tensor and the type.
	if _, err := Open(write(t, tinygguf.Spec{Type: 2, Types: map[string]uint32{"attn_q": 13}})); err == nil ||
		!strings.Contains(err.Error(), "attn_q") || !strings.Contains(err.Error(), "Q5_K") {
		t.Errorf("a Q5_K tensor: %v", err)
	}
	trunc := filepath.Join(t.TempDir(), "trunc.gguf")
	os.WriteFile(trunc, b[:f.DataOffset+100], 0o600)
	if _, err := Open(trunc); err == nil || !errors.Is(err, gguf.ErrFormat) || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated tensor data: %v", err)
	}
	m, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	s := m.NewState(4, 1)
	if _, err := s.Eval(context.Background(), []int32{1, 2, 3, 4, 5}); !errors.Is(err, ErrContextFull) {
		t.Errorf("over the context: %v", err)
	}
	if _, err := s.Eval(context.Background(), []int32{int32(m.VocabSize)}); err == nil {
		t.Error("a token outside the vocabulary was evaluated")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Eval(ctx, []int32{1}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// The engine's block sizes are the file format's.
func TestBlockSizesAgree(t *testing.T) {
	for _, tc := range []struct {
		t           gguf.Type
		elems, size int
	}{{gguf.Q8_0, quant.QK, quant.Q8_0Size}, {gguf.Q4_0, quant.QK, quant.Q4_0Size},
		{gguf.Q4_K, quant.QKK, quant.Q4_KSize}, {gguf.Q6_K, quant.QKK, quant.Q6_KSize}} {
		if e, b := gguf.BlockSize(tc.t); int(e) != tc.elems || int(b) != tc.size {
			t.Errorf("%s: gguf reads blocks of %d values in %d bytes, the engine computes with %d in %d", tc.t, e, b, tc.elems, tc.size)
		}
	}
}

// A prompt evaluated in batches gives bit for bit the logits of the same
// prompt one token at a time, and of any other split (longer than one
// batch, so several batches and a partial one run).
func TestBatchingChangesNothing(t *testing.T) {
	q6 := uint32(14)
	for _, sp := range []tinygguf.Spec{{Type: 0}, {Type: 1}, {Type: 2}, {Type: 8},
		{Type: 12, Types: map[string]uint32{"output": q6, "ffn_down": q6}, Embd: 256, FFN: 512}} {
		sp.Heads, sp.KVHeads = 4, 2
		typ := sp.Type
		m, err := Open(write(t, sp))
		if err != nil {
			t.Fatal(err)
		}
		prompt := make([]int32, 2*maxBatch+7)
		for i := range prompt {
			prompt[i] = int32((i*7919 + 3) % m.VocabSize)
		}
		ctx := context.Background()
		whole := m.NewState(128, 2)
		want, err := whole.Eval(ctx, prompt)
		if err != nil {
			t.Fatal(err)
		}
		// EvalAll's logits after each token are the one-at-a-time ones.
		one, all := m.NewState(128, 2), m.NewState(128, 2)
		if _, err := one.Eval(ctx, prompt[:10]); err != nil {
			t.Fatal(err)
		}
		all.CopyFrom(one, 10)
		ls, err := all.EvalAll(ctx, prompt[10:17])
		if err != nil {
			t.Fatal(err)
		}
		for j, tok := range prompt[10:17] {
			l, err := one.Eval(ctx, []int32{tok})
			if err != nil {
				t.Fatal(err)
			}
			for i := range l {
				if math.Float32bits(l[i]) != math.Float32bits(ls[j][i]) {
					t.Fatalf("type %d: EvalAll token %d logit %d is %v, one at a time %v", typ, j, i, ls[j][i], l[i])
				}
			}
		}
		for _, split := range []int{1, 3, 5, 12, maxBatch - 1} {
			s := m.NewState(128, 2)
			var got []float32
			for i := 0; i < len(prompt); i += split {
				if got, err = s.Eval(ctx, prompt[i:min(i+split, len(prompt))]); err != nil {
					t.Fatal(err)
				}
			}
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("type %d, pieces of %d: logit %d is %v, in one batch %v", typ, split, i, got[i], want[i])
				}
			}
		}
		m.Close()
	}
}
