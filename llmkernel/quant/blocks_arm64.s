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
