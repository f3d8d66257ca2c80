// Package quant holds GGML's tensor block formats as the in-process engine
// computes with them: half floats, Q8_0 and Q4_0 blocks and the Q4_K and
// Q6_K super-blocks (kquant.go) (and F32/F16 rows), quantizing activations
// to Q8_0 or Q8_K the way llama.cpp's CPU backend does before a quantized
// matrix-vector product, and the dot products between a
// weight row and such activations. Every function here has a pure-Go
// version; the dot products are where assembly (AVX2, NEON) goes, tested
// against these.
package quant

import (
	"encoding/binary"
	"math"
	"unsafe"
)

// Block sizes.
const (
	QK       = 32     // elements per Q8_0 / Q4_0 block
	Q8_0Size = 2 + 32 // bytes per Q8_0 block: half scale, 32 int8
	Q4_0Size = 2 + 16 // bytes per Q4_0 block: half scale, 32 nibbles
)

// Acts are activations quantized to Q8_0 for a dot product with quantized
// rows: one scale (a half, widened) per block of 32 int8.
type Acts struct {
	Q []int8
	D []float32
}

// NewActs allocates activations for n values (n a multiple of QK).
func NewActs(n int) *Acts { return &Acts{Q: make([]int8, n), D: make([]float32, n/QK)} }

// Quantize sets a to x quantized to Q8_0 as ggml's generic
// quantize_row_q8_0 (the code ollama's module build runs: it compiles ggml
// without AVX): scale amax/127 stored as a half, values x·(1/scale) rounded
// half away from zero.
func (a *Acts) Quantize(x []float32) {
	nb := len(x) / QK
	for b := 0; b < nb; b++ {
		// SIMD where the CPU has it (the same bits), up to a block it
		// leaves to this code (Inf, NaN, 1/d overflowing).
		if b += quantizeArch(x[b*QK:nb*QK], a.Q[b*QK:nb*QK], a.D[b:nb]); b == nb {
			return
		}
		a.quantizeBlock(x, b)
	}
}

// quantizeBlock quantizes block b of x.
func (a *Acts) quantizeBlock(x []float32, b int) {
	blk := x[b*QK : b*QK+QK]
	var amax float32
	for _, v := range blk {
		amax = max(amax, float32(math.Abs(float64(v))))
	}
	d := amax / 127
	a.D[b] = F16ToF32(F32ToF16(d))
	var id float32
	if d != 0 {
		id = 1 / d
	}
	q := a.Q[b*QK : b*QK+QK]
	for i, v := range blk {
		// Finite activations land in [-127, 127]; a model that makes
		// NaN or Inf (a hostile file) gets 0 or ±127, never -128.
		r := math.Round(float64(v * id))
		switch {
		case r != r: // NaN
			r = 0
		case r < -127:
			r = -127
		case r > 127:
			r = 127
		}
		q[i] = int8(r)
	}
}

// QuantizeQ8_0 writes x (len a multiple of QK) as Q8_0 blocks into dst
// (len(x)/QK*Q8_0Size bytes): the file format, for writing models.
func QuantizeQ8_0(dst []byte, x []float32) {
	a := NewActs(len(x))
	a.Quantize(x)
	for b := range a.D {
		o := dst[b*Q8_0Size:]
		binary.LittleEndian.PutUint16(o, F32ToF16(a.D[b]))
		for i := 0; i < QK; i++ {
			o[2+i] = byte(a.Q[b*QK+i])
		}
	}
}

// QuantizeQ4_0 writes x as Q4_0 blocks (ggml's reference quantizer: the
// value of largest magnitude maps to -8).
func QuantizeQ4_0(dst []byte, x []float32) {
	for b := 0; b < len(x)/QK; b++ {
		blk := x[b*QK : b*QK+QK]
		var amax, mx float32
		for _, v := range blk {
			if a := float32(math.Abs(float64(v))); a > amax {
				amax, mx = a, v
			}
		}
		d := mx / -8
		var id float32
		if d != 0 {
			id = 1 / d
		}
		o := dst[b*Q4_0Size:]
		binary.LittleEndian.PutUint16(o, F32ToF16(d))
		for j := 0; j < QK/2; j++ {
			x0 := min(15, int8(blk[j]*id+8.5))
			x1 := min(15, int8(blk[j+QK/2]*id+8.5))
			o[2+j] = byte(x0) | byte(x1)<<4
		}
	}
}

// DotF16 is row (halves) · x, x already rounded to half precision (ggml
// converts the activations to F16 for F16 weights); products in float32,
// summed in float64 as ggml's generic ggml_vec_dot_f16.
func DotF16(row []uint16, x []float32) float32 {
	var sum float64
	row = row[:len(x)]
	t := f16table()
	for i, h := range row {
		sum += float64(t[h] * x[i])
	}
	return float32(sum)
}

// DotF32 is row (float32s) · x, summed in float64 as ggml's generic
// ggml_vec_dot_f32.
func DotF32(row, x []float32) float32 {
	var sum float64
	row = row[:len(x)]
	for i, w := range row {
		sum += float64(w * x[i])
	}
	return float32(sum)
}

// F32s views little-endian float32 data (a mapped tensor) as []float32
// without copying (amd64 and arm64 are little-endian); data that is not
// 4-byte aligned (a file may declare an alignment of 1) is copied.
func F32s(b []byte) []float32 {
	if len(b) < 4 {
		return nil
	}
	if uintptr(unsafe.Pointer(&b[0]))%4 != 0 {
		out := make([]float32, len(b)/4)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		return out
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/4)
}

// F16s views half-float data as []uint16 without copying (or copies data
// that is not 2-byte aligned).
func F16s(b []byte) []uint16 {
	if len(b) < 2 {
		return nil
	}
	if uintptr(unsafe.Pointer(&b[0]))%2 != 0 {
		out := make([]uint16, len(b)/2)
		for i := range out {
			out[i] = binary.LittleEndian.Uint16(b[2*i:])
		}
		return out
	}
	return unsafe.Slice((*uint16)(unsafe.Pointer(&b[0])), len(b)/2)
}

// DequantizeQ8_0 expands Q8_0 blocks into out.
func DequantizeQ8_0(out []float32, row []byte) {
	t := f16table()
	for b := 0; b < len(out)/QK; b++ {
		blk := row[b*Q8_0Size:]
		d := t[binary.LittleEndian.Uint16(blk)]
		for i := 0; i < QK; i++ {
			out[b*QK+i] = float32(int8(blk[2+i])) * d
		}
	}
}

// DequantizeQ4_0 expands Q4_0 blocks into out.
func DequantizeQ4_0(out []float32, row []byte) {
	t := f16table()
	for b := 0; b < len(out)/QK; b++ {
		blk := row[b*Q4_0Size:]
		d := t[binary.LittleEndian.Uint16(blk)]
		for j := 0; j < QK/2; j++ {
			out[b*QK+j] = float32(int32(blk[2+j]&0xf)-8) * d
			out[b*QK+j+QK/2] = float32(int32(blk[2+j]>>4)-8) * d
		}
	}
}
