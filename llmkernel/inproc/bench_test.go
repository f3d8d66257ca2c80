package inproc

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"testing"

	"github.com/go-os-agent/runsc-ai/llmkernel"
)

// BenchmarkDecision: one deep decision with the kind's prefix cached (the
// agent's steady state), on LLAMA_BENCH_MODEL with 2 threads. Skipped
// without a model (make bench-llm sets one).
func BenchmarkDecision(b *testing.B) {
	path := os.Getenv("LLAMA_BENCH_MODEL")
	if path == "" {
		b.Skip("LLAMA_BENCH_MODEL not set")
	}
	be, err := New(Options{Model: path, Threads: 2})
	if err != nil {
		b.Fatal(err)
	}
	defer be.Close()
	allowed := []bool{true, true, true, true, true}
	// Sandboxes are named as Docker and containerd name them: 64 hex
	// digits, a different one each decision.
	sit := func(i int) llmkernel.Situation {
		s := situation(i)
		s.Sandbox = fmt.Sprintf("%x", sha256.Sum256([]byte(s.Sandbox)))
		return s
	}
	if _, err := be.Infer(context.Background(), request(sit(1), allowed)); err != nil {
		b.Fatal(err)
	}
	var tokens, fresh, answered int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := request(sit(1+5*(i+1)), allowed) // same kind, other numbers
		resp, err := be.Infer(context.Background(), r)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := llmkernel.ParseAnswer(r.Kind, allowed, resp.Text); err != nil {
			b.Fatal(err)
		}
		s := be.byKind[r.Kind]
		tokens, fresh, answered = tokens+len(s.toks), fresh+s.fresh, answered+s.answered
	}
	b.ReportMetric(float64(tokens)/float64(b.N), "prompt-tokens")
	b.ReportMetric(float64(fresh)/float64(b.N), "fresh-prompt-tokens")
	b.ReportMetric(float64(answered)/float64(b.N), "answer-tokens-evaluated")
}
