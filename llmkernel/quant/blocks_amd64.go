package quant

import "golang.org/x/sys/cpu"

// blockSumsQ8AVX2 and blockSumsQ4AVX2 are blockSums for nb blocks in AVX2
// (blocks_amd64.s); the caller has checked the slices' lengths.
//
//go:noescape
func blockSumsQ8AVX2(row *byte, q *int8, sums *int32, nb int)

//go:noescape
func blockSumsQ4AVX2(row *byte, q *int8, sums *int32, nb int)

// productsQ4AVX2 and productsQ8AVX2 compute whole-block products for nb
// blocks, a multiple of 8 (blocks_amd64.s); they need AVX2 and F16C.
//
//go:noescape
func productsQ4AVX2(row *byte, q *int8, dy *float32, out *float32, nb int)

//go:noescape
func productsQ8AVX2(row *byte, q *int8, dy *float32, out *float32, nb int)

func cpuidECX1() uint32

// productsQ4x8AVX2 and productsQ8x8AVX2: eight tokens' products with one
// row, nb ≥ 1 blocks (blocks_amd64.s); they need AVX2 and F16C.
//
//go:noescape
func productsQ4x8AVX2(row *byte, q *int8, dy *float32, out *float32, nb int)

//go:noescape
func productsQ8x8AVX2(row *byte, q *int8, dy *float32, out *float32, nb int)

// productsQ4r8AVX2 and productsQ8r8AVX2: eight consecutive rows (stride
// bytes apart) times one token's activations, nb ≥ 1 blocks
// (blocks_amd64.s); they need AVX2 and F16C.
//
//go:noescape
func productsQ4r8AVX2(row *byte, stride int, q *int8, dy *float32, out *float32, nb int)

//go:noescape
func productsQ8r8AVX2(row *byte, stride int, q *int8, dy *float32, out *float32, nb int)

// productsQ4x8VNNI and productsQ4r8VNNI: productsQ4x8AVX2 and
// productsQ4r8AVX2 in AVX-512 VNNI (blocks_amd64.s); they need AVX512F,
// BW, VL and VNNI, and F16C.
//
//go:noescape
func productsQ4x8VNNI(row *byte, q *int8, dy *float32, s *int32, out *float32, nb int)

//go:noescape
func productsQ4r8VNNI(row *byte, stride int, q *int8, dy *float32, out *float32, nb int)

// productsQ4x16r2VNNI: sixteen tokens' products with two Q4_0 rows stride
// bytes apart, nb ≥ 1 blocks (blocks_amd64.s); it needs what
// productsQ4x8VNNI does.
//
//go:noescape
func productsQ4x16r2VNNI(row *byte, stride int, q *int8, dy *float32, s *int32, out *float32, nb int)

func rows16x2Arch(rows []byte, stride int, a *Acts16, out *[32]float32) bool {
	nb := len(a.D) / 16
	if kernelID != kernelVNNI || nb == 0 {
		return false
	}
	if stride < nb*Q4_0Size {
		panic("quant: rows overlap")
	}
	_, _, _ = rows[stride+nb*Q4_0Size-1], a.Q[nb*16*QK-1], a.S[nb*16-1]
	productsQ4x16r2VNNI(&rows[0], stride, &a.Q[0], &a.D[0], &a.S[0], &out[0], nb)
	return true
}

func hasQ4BatchArch() bool { return kernelID == kernelVNNI }

// productsQ4r8x4VNNI: productsQ4r8VNNI for the first four tokens of an
// Acts8's blocks (q, dy, s from there), nb ≥ 1 blocks (blocks_amd64.s).
//
//go:noescape
func productsQ4r8x4VNNI(row *byte, stride int, q *int8, dy *float32, s *int32, out *float32, nb int)

func rows8x4Arch(rows []byte, stride int, a *Acts8, half int, out *[32]float32) bool {
	nb := len(a.D) / 8
	if kernelID != kernelVNNI || nb == 0 || half < 0 || half > 1 {
		return false
	}
	if stride < nb*Q4_0Size {
		panic("quant: rows overlap")
	}
	_, _, _ = rows[7*stride+nb*Q4_0Size-1], a.Q[nb*8*QK-1], a.S[nb*8-1]
	o := 4 * half
	productsQ4r8x4VNNI(&rows[0], stride, &a.Q[o*QK], &a.D[o], &a.S[o], &out[0], nb)
	return true
}

func rows8Arch(rows []byte, stride int, a *Acts, out *[8]float32, q4 bool) bool {
	if kernelID < kernelProducts || len(a.D) == 0 {
		return false
	}
	nb := rows8Blocks(rows, stride, a, q4)
	switch {
	case q4 && kernelID == kernelVNNI:
		productsQ4r8VNNI(&rows[0], stride, &a.Q[0], &a.D[0], &out[0], nb)
	case q4:
		productsQ4r8AVX2(&rows[0], stride, &a.Q[0], &a.D[0], &out[0], nb)
	default:
		productsQ8r8AVX2(&rows[0], stride, &a.Q[0], &a.D[0], &out[0], nb)
	}
	return true
}

func products8Arch(row []byte, a *Acts8, out *[8]float32, q4 bool) bool {
	nb := len(a.D) / 8
	if kernelID < kernelProducts || nb == 0 {
		return false
	}
	size := Q8_0Size
	if q4 {
		size = Q4_0Size
	}
	_, _ = row[nb*size-1], a.Q[nb*8*QK-1]
	switch {
	case q4 && kernelID == kernelVNNI:
		_ = a.S[nb*8-1]
		productsQ4x8VNNI(&row[0], &a.Q[0], &a.D[0], &a.S[0], &out[0], nb)
	case q4:
		productsQ4x8AVX2(&row[0], &a.Q[0], &a.D[0], &out[0], nb)
	default:
		productsQ8x8AVX2(&row[0], &a.Q[0], &a.D[0], &out[0], nb)
	}
	return true
}

// q6kLanesAVX2 and q4kLanesAVX2 add nb ≥ 1 super-blocks' scaled lanes to
// lanes (kquant_amd64.s); they need AVX2 and F16C.
//
//go:noescape
func q6kLanesAVX2(row *byte, q *int8, dy *float32, lanes *float32, nb int)

//go:noescape
func q4kLanesAVX2(row *byte, q *int8, dy *float32, lanes *float32, nb int)

// kLanesArch computes a k-quant product's lanes in assembly, where the
// CPU has it; the caller has checked row's length.
func kLanesArch(row []byte, a *KActs, lanes *[8]float32, q6 bool) bool {
	nb := len(a.D)
	if kernelID < kernelProducts || nb == 0 {
		return false
	}
	_ = a.Q[nb*QKK-1]
	if q6 {
		q6kLanesAVX2(&row[0], &a.Q[0], &a.D[0], &lanes[0], nb)
	} else {
		q4kLanesAVX2(&row[0], &a.Q[0], &a.D[0], &lanes[0], nb)
	}
	return true
}

// productsArch computes the first multiple of 8 of the blocks' products
// and returns how many it did.
func productsArch(row []byte, q []int8, dy, out []float32, q4 bool) int {
	n := len(out) &^ 7
	if n == 0 {
		return 0
	}
	if q4 {
		_, _, _ = row[n*Q4_0Size-1], q[n*QK-1], dy[n-1]
		productsQ4AVX2(&row[0], &q[0], &dy[0], &out[0], n)
		return n
	}
	_, _, _ = row[n*Q8_0Size-1], q[n*QK-1], dy[n-1]
	productsQ8AVX2(&row[0], &q[0], &dy[0], &out[0], n)
	return n
}

func blockSumsArch(row []byte, q []int8, sums []int32, q4 bool) {
	if len(sums) == 0 {
		return
	}
	if q4 {
		_, _ = row[len(sums)*Q4_0Size-1], q[len(sums)*QK-1]
		blockSumsQ4AVX2(&row[0], &q[0], &sums[0], len(sums))
		return
	}
	_, _ = row[len(sums)*Q8_0Size-1], q[len(sums)*QK-1]
	blockSumsQ8AVX2(&row[0], &q[0], &sums[0], len(sums))
}

// Kernel names the block kernel in use, for status and benchmarks.
var Kernel = "go"

// hasF16C: the CPU converts halves (VCVTPH2PS); every AVX2 CPU does, but
// x/sys/cpu does not say.
var hasF16C = cpu.X86.HasAVX2 && cpuidECX1()&(1<<29) != 0

// hasVNNI: the CPU (and OS) run the AVX-512 VNNI kernels.
var hasVNNI = hasF16C && cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512VNNI

func init() {
	switch {
	case hasVNNI:
		kernelID, Kernel = kernelVNNI, "avx512vnni"
	case cpu.X86.HasAVX2 && hasF16C:
		kernelID, Kernel = kernelProducts, "avx2+f16c"
	case cpu.X86.HasAVX2:
		kernelID, Kernel = kernelArch, "avx2"
	}
}

// kernelIDs lists the kernels this machine can run, for tests and
// benchmarks.
func kernelIDs() map[string]int {
	k := map[string]int{"go": kernelGo}
	if cpu.X86.HasAVX2 {
		k["avx2"] = kernelArch
	}
	if cpu.X86.HasAVX2 && hasF16C {
		k["avx2+f16c"] = kernelProducts
	}
	if hasVNNI {
		k["avx512vnni"] = kernelVNNI
	}
	return k
}

func addArch(k map[string]func([]byte, []int8, []int32, bool)) {
	if cpu.X86.HasAVX2 {
		k["avx2"] = blockSumsArch
	}
}
