package ollama_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/go-os-agent/runsc-ai/integration/ollama/tinygguf"
	"github.com/go-os-agent/runsc-ai/integration/testenv"
	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/llama"
	"github.com/go-os-agent/runsc-ai/policies"
)

// The in-process engine (llmkernel/llama) against llama.cpp itself on the
// same files: llamaref runs llama.cpp through the ollama module's bindings
// (integration/ollama/llamaref, built once and cached).

func cached(t testing.TB, env, script string) string {
	t.Helper()
	if b := os.Getenv(env); b != "" {
		return b
	}
	out, err := exec.Command("sh", filepath.Join(testenv.RepoRoot(), "integration", "ollama", script)).Output()
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	return strings.TrimSpace(string(out))
}

func llamaref(t testing.TB, req map[string]any, out any) {
	t.Helper()
	bin := cached(t, "LLAMAREF_BIN", "build-llamaref.sh")
	b, _ := json.Marshal(req)
	cmd := exec.Command(bin)
	cmd.Stdin = bytes.NewReader(b)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("llamaref: %v: %s", err, tail(stderr.String()))
	}
	if err := json.Unmarshal(res, out); err != nil {
		t.Fatalf("llamaref answer: %v", err)
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

var (
	vocabOnce sync.Once
	vocab32k  *tinygguf.Vocab
	vocabErr  error
)

// realVocab is the 32,000-piece SentencePiece vocabulary from npm.
func realVocab(t testing.TB) *tinygguf.Vocab {
	t.Helper()
	path := cached(t, "VOCAB_32K", "fetch-vocab.sh")
	vocabOnce.Do(func() { vocab32k, vocabErr = tinygguf.LoadNPMVocab(path) })
	if vocabErr != nil {
		t.Fatal(vocabErr)
	}
	return vocab32k
}

// corpus is text the tokenizer must split exactly as llama.cpp does: JSON,
// numbers, punctuation, whitespace runs, non-ASCII, special-token text, the
// engine's own prompts.
func corpus() []string {
	texts := []string{
		"", " ", "  ", "hello world", "Hello, World!", "  leading and trailing  ", "tabs\tand\nnewlines\n\n",
		`{"action":"raise_shares","step_pct":30,"confidence":90,"reason":"cpu throttled"}`,
		`{"a": [1, 2.5, -3e10, null, true], "b": {"c": "d\"e"}}`,
		"3.14159 2718281828 -0.001 1e-9 0x7fff 100% 42nd",
		"a-b_c.d/e\\f:g;h'i\"j(k)[l]{m}<n>?!@#$%^&*~`+=|",
		"naïve café résumé — “quotes” ‘single’ …",
		"日本語のテキスト、中文文本，한국어 텍스트",
		"emoji 🚀🔥👍🏽 and ZWJ 👨‍👩‍👧",
		"Ελληνικά, русский, עברית, العربية",
		"<s>inside</s> and <unk> text", "<<s>> </s></s>",
		"\x00\x01\x7f bytes \xff\xfe invalid utf8 \xc3",
		strings.Repeat("ab", 300), strings.Repeat("🚀", 40),
		"sandbox=\"web-1\" image=\"nginx:alpine\"",
	}
	pol := policies.Default()
	for i, s := range situations(8) {
		c := llmkernel.Assemble(&s, llmkernel.Readers{}, pol.Goal)
		p := llmkernel.Prompt(s.Kind, pol.Kinds[s.Kind].Allowed, &c)
		texts = append(texts, p)
		if i == 0 {
			texts = append(texts, string(llmkernel.Schema(s.Kind, pol.Kinds[s.Kind].Allowed)))
		}
	}
	return texts
}

func writeModel(t *testing.T, sp tinygguf.Spec) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("m-%d.gguf", sp.Type))
	if err := tinygguf.WriteSpec(path, sp); err != nil {
		t.Fatal(err)
	}
	return path
}

// The Go tokenizer's ids equal llama.cpp's for the same file, with and
// without the BOS token, on the tiny byte-level vocabulary and on a real
// 32,000-piece one.
func TestTokenizerMatchesLlamaCpp(t *testing.T) {
	texts := corpus()
	for _, tc := range []struct {
		name  string
		vocab *tinygguf.Vocab
	}{{"tiny", nil}, {"32k", realVocab(t)}} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeModel(t, tinygguf.Spec{Vocab: tc.vocab, Layers: 1})
			m, err := llama.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			for _, special := range []bool{false, true} {
				var ref struct{ Tokens [][]int }
				raw := make([][]byte, len(texts)) // base64 in JSON: texts need not be valid UTF-8
				for i, text := range texts {
					raw[i] = []byte(text)
				}
				llamaref(t, map[string]any{"model": path, "op": "tokenize", "texts": raw, "add_special": special, "parse_special": true}, &ref)
				total := 0
				for i, text := range texts {
					got, err := m.Vocab.Encode(text, special, true)
					if err != nil {
						t.Fatal(err)
					}
					total += len(got)
					if !equalIDs(got, ref.Tokens[i]) {
						t.Errorf("add_special=%v %q:\n go        %v\n llama.cpp %v", special, text, got, ref.Tokens[i])
					}
				}
				t.Logf("add_special=%v: %d texts, %d tokens, identical", special, len(texts), total)
			}
		})
	}
}

func equalIDs(a []int32, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if int(a[i]) != b[i] {
			return false
		}
	}
	return true
}

// Greedy generation: the engine's tokens equal llama.cpp's for 32 tokens on
// 20 prompts, for F32, F16, Q8_0, Q4_0, Q4_K and Q6_K weights, and the
// mixes llama.cpp's quantizer writes — Q4_0 with a Q6_K output (ollama's
// tinyllama) and Q4_K_M (Q4_K, with Q6_K for the output, attn_v and
// ffn_down) — (grouped-query attention, two query heads to a key head and,
// for the Q4_0 files, TinyLlama's eight; the 32k vocabulary); a divergence
// is accepted only where llama.cpp's own top two logits are within 1e-3.
// The first step's logits agree within 1e-6 of their range: the engine
// rounds where llama.cpp rounds (measured here: bit-identical for all).
func TestGreedyMatchesLlamaCpp(t *testing.T) {
	const steps, nPrompts = 32, 20
	voc := realVocab(t)
	q6 := uint32(14)
	for _, tc := range []struct {
		name  string
		typ   uint32
		types map[string]uint32
		tol   float64 // max |logit difference| / max |logit|
		// TinyLlama's heads: 64 wide, eight query heads to a key head
		// (the engine scores the eight together); else four heads of 64
		// to two key heads.
		tinyHeads bool
	}{{"F32", 0, nil, 1e-6, false}, {"F16", 1, nil, 1e-6, false}, {"Q8_0", 8, nil, 1e-6, false}, {"Q4_0", 2, nil, 1e-6, true},
		{"Q4_K", 12, nil, 1e-6, false}, {"Q6_K", 14, nil, 1e-6, false},
		{"Q4_0+Q6_K-output", 2, map[string]uint32{"output": q6}, 1e-6, true},
		{"Q4_K_M", 12, map[string]uint32{"output": q6, "attn_v": q6, "ffn_down": q6}, 1e-6, false}} {
		t.Run(tc.name, func(t *testing.T) {
			// Rows of 256 values: the k-quants' super-block.
			sp := tinygguf.Spec{Embd: 256, Heads: 4, KVHeads: 2, Layers: 2, FFN: 512, Type: tc.typ, Types: tc.types, Vocab: voc, Seed: 7}
			if tc.tinyHeads {
				sp.Embd, sp.Heads, sp.KVHeads = 512, 8, 1
			}
			path := writeModel(t, sp)
			m, err := llama.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			texts := corpus()
			var prompts [][]int32
			for i := 0; len(prompts) < nPrompts; i++ {
				ids, _ := m.Vocab.Encode(texts[i%len(texts)]+strings.Repeat(" again", i/len(texts)), true, true)
				if len(ids) > 400 {
					ids = ids[:400]
				}
				prompts = append(prompts, ids)
			}
			var ref struct {
				Results []struct {
					Tokens []int
					Gaps   []float32
					Logits []float32
				}
			}
			llamaref(t, map[string]any{"model": path, "op": "generate", "prompts": prompts, "n": steps, "threads": 2}, &ref)
			var worst float64
			diverged := 0
			for i, p := range prompts {
				s := m.NewState(len(p)+steps+1, 2)
				logits, err := s.Eval(context.Background(), p)
				if err != nil {
					t.Fatal(err)
				}
				r := ref.Results[i]
				worst = max(worst, relDiff(logits, r.Logits))
				var got []int32
				for step := 0; step < steps; step++ {
					tok := llama.Argmax(logits)
					got = append(got, tok)
					if int(tok) != r.Tokens[step] {
						if r.Gaps[step] >= 1e-3 {
							t.Errorf("prompt %d step %d: go %d, llama.cpp %d (its top-2 gap %.4g)\n go        %v\n llama.cpp %v",
								i, step, tok, r.Tokens[step], r.Gaps[step], got, r.Tokens[:step+1])
						} else {
							t.Logf("prompt %d: diverged at step %d where llama.cpp's top two logits are %.2g apart", i, step, r.Gaps[step])
							diverged++
						}
						break
					}
					if logits, err = s.Eval(context.Background(), []int32{tok}); err != nil {
						t.Fatal(err)
					}
				}
			}
			if worst > tc.tol {
				t.Errorf("first-step logits differ by %.3g of their range, more than %.1g", worst, tc.tol)
			}
			t.Logf("%d prompts × %d tokens: %d diverged at near-ties; first-step logits within %.2g of their range", len(prompts), steps, diverged, worst)
		})
	}
}

// relDiff is max |a-b| / max |b|.
func relDiff(a []float32, b []float32) float64 {
	var d, s float64
	for i := range b {
		d = max(d, math.Abs(float64(a[i]-b[i])))
		s = max(s, math.Abs(float64(b[i])))
	}
	return d / s
}
