package quant

import (
	"encoding/binary"

	"golang.org/x/sys/cpu"
)

//go:noescape
func blockSumsQ8NEON(row *byte, q *int8, sums *int32, nb int)

//go:noescape
func blockSumsQ4NEON(row *byte, q *int8, sums *int32, nb int)

func blockSumsArch(row []byte, q []int8, sums []int32, q4 bool) {
	if len(sums) == 0 {
		return
	}
	if q4 {
		_, _ = row[len(sums)*Q4_0Size-1], q[len(sums)*QK-1]
		blockSumsQ4NEON(&row[0], &q[0], &sums[0], len(sums))
		return
	}
	_, _ = row[len(sums)*Q8_0Size-1], q[len(sums)*QK-1]
	blockSumsQ8NEON(&row[0], &q[0], &sums[0], len(sums))
}

// Kernel names the block kernel in use, for status and benchmarks.
var Kernel = "go"

func init() {
	if cpu.ARM64.HasASIMD {
		kernelID, Kernel = kernelArch, "neon"
	}
}

func addArch(k map[string]func([]byte, []int8, []int32, bool)) {
	if cpu.ARM64.HasASIMD {
		k["neon"] = blockSumsArch
	}
}

// productsArch: the NEON kernel computes block sums only (blockSumsArch).
func productsArch([]byte, []int8, []float32, []float32, bool) int { return 0 }

// kernelIDs lists the kernels this machine can run, for tests and
// benchmarks.
func kernelIDs() map[string]int {
	k := map[string]int{"go": kernelGo}
	if cpu.ARM64.HasASIMD {
		k["neon"] = kernelArch
	}
	return k
}

// q6kAuxNEON writes nb ≥ 1 Q6_K super-blocks' integer lanes to aux
// (8 per super-block; kquant_arm64.s).
//
//go:noescape
func q6kAuxNEON(row *byte, q *int8, aux *int32, nb int)

// kLanesArch computes Q6_K lanes with NEON integer sums, the scales
// applied in Go as q6kLanesGo does; Q4_K runs in Go.
func kLanesArch(row []byte, a *KActs, lanes *[8]float32, q6 bool) bool {
	nb := len(a.D)
	if kernelID < kernelArch || !q6 || nb == 0 {
		return false
	}
	_ = a.Q[nb*QKK-1]
	var aux [32 * 8]int32
	t := f16table()
	for b0 := 0; b0 < nb; b0 += 32 {
		n := min(32, nb-b0)
		q6kAuxNEON(&row[b0*Q6_KSize], &a.Q[b0*QKK], &aux[0], n)
		for i := 0; i < n; i++ {
			b := b0 + i
			addLanes(lanes, t[binary.LittleEndian.Uint16(row[(b+1)*Q6_KSize-2:])]*a.D[b], (*[8]int32)(aux[i*8:]))
		}
	}
	return true
}

func products8Arch([]byte, *Acts8, *[8]float32, bool) bool { return false }

// productsQ4r8NEON and productsQ8r8NEON: eight consecutive rows (stride
// bytes apart) times one token's activations, nb ≥ 1 blocks
// (blocks_arm64.s).
//
//go:noescape
func productsQ4r8NEON(row *byte, stride int, q *int8, dy *float32, out *float32, nb int)

//go:noescape
func productsQ8r8NEON(row *byte, stride int, q *int8, dy *float32, out *float32, nb int)

func rows8Arch(rows []byte, stride int, a *Acts, out *[8]float32, q4 bool) bool {
	if kernelID < kernelArch || len(a.D) == 0 {
		return false
	}
	nb := rows8Blocks(rows, stride, a, q4)
	if q4 {
		productsQ4r8NEON(&rows[0], stride, &a.Q[0], &a.D[0], &out[0], nb)
	} else {
		productsQ8r8NEON(&rows[0], stride, &a.Q[0], &a.D[0], &out[0], nb)
	}
	return true
}

func hasQ4BatchArch() bool { return false }

func rows16x2Arch([]byte, int, *Acts16, *[32]float32) bool { return false }

func rows8x4Arch([]byte, int, *Acts8, int, *[32]float32) bool { return false }
