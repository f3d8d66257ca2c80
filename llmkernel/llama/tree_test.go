package llama

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/go-os-agent/runsc-ai/integration/ollama/tinygguf"
)

// A tree of alternative continuations evaluated in one pass gives, for
// every token, bit for bit the logits of its branch evaluated alone in
// order; keeping a branch leaves the cache as that evaluation would (the
// next token's logits are identical too). The tree is larger than a batch,
// so it is evaluated in pieces whose branches reach into earlier pieces.
func TestTreeIsEachBranchAlone(t *testing.T) {
	q6 := uint32(14)
	for _, sp := range []tinygguf.Spec{{Type: 0}, {Type: 2}, {Type: 12, Types: map[string]uint32{"output": q6}, Embd: 256, FFN: 512}} {
		sp.Heads, sp.KVHeads = 4, 2
		m, err := Open(write(t, sp))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		prompt := []int32{1, 5, 9, 13, 17, 21, 25}
		// Node j follows parent[j]: a few long chains, branching at
		// several depths, interleaved so no branch is contiguous.
		n := maxBatch + 13
		parent := make([]int, n)
		toks := make([]int32, n)
		for j := range parent {
			switch {
			case j < 3:
				parent[j] = -1
			case j%4 == 0:
				parent[j] = j / 2
			default:
				parent[j] = j - 3
			}
			toks[j] = int32((j*131 + 7) % m.VocabSize)
		}
		tree := m.NewState(128, 2)
		if _, err := tree.Eval(ctx, prompt); err != nil {
			t.Fatal(err)
		}
		got, err := tree.EvalTree(ctx, toks, parent)
		if err != nil {
			t.Fatal(err)
		}
		got = append([][]float32(nil), got...) // rows stay valid: no other EvalTree runs
		branch := func(j int) []int32 {
			var b []int32
			for ; j >= 0; j = parent[j] {
				b = append([]int32{toks[j]}, b...)
			}
			return b
		}
		for _, j := range []int{0, 2, 7, 20, maxBatch + 1, n - 1} {
			alone := m.NewState(128, 1)
			want, err := alone.Eval(ctx, append(append([]int32(nil), prompt...), branch(j)...))
			if err != nil {
				t.Fatal(err)
			}
			same(t, sp.Type, "tree token", j, got[j], want)
		}
		// Keep the last branch, then one more token: as if it had been
		// evaluated alone.
		j := n - 1
		if err := tree.KeepBranch(j); err != nil {
			t.Fatal(err)
		}
		if tree.Pos() != len(prompt)+len(branch(j)) {
			t.Fatalf("kept a branch of %d after %d: at %d", len(branch(j)), len(prompt), tree.Pos())
		}
		next, err := tree.Eval(ctx, []int32{42})
		if err != nil {
			t.Fatal(err)
		}
		alone := m.NewState(128, 1)
		want, _ := alone.Eval(ctx, append(append(append([]int32(nil), prompt...), branch(j)...), 42))
		same(t, sp.Type, "after the kept branch", j, next, want)
		if err := tree.KeepBranch(0); err == nil || !strings.Contains(err.Error(), "no evaluated tree") {
			t.Errorf("a branch kept twice: %v", err)
		}
		for _, bad := range [][]int{{0}, {-1, 1}, {-2}} {
			if _, err := tree.EvalTree(ctx, toks[:len(bad)], bad); err == nil {
				t.Errorf("parents %v: evaluated", bad)
			}
		}
		m.Close()
	}
}

func same(t *testing.T, typ uint32, what string, j int, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("type %d: %s %d: logit %d is %v, alone %v", typ, what, j, i, got[i], want[i])
		}
	}
}

// An enum's value is the one with the highest total log-probability, each
// value scored by evaluating it alone; the cache then holds the chosen
// value as if it had been evaluated alone.
func TestEnumIsTheLikeliestValue(t *testing.T) {
	m, err := Open(write(t, tinygguf.Spec{Seed: 9, Heads: 4, KVHeads: 2}))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	values := []string{"keep", "raise_shares", "lower_shares", "raise_quota", "lower_quota", "r"}
	for p := 0; p < 12; p++ {
		prompt, _ := m.Vocab.Encode(strings.Repeat("ab c", p)+`{"action":"`, true, false)
		s := m.NewState(256, 2)
		first, err := s.Eval(ctx, prompt)
		if err != nil {
			t.Fatal(err)
		}
		first = append([]float32(nil), first...)
		best, bestLP := "", math.Inf(-1)
		for _, v := range values {
			ids := m.Vocab.EncodeRaw(v + `"`)
			alone := m.NewState(256, 1)
			alone.CopyFrom(s, len(prompt))
			lp := normOf(first).of(first, ids[0])
			for j := 1; j < len(ids); j++ {
				l, err := alone.Eval(ctx, ids[j-1:j])
				if err != nil {
					t.Fatal(err)
				}
				lp += normOf(l).of(l, ids[j])
			}
			if lp > bestLP {
				best, bestLP = v, lp
			}
		}
		d := &decoder{s: s, g: m.grammar(), ctx: ctx, budget: 100, logits: first}
		got, err := d.enum(values, `"`)
		if err != nil || got != best {
			t.Fatalf("prompt %d: enum chose %q (%v), the likeliest alone is %q", p, got, err, best)
		}
		ids := m.Vocab.EncodeRaw(got + `"`)
		if s.Pos() != len(prompt)+len(ids)-1 || len(d.pending) != 1 || d.pending[0] != ids[len(ids)-1] {
			t.Fatalf("prompt %d: after %q the cache holds %d positions and %v waits", p, got, s.Pos(), d.pending)
		}
	}
}
