//go:build !amd64 && !arm64

package quant

// Kernel names the block kernel in use.
var Kernel = "go"

func addArch(map[string]func([]byte, []int8, []int32, bool)) {}

func blockSumsArch(row []byte, q []int8, sums []int32, q4 bool) { blockSumsGo(row, q, sums, q4) }
