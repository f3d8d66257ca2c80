package quant

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"sort"
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

// Every kernel's dot products are bit-identical to pure Go's (the
// scales applied and the blocks summed in llama.cpp's order), for block
// counts that are and are not multiples of the kernels' widths, extremes
// included.
func TestDotsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	ids := kernelIDs()
	defer func(old int) { kernelID = old }(kernelID)
	for trial := 0; trial < 400; trial++ {
		nb := 1 + rng.IntN(3*blockBatch)
		x := make([]float32, nb*QK)
		for i := range x {
			x[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(5)-2)))
		}
		a := NewActs(len(x))
		a.Quantize(x)
		for _, q4 := range []bool{false, true} {
			size := Q8_0Size
			if q4 {
				size = Q4_0Size
			}
			row := make([]byte, nb*size)
			for i := range row {
				row[i] = byte(rng.Uint32())
				if trial%9 == 0 && i%size >= 2 {
					row[i] = []byte{0x80, 0x7f, 0x88, 0x00}[i%4]
				}
			}
			for b := 0; b < nb; b++ { // finite half scales, some subnormal
				h := uint16(rng.Uint32()) &^ 0x7c00
				if trial%3 != 0 {
					h |= uint16(1+rng.IntN(30)) << 10
				}
				binary.LittleEndian.PutUint16(row[b*size:], h)
			}
			kernelID = kernelGo
			want := dotBlocks(row, a, q4)
			for name, id := range ids {
				kernelID = id
				if got := dotBlocks(row, a, q4); math.Float32bits(got) != math.Float32bits(want) {
					t.Fatalf("%s q4=%v, %d blocks: %v, pure Go %v", name, q4, nb, got, want)
				}
			}
		}
	}
}

// BenchmarkDotQ4_0: one 2048-wide row times one token's activations, with
// every kernel this CPU runs.
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
	for name, id := range kernelIDs() {
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

// randActs is nb blocks of random activations (spread over five orders of
// magnitude) quantized; extremes makes them ±127, -1 and 0 instead.
func randActs(rng *rand.Rand, nb int, extremes bool) *Acts {
	x := make([]float32, nb*QK)
	for j := range x {
		x[j] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(5)-2)))
	}
	a := NewActs(len(x))
	a.Quantize(x)
	if extremes {
		for j := range a.Q {
			a.Q[j] = []int8{-127, 127, -1, 0}[j%4]
		}
	}
	return a
}

// randRows fills n rows of nb blocks of the given size, stride bytes
// apart, with any bytes; finite keeps the blocks' scales finite.
func randRows(rng *rand.Rand, n, nb, size, stride int, finite bool) []byte {
	rows := make([]byte, (n-1)*stride+nb*size)
	for i := range rows {
		rows[i] = byte(rng.Uint32())
	}
	if finite {
		for r := 0; r < n; r++ {
			for b := 0; b < nb; b++ {
				rows[r*stride+b*size+1] &= 0x3b
			}
		}
	}
	return rows
}

type namedKernel struct {
	name string
	id   int
}

// eightKernels are the kernels this machine runs that have the product
// probe reports (the eight-token or the eight-row one), in a fixed order;
// none skips the test.
func eightKernels(t *testing.T, probe func() bool) []namedKernel {
	defer func(old int) { kernelID = old }(kernelID)
	var ks []namedKernel
	for name, id := range kernelIDs() {
		if kernelID = id; probe() {
			ks = append(ks, namedKernel{name, id})
		}
	}
	if len(ks) == 0 {
		t.Skipf("no such kernel on this CPU (%s)", Kernel)
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i].id < ks[j].id })
	return ks
}

// sameFloat: bit for bit, or both NaN.
func sameFloat(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b
}

// randTokens is n tokens' random activations of nb blocks; with extreme,
// the fourth token's are at their extremes.
func randTokens(rng *rand.Rand, n, nb int, extreme bool) []*Acts {
	acts := make([]*Acts, n)
	for i := range acts {
		acts[i] = randActs(rng, nb, extreme && i == 3)
	}
	return acts
}

// The eight-token kernel gives each token bit for bit its one-token
// product (pure Go), for any block count, hostile weights and activations
// at their extremes.
func TestDot8Agrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 13))
	defer func(old int) { kernelID = old }(kernelID)
	for trial := 0; trial < 300; trial++ {
		nb := 1 + rng.IntN(3*blockBatch)
		acts := randTokens(rng, 8, nb, trial%5 == 0)
		a8 := NewActs8(nb * QK)
		a8.Interleave(acts)
		for _, q4 := range []bool{false, true} {
			size := Q8_0Size
			if q4 {
				size = Q4_0Size
			}
			row := randRows(rng, 1, nb, size, nb*size, trial%7 != 0) // finite scales, mostly
			kernelID = kernelGo
			var want [8]float32
			for tok := range acts {
				want[tok] = dotBlocks(row, acts[tok], q4)
			}
			var got [8]float32
			for _, k := range eightKernels(t, func() bool { return Dot8(row, a8, &got, q4) }) {
				kernelID = k.id
				if !Dot8(row, a8, &got, q4) {
					t.Fatalf("%s: no eight-token product", k.name)
				}
				for tok := range acts {
					if !sameFloat(got[tok], want[tok]) {
						t.Fatalf("%s, q4=%v, %d blocks, token %d: %v, one token in Go %v", k.name, q4, nb, tok, got[tok], want[tok])
					}
				}
			}
		}
	}
}

// The sixteen-token two-row kernel gives each token and row bit for bit
// its one-token product (pure Go), as the eight-token one does.
func TestDot16Rows2Agrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 19))
	defer func(old int) { kernelID = old }(kernelID)
	for trial := 0; trial < 300; trial++ {
		nb := 1 + rng.IntN(3*blockBatch)
		acts := randTokens(rng, 16, nb, trial%5 == 0)
		a16 := NewActs16(nb * QK)
		a16.Interleave(acts)
		stride := nb*Q4_0Size + rng.IntN(3)*Q4_0Size
		rows := randRows(rng, 2, nb, Q4_0Size, stride, trial%7 != 0)
		kernelID = kernelGo
		if Dot16Rows2(rows, stride, a16, new([32]float32)) {
			t.Fatal("the Go kernel claims a sixteen-token product")
		}
		var want [32]float32
		for e := 0; e < 2; e++ {
			for tok := range acts {
				want[16*e+tok] = dotBlocks(rows[e*stride:e*stride+nb*Q4_0Size], acts[tok], true)
			}
		}
		var got [32]float32
		for _, k := range eightKernels(t, func() bool { return Dot16Rows2(rows, stride, a16, &got) }) {
			kernelID = k.id
			if !Dot16Rows2(rows, stride, a16, &got) {
				t.Fatalf("%s: no sixteen-token product", k.name)
			}
			for i := range got {
				if !sameFloat(got[i], want[i]) {
					t.Fatalf("%s, %d blocks, row %d, token %d: %v, one token in Go %v", k.name, nb, i/16, i%16, got[i], want[i])
				}
			}
		}
	}
}

// The eight-row, four-token kernel gives each row and token bit for bit
// its one-token product (pure Go), for both halves of an Acts8.
func TestDotRows8x4Agrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 29))
	defer func(old int) { kernelID = old }(kernelID)
	for trial := 0; trial < 300; trial++ {
		nb := 1 + rng.IntN(3*blockBatch)
		acts := randTokens(rng, 8, nb, trial%5 == 0)
		a8 := NewActs8(nb * QK)
		a8.Interleave(acts)
		stride := nb*Q4_0Size + rng.IntN(3)*Q4_0Size
		rows := randRows(rng, 8, nb, Q4_0Size, stride, trial%7 != 0)
		kernelID = kernelGo
		if DotRows8x4(rows, stride, a8, 0, new([32]float32)) {
			t.Fatal("the Go kernel claims an eight-row, four-token product")
		}
		for _, half := range []int{0, 1} {
			var want [32]float32
			for tok := 0; tok < 4; tok++ {
				for r := 0; r < 8; r++ {
					want[8*tok+r] = dotBlocks(rows[r*stride:r*stride+nb*Q4_0Size], acts[4*half+tok], true)
				}
			}
			var got [32]float32
			for _, k := range eightKernels(t, func() bool { return DotRows8x4(rows, stride, a8, half, &got) }) {
				kernelID = k.id
				if !DotRows8x4(rows, stride, a8, half, &got) {
					t.Fatalf("%s: no eight-row, four-token product", k.name)
				}
				for i := range got {
					if !sameFloat(got[i], want[i]) {
						t.Fatalf("%s, %d blocks, half %d, token %d, row %d: %v, one token in Go %v", k.name, nb, half, i/8, i%8, got[i], want[i])
					}
				}
			}
		}
	}
}

// BenchmarkDotRows8x4: eight 2048-wide Q4_0 rows times four tokens'
// activations, against four one-token eight-row products.
func BenchmarkDotRows8x4(b *testing.B) {
	const n = 2048
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(i%17) - 8
	}
	rb := n / QK * Q4_0Size
	rows := make([]byte, 8*rb)
	for r := 0; r < 8; r++ {
		QuantizeQ4_0(rows[r*rb:(r+1)*rb], x)
	}
	acts := make([]*Acts, 8)
	for i := range acts {
		acts[i] = NewActs(n)
		acts[i].Quantize(x)
	}
	a8 := NewActs8(n)
	a8.Interleave(acts)
	var out [32]float32
	if !DotRows8x4(rows, rb, a8, 0, &out) {
		b.Skip("no eight-row, four-token kernel here")
	}
	var out8 [8]float32
	b.Run("four-tokens", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			DotRows8x4(rows, rb, a8, 0, &out)
		}
	})
	b.Run("one-by-one", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for t := 0; t < 4; t++ {
				DotRows8(rows, rb, acts[t], &out8, true)
			}
		}
	})
}

// BenchmarkDot16Rows2: two 2048-wide Q4_0 rows times sixteen tokens'
// activations, against four eight-token products (ns/op for all of them).
func BenchmarkDot16Rows2(b *testing.B) {
	const n = 2048
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(i%17) - 8
	}
	rows := make([]byte, 2*n/QK*Q4_0Size)
	QuantizeQ4_0(rows[:n/QK*Q4_0Size], x)
	QuantizeQ4_0(rows[n/QK*Q4_0Size:], x)
	acts := make([]*Acts, 16)
	for i := range acts {
		acts[i] = NewActs(n)
		acts[i].Quantize(x)
	}
	a16, a8 := NewActs16(n), NewActs8(n)
	a16.Interleave(acts)
	a8.Interleave(acts)
	if !HasQ4Batch() {
		b.Skip("no sixteen-token kernel here")
	}
	var out [32]float32
	var out8 [8]float32
	b.Run("sixteen-two-rows", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			Dot16Rows2(rows, n/QK*Q4_0Size, a16, &out)
		}
	})
	b.Run("four-eights", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for e := 0; e < 2; e++ {
				Dot8(rows[e*n/QK*Q4_0Size:(e+1)*n/QK*Q4_0Size], a8, &out8, true)
				Dot8(rows[e*n/QK*Q4_0Size:(e+1)*n/QK*Q4_0Size], a8, &out8, true)
			}
		}
	})
}

// BenchmarkDot8: one 2048-wide Q4_0 row times eight tokens' activations,
// against four two-token products (ns/op for all eight).
func BenchmarkDot8(b *testing.B) {
	const n = 2048
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(i%17) - 8
	}
	row := make([]byte, n/QK*Q4_0Size)
	QuantizeQ4_0(row, x)
	acts := make([]*Acts, 8)
	for i := range acts {
		acts[i] = NewActs(n)
		acts[i].Quantize(x)
	}
	a8 := NewActs8(n)
	a8.Interleave(acts)
	var out [8]float32
	b.Run("eight", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			Dot8(row, a8, &out, true)
		}
	})
	b.Run("eight-one-by-one", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for j := range acts {
				out[j] = DotQ4_0(row, acts[j])
			}
		}
	})
}

// The eight-row kernel gives each row bit for bit its one-token product
// (pure Go), for any block count and row stride, hostile weights included.
func TestDotRows8Agrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 19))
	defer func(old int) { kernelID = old }(kernelID)
	for trial := 0; trial < 300; trial++ {
		nb := 1 + rng.IntN(3*blockBatch)
		a := randActs(rng, nb, trial%5 == 0)
		for _, q4 := range []bool{false, true} {
			size := Q8_0Size
			if q4 {
				size = Q4_0Size
			}
			stride := nb*size + rng.IntN(3)*size                     // rows of a wider matrix, or packed
			rows := randRows(rng, 8, nb, size, stride, trial%7 != 0) // finite scales, mostly
			kernelID = kernelGo
			var want [8]float32
			for r := range want {
				want[r] = dotBlocks(rows[r*stride:r*stride+nb*size], a, q4)
			}
			var got [8]float32
			for _, k := range eightKernels(t, func() bool { return DotRows8(rows, stride, a, &got, q4) }) {
				kernelID = k.id
				if !DotRows8(rows, stride, a, &got, q4) {
					t.Fatalf("%s: no eight-row product", k.name)
				}
				for r := range got {
					if !sameFloat(got[r], want[r]) {
						t.Fatalf("%s, q4=%v, %d blocks, row %d: %v, one row in Go %v", k.name, q4, nb, r, got[r], want[r])
					}
				}
			}
		}
	}
}

// BenchmarkDotRows8: eight 2048-wide Q4_0 rows times one token, against
// eight one-row products (ns/op for all eight).
func BenchmarkDotRows8(b *testing.B) {
	const n = 2048
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(i%17) - 8
	}
	size := n / QK * Q4_0Size
	rows := make([]byte, 8*size)
	for r := 0; r < 8; r++ {
		QuantizeQ4_0(rows[r*size:], x)
	}
	a := NewActs(n)
	a.Quantize(x)
	var out [8]float32
	b.Run("eight-rows", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			DotRows8(rows, size, a, &out, true)
		}
	})
	b.Run("one-by-one", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for r := range out {
				out[r] = DotQ4_0(rows[r*size:(r+1)*size], a)
			}
		}
	})
}
