package quant

import "golang.org/x/sys/cpu"

// blockSumsQ8AVX2 and blockSumsQ4AVX2 are blockSums for nb blocks in AVX2
// (blocks_amd64.s); the caller has checked the slices' lengths.
//
//go:noescape
func blockSumsQ8AVX2(row *byte, q *int8, sums *int32, nb int)

//go:noescape
func blockSumsQ4AVX2(row *byte, q *int8, sums *int32, nb int)

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

func init() {
	if cpu.X86.HasAVX2 {
		kernelID, Kernel = kernelArch, "avx2"
	}
}

func addArch(k map[string]func([]byte, []int8, []int32, bool)) {
	if cpu.X86.HasAVX2 {
		k["avx2"] = blockSumsArch
	}
}
