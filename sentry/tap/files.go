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
	// Baseline is written by the agent: the sandbox's settings when first
	// seen, the ceiling where the OCI spec sets none.
	Baseline string
}

// FilesFor names sandbox id's files in dir.
func FilesFor(dir, id string) Files {
	return Files{FIFO: filepath.Join(dir, id+".fifo"), Config: filepath.Join(dir, id+".json"),
		Baseline: filepath.Join(dir, id+".baseline.json")}
}

// Prepare creates sandbox id's FIFO and pod init config in dir (0700, files
// 0600: summaries are the workload's behaviour) and returns them. An
// existing FIFO is reused. The config also names rootDir, runsc's --root,
// so the agent (even a restarted one) finds the sandbox's state and cgroup
// (ReadRoot).
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
				ConfigFIFO: f.FIFO, ConfigSandbox: id, ConfigWindow: window.String(), ConfigRoot: rootDir,
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
	os.Remove(f.Baseline)
}

// ReadRoot returns the runsc root a sandbox's pod init config names.
func ReadRoot(config string) (string, error) {
	b, err := os.ReadFile(config)
	if err != nil {
		return "", err
	}
	var pod struct {
		TraceSession struct {
			Sinks []struct {
				Name   string         `json:"name"`
				Config map[string]any `json:"config"`
			} `json:"sinks"`
		} `json:"trace_session"`
	}
	if err := json.Unmarshal(b, &pod); err != nil {
		return "", fmt.Errorf("%s: %w", config, err)
	}
	for _, s := range pod.TraceSession.Sinks {
		if root, _ := s.Config[ConfigRoot].(string); s.Name == SinkName && filepath.IsAbs(root) {
			return root, nil
		}
	}
	return "", fmt.Errorf("%s: no absolute runsc root in the %s sink's config", config, SinkName)
}
