#include "textflag.h"

// func roundF16sF16C(x *float32, n int) int
// Rounds x[i] through half precision in place (VCVTPS2PH to nearest, ties
// to even, then VCVTPH2PS: exact), eight at a time, for as many whole
// groups of eight as come before the first group holding a NaN (F16C
// keeps a NaN's payload; the Go conversion makes it the quiet NaN);
// returns how many values it rounded.
TEXT ·roundF16sF16C(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	XORQ AX, AX

loop:
	LEAQ 8(AX), DX
	CMPQ DX, CX
	JGT  done
	VMOVUPS (SI)(AX*4), Y0
	VCMPPS $3, Y0, Y0, Y1
	VPTEST Y1, Y1
	JNZ  done
	VCVTPS2PH $0, Y0, X0
	VCVTPH2PS X0, Y0
	VMOVUPS Y0, (SI)(AX*4)
	MOVQ DX, AX
	JMP  loop

done:
	MOVQ AX, ret+16(FP)
	VZEROUPPER
	RET
