package testenv

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// NewBundle writes an OCI bundle whose config.json comes from `runsc-ai spec`
// (so the tests also exercise spec), with the busybox rootfs, no terminal,
// the given args, and whatever mutate changes.
func NewBundle(t testing.TB, e Env, args []string, mutate func(*specs.Spec)) string {
	t.Helper()
	dir := t.TempDir()
	rt := &Runtime{Bin: e.RunscAI, Root: t.TempDir()}
	res := rt.Run(t, append([]string{"spec", "--bundle", dir, "--"}, args...)...)
	if res.Code != 0 {
		t.Fatalf("spec: exit %d: %s", res.Code, res.Stderr)
	}
	path := filepath.Join(dir, "config.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var spec specs.Spec
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatalf("spec wrote invalid config.json: %v", err)
	}
	spec.Root = &specs.Root{Path: e.Rootfs, Readonly: true}
	spec.Process.Terminal = false
	if mutate != nil {
		mutate(&spec)
	}
	if b, err = json.MarshalIndent(&spec, "", "  "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}
