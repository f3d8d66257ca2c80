package llmkernel

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func trainedFastTier() *FastTier {
	f := NewFastTier(0.3)
	for i := 0; i < 20; i++ {
		s := Situation{Kind: Kind(i % int(numKinds))}
		s.Features[FeatCPUUtil] = float64(i%5) / 5
		f.Update(&s, Action(i%2), float64(i%3)/3, 1)
	}
	return f
}

// Both persisted forms restore the same learner; damaged input is refused
// and leaves the tier as it was.
func TestFastTierPersistedForms(t *testing.T) {
	f := trainedFastTier()
	js, _ := json.Marshal(f)
	bin, _ := f.MarshalBinary()
	for name, b := range map[string][]byte{"json": js, "binary": bin} {
		g := NewFastTier(0.1)
		if err := g.Restore(b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for k := Kind(0); k < numKinds; k++ {
			if !reflect.DeepEqual(g.models[k].Load(), f.models[k].Load()) {
				t.Errorf("%s: %s model differs after restore", name, k)
			}
		}
		if g.alpha != 0.3 {
			t.Errorf("%s: alpha %v", name, g.alpha)
		}
	}
	fresh := NewFastTier(0.3)
	before := fresh.models[KindCreate].Load()
	for name, b := range map[string][]byte{
		"truncated": bin[:len(bin)-3], "trailing": append(append([]byte{}, bin...), 0),
		"magic": append([]byte("XXXX"), bin[4:]...), "empty": nil,
		// A JSON model of a build with other features (no dim: the
		// builds before cpu_wait) would zero-fill into this one's arrays.
		"other features": []byte(strings.Replace(string(js), fmt.Sprintf(`"dim":%d`, dim), `"dim":9`, 1)),
		"no dim":         []byte(strings.Replace(string(js), fmt.Sprintf(`"dim":%d,`, dim), ``, 1)),
	} {
		if err := fresh.Restore(b); err == nil {
			t.Errorf("%s model accepted", name)
		}
	}
	if fresh.models[KindCreate].Load() != before {
		t.Error("a refused model changed the tier")
	}
}

func BenchmarkFastTierRestore(b *testing.B) {
	f := trainedFastTier()
	js, _ := json.Marshal(f)
	bin, _ := f.MarshalBinary()
	for name, data := range map[string][]byte{"json": js, "binary": bin} {
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if err := NewFastTier(0.3).Restore(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Conservative leaves the well-known action for another only on evidence
// beyond the noise; the optimistic choice jumps to untried actions.
func TestConservativeNeedsEvidence(t *testing.T) {
	f := NewFastTier(0.3)
	s := Situation{Kind: KindCreate}
	for i := 0; i < 20; i++ {
		f.Update(&s, ActionKeep, 0, 1)
	}
	if c := f.Decide(&s, true); c.Action == ActionKeep {
		t.Errorf("optimistic choice stayed with the known action")
	}
	if c := f.Conservative(&s); c.Action != ActionKeep {
		t.Errorf("conservative choice left keep for untried %d", c.Action)
	}
	other := Action(2)
	f.Update(&s, other, 0.3, 1) // one lucky outcome is not enough
	if c := f.Conservative(&s); c.Action != ActionKeep {
		t.Errorf("one outcome moved the conservative choice to %d", c.Action)
	}
	for i := 0; i < 30; i++ {
		f.Update(&s, other, 0.3, 1)
	}
	if c := f.Conservative(&s); c.Action != other {
		t.Errorf("consistent evidence did not move the choice: %+v", c)
	}
}
