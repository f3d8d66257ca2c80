package quant

//go:noescape
func quantizeQ8AVX2(x *float32, q *int8, d *float32, nb int) int

// quantizeArch quantizes x's first blocks in SIMD and returns how many
// (0 where the CPU cannot; it stops at a block the Go code must do).
func quantizeArch(x []float32, q []int8, d []float32) int {
	nb := len(d)
	if !hasF16C || nb == 0 {
		return 0
	}
	_, _ = x[nb*QK-1], q[nb*QK-1]
	return quantizeQ8AVX2(&x[0], &q[0], &d[0], nb)
}
