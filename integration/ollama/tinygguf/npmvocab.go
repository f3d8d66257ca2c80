package tinygguf

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// LoadNPMVocab reads the 32,000-piece SentencePiece vocabulary shipped by
// the npm package @lenml/llama2-tokenizer-vocab-llama2 (its dist/main.js:
// one base64 literal of URI-encoded JSON, piece -> id, ids in merge order,
// spaces written as " "). Scores follow the ids (earlier merges first), as
// in llama GGUF files; ids 0..2 are <unk>, <s>, </s>, then the 256 byte
// tokens.
func LoadNPMVocab(mainJS string) (*Vocab, error) {
	b, err := os.ReadFile(mainJS)
	if err != nil {
		return nil, err
	}
	i := bytes.Index(b, []byte(`B("`))
	if i < 0 {
		return nil, fmt.Errorf("%s: no vocabulary literal", mainJS)
	}
	rest := b[i+3:]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return nil, fmt.Errorf("%s: unterminated literal", mainJS)
	}
	dec, err := base64.StdEncoding.DecodeString(string(rest[:j]))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", mainJS, err)
	}
	js, err := url.PathUnescape(string(dec))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", mainJS, err)
	}
	var m map[string]int
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		return nil, fmt.Errorf("%s: %w", mainJS, err)
	}
	v := &Vocab{Tokens: make([]string, len(m)), Scores: make([]float32, len(m)), Types: make([]int32, len(m))}
	for piece, id := range m {
		if id < 0 || id >= len(m) || v.Tokens[id] != "" {
			return nil, fmt.Errorf("%s: id %d out of range or twice", mainJS, id)
		}
		typ := int32(1)
		switch {
		case id == 0:
			typ = 2
		case id <= 2:
			typ = 3
		case id <= 258:
			typ = 6
		default:
			piece = strings.ReplaceAll(piece, " ", "▁")
			v.Scores[id] = -float32(id - 259)
		}
		v.Tokens[id], v.Types[id] = piece, typ
	}
	return v, nil
}
