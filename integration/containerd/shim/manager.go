// Package shim is runsc-ai's containerd shim (containerd-shim-runsc-ai-v1):
// gVisor's shim (gvisor.dev/gvisor/pkg/shim/v1) with runsc-ai as its
// runtime binary, plus fixes for what fails with gVisor's shim on hosts like
// ours:
//
//   - a failed oom_score_adj write (no CAP_SYS_RESOURCE) is a warning, not a
//     failed start (Manager.Start);
//   - containerd 1.6 reads a plain address from `shim start`, not the JSON
//     bootstrap parameters containerd ≥ 1.7 reads (Manager.Start);
//   - a container without CRI annotations (`ctr run`) is started as its own
//     sandbox, with its stdio, instead of hanging ctr (extension.go);
//   - a container that exits at once reports its own exit code (extension.go).
//
// It changes gVisor's shim only through its public extension points
// (shim.Manager, extension.NewExtension); no gVisor source is copied.
package shim

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"

	"github.com/containerd/containerd/v2/pkg/namespaces"
	cshim "github.com/containerd/containerd/v2/pkg/shim"
	"github.com/containerd/containerd/v2/pkg/sys"
	"github.com/containerd/log"
	"golang.org/x/sys/unix"
	gvshim "gvisor.dev/gvisor/pkg/shim/v1"
	"gvisor.dev/gvisor/pkg/shim/v1/runsc"
	"gvisor.dev/gvisor/runsc/specutils"
)

// RuntimeName is the containerd runtime type that runs this shim.
const RuntimeName = "io.containerd.runsc-ai.v1"

// shimOOMScore keeps the shim alive longer than its containers under memory
// pressure, as gVisor's shim asks; it needs CAP_SYS_RESOURCE.
const shimOOMScore = -999

// maxShimVersionEnv is set by containerd ≥ 1.7 when it starts a shim; 1.6
// does not set it and wants a bare address on stdout.
const maxShimVersionEnv = "MAX_SHIM_VERSION"

// kubernetesGroupAnnotation groups a pod's containers into one shim.
const kubernetesGroupAnnotation = "io.kubernetes.cri.sandbox-id"

// Manager starts and stops shim daemons. Stop and Info are gVisor's.
type Manager struct {
	cshim.Manager
	// Stdout receives `shim start`'s answer for containerd 1.6; nil is
	// os.Stdout.
	Stdout io.Writer
}

// NewManager returns the manager for RuntimeName.
func NewManager() *Manager {
	return &Manager{Manager: gvshim.NewShimManager(RuntimeName)}
}

// Start implements shim.Manager: it starts the shim daemon (the same binary,
// without the "start" action) listening on a socket it passes down.
func (m *Manager) Start(ctx context.Context, id string, opts cshim.StartOpts) (_ cshim.BootstrapParams, retErr error) {
	grouping, err := groupID(id)
	if err != nil {
		return cshim.BootstrapParams{}, err
	}
	address, err := cshim.SocketAddress(ctx, opts.Address, grouping, opts.Debug)
	if err != nil {
		return cshim.BootstrapParams{}, err
	}
	params := cshim.BootstrapParams{Version: 2, Address: address, Protocol: "ttrpc"}
	socket, err := cshim.NewSocket(address)
	if err != nil {
		if !cshim.SocketEaddrinuse(err) {
			return params, fmt.Errorf("create shim socket %s: %w", address, err)
		}
		// Grouping: the pod's shim already serves this container.
		if cshim.CanConnect(address) {
			if err := os.WriteFile("address", []byte(address), 0o644); err != nil {
				return params, fmt.Errorf("write shim address: %w", err)
			}
			return m.answer(params)
		}
		if err := cshim.RemoveSocket(address); err != nil {
			return params, fmt.Errorf("remove stale shim socket: %w", err)
		}
		if socket, err = cshim.NewSocket(address); err != nil {
			return params, fmt.Errorf("create shim socket %s: %w", address, err)
		}
	}
	defer func() {
		// The daemon owns the socket now; closing our copy must not unlink it.
		socket.SetUnlinkOnClose(retErr != nil)
		socket.Close()
	}()
	if err := os.WriteFile("address", []byte(address), 0o644); err != nil {
		return params, fmt.Errorf("write shim address: %w", err)
	}
	f, err := socket.File()
	if err != nil {
		return params, fmt.Errorf("shim socket: %w", err)
	}
	defer f.Close()
	cmd, err := daemonCommand(ctx, id, opts)
	if err != nil {
		return params, err
	}
	cmd.ExtraFiles = []*os.File{f}
	if err := cmd.Start(); err != nil {
		return params, fmt.Errorf("start shim daemon: %w", err)
	}
	defer func() {
		if retErr != nil {
			cmd.Process.Kill()
		}
	}()
	go cmd.Wait()
	if err := cshim.WritePidFile("shim.pid", cmd.Process.Pid); err != nil {
		return params, fmt.Errorf("write shim pid: %w", err)
	}
	// gVisor's shim fails the start here on hosts where even root lacks
	// CAP_SYS_RESOURCE. The shim works without it, only easier to OOM-kill;
	// the daemon warns in its own log (checkOOMScore): containerd 1.6 reads
	// this process's stderr as part of the address, so nothing is logged here.
	_ = sys.SetOOMScore(cmd.Process.Pid, shimOOMScore)
	return m.answer(params)
}

// answer hands containerd 1.6 the bare address it parses. containerd ≥ 1.7
// gets the JSON parameters, which containerd's shim.Run writes after Start.
func (m *Manager) answer(params cshim.BootstrapParams) (cshim.BootstrapParams, error) {
	if os.Getenv(maxShimVersionEnv) != "" {
		return params, nil
	}
	out := m.Stdout
	if out == nil {
		out = os.Stdout
	}
	if _, err := io.WriteString(out, params.Address); err != nil {
		return params, fmt.Errorf("write shim address: %w", err)
	}
	// shim.Run writes JSON to os.Stdout next; 1.6 would take it as part of
	// the address.
	if devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		os.Stdout = devnull
	}
	return params, nil
}

func daemonCommand(ctx context.Context, id string, opts cshim.StartOpts) (*exec.Cmd, error) {
	ns, err := namespaces.NamespaceRequired(ctx)
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cwd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	args := []string{"-namespace", ns, "-address", opts.Address, "-id", id}
	if opts.Debug {
		args = append(args, "-debug")
	}
	cmd := exec.Command(self, args...)
	cmd.Dir = cwd
	cmd.Env = append(os.Environ(), "GOMAXPROCS=2")
	cmd.SysProcAttr = &unix.SysProcAttr{Setpgid: true}
	return cmd, nil
}

// groupID is the shim a container joins: its pod's when grouping is on.
func groupID(id string) (string, error) {
	if opts := runsc.GetRuntimeOptions(); opts == nil || !opts.Grouping {
		return id, nil
	}
	b, err := os.ReadFile("config.json") // containerd starts shims in the bundle
	if err != nil {
		return "", fmt.Errorf("read config.json to group the shim: %w", err)
	}
	var spec struct {
		Annotations map[string]string `json:"annotations"`
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		return "", fmt.Errorf("config.json: %w", err)
	}
	for _, k := range []string{kubernetesGroupAnnotation, specutils.CRIOSandboxIDAnnotation} {
		if g, ok := spec.Annotations[k]; ok {
			return g, nil
		}
	}
	return id, nil
}

var _ cshim.Manager = (*Manager)(nil)

// checkOOMScore warns, in the shim daemon's log, when Start could not lower
// the daemon's OOM score.
func checkOOMScore(ctx context.Context) {
	if score, err := sys.GetOOMScoreAdj(os.Getpid()); err == nil && score != shimOOMScore {
		log.G(ctx).Warnf("shim oom_score_adj is %d, not %d: this host denies lowering it (no CAP_SYS_RESOURCE); the shim is easier to OOM-kill", score, shimOOMScore)
	}
}
