package llama

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/go-os-agent/runsc-ai/integration/ollama/tinygguf"
)

// A span saved from one sequence and restored into another that shares its
// tokens gives the logits evaluation gives, bit for bit, whatever the
// batches; restores that would put other positions' values in place are
// refused.
func TestSpanRestore(t *testing.T) {
	for _, typ := range []uint32{0, 2} {
		m, err := Open(write(t, tinygguf.Spec{Type: typ, Heads: 4, KVHeads: 2}))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		prompt, _ := m.Vocab.Encode(`{"action":"raise_cpu_shares","magnitude":25,"confidence":80,"reason":"busy"}`, true, true)
		if len(prompt) < 12 {
			t.Fatalf("prompt of %d tokens", len(prompt))
		}
		// The reference: the whole prompt evaluated in one go.
		ref := m.NewState(128, 2)
		want, err := ref.Eval(ctx, prompt)
		if err != nil {
			t.Fatal(err)
		}
		want = slices.Clone(want)
		// The saver evaluated in two batches; the span is positions 3..n-2.
		src := m.NewState(128, 1)
		if _, err := src.Eval(ctx, prompt[:5]); err != nil {
			t.Fatal(err)
		}
		if _, err := src.Eval(ctx, prompt[5:]); err != nil {
			t.Fatal(err)
		}
		n := len(prompt)
		sp, err := src.Save(3, n-2)
		if err != nil {
			t.Fatal(err)
		}
		if sp.Bytes() != 2*m.Layers*(n-5)*m.KVHeads*m.HeadDim*2 {
			t.Errorf("span bytes %d", sp.Bytes())
		}
		// Restored from positions 4 (the first four evaluated here) to n-2,
		// the last two evaluated: the same logits.
		dst := m.NewState(128, 2)
		if _, err := dst.Eval(ctx, prompt[:4]); err != nil {
			t.Fatal(err)
		}
		if err := dst.Restore(sp, n-2); err != nil || dst.Pos() != n-2 {
			t.Fatalf("restore: %v, %d positions", err, dst.Pos())
		}
		got, err := dst.Eval(ctx, prompt[n-2:])
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("type %d: logits after a restored span differ from evaluation's (argmax %d vs %d)", typ, Argmax(got), Argmax(want))
		}
		// Refused: a gap before the span, past its end, a bad save.
		gap := m.NewState(128, 1)
		if _, err := gap.Eval(ctx, prompt[:2]); err != nil {
			t.Fatal(err)
		}
		if err := gap.Restore(sp, 6); err == nil || !strings.Contains(err.Error(), "restore of positions 2..6") {
			t.Errorf("restore leaving a gap: %v", err)
		}
		if err := dst.Restore(sp, n); err == nil {
			t.Errorf("restore past the span's end: no error")
		}
		if _, err := src.Save(2, n+1); err == nil {
			t.Errorf("save past the filled positions: no error")
		}
		m.Close()
	}
}
