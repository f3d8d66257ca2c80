// Package ollama is the decision engine's deep-tier backend on an ollama
// server, through ollama's official Go client. Answers are constrained by the
// decision kind's JSON schema (ollama's "format") and re-validated by the
// engine; this package only carries requests and answers.
package ollama

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
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
	// The transport bounds and watches every response body (see bounded).
	hc := &http.Client{Transport: boundedTransport{http.DefaultTransport}}
	return &Backend{client: api.NewClient(u, hc), opts: opts}, nil
}

// Name implements llmkernel.Backend.
func (b *Backend) Name() string { return "ollama:" + b.opts.Model }

// Infer implements llmkernel.Backend. Everything read from the server is
// bounded (llmkernel.MaxAnswerBytes of answer, maxBody of stream), and a
// stream that is cut off, over its bound, or answered with an HTTP error is
// a backend error, never an answer: ollama's client stops at the first
// unreadable line without saying so.
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
	body := &bodyState{}
	ctx = context.WithValue(ctx, bodyKey{}, body)
	var out llmkernel.Response
	done := false
	err := b.client.Generate(ctx, req, func(g api.GenerateResponse) error {
		if len(out.Text)+len(g.Response) > llmkernel.MaxAnswerBytes {
			return fmt.Errorf("answer longer than %d bytes", llmkernel.MaxAnswerBytes)
		}
		out.Text = append(out.Text, g.Response...)
		if g.Done {
			out.ModelTime = g.TotalDuration
			done = true
		}
		return nil
	})
	if err == nil {
		err = body.err()
	}
	if err == nil && !done {
		err = errors.New("the answer stream ended before it was done")
	}
	if err != nil {
		out.Text = nil
		// ollama's client puts an unparsable line into its error: the
		// server's bytes, however many, must not reach the logs.
		if msg := err.Error(); len(msg) > maxErrorText {
			var se api.StatusError
			if !errors.As(err, &se) || len(se.ErrorMessage) > maxErrorText {
				err = fmt.Errorf("%s… (%d bytes)", strings.ToValidUTF8(msg[:maxErrorText], ""), len(msg))
			}
		}
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("%w: %w", ctx.Err(), err)
		}
		var se api.StatusError
		if errors.As(err, &se) && se.StatusCode == http.StatusNotFound {
			return out, fmt.Errorf("model %q not found on %s (ollama pull %s): %w", b.opts.Model, b.opts.Host, b.opts.Model, err)
		}
		return out, fmt.Errorf("ollama %s: %w", b.opts.Host, err)
	}
	return out, nil
}

// maxErrorText bounds how much of a server's text an error carries.
const maxErrorText = 256

// maxBody bounds a whole response stream: the answer plus ollama's JSON
// framing and statistics.
const maxBody = 4*llmkernel.MaxAnswerBytes + 64<<10

// bodyKey carries a request's bodyState in its context to the transport.
type bodyKey struct{}

// bodyState is what the transport saw of one response: its status and how
// reading its body ended.
type bodyState struct {
	mu     sync.Mutex
	status int
	rerr   error // the first read error other than io.EOF
}

func (s *bodyState) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rerr != nil {
		return fmt.Errorf("reading the answer: %w", s.rerr)
	}
	if s.status >= 400 {
		return fmt.Errorf("HTTP %d", s.status)
	}
	return nil
}

// boundedTransport records each response's status and wraps its body in a
// reader that fails after maxBody bytes and remembers how reading ended.
type boundedTransport struct{ next http.RoundTripper }

func (t boundedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if st, ok := req.Context().Value(bodyKey{}).(*bodyState); ok {
		st.mu.Lock()
		st.status = resp.StatusCode
		st.mu.Unlock()
		resp.Body = &boundedBody{ReadCloser: resp.Body, left: maxBody, st: st}
	}
	return resp, nil
}

type boundedBody struct {
	io.ReadCloser
	left int64
	st   *bodyState
}

var errTooLong = fmt.Errorf("response longer than %d bytes", maxBody)

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		b.fail(errTooLong)
		return 0, errTooLong
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		b.fail(err)
	}
	return n, err
}

func (b *boundedBody) fail(err error) {
	b.st.mu.Lock()
	if b.st.rerr == nil {
		b.st.rerr = err
	}
	b.st.mu.Unlock()
}
