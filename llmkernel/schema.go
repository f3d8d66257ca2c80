package llmkernel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Schema is the JSON schema the deep tier must answer in for kind k with
// the actions the policy allows: only enums, bounded integers and a short
// bounded string, which constrained decoding can always satisfy.
func Schema(k Kind, allowed []bool) json.RawMessage {
	var enum []string
	for i, n := range Actions(k) {
		if i < len(allowed) && allowed[i] || i == int(ActionKeep) {
			enum = append(enum, n)
		}
	}
	schema := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"action":     map[string]any{"type": "string", "enum": enum},
			"step_pct":   map[string]any{"type": "integer", "minimum": 0, "maximum": MaxStepPct},
			"confidence": map[string]any{"type": "integer", "minimum": 0, "maximum": 100},
			"reason":     map[string]any{"type": "string", "pattern": reasonPattern},
		},
		"required":             []string{"action", "step_pct", "confidence", "reason"},
		"additionalProperties": false,
	}
	b, _ := json.Marshal(schema)
	return b
}

// reasonChars are the characters a reason may use. Constrained decoding
// enforces them through the schema's pattern and the parser re-checks: a
// reason reaches logs and operators' terminals, so no control characters,
// no bidi overrides, no markup.
const reasonChars = "A-Za-z0-9 .,:;%()/_+-"

var reasonPattern = fmt.Sprintf("^[%s]{0,%d}$", reasonChars, MaxReasonLen)

func reasonChar(r rune) bool {
	switch {
	case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune(" .,:;%()/_+-", r)
}

// maxAnswer bounds what the parser will look at.
const maxAnswer = 4096

// Answer is a parsed, schema-valid deep-tier answer.
type Answer struct {
	Action     Action
	StepPct    int
	Confidence int
	Reason     string
}

// ErrSchema marks answers that violate the schema.
var ErrSchema = errors.New("answer violates the decision schema")

// ParseAnswer parses an LLM's answer for kind k and rejects anything outside
// the schema: unknown or duplicate keys, missing keys, non-integers, values
// out of range, actions outside the kind's space or not allowed, reasons that
// are too long or contain control characters. The text is hostile input.
func ParseAnswer(k Kind, allowed []bool, text []byte) (Answer, error) {
	var a Answer
	if k >= numKinds {
		return a, fmt.Errorf("%w: unknown kind %d", ErrSchema, k)
	}
	if len(text) > maxAnswer {
		return a, fmt.Errorf("%w: %d bytes, more than %d", ErrSchema, len(text), maxAnswer)
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return a, fmt.Errorf("%w: not a JSON object", ErrSchema)
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return a, fmt.Errorf("%w: %v", ErrSchema, err)
		}
		key, _ := t.(string)
		if seen[key] {
			return a, fmt.Errorf("%w: duplicate key %q", ErrSchema, key)
		}
		seen[key] = true
		var v any
		if err := dec.Decode(&v); err != nil {
			return a, fmt.Errorf("%w: value of %q: %v", ErrSchema, key, err)
		}
		switch key {
		case "action":
			s, ok := v.(string)
			if !ok {
				return a, fmt.Errorf("%w: action is not a string", ErrSchema)
			}
			act, err := ParseAction(k, s)
			if err != nil {
				return a, fmt.Errorf("%w: %v", ErrSchema, err)
			}
			if act != ActionKeep && (int(act) >= len(allowed) || !allowed[act]) {
				return a, fmt.Errorf("%w: action %q is not allowed by the policy", ErrSchema, s)
			}
			a.Action = act
		case "step_pct":
			n, err := boundedInt(key, v, 0, MaxStepPct)
			if err != nil {
				return a, err
			}
			a.StepPct = n
		case "confidence":
			n, err := boundedInt(key, v, 0, 100)
			if err != nil {
				return a, err
			}
			a.Confidence = n
		case "reason":
			s, ok := v.(string)
			if !ok {
				return a, fmt.Errorf("%w: reason is not a string", ErrSchema)
			}
			if err := checkReason(s); err != nil {
				return a, err
			}
			a.Reason = s
		default:
			return a, fmt.Errorf("%w: unknown key %q", ErrSchema, truncate(key, 32))
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return a, fmt.Errorf("%w: %v", ErrSchema, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return a, fmt.Errorf("%w: trailing data after the object", ErrSchema)
	}
	for _, req := range []string{"action", "step_pct", "confidence", "reason"} {
		if !seen[req] {
			return a, fmt.Errorf("%w: missing %q", ErrSchema, req)
		}
	}
	return a, nil
}

func boundedInt(key string, v any, lo, hi int) (int, error) {
	num, ok := v.(json.Number)
	if !ok || strings.ContainsAny(num.String(), ".eE") {
		return 0, fmt.Errorf("%w: %s is not an integer", ErrSchema, key)
	}
	n, err := num.Int64()
	if err != nil || n < int64(lo) || n > int64(hi) {
		return 0, fmt.Errorf("%w: %s = %s, want %d..%d", ErrSchema, key, truncate(num.String(), 24), lo, hi)
	}
	return int(n), nil
}

func checkReason(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: reason is not valid UTF-8", ErrSchema)
	}
	if n := utf8.RuneCountInString(s); n > MaxReasonLen {
		return fmt.Errorf("%w: reason has %d characters, more than %d", ErrSchema, n, MaxReasonLen)
	}
	for _, r := range s {
		if !reasonChar(r) {
			return fmt.Errorf("%w: reason contains %U, outside [%s]", ErrSchema, r, reasonChars)
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
