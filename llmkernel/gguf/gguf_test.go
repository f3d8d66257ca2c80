package gguf

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-os-agent/runsc-ai/integration/ollama/tinygguf"
)

func tiny(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tiny.gguf")
	if err := tinygguf.Write(path, 1); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOpenTinyModel(t *testing.T) {
	f, err := Open(tiny(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Version != 3 || f.String("general.architecture") != "llama" {
		t.Errorf("version %d arch %q", f.Version, f.String("general.architecture"))
	}
	if n, err := f.Uint("llama.embedding_length"); err != nil || n != tinygguf.Embedding {
		t.Errorf("embedding %d %v", n, err)
	}
	toks, ok := f.Metadata["tokenizer.ggml.tokens"].Strings()
	scores, ok2 := f.Metadata["tokenizer.ggml.scores"].Float32s()
	types, ok3 := f.Metadata["tokenizer.ggml.token_type"].Int32s()
	if !ok || !ok2 || !ok3 || len(toks) != len(scores) || len(toks) != len(types) || toks[1] != "<s>" {
		t.Errorf("vocabulary: %d tokens, %d scores, %d types", len(toks), len(scores), len(types))
	}
	emb, ok := f.Tensor("token_embd.weight")
	if !ok || emb.Type != F32 || emb.Dims[0] != tinygguf.Embedding || uint64(len(f.Data(emb))) != emb.Elements()*4 {
		t.Fatalf("token_embd: %+v", emb)
	}
	if len(f.Tensors) != 3+9*tinygguf.Layers {
		t.Errorf("%d tensors", len(f.Tensors))
	}
}

// Every truncation of a real file and every flipped header byte is an
// error naming the file (or a file that still parses), never a panic.
func TestDamagedFiles(t *testing.T) {
	path := tiny(t)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := Parse("x", b)
	header := int(f.DataOffset)
	for n := 0; n < len(b); n += 1 + n/64 {
		if _, err := Parse("cut.gguf", b[:n]); err == nil {
			t.Fatalf("truncated to %d of %d bytes: accepted", n, len(b))
		} else if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "cut.gguf") {
			t.Fatalf("truncated to %d: %v", n, err)
		}
	}
	for i := 0; i < header; i++ {
		c := append([]byte(nil), b...)
		c[i] ^= 0xff
		Parse("flip.gguf", c) // must not panic
	}
	for _, tc := range []struct{ name, content string }{
		{"empty", ""}, {"json", `{"not": "gguf"}` + strings.Repeat(" ", 64)},
	} {
		p := filepath.Join(t.TempDir(), tc.name)
		os.WriteFile(p, []byte(tc.content), 0o600)
		if _, err := Open(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if _, err := Open(t.TempDir()); err == nil {
		t.Error("a directory opened")
	}
	if _, err := Open("/no/such/model.gguf"); err == nil || !strings.Contains(err.Error(), "/no/such/model.gguf") {
		t.Errorf("missing file: %v", err)
	}
}

// Counts a hostile header claims are refused before anything is allocated
// for them.
func TestHugeCountsAreRefused(t *testing.T) {
	le := func(v uint64, n int) []byte {
		out := make([]byte, n)
		for i := range out {
			out[i] = byte(v >> (8 * i))
		}
		return out
	}
	hdr := func(nt, nkv uint64, rest ...[]byte) []byte {
		b := append(le(Magic, 4), le(3, 4)...)
		b = append(append(b, le(nt, 8)...), le(nkv, 8)...)
		for _, r := range rest {
			b = append(b, r...)
		}
		return b
	}
	key := append(le(3, 8), "abc"...)
	for name, b := range map[string][]byte{
		"kv count":     hdr(0, 1<<62),
		"tensor count": hdr(1<<62, 0),
		"string len":   hdr(0, 1, key, le(uint64(TypeString), 4), le(1<<60, 8)),
		"array len":    hdr(0, 1, key, le(uint64(TypeArray), 4), le(uint64(TypeFloat32), 4), le(1<<60, 8)),
		"nested":       hdr(0, 1, key, le(uint64(TypeArray), 4), le(uint64(TypeArray), 4), le(1, 8), le(uint64(TypeArray), 4), le(1, 8), le(uint64(TypeArray), 4), le(1, 8)),
		"bad version":  append(le(Magic, 4), le(7, 4)...),
	} {
		if _, err := Parse(name, b); err == nil || !errors.Is(err, ErrFormat) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	b, err := os.ReadFile(tiny(f))
	if err != nil {
		f.Fatal(err)
	}
	g, _ := Parse("seed", b)
	f.Add(b[:g.DataOffset])
	f.Add(b[:64])
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := Parse("fuzz", b)
		if err != nil {
			return
		}
		for i := range g.Tensors {
			if d := g.Data(&g.Tensors[i]); uint64(len(d)) != g.Tensors[i].Size {
				t.Fatalf("tensor %q: %d bytes, want %d", g.Tensors[i].Name, len(d), g.Tensors[i].Size)
			}
		}
	})
}
