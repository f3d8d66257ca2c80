package quant

import (
	"math/rand/v2"
	"testing"
)

// kernels lists every block kernel this machine can run.
func kernels() map[string]func([]byte, []int8, []int32, bool) {
	k := map[string]func([]byte, []int8, []int32, bool){"go": blockSumsGo}
	addArch(k)
	return k
}

// All kernels give the same integer sums on random blocks, extremes
// included (weights of ±127 and -128: a hostile file's bytes; activations
// of ±127, the range Acts.Quantize produces), for Q8_0 and Q4_0, at every
// batch length.
func TestKernelsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	ks := kernels()
	t.Logf("kernels: %d (in use: %s)", len(ks), Kernel)
	for trial := 0; trial < 300; trial++ {
		nb := 1 + rng.IntN(blockBatch)
		for _, q4 := range []bool{false, true} {
			size := Q8_0Size
			if q4 {
				size = Q4_0Size
			}
			row := make([]byte, nb*size)
			q := make([]int8, nb*QK)
			for i := range row {
				row[i] = byte(rng.Uint32())
				if trial%7 == 0 {
					row[i] = []byte{0x80, 0x7f, 0x81, 0xff}[i%4]
				}
			}
			for i := range q {
				q[i] = int8(rng.IntN(255) - 127)
				if trial%5 == 0 {
					q[i] = []int8{-127, 127, -1, 0}[i%4]
				}
			}
			want := make([]int32, nb)
			blockSumsGo(row, q, want, q4)
			for name, k := range ks {
				got := make([]int32, nb)
				k(row, q, got, q4)
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("%s q4=%v block %d of %d: %d, want %d", name, q4, i, nb, got[i], want[i])
					}
				}
			}
		}
	}
}

func BenchmarkDotQ4_0(b *testing.B) {
	const n = 2048
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(i%17) - 8
	}
	row := make([]byte, n/QK*Q4_0Size)
	QuantizeQ4_0(row, x)
	a := NewActs(n)
	a.Quantize(x)
	for name, id := range map[string]int{"go": kernelGo, Kernel: kernelArch} {
		b.Run(name, func(b *testing.B) {
			old := kernelID
			kernelID = id
			defer func() { kernelID = old }()
			for i := 0; i < b.N; i++ {
				DotQ4_0(row, a)
			}
		})
	}
}
