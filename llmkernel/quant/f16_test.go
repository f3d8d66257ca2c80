package quant

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Every half converts to float32 and back to itself; float32 values round to
// the nearest half, ties to even.
func TestF16(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := F16ToF32(uint16(h))
		if math.IsNaN(float64(f)) {
			continue
		}
		if back := F32ToF16(f); back != uint16(h) {
			t.Fatalf("half %#04x -> %v -> %#04x", h, f, back)
		}
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 200000; i++ {
		f := float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(12)-6)))
		if math.Abs(float64(f)) >= 65520 {
			continue // rounds to Inf, as IEEE says
		}
		r := RoundF16(f)
		// No half lies strictly closer.
		h := F32ToF16(f)
		for _, n := range []uint16{h - 1, h + 1} {
			if g := F16ToF32(n); !math.IsNaN(float64(g)) && math.Abs(float64(g-f)) < math.Abs(float64(r-f)) {
				t.Fatalf("%v rounds to %v, but %v is closer", f, r, g)
			}
		}
	}
	if F32ToF16(1e9) != 0x7c00 || F32ToF16(-1e9) != 0xfc00 || F16ToF32(0x3c00) != 1 {
		t.Error("edge values")
	}
}

// RoundF16s gives RoundF16's bits for every value: all of float32's
// exponents (subnormal halves, overflow to Inf, ties), NaNs anywhere, and
// every length (the SIMD groups of eight and the tail).
func TestRoundF16s(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	for trial := 0; trial < 2000; trial++ {
		x := make([]float32, rng.IntN(40))
		for i := range x {
			switch rng.IntN(10) {
			case 0: // halfway between two halves (exact in float32), or one ulp off
				h := uint16(rng.Uint32())
				mid := (F16ToF32(h) + F16ToF32(h+1)) / 2
				x[i] = math.Float32frombits(math.Float32bits(mid) + uint32(rng.IntN(3)-1))
			case 1:
				x[i] = float32(math.NaN())
			default:
				x[i] = math.Float32frombits(rng.Uint32())
			}
		}
		got := append([]float32(nil), x...)
		RoundF16s(got)
		for i, v := range x {
			want := RoundF16(v)
			if math.Float32bits(got[i]) != math.Float32bits(want) {
				t.Fatalf("%v (%#08x): %v (%#08x), RoundF16 %v (%#08x)", v, math.Float32bits(v), got[i], math.Float32bits(got[i]), want, math.Float32bits(want))
			}
		}
	}
}

// Quantize gives the Go code's bits on every CPU: blocks of every scale
// (tiny to huge, subnormal and overflowing 1/d), values halfway between
// two integers once scaled, zeros, NaN and ±Inf (a hostile file's
// activations), at every length.
func TestQuantizeAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 4))
	for trial := 0; trial < 3000; trial++ {
		nb := 1 + rng.IntN(6)
		x := make([]float32, nb*QK)
		for b := 0; b < nb; b++ {
			scale := math.Pow(2, float64(rng.IntN(300)-150))
			kind := rng.IntN(8)
			for i := b * QK; i < (b+1)*QK; i++ {
				v := float32(rng.NormFloat64() * scale)
				switch {
				case kind == 0 && i%7 == 0: // halfway once scaled: amax 127·s, v (k+½)·s
					v = float32((float64(rng.IntN(254)-127) + 0.5) * scale)
					if i == b*QK {
						v = float32(127 * scale)
					}
				case kind == 1:
					v = 0
				case kind == 2 && i%11 == 3:
					v = []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}[rng.IntN(3)]
				case kind == 3:
					v = math.Float32frombits(rng.Uint32())
				}
				x[i] = v
			}
		}
		got, want := NewActs(len(x)), NewActs(len(x))
		got.Quantize(x)
		for b := 0; b < nb; b++ {
			want.quantizeBlock(x, b)
		}
		for b := range want.D {
			if math.Float32bits(got.D[b]) != math.Float32bits(want.D[b]) && !(got.D[b] != got.D[b] && want.D[b] != want.D[b]) {
				t.Fatalf("block %d scale %v, Go %v", b, got.D[b], want.D[b])
			}
		}
		for i := range want.Q {
			if got.Q[i] != want.Q[i] {
				t.Fatalf("value %d (%v, block scale %v): %d, Go %d", i, x[i], want.D[i/QK], got.Q[i], want.Q[i])
			}
		}
	}
}
