package history

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-os-agent/runsc-ai/llmkernel"
)

func TestPersistsAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := uint64(1); i <= 7; i++ {
		if err := s.PutDecision(llmkernel.DecisionRecord{ID: i, At: time.Unix(int64(i), 0), Sandbox: "web", Kind: "cpu", Action: "keep", Tier: "fast"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutDecision(llmkernel.DecisionRecord{ID: 8, Sandbox: "webx", Kind: "cpu", Action: "raise_shares"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutOutcome(7, llmkernel.Outcome{DecisionID: 7, Latency: 0.5}, 0.25); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveModel("m", []byte(`{"x":1}`)); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h, err := s.Recent("web", llmkernel.KindCPU, 5)
	if err != nil || len(h) != 5 {
		t.Fatalf("recent: %v, %v", h, err)
	}
	// Oldest first, only this sandbox (not "webx"), reward joined in.
	if !h[0].At.Equal(time.Unix(3, 0)) || h[4].Reward == nil || *h[4].Reward != 0.25 || h[3].Reward != nil {
		t.Errorf("recent = %+v", h)
	}
	if m, err := s.LoadModel("m"); err != nil || string(m) != `{"x":1}` {
		t.Errorf("model %q, %v", m, err)
	}
	if m, err := s.LoadModel("none"); err != nil || m != nil {
		t.Errorf("missing model %q, %v", m, err)
	}
}

// A corrupt file is moved aside, reported, and replaced by a working store.
func TestCorruptFileMovedAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "history.db")
	junk := []byte(strings.Repeat("not a bbolt database ", 1000))
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if !errors.Is(err, ErrCorrupt) || s == nil {
		t.Fatalf("Open = %v, %v; want a store and ErrCorrupt", s, err)
	}
	defer s.Close()
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), ".corrupt-") {
		t.Errorf("error %q does not say where the file went", err)
	}
	moved, _ := filepath.Glob(path + ".corrupt-*")
	if len(moved) != 1 {
		t.Fatalf("corrupt file not kept aside: %v", moved)
	}
	if b, _ := os.ReadFile(moved[0]); string(b) != string(junk) {
		t.Error("the corrupt file's contents were not kept")
	}
	if err := s.SaveModel("m", []byte("1")); err != nil {
		t.Errorf("new store unusable: %v", err)
	}
}

// The engine's learning survives a restart through the store.
func TestEngineRestoresLearning(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	p := testPolicy()
	s1 := llmkernel.Situation{Kind: llmkernel.KindCPU, Sandbox: "a", Evidence: 9, Features: llmkernel.Features{0.9, 0.9}}
	raise, _ := llmkernel.ParseAction(llmkernel.KindCPU, "raise_shares")

	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	e, err := llmkernel.New(llmkernel.Config{Policy: p, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 40; i++ {
		d := e.Decide(t.Context(), s1)
		r := -0.5
		if d.Action == raise {
			r = 0.9
		}
		if err := e.Observe(llmkernel.Outcome{DecisionID: d.ID, Throughput: r, Latency: r}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	e.Close()
	learned := e.FastChoice(s1)
	st.Close()
	if learned.Action != raise {
		t.Fatalf("did not learn raise: %+v", learned)
	}

	st, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e2, err := llmkernel.New(llmkernel.Config{Policy: p, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	if got := e2.FastChoice(s1); got.Action != raise || got.N != learned.N {
		t.Errorf("after restart: %+v, before: %+v", got, learned)
	}
	if recs, err := st.Decisions(100); err != nil || len(recs) != 40 {
		t.Errorf("persisted decisions: %d, %v", len(recs), err)
	}
}

func testPolicy() llmkernel.Policy {
	var p llmkernel.Policy
	for _, k := range llmkernel.Kinds() {
		p.Kinds[k] = llmkernel.AllowAll(k, 50)
	}
	p.Goal = llmkernel.Goal{Name: "t", Throughput: 1, Latency: 1}
	p.Cache = llmkernel.CachePolicy{TTL: time.Minute, MinConfidence: 101}
	p.Fast = llmkernel.FastPolicy{Alpha: 1, DistillWeight: 2}
	p.Deep = llmkernel.DeepPolicy{Timeout: time.Second, Concurrency: 1, Queue: 1}
	return p
}
