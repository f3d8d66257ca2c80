//go:build !amd64

package llama

// No SIMD attention here: the per-head Go code runs.
const simdAttention = false

func qkHeads8(qT, k []float32, kstride, n, hd int, scale float32, out []float32) {
	panic("llama: no SIMD attention on this architecture")
}

func sv(s, v []float32, vstride, n, hd int, acc []float64) {
	panic("llama: no SIMD attention on this architecture")
}
