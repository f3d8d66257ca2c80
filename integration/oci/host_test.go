package oci

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-os-agent/runsc-ai/integration/testenv"
	"github.com/go-os-agent/runsc-ai/platform/host"
)

func hostJSON(t *testing.T, bin string, args ...string) host.Info {
	t.Helper()
	// A private --ai-state: `host` saves probed facts there.
	out, err := exec.Command(bin, append([]string{"--ai-state=" + t.TempDir(), "host", "--json"}, args...)...).Output()
	if err != nil {
		t.Fatalf("host --json %v: %v", args, err)
	}
	var info host.Info
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatalf("host --json is not an Info: %v\n%s", err, out)
	}
	return info
}

// The live probes boot real sandboxes; systrap must work on any host we
// support, and KVM is reported usable exactly when gVisor boots on it (on
// this CI machine: /dev/kvm exists but gVisor's kvm platform fails).
func TestHostCommandProbes(t *testing.T) {
	e := testenv.Get(t)
	info := hostJSON(t, e.RunscAI, "--probe-timeout=20s")
	if len(info.Platforms) != 3 || info.KVMUsable == nil {
		t.Fatalf("probes missing: %+v", info)
	}
	for _, p := range info.Platforms {
		if p.Name == "systrap" && !p.Usable {
			t.Errorf("systrap not usable: %+v", p)
		}
		if p.Name == "kvm" && p.Usable != info.KVMUsable.Value {
			t.Errorf("kvm_usable=%v but kvm platform %+v", info.KVMUsable.Value, p)
		}
	}
	t.Logf("kvm usable: %v (%s)", info.KVMUsable.Value, info.KVMUsable.Err)
}

func TestHostCommandFixture(t *testing.T) {
	e := testenv.Get(t)
	root := filepath.Join(testenv.RepoRoot(), "platform", "host", "testdata", "pi4-rpios64")
	info := hostJSON(t, e.RunscAI, "--fs-root", root)
	if info.Board.Value != "Raspberry Pi 4 Model B Rev 1.4" || info.Arch.Value != "aarch64" {
		t.Errorf("fixture read wrongly: board %+v arch %+v", info.Board, info.Arch)
	}
	if info.KVMUsable != nil || len(info.Platforms) != 0 {
		t.Error("probes ran against a fixture tree")
	}
	out, err := exec.Command(e.RunscAI, "host", "--fs-root", root).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ARM Cortex-A72", "ASIMD (NEON)", "missing: memory", "not probed"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}
