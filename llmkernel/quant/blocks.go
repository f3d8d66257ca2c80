package quant

import "encoding/binary"

// blockBatch is how many blocks' integer sums a kernel call computes.
const blockBatch = 64

// blockSums computes, for nb Q8_0 (q4 false) or Q4_0 (q4 true) blocks of
// row, the exact integer dot product of each block with the matching 32
// activations, which must be in [-127, 127] (Acts.Quantize's range; the
// AVX2 kernel negates them). Weights may be any byte. Integer sums are exact in any order, so every kernel
// (assembly or this Go) gives the same values; the scales are applied in
// Go, in llama.cpp's order.
//
// The kernel is chosen by kernelID (set at init from the CPU's features)
// and called directly: an indirect call would move every caller's sums
// buffer to the heap.
func blockSums(row []byte, q []int8, sums []int32, q4 bool) {
	if kernelID >= kernelArch {
		blockSumsArch(row, q, sums, q4)
		return
	}
	blockSumsGo(row, q, sums, q4)
}

// Kernels, each doing more of the work than the one before.
const (
	kernelGo       = iota // pure Go
	kernelArch            // block sums in SIMD (AVX2, NEON); scales in Go
	kernelProducts        // whole products in SIMD (AVX2 + F16C)
	kernelVNNI            // and Q4_0's eight-token and eight-row products in AVX-512 VNNI
)

// kernelID is the kernel in use: set once at init, read-only after.
var kernelID = kernelGo

func blockSumsGo(row []byte, q []int8, sums []int32, q4 bool) {
	if q4 {
		for b := range sums {
			blk := row[b*Q4_0Size+2 : b*Q4_0Size+Q4_0Size]
			qs := q[b*QK : b*QK+QK]
			var s0, s1 int32
			for j := 0; j < QK/2; j++ {
				s0 += (int32(blk[j]&0xf) - 8) * int32(qs[j])
				s1 += (int32(blk[j]>>4) - 8) * int32(qs[j+QK/2])
			}
			sums[b] = s0 + s1
		}
		return
	}
	for b := range sums {
		blk := row[b*Q8_0Size+2 : b*Q8_0Size+Q8_0Size]
		qs := q[b*QK : b*QK+QK]
		var s int32
		for i := 0; i < QK; i++ {
			s += int32(int8(blk[i])) * int32(qs[i])
		}
		sums[b] = s
	}
}

// DotQ8_0 is row (Q8_0 blocks) · a.
func DotQ8_0(row []byte, a *Acts) float32 { return dotBlocks(row, a, false) }

// DotQ4_0 is row (Q4_0 blocks) · a.
func DotQ4_0(row []byte, a *Acts) float32 { return dotBlocks(row, a, true) }

// dotBlocks sums the blocks' integer dot products times their scales, in
// order, as ggml does: sumi*(dx*dy) for Q8_0, sumi*dx*dy (left to right)
// for Q4_0 — the grouping changes the float result, and the engine must
// round as llama.cpp does. Each block's product is rounded to float32 on
// its own before the sum (never fused into it).
func dotBlocks(row []byte, a *Acts, q4 bool) float32 {
	size := Q8_0Size
	if q4 {
		size = Q4_0Size
	}
	nb := len(a.D)
	_ = row[nb*size-1]
	var prods [blockBatch]float32
	var sum float32
	for b0 := 0; b0 < nb; b0 += blockBatch {
		n := min(blockBatch, nb-b0)
		products(row[b0*size:(b0+n)*size], a.Q[b0*QK:(b0+n)*QK], a.D[b0:b0+n], prods[:n], q4)
		for _, p := range prods[:n] {
			sum += p
		}
	}
	return sum
}

// products sets out[i] to block i's scaled product with its activations
// (len(out) ≤ blockBatch blocks).
func products(row []byte, q []int8, dy, out []float32, q4 bool) {
	done := 0
	if kernelID >= kernelProducts {
		done = productsArch(row, q, dy, out, q4)
	}
	if done == len(out) {
		return
	}
	size := Q8_0Size
	if q4 {
		size = Q4_0Size
	}
	var sums [blockBatch]int32
	n := len(out) - done
	blockSums(row[done*size:], q[done*QK:], sums[:n], q4)
	t := f16table()
	for i := 0; i < n; i++ {
		b := done + i
		d := t[binary.LittleEndian.Uint16(row[b*size:])]
		if q4 {
			out[b] = float32(float32(sums[i]) * d * dy[b])
		} else {
			out[b] = float32(float32(sums[i]) * (d * dy[b]))
		}
	}
}

// Acts8 are eight tokens' Q8_0 activations interleaved by block (block b of
// token t at Q[(8b+t)·QK:], its scale at D[8b+t]): what the eight-token
// kernel reads, each weight block once for all eight.
type Acts8 struct {
	Q []int8
	D []float32
	// S[8b+t] is eight times the sum of token t's block b of Q: what a
	// kernel that reads Q4_0's weights (nibble − 8) as their unsigned
	// nibbles subtracts from each block's sum.
	S []int32
}

// NewActs8 allocates interleaved activations for n values per token.
func NewActs8(n int) *Acts8 {
	return &Acts8{Q: make([]int8, 8*n), D: make([]float32, 8*n/QK), S: make([]int32, 8*n/QK)}
}

// Interleave sets a from eight tokens' activations of equal length.
func (a *Acts8) Interleave(acts []*Acts) {
	nb := len(acts[0].D)
	for t, x := range acts[:8] {
		for b := 0; b < nb; b++ {
			q := x.Q[b*QK : (b+1)*QK]
			copy(a.Q[(8*b+t)*QK:(8*b+t+1)*QK], q)
			a.D[8*b+t] = x.D[b]
			var sum int32
			for _, v := range q {
				sum += int32(v)
			}
			a.S[8*b+t] = 8 * sum
		}
	}
}

// Dot8 sets out[t] to row (Q8_0, or Q4_0 if q4) · token t's activations,
// bit-identical to DotQ8_0/DotQ4_0 for each token (each token's blocks
// summed in order, as llama.cpp does). It reports false, doing nothing,
// where no eight-token kernel runs: the caller then uses those.
func Dot8(row []byte, a *Acts8, out *[8]float32, q4 bool) bool {
	return products8Arch(row, a, out, q4)
}

// rows8Blocks checks eight rows' bytes for an eight-row kernel and
// returns their block count.
func rows8Blocks(rows []byte, stride int, a *Acts, q4 bool) int {
	nb := len(a.D)
	size := Q8_0Size
	if q4 {
		size = Q4_0Size
	}
	if stride < nb*size {
		panic("quant: rows overlap")
	}
	if nb > 0 {
		_, _ = rows[7*stride+nb*size-1], a.Q[nb*QK-1]
	}
	return nb
}

// DotRows8 sets out[r] to row r · a for eight consecutive rows of a Q8_0
// (or Q4_0 if q4) matrix, row r at rows[r·stride:], each bit-identical to
// DotQ8_0/DotQ4_0 (one token: the activation block read once for eight
// rows). It reports false, doing nothing, where no eight-row kernel runs.
func DotRows8(rows []byte, stride int, a *Acts, out *[8]float32, q4 bool) bool {
	return rows8Arch(rows, stride, a, out, q4)
}

// DotRows8x4 sets out[8t+r] to row r · token 4·half+t of a, for eight
// consecutive rows of a Q4_0 matrix (row r at rows[r·stride:]) and four of
// a's tokens, each bit-identical to DotQ4_0: each weight block unpacked
// once for the four (a small batch's tokens). It reports false, doing
// nothing, where no such kernel runs.
func DotRows8x4(rows []byte, stride int, a *Acts8, half int, out *[32]float32) bool {
	return rows8x4Arch(rows, stride, a, half, out)
}

// Acts16 are sixteen tokens' Q8_0 activations interleaved four values at a
// time: values 4k..4k+3 of token t's block b at Q[512b+64k+4t:], so one
// 64-byte read holds a four-value group of all sixteen tokens — what a
// kernel reads that broadcasts four weights and sums each token's products
// in a lane of its own (no lanes to add across). Token t's block b scale
// is D[16b+t], eight times its sum S[16b+t] (as Acts8's).
type Acts16 struct {
	Q []int8
	D []float32
	S []int32
}

// NewActs16 allocates interleaved activations for n values per token.
func NewActs16(n int) *Acts16 {
	return &Acts16{Q: make([]int8, 16*n), D: make([]float32, 16*n/QK), S: make([]int32, 16*n/QK)}
}

// Interleave sets a from sixteen tokens' activations of equal length.
func (a *Acts16) Interleave(acts []*Acts) {
	nb := len(acts[0].D)
	for t, x := range acts[:16] {
		for b := 0; b < nb; b++ {
			q := x.Q[b*QK : (b+1)*QK]
			var sum int32
			for k := 0; k < QK/4; k++ {
				copy(a.Q[512*b+64*k+4*t:512*b+64*k+4*t+4], q[4*k:4*k+4])
			}
			for _, v := range q {
				sum += int32(v)
			}
			a.D[16*b+t] = x.D[b]
			a.S[16*b+t] = 8 * sum
		}
	}
}

// Dot16Rows2 sets out[16e+t] to row e (Q4_0; rows holds two, stride bytes
// apart) · token t's activations, bit-identical to DotQ4_0 for each. It
// reports false, doing nothing, where no sixteen-token kernel runs (the
// caller then uses Dot8 or the others).
func Dot16Rows2(rows []byte, stride int, a *Acts16, out *[32]float32) bool {
	return rows16x2Arch(rows, stride, a, out)
}

// HasQ4Batch: Dot16Rows2 and DotRows8x4 (Q4_0 batches) run here.
func HasQ4Batch() bool { return hasQ4BatchArch() }
