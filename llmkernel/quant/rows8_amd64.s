#include "textflag.h"

// Eight rows at once for one token (generation, forced answer text): the
// token's activation block is loaded once for eight rows' weight blocks,
// each row's block sum reduced into one lane (VPHADDD tree), so each row's
// running float sum — llama.cpp's one per row, in block order — is one
// lane of a VADDPS per block.

DATA ones16<>+0(SB)/8, $0x0001000100010001
DATA ones16<>+8(SB)/8, $0x0001000100010001
DATA ones16<>+16(SB)/8, $0x0001000100010001
DATA ones16<>+24(SB)/8, $0x0001000100010001
GLOBL ones16<>(SB), RODATA|NOPTR, $32

// Q4R(data): Y0 = the Q4_0 weights at data unpacked to int8 in [-8, 7]
// (X14: 0x0F bytes, Y13: 8s).
#define Q4R(data) \
	VMOVDQU data, X0 \
	VPSRLW $4, X0, X1 \
	VPAND X14, X0, X0 \
	VPAND X14, X1, X1 \
	VINSERTI128 $1, X1, Y0, Y0 \
	VPSUBB Y13, Y0, Y0

// Q8R(data): Y0 = the Q8_0 weights at data.
#define Q8R(data) \
	VMOVDQU data, Y0

// ROW(W, data, dst): one row's block times the activations in Y11, as
// eight int32 partial sums in dst.
#define ROW(W, data, dst) \
	W(data) \
	VPSIGNB Y0, Y0, Y2 \
	VPSIGNB Y0, Y11, Y1 \
	VPMADDUBSW Y1, Y2, Y1 \
	VPMADDWD ones16<>(SB), Y1, dst

// ROWS(W): the eight rows' blocks (rows 0-3 from SI, 4-7 from R10; stride
// R8, three strides R9); Y3 = their sums as float, lane r for row r.
#define ROWS(W) \
	VMOVDQU (DI), Y11 \
	ROW(W, 2(SI), Y3) \
	ROW(W, 2(SI)(R8*1), Y4) \
	ROW(W, 2(SI)(R8*2), Y5) \
	ROW(W, 2(SI)(R9*1), Y6) \
	ROW(W, 2(R10), Y7) \
	ROW(W, 2(R10)(R8*1), Y8) \
	ROW(W, 2(R10)(R8*2), Y9) \
	ROW(W, 2(R10)(R9*1), Y10) \
	VPHADDD Y4, Y3, Y3 \
	VPHADDD Y6, Y5, Y5 \
	VPHADDD Y8, Y7, Y7 \
	VPHADDD Y10, Y9, Y9 \
	VPHADDD Y5, Y3, Y3 \
	VPHADDD Y9, Y7, Y7 \
	VPERM2I128 $0x20, Y7, Y3, Y12 \
	VPERM2I128 $0x31, Y7, Y3, Y3 \
	VPADDD Y12, Y3, Y3 \
	VCVTDQ2PS Y3, Y3 \
	VPINSRW $0, (SI), X12, X12 \
	VPINSRW $1, (SI)(R8*1), X12, X12 \
	VPINSRW $2, (SI)(R8*2), X12, X12 \
	VPINSRW $3, (SI)(R9*1), X12, X12 \
	VPINSRW $4, (R10), X12, X12 \
	VPINSRW $5, (R10)(R8*1), X12, X12 \
	VPINSRW $6, (R10)(R8*2), X12, X12 \
	VPINSRW $7, (R10)(R9*1), X12, X12 \
	VCVTPH2PS X12, Y12

#define ARGSR \
	MOVQ row+0(FP), SI \
	MOVQ stride+8(FP), R8 \
	MOVQ q+16(FP), DI \
	MOVQ dy+24(FP), BX \
	MOVQ out+32(FP), DX \
	MOVQ nb+40(FP), CX \
	LEAQ (R8)(R8*2), R9 \
	LEAQ (SI)(R8*4), R10 \
	VXORPS Y15, Y15, Y15

// func productsQ4r8AVX2(row *byte, stride int, q *int8, dy *float32, out *float32, nb int)
// out[r] = row r (at row + r·stride) · the activations, for r < 8: Σ_b
// (sum·dx)·dy in block order from 0; nb ≥ 1.
TEXT ·productsQ4r8AVX2(SB), NOSPLIT, $0-48
	ARGSR
	MOVQ $0x0F0F0F0F0F0F0F0F, AX
	VMOVQ AX, X14
	VPBROADCASTQ X14, Y14
	MOVQ $0x0808080808080808, AX
	VMOVQ AX, X13
	VPBROADCASTQ X13, Y13

r4loop:
	ROWS(Q4R)
	VMULPS Y12, Y3, Y3
	VBROADCASTSS (BX), Y12
	VMULPS Y12, Y3, Y3
	VADDPS Y3, Y15, Y15
	ADDQ $18, SI
	ADDQ $18, R10
	ADDQ $32, DI
	ADDQ $4, BX
	DECQ CX
	JNZ  r4loop

	VMOVUPS Y15, (DX)
	VZEROUPPER
	RET

// func productsQ8r8AVX2(row *byte, stride int, q *int8, dy *float32, out *float32, nb int)
// As productsQ4r8AVX2 for Q8_0 rows: Σ_b sum·(dx·dy).
TEXT ·productsQ8r8AVX2(SB), NOSPLIT, $0-48
	ARGSR

r8loop:
	ROWS(Q8R)
	VBROADCASTSS (BX), Y1
	VMULPS Y1, Y12, Y12
	VMULPS Y12, Y3, Y3
	VADDPS Y3, Y15, Y15
	ADDQ $34, SI
	ADDQ $34, R10
	ADDQ $32, DI
	ADDQ $4, BX
	DECQ CX
	JNZ  r8loop

	VMOVUPS Y15, (DX)
	VZEROUPPER
	RET
