package oci

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-os-agent/runsc-ai/integration/testenv"
)

// `decide` with the embedded backend works offline and persists learning.
func TestDecideCommandEmbedded(t *testing.T) {
	e := testenv.Get(t)
	dir := t.TempDir()
	sit := filepath.Join(dir, "s.json")
	os.WriteFile(sit, []byte(`{"kind":"memory","sandbox":"db1","image":"db\n1","features":{"mem_util":0.2},"evidence":4,
		"limits":{"memory_bytes":1073741824},"current":{"memory_bytes":1073741824}}`), 0o644)
	out, err := exec.Command(e.RunscAI, "decide", "--situation", sit, "--history", filepath.Join(dir, "h.db"), "--explain").Output()
	if err != nil {
		t.Fatalf("decide: %v\n%s", err, out)
	}
	// mem_util 0.2 of a 1 GiB limit: the default policy's right-sizing rule.
	for _, want := range []string{"decision: memory lower_limit by 25%", "tier:       policy", "reason:     policy rule memory_right_size",
		"fast tier greedy choice: keep", "backend: embedded", `image="db\n1"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "h.db")); err != nil {
		t.Errorf("no history written: %v", err)
	}
	// Hostile or malformed situations are refused with the reason.
	os.WriteFile(sit, []byte(`{"kind":"memory","features":{"mem_util":7}}`), 0o644)
	out, err = exec.Command(e.RunscAI, "decide", "--situation", sit, "--history", "").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "mem_util = 7") {
		t.Errorf("bad situation: %v\n%s", err, out)
	}
}

func TestPolicyCheckCommand(t *testing.T) {
	e := testenv.Get(t)
	good := filepath.Join(testenv.RepoRoot(), "policies", "default.yaml")
	if out, err := exec.Command(e.RunscAI, "policy", "check", good).CombinedOutput(); err != nil || !strings.Contains(string(out), "valid") {
		t.Errorf("default policy: %v\n%s", err, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("version: 1\ngoal: x\nkinds:\n  cpu:\n    actions: [keep, overclock]\n"), 0o644)
	out, err := exec.Command(e.RunscAI, "policy", "check", bad).CombinedOutput()
	if err == nil || !strings.Contains(string(out), bad+":5: kinds.cpu.actions") || !strings.Contains(string(out), `"overclock"`) {
		t.Errorf("bad policy: %v\n%s", err, out)
	}
}

// One policy flag and one history rule: decide uses the global --ai-policy
// and <--ai-state>/live.db like every command; the flags it had before
// still work and say they are deprecated.
func TestDecideFlagsAreTheCommonOnes(t *testing.T) {
	e := testenv.Get(t)
	dir := t.TempDir()
	sit := filepath.Join(dir, "s.json")
	os.WriteFile(sit, []byte(`{"kind":"memory","sandbox":"a","features":{"mem_util":0.2},"evidence":4,
		"limits":{"memory_bytes":1073741824},"current":{"memory_bytes":1073741824}}`), 0o644)
	// A policy without the right-sizing rule: keep, by the fast tier.
	pol, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "policies", "default.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	norules := filepath.Join(dir, "p.yaml")
	os.WriteFile(norules, []byte(strings.Split(string(pol), "\nrules:")[0]+"\nrules: []\n"+"create:"+strings.Split(string(pol), "\ncreate:")[1]), 0o644)

	state := filepath.Join(dir, "state")
	out, err := exec.Command(e.RunscAI, "--ai-state="+state, "--ai-policy="+norules, "decide", "--situation", sit).CombinedOutput()
	if err != nil || strings.Contains(string(out), "memory_right_size") || strings.Contains(string(out), "deprecated") {
		t.Errorf("--ai-policy: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(state, "live.db")); err != nil {
		t.Errorf("history not in <--ai-state>/live.db: %v", err)
	}
	old := filepath.Join(dir, "old.db")
	out, err = exec.Command(e.RunscAI, "decide", "--situation", sit, "--policy", norules, "--state", old).CombinedOutput()
	if err != nil || strings.Contains(string(out), "memory_right_size") || !strings.Contains(string(out), "--policy is deprecated") || !strings.Contains(string(out), "--state is deprecated") {
		t.Errorf("deprecated flags: %v\n%s", err, out)
	}
	if _, err := os.Stat(old); err != nil {
		t.Errorf("--state %s not used: %v", old, err)
	}
}
