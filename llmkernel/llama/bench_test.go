package llama

import (
	"context"
	"os"
	"testing"
)

// BenchmarkGenerate: one generated token on LLAMA_BENCH_MODEL (a GGUF),
// 2 threads. Skipped without a model (make bench-llm sets one).
func BenchmarkGenerate(b *testing.B) {
	path := os.Getenv("LLAMA_BENCH_MODEL")
	if path == "" {
		b.Skip("LLAMA_BENCH_MODEL not set")
	}
	m, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
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
