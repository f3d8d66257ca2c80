//go:build !amd64

package quant

// Kernel names the block kernel in use (NEON is still to come on arm64).
var Kernel = "go"

func addArch(map[string]func([]byte, []int8, []int32, bool)) {}
