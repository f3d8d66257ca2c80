package bench

import "math"

// MaxGapP is the largest p-value at which runsc's gap to the oracle counts
// as measured rather than noise: a captured fraction is only computed where
// the oracle's repetitions are better than runsc's beyond chance (one-sided
// Mann–Whitney, mannWhitneyP). On a noisy VM the floor itself can spread
// over 50 %; a fraction of a gap inside that spread says nothing about a
// decision.
const MaxGapP = 0.05

// mannWhitneyP is the exact one-sided p-value of the Mann–Whitney U test
// that the values of a are better than those of b (lower when better is
// "lower", else higher): the chance, were a and b drawn from one
// distribution, of a U at least as large as the one observed, U counting
// the pairs in which a's value is the better (ties half). Exact for
// samples without ties (the null distribution of the rank sum), slightly
// conservative with them. 1 when either is empty.
func mannWhitneyP(better string, a, b []float64) float64 {
	n1, n2 := len(a), len(b)
	if n1 == 0 || n2 == 0 {
		return 1
	}
	u := 0.0
	for _, x := range a {
		for _, y := range b {
			switch {
			case x == y:
				u += 0.5
			case (x < y) == (better == "lower"):
				u++
			}
		}
	}
	// Under the null every choice of a's n1 ranks among 1..N is equally
	// likely; U = (a's rank sum) − n1(n1+1)/2, rank 1 the worst. ways[k][s]
	// counts the choices of k ranks summing to s.
	N := n1 + n2
	maxSum := n1 * (2*N - n1 + 1) / 2
	ways := make([][]float64, n1+1)
	for k := range ways {
		ways[k] = make([]float64, maxSum+1)
	}
	ways[0][0] = 1
	for r := 1; r <= N; r++ {
		for k := min(r, n1); k >= 1; k-- {
			for s := maxSum; s >= r; s-- {
				ways[k][s] += ways[k-1][s-r]
			}
		}
	}
	from := int(math.Ceil(u-1e-9)) + n1*(n1+1)/2
	var tail, total float64
	for s, w := range ways[n1] {
		total += w
		if s >= from {
			tail += w
		}
	}
	return tail / total
}
