package host

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// PlatformProber boots a sandbox on a gVisor platform and says if it worked.
type PlatformProber interface {
	Probe(ctx context.Context, platform string, timeout time.Duration) PlatformFact
}

// ExecPlatformProber probes by running `<Binary> do /bin/true` on each
// platform with a private state root: a real boot, the only trustworthy
// answer to "does this platform work here".
type ExecPlatformProber struct {
	Binary string // a runsc-compatible binary (runsc-ai itself)
	// Args are extra global flags, e.g. to keep runsc-ai's create-time
	// decisions out of the probe's boot.
	Args []string
}

// Probe implements PlatformProber.
func (p ExecPlatformProber) Probe(ctx context.Context, platform string, timeout time.Duration) PlatformFact {
	fact := PlatformFact{Name: platform, Source: fmt.Sprintf("%s --platform=%s do /bin/true", p.Binary, platform)}
	start := time.Now()
	err := p.run(ctx, platform, timeout)
	fact.Millis = time.Since(start).Milliseconds()
	if err != nil {
		fact.Err = err.Error()
	} else {
		fact.Usable = true
	}
	return fact
}

func (p ExecPlatformProber) run(ctx context.Context, platform string, timeout time.Duration) error {
	root, err := os.MkdirTemp("", "runsc-ai-probe-")
	if err != nil {
		return fmt.Errorf("state root: %w", err)
	}
	defer removeRoot(root)
	global := append([]string{"--root=" + root, "--platform=" + platform, "--network=none", "--ignore-cgroups"}, p.Args...)

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.Binary, append(global, "do", "/bin/true")...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	err = cmd.Run()
	if ctx.Err() != nil {
		// The sandbox and gofer run in their own sessions; a hung boot
		// leaves them behind unless the runtime is asked to remove them.
		p.cleanup(global)
		return fmt.Errorf("sandbox did not finish within %v", timeout)
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 300 {
			msg = msg[len(msg)-300:]
		}
		return fmt.Errorf("%w: %s", err, msg)
	}
	return nil
}

func (p ExecPlatformProber) cleanup(global []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, p.Binary, append(global, "list", "-quiet")...).Output()
	if err != nil {
		return
	}
	for _, id := range strings.Fields(string(out)) {
		_ = exec.CommandContext(ctx, p.Binary, append(global, "delete", "-force", id)...).Run()
	}
}

// removeRoot deletes a probe's state root. gVisor bind-mounts an empty network
// namespace at <root>/null-netns and shares it across runs on purpose, so it
// must be unmounted (perhaps several stacked times) before the directory goes.
func removeRoot(root string) {
	for unix.Unmount(filepath.Join(root, "null-netns"), unix.MNT_DETACH) == nil {
	}
	_ = os.RemoveAll(root)
}
