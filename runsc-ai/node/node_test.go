package node

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-os-agent/runsc-ai/platform/host"
)

func TestPathsHaveOneHome(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	o := Register(fs)
	if err := fs.Parse([]string{"--ai-state=/s", "--ai-run=/r"}); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range []struct{ got, want string }{
		{o.HostCache(), "/s/host.json"}, {o.CreateDir(), "/s/create"}, {o.History(), "/s/live.db"},
		{o.TapDir(), "/r/tap"}, {o.AgentSocket(), "/r/agent.sock"},
	} {
		if p.got != p.want {
			t.Errorf("path %s, want %s", p.got, p.want)
		}
		if seen[p.got] {
			t.Errorf("%s named twice", p.got)
		}
		seen[p.got] = true
	}
	if !o.Decide || !o.Tap || o.Policy != "" {
		t.Errorf("defaults: %+v", o)
	}
}

func TestLoadPolicy(t *testing.T) {
	o := &Options{}
	p, err := o.LoadPolicy()
	if err != nil || p.Goal.Name == "" {
		t.Fatalf("default policy: %v %+v", err, p.Goal)
	}
	bad := filepath.Join(t.TempDir(), "p.yaml")
	os.WriteFile(bad, []byte("goal: {name: x}\nguardrails: {min_evidence: -1}\n"), 0o600)
	o.Policy = bad
	if _, err := o.LoadPolicy(); err == nil || !strings.Contains(err.Error(), "--ai-policy") || !strings.Contains(err.Error(), bad) {
		t.Errorf("bad policy: %v", err)
	}
}

// One translation of host facts, on recorded hosts: the kernel's
// architecture names become Go's, for create-time decisions and prompts
// alike.
func TestHostFactsTranslation(t *testing.T) {
	for dir, arch := range map[string]string{"pi4-rpios64": "arm64", "x86-cloud-vm": "amd64"} {
		info := host.Discover(context.Background(), host.Options{Root: filepath.Join("../../platform/host/testdata", dir)})
		cf, hw := CreateFacts(&info), HardwareOf(&info)
		if cf.Arch != arch || hw.Arch != arch {
			t.Errorf("%s: create %q, prompt %q, want %q", dir, cf.Arch, hw.Arch, arch)
		}
		if cf.Cores == 0 || cf.Cores != hw.Cores || cf.MemoryBytes != hw.MemoryBytes {
			t.Errorf("%s: create %+v, prompt %+v", dir, cf, hw)
		}
		if cf.MemPressure != 0 || cf.IOPressure != 0 {
			t.Errorf("%s: a recording's pressure must not be read from this host: %+v", dir, cf)
		}
	}
	if hw := HardwareOf(&host.Info{}); hw.Arch == "" {
		t.Error("unknown architecture: want this binary's")
	}
}

func TestOpenBackend(t *testing.T) {
	o := &Options{}
	pol, _ := o.LoadPolicy()
	open := func(args ...string) (Opened, error) {
		var b BackendFlags
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		b.Register(fs, "auto")
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return b.Open(&pol)
	}
	if ob, err := open("--backend=embedded"); err != nil || ob.Backend != nil || ob.Model != "fast-tier" {
		t.Errorf("embedded: %+v %v", ob, err)
	}
	missing := filepath.Join(t.TempDir(), "none.gguf")
	if ob, err := open("--model", missing); err != nil || ob.Backend != nil || !strings.Contains(ob.Note, "no usable model") {
		t.Errorf("auto without a model must fall back to embedded and say why: %+v %v", ob, err)
	}
	if _, err := open("--backend=inproc", "--model", missing); err == nil {
		t.Error("inproc without a model must fail")
	}
	if _, err := open("--backend=gpt"); err == nil || !strings.Contains(err.Error(), `unknown backend "gpt"`) {
		t.Errorf("unknown backend: %v", err)
	}
}
