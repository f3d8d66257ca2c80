package history

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/profile"
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
	if r, err := s.Decision(8); err != nil || r.Sandbox != "webx" || r.Action != "raise_shares" {
		t.Errorf("decision 8: %+v, %v", r, err)
	}
	if _, err := s.Decision(99); !errors.Is(err, ErrNoDecision) {
		t.Errorf("decision 99: %v, want ErrNoDecision", err)
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
	e, err := llmkernel.New(llmkernel.Config{Policy: p, Models: st, Records: st})
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
	e2, err := llmkernel.New(llmkernel.Config{Policy: p, Models: st, Records: st})
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

// fill writes n decisions (with outcomes for every other one) and closes.
func fill(t *testing.T, path string, n int) {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.db.NoSync, s.db.MaxBatchSize = true, 1 // a test's data: no fsync, no batching delay
	for i := 1; i <= n; i++ {
		r := llmkernel.DecisionRecord{ID: uint64(i), At: time.Unix(int64(i), 0), Sandbox: fmt.Sprintf("sb-%d", i%7), Kind: "cpu", Action: "keep", Tier: "fast",
			Reason: strings.Repeat("r", 200)}
		if err := s.PutDecision(r); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			s.PutOutcome(uint64(i), llmkernel.Outcome{DecisionID: uint64(i)}, 0.5)
		}
	}
	s.Close()
}

// Every kind of damage — truncation, garbage pages behind valid meta pages
// (bbolt panics "invalid freelist page"), a wrong file, garbage throughout
// — is a corrupt history moved aside, never a panic; the read-only open
// (explain) reports it without moving anything.
func TestDamagedFilesNeverPanic(t *testing.T) {
	const page = 4096
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"truncated", func(t *testing.T, path string) {
			st, _ := os.Stat(path)
			os.Truncate(path, st.Size()/2)
		}},
		{"truncated mid-page", func(t *testing.T, path string) { os.Truncate(path, 3*page+100) }},
		{"garbage pages", func(t *testing.T, path string) {
			b, _ := os.ReadFile(path)
			rng := rand.New(rand.NewPCG(1, 2))
			for i := 2 * page; i < len(b); i++ {
				b[i] = byte(rng.Uint32())
			}
			os.WriteFile(path, b, 0o600)
		}},
		{"zeroed pages", func(t *testing.T, path string) {
			b, _ := os.ReadFile(path)
			clear(b[2*page:])
			os.WriteFile(path, b, 0o600)
		}},
		{"wrong file", func(t *testing.T, path string) {
			os.WriteFile(path, []byte(`{"this": "is not a database"}`+strings.Repeat("\n", 9000)), 0o600)
		}},
		{"garbage", func(t *testing.T, path string) {
			b := make([]byte, 64*page)
			rng := rand.New(rand.NewPCG(3, 4))
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
			os.WriteFile(path, b, 0o600)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "history.db")
			fill(t, path, 300)
			tc.damage(t, path)
			if ro, err := OpenReadOnly(path); err == nil {
				// Damage that leaves every reachable page valid is possible
				// only for truncation past the data; reading must still work.
				_, rerr := ro.ForSandbox("sb-1", 10)
				ro.Close()
				t.Logf("read-only open accepted the file (read: %v)", rerr)
			} else if !errors.Is(err, ErrCorrupt) {
				t.Logf("read-only: %v", err)
			}
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("the read-only open moved the file: %v", err)
			}
			s, err := Open(path)
			if !errors.Is(err, ErrCorrupt) || s == nil {
				if s != nil {
					s.Close()
				}
				t.Fatalf("Open = %v; want a fresh store and ErrCorrupt", err)
			}
			defer s.Close()
			if err := s.PutDecision(llmkernel.DecisionRecord{ID: 1, Sandbox: "a", Kind: "cpu"}); err != nil {
				t.Errorf("fresh store: %v", err)
			}
			if moved, _ := filepath.Glob(path + ".corrupt-*"); len(moved) != 1 {
				t.Errorf("moved aside: %v", moved)
			}
		})
	}
}

// Only the newest decisions are kept, and their outcomes and index entries
// go with them: every bucket stays bounded.
func TestHistoryIsBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.max = 50
	s.db.NoSync, s.db.MaxBatchSize = true, 1
	for i := 1; i <= 400; i++ {
		if err := s.PutDecision(llmkernel.DecisionRecord{ID: uint64(i), Sandbox: fmt.Sprintf("sb-%d", i%13), Kind: "cpu"}); err != nil {
			t.Fatal(err)
		}
		// Outcomes also arrive late, for decisions already pruned.
		s.PutOutcome(uint64(i), llmkernel.Outcome{DecisionID: uint64(i)}, 1)
		if i > 60 {
			s.PutOutcome(uint64(i-60), llmkernel.Outcome{DecisionID: uint64(i - 60)}, 1)
		}
	}
	counts := map[string]int{}
	s.db.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketDecisions, bucketOutcomes, bucketBySandbox} {
			counts[string(b)] = tx.Bucket(b).Stats().KeyN
		}
		return nil
	})
	for b, n := range counts {
		if n > s.max {
			t.Errorf("bucket %s holds %d entries, bound %d", b, n, s.max)
		}
	}
	if got, _ := s.ForSandbox("sb-1", 100); len(got) == 0 || got[len(got)-1].ID < 390 {
		t.Errorf("newest decisions not kept: %v", got)
	}
}

// Rate limits outlive the agent: an agent restarted right after a cut (or
// killed while applying one) does not cut again within min_interval.
func TestGuardrailsSurviveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	p := testPolicy()
	p.Guardrails.MinEvidence, p.Guardrails.MinInterval, p.Guardrails.Hysteresis = 0, 10*time.Second, time.Minute
	lower, _ := llmkernel.ParseAction(llmkernel.KindMemory, "lower_limit")
	p.Rules = []llmkernel.Rule{{Name: "cut", Kind: llmkernel.KindMemory, Action: lower, StepPct: 25,
		When: []llmkernel.Condition{{Feature: llmkernel.FeatMemUtil, Min: 0, Max: 0.4}}}}
	s := llmkernel.Situation{Kind: llmkernel.KindMemory, Sandbox: "sb", Evidence: 9, Features: llmkernel.Features{0.5, 0, 0.1},
		Ceiling: llmkernel.Resources{MemoryBytes: 1 << 30}, Current: llmkernel.Resources{MemoryBytes: 256 << 20}}
	cuts := 0
	for restart := 0; restart < 3; restart++ {
		st, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		e, err := llmkernel.New(llmkernel.Config{Policy: p, Models: st, Records: st, NoRecords: true})
		if err != nil {
			t.Fatal(err)
		}
		d := e.Decide(t.Context(), s)
		if d.Action == lower {
			cuts++
			// What the live loop persists: the write-ahead record only, as
			// if the agent were killed while applying.
			r := llmkernel.NewRecord(&s, &d, time.Now())
			r.Applied = "applying: memory limit 268435456 -> 201326592"
			if err := st.PutDecision(r); err != nil {
				t.Fatal(err)
			}
		} else if d.Guardrail != llmkernel.GuardRateLimit {
			t.Errorf("restart %d: %v, want the rate limit", restart, d)
		}
		e.Close()
		st.Close()
	}
	if cuts != 1 {
		t.Errorf("%d cuts in 3 restarts within min_interval, want 1", cuts)
	}
}

// Profiles persist by image; a damaged one is an error naming the image
// (the watcher then starts that image afresh), an oversized key is
// refused, and the list skips damage.
func TestProfiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	p := profile.New("image:web")
	p.Learn(&profile.Window{Execs: []string{"web"}})
	if err := s.SaveProfile(p); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveProfile(profile.New(strings.Repeat("x", llmkernel.MaxImageKey+1))); err == nil {
		t.Error("an oversized image key was stored")
	}
	if q, err := s.LoadProfile("image:web"); err != nil || q == nil || q.Execs["web"] != 1 || q.Windows != 1 {
		t.Errorf("loaded %+v %v", q, err)
	}
	if q, err := s.LoadProfile("image:none"); q != nil || err != nil {
		t.Errorf("absent: %+v %v", q, err)
	}
	s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketProfiles).Put([]byte("image:bad"), []byte("{not json"))
	})
	if _, err := s.LoadProfile("image:bad"); err == nil || !strings.Contains(err.Error(), "image:bad") {
		t.Errorf("damaged: %v", err)
	}
	if ps, err := s.Profiles(); err != nil || len(ps) != 1 || ps[0].Image != "image:web" {
		t.Errorf("list %+v %v", ps, err)
	}
	s.Close()
}
