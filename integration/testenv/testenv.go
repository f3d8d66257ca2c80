// Package testenv gives end-to-end tests what they need to run real gVisor
// sandboxes: the runsc-ai binary, a plain runsc built from the same gVisor
// module (for comparisons), a busybox rootfs, OCI bundles, and a runtime
// handle with a private state root that is cleaned up after the test.
//
// Binaries come from RUNSC_AI_BIN / RUNSC_BIN / RUNSC_AI_ROOTFS when set (as
// `make test` does); otherwise they are built once per test process.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Env locates the artefacts the tests run.
type Env struct {
	RunscAI string // static runsc-ai binary
	Runsc   string // static plain runsc, same gVisor module
	Rootfs  string // busybox rootfs directory
	// RunscAIArm64 is the static linux/arm64 runsc-ai (cross-built).
	RunscAIArm64 string
	// Shim is containerd-shim-runsc-ai-v1, in the same directory as
	// RunscAI (the shim runs the runsc-ai next to it).
	Shim string
}

var (
	once   sync.Once
	env    Env
	envErr error
)

// Get returns the test environment, building what is missing. It skips the
// test when not root (sandboxes need it) and fails it if a build fails.
func Get(t testing.TB) Env {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("end-to-end sandbox tests need root (gVisor creates namespaces and cgroups)")
	}
	once.Do(func() { env, envErr = setup() })
	if envErr != nil {
		t.Fatalf("test environment: %v", envErr)
	}
	return env
}

// ScaleEnv scales the work of tests whose workload is sized for a real CPU:
// a fraction in (0, 1], e.g. 0.05 on an emulated one (make e2e-arm64).
const ScaleEnv = "RUNSC_AI_TEST_SCALE"

// Scale is n scaled by ScaleEnv (at least 1); n when it is unset or bad.
func Scale(n int) int {
	f, err := strconv.ParseFloat(os.Getenv(ScaleEnv), 64)
	if err != nil || !(f > 0 && f <= 1) {
		return n
	}
	return max(1, int(float64(n)*f))
}

// RepoRoot is the module root, found from this source file.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

func setup() (Env, error) {
	root := RepoRoot()
	bin := filepath.Join(root, "bin")
	e := Env{
		RunscAI: os.Getenv("RUNSC_AI_BIN"),
		Runsc:   os.Getenv("RUNSC_BIN"),
		Rootfs:  os.Getenv("RUNSC_AI_ROOTFS"),

		RunscAIArm64: os.Getenv("RUNSC_AI_ARM64_BIN"),
		Shim:         os.Getenv("RUNSC_AI_SHIM_BIN"),
	}
	var err error
	if e.RunscAI == "" {
		e.RunscAI = filepath.Join(bin, "runsc-ai")
		if err = build(root, e.RunscAI, "./runsc-ai"); err != nil {
			return e, err
		}
	}
	if e.Runsc == "" {
		e.Runsc = filepath.Join(bin, "runsc")
		if err = build(root, e.Runsc, "gvisor.dev/gvisor/runsc"); err != nil {
			return e, err
		}
	}
	if e.RunscAIArm64 == "" {
		e.RunscAIArm64 = filepath.Join(bin, "runsc-ai-arm64")
		if err = build(root, e.RunscAIArm64, "./runsc-ai", "GOARCH=arm64"); err != nil {
			return e, err
		}
	}
	if e.Shim == "" {
		e.Shim = filepath.Join(filepath.Dir(e.RunscAI), "containerd-shim-runsc-ai-v1")
		if err = build(root, e.Shim, "./integration/containerd/cmd/containerd-shim-runsc-ai-v1"); err != nil {
			return e, err
		}
	}
	if e.Rootfs == "" {
		e.Rootfs = filepath.Join(bin, "rootfs")
		out, err := exec.Command("sh", filepath.Join(root, "integration", "mkrootfs.sh"), e.Rootfs).CombinedOutput()
		if err != nil {
			return e, fmt.Errorf("building rootfs: %w: %s", err, out)
		}
	}
	for _, p := range []string{e.RunscAI, e.Runsc, e.RunscAIArm64, e.Shim, filepath.Join(e.Rootfs, "bin", "busybox")} {
		if _, err := os.Stat(p); err != nil {
			return e, fmt.Errorf("missing %s: %w", p, err)
		}
	}
	return e, nil
}

// build compiles a static binary; gVisor's sandbox cannot start a dynamic one
// inside its chroot.
func build(root, out, pkg string, env ...string) error {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(append(os.Environ(), "CGO_ENABLED=0"), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w: %s", pkg, err, strings.TrimSpace(string(b)))
	}
	return nil
}

// Containerd2Dir is the directory holding containerd and ctr 2.x:
// CONTAINERD2_DIR (as `make test` sets it), else built once from the module
// by integration/containerd/build-containerd.sh.
func Containerd2Dir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("CONTAINERD2_DIR"); dir != "" {
		return dir
	}
	out, err := exec.Command("sh", filepath.Join(RepoRoot(), "integration", "containerd", "build-containerd.sh")).Output()
	if err != nil {
		t.Fatalf("building containerd 2.x: %v", err)
	}
	return strings.TrimSpace(string(out))
}
