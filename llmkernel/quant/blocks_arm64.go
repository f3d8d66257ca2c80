package quant

import "golang.org/x/sys/cpu"

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

func products2Arch([]byte, []int8, []int8, []float32, []float32, []float32, []float32, bool) int {
	return 0
}

// kLanesArch: the k-quant products run in Go on arm64.
func kLanesArch([]byte, *KActs, *[8]float32, bool) bool { return false }
