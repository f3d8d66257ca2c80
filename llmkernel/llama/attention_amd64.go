package llama

import "golang.org/x/sys/cpu"

// qkHeads8AVX2 and svAVX2 are attention's two products in AVX2
// (attention_amd64.s): scores for a group of eight query heads sharing
// a key head, and a head's probability-weighted sum of values.
//
//go:noescape
func qkHeads8AVX2(qT *float32, k *float32, kstride int, n int, hd int, scale float32, out *float32)

//go:noescape
func svAVX2(s *float32, v *float32, vstride int, n int, hd int, acc *float64)

var simdAttention = cpu.X86.HasAVX2

// qkHeads8 sets out[8t+j] to query head j's score against position t's
// key (k[t·kstride:]), t < n, as ggml's F16·F32 product forms it.
func qkHeads8(qT, k []float32, kstride, n, hd int, scale float32, out []float32) {
	if n == 0 {
		return
	}
	_, _, _ = qT[8*hd-1], k[(n-1)*kstride+hd-1], out[8*n-1]
	qkHeads8AVX2(&qT[0], &k[0], kstride, n, hd, scale, &out[0])
}

// sv adds to acc[i] each position's probability times its value
// (v[t·vstride+i]), t < n, in order, for i < hd (a multiple of 16).
func sv(s, v []float32, vstride, n, hd int, acc []float64) {
	if n == 0 {
		return
	}
	_, _, _ = s[n-1], v[(n-1)*vstride+hd-1], acc[hd-1]
	svAVX2(&s[0], &v[0], vstride, n, hd, &acc[0])
}
