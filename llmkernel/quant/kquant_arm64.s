#include "textflag.h"

// Q6_K's integer lanes in NEON: for each 16 values, SMULL/SMULL2 give the
// products of values 0-7 and 8-15 as int16, one ADD pairs value l with
// l+8 (the same lane: |sum| ≤ 2·32·128), and SMLAL/SMLAL2 by element
// multiply-accumulate the pair sums by the group's scale into int32 lanes
// 0-3 (V16) and 4-7 (V17). The float part stays in Go. The Go assembler
// lacks SMULL, SMLAL (by element) and SSHLL: they are WORD-encoded.

// smull vd.8h, vn.8b, vm.8b and smull2 (Q=1).
#define SMULL(d, n, m) WORD $(0x0E20C000 | (m)<<16 | (n)<<5 | (d))
#define SMULL2(d, n, m) WORD $(0x4E20C000 | (m)<<16 | (n)<<5 | (d))

// smlal vd.4s, vn.4h, vm.h[i] (m < 16) and smlal2 (vn.8h's high half):
// index bits H:L:M at 11, 21, 20 (parenthesised: the assembler does not
// give >> precedence over &).
#define SMLALE(d, n, m, i) WORD $(0x0F402000 | (((i)>>2)&1)<<11 | (((i)>>1)&1)<<21 | ((i)&1)<<20 | (m)<<16 | (n)<<5 | (d))
#define SMLAL2E(d, n, m, i) WORD $(0x4F402000 | (((i)>>2)&1)<<11 | (((i)>>1)&1)<<21 | ((i)&1)<<20 | (m)<<16 | (n)<<5 | (d))

// GROUP16(w, q, s, i): the 16 weights in Vw times the activations in Vq,
// scaled by V(s).h[i], into V16 and V17 (V18, V19 scratch).
#define GROUP16(w, q, s, i) \
	SMULL(18, w, q) \
	SMULL2(19, w, q) \
	VADD V19.H8, V18.H8, V18.H8 \
	SMLALE(16, 18, s, i) \
	SMLAL2E(17, 18, s, i)

// CHUNK(s, i): the 32 values in V6, V7 (two groups of 16: scales s.h[i],
// s.h[i+1]) times the next 32 activations.
#define CHUNK(s, i) \
	VLD1.P 32(R1), [V11.B16, V12.B16] \
	GROUP16(6, 11, s, i) \
	GROUP16(7, 12, s, (i)+1)

// FINISH6: V6, V7 -= 32 (the stored values are offset by 32).
#define FINISH6 \
	VSUB V10.B16, V6.B16, V6.B16 \
	VSUB V10.B16, V7.B16, V7.B16

// Q6HALF(s): 128 values from R0 (ql, 64 bytes) and R4 (qh, 32 bytes),
// advancing both; scales in V(s).h[0..7].
#define Q6HALF(s) \
	VLD1.P 64(R0), [V0.B16, V1.B16, V2.B16, V3.B16] \
	VLD1.P 32(R4), [V4.B16, V5.B16] \
	VAND V8.B16, V0.B16, V6.B16 \
	VAND V8.B16, V1.B16, V7.B16 \
	VSHL $4, V4.B16, V13.B16 \
	VAND V9.B16, V13.B16, V13.B16 \
	VORR V13.B16, V6.B16, V6.B16 \
	VSHL $4, V5.B16, V13.B16 \
	VAND V9.B16, V13.B16, V13.B16 \
	VORR V13.B16, V7.B16, V7.B16 \
	FINISH6 \
	CHUNK(s, 0) \
	VAND V8.B16, V2.B16, V6.B16 \
	VAND V8.B16, V3.B16, V7.B16 \
	VSHL $2, V4.B16, V13.B16 \
	VAND V9.B16, V13.B16, V13.B16 \
	VORR V13.B16, V6.B16, V6.B16 \
	VSHL $2, V5.B16, V13.B16 \
	VAND V9.B16, V13.B16, V13.B16 \
	VORR V13.B16, V7.B16, V7.B16 \
	FINISH6 \
	CHUNK(s, 2) \
	VUSHR $4, V0.B16, V6.B16 \
	VUSHR $4, V1.B16, V7.B16 \
	VAND V9.B16, V4.B16, V13.B16 \
	VORR V13.B16, V6.B16, V6.B16 \
	VAND V9.B16, V5.B16, V13.B16 \
	VORR V13.B16, V7.B16, V7.B16 \
	FINISH6 \
	CHUNK(s, 4) \
	VUSHR $4, V2.B16, V6.B16 \
	VUSHR $4, V3.B16, V7.B16 \
	VUSHR $2, V4.B16, V13.B16 \
	VAND V9.B16, V13.B16, V13.B16 \
	VORR V13.B16, V6.B16, V6.B16 \
	VUSHR $2, V5.B16, V13.B16 \
	VAND V9.B16, V13.B16, V13.B16 \
	VORR V13.B16, V7.B16, V7.B16 \
	FINISH6 \
	CHUNK(s, 6)

// func q6kAuxNEON(row *byte, q *int8, aux *int32, nb int)
// aux[8b+l] = super-block b's integer lane l; nb ≥ 1.
TEXT ·q6kAuxNEON(SB), NOSPLIT, $0-32
	MOVD row+0(FP), R5
	MOVD q+8(FP), R1
	MOVD aux+16(FP), R2
	MOVD nb+24(FP), R3
	MOVD $0x0F0F0F0F0F0F0F0F, R6
	VDUP R6, V8.D2
	MOVD $0x3030303030303030, R6
	VDUP R6, V9.D2
	MOVD $0x2020202020202020, R6
	VDUP R6, V10.D2

q6loop:
	MOVD R5, R0
	ADD  $128, R5, R4
	// The 16 int8 scales at 192, sign-extended: sshll v14.8h, v20.8b, #0;
	// sshll2 v15.8h, v20.16b, #0.
	ADD  $192, R5, R6
	VLD1 (R6), [V20.B16]
	WORD $0x0F08A68E
	WORD $0x4F08A68F
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	Q6HALF(14)
	Q6HALF(15)
	VST1.P [V16.S4, V17.S4], 32(R2)
	ADD  $210, R5
	SUB  $1, R3
	CBNZ R3, q6loop
	RET
