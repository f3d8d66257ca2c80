// Package inproc is the decision engine's in-process deep-tier backend: a
// llama-architecture model (TinyLlama) loaded from a GGUF file and run by
// llmkernel/llama inside runsc-ai — no server, no cgo. Answers are
// generated under the decision kind's JSON schema (constrained decoding),
// and each kind's prompt reuses the key-value cache of the longest token
// prefix it shares with the kind's previous prompt, so a decision evaluates
// little more than its own numbers.
package inproc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/llama"
	"github.com/go-os-agent/runsc-ai/llmkernel/spm"
)

// Options configure the backend.
type Options struct {
	// Model is a GGUF path, or a model name in ollama's local store
	// ("tinyllama", "tinyllama:1.1b"; see Resolve).
	Model string
	// ModelsDir is ollama's store (default $OLLAMA_MODELS, else
	// ~/.ollama/models).
	ModelsDir string
	// Threads run the matrix work (default 1).
	Threads int
	// Context bounds a decision's tokens (prompt and answer; default 1024).
	Context int
	// MaxModelBytes refuses larger model files (0: no bound).
	MaxModelBytes int64
	// CPUBudget bounds inference to this share of one core, averaged over
	// a minute (0.5: 30 CPU-seconds a minute); 0: no bound. An inference
	// asked for while the budget is spent fails at once with ErrBudget (the
	// engine's other tiers decide), and is counted.
	CPUBudget float64
	// Gate, when set, is asked before every inference; an error pauses
	// that inference (ErrPaused wraps it; counted): the agent's thermal
	// guard.
	Gate func() error
	// HostCPU reads the host's CPU time, busy and total, summed over its
	// CPUs (platform/host.ReadCPUTime). With MaxHostCPU in (0, 1] it is
	// the contention guard: an inference does not start, and a running
	// one stops, while work other than this process used more than
	// MaxHostCPU of the host's CPUs over the last quarter second or so
	// (ErrPaused wraps why; counted apart from the Gate's pauses).
	HostCPU    func() (busy, total time.Duration, err error)
	MaxHostCPU float64
	// Latency, when set, is the latency guard: asked before an inference
	// and every quarter second during one, an error (which sandbox needs
	// low latency now) stops it as the contention guard does, counted
	// with its pauses.
	Latency func() error
}

// declined is a refusal to run now, not a failure: the engine counts it
// apart (llmkernel.ErrDeclined) and its other tiers decide.
type declined string

func (e declined) Error() string        { return string(e) }
func (e declined) Is(target error) bool { return target == llmkernel.ErrDeclined }

// ErrPaused wraps a guard's refusal.
var ErrPaused error = declined("inproc: inference paused")

// ErrBudget: the inference CPU budget is spent for now.
var ErrBudget error = declined("inproc: inference CPU budget spent; the other tiers decide")

// InferenceStats count the backend's work.
type InferenceStats struct {
	Inferences   uint64        `json:"inferences"`
	CPU          time.Duration `json:"cpu_ns"` // on the inference threads
	BudgetPauses uint64        `json:"budget_pauses"`
	GatePauses   uint64        `json:"thermal_pauses"`
	// ContentionPauses count inferences not started, or stopped, by the
	// contention guard.
	ContentionPauses uint64 `json:"contention_pauses"`
	LastPause        string `json:"last_pause,omitempty"`
	Priority         string `json:"priority"`
	Threads          int    `json:"threads"`
	// PromptTokens were evaluated past the cached prefixes; KeptTokens
	// were taken back from recent decisions' kept data blocks instead,
	// which hold KeptBytes.
	PromptTokens uint64 `json:"prompt_tokens"`
	KeptTokens   uint64 `json:"kept_tokens"`
	KeptBytes    int    `json:"kept_bytes"`
}

// Backend implements llmkernel.Backend on a model in this process.
type Backend struct {
	m        *llama.Model
	pool     *llama.Pool
	priority string // how the inference threads were lowered
	name     string
	path     string
	opts     Options
	busy     *contention // nil: no contention guard
	mu       sync.Mutex  // one inference at a time
	byKind   map[llmkernel.Kind]*session
	spans    spans // decisions' data blocks, kept for the next with the same

	// The budget: CPU time inference may still use, refilled at CPUBudget
	// CPU-seconds per second up to a minute's worth.
	credit  time.Duration
	lastCPU time.Duration
	lastAt  time.Time

	// Counters have their own lock: status must not wait for an
	// inference (which holds mu for seconds).
	statsMu sync.Mutex
	decided uint64
	paused  uint64
	gated   uint64
	crowded uint64
	why     string
	// The prompts' tokens evaluated and taken back, and the kept blocks'
	// size (a copy of spans.bytes, which b.mu guards).
	evaluated, restored uint64
	keptBytes           int
}

// session is a kind's sequence: the tokens its cache holds.
type session struct {
	st   *llama.State
	toks []int32
	// fixed is how many leading tokens every prompt of the kind so far
	// shared (instructions, actions, goal, host): what follows is a
	// decision's own data, kept in b.spans. -1 before the first prompt.
	fixed int
	// fresh, restored and answered are the last decision's prompt tokens
	// evaluated (past the cached prefix), prompt tokens taken back from a
	// kept span, and answer tokens evaluated.
	fresh, restored, answered int
}

// answerTokens bounds an answer's generated tokens.
const answerTokens = 160

// New opens the model.
func New(opts Options) (*Backend, error) {
	path, name, err := Resolve(opts.Model, opts.ModelsDir)
	if err != nil {
		return nil, err
	}
	if opts.MaxModelBytes > 0 {
		if st, err := os.Stat(path); err == nil && st.Size() > opts.MaxModelBytes {
			return nil, fmt.Errorf("model %s: %d MiB, more than the memory budget of %d MiB", path, st.Size()>>20, opts.MaxModelBytes>>20)
		}
	}
	m, err := llama.Open(path)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", opts.Model, err)
	}
	opts.Threads = max(opts.Threads, 1)
	if opts.Context <= 0 {
		opts.Context = 1024
	}
	opts.Context = min(opts.Context, m.Context)
	if !(opts.CPUBudget >= 0) || opts.CPUBudget > 1024 {
		m.Close()
		return nil, fmt.Errorf("inproc: CPU budget %v (want 0..1024 cores)", opts.CPUBudget)
	}
	if !(opts.MaxHostCPU >= 0) || opts.MaxHostCPU > 1 {
		m.Close()
		return nil, fmt.Errorf("inproc: host CPU share %v (want 0..1)", opts.MaxHostCPU)
	}
	b := &Backend{m: m, name: name, path: path, opts: opts, byKind: map[llmkernel.Kind]*session{}, lastAt: time.Now()}
	if opts.HostCPU != nil && opts.MaxHostCPU > 0 || opts.Latency != nil {
		b.busy = newContention(opts.HostCPU, processCPU, opts.MaxHostCPU, opts.Latency)
	}
	b.credit = b.window()
	var once sync.Once
	b.pool = llama.NewPool(opts.Threads, func() {
		p := lowerThread()
		once.Do(func() { b.priority = p })
	}, threadCPU)
	return b, nil
}

// window is a minute of the budget.
func (b *Backend) window() time.Duration {
	return time.Duration(b.opts.CPUBudget * float64(time.Minute))
}

// spend charges the CPU the pool used since the last call and refills the
// budget for the time passed; it reports whether any budget is left.
// Called with b.mu held.
func (b *Backend) spend(now time.Time) bool {
	if b.opts.CPUBudget == 0 {
		return true
	}
	cpu := b.pool.CPU()
	b.credit -= cpu - b.lastCPU
	b.credit += time.Duration(b.opts.CPUBudget * float64(now.Sub(b.lastAt)))
	b.credit = min(b.credit, b.window())
	b.lastCPU, b.lastAt = cpu, now
	return b.credit > 0
}

// Stats snapshots the counters.
func (b *Backend) Stats() InferenceStats {
	b.statsMu.Lock()
	defer b.statsMu.Unlock()
	return InferenceStats{Inferences: b.decided, CPU: b.pool.CPU(), BudgetPauses: b.paused, GatePauses: b.gated, ContentionPauses: b.crowded, LastPause: b.why,
		Priority: b.priority, Threads: b.pool.Size(), PromptTokens: b.evaluated, KeptTokens: b.restored, KeptBytes: b.keptBytes}
}

// Priority says how the inference threads run ("SCHED_IDLE", "nice 19").
func (b *Backend) Priority() string { return b.priority }

// Close releases the model.
func (b *Backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.byKind, b.spans = nil, spans{}
	b.pool.Close()
	return b.m.Close()
}

// Name implements llmkernel.Backend.
func (b *Backend) Name() string { return "inproc:" + b.name }

// Model describes the loaded model for status.
func (b *Backend) Model() string {
	c := b.m.Config
	return fmt.Sprintf("%s (%s; %d layers, embedding %d, %d/%d heads, vocabulary %d; %d threads at %s)", b.name, b.path,
		c.Layers, c.Embd, c.Heads, c.KVHeads, c.VocabSize, b.pool.Size(), b.priority)
}

// Infer implements llmkernel.Backend: the prompt through the model's chat
// template, the answer under the request's schema.
func (b *Backend) Infer(ctx context.Context, r llmkernel.Request) (llmkernel.Response, error) {
	start := time.Now()
	shape, err := ShapeOf(r.Schema)
	if err != nil {
		return llmkernel.Response{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.byKind == nil {
		return llmkernel.Response{}, errors.New("inproc: backend closed")
	}
	if b.opts.Gate != nil {
		if err := b.opts.Gate(); err != nil {
			b.count(&b.gated, err.Error())
			return llmkernel.Response{}, fmt.Errorf("%w: %w", ErrPaused, err)
		}
	}
	if !b.spend(time.Now()) {
		b.count(&b.paused, ErrBudget.Error())
		return llmkernel.Response{}, ErrBudget
	}
	ids, err := Tokens(b.m.Vocab, b.m.ChatTemplate, r.Prompt)
	if err != nil {
		return llmkernel.Response{}, err
	}
	if len(ids)+answerTokens > b.opts.Context {
		return llmkernel.Response{}, fmt.Errorf("inproc: prompt of %d tokens leaves no room for the answer in %d", len(ids), b.opts.Context)
	}
	if b.busy != nil {
		if err := b.busy.check(ctx, false); err != nil {
			b.count(&b.crowded, err.Error())
			return llmkernel.Response{}, &pausedErr{err}
		}
		if err := ctx.Err(); err != nil {
			return llmkernel.Response{}, err
		}
	}
	run, stop := b.watch(ctx)
	var text []byte
	b.pool.Run(func() { text, err = b.infer(run, r.Kind, ids, shape) })
	stop()
	b.spend(time.Now())
	if err != nil {
		var paused *pausedErr
		if errors.As(context.Cause(run), &paused) && ctx.Err() == nil {
			b.count(&b.crowded, paused.why.Error())
			return llmkernel.Response{}, paused
		}
		return llmkernel.Response{}, err
	}
	b.count(&b.decided, "")
	return llmkernel.Response{Text: text, ModelTime: time.Since(start)}, nil
}

// watch checks the contention guard, a window at a time, while an
// inference runs, and cancels the returned context (its cause a
// *pausedErr) when the guard says stop; stop ends the watch.
func (b *Backend) watch(ctx context.Context) (run context.Context, stop func()) {
	if b.busy == nil {
		return ctx, func() {}
	}
	run, cancel := context.WithCancelCause(ctx)
	watching, unwatch := context.WithCancel(run)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for watching.Err() == nil {
			if err := b.busy.check(watching, true); err != nil && watching.Err() == nil {
				cancel(&pausedErr{err})
				return
			}
		}
	}()
	return run, func() {
		unwatch()
		<-finished
		cancel(nil)
	}
}

// pausedErr is the contention guard's refusal, before or during an
// inference.
type pausedErr struct{ why error }

func (e *pausedErr) Error() string   { return ErrPaused.Error() + ": " + e.why.Error() }
func (e *pausedErr) Unwrap() []error { return []error{ErrPaused, e.why} }

// count adds one to a counter and, for a pause, keeps why.
func (b *Backend) count(n *uint64, why string) {
	b.statsMu.Lock()
	defer b.statsMu.Unlock()
	*n++
	if why != "" {
		b.why = why
	}
}

// infer runs on a pool thread: the kind's cached prefix reused, the rest of
// the prompt evaluated, the answer decoded under shape.
func (b *Backend) infer(ctx context.Context, kind llmkernel.Kind, ids []int32, shape llama.Shape) ([]byte, error) {
	s := b.byKind[kind]
	if s == nil {
		s = &session{st: b.m.NewState(b.opts.Context, b.opts.Threads), fixed: -1}
		s.st.UsePool(b.pool)
		b.byKind[kind] = s
	}
	// Reuse the cached prefix; always evaluate at least the last token.
	common := 0
	for common < len(s.toks) && common < len(ids)-1 && s.toks[common] == ids[common] && common < s.st.Pos() {
		common++
	}
	switch {
	case len(s.toks) == 0: // nothing to compare with
		if s.fixed < 0 {
			s.fixed = len(ids) // the first prompt keeps no span
		}
	case s.fixed < 0 || common < s.fixed:
		s.fixed = common
	}
	s.st.Truncate(common)
	s.toks = s.toks[:common]
	// Then what a kept span of an earlier decision of the kind with the
	// same data holds (the same image: the same sandbox after others, or
	// another sandbox of it).
	from := common
	if sp, to := b.spans.best(ids, common, len(ids)-1); sp != nil {
		if err := s.st.Restore(sp.kv, to); err == nil {
			s.toks = append(s.toks, ids[common:to]...)
			common = to
		}
	}
	// The rest of the prompt is evaluated with the answer's opening.
	text, err := s.st.DecodeJSON(ctx, ids[common:], shape, answerTokens)
	if s.st.Pos() < len(ids) {
		// The prompt did not get through (an error, a cancellation):
		// nothing past the common prefix is trusted.
		s.st.Truncate(common)
		s.toks = s.toks[:common]
		return nil, err
	}
	s.toks = append(s.toks, ids[common:]...)
	s.fresh, s.restored, s.answered = len(ids)-common, common-from, s.st.Pos()-len(s.toks)
	if s.fixed < len(ids) {
		// Keep this decision's data block for the next with the same.
		if kv, err := s.st.Save(s.fixed, len(ids)); err == nil {
			b.spans.keep(ids, kv)
		}
	}
	b.statsMu.Lock()
	b.evaluated += uint64(s.fresh)
	b.restored += uint64(s.restored)
	b.keptBytes = b.spans.bytes
	b.statsMu.Unlock()
	// The answer's tokens are not part of the next prompt's prefix.
	s.st.Truncate(len(s.toks))
	return text, err
}

// Tokens renders a prompt as the model's chat template expects it, for the
// template families llama chat models ship (TinyLlama-chat's is Zephyr's:
// "<|user|>\n…</s>\n<|assistant|>\n"; Llama-2-chat's "[INST] … [/INST]"),
// and tokenizes it. The prompt carries container-controlled strings, so it
// is tokenized with special tokens off: text such as "</s>" in it stays
// text and cannot end the turn. A file without a template gets the prompt
// as is, after BOS.
func Tokens(v *spm.Vocab, template, prompt string) ([]int32, error) {
	switch {
	case strings.Contains(template, "<|user|>") && strings.Contains(template, "<|assistant|>"):
		ids, err := v.Encode("<|user|>\n"+prompt, true, false)
		if err != nil {
			return nil, err
		}
		ids = append(ids, v.EOS)
		tail, err := v.Encode("\n<|assistant|>\n", false, false)
		return append(ids, tail...), err
	case strings.Contains(template, "[INST]"):
		return v.Encode("[INST] "+prompt+" [/INST]", true, false)
	}
	return v.Encode(prompt, true, false)
}

// ShapeOf turns a decision schema (llmkernel.Schema: an object of enums,
// bounded integers and a string with a character-class pattern) into the
// shape constrained decoding writes, fields in the schema's required order.
func ShapeOf(schema []byte) (llama.Shape, error) {
	var s struct {
		Properties map[string]struct {
			Type    string   `json:"type"`
			Enum    []string `json:"enum"`
			Minimum *int     `json:"minimum"`
			Maximum *int     `json:"maximum"`
			Pattern string   `json:"pattern"`
		} `json:"properties"`
		Required []string `json:"required"`
	}
	if err := json.Unmarshal(schema, &s); err != nil {
		return nil, fmt.Errorf("inproc: schema: %w", err)
	}
	var out llama.Shape
	for _, name := range s.Required {
		p, ok := s.Properties[name]
		if !ok {
			return nil, fmt.Errorf("inproc: schema: required %q has no property", name)
		}
		f := llama.Field{Name: name}
		switch {
		case len(p.Enum) > 0:
			f.Enum = p.Enum
		case p.Type == "integer" && p.Minimum != nil && p.Maximum != nil:
			f.Integer, f.Min, f.Max = true, *p.Minimum, *p.Maximum
		case p.Type == "string":
			chars, n, err := parseClass(p.Pattern)
			if err != nil {
				return nil, fmt.Errorf("inproc: schema: %s: %w", name, err)
			}
			f.MaxLen, f.Char = n, func(c byte) bool { return chars[c] }
		default:
			return nil, fmt.Errorf("inproc: schema: %s: unsupported property", name)
		}
		out = append(out, f)
	}
	return out, nil
}

// parseClass reads "^[class]{0,N}$" (ASCII ranges and characters).
func parseClass(p string) (*[256]bool, int, error) {
	var set [256]bool
	if !strings.HasPrefix(p, "^[") {
		return nil, 0, fmt.Errorf("pattern %q: want ^[...]{0,N}$", p)
	}
	end := strings.Index(p, "]{0,")
	if end < 0 || !strings.HasSuffix(p, "}$") {
		return nil, 0, fmt.Errorf("pattern %q: want ^[...]{0,N}$", p)
	}
	class := p[2:end]
	var n int
	if _, err := fmt.Sscanf(p[end+4:len(p)-2], "%d", &n); err != nil || n < 0 || n > 1024 {
		return nil, 0, fmt.Errorf("pattern %q: length", p)
	}
	for i := 0; i < len(class); i++ {
		c := class[i]
		if i+2 < len(class) && class[i+1] == '-' {
			for x := int(c); x <= int(class[i+2]); x++ {
				set[x] = true
			}
			i += 2
			continue
		}
		set[c] = true
	}
	return &set, n, nil
}
