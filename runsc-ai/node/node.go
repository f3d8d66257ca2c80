// Package node is what every runsc-ai command knows about the node it runs
// on: runsc-ai's global flags (--ai-*), the one place each of its files and
// directories is named, the decision policy, the deep-tier backend, the host
// facts in the decision engine's terms, and runsc-ai's version. Commands in
// package main, the agent (runsc-ai/agent) and the create-time wrapper
// (runsc-ai/createtime) all take their paths and policy from here.
package node

import (
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/policies"
)

// Version of runsc-ai; set at link time with -X (the Makefile uses `git
// describe`).
var Version = "0.1.0-dev"

// Options are runsc-ai's own global flags. They are registered beside
// runsc's, so Docker, containerd and Kubernetes pass them the same way
// (runtimeArgs); boot and gofer re-executions do not need them.
type Options struct {
	State  string        // --ai-state: host facts, create-time records, the decision history
	Decide bool          // --ai-decide: false behaves exactly like runsc
	Policy string        // --ai-policy: the policy file; empty: the embedded default
	Run    string        // --ai-run: the agent's socket, the tap FIFOs
	Tap    bool          // --ai-tap
	Window time.Duration // --ai-tap-window
}

// Register registers the --ai-* flags on fs.
func Register(fs *flag.FlagSet) *Options {
	o := &Options{}
	fs.StringVar(&o.State, "ai-state", "/var/lib/runsc-ai", "runsc-ai: directory for host facts, create-time history and the learned model")
	fs.BoolVar(&o.Decide, "ai-decide", true, "runsc-ai: choose the sandbox settings the user left unset at create/run/do; false behaves exactly like runsc")
	fs.StringVar(&o.Policy, "ai-policy", "", "runsc-ai: decision policy file for every command (default: the embedded policy; see 'runsc-ai policy show-default')")
	fs.StringVar(&o.Run, "ai-run", "/run/runsc-ai", "runsc-ai: the agent's runtime directory (its socket, the sandboxes' tap FIFOs)")
	fs.BoolVar(&o.Tap, "ai-tap", true, "runsc-ai: count syscall classes in the Sentry and send the agent a summary per window; false turns the tap off")
	fs.DurationVar(&o.Window, "ai-tap-window", time.Second, "runsc-ai: the tap's summary window")
	return o
}

// The files and directories runsc-ai keeps, each named here only.

// HostCache is the probed host facts create/run/do read.
func (o *Options) HostCache() string { return filepath.Join(o.State, "host.json") }

// CreateDir holds the create-time records: each image's runs, pending runs
// and the create-time model (llmkernel/sandboxconf).
func (o *Options) CreateDir() string { return filepath.Join(o.State, "create") }

// History is the decision history database (llmkernel/history): the agent's
// live decisions and outcomes, what `decide --situation` learns, what
// `explain` shows. --history overrides it for one command.
func (o *Options) History() string { return filepath.Join(o.State, "live.db") }

// TapDir holds the sandboxes' tap FIFOs and their files (sentry/tap).
func (o *Options) TapDir() string { return filepath.Join(o.Run, "tap") }

// AgentSocket is the agent's control socket.
func (o *Options) AgentSocket() string { return filepath.Join(o.Run, "agent.sock") }

// LoadPolicy loads --ai-policy, or the embedded default.
func (o *Options) LoadPolicy() (llmkernel.Policy, error) {
	if o.Policy == "" {
		return policies.Default(), nil
	}
	p, err := policies.Load(o.Policy)
	if err != nil {
		return p, fmt.Errorf("--ai-policy: %w", err)
	}
	return p, nil
}
