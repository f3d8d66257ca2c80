#include "textflag.h"

// Attention's float products as llama.cpp's generic build forms them:
// each product rounded to float32 on its own (VMULPS, never fused), then
// widened (VCVTPS2PD) and added in double, each sum in its own order. A
// register's lanes are independent sums, so SIMD changes no bit.

// PROD8(ptr, xt0, t0, t1, lo, hi): lo (lanes 0-3) and hi (4-7) += the
// eight products of Y15's floats with the float at ptr, widened.
#define PROD8(ptr, xt0, t0, t1, lo, hi) \
	VBROADCASTSS ptr, t0 \
	VMULPS Y15, t0, t0 \
	VCVTPS2PD xt0, t1 \
	VEXTRACTF128 $1, t0, xt0 \
	VCVTPS2PD xt0, t0 \
	VADDPD t1, lo, lo \
	VADDPD t0, hi, hi

// STORE8(xlo, lo, xhi, hi, off): the eight sums in lo, hi as float32,
// times the scale (Y14), at off(DX).
#define STORE8(xlo, lo, xhi, hi, off) \
	VCVTPD2PSY lo, xlo \
	VCVTPD2PSY hi, xhi \
	VINSERTF128 $1, xhi, lo, lo \
	VMULPS Y14, lo, lo \
	VMOVUPS lo, off(DX)

// func qkHeads8AVX2(qT *float32, k *float32, kstride int, n int, hd int, scale float32, out *float32)
// For t < n and j < 8: out[8t+j] = float32(Σ_i qT[8i+j]·k_t[i]) · scale,
// the products float32, the sum double in i order; k_t at k + t·kstride
// floats; hd ≥ 1. Four positions at a time: four rows' eight sums each.
TEXT ·qkHeads8AVX2(SB), NOSPLIT, $0-56
	MOVQ qT+0(FP), SI
	MOVQ k+8(FP), DI
	MOVQ kstride+16(FP), R8
	SHLQ $2, R8
	MOVQ n+24(FP), CX
	MOVQ hd+32(FP), R9
	SHLQ $2, R9
	VBROADCASTSS scale+40(FP), Y14
	MOVQ out+48(FP), DX

four:
	CMPQ CX, $4
	JLT  one
	LEAQ (DI)(R8*1), R10
	LEAQ (DI)(R8*2), R11
	LEAQ (R10)(R8*2), R12
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	MOVQ SI, AX
	XORQ BX, BX

fourloop:
	VMOVUPS (AX), Y15
	PROD8((DI)(BX*1), X0, Y0, Y1, Y4, Y5)
	PROD8((R10)(BX*1), X2, Y2, Y3, Y6, Y7)
	PROD8((R11)(BX*1), X12, Y12, Y13, Y8, Y9)
	PROD8((R12)(BX*1), X0, Y0, Y1, Y10, Y11)
	ADDQ $32, AX
	ADDQ $4, BX
	CMPQ BX, R9
	JLT  fourloop

	STORE8(X4, Y4, X5, Y5, 0)
	STORE8(X6, Y6, X7, Y7, 32)
	STORE8(X8, Y8, X9, Y9, 64)
	STORE8(X10, Y10, X11, Y11, 96)
	ADDQ $128, DX
	LEAQ (DI)(R8*4), DI
	SUBQ $4, CX
	JMP  four

one:
	TESTQ CX, CX
	JZ   done
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	MOVQ SI, AX
	XORQ BX, BX

oneloop:
	VMOVUPS (AX), Y15
	PROD8((DI)(BX*1), X0, Y0, Y1, Y4, Y5)
	ADDQ $32, AX
	ADDQ $4, BX
	CMPQ BX, R9
	JLT  oneloop

	STORE8(X4, Y4, X5, Y5, 0)
	ADDQ $32, DX
	ADDQ R8, DI
	DECQ CX
	JMP  one

done:
	VZEROUPPER
	RET

// func svAVX2(s *float32, v *float32, vstride int, n int, hd int, acc *float64)
// For i < hd (a multiple of 16): acc[i] += Σ_t s[t]·v_t[i], the products
// float32, the sum double in t order from acc[i]; v_t at v + t·vstride
// floats. Sixteen outputs at a time: four registers of four sums.
TEXT ·svAVX2(SB), NOSPLIT, $0-48
	MOVQ s+0(FP), SI
	MOVQ v+8(FP), DI
	MOVQ vstride+16(FP), R8
	SHLQ $2, R8
	MOVQ n+24(FP), CX
	MOVQ hd+32(FP), R9
	SHRQ $4, R9
	MOVQ acc+40(FP), DX
	TESTQ CX, CX
	JZ   svdone

chunk:
	VMOVUPD 0(DX), Y4
	VMOVUPD 32(DX), Y5
	VMOVUPD 64(DX), Y6
	VMOVUPD 96(DX), Y7
	MOVQ SI, AX
	MOVQ DI, BX
	MOVQ CX, R10

tloop:
	VBROADCASTSS (AX), Y15
	VMULPS (BX), Y15, Y0
	VMULPS 32(BX), Y15, Y1
	VCVTPS2PD X0, Y2
	VEXTRACTF128 $1, Y0, X0
	VCVTPS2PD X0, Y0
	VCVTPS2PD X1, Y3
	VEXTRACTF128 $1, Y1, X1
	VCVTPS2PD X1, Y1
	VADDPD Y2, Y4, Y4
	VADDPD Y0, Y5, Y5
	VADDPD Y3, Y6, Y6
	VADDPD Y1, Y7, Y7
	ADDQ $4, AX
	ADDQ R8, BX
	DECQ R10
	JNZ  tloop

	VMOVUPD Y4, 0(DX)
	VMOVUPD Y5, 32(DX)
	VMOVUPD Y6, 64(DX)
	VMOVUPD Y7, 96(DX)
	ADDQ $128, DX
	ADDQ $64, DI
	DECQ R9
	JNZ  chunk

svdone:
	VZEROUPPER
	RET
