package llama

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/go-os-agent/runsc-ai/integration/ollama/tinygguf"
)

// The SIMD attention kernels give the Go sums' bits: every position count
// (the four-at-a-time loop and its tail), head widths, and magnitudes from
// tiny to huge.
func TestAttentionKernelsAgree(t *testing.T) {
	if !simdAttention {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(23, 29))
	val := func() float32 {
		return float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(9)-4)))
	}
	for trial := 0; trial < 200; trial++ {
		hd := 16 << rng.IntN(4)
		n := rng.IntN(11)
		stride := hd + 16*rng.IntN(3)
		qT := make([]float32, 8*hd)
		for i := range qT {
			qT[i] = val()
		}
		kv := make([]float32, max(n, 1)*stride)
		for i := range kv {
			kv[i] = val()
		}
		scale := val()
		got := make([]float32, 8*max(n, 1))
		qkHeads8(qT, kv, stride, n, hd, scale, got)
		for tt := 0; tt < n; tt++ {
			for j := 0; j < 8; j++ {
				var d float64
				for i := 0; i < hd; i++ {
					d += float64(qT[8*i+j] * kv[tt*stride+i])
				}
				if want := float32(d) * scale; math.Float32bits(got[8*tt+j]) != math.Float32bits(want) {
					t.Fatalf("scores, hd %d, n %d: position %d head %d: %v, Go %v", hd, n, tt, j, got[8*tt+j], want)
				}
			}
		}
		s := make([]float32, max(n, 1))
		for i := range s {
			s[i] = val()
		}
		acc := make([]float64, hd)
		want := make([]float64, hd)
		for i := range acc {
			acc[i] = float64(val())
			want[i] = acc[i]
		}
		sv(s, kv, stride, n, hd, acc)
		for i := range want {
			for tt := 0; tt < n; tt++ {
				want[i] += float64(s[tt] * kv[tt*stride+i])
			}
			if math.Float64bits(acc[i]) != math.Float64bits(want[i]) {
				t.Fatalf("values, hd %d, n %d: output %d: %v, Go %v", hd, n, i, acc[i], want[i])
			}
		}
	}
}

// A model's logits are bit for bit the same with SIMD attention as with
// the per-head Go code: eight query heads to a key head (scores and
// values in SIMD) and two (values only), a prompt in batches, then a tree
// of branches (cache slots out of order).
func TestSIMDAttentionChangesNothing(t *testing.T) {
	if !simdAttention {
		t.Skip("no AVX2")
	}
	defer func() { simdAttention = true }()
	for _, sp := range []tinygguf.Spec{{Embd: 512, Heads: 8, KVHeads: 1, FFN: 256, Type: 2},
		{Embd: 256, Heads: 16, KVHeads: 2, FFN: 256}, {Embd: 256, Heads: 4, KVHeads: 2, FFN: 256, Type: 2}} {
		m, err := Open(write(t, sp))
		if err != nil {
			t.Fatal(err)
		}
		prompt := make([]int32, maxBatch+9)
		for i := range prompt {
			prompt[i] = int32((i*7919 + 3) % m.VocabSize)
		}
		toks, parent := []int32{5, 6, 7, 8, 9, 10}, []int{-1, -1, 0, 1, 2, -1}
		run := func(simd bool) [][]float32 {
			simdAttention = simd
			s := m.NewState(128, 2)
			l, err := s.Eval(context.Background(), prompt)
			if err != nil {
				t.Fatal(err)
			}
			out := [][]float32{append([]float32(nil), l...)}
			ls, err := s.EvalTree(context.Background(), toks, parent)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range ls {
				out = append(out, append([]float32(nil), l...))
			}
			return out
		}
		want, got := run(false), run(true)
		for r := range want {
			for i := range want[r] {
				if math.Float32bits(got[r][i]) != math.Float32bits(want[r][i]) {
					t.Fatalf("%d heads, %d key heads, width %d: logits %d, %d: %v with SIMD attention, %v without", sp.Heads, sp.KVHeads, sp.Embd, r, i, got[r][i], want[r][i])
				}
			}
		}
		m.Close()
	}
}
