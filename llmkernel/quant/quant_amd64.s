#include "textflag.h"

// Q8_0 activations as ggml's generic quantize_row_q8_0 forms them, eight
// values to a register: amax over the block (|x| by the sign mask,
// VMAXPS: exact for finite values), d = amax/127 (VDIVSS), its half
// (VCVTPS2PH to nearest even, as RoundF16), id = 1/d (0 where d is 0),
// x·id as float32 (VMULPS), rounded half away from zero (truncated, then
// ±1 where the dropped part is at least ½: exact), clamped to ±127.

DATA q8Consts<>+0(SB)/4, $0x7fffffff  // |x| mask
DATA q8Consts<>+4(SB)/4, $0x7f7fffff  // the largest finite |x|
DATA q8Consts<>+8(SB)/4, $0x80000000  // sign
DATA q8Consts<>+12(SB)/4, $0x3f000000 // 0.5
DATA q8Consts<>+16(SB)/4, $0x3f800000 // 1.0
DATA q8Consts<>+20(SB)/4, $0x42fe0000 // 127.0
DATA q8Consts<>+24(SB)/4, $0xc2fe0000 // -127.0
GLOBL q8Consts<>(SB), RODATA|NOPTR, $28

// The bytes VPACKSSDW/VPACKSSWB leave in 128-bit lane order, put back in
// value order (VPERMD).
DATA q8PackOrder<>+0(SB)/4, $0
DATA q8PackOrder<>+4(SB)/4, $4
DATA q8PackOrder<>+8(SB)/4, $1
DATA q8PackOrder<>+12(SB)/4, $5
DATA q8PackOrder<>+16(SB)/4, $2
DATA q8PackOrder<>+20(SB)/4, $6
DATA q8PackOrder<>+24(SB)/4, $3
DATA q8PackOrder<>+28(SB)/4, $7
GLOBL q8PackOrder<>(SB), RODATA|NOPTR, $32

// ROUND8(v, t0, t1): v = round(v) half away from zero (Y10 sign, Y12
// 1.0, Y13 0.5, Y15 |x| mask).
#define ROUND8(v, t0, t1) \
	VROUNDPS $3, v, t0 \
	VSUBPS t0, v, t1 \
	VANDPS Y15, t1, t1 \
	VCMPPS $13, Y13, t1, t1 \
	VANDPS Y10, v, v \
	VORPS Y12, v, v \
	VANDPS t1, v, v \
	VADDPS t0, v, v

// func quantizeQ8AVX2(x *float32, q *int8, d *float32, nb int) int
// Quantizes blocks from the first up to the first one whose values are
// not all finite or whose 1/d overflows (the Go code handles those);
// returns how many it did.
TEXT ·quantizeQ8AVX2(SB), NOSPLIT, $0-40
	MOVQ x+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ d+16(FP), DX
	MOVQ nb+24(FP), CX
	XORQ AX, AX
	VBROADCASTSS q8Consts<>+0(SB), Y15
	VBROADCASTSS q8Consts<>+8(SB), Y10
	VBROADCASTSS q8Consts<>+12(SB), Y13
	VBROADCASTSS q8Consts<>+16(SB), Y12
	VBROADCASTSS q8Consts<>+20(SB), Y11
	VBROADCASTSS q8Consts<>+24(SB), Y14

loop:
	CMPQ AX, CX
	JGE  done
	VMOVUPS 0(SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VANDPS Y15, Y0, Y4
	VANDPS Y15, Y1, Y5
	VANDPS Y15, Y2, Y6
	VANDPS Y15, Y3, Y7

	// Inf or NaN anywhere: leave the block to Go.
	VPBROADCASTD q8Consts<>+4(SB), Y9
	VPCMPGTD Y9, Y4, Y8
	VPCMPGTD Y9, Y5, Y9
	VPOR Y9, Y8, Y8
	VPBROADCASTD q8Consts<>+4(SB), Y9
	VPCMPGTD Y9, Y6, Y9
	VPOR Y9, Y8, Y8
	VPBROADCASTD q8Consts<>+4(SB), Y9
	VPCMPGTD Y9, Y7, Y9
	VPOR Y9, Y8, Y8
	VPTEST Y8, Y8
	JNZ  done

	VMAXPS Y5, Y4, Y4
	VMAXPS Y7, Y6, Y6
	VMAXPS Y6, Y4, Y4
	VEXTRACTF128 $1, Y4, X5
	VMAXPS X5, X4, X4
	VPERMILPS $0x4E, X4, X5
	VMAXPS X5, X4, X4
	VPERMILPS $0xB1, X4, X5
	VMAXPS X5, X4, X4
	VDIVSS X11, X4, X4        // d = amax/127
	VCVTPS2PH $0, X4, X5
	VCVTPH2PS X5, X5
	VXORPS X6, X6, X6
	VUCOMISS X6, X4
	JEQ  zero
	VDIVSS X4, X12, X6        // id = 1/d
	VMOVD X6, BX
	CMPL BX, $0x7f800000
	JEQ  done

zero:
	VMOVSS X5, (DX)(AX*4)
	VBROADCASTSS X6, Y6
	VMULPS Y6, Y0, Y0
	VMULPS Y6, Y1, Y1
	VMULPS Y6, Y2, Y2
	VMULPS Y6, Y3, Y3
	ROUND8(Y0, Y4, Y5)
	ROUND8(Y1, Y4, Y5)
	ROUND8(Y2, Y4, Y5)
	ROUND8(Y3, Y4, Y5)
	VMINPS Y11, Y0, Y0
	VMINPS Y11, Y1, Y1
	VMINPS Y11, Y2, Y2
	VMINPS Y11, Y3, Y3
	VMAXPS Y14, Y0, Y0
	VMAXPS Y14, Y1, Y1
	VMAXPS Y14, Y2, Y2
	VMAXPS Y14, Y3, Y3
	VCVTTPS2DQ Y0, Y0
	VCVTTPS2DQ Y1, Y1
	VCVTTPS2DQ Y2, Y2
	VCVTTPS2DQ Y3, Y3
	VPACKSSDW Y1, Y0, Y0
	VPACKSSDW Y3, Y2, Y2
	VPACKSSWB Y2, Y0, Y0
	VMOVDQU q8PackOrder<>(SB), Y1
	VPERMD Y0, Y1, Y0
	VMOVDQU Y0, (DI)
	ADDQ $128, SI
	ADDQ $32, DI
	INCQ AX
	JMP  loop

done:
	MOVQ AX, ret+32(FP)
	VZEROUPPER
	RET
