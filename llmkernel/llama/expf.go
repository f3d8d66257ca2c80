package llama

import "math"

// The exponentials below are ggml's (SSE2 build, no FMA: ollama's module
// build compiles ggml for baseline x86-64), so that softmax and SiLU round
// as llama.cpp's do. Every product is converted to float32 explicitly so
// that no compiler fuses a multiply-add.

// vexpf is ggml_v_expf: Arm's optimized-routines expf, max error 1.5 ulp.
func vexpf(x float32) float32 {
	const r = float32(0x1.8p23)
	z := float32(x*float32(0x1.715476p+0)) + r
	n := z - r
	b := float32(x - float32(n*float32(0x1.62e4p-1)))
	b = b - float32(n*float32(0x1.7f7d1cp-20))
	e := math.Float32bits(z) << 23
	k := math.Float32frombits(e + math.Float32bits(1))
	u := float32(b * b)
	p1 := float32(float32(0x1.0e4020p-7)*b) + float32(0x1.573e2ep-5)
	p2 := float32(float32(0x1.555e66p-3)*b) + float32(0x1.fffdb6p-2)
	j := float32(float32(float32(p1*u)+p2)*u) + float32(float32(0x1.ffffecp-1)*b)
	an := float32(math.Abs(float64(n)))
	if !(an > 126) {
		return float32(j*k) + k
	}
	var g uint32
	if n <= 0 {
		g = 0x82000000
	}
	s1 := math.Float32frombits(g + 0x7f000000)
	s2 := math.Float32frombits(e - g)
	if an > 192 {
		return s1 * s1
	}
	return float32(float32(s2*j)+s2) * s1
}

// softmaxExp replaces x with exp(x - mx) and returns their sum as ggml's
// ggml_vec_soft_max_f32 forms it: four at a time, (v0+v1)+(v2+v3) in
// float32, added in float64 (the padded cache beyond x adds zeros).
func softmaxExp(x []float32, mx float32) float64 {
	var sum float64
	for i := 0; i < len(x); i += 4 {
		var v [4]float32
		for j := 0; j < 4 && i+j < len(x); j++ {
			v[j] = vexpf(x[i+j] - mx)
			x[i+j] = v[j]
		}
		sum += float64((v[0] + v[1]) + (v[2] + v[3]))
	}
	return sum
}

// swiglu sets g = silu(g) * u as ggml_vec_swiglu_f32 (SSE2 path).
func swiglu(g, u []float32) {
	for i, x := range g {
		g[i] = float32(x/(1+vexpf(-x))) * u[i]
	}
}
