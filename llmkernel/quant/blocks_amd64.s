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
	BCAST($0x0F0F0F0F0F0F0F0F, X8, Y8)
	BCAST($0x0808080808080808, X9, Y9)

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
