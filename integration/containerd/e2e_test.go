package containerd_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-os-agent/runsc-ai/integration/containerd/shim"
	"github.com/go-os-agent/runsc-ai/integration/docker"
	"github.com/go-os-agent/runsc-ai/integration/testenv"
)

const imageRef = "docker.io/library/runsc-ai-e2e:1"

// daemon is a containerd started by the test on private paths, without
// CAP_SYS_RESOURCE (so the shim's oom_score_adj write fails on any host) and
// without the CRI plugin.
type daemon struct {
	ctr, sock, dir, ns string
	// opts is the runtime options file every ctr run passes: runsc-ai's
	// --ai-run (tap FIFOs) and --ai-state stay in the test's directory.
	opts string
}

func startContainerd(t *testing.T, env testenv.Env, containerd, ctr string) *daemon {
	t.Helper()
	testenv.SerializeDaemons(t)
	dir, err := os.MkdirTemp("", "rai-ctd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	d := &daemon{ctr: ctr, sock: filepath.Join(dir, "c.sock"), dir: dir, ns: "rai-" + randHex(4), opts: filepath.Join(dir, "runtime.toml")}
	if err := os.WriteFile(d.opts, []byte(fmt.Sprintf("[runsc_config]\n  ai-run = %q\n  ai-state = %q\n", filepath.Join(dir, "ai-run"), filepath.Join(dir, "ai-state"))), 0o644); err != nil {
		t.Fatal(err)
	}
	// Containers' cgroups (/<namespace>/<id>) and runsc-ai's state root
	// (DefaultRoot/<namespace>) are the test's own.
	// Cleanups run last-in first-out: the state root goes after the guard
	// unmounted gVisor's null-netns in it; last, the hard-coded directories
	// containerd, its shims and ctr created, if they are new and empty.
	testenv.RemoveIfNew(t, "/run/containerd", "/run/containerd/s", "/run/containerd/fifo", shim.DefaultRoot)
	t.Cleanup(func() { os.RemoveAll(filepath.Join(shim.DefaultRoot, d.ns)) })
	testenv.GuardHost(t, []string{dir, filepath.Join(shim.DefaultRoot, d.ns)}, []string{d.ns})
	t.Cleanup(func() {
		// After containerd stopped: shims and sandboxes a failed test left
		// (they live in their own process groups).
		if n := testenv.KillMatching(d.sock) + testenv.KillMatching(filepath.Join(shim.DefaultRoot, d.ns)); n > 0 {
			t.Logf("killed %d leftover shim/sandbox processes", n)
			time.Sleep(500 * time.Millisecond) // let the kernel release their mounts
		}
	})
	config := filepath.Join(dir, "config.toml")
	err = os.WriteFile(config, []byte(fmt.Sprintf(`version = 2
root = %q
state = %q
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.cri.v1.runtime", "io.containerd.cri.v1.images"]
[grpc]
  address = %q
`, filepath.Join(dir, "root"), filepath.Join(dir, "state"), d.sock)), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Fatalf("setpriv (util-linux) not found: %v", err)
	}
	// containerd finds the shim on PATH; the shim finds runsc-ai next to it.
	t.Setenv("PATH", filepath.Dir(env.Shim)+":"+os.Getenv("PATH"))
	testenv.StartDaemon(t, filepath.Join(dir, "containerd.log"), setpriv,
		"--bounding-set=-sys_resource", "--inh-caps=-sys_resource", "--", containerd, "--config", config)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := d.try("version"); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("containerd did not come up: %v\n%s", err, d.log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Cleanup(func() {
		// Whatever a failed test left: tasks, then containers.
		for _, id := range d.ids("task") {
			d.try("task", "kill", "-s", "SIGKILL", id)
			d.try("task", "delete", "-f", id)
		}
		for _, id := range d.ids("container") {
			d.try("container", "delete", id)
		}
	})
	path := filepath.Join(dir, "image.tar")
	if err := docker.WriteImageFile(path, env.Rootfs, imageRef, []string{"/bin/sh"}); err != nil {
		t.Fatal(err)
	}
	if out, err := d.try("images", "import", path); err != nil {
		t.Fatalf("ctr images import: %v: %s", err, out)
	}
	return d
}

func (d *daemon) log() string { return testenv.TailFile(filepath.Join(d.dir, "containerd.log"), 4000) }

// try runs ctr with a deadline (a hang is a failure, not a stuck test) and
// returns its stdout followed by its stderr.
func (d *daemon) try(args ...string) (string, error) {
	stdout, stderr, err := d.try2(args...)
	return stdout + stderr, err
}

func (d *daemon) try2(args ...string) (stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, d.ctr, append([]string{"--address", d.sock, "--namespace", d.ns}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("ctr %v hung for 60 s: %w", args, ctx.Err())
	}
	return out.String(), errb.String(), err
}

// ids lists tasks or containers (ctr 2.x warns on stderr about cgroup v1).
func (d *daemon) ids(kind string) []string {
	out, _, _ := d.try2(kind, "ls", "-q")
	return strings.Fields(out)
}

// run returns output and exit code; a hang or a failure to run ctr fails.
func (d *daemon) run(t *testing.T, args ...string) (string, int) {
	t.Helper()
	out, err := d.try(args...)
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out, 0
	case errors.As(err, &ee) && !strings.Contains(err.Error(), "hung"):
		return out, ee.ExitCode()
	default:
		t.Fatalf("%v\n%s\ncontainerd log:\n%s", err, out, d.log())
		return "", 0
	}
}

func (d *daemon) runtimeArgs(extra ...string) []string {
	return append([]string{"run", "--rm", "--runtime", shim.RuntimeName, "--runtime-config-path", d.opts}, extra...)
}

// exercise is the same scenario against each containerd version.
func exercise(t *testing.T, d *daemon, env testenv.Env) {
	t.Run("output and exit code", func(t *testing.T) {
		// No CRI annotation: gVisor's shim hung ctr here (fix 2).
		out, code := d.run(t, append(d.runtimeArgs(imageRef, "out"), "sh", "-c", "echo hello-from-ctr; dmesg | head -1; sleep 0.3; exit 5")...)
		if code != 5 || !strings.Contains(out, "hello-from-ctr") || !strings.Contains(out, "Starting gVisor") {
			t.Errorf("code %d, output:\n%s", code, out)
		}
	})
	t.Run("immediate exit keeps its code", func(t *testing.T) {
		// gVisor's shim reported 128 for most of these (fix 3).
		for i := 0; i < 5; i++ {
			if out, code := d.run(t, append(d.runtimeArgs(imageRef, fmt.Sprintf("quick%d", i)), "sh", "-c", "exit 7")...); code != 7 {
				t.Errorf("run %d: exit code %d, want 7: %s", i, code, out)
			}
		}
		if out, code := d.run(t, append(d.runtimeArgs(imageRef, "false"), "/bin/false")...); code != 1 {
			t.Errorf("/bin/false: exit code %d, want 1: %s", code, out)
		}
	})
	t.Run("shim starts without CAP_SYS_RESOURCE", func(t *testing.T) {
		// Everything above ran with containerd lacking the capability
		// (fix 1); the shim says so in containerd's log.
		if !strings.Contains(d.log(), "oom_score_adj") {
			t.Errorf("no oom_score_adj warning in containerd's log:\n%s", d.log())
		}
	})
	t.Run("exec, kill, delete", func(t *testing.T) {
		id := "long"
		if out, code := d.run(t, "run", "-d", "--runtime", shim.RuntimeName, "--runtime-config-path", d.opts, imageRef, id, "sleep", "600"); code != 0 {
			t.Fatalf("run -d: %d: %s", code, out)
		}
		// The output comes a moment before the exit, as in "output and exit
		// code": ctr's client deletes the exec process as soon as the exit
		// event arrives and closes its fifo readers right after the shim's
		// DeleteProcess returns (containerd v2's client/process.go Delete calls
		// io.Cancel, and pkg/cio's copyIO cancel closes the pipes), so output
		// written just before an immediate exit can be dropped by ctr itself
		// when its reader has not been scheduled yet; CI saw it once under
		// load ("code 3, output \"\""), 0 of 450 tries reproduced it here,
		// with runc or runsc-ai. A lost output with the pause is ours.
		out, code := d.run(t, "task", "exec", "--exec-id", "e1", id, "sh", "-c", "echo exec-ok; sleep 0.3; exit 3")
		if code != 3 || !strings.Contains(out, "exec-ok") {
			t.Errorf("task exec: code %d, output %q; want 3 and exec-ok; containerd's log:\n%s", code, out, d.log())
		}
		if out, code := d.run(t, "task", "kill", "-s", "SIGKILL", id); code != 0 {
			t.Fatalf("task kill: %d: %s", code, out)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			out, _ := d.run(t, "task", "ls")
			if strings.Contains(out, "STOPPED") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("task not stopped 30 s after SIGKILL:\n%s", out)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if out, code := d.run(t, "task", "delete", id); code != 0 {
			t.Errorf("task delete: %d: %s", code, out)
		}
		if out, code := d.run(t, "container", "delete", id); code != 0 {
			t.Errorf("container delete: %d: %s", code, out)
		}
		if ids := d.ids("task"); len(ids) != 0 {
			t.Errorf("tasks left: %v", ids)
		}
	})
	t.Run("runsc-ai options from the runtime's TOML", func(t *testing.T) {
		aiState := filepath.Join(d.dir, "ai-state")
		opts := filepath.Join(d.dir, "runsc-ai.toml")
		os.WriteFile(opts, []byte(fmt.Sprintf("[runsc_config]\n  ai-state = %q\n  ai-run = %q\n  network = \"none\"\n", aiState, filepath.Join(d.dir, "ai-run"))), 0o644)
		out, code := d.run(t, append([]string{"run", "--rm", "--runtime", shim.RuntimeName, "--runtime-config-path", opts, imageRef, "opts"}, "sh", "-c", "ip addr 2>&1 | grep -c inet; echo done")...)
		if code != 0 || !strings.Contains(out, "done") {
			t.Fatalf("run with options: %d: %s", code, out)
		}
		// --ai-state reached runsc-ai: its decision for the container is there.
		expl, err := exec.Command(env.RunscAI, "--ai-state="+aiState, "explain", "opts").CombinedOutput()
		if err != nil || !strings.Contains(string(expl), "platform") {
			t.Errorf("explain with the TOML's ai-state: %v\n%s", err, expl)
		}
	})
}

func TestContainerd16(t *testing.T) {
	env := testenv.Get(t)
	containerd, err := exec.LookPath("containerd")
	if err != nil {
		t.Fatalf("containerd not installed (apt install containerd; make deps does): %v", err)
	}
	ctr, err := exec.LookPath("ctr")
	if err != nil {
		t.Fatal(err)
	}
	d := startContainerd(t, env, containerd, ctr)
	if out, _ := d.try("version"); !strings.Contains(out, "1.6.") {
		t.Fatalf("want Debian's containerd 1.6, got:\n%s", out)
	}
	exercise(t, d, env)
}

func TestContainerd2(t *testing.T) {
	env := testenv.Get(t)
	dir := testenv.Containerd2Dir(t)
	d := startContainerd(t, env, filepath.Join(dir, "containerd"), filepath.Join(dir, "ctr"))
	if out, _ := d.try("version"); !strings.Contains(out, "v2.") {
		t.Fatalf("want containerd 2.x, got:\n%s", out)
	}
	exercise(t, d, env)
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
