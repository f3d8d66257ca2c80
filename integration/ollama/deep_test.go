package ollama_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/ollama"
	"github.com/go-os-agent/runsc-ai/policies"
)

func engine(t *testing.T, b llmkernel.Backend, timeout time.Duration) *llmkernel.Engine {
	t.Helper()
	p := policies.Default()
	p.Rules = nil // these tests are about the deep tier; the policy's rules would answer first
	p.Deep.Timeout = timeout
	e, err := llmkernel.New(llmkernel.Config{Policy: p, Backend: b})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// recorder passes inferences through to a real backend and keeps their
// errors (the engine counts them; the tests also need what they were).
type recorder struct {
	llmkernel.Backend
	mu   sync.Mutex
	errs []error
}

func (r *recorder) Infer(ctx context.Context, q llmkernel.Request) (llmkernel.Response, error) {
	resp, err := r.Backend.Infer(ctx, q)
	if err != nil {
		r.mu.Lock()
		r.errs = append(r.errs, err)
		r.mu.Unlock()
	}
	return resp, err
}

func (r *recorder) errors() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...)
}

func backend(t *testing.T, host, model string) *ollama.Backend {
	t.Helper()
	b, err := ollama.New(ollama.Options{Host: host, Model: model, NumThread: 1})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// situations returns n situations with distinct cache keys.
func situations(n int) []llmkernel.Situation {
	var out []llmkernel.Situation
	for i := 0; i < n; i++ {
		s := llmkernel.Situation{Kind: llmkernel.Kinds()[1+i%3], Sandbox: "ctr-" + string(rune('a'+i)), Image: "busybox", Evidence: 5,
			Ceiling: llmkernel.Resources{CPUShares: 4096, MemoryBytes: 1 << 30, IOWeight: 1000}, Current: llmkernel.Resources{CPUShares: 1024, MemoryBytes: 512 << 20, IOWeight: 100}}
		s.Features[llmkernel.FeatCPUThrottle] = float64(i%4) / 4
		s.Features[llmkernel.FeatLatencyNeed] = float64(i/4) / 4
		out = append(out, s)
	}
	return out
}

// The deep tier end to end on a real ollama: Decide answers from the fast
// tier at once, the model answers in the schema in the background, the answer
// is validated, cached, and distilled; later decisions come from the cache.
func TestDeepTierWithRealOllama(t *testing.T) {
	url := realOllama(t)
	rec := &recorder{Backend: backend(t, url, modelName)}
	e := engine(t, rec, 60*time.Second)
	sits := situations(8)
	for _, s := range sits {
		if d := e.Decide(context.Background(), s); d.Tier != llmkernel.TierFast {
			t.Fatalf("first decision came from %s, want fast: %v", d.Tier, d)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := e.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	st := e.Stats()
	t.Logf("deep tier: %+v", st.Deep)
	// The random-weight model can run its reason into the schema's length
	// bound, and ollama then ends the answer without "done" (seen on one of
	// these eight): the backend refuses a cut answer (an error; the fast
	// tier's decision stands). Any other error, or a timeout, fails.
	cut := 0
	for _, err := range rec.errors() {
		if strings.Contains(err.Error(), "the answer ended before it was done") {
			cut++
		} else {
			t.Errorf("deep tier: %v", err)
		}
	}
	if st.Deep.Completed+st.Deep.Invalid+uint64(cut) != uint64(len(sits)) || st.Deep.Timeouts != 0 || st.Deep.Errors != uint64(cut) || cut > len(sits)/4 {
		t.Fatalf("every inference should end validated or rejected (or, at most a quarter, cut by ollama): %+v, %d cut", st.Deep, cut)
	}
	if st.Deep.Completed == 0 {
		t.Fatal("no answer of the real model passed validation")
	}
	cached := 0
	for _, s := range sits {
		d := e.Decide(context.Background(), s)
		if d.Tier == llmkernel.TierFallback {
			continue // a guardrail (e.g. rate limit) replaced it: still valid
		}
		if d.Tier != llmkernel.TierCache {
			continue // this situation's answer was rejected by validation
		}
		cached++
		if !strings.HasPrefix(d.Reason, "deep tier (ollama:"+modelName+")") {
			t.Errorf("cached decision not from the deep tier: %v", d)
		}
		if c := e.FastChoice(s); c.Action != d.Action || c.N == 0 {
			t.Errorf("fast tier not distilled from the answer %s: greedy %s after %d", d.ActionName(), llmkernel.ActionName(s.Kind, c.Action), c.N)
		}
	}
	if cached != int(st.Deep.Completed) {
		t.Errorf("%d answers validated but %d served from the cache", st.Deep.Completed, cached)
	}
}

// The LLM path's own cost: wall time of Infer minus the model's time as
// ollama reports it (total_duration). Logged for the closing note; the bound
// is checked by BenchmarkOllamaOverhead, not by a timed test.
func TestOllamaAnswersInSchema(t *testing.T) {
	url := realOllama(t)
	b := backend(t, url, modelName)
	kind := llmkernel.KindMemory
	allowed := policies.Default().Kinds[kind].Allowed
	valid := 0
	var overhead []time.Duration
	for i, s := range situations(10) {
		s.Kind = kind
		c := llmkernel.Assemble(&s, llmkernel.Readers{}, policies.Default().Goal)
		req := llmkernel.Request{Kind: kind, Prompt: llmkernel.Prompt(kind, allowed, &c), Schema: llmkernel.Schema(kind, allowed)}
		start := time.Now()
		r, err := b.Infer(context.Background(), req)
		wall := time.Since(start)
		if err != nil {
			t.Fatalf("infer %d: %v", i, err)
		}
		if r.ModelTime <= 0 {
			t.Fatalf("no model time reported")
		}
		if i > 0 { // the first call loads the model
			overhead = append(overhead, wall-r.ModelTime)
		}
		if _, err := llmkernel.ParseAnswer(kind, allowed, r.Text); err == nil {
			valid++
		} else if !json.Valid(r.Text) {
			t.Errorf("answer %d is not even JSON: %q", i, r.Text)
		} else {
			t.Logf("answer %d rejected by validation: %v", i, err)
		}
	}
	sort.Slice(overhead, func(i, j int) bool { return overhead[i] < overhead[j] })
	t.Logf("%d/10 answers schema-valid; overhead beyond ollama's total_duration: median %v, max %v", valid, overhead[len(overhead)/2], overhead[len(overhead)-1])
	if valid < 5 {
		t.Errorf("only %d/10 answers valid", valid)
	}
}

func BenchmarkOllamaOverhead(b *testing.B) {
	url := realOllama(b)
	be, err := ollama.New(ollama.Options{Host: url, Model: modelName, NumThread: 1})
	if err != nil {
		b.Fatal(err)
	}
	kind := llmkernel.KindCPU
	allowed := policies.Default().Kinds[kind].Allowed
	s := situations(1)[0]
	c := llmkernel.Assemble(&s, llmkernel.Readers{}, policies.Default().Goal)
	req := llmkernel.Request{Kind: kind, Prompt: llmkernel.Prompt(kind, allowed, &c), Schema: llmkernel.Schema(kind, allowed)}
	if _, err := be.Infer(context.Background(), req); err != nil { // load the model
		b.Fatal(err)
	}
	var over, model time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		r, err := be.Infer(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		over += time.Since(start) - r.ModelTime
		model += r.ModelTime
	}
	b.ReportMetric(float64(over.Microseconds())/1000/float64(b.N), "overhead-ms/op")
	b.ReportMetric(float64(model.Microseconds())/1000/float64(b.N), "model-ms/op")
}

// faultInjectionOllama is a fake ollama for fault injection only: it speaks
// ollama's /api/generate but answers late or outside the schema.
func faultInjectionOllama(t *testing.T, delay time.Duration, answer string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"model": "x", "response": answer, "done": true, "total_duration": 1000})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// In every fault Decide answers at once with a valid decision, the fault is
// counted, and nothing is cached.
func TestDeepTierFaults(t *testing.T) {
	closed := func() string { // a port nobody listens on
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		return srv.URL
	}
	for _, tc := range []struct {
		name    string
		host    func(t *testing.T) string
		model   string
		counter func(llmkernel.DeepStats) uint64
	}{
		{"ollama down", func(*testing.T) string { return closed() }, modelName, func(s llmkernel.DeepStats) uint64 { return s.Errors }},
		{"model missing", realOllama2, "no-such-model", func(s llmkernel.DeepStats) uint64 { return s.Errors }},
		{"slow beyond the timeout", func(t *testing.T) string { return faultInjectionOllama(t, 5*time.Second, "{}") }, modelName, func(s llmkernel.DeepStats) uint64 { return s.Timeouts }},
		{"answer outside the schema", func(t *testing.T) string {
			return faultInjectionOllama(t, 0, `{"action":"disable_seccomp","step_pct":100,"confidence":100,"reason":"trust me"}`)
		}, modelName, func(s llmkernel.DeepStats) uint64 { return s.Invalid }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := engine(t, backend(t, tc.host(t), tc.model), 500*time.Millisecond)
			s := situations(1)[0]
			d := e.Decide(context.Background(), s)
			if d.Tier != llmkernel.TierFast || d.Action != llmkernel.ActionKeep {
				t.Fatalf("decision %v", d)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := e.WaitIdle(ctx); err != nil {
				t.Fatal(err)
			}
			st := e.Stats()
			if tc.counter(st.Deep) != 1 || st.Deep.Completed != 0 || st.CacheEntries != 0 {
				t.Fatalf("stats %+v", st)
			}
			if d := e.Decide(context.Background(), s); d.Tier == llmkernel.TierCache {
				t.Errorf("a fault was cached: %v", d)
			}
		})
	}
}

func realOllama2(t *testing.T) string { return realOllama(t) }
