package tap

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/go-os-agent/runsc-ai/llmkernel/summary"
)

// Files are one sandbox's tap files in the agent's tap directory: the FIFO
// the Sentry writes summaries to and the pod init config that names the
// sink. runsc-ai creates them at create and removes them at delete.
type Files struct {
	FIFO, Config string
	// Root holds the runsc state root the sandbox was created under, so
	// the agent (even a restarted one) finds its state and cgroup.
	Root string
	// Baseline is written by the agent: the sandbox's settings when first
	// seen, the ceiling where the OCI spec sets none.
	Baseline string
}

// FilesFor names sandbox id's files in dir.
func FilesFor(dir, id string) Files {
	return Files{FIFO: filepath.Join(dir, id+".fifo"), Config: filepath.Join(dir, id+".json"),
		Root: filepath.Join(dir, id+".root"), Baseline: filepath.Join(dir, id+".baseline.json")}
}

// Prepare creates sandbox id's FIFO, pod init config and root pointer
// (rootDir, runsc's --root) in dir (0700, files 0600: summaries are the
// workload's behaviour) and returns them. An existing FIFO is reused.
func Prepare(dir, id, rootDir string, window time.Duration) (Files, error) {
	if err := summary.ValidID(id); err != nil {
		return Files{}, fmt.Errorf("tap: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Files{}, fmt.Errorf("tap: %w", err)
	}
	f := FilesFor(dir, id)
	if err := unix.Mkfifo(f.FIFO, 0o600); err != nil && !errors.Is(err, unix.EEXIST) {
		return Files{}, fmt.Errorf("tap: mkfifo %s: %w", f.FIFO, err)
	}
	cfg := map[string]any{"trace_session": map[string]any{
		"name": "Default",
		"sinks": []any{map[string]any{
			"name": SinkName,
			"config": map[string]any{
				ConfigFIFO: f.FIFO, ConfigSandbox: id, ConfigWindow: window.String(),
			},
			"ignore_setup_error": true,
		}},
	}}
	b, err := json.Marshal(cfg)
	if err != nil {
		return Files{}, err
	}
	if err := os.WriteFile(f.Config, b, 0o600); err != nil {
		os.Remove(f.FIFO)
		return Files{}, fmt.Errorf("tap: %w", err)
	}
	if err := os.WriteFile(f.Root, []byte(rootDir), 0o600); err != nil {
		Remove(dir, id)
		return Files{}, fmt.Errorf("tap: %w", err)
	}
	return f, nil
}

// Remove deletes sandbox id's tap files; missing ones are fine.
func Remove(dir, id string) {
	if summary.ValidID(id) != nil {
		return
	}
	f := FilesFor(dir, id)
	os.Remove(f.FIFO)
	os.Remove(f.Config)
	os.Remove(f.Root)
	os.Remove(f.Baseline)
}
