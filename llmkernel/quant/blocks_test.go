package quant

import (
	"encoding/binary"
	"math"
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

// Activations from a model that makes NaN or Inf (a hostile file) stay in
// the kernels' range [-127, 127]; aligned or not, F32 and F16 data read the
// same.
func TestQuantizeAndViewsOnHostileData(t *testing.T) {
	x := make([]float32, QK)
	x[0], x[1], x[2] = float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))
	for i := 3; i < QK; i++ {
		x[i] = float32(i)
	}
	a := NewActs(QK)
	a.Quantize(x)
	for i, q := range a.Q {
		if q < -127 {
			t.Fatalf("q[%d] = %d", i, q)
		}
	}
	b := make([]byte, 4*8+1)
	for i := 0; i < 8; i++ {
		binary.LittleEndian.PutUint32(b[1+4*i:], math.Float32bits(float32(i)+0.5))
	}
	for i, v := range F32s(b[1:]) {
		if v != float32(i)+0.5 {
			t.Fatalf("unaligned F32s[%d] = %v", i, v)
		}
	}
	for i, v := range F16s(b[1:17]) {
		if v != binary.LittleEndian.Uint16(b[1+2*i:]) {
			t.Fatalf("unaligned F16s[%d]", i)
		}
	}
}
