//go:build !amd64 && !arm64

package quant

// Kernel names the block kernel in use.
var Kernel = "go"

func addArch(map[string]func([]byte, []int8, []int32, bool)) {}

func blockSumsArch(row []byte, q []int8, sums []int32, q4 bool) { blockSumsGo(row, q, sums, q4) }

func productsArch([]byte, []int8, []float32, []float32, bool) int { return 0 }

func kernelIDs() map[string]int { return map[string]int{"go": kernelGo} }

func kLanesArch([]byte, *KActs, *[8]float32, bool) bool { return false }

func products8Arch([]byte, *Acts8, *[8]float32, bool) bool { return false }

func rows8Arch([]byte, int, *Acts, *[8]float32, bool) bool { return false }

func hasQ4BatchArch() bool { return false }

func rows16x2Arch([]byte, int, *Acts16, *[32]float32) bool { return false }

func rows8x4Arch([]byte, int, *Acts8, int, *[32]float32) bool { return false }
