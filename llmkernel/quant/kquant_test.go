package quant

import (
	"math"
	"math/rand/v2"
	"testing"
)

// kformat is one k-quant format: its writer, reader and product.
type kformat struct {
	name     string
	size     int
	quantize func([]byte, []float32)
	dequant  func([]float32, []byte)
	dot      func([]byte, *KActs) float32
	tol      float64 // round-trip error allowed, relative to the block's range
}

var kformats = []kformat{
	{"Q4_K", Q4_KSize, QuantizeQ4_K, DequantizeQ4_K, DotQ4_K, 0.08},
	{"Q6_K", Q6_KSize, QuantizeQ6_K, DequantizeQ6_K, DotQ6_K, 0.04},
}

func randVec(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	scale := math.Pow(10, float64(rng.IntN(5)-2))
	for i := range x {
		x[i] = float32(rng.NormFloat64() * scale)
	}
	return x
}

// The writers and readers agree: a quantized row reads back within the
// format's precision, and a row of zeros reads back as zeros.
func TestKQuantRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, f := range kformats {
		for trial := 0; trial < 50; trial++ {
			n := QKK * (1 + rng.IntN(4))
			x := randVec(rng, n)
			if trial == 0 {
				clear(x)
			}
			row := make([]byte, n/QKK*f.size)
			f.quantize(row, x)
			y := make([]float32, n)
			f.dequant(y, row)
			var span, worst float64
			for i := range x {
				span = max(span, math.Abs(float64(x[i])))
				worst = max(worst, math.Abs(float64(x[i]-y[i])))
			}
			if worst > f.tol*span || (span == 0 && worst != 0) {
				t.Fatalf("%s trial %d: round trip off by %g of a range of %g", f.name, trial, worst, span)
			}
		}
	}
}

// Q8_K activations: the value of largest magnitude maps to -127, the
// 16-sums are the sums, the scale reads the values back; zeros stay zero;
// NaN and Inf (a hostile model's) stay in [-127, 127].
func TestKActsQuantize(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := randVec(rng, 2*QKK)
	clear(x[QKK:])
	a := NewKActs(len(x))
	a.Quantize(x)
	top := 0
	for i := 0; i < QKK; i++ {
		if math.Abs(float64(x[i])) > math.Abs(float64(x[top])) {
			top = i
		}
	}
	if a.Q[top] != -127 {
		t.Fatalf("largest value quantized to %d, want -127", a.Q[top])
	}
	for i := 0; i < QKK; i++ {
		if d := math.Abs(float64(a.D[0]*float32(a.Q[i]) - x[i])); d > math.Abs(float64(a.D[0]))*0.5001 {
			t.Fatalf("value %d: %v reads back as %v", i, x[i], a.D[0]*float32(a.Q[i]))
		}
	}
	for j := 0; j < 2*QKK/16; j++ {
		var s int
		for _, v := range a.Q[j*16 : j*16+16] {
			s += int(v)
		}
		if int(a.BSums[j]) != s {
			t.Fatalf("bsum %d = %d, want %d", j, a.BSums[j], s)
		}
	}
	if a.D[1] != 0 || a.Q[QKK] != 0 {
		t.Fatal("a zero block is not zero")
	}
	x[0], x[1], x[2] = float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))
	a.Quantize(x)
	for i, q := range a.Q {
		if q < -127 {
			t.Fatalf("q[%d] = %d", i, q)
		}
	}
}

// The products equal the dequantized rows times the dequantized
// activations (up to float rounding), on random rows of every length, and
// any bytes (a hostile file's) give a number, never a panic.
func TestKQuantDots(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, f := range kformats {
		for trial := 0; trial < 100; trial++ {
			n := QKK * (1 + rng.IntN(8))
			row := make([]byte, n/QKK*f.size)
			f.quantize(row, randVec(rng, n))
			if trial%10 == 9 {
				for i := range row {
					row[i] = byte(rng.Uint32())
				}
				for b := 0; b < n/QKK; b++ { // finite scales
					off := b * f.size
					if f.name == "Q6_K" {
						off += f.size - 2
					}
					row[off+1] &= 0x3b
					if f.name == "Q4_K" {
						row[off+3] &= 0x3b
					}
				}
			}
			a := NewKActs(n)
			a.Quantize(randVec(rng, n))
			w := make([]float32, n)
			f.dequant(w, row)
			var want, mag float64
			for i := range w {
				v := float64(w[i]) * float64(a.D[i/QKK]*float32(a.Q[i]))
				want += v
				mag += math.Abs(v)
			}
			got := f.dot(row, a)
			if math.Abs(float64(got)-want) > 1e-5*mag+1e-30 {
				t.Fatalf("%s trial %d (%d values): %v, want %v (magnitude %g)", f.name, trial, n, got, want, mag)
			}
		}
	}
}

// Every kernel's k-quant products are bit-identical to pure Go's, on
// random rows of every length and on any bytes (a hostile file's: NaN and
// infinite scales included), with activations at their extremes.
func TestKQuantKernelsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	ids := kernelIDs()
	defer func(old int) { kernelID = old }(kernelID)
	same := func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b }
	for trial := 0; trial < 400; trial++ {
		n := QKK * (1 + rng.IntN(12))
		a := NewKActs(n)
		a.Quantize(randVec(rng, n))
		if trial%5 == 0 {
			for i := range a.Q {
				a.Q[i] = []int8{-127, 127, -1, 0}[i%4]
			}
		}
		for _, f := range kformats {
			row := make([]byte, n/QKK*f.size)
			f.quantize(row, randVec(rng, n))
			if trial%3 == 0 {
				for i := range row {
					row[i] = byte(rng.Uint32())
				}
			}
			kernelID = kernelGo
			want := f.dot(row, a)
			for name, id := range ids {
				kernelID = id
				if got := f.dot(row, a); !same(got, want) {
					t.Fatalf("%s %s, %d super-blocks: %v (%#x), pure Go %v (%#x)", name, f.name, n/QKK, got, math.Float32bits(got), want, math.Float32bits(want))
				}
			}
		}
	}
	t.Logf("kernels: %d (in use: %s)", len(ids), Kernel)
}

// BenchmarkKQuantDot: one 2048-wide row times one token's Q8_K activations.
func BenchmarkKQuantDot(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	const n = 2048
	a := NewKActs(n)
	a.Quantize(randVec(rng, n))
	for _, f := range kformats {
		row := make([]byte, n/QKK*f.size)
		f.quantize(row, randVec(rng, n))
		for name, id := range kernelIDs() {
			b.Run(f.name+"/"+name, func(b *testing.B) {
				defer func(old int) { kernelID = old }(kernelID)
				kernelID = id
				for i := 0; i < b.N; i++ {
					f.dot(row, a)
				}
			})
		}
	}
}
