package llmkernel

import "time"

// What the engine persists, as small interfaces: a store implements the ones
// it serves (llmkernel/history all of them; the create-time records only
// ModelLoader). Calls happen off the decision path.

// ModelLoader gives the engine the learned fast tier it starts from.
type ModelLoader interface {
	// LoadModel returns nil, nil when nothing was saved.
	LoadModel(name string) ([]byte, error)
}

// ModelSaver keeps the fast tier the engine learns. A Config.Models that
// does not implement it is read-only: the engine never marshals its model.
type ModelSaver interface {
	SaveModel(name string, b []byte) error
}

// Recorder keeps decisions and their outcomes.
type Recorder interface {
	PutDecision(r DecisionRecord) error
	PutOutcome(id uint64, o Outcome, reward float64) error
}

// HistoryReader lists a sandbox's earlier decisions of a kind with their
// outcomes: the history a deep-tier prompt tells the model. A
// Config.Records that implements it is the default Readers.History.
type HistoryReader interface {
	Recent(sandbox string, k Kind, max int) ([]HistoryEntry, error)
}

// DecisionRecord is a decision as persisted.
type DecisionRecord struct {
	ID         uint64             `json:"id"`
	At         time.Time          `json:"at"`
	Sandbox    string             `json:"sandbox"`
	Image      string             `json:"image,omitempty"`
	Kind       string             `json:"kind"`
	Key        string             `json:"key"`
	Action     string             `json:"action"`
	StepPct    int                `json:"step_pct"`
	Confidence int                `json:"confidence"`
	Tier       string             `json:"tier"`
	Reason     string             `json:"reason"`
	Rejected   string             `json:"rejected,omitempty"`
	Features   map[string]float64 `json:"features"`
	LatencyNs  int64              `json:"latency_ns"`
	// Applied says what changed on the host ("cpu.shares 1024 -> 512"),
	// ApplyError why nothing did; both empty for decisions not applied.
	Applied    string `json:"applied,omitempty"`
	ApplyError string `json:"apply_error,omitempty"`
	// Subject is what a security decision's anomaly is about, as
	// llmkernel/profile names it (exec:NAME, class:CLASS, fork_rate:R), so
	// that an operator can accept it into the image's profile later.
	Subject string `json:"subject,omitempty"`
	// Triage is the deep tier's note on an anomaly ("looks benign
	// (backend): \"reason\""), added once the model has answered.
	Triage string `json:"triage,omitempty"`
}

// NewRecord is decision d on situation s, made at, as persisted.
func NewRecord(s *Situation, d *Decision, at time.Time) DecisionRecord {
	f := make(map[string]float64, NumFeatures)
	for i, v := range s.Features {
		f[Feature(i).String()] = v
	}
	return DecisionRecord{
		ID: d.ID, At: at, Sandbox: s.Sandbox, Image: s.Image, Kind: d.Kind.String(), Key: d.Key.String(),
		Action: d.ActionName(), StepPct: d.StepPct, Confidence: d.Confidence, Tier: d.Tier.String(),
		Reason: d.Reason, Rejected: d.Rejected, Features: f, LatencyNs: d.Latency.Nanoseconds(),
	}
}

// Change is a setting change applied to a sandbox, as the guardrails need to
// remember it: rate limits and hysteresis must outlive the agent, or a
// crash-looping agent becomes a cut-loop.
type Change struct {
	Sandbox   string
	Kind      Kind
	At        time.Time
	Direction int // > 0 grant, < 0 cut
}

// ChangeHistory lists the changes applied since a time (llmkernel/history).
// New restores the guardrails from a Config.Records that implements it.
type ChangeHistory interface {
	RecentChanges(since time.Time) ([]Change, error)
}

// ChangeOf returns the change a persisted record describes, and whether it
// describes one: a decision that was applied, or was being applied when
// its writer stopped (write-ahead "applying: …" records count: the change
// may have happened).
func ChangeOf(r *DecisionRecord) (Change, bool) {
	if r.Applied == "" {
		return Change{}, false
	}
	k, err := ParseKind(r.Kind)
	if err != nil {
		return Change{}, false
	}
	a, err := ParseAction(k, r.Action)
	if err != nil {
		return Change{}, false
	}
	return Change{Sandbox: r.Sandbox, Kind: k, At: r.At, Direction: direction(k, a)}, true
}
