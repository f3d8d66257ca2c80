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
	"github.com/go-os-agent/runsc-ai/policies"
)

// aiRuntime is runsc-ai with a private state and history, and no --platform:
// the platform is the decision's to make.
func aiRuntime(t *testing.T, e testenv.Env, flags ...string) *testenv.Runtime {
	return testenv.NewRuntime(t, e.RunscAI, append([]string{"--network=none"}, flags...)...)
}

func mustContain(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, s)
		}
	}
}

// settingLine returns the SETTING row for name in dry-run/explain output.
func settingLine(t *testing.T, out, name string) []string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) >= 3 && f[0] == name {
			return f
		}
	}
	t.Fatalf("no %s row in:\n%s", name, out)
	return nil
}

// sandboxArgs are the flags gVisor booted a container's sandbox with: the
// decision as applied, read from the running boot process.
func sandboxArgs(t *testing.T, rt *testenv.Runtime, id string) string {
	t.Helper()
	var st specs.State
	if err := json.Unmarshal([]byte(rt.MustRun(t, "state", id).Stdout), &st); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(st.Pid), "cmdline"))
	if err != nil {
		t.Fatalf("sandbox process: %v", err)
	}
	return strings.ReplaceAll(string(b), "\x00", " ")
}

// cgroupLeftovers lists /<id> in every mounted cgroup hierarchy that exists.
func cgroupLeftovers(t *testing.T, id string) []string {
	dirs, err := cgroup.Dirs("/" + id)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, d := range dirs {
		if _, err := os.Stat(d); err == nil {
			left = append(left, d)
		}
	}
	return left
}

// hasMemoryCgroup: peak memory is only measured where the controller is.
func hasMemoryCgroup() bool {
	if _, err := os.Stat("/sys/fs/cgroup/memory/memory.max_usage_in_bytes"); err == nil {
		return true
	}
	b, _ := os.ReadFile("/sys/fs/cgroup/cgroup.controllers")
	return strings.Contains(string(b), "memory")
}

// A bundle with no flags gets a decided configuration, every setting with
// its source, and runs; the run is recorded and explained.
func TestCreateTimeDecisionWithoutFlags(t *testing.T) {
	e := testenv.Get(t)
	rt := aiRuntime(t, e)
	bundle := testenv.NewBundle(t, e, []string{"/bin/echo", "decided"}, nil)

	dry := rt.MustRun(t, "decide", "--dry-run", "--bundle", bundle).Stdout
	mustContain(t, "dry run", dry, `image:     "cmd:/bin/echo decided"`, "first run of this image", "SETTING")
	if f := settingLine(t, dry, "platform"); f[2] != "host" || (f[1] != "systrap" && f[1] != "kvm") {
		t.Errorf("platform row %v: want a host-chosen platform", f)
	}
	for _, s := range []string{"overlay2", "directfs", "app-huge-pages", "num-network-channels"} {
		settingLine(t, dry, s)
	}

	// The run discovers the host (the dry run's cache removed) and caches
	// the facts once its container has started, for the next create.
	hostCache := filepath.Join(rt.AIState, "host.json")
	if err := os.Remove(hostCache); err != nil {
		t.Fatalf("the dry run cached no host facts: %v", err)
	}
	res := rt.MustRun(t, "run", "--bundle", bundle, "c1")
	if strings.TrimSpace(res.Stdout) != "decided" {
		t.Fatalf("stdout %q", res.Stdout)
	}
	if _, err := os.Stat(hostCache); err != nil {
		t.Errorf("host facts not cached by the run: %v", err)
	}
	ex := rt.MustRun(t, "explain", "c1").Stdout
	mustContain(t, "explain", ex, `container: "c1" (deleted`, "outcome:", "whole run/do command")
	// Nothing else was left behind: the run's pending record is gone.
	if left, _ := filepath.Glob(filepath.Join(rt.AIState, "create", "containers", "*.json")); len(left) != 0 {
		t.Errorf("pending records left: %v", left)
	}
}

// Explicit flags and gVisor annotations always win; decided settings reach
// the real sandbox's boot flags.
func TestExplicitSettingsAreNeverOverridden(t *testing.T) {
	e := testenv.Get(t)
	// The user's platform is one the decision would not choose (ptrace), if
	// the host probe says it boots here: on a kernel with a 39-bit address
	// space (Raspberry Pi OS) it does not, and then the boot half of this
	// test keeps the default platform (the dry run still shows the flag win).
	platform := "ptrace"
	probe := host.ExecPlatformProber{Binary: e.RunscAI, Args: []string{"--ai-decide=false"}}.Probe(context.Background(), "ptrace", 30*time.Second)
	if !probe.Usable {
		t.Logf("ptrace does not boot here (%s): booting with systrap", probe.Err)
		platform = "systrap"
	}
	rt := aiRuntime(t, e, "--platform="+platform)
	// The profile annotation makes the decision want overlay2=root:self
	// and no huge pages; the user wants ptrace and a memory overlay.
	bundle := testenv.NewBundle(t, e, []string{"/bin/sleep", "60"}, func(s *specs.Spec) {
		s.Annotations = map[string]string{"runsc-ai.profile": "profile_low_memory", "dev.gvisor.flag.overlay2": "root:memory"}
	})
	dry := aiRuntime(t, e, "--platform=ptrace").MustRun(t, "decide", "--dry-run", "--bundle", bundle).Stdout
	if f := settingLine(t, dry, "platform"); f[1] != "ptrace" || f[2] != "flag" {
		t.Errorf("platform %v: want the flag's ptrace", f)
	}
	if f := settingLine(t, dry, "overlay2"); f[1] != "root:memory" || f[2] != "annotation" {
		t.Errorf("overlay2 %v: want the annotation's root:memory", f)
	}
	if f := settingLine(t, dry, "app-huge-pages"); f[1] != "false" || f[2] != "profile" {
		t.Errorf("app-huge-pages %v: want the profile's false", f)
	}

	rt.Create(t, bundle, "c2")
	rt.MustRun(t, "start", "c2")
	args := sandboxArgs(t, rt, "c2")
	// gVisor passes the boot only what differs from its defaults.
	want := []string{"--overlay2=root:memory", "--app-huge-pages=false"}
	if platform != "systrap" { // gVisor's default, not passed on
		want = append(want, "--platform="+platform)
	}
	mustContain(t, "sandbox flags", args, want...)
	rt.MustRun(t, "delete", "--force", "c2")
}

// writePolicy writes the default policy with edits.
func writePolicy(t *testing.T, edits ...[2]string) string {
	t.Helper()
	src := string(policies.DefaultYAML())
	for _, ed := range edits {
		if !strings.Contains(src, ed[0]) {
			t.Fatalf("default policy lacks %q", ed[0])
		}
		src = strings.Replace(src, ed[0], ed[1], 1)
	}
	p := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// forgeKVM makes the saved host facts claim that gVisor boots on KVM here,
// as a probe on another kernel or a stale cache might.
func forgeKVM(t *testing.T, rt *testenv.Runtime, bundle string) {
	t.Helper()
	rt.MustRun(t, "decide", "--dry-run", "--bundle", bundle) // saves this boot's facts
	path := filepath.Join(rt.AIState, "host.json")
	var c map[string]any
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(b, &c)
	info := c["info"].(map[string]any)
	info["kvm_usable"] = map[string]any{"value": true, "source": "forged by the test"}
	info["platforms"] = []any{
		map[string]any{"name": "systrap", "usable": true, "source": "forged"},
		map[string]any{"name": "kvm", "usable": true, "source": "forged"},
	}
	b, _ = json.Marshal(c)
	os.WriteFile(path, b, 0o600)
}

// A decided platform that does not boot falls back to the default, the
// container still runs, and the failure is recorded where the next run
// (and the next create on this host) sees it.
func TestBadPlatformFallsBack(t *testing.T) {
	e := testenv.Get(t)
	for _, tc := range []struct {
		name, timeout, why string
		flags              []string
	}{
		// The KVM device cannot be opened: a boot error on every host,
		// whatever its KVM does (fails, hangs or works). The flag is
		// irrelevant to systrap, so the fallback boots.
		{"boot error", "20s", "creating container", []string{"--platform_device_path=/nonexistent/kvm"}},
		// A boot that takes longer than the policy allows is killed: the
		// hang case. 50 ms is shorter than any gVisor boot.
		{"boot timeout", "50ms", "no boot within 50ms", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pol := writePolicy(t, [2]string{"amd64: [systrap]", "amd64: [kvm, systrap]"}, [2]string{"arm64: [kvm, systrap]", "arm64: [kvm, systrap]"},
				[2]string{"boot_timeout: 20s", "boot_timeout: " + tc.timeout})
			rt := aiRuntime(t, e, append([]string{"--ai-policy=" + pol}, tc.flags...)...)
			bundle := testenv.NewBundle(t, e, []string{"/bin/echo", "still runs"}, nil)
			forgeKVM(t, rt, bundle)
			if f := settingLine(t, rt.MustRun(t, "decide", "--dry-run", "--bundle", bundle).Stdout, "platform"); f[1] != "kvm" {
				t.Fatalf("forged facts did not lead to kvm: %v", f)
			}

			id := fmt.Sprintf("kvm-fallback-%d", os.Getpid())
			res := rt.MustRun(t, "run", "--bundle", bundle, id)
			if strings.TrimSpace(res.Stdout) != "still runs" {
				t.Fatalf("stdout %q stderr %s", res.Stdout, res.Stderr)
			}
			why := tc.why
			if _, err := os.Stat("/dev/kvm"); err != nil && tc.name == "boot timeout" && !strings.Contains(res.Stderr, why) {
				// Without /dev/kvm (an emulated arm64 guest) the kvm attempt
				// fails at once rather than hanging; when that beats the
				// 50 ms timer, the boot error is the reason. The hang path
				// is exercised where /dev/kvm exists.
				why = "creating container"
				t.Logf("no /dev/kvm: the kvm attempt failed before the boot timeout")
			}
			mustContain(t, "stderr", res.Stderr, "decided platform=kvm did not boot; retrying once with platform=systrap", why)
			ex := rt.MustRun(t, "explain", id).Stdout
			mustContain(t, "explain", ex, "fallback:  the decided configuration did not boot", why)
			// The failed attempt's cgroup is gone too.
			if left := cgroupLeftovers(t, id); len(left) > 0 {
				t.Errorf("cgroups left behind: %v", left)
			}
			if f := settingLine(t, ex, "platform"); f[1] != "systrap" || f[2] != "fallback" {
				t.Errorf("explained platform %v", f)
			}
			// The host facts no longer claim KVM works.
			hf, _ := os.ReadFile(filepath.Join(rt.AIState, "host.json"))
			mustContain(t, "host facts", string(hf), "runsc-ai create: boot failed")

			// The next run does not try KVM again, and says why.
			forgeKVM(t, rt, bundle) // even if a probe claimed it works again
			dry := rt.MustRun(t, "decide", "--dry-run", "--bundle", bundle).Stdout
			if f := settingLine(t, dry, "platform"); f[1] != "systrap" {
				t.Errorf("second run platform %v", f)
			}
			mustContain(t, "second dry run", dry, "kvm failed to boot this image")
			res = rt.MustRun(t, "run", "--bundle", bundle, "k2")
			if strings.Contains(res.Stderr, "did not boot") {
				t.Errorf("second run retried again: %s", res.Stderr)
			}
		})
	}
}

// A second run of the same image is decided from the first one's history;
// the create/start/delete path records start-up time and peak memory.
func TestSecondRunUsesHistory(t *testing.T) {
	e := testenv.Get(t)
	rt := aiRuntime(t, e)
	bundle := testenv.NewBundle(t, e, []string{"/bin/sh", "-c", "echo hi; sleep 1"}, nil)
	for i, id := range []string{"h1", "h2"} {
		rt.Create(t, bundle, id)
		rt.MustRun(t, "start", id)
		ex := rt.MustRun(t, "explain", id).Stdout
		mustContain(t, "explain "+id, ex, "(exists; outcome measured when it is deleted)")
		if i == 0 {
			mustContain(t, "first run", ex, "evidence: 0 earlier runs", "first run of this image")
		} else {
			mustContain(t, "second run", ex, "evidence: 1 earlier runs", "history: 1 earlier runs, median")
			if strings.Contains(ex, "first run of this image") {
				t.Errorf("second run decided as a first run:\n%s", ex)
			}
		}
		rt.MustRun(t, "wait", id)
		rt.MustRun(t, "delete", "--force", id)
		ex = rt.MustRun(t, "explain", id).Stdout
		mustContain(t, "explain after delete "+id, ex, "(deleted; outcome measured)", "create (sandbox boot)", "reward")
		if !strings.Contains(ex, "peak memory") && hasMemoryCgroup() {
			t.Errorf("no peak memory measured:\n%s", ex)
		}
	}
	model := filepath.Join(rt.AIState, "create", "fast-tier.bin")
	if _, err := os.Stat(model); err != nil {
		t.Errorf("the fast tier learned nothing: %v", err)
	}
}

// Bad runsc-ai annotations fail with the annotation named; opting out
// behaves like runsc and records nothing.
func TestCreateTimeAnnotations(t *testing.T) {
	e := testenv.Get(t)
	rt := aiRuntime(t, e)
	bad := testenv.NewBundle(t, e, []string{"/bin/true"}, func(s *specs.Spec) {
		s.Annotations = map[string]string{"runsc-ai.workload": "turbo\x1b[2J"}
	})
	res := rt.Run(t, "run", "--bundle", bad, "a1")
	if res.Code == 0 || !strings.Contains(res.Stderr, `annotation runsc-ai.workload="turbo\x1b[2J"`) {
		t.Errorf("bad annotation: exit %d: %s", res.Code, res.Stderr)
	}
	off := testenv.NewBundle(t, e, []string{"/bin/echo", "plain"}, func(s *specs.Spec) {
		s.Annotations = map[string]string{"runsc-ai.decide": "false"}
	})
	if res := rt.MustRun(t, "run", "--bundle", off, "a2"); strings.TrimSpace(res.Stdout) != "plain" {
		t.Errorf("opted-out run: %q", res.Stdout)
	}
	if res := rt.Run(t, "explain", "a2"); res.Code == 0 || !strings.Contains(res.Stderr, `no create-time decision recorded for container "a2"`) {
		t.Errorf("opted-out run was recorded: %+v", res)
	}
	plain := testenv.NewRuntime(t, e.RunscAI, "--network=none", "--ai-decide=false")
	plain.MustRun(t, "run", "--bundle", off, "a3")
	if files, _ := filepath.Glob(filepath.Join(plain.AIState, "create", "images", "*.json")); len(files) != 0 {
		t.Errorf("--ai-decide=false recorded history: %v", files)
	}
}
