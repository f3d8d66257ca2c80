package oci

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/go-os-agent/runsc-ai/integration/testenv"
	"github.com/go-os-agent/runsc-ai/platform/cgroup"
	"github.com/go-os-agent/runsc-ai/platform/host"
)

// sandboxFlags are the global flags every test uses: systrap works on every
// host we support; no network keeps the tests off the host's interfaces.
var sandboxFlags = []string{"--platform=systrap", "--network=none"}

// cgroupParent groups the tests' cgroups so leftovers are easy to find.
const cgroupParent = "runsc-ai-e2e"

func state(t *testing.T, rt *testenv.Runtime, id string) string {
	t.Helper()
	res := rt.MustRun(t, "state", id)
	var st specs.State
	if err := json.Unmarshal([]byte(res.Stdout), &st); err != nil {
		t.Fatalf("state %s: %v: %q", id, err, res.Stdout)
	}
	if st.ID != id {
		t.Fatalf("state id = %q, want %q", st.ID, id)
	}
	return string(st.Status)
}

func waitState(t *testing.T, rt *testenv.Runtime, id, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := state(t, rt, id)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("container %s: state %q, want %q", id, got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// cgroupDir is where the runtime puts a container's cgroup for a controller.
func cgroupDir(t *testing.T, cg host.Cgroups, controller, path string) string {
	t.Helper()
	if cg.Version == "v2" {
		return filepath.Join(cg.Mount, path)
	}
	return filepath.Join("/sys/fs/cgroup", controller, path)
}

func TestLifecycle(t *testing.T) {
	e := testenv.Get(t)
	info := host.Discover(context.Background(), host.Options{Root: "/"})
	if !info.Cgroup.OK() {
		t.Fatalf("cannot tell the cgroup layout: %s", info.Cgroup.Err)
	}
	cg := info.Cgroup.Value
	rt := testenv.NewRuntime(t, e.RunscAI, sandboxFlags...)
	id := fmt.Sprintf("life-%d", time.Now().UnixNano())
	cgPath := "/" + cgroupParent + "/" + id
	t.Cleanup(func() { removeCgroupParent(cg) })

	shares := uint64(1024)
	bundle := testenv.NewBundle(t, e, []string{"/bin/sh", "-c", "echo started; exec sleep 1000"}, func(s *specs.Spec) {
		s.Linux.CgroupsPath = cgPath
		s.Linux.Resources = &specs.LinuxResources{CPU: &specs.LinuxCPU{Shares: &shares}}
	})

	out := rt.Create(t, bundle, id)
	if got := state(t, rt, id); got != "created" {
		t.Fatalf("after create: state %q, want created", got)
	}
	rt.MustRun(t, "start", id)
	waitState(t, rt, id, "running")
	waitFor(t, "container output", func() bool {
		b, _ := os.ReadFile(out)
		return strings.Contains(string(b), "started")
	})

	// exec: a second process in the running container, stdio attached.
	if res := rt.MustRun(t, "exec", id, "/bin/echo", "hello from exec"); strings.TrimSpace(res.Stdout) != "hello from exec" {
		t.Errorf("exec stdout = %q", res.Stdout)
	}
	if res := rt.Run(t, "exec", id, "/bin/sh", "-c", "exit 5"); res.Code != 5 {
		t.Errorf("exec exit code = %d, want 5", res.Code)
	}

	// ps shows the container's sleep.
	if res := rt.MustRun(t, "ps", id); !strings.Contains(res.Stdout, "sleep") {
		t.Errorf("ps does not show sleep:\n%s", res.Stdout)
	}

	// events --stats: real usage numbers from the sandbox.
	res := rt.MustRun(t, "events", "--stats", id)
	var ev struct {
		Type string `json:"type"`
		ID   string `json:"id"`
		Data struct {
			Memory struct {
				Usage struct {
					Usage uint64 `json:"usage"`
				} `json:"usage"`
			} `json:"memory"`
			Pids struct {
				Current uint64 `json:"current"`
			} `json:"pids"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &ev); err != nil {
		t.Fatalf("events --stats: %v: %q", err, res.Stdout)
	}
	if ev.Type != "stats" || ev.ID != id || ev.Data.Pids.Current < 1 || ev.Data.Memory.Usage.Usage == 0 {
		t.Errorf("implausible stats: %+v from %s", ev, res.Stdout)
	}

	// update: the new CPU shares reach the real cgroup file.
	sharesFile := filepath.Join(cgroupDir(t, cg, "cpu", cgPath), "cpu.shares")
	if cg.Version == "v2" {
		sharesFile = filepath.Join(cgroupDir(t, cg, "cpu", cgPath), "cpu.weight")
	}
	before := readUint(t, sharesFile)
	rt.MustRun(t, "update", "--cpu-share", "2048", id)
	after := readUint(t, sharesFile)
	if cg.Version != "v2" && (before != 1024 || after != 2048) {
		t.Errorf("%s: %d -> %d, want 1024 -> 2048", sharesFile, before, after)
	}
	if cg.Version == "v2" && after <= before {
		t.Errorf("%s: %d -> %d, want it to grow", sharesFile, before, after)
	}

	rt.MustRun(t, "kill", id, "KILL")
	waitState(t, rt, id, "stopped")
	rt.MustRun(t, "delete", id)

	// Gone: from the runtime, the state root and the cgroup tree.
	if res := rt.Run(t, "state", id); res.Code == 0 || !strings.Contains(res.Stderr, strconv.Quote(id)) {
		t.Errorf("state after delete: exit %d, stderr %q", res.Code, res.Stderr)
	}
	assertNoState(t, rt)
	for _, c := range []string{"cpu", "memory", "pids"} {
		if _, err := os.Stat(cgroupDir(t, cg, c, cgPath)); err == nil {
			t.Errorf("cgroup %s left behind after delete", cgroupDir(t, cg, c, cgPath))
		}
	}
}

func TestRunPassesExitCodeAndStdio(t *testing.T) {
	e := testenv.Get(t)
	rt := testenv.NewRuntime(t, e.RunscAI, append(sandboxFlags, "--ignore-cgroups")...)
	bundle := testenv.NewBundle(t, e, []string{"/bin/sh", "-c", "read line; echo \"out:$line\"; echo err-line >&2; exit 3"}, nil)
	res := rt.RunStdin(t, "from-stdin\n", "run", "--bundle", bundle, "run-exit")
	if res.Code != 3 {
		t.Errorf("exit code %d, want 3 (stderr %q)", res.Code, res.Stderr)
	}
	if res.Stdout != "out:from-stdin\n" {
		t.Errorf("stdout %q", res.Stdout)
	}
	if !strings.Contains(res.Stderr, "err-line") {
		t.Errorf("stderr %q lacks the container's stderr", res.Stderr)
	}
	// run removes the container when it exits.
	if res := rt.MustRun(t, "list", "-quiet"); strings.TrimSpace(res.Stdout) != "" {
		t.Errorf("containers left after run: %q", res.Stdout)
	}
	assertNoState(t, rt)
}

func TestRunSignalledExit(t *testing.T) {
	e := testenv.Get(t)
	rt := testenv.NewRuntime(t, e.RunscAI, append(sandboxFlags, "--ignore-cgroups")...)
	bundle := testenv.NewBundle(t, e, []string{"/bin/sh", "-c", "kill -TERM $$"}, nil)
	if res := rt.Run(t, "run", "--bundle", bundle, "run-sig"); res.Code != 128+15 {
		t.Errorf("exit code %d, want 143 (killed by SIGTERM)", res.Code)
	}
}

func TestDo(t *testing.T) {
	e := testenv.Get(t)
	rt := testenv.NewRuntime(t, e.RunscAI, append(sandboxFlags, "--ignore-cgroups")...)
	if res := rt.MustRun(t, "do", "/bin/echo", "hi"); res.Stdout != "hi\n" {
		t.Errorf("do stdout %q, want \"hi\\n\"", res.Stdout)
	}
	// The program really runs under gVisor's kernel, not the host's.
	res := rt.MustRun(t, "do", "/bin/cat", "/proc/version")
	if !strings.Contains(res.Stdout, "gVisor") && !strings.Contains(res.Stdout, "#1 SMP Sun Jan 10 15:06:54 PST 2016") {
		t.Errorf("do /proc/version = %q: not a gVisor kernel", res.Stdout)
	}
	assertNoState(t, rt)
}

func TestBadInput(t *testing.T) {
	e := testenv.Get(t)
	rt := testenv.NewRuntime(t, e.RunscAI, append(sandboxFlags, "--ignore-cgroups")...)
	missing := filepath.Join(t.TempDir(), "no-such-bundle")
	malformed := t.TempDir()
	if err := os.WriteFile(filepath.Join(malformed, "config.json"), []byte(`{"ociVersion": "1.0.0", "process": `), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want []string // all must appear in stderr
	}{
		{"missing bundle", []string{"create", "--bundle", missing, "c1"}, []string{missing, "config.json", "no such file"}},
		{"malformed config", []string{"create", "--bundle", malformed, "c2"}, []string{"config.json", "unexpected end of JSON"}},
		{"unknown id state", []string{"state", "nosuch"}, []string{`"nosuch"`, "does not exist"}},
		{"unknown id kill", []string{"kill", "nosuch", "KILL"}, []string{`"nosuch"`, "does not exist"}},
		{"unknown id delete", []string{"delete", "nosuch"}, []string{`"nosuch"`, "does not exist"}},
		{"unknown command", []string{"no-such-command"}, []string{"no-such-command"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := rt.Run(t, tc.args...)
			if res.Code == 0 {
				t.Fatalf("exit 0 for %v", tc.args)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.Stderr+res.Stdout, w) {
					t.Errorf("message %q does not contain %q", res.Stderr+res.Stdout, w)
				}
			}
		})
	}

	t.Run("duplicate id", func(t *testing.T) {
		bundle := testenv.NewBundle(t, e, []string{"/bin/sleep", "1000"}, nil)
		rt.Create(t, bundle, "dup")
		res := rt.Run(t, "create", "--bundle", bundle, "dup")
		if res.Code == 0 || !strings.Contains(res.Stderr, "already exists") {
			t.Fatalf("second create: exit %d, stderr %q", res.Code, res.Stderr)
		}
		// The first container is untouched by the failed create.
		if got := state(t, rt, "dup"); got != "created" {
			t.Errorf("first container state %q after duplicate create", got)
		}
		rt.MustRun(t, "delete", "--force", "dup")
	})
	assertNoState(t, rt)
}

// assertNoState checks that the state root holds nothing but gVisor's shared
// null network namespace file.
func assertNoState(t *testing.T, rt *testenv.Runtime) {
	t.Helper()
	ents, err := os.ReadDir(rt.Root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.Name() != "null-netns" {
			t.Errorf("state left in %s: %s", rt.Root, e.Name())
		}
	}
}

// removeCgroupParent removes the parent in every mounted hierarchy (the
// named systemd one too, which no controller list names).
func removeCgroupParent(host.Cgroups) {
	dirs, _ := cgroup.Dirs("/" + cgroupParent)
	for _, d := range dirs {
		_ = os.Remove(d)
	}
}

func readUint(t *testing.T, path string) uint64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return n
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// delete without --force still refuses a running container, at once, with
// gVisor's message (runsc-ai only gives a container that looks running
// 300 ms to settle first).
func TestDeleteRunningWithoutForce(t *testing.T) {
	e := testenv.Get(t)
	rt := testenv.NewRuntime(t, e.RunscAI, sandboxFlags...)
	bundle := testenv.NewBundle(t, e, []string{"/bin/sleep", "60"}, nil)
	rt.Create(t, bundle, "busy")
	rt.MustRun(t, "start", "busy")
	start := time.Now()
	res := rt.Run(t, "delete", "busy")
	if res.Code == 0 || !strings.Contains(res.Stderr, "not stopped without --force") {
		t.Errorf("delete of a running container: exit %d, %q", res.Code, res.Stderr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refusal took %v", d)
	}
	if got := state(t, rt, "busy"); got != "running" {
		t.Errorf("state after refused delete: %s", got)
	}
	rt.MustRun(t, "delete", "--force", "busy")
}
