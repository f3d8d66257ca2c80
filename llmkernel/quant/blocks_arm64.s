#include "textflag.h"

// NEON block sums (Cortex-A72 has no SDOT): SMULL/SMULL2 to int16 products
// (|x·y| ≤ 128·127), SADDLP/SADALP to int32 lanes, ADDV across. The Go
// assembler lacks these four, so they are WORD-encoded (A64 encodings in
// each comment); the test checks them against the Go kernel under
// qemu-aarch64.

// STORESUM adds the int16 products in V4..V7 to one int32 and stores it
// at (R2), advancing R2: saddlp v16.4s, v4.8h; sadalp v16.4s, v5.8h,
// v6.8h, v7.8h; addv s16, v16.4s.
#define STORESUM \
	WORD $0x4E602890 \
	WORD $0x4E6068B0 \
	WORD $0x4E6068D0 \
	WORD $0x4E6068F0 \
	WORD $0x4EB1BA10 \
	VMOV V16.S[0], R5 \
	MOVW R5, (R2) \
	ADD  $4, R2

// func blockSumsQ8NEON(row *byte, q *int8, sums *int32, nb int)
TEXT ·blockSumsQ8NEON(SB), NOSPLIT, $0-32
	MOVD row+0(FP), R0
	MOVD q+8(FP), R1
	MOVD sums+16(FP), R2
	MOVD nb+24(FP), R3

q8loop:
	CBZ  R3, q8done
	ADD  $2, R0, R4
	VLD1 (R4), [V0.B16, V1.B16]
	VLD1.P 32(R1), [V2.B16, V3.B16]
	WORD $0x0E22C004 // smull  v4.8h, v0.8b, v2.8b
	WORD $0x4E22C005 // smull2 v5.8h, v0.16b, v2.16b
	WORD $0x0E23C026 // smull  v6.8h, v1.8b, v3.8b
	WORD $0x4E23C027 // smull2 v7.8h, v1.16b, v3.16b
	STORESUM
	ADD  $34, R0
	SUB  $1, R3
	B    q8loop

q8done:
	RET

// func blockSumsQ4NEON(row *byte, q *int8, sums *int32, nb int)
TEXT ·blockSumsQ4NEON(SB), NOSPLIT, $0-32
	MOVD row+0(FP), R0
	MOVD q+8(FP), R1
	MOVD sums+16(FP), R2
	MOVD nb+24(FP), R3
	MOVD $0x0F0F0F0F0F0F0F0F, R6
	VDUP R6, V8.D2
	MOVD $0x0808080808080808, R6
	VDUP R6, V9.D2

q4loop:
	CBZ  R3, q4done
	ADD  $2, R0, R4
	VLD1 (R4), [V0.B16]
	VLD1.P 32(R1), [V2.B16, V3.B16]
	VAND V8.B16, V0.B16, V10.B16
	VUSHR $4, V0.B16, V11.B16
	VSUB V9.B16, V10.B16, V10.B16
	VSUB V9.B16, V11.B16, V11.B16
	WORD $0x0E22C144 // smull  v4.8h, v10.8b, v2.8b
	WORD $0x4E22C145 // smull2 v5.8h, v10.16b, v2.16b
	WORD $0x0E23C166 // smull  v6.8h, v11.8b, v3.8b
	WORD $0x4E23C167 // smull2 v7.8h, v11.16b, v3.16b
	STORESUM
	ADD  $18, R0
	SUB  $1, R3
	B    q4loop

q4done:
	RET


// Eight rows at once for one token (generation, forced answer text, a
// batch's tokens a tile at a time): the token's activation block is loaded
// once for eight rows; each row's block sum as in the block sums above
// (SMULL/SMULL2, SADDLP/SADALP) to four int32 lanes, the eight rows' lanes
// reduced by ADDP to one sum each (exact), converted (SCVTF), the rows'
// half scales widened (FCVTL/FCVTL2: exact) and applied in llama.cpp's
// grouping by separate FMULs (never fused), each row's running sum —
// llama.cpp's one per row, in block order — one lane of an FADD per block.
// SCVTF, FCVTL, FMUL and FADD on vectors are WORD-encoded too (A64
// encodings in the comments). Rows in R6-R13, their scales gathered in V24.

// LOADQ4(R), LOADQ8(R): one row's block of weights into V0, V1 (Q4_0's
// nibbles unpacked and less 8; Q8_0 as it is).
#define LOADQ4(R) \
	VLD1.P 16(R), [V0.B16] \
	VUSHR $4, V0.B16, V1.B16 \
	VAND V8.B16, V0.B16, V0.B16 \
	VSUB V9.B16, V0.B16, V0.B16 \
	VSUB V9.B16, V1.B16, V1.B16

#define LOADQ8(R) \
	VLD1.P 32(R), [V0.B16, V1.B16]

// ROW(R, h, LOAD, s0..s3): one row's scale into V24.H[h], its weights
// (LOAD), their products with the token's (smull/smull2 v4-v7.8h), then
// its lanes (s0..s3).
#define ROW(R, h, LOAD, s0, s1, s2, s3) \
	MOVHU.P 2(R), R14 \
	VMOV R14, V24.H[h] \
	LOAD(R) \
	WORD $0x0E22C004 \
	WORD $0x4E22C005 \
	WORD $0x0E23C026 \
	WORD $0x4E23C027 \
	WORD s0 \
	WORD s1 \
	WORD s2 \
	WORD s3

// ROWS(LOAD): the eight rows, each summed into V16+r (saddlp v(16+r).4s,
// v4.8h; sadalp v(16+r).4s, v5.8h, v6.8h, v7.8h).
#define ROWS(LOAD) \
	ROW(R6, 0, LOAD, $0x4E602890, $0x4E6068B0, $0x4E6068D0, $0x4E6068F0) \
	ROW(R7, 1, LOAD, $0x4E602891, $0x4E6068B1, $0x4E6068D1, $0x4E6068F1) \
	ROW(R8, 2, LOAD, $0x4E602892, $0x4E6068B2, $0x4E6068D2, $0x4E6068F2) \
	ROW(R9, 3, LOAD, $0x4E602893, $0x4E6068B3, $0x4E6068D3, $0x4E6068F3) \
	ROW(R10, 4, LOAD, $0x4E602894, $0x4E6068B4, $0x4E6068D4, $0x4E6068F4) \
	ROW(R11, 5, LOAD, $0x4E602895, $0x4E6068B5, $0x4E6068D5, $0x4E6068F5) \
	ROW(R12, 6, LOAD, $0x4E602896, $0x4E6068B6, $0x4E6068D6, $0x4E6068F6) \
	ROW(R13, 7, LOAD, $0x4E602897, $0x4E6068B7, $0x4E6068D7, $0x4E6068F7)

// REDUCE: V16 = rows 0-3's sums, V20 = rows 4-7's, as float (ADDP,
// scvtf v16.4s, v20.4s); V25, V26 = their scales (fcvtl v25.4s, v24.4h;
// fcvtl2 v26.4s, v24.8h); V27 = the token's block scale, R3 advanced.
#define REDUCE \
	VADDP V17.S4, V16.S4, V16.S4 \
	VADDP V19.S4, V18.S4, V18.S4 \
	VADDP V21.S4, V20.S4, V20.S4 \
	VADDP V23.S4, V22.S4, V22.S4 \
	VADDP V18.S4, V16.S4, V16.S4 \
	VADDP V22.S4, V20.S4, V20.S4 \
	WORD $0x4E21DA10 \
	WORD $0x4E21DA94 \
	WORD $0x0E217B19 \
	WORD $0x4E217B1A \
	VLD1R.P 4(R3), [V27.S4]

// ACCUMULATE: V28, V29 += V16, V20 (fadd).
#define ACCUMULATE \
	WORD $0x4E30D79C \
	WORD $0x4E34D7BD

// ROWPTRS: rows 1-7's pointers (R7-R13) from row 0's (R6) and the stride
// (R1); the running sums V28, V29 zeroed.
#define ROWPTRS \
	ADD R1, R6, R7 \
	ADD R1, R7, R8 \
	ADD R1, R8, R9 \
	ADD R1, R9, R10 \
	ADD R1, R10, R11 \
	ADD R1, R11, R12 \
	ADD R1, R12, R13 \
	VEOR V28.B16, V28.B16, V28.B16 \
	VEOR V29.B16, V29.B16, V29.B16

// func productsQ4r8NEON(row *byte, stride int, q *int8, dy *float32, out *float32, nb int)
// As productsQ4r8AVX2: out[r] = row r (at row + r·stride) · the activations, for
// r < 8: Σ_b (sum·dx)·dy in block order from 0; nb ≥ 1.
TEXT ·productsQ4r8NEON(SB), NOSPLIT, $0-48
	MOVD row+0(FP), R6
	MOVD stride+8(FP), R1
	MOVD q+16(FP), R2
	MOVD dy+24(FP), R3
	MOVD out+32(FP), R4
	MOVD nb+40(FP), R5
	ROWPTRS
	MOVD $0x0F0F0F0F0F0F0F0F, R14
	VDUP R14, V8.D2
	MOVD $0x0808080808080808, R14
	VDUP R14, V9.D2

n4loop:
	VLD1.P 32(R2), [V2.B16, V3.B16]
	ROWS(LOADQ4)
	REDUCE
	WORD $0x6E39DE10 // fmul v16.4s, v16.4s, v25.4s (sum·dx)
	WORD $0x6E3ADE94 // fmul v20.4s, v20.4s, v26.4s
	WORD $0x6E3BDE10 // fmul v16.4s, v16.4s, v27.4s (·dy)
	WORD $0x6E3BDE94 // fmul v20.4s, v20.4s, v27.4s
	ACCUMULATE
	SUBS $1, R5, R5
	BNE  n4loop

	VST1 [V28.S4, V29.S4], (R4)
	RET

// func productsQ8r8NEON(row *byte, stride int, q *int8, dy *float32, out *float32, nb int)
// As productsQ8r8AVX2: out[r] = Σ_b sum·(dx·dy) in block order from 0; nb ≥ 1.
TEXT ·productsQ8r8NEON(SB), NOSPLIT, $0-48
	MOVD row+0(FP), R6
	MOVD stride+8(FP), R1
	MOVD q+16(FP), R2
	MOVD dy+24(FP), R3
	MOVD out+32(FP), R4
	MOVD nb+40(FP), R5
	ROWPTRS

n8loop:
	VLD1.P 32(R2), [V2.B16, V3.B16]
	ROWS(LOADQ8)
	REDUCE
	WORD $0x6E3BDF39 // fmul v25.4s, v25.4s, v27.4s (dx·dy)
	WORD $0x6E3BDF5A // fmul v26.4s, v26.4s, v27.4s
	WORD $0x6E39DE10 // fmul v16.4s, v16.4s, v25.4s (sum·(dx·dy))
	WORD $0x6E3ADE94 // fmul v20.4s, v20.4s, v26.4s
	ACCUMULATE
	SUBS $1, R5, R5
	BNE  n8loop

	VST1 [V28.S4, V29.S4], (R4)
	RET
