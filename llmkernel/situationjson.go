package llmkernel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxSituationSize bounds a situation document.
const MaxSituationSize = 1 << 20

// SituationFile is the JSON form of a situation (runsc-ai decide
// --situation; docs/decisions.md).
type SituationFile struct {
	Kind     string             `json:"kind"`
	Sandbox  string             `json:"sandbox"`
	Image    string             `json:"image"`
	Features map[string]float64 `json:"features"`
	Evidence int                `json:"evidence"`
	Limits   Resources          `json:"limits"`
	Current  Resources          `json:"current"`
	// PeakMemory is Situation.PeakMemory (optional).
	PeakMemory uint64 `json:"peak_memory_bytes,omitempty"`
}

// DecodeSituation reads one situation document from r: at most
// MaxSituationSize bytes, no unknown fields, nothing after it, every value
// in range (Situation.Validate). Errors say what was wrong.
func DecodeSituation(r io.Reader) (Situation, error) {
	var s Situation
	b, err := io.ReadAll(io.LimitReader(r, MaxSituationSize+1))
	if err != nil {
		return s, err
	}
	if len(b) > MaxSituationSize {
		return s, fmt.Errorf("more than %d bytes", MaxSituationSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var sf SituationFile
	if err := dec.Decode(&sf); err != nil {
		return s, err
	}
	if rest := bytes.TrimSpace(b[dec.InputOffset():]); len(rest) > 0 {
		return s, errors.New("trailing data after the situation")
	}
	k, err := ParseKind(sf.Kind)
	if err != nil {
		return s, err
	}
	s = Situation{Kind: k, Sandbox: sf.Sandbox, Image: sf.Image, Evidence: sf.Evidence, Ceiling: sf.Limits, Current: sf.Current, PeakMemory: sf.PeakMemory}
	for name, v := range sf.Features {
		f, err := ParseFeature(name)
		if err != nil {
			return s, err
		}
		s.Features[f] = v
	}
	return s, s.Validate()
}
