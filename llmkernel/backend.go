package llmkernel

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Request is one deep-tier inference.
type Request struct {
	Kind   Kind
	Prompt string
	// Schema constrains the answer (see Schema); backends must pass it to
	// the model's constrained decoding, and the answer is still re-checked.
	Schema json.RawMessage
}

// MaxAnswerBytes bounds a backend's answer: a decision's JSON is a few
// hundred bytes. Backends stop reading beyond it, and the deep tier refuses
// a longer answer from any backend.
const MaxAnswerBytes = 16 << 10

// Response is a backend's raw answer.
type Response struct {
	Text []byte
	// ModelTime is the model's own time as the server reports it (for
	// ollama, total_duration); the rest of the wall time is our overhead.
	ModelTime time.Duration
}

// ErrDeclined marks a backend's refusal to run an inference now rather
// than a failure: its CPU budget is spent, or a guard (heat, contention)
// holds it back. A backend wraps it; the deep tier counts such refusals
// apart (DeepStats.Declined) and does not log them as failures.
var ErrDeclined = errors.New("declined for now")

// Backend runs deep-tier inferences. Implementations: llmkernel/ollama.
// With no backend the engine is "embedded": policy, cache and fast tier only,
// fully offline.
type Backend interface {
	Name() string
	Infer(ctx context.Context, r Request) (Response, error)
}
