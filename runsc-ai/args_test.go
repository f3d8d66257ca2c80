package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gvisor.dev/gvisor/runsc/cmd/util"
	"gvisor.dev/gvisor/runsc/config"

	"github.com/go-os-agent/runsc-ai/runsc-ai/node"
)

func TestGlobalArgs(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		sub     string
		version bool
		ok      bool
	}{
		{[]string{"--version"}, "", true, true},
		{[]string{"-version"}, "", true, true},
		// A flag taking a separate value must not be mistaken for the command.
		{[]string{"--root", "/run/x", "--version"}, "", true, true},
		{[]string{"--root", "/run/x", "state", "c1"}, "state", false, true},
		{[]string{"--debug", "--platform=systrap", "do", "/bin/true"}, "do", false, true},
		// --version after the command belongs to the command, as in runsc.
		{[]string{"spec", "--version"}, "spec", false, true},
		{[]string{"--log-fd=3", "boot"}, "boot", false, true},
		{[]string{"--no-such-flag", "run"}, "", false, false},
		{nil, "", false, true},
	} {
		sub, v, ok := globalArgs(tc.args)
		if sub != tc.sub || v != tc.version || ok != tc.ok {
			t.Errorf("globalArgs(%q) = %q, %v, %v; want %q, %v, %v", tc.args, sub, v, ok, tc.sub, tc.version, tc.ok)
		}
	}
}

func TestKnownCommands(t *testing.T) {
	cmds := allCommands(&node.Options{})
	for _, name := range []string{"create", "start", "state", "kill", "delete", "run", "exec", "ps", "events",
		"update", "wait", "pause", "resume", "checkpoint", "restore", "spec", "list", "do", "debug", "install",
		"boot", "gofer", "host", "help", "flags"} {
		if !known(cmds, name) {
			t.Errorf("command %q not registered", name)
		}
	}
	if known(cmds, "no-such-command") {
		t.Error("unknown command accepted")
	}
}

func TestPrintVersion(t *testing.T) {
	var b bytes.Buffer
	printVersion(&b)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	// Docker and containerd read "<name> version X" on the first line.
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "runsc-ai version ") || !strings.HasPrefix(lines[2], "spec: ") {
		t.Errorf("version output:\n%s", b.String())
	}
}

// fetchErr is a SubCommand whose FetchSpec fails with a given error.
type fetchErr struct {
	util.SubCommand
	err error
}

func (f fetchErr) FetchSpec(*config.Config, *flag.FlagSet) (string, *specs.Spec, error) {
	return "", nil, f.err
}

func TestNamedErrors(t *testing.T) {
	fset := flag.NewFlagSet("state", flag.ContinueOnError)
	_ = fset.Parse([]string{"c-42"})
	conf := &config.Config{RootDir: "/run/x"}

	notFound := namedErrors{SubCommand: fetchErr{err: fmt.Errorf("loading container: %w", fs.ErrNotExist)}}
	_, _, err := notFound.FetchSpec(conf, fset)
	if err == nil || !strings.Contains(err.Error(), `container "c-42" does not exist`) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("unknown id error = %v", err)
	}
	// For create, a missing file is the bundle's, not the container's.
	create := namedErrors{SubCommand: fetchErr{err: fs.ErrNotExist}, createsContainer: true}
	if _, _, err := create.FetchSpec(conf, fset); err == nil || strings.Contains(err.Error(), "does not exist (state root") {
		t.Errorf("create error = %v", err)
	}
}

// BenchmarkGlobalArgs is the pre-parse every invocation pays, including the
// sandbox's boot and gofer re-executions: it is on the create path.
func BenchmarkGlobalArgs(b *testing.B) {
	args := []string{"--root=/run/runsc-ai", "--platform=systrap", "--network=none", "create", "--bundle", "/b", "id"}
	for i := 0; i < b.N; i++ {
		globalArgs(args)
	}
}

func TestNeedsPreparse(t *testing.T) {
	cmds := allCommands(&node.Options{})
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"--root=/x", "create", "--bundle", "/b", "id"}, false},
		{[]string{"--debug-log-fd=3", "boot", "--bundle=/b"}, false},
		{[]string{"spec", "--version"}, false}, // the command's own flag
		{[]string{"--version"}, true},
		{[]string{"--root", "/x", "-version=true"}, true},
		{[]string{"--root=/x", "nosuch"}, true},
		{nil, true},
	} {
		if got := needsPreparse(tc.args, cmds); got != tc.want {
			t.Errorf("needsPreparse(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}
