package ollama_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-os-agent/runsc-ai/integration/ollama/tinygguf"
	"github.com/go-os-agent/runsc-ai/llmkernel/llama"
)

// BenchmarkEngineVsLlamaCpp: prompt evaluation and generation speed of the
// in-process engine and of llama.cpp (llamaref: the llama.cpp the tests'
// ollama is built from) on the same file, same threads, same tokens,
// measured in the same run. Shapes: "small" (44M parameters, the 32k
// vocabulary) always; "tinyllama" (TinyLlama-1.1B's shapes) with
// BENCH_TINYLLAMA=1 (the file is written once to RUNSC_AI_CACHE).
// make bench-llm runs it.
func BenchmarkEngineVsLlamaCpp(b *testing.B) {
	voc := realVocab(b)
	shapes := []struct {
		name        string
		sp          tinygguf.Spec
		prompt, gen int
	}{{"small", tinygguf.Spec{Embd: 512, Heads: 8, KVHeads: 4, Layers: 4, FFN: 1408, Vocab: voc}, 64, 32}}
	if os.Getenv("BENCH_TINYLLAMA") == "1" {
		shapes = append(shapes, struct {
			name        string
			sp          tinygguf.Spec
			prompt, gen int
		}{"tinyllama", tinygguf.Spec{Embd: 2048, Heads: 32, KVHeads: 4, Layers: 22, FFN: 5632, Vocab: voc}, 16, 8})
	}
	threads := 2
	q6 := uint32(14)
	for _, sh := range shapes {
		for _, typ := range []struct {
			name  string
			t     uint32
			types map[string]uint32
		}{
			{"Q4_0", 2, nil}, {"Q8_0", 8, nil},
			// What llama.cpp's quantizer writes: ollama's tinyllama is Q4_0
			// with a Q6_K output; Q4_K_M-like: Q6_K output, attn_v, ffn_down.
			{"Q4_0+Q6_K-output", 2, map[string]uint32{"output": q6}},
			{"Q4_K_M", 12, map[string]uint32{"output": q6, "attn_v": q6, "ffn_down": q6}},
		} {
			b.Run(sh.name+"/"+typ.name, func(b *testing.B) {
				sp := sh.sp
				sp.Type, sp.Types, sp.Seed = typ.t, typ.types, 1
				path := benchModel(b, sh.name, typ.name, sp)
				m, err := llama.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				defer m.Close()
				prompt := make([]int32, sh.prompt)
				ids := make([]int, sh.prompt)
				for i := range prompt {
					prompt[i] = int32(300 + i*97%30000)
					ids[i] = int(prompt[i])
				}
				prompt[0], ids[0] = 1, 1
				var goPrompt, goGen, refPrompt, refGen time.Duration
				for i := 0; i < b.N; i++ {
					s := m.NewState(sh.prompt+sh.gen+1, threads)
					start := time.Now()
					logits, err := s.Eval(context.Background(), prompt)
					if err != nil {
						b.Fatal(err)
					}
					goPrompt += time.Since(start)
					start = time.Now()
					for j := 1; j < sh.gen; j++ {
						if logits, err = s.Eval(context.Background(), []int32{llama.Argmax(logits)}); err != nil {
							b.Fatal(err)
						}
					}
					goGen += time.Since(start)
					var ref struct {
						Results []struct {
							PromptNs int64 `json:"prompt_ns"`
							GenNs    int64 `json:"gen_ns"`
						}
					}
					llamaref(b, map[string]any{"model": path, "op": "generate", "prompts": [][]int{ids}, "n": sh.gen, "threads": threads}, &ref)
					refPrompt += time.Duration(ref.Results[0].PromptNs)
					refGen += time.Duration(ref.Results[0].GenNs)
				}
				n := float64(b.N)
				tps := func(tokens int, d time.Duration) float64 { return float64(tokens) * n / d.Seconds() }
				gp, gg := tps(sh.prompt, goPrompt), tps(sh.gen-1, goGen)
				rp, rg := tps(sh.prompt, refPrompt), tps(sh.gen-1, refGen)
				b.ReportMetric(gp, "go-prompt-tok/s")
				b.ReportMetric(rp, "llamacpp-prompt-tok/s")
				b.ReportMetric(gg, "go-gen-tok/s")
				b.ReportMetric(rg, "llamacpp-gen-tok/s")
				b.ReportMetric(gg/rg, "gen-ratio")
				fmt.Fprintf(os.Stderr, "%s %s, %d threads: prompt %.1f vs %.1f tok/s (%.2fx), generation %.2f vs %.2f tok/s (%.2fx)\n",
					sh.name, typ.name, threads, gp, rp, gp/rp, gg, rg, gg/rg)
			})
		}
	}
}

// benchModel writes a benchmark model once, cached across runs: files of
// one type are named by its number (small-2-seed1.gguf), mixes by name.
func benchModel(b *testing.B, name, typeName string, sp tinygguf.Spec) string {
	dir := os.Getenv("RUNSC_AI_CACHE")
	if dir == "" {
		dir = "/var/cache/runsc-ai"
	}
	file := fmt.Sprintf("%s-%d-seed%d.gguf", name, sp.Type, sp.Seed)
	if sp.Types != nil {
		file = fmt.Sprintf("%s-%s-seed%d.gguf", name, typeName, sp.Seed)
	}
	path := filepath.Join(dir, "bench-models", file)
	if _, err := os.Stat(path); err == nil {
		return path
	}
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := tinygguf.WriteSpec(path+".tmp", sp); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		b.Fatal(err)
	}
	return path
}
