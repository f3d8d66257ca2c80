package quant

//go:noescape
func roundF16sF16C(x *float32, n int) int

// roundF16sArch rounds a prefix of x through half precision in SIMD and
// returns its length (0 where the CPU cannot).
func roundF16sArch(x []float32) int {
	if !hasF16C || len(x) < 8 {
		return 0
	}
	return roundF16sF16C(&x[0], len(x))
}
