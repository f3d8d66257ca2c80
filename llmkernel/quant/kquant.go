package quant

import (
	"encoding/binary"
	"math"
)

// The k-quant formats (256 values per super-block) that llama.cpp's Q4_K_M
// files use, and that its Q4_0 files use for the output matrix (ollama's
// tinyllama: every weight Q4_0 but output.weight, Q6_K). Products with them
// take activations quantized to Q8_K; everything here follows ggml's
// generic C (the code ollama's module build runs) operation for operation,
// so that results are bit-identical to llama.cpp's — and identical on every
// architecture: each product that feeds a sum is converted to float32 on
// its own, which stops Go from fusing it into a multiply-add (arm64 does).
// Go on arm64 fuses only what is not so converted.

// Super-block sizes.
const (
	QKK      = 256                    // values per k-quant super-block
	Q4_KSize = 2 + 2 + 12 + QKK/2     // d, dmin, 6-bit scales and mins, nibbles
	Q6_KSize = QKK/2 + QKK/4 + 16 + 2 // low nibbles, high 2 bits, int8 scales, d
)

// KActs are activations quantized to Q8_K: per super-block a float scale,
// 256 int8 and the sums of each 16 of them.
type KActs struct {
	Q     []int8
	D     []float32
	BSums []int16
}

// NewKActs allocates activations for n values (n a multiple of QKK).
func NewKActs(n int) *KActs {
	return &KActs{Q: make([]int8, n), D: make([]float32, n/QKK), BSums: make([]int16, n/16)}
}

// nearestInt is ggml's nearest_int: rounding to nearest even through a
// float32 addition (exact for |f| ≤ 2^22).
func nearestInt(f float32) int32 {
	v := f + 12582912
	return int32(math.Float32bits(v)&0x007fffff) - 0x00400000
}

// Quantize sets a to x quantized as ggml's quantize_row_q8_K_ref: the value
// of largest magnitude maps to -127, scale 1/iscale. Non-finite values (a
// hostile model's) give values in [-127, 127], never -128.
func (a *KActs) Quantize(x []float32) {
	for b := 0; b < len(x)/QKK; b++ {
		blk := x[b*QKK : b*QKK+QKK]
		q := a.Q[b*QKK : b*QKK+QKK]
		var mx, amax float32
		for _, v := range blk {
			if av := float32(math.Abs(float64(v))); av > amax {
				amax, mx = av, v
			}
		}
		if amax == 0 {
			a.D[b] = 0
			clear(q)
			clear(a.BSums[b*16 : b*16+16])
			continue
		}
		iscale := -127 / mx
		for i, v := range blk {
			f := float32(iscale * v) // rounded: never fused into nearestInt's add
			switch {
			case f != f:
				q[i] = 0
			case f <= -127:
				q[i] = -127
			case f >= 127:
				q[i] = 127
			default:
				q[i] = int8(nearestInt(f))
			}
		}
		for j := 0; j < 16; j++ {
			var s int16
			for _, v := range q[j*16 : j*16+16] {
				s += int16(v)
			}
			a.BSums[b*16+j] = s
		}
		a.D[b] = 1 / iscale
	}
}

// q6Unpack expands one Q6_K super-block's 6-bit values to int8 in [-32, 31].
func q6Unpack(blk []byte, a *[QKK]int8) {
	ql, qh := blk[:QKK/2], blk[QKK/2:QKK/2+QKK/4]
	for n := 0; n < 2; n++ {
		l4, h, o := ql[n*64:], qh[n*32:], a[n*128:]
		for l := 0; l < 32; l++ {
			o[l] = int8(l4[l]&0xf|(h[l]>>0&3)<<4) - 32
			o[l+32] = int8(l4[l+32]&0xf|(h[l]>>2&3)<<4) - 32
			o[l+64] = int8(l4[l]>>4|(h[l]>>4&3)<<4) - 32
			o[l+96] = int8(l4[l+32]>>4|(h[l]>>6&3)<<4) - 32
		}
	}
}

// q4Scales reads a Q4_K super-block's eight 6-bit scales and mins, as
// ggml's kmask shuffle does.
func q4Scales(blk []byte) (scales, mins [8]uint8) {
	s := blk[4:16]
	u0, u1, u2 := binary.LittleEndian.Uint32(s), binary.LittleEndian.Uint32(s[4:]), binary.LittleEndian.Uint32(s[8:])
	const k1, k2, k3 = 0x3f3f3f3f, 0x0f0f0f0f, 0x03030303
	u3 := (u2>>4)&k2 | ((u1>>6)&k3)<<4
	m0 := u1 & k1
	u1 = u2&k2 | ((u0>>6)&k3)<<4
	u0 &= k1
	binary.LittleEndian.PutUint32(scales[:], u0)
	binary.LittleEndian.PutUint32(scales[4:], u1)
	binary.LittleEndian.PutUint32(mins[:], m0)
	binary.LittleEndian.PutUint32(mins[4:], u3)
	return scales, mins
}

// DotQ6_K is row (Q6_K super-blocks) · a, as ggml_vec_dot_q6_K_q8_K: per
// super-block eight exact integer lanes (value i goes to lane i mod 8),
// each lane's scaled sum kept in its own float across super-blocks, the
// eight summed at the end.
func DotQ6_K(row []byte, a *KActs) float32 {
	var lanes [8]float32
	nb := len(a.D)
	if nb == 0 {
		return 0
	}
	_ = row[nb*Q6_KSize-1]
	if !kLanesArch(row, a, &lanes, true) {
		q6kLanesGo(row, a, &lanes)
	}
	var sum float32
	for _, s := range lanes {
		sum += s
	}
	return sum
}

func q6kLanesGo(row []byte, a *KActs, lanes *[8]float32) {
	var w [QKK]int8
	t := f16table()
	for b := range a.D {
		blk := row[b*Q6_KSize : (b+1)*Q6_KSize]
		q6Unpack(blk, &w)
		q8 := a.Q[b*QKK : b*QKK+QKK]
		var aux [8]int32
		for j := 0; j < QKK/16; j++ {
			sc := int32(int8(blk[QKK/2+QKK/4+j]))
			qa, wa := (*[16]int8)(q8[j*16:]), (*[16]int8)(w[j*16:])
			for l := 0; l < 8; l++ {
				aux[l] += sc * (int32(qa[l])*int32(wa[l]) + int32(qa[l+8])*int32(wa[l+8]))
			}
		}
		addLanes(lanes, t[binary.LittleEndian.Uint16(blk[Q6_KSize-2:])]*a.D[b], &aux)
	}
}

// addLanes adds a super-block's integer lanes times d to lanes, as ggml's
// generic k-quant products do: sums[l] += d*aux32[l].
func addLanes(lanes *[8]float32, d float32, aux *[8]int32) {
	for l := range lanes {
		lanes[l] += float32(d * float32(aux[l])) // rounded: never fused (arm64 would)
	}
}

// DotQ4_K is row (Q4_K super-blocks) · a, as ggml_vec_dot_q4_K_q8_K: the
// mins through the activations' 16-sums, subtracted per super-block from
// one float; the scaled values in eight lanes as DotQ6_K, added last.
func DotQ4_K(row []byte, a *KActs) float32 {
	var lanes [8]float32
	nb := len(a.D)
	if nb == 0 {
		return 0
	}
	_ = row[nb*Q4_KSize-1]
	if !kLanesArch(row, a, &lanes, false) {
		q4kLanesGo(row, a, &lanes)
	}
	var sum float32
	t := f16table()
	for b := range a.D {
		blk := row[b*Q4_KSize : (b+1)*Q4_KSize]
		_, mins := q4Scales(blk)
		var sumi int32
		for j, s := range a.BSums[b*16 : b*16+16] {
			sumi += int32(s) * int32(mins[j/2])
		}
		dmin := t[binary.LittleEndian.Uint16(blk[2:])] * a.D[b]
		sum -= float32(dmin * float32(sumi))
	}
	for _, s := range lanes {
		sum += s
	}
	return sum
}

func q4kLanesGo(row []byte, a *KActs, lanes *[8]float32) {
	t := f16table()
	for b := range a.D {
		blk := row[b*Q4_KSize : (b+1)*Q4_KSize]
		scales, _ := q4Scales(blk)
		q8 := a.Q[b*QKK : b*QKK+QKK]
		var aux [8]int32
		qs := blk[16:]
		for c := 0; c < 4; c++ { // 64 values: 32 low nibbles, 32 high
			lo, hi := int32(scales[2*c]), int32(scales[2*c+1])
			qa, w := (*[64]int8)(q8[c*64:]), (*[32]byte)(qs[c*32:])
			for l := 0; l < 8; l++ {
				var sl, sh int32
				for k := l; k < 32; k += 8 {
					sl += int32(qa[k]) * int32(w[k]&0xf)
					sh += int32(qa[32+k]) * int32(w[k]>>4)
				}
				aux[l] += lo*sl + hi*sh
			}
		}
		addLanes(lanes, t[binary.LittleEndian.Uint16(blk)]*a.D[b], &aux)
	}
}

// DequantizeQ6_K expands Q6_K super-blocks into out (ggml's
// dequantize_row_q6_K: d·scale, then ·value).
func DequantizeQ6_K(out []float32, row []byte) {
	t := f16table()
	var w [QKK]int8
	for b := 0; b < len(out)/QKK; b++ {
		blk := row[b*Q6_KSize : (b+1)*Q6_KSize]
		q6Unpack(blk, &w)
		d := t[binary.LittleEndian.Uint16(blk[Q6_KSize-2:])]
		for i, v := range w {
			out[b*QKK+i] = d * float32(int8(blk[QKK/2+QKK/4+i/16])) * float32(v)
		}
	}
}

// DequantizeQ4_K expands Q4_K super-blocks into out (ggml's
// dequantize_row_q4_K: d·scale·value − dmin·min).
func DequantizeQ4_K(out []float32, row []byte) {
	t := f16table()
	for b := 0; b < len(out)/QKK; b++ {
		blk := row[b*Q4_KSize : (b+1)*Q4_KSize]
		d, dmin := t[binary.LittleEndian.Uint16(blk)], t[binary.LittleEndian.Uint16(blk[2:])]
		scales, mins := q4Scales(blk)
		qs, o := blk[16:], out[b*QKK:]
		for c := 0; c < 4; c++ {
			d1, m1 := d*float32(scales[2*c]), dmin*float32(mins[2*c])
			d2, m2 := d*float32(scales[2*c+1]), dmin*float32(mins[2*c+1])
			for l := 0; l < 32; l++ {
				o[c*64+l] = float32(d1*float32(qs[c*32+l]&0xf)) - m1
				o[c*64+32+l] = float32(d2*float32(qs[c*32+l]>>4)) - m2
			}
		}
	}
}

// QuantizeQ6_K writes x as Q6_K super-blocks: a plain quantizer for
// writing test models (not llama.cpp's search for the best scales; any
// valid bytes define a model, and the engine must compute with them as
// llama.cpp does).
func QuantizeQ6_K(dst []byte, x []float32) {
	for b := 0; b < len(x)/QKK; b++ {
		blk, o := x[b*QKK:(b+1)*QKK], dst[b*Q6_KSize:(b+1)*Q6_KSize]
		var gs [16]float32
		var top float32
		for j := range gs {
			for _, v := range blk[j*16 : j*16+16] {
				gs[j] = max(gs[j], float32(math.Abs(float64(v)))/31)
			}
			top = max(top, gs[j])
		}
		h := F32ToF16(top / 127)
		d := F16ToF32(h)
		binary.LittleEndian.PutUint16(o[Q6_KSize-2:], h)
		var L [QKK]uint8
		for j := range gs {
			var sc int8
			if d != 0 {
				sc = int8(min(127, math.Round(float64(gs[j]/d))))
			}
			o[QKK/2+QKK/4+j] = byte(sc)
			for i := j * 16; i < j*16+16; i++ {
				var q float64
				if s := d * float32(sc); s != 0 {
					q = math.Round(float64(blk[i] / s))
				}
				L[i] = uint8(min(31, max(-32, q)) + 32)
			}
		}
		ql, qh := o[:QKK/2], o[QKK/2:QKK/2+QKK/4]
		clear(qh)
		for n := 0; n < 2; n++ {
			for l := 0; l < 32; l++ {
				q1, q2, q3, q4 := L[n*128+l], L[n*128+l+32], L[n*128+l+64], L[n*128+l+96]
				ql[n*64+l] = q1&0xf | (q3&0xf)<<4
				ql[n*64+l+32] = q2&0xf | (q4&0xf)<<4
				qh[n*32+l] = q1>>4 | (q2>>4)<<2 | (q3>>4)<<4 | (q4>>4)<<6
			}
		}
	}
}

// QuantizeQ4_K writes x as Q4_K super-blocks (a plain quantizer for test
// models, as QuantizeQ6_K): per 32 values a 6-bit scale and min.
func QuantizeQ4_K(dst []byte, x []float32) {
	for b := 0; b < len(x)/QKK; b++ {
		blk, o := x[b*QKK:(b+1)*QKK], dst[b*Q4_KSize:(b+1)*Q4_KSize]
		var scale, mn [8]float32
		var topS, topM float32
		for j := range scale {
			lo, hi := float32(0), float32(0)
			for _, v := range blk[j*32 : j*32+32] {
				lo, hi = min(lo, v), max(hi, v)
			}
			scale[j], mn[j] = (hi-lo)/15, -lo
			topS, topM = max(topS, scale[j]), max(topM, mn[j])
		}
		hd, hm := F32ToF16(topS/63), F32ToF16(topM/63)
		d, dmin := F16ToF32(hd), F16ToF32(hm)
		binary.LittleEndian.PutUint16(o, hd)
		binary.LittleEndian.PutUint16(o[2:], hm)
		var sc, m [8]uint8
		for j := range sc {
			if d != 0 {
				sc[j] = uint8(min(63, math.Round(float64(scale[j]/d))))
			}
			if dmin != 0 {
				m[j] = uint8(min(63, math.Round(float64(mn[j]/dmin))))
			}
		}
		s := o[4:16]
		for j := 0; j < 4; j++ {
			s[j] = sc[j] | (sc[j+4]>>4)<<6
			s[j+4] = m[j] | (m[j+4]>>4)<<6
			s[j+8] = sc[j+4]&0xf | (m[j+4]&0xf)<<4
		}
		qs := o[16:]
		for c := 0; c < 4; c++ {
			var L [64]uint8
			for h := 0; h < 2; h++ {
				j := 2*c + h
				step := d * float32(sc[j])
				for l := 0; l < 32; l++ {
					var q float64
					if step != 0 {
						q = math.Round(float64((blk[c*64+h*32+l] + float32(dmin*float32(m[j]))) / step))
					}
					L[h*32+l] = uint8(min(15, max(0, q)))
				}
			}
			for l := 0; l < 32; l++ {
				qs[c*32+l] = L[l] | L[32+l]<<4
			}
		}
	}
}
