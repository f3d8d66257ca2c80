package llama

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// benchModel opens LLAMA_BENCH_MODEL, or skips.
func benchModel(b *testing.B) *Model {
	path := os.Getenv("LLAMA_BENCH_MODEL")
	if path == "" {
		b.Skip("LLAMA_BENCH_MODEL not set")
	}
	m, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	return m
}

// BenchmarkGenerate: one generated token on LLAMA_BENCH_MODEL (a GGUF),
// 2 threads. Skipped without a model (make bench-llm sets one).
func BenchmarkGenerate(b *testing.B) {
	m := benchModel(b)
	s := m.NewState(b.N+2, 2)
	logits, err := s.Eval(context.Background(), []int32{1})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if logits, err = s.Eval(context.Background(), []int32{Argmax(logits)}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPrompt: a 128-token prompt on LLAMA_BENCH_MODEL, 2 threads
// (ns/op is the whole prompt), in batches and, the reference in the same
// run, one token at a time as generation does.
func BenchmarkPrompt(b *testing.B) {
	m := benchModel(b)
	prompt := make([]int32, 128)
	for i := range prompt {
		prompt[i] = int32(1 + i*31%(m.VocabSize-1))
	}
	for _, piece := range []int{len(prompt), 1} {
		name := "batched"
		if piece == 1 {
			name = "one-at-a-time"
		}
		b.Run(name, func(b *testing.B) {
			s := m.NewState(len(prompt), 2)
			for i := 0; i < b.N; i++ {
				s.Truncate(0)
				for j := 0; j < len(prompt); j += piece {
					if _, err := s.Eval(context.Background(), prompt[j:j+piece]); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkSmallBatch: batches of 1 to 16 tokens after a 160-token prompt
// (ns/op is one batch): the forced-text passes and enum trees of a
// decision. Padding a small batch into the eight-token (or sixteen-token)
// kernel pays from the batch size where this stops growing. On a Pool (as inproc runs it: locked threads) and,
// the reference in the same run, on goroutines.
func BenchmarkSmallBatch(b *testing.B) {
	m := benchModel(b)
	prompt := make([]int32, 160)
	for i := range prompt {
		prompt[i] = int32(1 + i*31%(m.VocabSize-1))
	}
	for _, mode := range []string{"pool", "goroutines"} {
		s := m.NewState(len(prompt)+16, 2)
		run := func(f func()) { f() }
		if mode == "pool" {
			p := NewPool(2, nil, nil)
			defer p.Close()
			s.UsePool(p)
			run = p.Run
		}
		if _, err := s.Eval(context.Background(), prompt); err != nil {
			b.Fatal(err)
		}
		for n := 1; n <= 16; n++ {
			b.Run(fmt.Sprintf("%s/%d", mode, n), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					s.Truncate(len(prompt))
					var err error
					run(func() { _, err = s.Eval(context.Background(), prompt[:n]) })
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
