package oci

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/go-os-agent/runsc-ai/integration/testenv"
)

// On a cgroup v2 host without the memory controller (Raspberry Pi OS's
// default; make e2e-arm64's nomemcg boot), gVisor refuses every sandbox
// that has a cgroup: plain runsc fails with "mandatory cgroup controller
// "memory" is missing". runsc-ai runs a container that sets no limits
// without a cgroup, refuses one with limits naming the fix, and `runsc-ai
// host` gives the same fix.
func TestNoMemoryController(t *testing.T) {
	b, err := os.ReadFile("/sys/fs/cgroup/cgroup.controllers")
	if err != nil || strings.Contains(string(b), "memory") {
		t.Skip("needs a cgroup v2 host without the memory controller (boot with cgroup_disable=memory; make e2e-arm64 does)")
	}
	e := testenv.Get(t)
	plain := testenv.NewBundle(t, e, []string{"/bin/true"}, nil)
	limited := testenv.NewBundle(t, e, []string{"/bin/true"}, func(s *specs.Spec) {
		l := int64(256 << 20)
		s.Linux.Resources = &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &l}}
	})

	// The finding: gVisor itself runs nothing here.
	runsc := testenv.NewRuntime(t, e.Runsc, "--network=none")
	if res := runsc.Run(t, "run", "--bundle", plain, "ref"); res.Code == 0 {
		t.Error("plain runsc ran a sandbox with a cgroup without the memory controller: the finding no longer holds")
	} else {
		t.Logf("plain runsc: exit %d: %s", res.Code, strings.TrimSpace(res.Stderr))
	}

	rt := aiRuntime(t, e)
	rt.MustRun(t, "run", "--bundle", plain, "nolimits")
	ex := rt.MustRun(t, "explain", "nolimits").Stdout
	mustContain(t, "explain", ex, "ignore-cgroups", "no memory controller", "cgroup_enable=memory cgroup_memory=1")

	res := rt.Run(t, "run", "--bundle", limited, "limits")
	if res.Code == 0 {
		t.Fatal("a container with a memory limit ran without the memory controller")
	}
	mustContain(t, "refusal", res.Stderr, "resource limits cannot be enforced on this host", "sets memory limits", "cgroup_enable=memory cgroup_memory=1")

	out, err := exec.Command(e.RunscAI, "host", "--no-probe").Output()
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "runsc-ai host", string(out), "missing: memory", "cgroup_enable=memory cgroup_memory=1")
}
