package main

import (
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/policies"
)

// aiOptions are runsc-ai's own global flags. They are registered beside
// runsc's, so Docker, containerd and Kubernetes pass them the same way
// (runtimeArgs); boot and gofer re-executions do not need them.
type aiOptions struct {
	state  string
	decide bool
	policy string
	run    string
	tap    bool
	window time.Duration
}

func registerAIFlags(fs *flag.FlagSet) *aiOptions {
	o := &aiOptions{}
	fs.StringVar(&o.state, "ai-state", "/var/lib/runsc-ai", "runsc-ai: directory for host facts, create-time history and the learned model")
	fs.BoolVar(&o.decide, "ai-decide", true, "runsc-ai: choose the sandbox settings the user left unset at create/run/do; false behaves exactly like runsc")
	fs.StringVar(&o.policy, "ai-policy", "", "runsc-ai: decision policy file (default: the embedded policy; see 'runsc-ai policy show-default')")
	fs.StringVar(&o.run, "ai-run", "/run/runsc-ai", "runsc-ai: the agent's runtime directory (its socket, the sandboxes' tap FIFOs)")
	fs.BoolVar(&o.tap, "ai-tap", true, "runsc-ai: count syscall classes in the Sentry and send the agent a summary per window; false turns the tap off")
	fs.DurationVar(&o.window, "ai-tap-window", time.Second, "runsc-ai: the tap's summary window")
	return o
}

func (o *aiOptions) hostCache() string { return filepath.Join(o.state, "host.json") }
func (o *aiOptions) createDir() string { return filepath.Join(o.state, "create") }
func (o *aiOptions) tapDir() string    { return filepath.Join(o.run, "tap") }

func (o *aiOptions) loadPolicy() (llmkernel.Policy, error) {
	if o.policy == "" {
		return policies.Default(), nil
	}
	p, err := policies.Load(o.policy)
	if err != nil {
		return p, fmt.Errorf("--ai-policy: %w", err)
	}
	return p, nil
}

// warn logs a runsc-ai warning to stderr, where runtimes collect a runtime's
// messages. Built per call: warnings are rare and the create path must not
// pay for a logger it does not use.
func warn(msg string, fields ...zap.Field) {
	cfg := zap.NewProductionConfig()
	cfg.Encoding = "console"
	cfg.Level = zap.NewAtomicLevelAt(zap.WarnLevel)
	cfg.OutputPaths = []string{"stderr"}
	cfg.DisableStacktrace = true
	cfg.DisableCaller = true
	cfg.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	if l, err := cfg.Build(); err == nil {
		l.Named("runsc-ai").Warn(msg, fields...)
		l.Sync()
	}
}
