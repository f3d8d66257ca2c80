package testenv

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Runtime runs one runtime binary with a private state root.
type Runtime struct {
	Bin   string
	Root  string
	Flags []string // global flags after --root
	// AIState is runsc-ai's private --ai-state (empty for plain runsc), so
	// tests neither read nor pollute the machine's history.
	AIState string
}

// Result is what one invocation did.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// NewRuntime returns a runtime whose state root is removed, with gVisor's
// null-netns bind mount undone, when the test ends.
func NewRuntime(t testing.TB, bin string, flags ...string) *Runtime {
	t.Helper()
	root, err := os.MkdirTemp("", "runsc-ai-state-")
	if err != nil {
		t.Fatal(err)
	}
	r := &Runtime{Bin: bin, Root: root, Flags: flags}
	t.Cleanup(func() { RemoveStateRoot(root) })
	if strings.HasPrefix(filepath.Base(bin), "runsc-ai") {
		// Private history and tap FIFOs (--ai-run), unless the test names
		// its own run directory (to share it with an agent).
		r.AIState = root + "-ai"
		r.Flags = append([]string{"--ai-state=" + r.AIState}, flags...)
		t.Cleanup(func() { os.RemoveAll(r.AIState) })
		if !hasFlag(flags, "--ai-run") {
			run := root + "-run"
			r.Flags = append([]string{"--ai-run=" + run}, r.Flags...)
			t.Cleanup(func() { os.RemoveAll(run) })
		}
	}
	return r
}

func hasFlag(flags []string, name string) bool {
	for _, f := range flags {
		if f == name || strings.HasPrefix(f, name+"=") {
			return true
		}
	}
	return false
}

// RemoveStateRoot unmounts gVisor's shared null network namespace (it may be
// stacked) and removes the directory.
func RemoveStateRoot(root string) {
	for unix.Unmount(filepath.Join(root, "null-netns"), unix.MNT_DETACH) == nil {
	}
	_ = os.RemoveAll(root)
}

// Command builds the command line for args.
func (r *Runtime) Command(ctx context.Context, args ...string) *exec.Cmd {
	all := append([]string{"--root=" + r.Root}, r.Flags...)
	return exec.CommandContext(ctx, r.Bin, append(all, args...)...)
}

// Run runs a command that finishes (not create: see Create) and returns
// its output and exit code. It fails the test only if the binary could not
// be run or overran the timeout.
func (r *Runtime) Run(t testing.TB, args ...string) Result {
	t.Helper()
	return r.RunStdin(t, "", args...)
}

// RunStdin is Run with standard input.
func (r *Runtime) RunStdin(t testing.TB, stdin string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := r.Command(ctx, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Stdin = strings.NewReader(stdin)
	// A sandbox child holding our pipes must not hang the test forever.
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	res := Result{Stdout: out.String(), Stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("%s %v: timed out; stderr: %s", r.Bin, args, res.Stderr)
	case errors.As(err, &ee):
		res.Code = ee.ExitCode()
	case err != nil && !errors.Is(err, exec.ErrWaitDelay):
		t.Fatalf("%s %v: %v", r.Bin, args, err)
	}
	return res
}

// MustRun is Run that fails the test on a non-zero exit.
func (r *Runtime) MustRun(t testing.TB, args ...string) Result {
	t.Helper()
	res := r.Run(t, args...)
	if res.Code != 0 {
		t.Fatalf("%s %v: exit %d\nstdout: %s\nstderr: %s", filepath.Base(r.Bin), args, res.Code, res.Stdout, res.Stderr)
	}
	return res
}

// Create runs `create`. The sandbox inherits create's stdio and outlives it,
// so stdio goes to files (a pipe would never see EOF); the container's own
// output lands in the returned file.
func (r *Runtime) Create(t testing.TB, bundle, id string) (output string) {
	t.Helper()
	output = filepath.Join(t.TempDir(), id+".out")
	f, err := os.OpenFile(output, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := r.Command(ctx, "create", "--bundle", bundle, id)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Run(); err != nil {
		b, _ := os.ReadFile(output)
		t.Fatalf("create %s: %v: %s", id, err, b)
	}
	t.Cleanup(func() {
		// Best effort: a failed test must not leave a sandbox running.
		_ = r.Command(context.Background(), "delete", "--force", id).Run()
	})
	return output
}
