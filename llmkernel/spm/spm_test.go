package spm

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// tiny builds a vocabulary: specials, the 256 byte tokens, then pieces in
// merge order (earlier = higher score).
func tiny(t *testing.T, pieces ...string) *Vocab {
	t.Helper()
	toks := []string{"<unk>", "<s>", "</s>"}
	types := []int32{2, 3, 3}
	for b := 0; b < 256; b++ {
		toks = append(toks, fmt.Sprintf("<0x%02X>", b))
		types = append(types, 6)
	}
	for _, p := range pieces {
		toks = append(toks, p)
		types = append(types, 1)
	}
	scores := make([]float32, len(toks))
	for i := 259; i < len(toks); i++ {
		scores[i] = -float32(i)
	}
	v, err := New(toks, scores, types, Options{BOS: 1, EOS: 2, UNK: 0, AddBOS: true, AddSpacePrefix: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMergesAndFallback(t *testing.T) {
	v := tiny(t, "▁", "h", "e", "l", "o", "he", "ll", "▁he", "llo", "▁hello")
	id := func(p string) int32 { i, _ := v.ID(p); return i }
	got, _ := v.Encode("hello", true, true)
	if want := []int32{1, id("▁hello")}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("hello: %v, want %v", got, want)
	}
	// "x" is not in the vocabulary: its byte token.
	got, _ = v.Encode("hex", false, true)
	if want := []int32{id("▁he"), 3 + 'x'}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("hex: %v, want %v", got, want)
	}
	// Special text becomes the token only with parseSpecial; a space
	// follows it.
	got, _ = v.Encode("<s>he", false, true)
	if want := []int32{1, id("▁he")}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("<s>he: %v, want %v", got, want)
	}
	got, _ = v.Encode("<s>", false, false)
	if len(got) < 3 || got[0] == 1 {
		t.Errorf("<s> without parseSpecial: %v", got)
	}
}

// Decoding inverts encoding: every valid text comes back (after the space
// the tokenizer puts in front).
func TestRoundTrip(t *testing.T) {
	v := tiny(t, "▁", "a", "b", "ab", "▁a", "é", "🚀")
	for _, s := range []string{"", "ab ba", "é🚀 x\ny", "日本", strings.Repeat("ab ", 50), "<s>a</s>b"} {
		ids, err := v.Encode(s, false, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.Decode(ids); got != " "+s && !(s == "" && got == "") {
			t.Errorf("%q -> %v -> %q", s, ids, got)
		}
	}
	if _, err := v.Encode(strings.Repeat("a", MaxTextLen+1), false, false); err == nil {
		t.Error("a text over the bound was tokenized")
	}
}

func TestBadVocabularies(t *testing.T) {
	if _, err := New(nil, nil, nil, Options{}); err == nil {
		t.Error("empty vocabulary accepted")
	}
	if _, err := New([]string{"a"}, []float32{0, 1}, []int32{1}, Options{}); err == nil {
		t.Error("mismatched lengths accepted")
	}
	if _, err := New([]string{"a"}, []float32{0}, []int32{1}, Options{BOS: 5}); err == nil {
		t.Error("BOS outside the vocabulary accepted")
	}
}

func FuzzEncode(f *testing.F) {
	f.Add("hello world", true)
	f.Add("\xff<s>\x00", false)
	f.Fuzz(func(t *testing.T, s string, special bool) {
		v := tiny(t, "▁", "a", "b", "ab", "▁ab", "<", "s", ">")
		ids, err := v.Encode(s, false, special)
		if err != nil {
			return
		}
		for _, id := range ids {
			if id < 0 || int(id) >= v.Len() {
				t.Fatalf("id %d", id)
			}
		}
		if !special && utf8.ValidString(s) {
			if got := v.Decode(ids); got != " "+s && s != "" {
				t.Fatalf("%q decodes as %q", s, got)
			}
		}
	})
}
