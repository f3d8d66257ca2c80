// Package ollama is the decision engine's deep-tier backend on an ollama
// server, through ollama's official Go client. Answers are constrained by the
// decision kind's JSON schema (ollama's "format") and re-validated by the
// engine; this package only carries requests and answers.
package ollama

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/go-os-agent/runsc-ai/llmkernel"
)

// DefaultModel is TinyLlama 1.1B chat (`ollama pull tinyllama`).
const DefaultModel = "tinyllama"

// DefaultHost is ollama's default address.
const DefaultHost = "http://127.0.0.1:11434"

// Options configure the backend.
type Options struct {
	Host  string // e.g. http://127.0.0.1:11434
	Model string
	// KeepAlive keeps the model loaded between decisions (a reload costs
	// seconds on a Pi).
	KeepAlive time.Duration
	// NumThread bounds the CPU the model takes from the sandboxes; 0 lets
	// ollama choose.
	NumThread int
	// NumPredict bounds the answer's tokens (the schema's answer is short).
	NumPredict int
}

// Backend implements llmkernel.Backend.
type Backend struct {
	client *api.Client
	opts   Options
}

// New returns a backend for the server at opts.Host.
func New(opts Options) (*Backend, error) {
	if opts.Host == "" {
		opts.Host = DefaultHost
	}
	if opts.Model == "" {
		opts.Model = DefaultModel
	}
	if opts.KeepAlive == 0 {
		opts.KeepAlive = 30 * time.Minute
	}
	if opts.NumPredict == 0 {
		opts.NumPredict = 256
	}
	u, err := url.Parse(opts.Host)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("ollama host %q: want a URL such as %s", opts.Host, DefaultHost)
	}
	// No client-wide timeout: each inference carries its context's deadline.
	return &Backend{client: api.NewClient(u, &http.Client{}), opts: opts}, nil
}

// Name implements llmkernel.Backend.
func (b *Backend) Name() string { return "ollama:" + b.opts.Model }

// Infer implements llmkernel.Backend.
func (b *Backend) Infer(ctx context.Context, r llmkernel.Request) (llmkernel.Response, error) {
	stream := false
	options := map[string]any{"temperature": 0, "num_predict": b.opts.NumPredict, "seed": 1}
	if b.opts.NumThread > 0 {
		options["num_thread"] = b.opts.NumThread
	}
	req := &api.GenerateRequest{
		Model:     b.opts.Model,
		Prompt:    r.Prompt,
		Format:    r.Schema,
		Stream:    &stream,
		KeepAlive: &api.Duration{Duration: b.opts.KeepAlive},
		Options:   options,
	}
	var out llmkernel.Response
	err := b.client.Generate(ctx, req, func(g api.GenerateResponse) error {
		out.Text = append(out.Text, g.Response...)
		if g.Done {
			out.ModelTime = g.TotalDuration
		}
		return nil
	})
	if err != nil {
		var se api.StatusError
		if errors.As(err, &se) && se.StatusCode == http.StatusNotFound {
			return out, fmt.Errorf("model %q not found on %s (ollama pull %s): %w", b.opts.Model, b.opts.Host, b.opts.Model, err)
		}
		return out, fmt.Errorf("ollama %s: %w", b.opts.Host, err)
	}
	return out, nil
}
