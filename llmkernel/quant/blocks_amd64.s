#include "textflag.h"

// Signed int8 × int8 block sums: |x| (VPSIGNB x,x) as unsigned times
// y·sign(x) (VPSIGNB), pairwise to int16 (VPMADDUBSW: |pair| ≤ 2·128·127,
// no saturation), to int32 (VPMADDWD by ones), then the 8 lanes summed.

// BLOCKSUM stores at (DX) the sum of the 32 products of the weights in Y0
// and the activations at (DI). Y7 holds 16-bit ones.
#define BLOCKSUM \
	VMOVDQU (DI), Y1 \
	VPSIGNB Y0, Y0, Y2 \
	VPSIGNB Y0, Y1, Y3 \
	VPMADDUBSW Y3, Y2, Y4 \
	VPMADDWD Y7, Y4, Y5 \
	VEXTRACTI128 $1, Y5, X6 \
	VPADDD X6, X5, X5 \
	VPSHUFD $0x4E, X5, X6 \
	VPADDD X6, X5, X5 \
	VPSHUFD $0xB1, X5, X6 \
	VPADDD X6, X5, X5 \
	MOVL X5, AX \
	MOVL AX, (DX)

// ARGS loads the kernels' arguments: row SI, q DI, sums DX, nb CX.
#define ARGS \
	MOVQ row+0(FP), SI \
	MOVQ q+8(FP), DI \
	MOVQ sums+16(FP), DX \
	MOVQ nb+24(FP), CX

// BCAST sets every quadword of y to v (through x).
#define BCAST(v, x, y) \
	MOVQ v, AX \
	MOVQ AX, x \
	VPBROADCASTQ x, y

// Whole-block products, eight blocks per iteration: each block's 32
// products summed to eight int32 lanes (as BLOCKSUM), the eight blocks'
// lanes reduced together (VPHADDD, then the 128-bit halves added), the
// integer sums converted to float (exact: |sum| ≤ 32·128·127 < 2^24), the
// weight scales widened from half (VCVTPH2PS: exact) and both scales
// applied in llama.cpp's grouping, lane by lane as its scalar code rounds.

// BLOCKPROD(w, aoff, acc): weights in Y0 (32 int8), activations at aoff(DI);
// acc = eight int32 partial sums. Y15 holds 16-bit ones.
#define BLOCKPROD(aoff, acc) \
	VMOVDQU aoff(DI), Y1 \
	VPSIGNB Y0, Y0, Y2 \
	VPSIGNB Y0, Y1, Y3 \
	VPMADDUBSW Y3, Y2, Y2 \
	VPMADDWD Y15, Y2, acc

// Q4R(data): Y0 = the Q4_0 weights at data (16 bytes) unpacked to int8 in
// [-8, 7]. Y14 holds 0x0F bytes, Y13 8s.
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

// Q4W(roff), Q8W(roff): the block at roff(SI).
#define Q4W(roff) Q4R(roff+2(SI))
#define Q8W(roff) Q8R(roff+2(SI))

// SCALES8(stride): Y1 = the eight blocks' weight scales as float.
#define SCALES8(stride) \
	VPXOR X1, X1, X1 \
	VPINSRW $0, 0(SI), X1, X1 \
	VPINSRW $1, (1*stride)(SI), X1, X1 \
	VPINSRW $2, (2*stride)(SI), X1, X1 \
	VPINSRW $3, (3*stride)(SI), X1, X1 \
	VPINSRW $4, (4*stride)(SI), X1, X1 \
	VPINSRW $5, (5*stride)(SI), X1, X1 \
	VPINSRW $6, (6*stride)(SI), X1, X1 \
	VPINSRW $7, (7*stride)(SI), X1, X1 \
	VCVTPH2PS X1, Y1

// REDUCE8: Y0 = the eight blocks' sums (Y4..Y11), as float; Y1 = their
// weight scales (halves at the block stride STRIDE), as float.
#define REDUCE8(stride) \
	VPHADDD Y5, Y4, Y4 \
	VPHADDD Y7, Y6, Y6 \
	VPHADDD Y6, Y4, Y4 \
	VPHADDD Y9, Y8, Y8 \
	VPHADDD Y11, Y10, Y10 \
	VPHADDD Y10, Y8, Y8 \
	VPERM2I128 $0x20, Y8, Y4, Y0 \
	VPERM2I128 $0x31, Y8, Y4, Y1 \
	VPADDD Y1, Y0, Y0 \
	VCVTDQ2PS Y0, Y0 \
	SCALES8(stride)

#define PARGS \
	MOVQ row+0(FP), SI \
	MOVQ q+8(FP), DI \
	MOVQ dy+16(FP), BX \
	MOVQ out+24(FP), DX \
	MOVQ nb+32(FP), CX \
	BCAST($0x0001000100010001, X15, Y15)


// Q4CONSTS loads the nibble mask (0x0F bytes) into ym and 8s into y8.
#define Q4CONSTS(xm, ym, x8, y8) \
	BCAST($0x0F0F0F0F0F0F0F0F, xm, ym) \
	BCAST($0x0808080808080808, x8, y8)

// Eight tokens at once (a prompt's batch): each weight block is unpacked
// once; each token's block sum is reduced into one lane of Y3 (VPHADDD
// tree), so the running float sum of every token — llama.cpp's one sum per
// row, in block order — is one VADDPS per block for all eight.

// LANES8: Y3 = the sums of Y3..Y10's eight int32 lanes each, as float,
// lane i for Y(3+i) (Y12 scratch).
#define LANES8 \
	VPHADDD Y4, Y3, Y3 \
	VPHADDD Y6, Y5, Y5 \
	VPHADDD Y8, Y7, Y7 \
	VPHADDD Y10, Y9, Y9 \
	VPHADDD Y5, Y3, Y3 \
	VPHADDD Y9, Y7, Y7 \
	VPERM2I128 $0x20, Y7, Y3, Y12 \
	VPERM2I128 $0x31, Y7, Y3, Y3 \
	VPADDD Y12, Y3, Y3 \
	VCVTDQ2PS Y3, Y3

// PROD8(t, dst): token t's block (32 activations at t*32(DI)) times the
// weights (Y0; |w| in Y2) as eight int32 partial sums in dst.
#define PROD8(t, dst) \
	VMOVDQU (t*32)(DI), Y1 \
	VPSIGNB Y0, Y1, Y1 \
	VPMADDUBSW Y1, Y2, Y1 \
	VPMADDWD Y15, Y1, dst

// BLOCK8(W, stride): one block for the eight tokens: Y3 = their sums as
// float; Y12 = the block's weight scale in every lane.
#define BLOCK8(W, stride) \
	W(0) \
	VPSIGNB Y0, Y0, Y2 \
	PROD8(0, Y3) \
	PROD8(1, Y4) \
	PROD8(2, Y5) \
	PROD8(3, Y6) \
	PROD8(4, Y7) \
	PROD8(5, Y8) \
	PROD8(6, Y9) \
	PROD8(7, Y10) \
	LANES8 \
	VPBROADCASTW (SI), X12 \
	VCVTPH2PS X12, Y12

#define ARGS8 \
	MOVQ row+0(FP), SI \
	MOVQ q+8(FP), DI \
	MOVQ dy+16(FP), BX \
	MOVQ out+24(FP), DX \
	MOVQ nb+32(FP), CX \
	BCAST($0x0001000100010001, X15, Y15) \
	VXORPS Y11, Y11, Y11

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

// ROW(W, data, dst): one row's block times the activations in Y11, as
// eight int32 partial sums in dst.
#define ROW(W, data, dst) \
	W(data) \
	VPSIGNB Y0, Y0, Y2 \
	VPSIGNB Y0, Y11, Y1 \
	VPMADDUBSW Y1, Y2, Y1 \
	VPMADDWD ones16<>(SB), Y1, dst

// ROWSCALES: Y12 = the eight rows' weight scales (halves at SI, R10 and
// their strides) as float.
#define ROWSCALES \
	VPINSRW $0, (SI), X12, X12 \
	VPINSRW $1, (SI)(R8*1), X12, X12 \
	VPINSRW $2, (SI)(R8*2), X12, X12 \
	VPINSRW $3, (SI)(R9*1), X12, X12 \
	VPINSRW $4, (R10), X12, X12 \
	VPINSRW $5, (R10)(R8*1), X12, X12 \
	VPINSRW $6, (R10)(R8*2), X12, X12 \
	VPINSRW $7, (R10)(R9*1), X12, X12 \
	VCVTPH2PS X12, Y12

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
	LANES8 \
	ROWSCALES

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

// func blockSumsQ8AVX2(row *byte, q *int8, sums *int32, nb int)
TEXT ·blockSumsQ8AVX2(SB), NOSPLIT, $0-32
	ARGS
	BCAST($0x0001000100010001, X7, Y7)

q8loop:
	TESTQ CX, CX
	JZ   q8done
	VMOVDQU 2(SI), Y0
	BLOCKSUM
	ADDQ $34, SI
	ADDQ $32, DI
	ADDQ $4, DX
	DECQ CX
	JMP  q8loop

q8done:
	VZEROUPPER
	RET

// func blockSumsQ4AVX2(row *byte, q *int8, sums *int32, nb int)
TEXT ·blockSumsQ4AVX2(SB), NOSPLIT, $0-32
	ARGS
	BCAST($0x0001000100010001, X7, Y7)
	Q4CONSTS(X8, Y8, X9, Y9)

q4loop:
	TESTQ CX, CX
	JZ   q4done
	VMOVDQU 2(SI), X0
	VPSRLW $4, X0, X1
	VPAND X8, X0, X0
	VPAND X8, X1, X1
	VINSERTI128 $1, X1, Y0, Y0
	VPSUBB Y9, Y0, Y0
	BLOCKSUM
	ADDQ $18, SI
	ADDQ $32, DI
	ADDQ $4, DX
	DECQ CX
	JMP  q4loop

q4done:
	VZEROUPPER
	RET

// func productsQ4AVX2(row *byte, q *int8, dy *float32, out *float32, nb int)
// nb is a multiple of 8. out[i] = (sum_i · dx_i) · dy_i.
TEXT ·productsQ4AVX2(SB), NOSPLIT, $0-40
	PARGS
	Q4CONSTS(X14, Y14, X13, Y13)

p4loop:
	TESTQ CX, CX
	JZ   p4done
	Q4W(0)
	BLOCKPROD(0, Y4)
	Q4W(18)
	BLOCKPROD(32, Y5)
	Q4W(36)
	BLOCKPROD(64, Y6)
	Q4W(54)
	BLOCKPROD(96, Y7)
	Q4W(72)
	BLOCKPROD(128, Y8)
	Q4W(90)
	BLOCKPROD(160, Y9)
	Q4W(108)
	BLOCKPROD(192, Y10)
	Q4W(126)
	BLOCKPROD(224, Y11)
	REDUCE8(18)
	VMULPS Y1, Y0, Y0
	VMOVUPS (BX), Y2
	VMULPS Y2, Y0, Y0
	VMOVUPS Y0, (DX)
	ADDQ $144, SI
	ADDQ $256, DI
	ADDQ $32, BX
	ADDQ $32, DX
	SUBQ $8, CX
	JMP  p4loop

p4done:
	VZEROUPPER
	RET

// func productsQ8AVX2(row *byte, q *int8, dy *float32, out *float32, nb int)
// nb is a multiple of 8. out[i] = sum_i · (dx_i · dy_i).
TEXT ·productsQ8AVX2(SB), NOSPLIT, $0-40
	PARGS

p8loop:
	TESTQ CX, CX
	JZ   p8done
	Q8W(0)
	BLOCKPROD(0, Y4)
	Q8W(34)
	BLOCKPROD(32, Y5)
	Q8W(68)
	BLOCKPROD(64, Y6)
	Q8W(102)
	BLOCKPROD(96, Y7)
	Q8W(136)
	BLOCKPROD(128, Y8)
	Q8W(170)
	BLOCKPROD(160, Y9)
	Q8W(204)
	BLOCKPROD(192, Y10)
	Q8W(238)
	BLOCKPROD(224, Y11)
	REDUCE8(34)
	VMOVUPS (BX), Y2
	VMULPS Y2, Y1, Y1
	VMULPS Y1, Y0, Y0
	VMOVUPS Y0, (DX)
	ADDQ $272, SI
	ADDQ $256, DI
	ADDQ $32, BX
	ADDQ $32, DX
	SUBQ $8, CX
	JMP  p8loop

p8done:
	VZEROUPPER
	RET

// func cpuidECX1() uint32: CPUID leaf 1's ECX (bit 29: F16C).
TEXT ·cpuidECX1(SB), NOSPLIT, $0-4
	MOVL $1, AX
	XORL CX, CX
	CPUID
	MOVL CX, ret+0(FP)
	RET

// func productsQ4x8AVX2(row *byte, q *int8, dy *float32, out *float32, nb int)
// q: the eight tokens' activations interleaved by block (block b of token
// t at (8b+t)·32), dy likewise (8b+t); out[t] = Σ_b (sum·dx)·dy in block
// order from 0; nb ≥ 1.
TEXT ·productsQ4x8AVX2(SB), NOSPLIT, $0-40
	ARGS8
	Q4CONSTS(X14, Y14, X13, Y13)

p48loop:
	BLOCK8(Q4W, 18)
	VMULPS Y12, Y3, Y3
	VMULPS (BX), Y3, Y3
	VADDPS Y3, Y11, Y11
	ADDQ $18, SI
	ADDQ $256, DI
	ADDQ $32, BX
	DECQ CX
	JNZ  p48loop

	VMOVUPS Y11, (DX)
	VZEROUPPER
	RET

// func productsQ8x8AVX2(row *byte, q *int8, dy *float32, out *float32, nb int)
// As productsQ4x8AVX2 for Q8_0 rows: out[t] = Σ_b sum·(dx·dy).
TEXT ·productsQ8x8AVX2(SB), NOSPLIT, $0-40
	ARGS8

p88loop:
	BLOCK8(Q8W, 34)
	VMULPS (BX), Y12, Y12
	VMULPS Y12, Y3, Y3
	VADDPS Y3, Y11, Y11
	ADDQ $34, SI
	ADDQ $256, DI
	ADDQ $32, BX
	DECQ CX
	JNZ  p88loop

	VMOVUPS Y11, (DX)
	VZEROUPPER
	RET

// func productsQ4r8AVX2(row *byte, stride int, q *int8, dy *float32, out *float32, nb int)
// out[r] = row r (at row + r·stride) · the activations, for r < 8: Σ_b
// (sum·dx)·dy in block order from 0; nb ≥ 1. The next eight rows (R11,
// as many bytes on as these eight hold when the rows are packed) are
// prefetched as this loop reads its own: a row of 1-3 KiB is too short a
// stream for the hardware's prefetcher to find in time (one token's
// products ran at a fifth of the memory's bandwidth without).
TEXT ·productsQ4r8AVX2(SB), NOSPLIT, $0-48
	ARGSR
	Q4CONSTS(X14, Y14, X13, Y13)

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

// AVX-512 VNNI kernels for Q4_0 (AVX512F, BW, VL, VNNI; F16C): the same
// products, bit for bit, in fewer instructions. A Q4_0 weight is q − 8
// with q a nibble in [0, 15]; VPDPBUSD multiplies unsigned bytes (q) by
// signed ones (the activations) and adds each four products into an int32
// lane, so a block's exact integer sum is Σ q·y − 8·Σ y, the same integer
// the AVX2 kernels reach through signs and pairs. The scales are then
// applied exactly as there.

// nibbleShifts: VPSRLVW counts that leave a Q4_0 block's 16 bytes,
// broadcast to every 128-bit lane, as its low nibbles (elements 0-15) in
// lanes 0 and 2 and its high ones (16-31) in lanes 1 and 3, once masked
// with 0x0F: the block's 32 weights (+ 8) in each 256-bit half.
DATA nibbleShifts<>+0(SB)/8, $0
DATA nibbleShifts<>+8(SB)/8, $0
DATA nibbleShifts<>+16(SB)/8, $0x0004000400040004
DATA nibbleShifts<>+24(SB)/8, $0x0004000400040004
DATA nibbleShifts<>+32(SB)/8, $0
DATA nibbleShifts<>+40(SB)/8, $0
DATA nibbleShifts<>+48(SB)/8, $0x0004000400040004
DATA nibbleShifts<>+56(SB)/8, $0x0004000400040004
GLOBL nibbleShifts<>(SB), RODATA|NOPTR, $64

// packIndex: REDUCEPACK's VPERMD picks (tokens 0, 2, 4, 6 in dwords 0-3,
// 1, 3, 5, 7 in 8-11).
DATA packIndex<>+0(SB)/4, $0
DATA packIndex<>+4(SB)/4, $8
DATA packIndex<>+8(SB)/4, $1
DATA packIndex<>+12(SB)/4, $9
DATA packIndex<>+16(SB)/4, $2
DATA packIndex<>+20(SB)/4, $10
DATA packIndex<>+24(SB)/4, $3
DATA packIndex<>+28(SB)/4, $11
DATA packIndex<>+32(SB)/8, $0
DATA packIndex<>+40(SB)/8, $0
DATA packIndex<>+48(SB)/8, $0
DATA packIndex<>+56(SB)/8, $0
GLOBL packIndex<>(SB), RODATA|NOPTR, $64

// REDUCEPACK(ZIDX): Y3 = the eight sums of Z3..Z6's lanes, in order, as
// int32, where each register holds two 256-bit halves of eight lanes (Z3:
// sums 0 and 1, …, Z6: 6 and 7). The first two levels pack lanes to
// int16 (VPACKSSDW) and add pairs (VPMADDWD by 16-bit ones, Z17): exact,
// as no partial sum of a quarter of a block leaves int16 (a lane is four
// products, |q·y| ≤ 15·127, less at most 8·Σ of four y: |lane| ≤ 11,684,
// two lanes ≤ 23,368 < 2^15); the last adds the 128-bit halves of each
// sum (VSHUFI64X2) and VPERMD (index in ZIDX) picks the sums. Z4 scratch.
#define REDUCEPACK(ZIDX) \
	VPACKSSDW Z4, Z3, Z3 \
	VPACKSSDW Z6, Z5, Z5 \
	VPMADDWD Z17, Z3, Z3 \
	VPMADDWD Z17, Z5, Z5 \
	VPACKSSDW Z5, Z3, Z3 \
	VPMADDWD Z17, Z3, Z3 \
	VSHUFI64X2 $0xB1, Z3, Z3, Z4 \
	VPADDD Z4, Z3, Z3 \
	VPERMD Z3, ZIDX, Z3

// UNPACKPAIR(a, b, dst): two rows' Q4_0 blocks (their 16 bytes at a and
// b) as their weights (+ 8) in dst's 256-bit halves: row a's in the low
// half, b's in the high one (K1 masks the high half), by nibbleShifts
// (Z13) and the nibble mask (Z14).
#define UNPACKPAIR(a, b, dst) \
	VBROADCASTI32X4 a, dst \
	VBROADCASTI32X4 b, K1, dst \
	VPSRLVW Z13, dst, dst \
	VPANDD Z14, dst, dst

// VROWS(a, b, dst): two rows' Σ (q − 8)·y in dst's halves: their blocks'
// weights (UNPACKPAIR, in Z0) times the activations in both halves of
// Z11, from −8·Σy's partial sums (Z2).
#define VROWS(a, b, dst) \
	UNPACKPAIR(a, b, Z0) \
	VMOVDQA64 Z2, dst \
	VPDPBUSD Z11, Z0, dst

// VNNIROWCONSTS: what the eight-row VNNI kernels keep in registers: the
// nibble mask (Z14), nibbleShifts (Z13), packIndex (Z16), 16-bit ones
// (Z17) and K1 masking a register's high half.
#define VNNIROWCONSTS \
	MOVQ $0x0F0F0F0F0F0F0F0F, AX \
	MOVQ AX, X14 \
	VPBROADCASTQ X14, Z14 \
	VMOVDQU64 nibbleShifts<>(SB), Z13 \
	VMOVDQU64 packIndex<>(SB), Z16 \
	MOVQ $0x0001000100010001, AX \
	VPBROADCASTQ AX, Z17 \
	MOVW $0xFF00, AX \
	KMOVW AX, K1

// func productsQ4r8VNNI(row *byte, stride int, q *int8, dy *float32, out *float32, nb int)
// As productsQ4r8AVX2, two rows to a 512-bit register; the next eight
// rows' bytes are prefetched (rows of 1-2 KiB are too short a stream for
// the hardware's prefetcher to find in time).
TEXT ·productsQ4r8VNNI(SB), NOSPLIT, $0-48
	ARGSR
	VNNIROWCONSTS
	MOVQ $0x0808080808080808, AX
	MOVQ AX, X1
	VPBROADCASTQ X1, Z1
	LEAQ (R10)(R8*4), R11

vr4loop:
	PREFETCHT0 0(R11)
	PREFETCHT0 64(R11)
	PREFETCHT0 128(R11)
	ADDQ $144, R11
	VBROADCASTI64X4 (DI), Z11
	VPXORD Z12, Z12, Z12
	VPDPBUSD Z11, Z1, Z12
	VPXORD Z2, Z2, Z2
	VPSUBD Z12, Z2, Z2
	VROWS(2(SI), 2(SI)(R8*1), Z3)
	VROWS(2(SI)(R8*2), 2(SI)(R9*1), Z4)
	VROWS(2(R10), 2(R10)(R8*1), Z5)
	VROWS(2(R10)(R8*2), 2(R10)(R9*1), Z6)
	REDUCEPACK(Z16)
	VCVTDQ2PS Y3, Y3
	ROWSCALES
	VMULPS Y12, Y3, Y3
	VBROADCASTSS (BX), Y12
	VMULPS Y12, Y3, Y3
	VADDPS Y3, Y15, Y15
	ADDQ $18, SI
	ADDQ $18, R10
	ADDQ $32, DI
	ADDQ $4, BX
	DECQ CX
	JNZ  vr4loop

	VMOVUPS Y15, (DX)
	VZEROUPPER
	RET

// func productsQ4x8VNNI(row *byte, q *int8, dy *float32, s *int32, out *float32, nb int)
// As productsQ4x8AVX2, two tokens to a 512-bit register: the block's
// nibbles broadcast to every 128-bit lane, tokens t and t+1's activations
// (adjacent) read as one operand, each token's eight lanes summed (lanes
// paired across registers, then within them) into one VPERMD's pick, and
// s's eight tokens' Σ 8·y (Acts8.S, interleaved as dy) subtracted. The
// bytes after the row (a matrix's next row) are prefetched.
TEXT ·productsQ4x8VNNI(SB), NOSPLIT, $0-48
	MOVQ row+0(FP), SI
	MOVQ q+8(FP), DI
	MOVQ dy+16(FP), BX
	MOVQ s+24(FP), R8
	MOVQ out+32(FP), DX
	MOVQ nb+40(FP), CX
	MOVQ $0x0F0F0F0F0F0F0F0F, AX
	MOVQ AX, X14
	VPBROADCASTQ X14, Z14
	VMOVDQU64 nibbleShifts<>(SB), Z13
	VMOVDQU64 packIndex<>(SB), Z15
	MOVQ $0x0001000100010001, AX
	VPBROADCASTQ AX, Z17
	VXORPS Y11, Y11, Y11
	LEAQ (CX)(CX*8), R11
	LEAQ (SI)(R11*2), R11

v48loop:
	PREFETCHT0 (R11)
	ADDQ $18, R11
	VBROADCASTI32X4 2(SI), Z0
	VPSRLVW Z13, Z0, Z0
	VPANDD Z14, Z0, Z0
	VPXORD Z3, Z3, Z3
	VPDPBUSD 0(DI), Z0, Z3
	VPXORD Z4, Z4, Z4
	VPDPBUSD 64(DI), Z0, Z4
	VPXORD Z5, Z5, Z5
	VPDPBUSD 128(DI), Z0, Z5
	VPXORD Z6, Z6, Z6
	VPDPBUSD 192(DI), Z0, Z6
	REDUCEPACK(Z15)
	VPSUBD (R8), Y3, Y3
	VCVTDQ2PS Y3, Y3
	VPBROADCASTW (SI), X12
	VCVTPH2PS X12, Y12
	VMULPS Y12, Y3, Y3
	VMULPS (BX), Y3, Y3
	VADDPS Y3, Y11, Y11
	ADDQ $18, SI
	ADDQ $256, DI
	ADDQ $32, BX
	ADDQ $32, R8
	DECQ CX
	JNZ  v48loop

	VMOVUPS Y11, (DX)
	VZEROUPPER
	RET

// UNPACK16(src, x, t, y): a Q4_0 block's 16 bytes at src as its 32 weights
// (+ 8) in y's low and high 128 bits (x: y's low half; t scratch).
#define UNPACK16(src, x, t, y) \
	VMOVDQU src, x \
	VPSRLW $4, x, t \
	VPAND X14, x, x \
	VPAND X14, t, t \
	VINSERTI128 $1, t, y, y

// TWOROWS(k, idx, a, b): group k's four weights of both rows (Y0, Y1)
// broadcast by VPERMD (idx: dword k everywhere) times the sixteen tokens'
// four values (Z2, read once for both rows), into row 0's sum a and row
// 1's b.
#define TWOROWS(k, idx, a, b) \
	VMOVDQU64 (64*(k))(DI), Z2 \
	VPERMD Z0, idx, Z7 \
	VPERMD Z1, idx, Z8 \
	VPDPBUSD Z2, Z7, a \
	VPDPBUSD Z2, Z8, b

// func productsQ4x16r2VNNI(row *byte, stride int, q *int8, dy *float32, s *int32, out *float32, nb int)
// Sixteen tokens' products with two Q4_0 rows (stride bytes apart), one
// token to each int32 lane: each block's nibbles unpacked to its 32
// weights (+ 8), each four of them broadcast to every lane (VPERMD) and
// VPDPBUSD'd with the sixteen tokens' four values (Acts16's 64-byte
// groups), so a lane's sum is already its token's — nothing to add across
// lanes, unlike productsQ4x8VNNI. Each activation group is read once for
// both rows (sixteen tokens' activations outgrow L1). Two sums per row side
// by side (exact integers), s's Σ 8·y subtracted, the scales applied as in
// productsQ4x8VNNI. Row 0's products to out[0:16], row 1's to out[16:32].
// The next two rows' bytes are prefetched, as productsQ4r8VNNI does.
TEXT ·productsQ4x16r2VNNI(SB), NOSPLIT, $0-56
	MOVQ row+0(FP), SI
	MOVQ stride+8(FP), R9
	MOVQ q+16(FP), DI
	MOVQ dy+24(FP), BX
	MOVQ s+32(FP), R8
	MOVQ out+40(FP), DX
	MOVQ nb+48(FP), CX
	MOVQ $0x0F0F0F0F0F0F0F0F, AX
	MOVQ AX, X14
	VPBROADCASTQ X14, X14
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	MOVL $0, AX
	VPBROADCASTD AX, Z16
	MOVL $1, AX
	VPBROADCASTD AX, Z17
	MOVL $2, AX
	VPBROADCASTD AX, Z18
	MOVL $3, AX
	VPBROADCASTD AX, Z19
	MOVL $4, AX
	VPBROADCASTD AX, Z20
	MOVL $5, AX
	VPBROADCASTD AX, Z21
	MOVL $6, AX
	VPBROADCASTD AX, Z22
	MOVL $7, AX
	VPBROADCASTD AX, Z23
	LEAQ (SI)(R9*2), R11
	LEAQ (R11)(R9*1), R12

v16r2loop:
	PREFETCHT0 (R11)
	PREFETCHT0 (R12)
	ADDQ $18, R11
	ADDQ $18, R12
	UNPACK16(2(SI), X0, X1, Y0)
	UNPACK16(2(SI)(R9*1), X1, X2, Y1)
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	TWOROWS(0, Z16, Z3, Z5)
	TWOROWS(1, Z17, Z4, Z6)
	TWOROWS(2, Z18, Z3, Z5)
	TWOROWS(3, Z19, Z4, Z6)
	TWOROWS(4, Z20, Z3, Z5)
	TWOROWS(5, Z21, Z4, Z6)
	TWOROWS(6, Z22, Z3, Z5)
	TWOROWS(7, Z23, Z4, Z6)
	VPADDD Z4, Z3, Z3
	VPADDD Z6, Z5, Z5
	VMOVDQU64 (R8), Z2
	VPSUBD Z2, Z3, Z3
	VPSUBD Z2, Z5, Z5
	VCVTDQ2PS Z3, Z3
	VCVTDQ2PS Z5, Z5
	VMOVUPS (BX), Z9
	VPBROADCASTW (SI), Y13
	VCVTPH2PS Y13, Z13
	VMULPS Z13, Z3, Z3
	VMULPS Z9, Z3, Z3
	VADDPS Z3, Z11, Z11
	VPBROADCASTW (SI)(R9*1), Y13
	VCVTPH2PS Y13, Z13
	VMULPS Z13, Z5, Z5
	VMULPS Z9, Z5, Z5
	VADDPS Z5, Z12, Z12
	ADDQ $18, SI
	ADDQ $512, DI
	ADDQ $64, BX
	ADDQ $64, R8
	DECQ CX
	JNZ  v16r2loop

	VMOVUPS Z11, (DX)
	VMOVUPS Z12, 64(DX)
	VZEROUPPER
	RET

// TOKEN4(t, acc): token t's block (Acts8 layout, from DI) times the eight
// rows unpacked in Z18-Z21: the rows' exact sums Σ q·y (REDUCEPACK), s's
// 8·Σy (R13) subtracted, then as productsQ4r8VNNI: float, × the rows'
// scales (Y12), × the token's (BX), added to acc.
#define TOKEN4(t, acc) \
	VBROADCASTI64X4 (32*(t))(DI), Z11 \
	VPXORD Z3, Z3, Z3 \
	VPDPBUSD Z11, Z18, Z3 \
	VPXORD Z4, Z4, Z4 \
	VPDPBUSD Z11, Z19, Z4 \
	VPXORD Z5, Z5, Z5 \
	VPDPBUSD Z11, Z20, Z5 \
	VPXORD Z6, Z6, Z6 \
	VPDPBUSD Z11, Z21, Z6 \
	REDUCEPACK(Z16) \
	VPBROADCASTD (4*(t))(R13), Y9 \
	VPSUBD Y9, Y3, Y3 \
	VCVTDQ2PS Y3, Y3 \
	VMULPS Y12, Y3, Y3 \
	VBROADCASTSS (4*(t))(BX), Y9 \
	VMULPS Y9, Y3, Y3 \
	VADDPS Y3, acc, acc

// func productsQ4r8x4VNNI(row *byte, stride int, q *int8, dy *float32, s *int32, out *float32, nb int)
// productsQ4r8VNNI for four tokens (the first four of an Acts8's blocks
// from q, dy and s): each block of the eight rows unpacked, and its scales
// read, once for the four (what a small batch — forced answer text —
// otherwise does four times). Token t's eight rows to out[8t:8t+8].
TEXT ·productsQ4r8x4VNNI(SB), NOSPLIT, $0-56
	MOVQ row+0(FP), SI
	MOVQ stride+8(FP), R8
	MOVQ q+16(FP), DI
	MOVQ dy+24(FP), BX
	MOVQ s+32(FP), R13
	MOVQ out+40(FP), DX
	MOVQ nb+48(FP), CX
	LEAQ (R8)(R8*2), R9
	LEAQ (SI)(R8*4), R10
	VNNIROWCONSTS
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	VPXORD Z24, Z24, Z24
	VPXORD Z25, Z25, Z25
	LEAQ (R10)(R8*4), R11

vr8x4loop:
	PREFETCHT0 0(R11)
	PREFETCHT0 64(R11)
	PREFETCHT0 128(R11)
	ADDQ $144, R11
	UNPACKPAIR(2(SI), 2(SI)(R8*1), Z18)
	UNPACKPAIR(2(SI)(R8*2), 2(SI)(R9*1), Z19)
	UNPACKPAIR(2(R10), 2(R10)(R8*1), Z20)
	UNPACKPAIR(2(R10)(R8*2), 2(R10)(R9*1), Z21)
	ROWSCALES
	TOKEN4(0, Y22)
	TOKEN4(1, Y23)
	TOKEN4(2, Y24)
	TOKEN4(3, Y25)
	ADDQ $18, SI
	ADDQ $18, R10
	ADDQ $256, DI
	ADDQ $32, BX
	ADDQ $32, R13
	DECQ CX
	JNZ  vr8x4loop

	VMOVUPS Y22, (DX)
	VMOVUPS Y23, 32(DX)
	VMOVUPS Y24, 64(DX)
	VMOVUPS Y25, 96(DX)
	VZEROUPPER
	RET
