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
// agent's steady state), on LLAMA_BENCH_MODEL with 2 threads, each of a
// sandbox whose image no recent decision had. Skipped without a model
// (make bench-llm sets one).
func BenchmarkDecision(b *testing.B) { benchDecision(b, false) }

// BenchmarkDecisionSeenImage: the same, each of a sandbox decided before,
// with others decided in between (or a replica of it): its image, settings
// and limits as before, what was measured new. The data block's beginning
// comes back from the span kept.
func BenchmarkDecisionSeenImage(b *testing.B) { benchDecision(b, true) }

func benchDecision(b *testing.B, seen bool) {
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
	// digits, a different one each decision. One kind (i ≡ 1 mod 5); the
	// four images cycle, so a decision's image is new for its first four.
	sit := func(i int) llmkernel.Situation {
		s := situation(i)
		s.Sandbox = fmt.Sprintf("%x", sha256.Sum256([]byte(s.Sandbox)))
		if seen {
			s.Current = situation(i % 4).Current // the image's sandbox: settings as before
		}
		return s
	}
	warm := 1
	if seen {
		warm = 4
	}
	for i := 0; i < warm; i++ {
		if _, err := be.Infer(context.Background(), request(sit(1+5*i), allowed)); err != nil {
			b.Fatal(err)
		}
	}
	var tokens, fresh, restored, answered int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := request(sit(1+5*(i+warm)), allowed) // same kind, other numbers
		if !seen {
			be.spans = spans{} // whatever b.N, no image was seen
		}
		resp, err := be.Infer(context.Background(), r)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := llmkernel.ParseAnswer(r.Kind, allowed, resp.Text); err != nil {
			b.Fatal(err)
		}
		s := be.byKind[r.Kind]
		tokens, fresh, restored, answered = tokens+len(s.toks), fresh+s.fresh, restored+s.restored, answered+s.answered
	}
	b.ReportMetric(float64(tokens)/float64(b.N), "prompt-tokens")
	b.ReportMetric(float64(fresh)/float64(b.N), "fresh-prompt-tokens")
	b.ReportMetric(float64(restored)/float64(b.N), "restored-prompt-tokens")
	b.ReportMetric(float64(answered)/float64(b.N), "answer-tokens-evaluated")
}
