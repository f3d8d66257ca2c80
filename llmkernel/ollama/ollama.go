// Package ollama is the decision engine's deep-tier backend on an ollama
// server: one POST to its /api/generate per decision, the answer
// constrained by the decision kind's JSON schema (ollama's "format") and
// re-validated by the engine; this package only carries requests and
// answers. It speaks the HTTP API itself rather than through ollama's Go
// client: that client's package brings x/crypto/ssh and more into every
// runsc-ai process — the command, the gofer and the sandbox — whose
// initialisation each container start would pay.
package ollama

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

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
	generate string // the /api/generate URL
	client   *http.Client
	opts     Options
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
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("ollama host %q: want a URL such as %s", opts.Host, DefaultHost)
	}
	// No client-wide timeout: each inference carries its context's deadline.
	return &Backend{generate: u.JoinPath("api", "generate").String(), client: &http.Client{}, opts: opts}, nil
}

// Name implements llmkernel.Backend.
func (b *Backend) Name() string { return "ollama:" + b.opts.Model }

// generateRequest and generateResponse are the fields of ollama's
// /api/generate this backend uses (ollama's api.GenerateRequest and
// api.GenerateResponse).
type generateRequest struct {
	Model     string          `json:"model"`
	Prompt    string          `json:"prompt"`
	Format    json.RawMessage `json:"format,omitempty"`
	Stream    bool            `json:"stream"`
	KeepAlive string          `json:"keep_alive,omitempty"`
	Options   map[string]any  `json:"options,omitempty"`
}

type generateResponse struct {
	Response      string `json:"response"`
	Done          bool   `json:"done"`
	TotalDuration int64  `json:"total_duration"` // nanoseconds
	Error         string `json:"error"`
}

// Infer implements llmkernel.Backend. Everything read from the server is
// bounded (llmkernel.MaxAnswerBytes of answer, maxBody of response), and a
// response that is cut off, over its bound, not done, or an HTTP error is a
// backend error, never an answer.
func (b *Backend) Infer(ctx context.Context, r llmkernel.Request) (llmkernel.Response, error) {
	options := map[string]any{"temperature": 0, "num_predict": b.opts.NumPredict, "seed": 1}
	if b.opts.NumThread > 0 {
		options["num_thread"] = b.opts.NumThread
	}
	keep := b.opts.KeepAlive.String()
	if b.opts.KeepAlive < 0 {
		keep = "-1"
	}
	body, err := json.Marshal(generateRequest{Model: b.opts.Model, Prompt: r.Prompt, Format: r.Schema,
		KeepAlive: keep, Options: options})
	if err != nil {
		return llmkernel.Response{}, fmt.Errorf("ollama request: %w", err)
	}
	g, status, err := b.post(ctx, body)
	if err == nil && status >= 400 {
		err = fmt.Errorf("HTTP %d: %s", status, quoteCut(g.Error))
		if status == http.StatusNotFound {
			return llmkernel.Response{}, fmt.Errorf("model %q not found on %s (ollama pull %s): %w", b.opts.Model, b.opts.Host, b.opts.Model, err)
		}
	}
	if err == nil && !g.Done {
		err = errors.New("the answer ended before it was done")
	}
	if err == nil && len(g.Response) > llmkernel.MaxAnswerBytes {
		err = fmt.Errorf("answer longer than %d bytes", llmkernel.MaxAnswerBytes)
	}
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("%w: %w", ctx.Err(), err)
		}
		return llmkernel.Response{}, fmt.Errorf("ollama %s: %w", b.opts.Host, err)
	}
	return llmkernel.Response{Text: []byte(g.Response), ModelTime: time.Duration(g.TotalDuration)}, nil
}

// post sends one generate request and decodes its answer, read to at most
// maxBody bytes.
func (b *Backend) post(ctx context.Context, body []byte) (generateResponse, int, error) {
	var g generateResponse
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.generate, bytes.NewReader(body))
	if err != nil {
		return g, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := b.client.Do(req)
	if err != nil {
		return g, 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return g, resp.StatusCode, fmt.Errorf("reading the answer: %w", err)
	}
	if len(data) > maxBody {
		return g, resp.StatusCode, errTooLong
	}
	if err := json.Unmarshal(data, &g); err != nil {
		if resp.StatusCode >= 400 {
			return g, resp.StatusCode, fmt.Errorf("HTTP %d: %s", resp.StatusCode, quoteCut(string(data)))
		}
		// The server's bytes, however many, must not reach the logs.
		return g, resp.StatusCode, fmt.Errorf("unreadable answer of %d bytes: %s", len(data), quoteCut(err.Error()))
	}
	return g, resp.StatusCode, nil
}

// quoteCut quotes at most maxErrorText bytes of a server's text.
func quoteCut(s string) string {
	if len(s) > maxErrorText {
		return fmt.Sprintf("%q… (%d bytes)", strings.ToValidUTF8(s[:maxErrorText], ""), len(s))
	}
	return fmt.Sprintf("%q", s)
}

// maxErrorText bounds how much of a server's text an error carries.
const maxErrorText = 256

// maxBody bounds a whole response stream: the answer plus ollama's JSON
// framing and statistics.
const maxBody = 4*llmkernel.MaxAnswerBytes + 64<<10

var errTooLong = fmt.Errorf("response longer than %d bytes", maxBody)
