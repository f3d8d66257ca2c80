//go:build !amd64

package quant

func quantizeArch(x []float32, q []int8, d []float32) int { return 0 }
