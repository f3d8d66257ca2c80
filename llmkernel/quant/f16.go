package quant

import (
	"math"
	"sync"
)

// f16table returns every half's float32 value: computed on first use,
// read-only after. Not at init: runsc-ai's command, gofer and sandbox
// processes are this binary and none of them runs a model, so a 256 KiB
// table built at every start would be paid three times per container.
var f16table = sync.OnceValue(func() *[1 << 16]float32 {
	t := new([1 << 16]float32)
	for h := range t {
		t[h] = F16ToF32(uint16(h))
	}
	return t
})

// F16ToF32 converts an IEEE half (as its bits) to float32 exactly.
func F16ToF32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: normalise
		e := uint32(127 - 15 + 1)
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		mant &= 0x3ff
		return math.Float32frombits(sign | e<<23 | mant<<13)
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// F32ToF16 rounds to the nearest half, ties to even (as F16C's
// _cvtss_sh(x, 0) and ggml's software fallback do).
func F32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff { // Inf or NaN
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e <= 0 {
		if e < -10 {
			return sign
		}
		mant |= 0x800000
		shift := uint32(14 - e)
		half := uint32(1) << (shift - 1)
		rest := mant & (1<<shift - 1)
		m := mant >> shift
		if rest > half || rest == half && m&1 == 1 {
			m++
		}
		return sign | uint16(m)
	}
	m := mant >> 13
	rest := mant & 0x1fff
	h := uint32(e)<<10 | m
	if rest > 0x1000 || rest == 0x1000 && m&1 == 1 {
		h++ // may carry into the exponent: still correct, up to Inf
	}
	return sign | uint16(h)
}

// RoundF16 is f rounded through half precision.
func RoundF16(f float32) float32 { return F16ToF32(F32ToF16(f)) }

// RoundF16s sets each x[i] to RoundF16(x[i]), in SIMD where the CPU has
// it (the same bits: IEEE rounding to nearest, ties to even, subnormal
// halves included; a NaN goes through RoundF16).
func RoundF16s(x []float32) {
	for len(x) > 0 {
		x = x[roundF16sArch(x):]
		if len(x) > 0 {
			x[0] = RoundF16(x[0])
			x = x[1:]
		}
	}
}
