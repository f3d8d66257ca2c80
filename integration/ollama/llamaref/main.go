//go:build llamaref

// Command llamaref is the tests' oracle for the in-process engine: llama.cpp
// itself, through the cgo bindings of the ollama module the tests already
// build (github.com/ollama/ollama/llama), run on one GGUF file. It reads
// one JSON request on stdin and writes one JSON answer:
//
//	{"model": PATH, "op": "tokenize", "texts": [BASE64, ...], "add_special": B, "parse_special": B}
//	  -> {"tokens": [[id, ...], ...]}
//	{"model": PATH, "op": "generate", "prompts": [[id, ...], ...], "n": N, "threads": T}
//	  -> {"results": [{"tokens": [...], "gaps": [...], "logits": [...]}]}
//
// generate is greedy: at each step the highest logit wins (ties: the lowest
// id); gaps are the top-1 minus top-2 logit at each step, logits the whole
// vocabulary's at the first step. Built by build-llamaref.sh (tag llamaref,
// cgo), cached like the ollama server.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/ollama/ollama/llama"
	"github.com/ollama/ollama/ml"
)

type request struct {
	Model        string   `json:"model"`
	Op           string   `json:"op"`
	Texts        [][]byte `json:"texts"` // base64: texts need not be valid UTF-8
	AddSpecial   bool     `json:"add_special"`
	ParseSpecial bool     `json:"parse_special"`
	Prompts      [][]int  `json:"prompts"`
	N            int      `json:"n"`
	Threads      int      `json:"threads"`
}

type result struct {
	Tokens []int     `json:"tokens"`
	Gaps   []float32 `json:"gaps"`
	Logits []float32 `json:"logits"`
	// PromptNs is the prompt's evaluation, GenNs the rest (both wall).
	PromptNs int64 `json:"prompt_ns"`
	GenNs    int64 `json:"gen_ns"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "llamaref:", err)
		os.Exit(1)
	}
}

func run() error {
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		return err
	}
	llama.BackendInit()
	m, err := llama.LoadModelFromFile(req.Model, llama.ModelParams{UseMmap: true, VocabOnly: req.Op == "tokenize"})
	if err != nil {
		return err
	}
	defer llama.FreeModel(m)
	enc := json.NewEncoder(os.Stdout)
	switch req.Op {
	case "tokenize":
		out := make([][]int, len(req.Texts))
		for i, t := range req.Texts {
			if out[i], err = m.Tokenize(string(t), req.AddSpecial, req.ParseSpecial); err != nil {
				return fmt.Errorf("text %d: %w", i, err)
			}
			if out[i] == nil {
				out[i] = []int{}
			}
		}
		return enc.Encode(map[string]any{"tokens": out})
	case "generate":
		threads := max(req.Threads, 1)
		var results []result
		for _, p := range req.Prompts {
			r, err := generate(m, p, req.N, threads)
			if err != nil {
				return err
			}
			results = append(results, r)
		}
		return enc.Encode(map[string]any{"results": results})
	}
	return fmt.Errorf("unknown op %q", req.Op)
}

func generate(m *llama.Model, prompt []int, n, threads int) (result, error) {
	var r result
	nctx := len(prompt) + n + 8
	ctx, err := llama.NewContextWithModel(m, llama.NewContextParams(nctx, nctx, 1, threads, ml.FlashAttentionDisabled, ""))
	if err != nil {
		return r, err
	}
	batch, err := llama.NewBatch(nctx, 1, 0)
	if err != nil {
		return r, err
	}
	defer batch.Free()
	for i, t := range prompt {
		batch.Add(t, nil, i, i == len(prompt)-1, 0)
	}
	pos := len(prompt)
	start := time.Now()
	for step := 0; step < n; step++ {
		if err := ctx.Decode(batch); err != nil {
			return r, err
		}
		if step == 0 {
			r.PromptNs = time.Since(start).Nanoseconds()
			start = time.Now()
		}
		logits := ctx.GetLogitsIth(batch.NumTokens() - 1)
		best, second := 0, -1
		for i := 1; i < len(logits); i++ {
			switch {
			case logits[i] > logits[best]:
				best, second = i, best
			case second < 0 || logits[i] > logits[second]:
				second = i
			}
		}
		if step == 0 {
			r.Logits = logits
		}
		r.Tokens = append(r.Tokens, best)
		r.Gaps = append(r.Gaps, logits[best]-logits[second])
		batch.Clear()
		batch.Add(best, nil, pos, true, 0)
		pos++
	}
	r.GenNs = time.Since(start).Nanoseconds()
	return r, nil
}
