package llama

import "context"

// Greedy evaluates prompt and then generates up to n tokens, each the
// highest logit (ties: the lowest id), stopping after an end-of-sequence
// token. It returns the generated tokens.
func (s *State) Greedy(ctx context.Context, prompt []int32, n int) ([]int32, error) {
	logits, err := s.Eval(ctx, prompt)
	if err != nil {
		return nil, err
	}
	var out []int32
	for len(out) < n {
		t := Argmax(logits)
		out = append(out, t)
		if t == s.m.Vocab.EOS || len(out) == n {
			break
		}
		if logits, err = s.Eval(ctx, []int32{t}); err != nil {
			return out, err
		}
	}
	return out, nil
}

// Argmax is the index of the largest value (the first of equals).
func Argmax(x []float32) int32 {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return int32(best)
}
