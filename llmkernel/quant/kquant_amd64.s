#include "textflag.h"

// k-quant products in AVX2: per super-block the eight exact integer lanes
// of ggml's generic code (value i of the super-block in lane i mod 8), then
// lanes += float32(d · lane) with d = weight scale · activation scale, as
// DotQ6_K and DotQ4_K do in Go (the multiply and the add rounded apart).
//
// The lanes: each 16 values are shuffled so that values l and l+8 sit side
// by side (KSHUF), VPMADDUBSW adds each such pair (the same lane), and the
// pair sums are widened against zero (VPUNPCK[LH]WD) so that VPMADDWD only
// scales them: lanes 0-3 of each 16 gather in Y9, lanes 4-7 in Y10.

// KCONSTS: Y14 the pair shuffle, Y13 0x0F bytes.
#define KCONSTS \
	MOVQ $0x0B030A0209010800, AX \
	VMOVQ AX, X14 \
	MOVQ $0x0F070E060D050C04, AX \
	VPINSRQ $1, AX, X14, X14 \
	VINSERTI128 $1, X14, Y14, Y14 \
	MOVQ $0x0F0F0F0F0F0F0F0F, AX \
	VMOVQ AX, X13 \
	VPBROADCASTQ X13, Y13

// KTAIL: the pairs' products (unsigned weights in Y6, activations in Y7,
// both shuffled) scaled by Y1's words into Y9 and Y10. Y0 is zero.
#define KTAIL \
	VPMADDUBSW Y7, Y6, Y6 \
	VPUNPCKLWD Y0, Y6, Y8 \
	VPMADDWD Y1, Y8, Y8 \
	VPADDD Y8, Y9, Y9 \
	VPUNPCKHWD Y0, Y6, Y8 \
	VPMADDWD Y1, Y8, Y8 \
	VPADDD Y8, Y10, Y10

// KLOAD(aoff): Y6 (the weights) and the 32 activations at aoff(DI), into
// Y7, shuffled into pairs.
#define KLOAD(aoff) \
	VPSHUFB Y14, Y6, Y6 \
	VMOVDQU aoff(DI), Y7 \
	VPSHUFB Y14, Y7, Y7

// KPAIRS(aoff): unsigned weights (bytes) in Y6 times the 32 activations at
// aoff(DI), scaled by the words in Y1, added to Y9 and Y10.
#define KPAIRS(aoff) \
	KLOAD(aoff) \
	KTAIL

// KSIGNED(aoff): KPAIRS for signed weights in Y6: |w| times a·sign(w).
#define KSIGNED(aoff) \
	KLOAD(aoff) \
	VPSIGNB Y6, Y7, Y7 \
	VPSIGNB Y6, Y6, Y6 \
	KTAIL

// KFINISH(doff): the super-block's lanes (Y9, Y10) as float, times
// d = (half at doff(SI)) · (BX), added to Y15.
#define KFINISH(doff) \
	VPERM2I128 $0x20, Y10, Y9, Y2 \
	VPERM2I128 $0x31, Y10, Y9, Y8 \
	VPADDD Y8, Y2, Y2 \
	VCVTDQ2PS Y2, Y2 \
	MOVWLZX doff(SI), AX \
	VMOVQ AX, X8 \
	VCVTPH2PS X8, X8 \
	VMULSS (BX), X8, X8 \
	VBROADCASTSS X8, Y8 \
	VMULPS Y8, Y2, Y2 \
	VADDPS Y2, Y15, Y15

// Q6SCALES(g): Y1 = group g's scale (words) in the low lane, g+1's in the
// high lane, from the sign-extended scales at 0(SP).
#define Q6SCALES(g) \
	VPBROADCASTW (2*(g))(SP), Y1 \
	VPBROADCASTW (2*(g)+2)(SP), Y2 \
	VPERM2I128 $0x20, Y2, Y1, Y1

// Q6HALF(n): the n-th 128 values: low nibbles Y3 (ql) and Y4 (ql+32),
// high bits Y5 (qh); four chunks of 32, each two groups of 16.
// Values 0-31: ql & 15 | (qh & 3) << 4; 32-63: ql[32:] & 15 | (qh >> 2 &
// 3) << 4; 64-95: ql >> 4 | (qh >> 4 & 3) << 4; 96-127: ql[32:] >> 4 |
// (qh >> 6) << 4; each minus 32.
#define Q6HALF(n) \
	VMOVDQU (64*n)(SI), Y3 \
	VMOVDQU (64*n+32)(SI), Y4 \
	VMOVDQU (128+32*n)(SI), Y5 \
	VPAND Y13, Y3, Y6 \
	VPSLLW $4, Y5, Y7 \
	VPAND Y12, Y7, Y7 \
	VPOR Y7, Y6, Y6 \
	VPSUBB Y11, Y6, Y6 \
	Q6SCALES((8*n)) \
	KSIGNED((128*n)) \
	VPAND Y13, Y4, Y6 \
	VPSLLW $2, Y5, Y7 \
	VPAND Y12, Y7, Y7 \
	VPOR Y7, Y6, Y6 \
	VPSUBB Y11, Y6, Y6 \
	Q6SCALES((8*n+2)) \
	KSIGNED((128*n+32)) \
	VPSRLW $4, Y3, Y6 \
	VPAND Y13, Y6, Y6 \
	VPAND Y12, Y5, Y7 \
	VPOR Y7, Y6, Y6 \
	VPSUBB Y11, Y6, Y6 \
	Q6SCALES((8*n+4)) \
	KSIGNED((128*n+64)) \
	VPSRLW $4, Y4, Y6 \
	VPAND Y13, Y6, Y6 \
	VPSRLW $2, Y5, Y7 \
	VPAND Y12, Y7, Y7 \
	VPOR Y7, Y6, Y6 \
	VPSUBB Y11, Y6, Y6 \
	Q6SCALES((8*n+6)) \
	KSIGNED((128*n+96))

// func q6kLanesAVX2(row *byte, q *int8, dy *float32, lanes *float32, nb int)
// lanes (8 floats) += each super-block's scaled lanes; nb ≥ 1.
TEXT ·q6kLanesAVX2(SB), NOSPLIT, $32-40
	MOVQ row+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ dy+16(FP), BX
	MOVQ lanes+24(FP), DX
	MOVQ nb+32(FP), CX
	KCONSTS
	MOVQ $0x3030303030303030, AX
	VMOVQ AX, X12
	VPBROADCASTQ X12, Y12
	MOVQ $0x2020202020202020, AX
	VMOVQ AX, X11
	VPBROADCASTQ X11, Y11
	VMOVUPS (DX), Y15

q6loop:
	VPMOVSXBW 192(SI), Y0
	VMOVDQU Y0, 0(SP)
	VPXOR Y0, Y0, Y0
	VPXOR Y9, Y9, Y9
	VPXOR Y10, Y10, Y10
	Q6HALF(0)
	Q6HALF(1)
	KFINISH(208)
	ADDQ $210, SI
	ADDQ $256, DI
	ADDQ $4, BX
	DECQ CX
	JNZ  q6loop

	VMOVUPS Y15, (DX)
	VZEROUPPER
	RET

// Q4GROUP(c): values 64c..64c+63 of the super-block (the 32 bytes at
// 16+32c(SI): low nibbles then high), scales j = 2c and 2c+1 from 0(SP).
#define Q4GROUP(c) \
	VMOVDQU (16+32*c)(SI), Y3 \
	VPAND Y13, Y3, Y6 \
	VPBROADCASTW (4*c)(SP), Y1 \
	KPAIRS(64*c) \
	VPSRLW $4, Y3, Y6 \
	VPAND Y13, Y6, Y6 \
	VPBROADCASTW (4*c+2)(SP), Y1 \
	KPAIRS(64*c+32)

// func q4kLanesAVX2(row *byte, q *int8, dy *float32, lanes *float32, nb int)
// lanes += the scaled values' lanes (the mins are the caller's); nb ≥ 1.
TEXT ·q4kLanesAVX2(SB), NOSPLIT, $16-40
	MOVQ row+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ dy+16(FP), BX
	MOVQ lanes+24(FP), DX
	MOVQ nb+32(FP), CX
	KCONSTS
	VMOVUPS (DX), Y15

q4loop:
	// The eight 6-bit scales: u0 & 0x3f3f3f3f, then
	// u2 & 0x0f0f0f0f | (u0 >> 6 & 0x03030303) << 4.
	MOVL 4(SI), AX
	MOVL 12(SI), R8
	MOVL AX, R9
	SHRL $6, R9
	ANDL $0x03030303, R9
	SHLL $4, R9
	ANDL $0x0f0f0f0f, R8
	ORL  R9, R8
	ANDL $0x3f3f3f3f, AX
	VMOVQ AX, X0
	VPINSRD $1, R8, X0, X0
	VPMOVZXBW X0, X0
	VMOVDQU X0, 0(SP)
	VPXOR Y0, Y0, Y0
	VPXOR Y9, Y9, Y9
	VPXOR Y10, Y10, Y10
	Q4GROUP(0)
	Q4GROUP(1)
	Q4GROUP(2)
	Q4GROUP(3)
	KFINISH(0)
	ADDQ $144, SI
	ADDQ $256, DI
	ADDQ $4, BX
	DECQ CX
	JNZ  q4loop

	VMOVUPS Y15, (DX)
	VZEROUPPER
	RET
