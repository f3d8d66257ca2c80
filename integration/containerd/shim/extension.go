package shim

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	task "github.com/containerd/containerd/api/runtime/task/v2"
	"github.com/containerd/containerd/v2/pkg/sys"
	"github.com/containerd/log"
	"github.com/containerd/typeurl/v2"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gvisor.dev/gvisor/pkg/shim/v1/extension"
	"gvisor.dev/gvisor/pkg/shim/v1/runsc"
	"gvisor.dev/gvisor/pkg/shim/v1/runtimeoptions"
	"gvisor.dev/gvisor/pkg/shim/v1/utils"
	"gvisor.dev/gvisor/runsc/specutils"
)

// DefaultRoot is runsc-ai's state root under containerd, apart from runsc's
// (/run/containerd/runsc) so the two runtimes never see each other's
// containers.
const DefaultRoot = "/run/containerd/runsc-ai"

// optionsFile is the merged runtime options the shim writes into the bundle.
const optionsFile = "runsc-ai-options.toml"

// Register installs the extension in gVisor's shim; call it before
// containerd's shim.Run.
func Register(runtimeBinary string) {
	var once sync.Once
	exits := newExitFixer()
	ext := func(ctx context.Context, next extension.TaskServiceExt, req *task.CreateTaskRequest) (extension.TaskServiceExt, error) {
		// The first create runs after gVisor's service exists and before
		// any process of it starts: the moment to interpose on exits.
		once.Do(func() {
			checkOOMScore(ctx)
			exits.start(ctx)
		})
		if err := prepare(ctx, req, runtimeBinary); err != nil {
			return nil, fmt.Errorf("runsc-ai shim: %w", err)
		}
		exits.track(req.ID, req.Bundle)
		return nil, nil // gVisor's service handles the task as prepared
	}
	extension.NewExtension = ext
	extension.NewPodExtension = ext
}

// prepare adjusts a create request before gVisor's service sees it.
func prepare(ctx context.Context, req *task.CreateTaskRequest, runtimeBinary string) error {
	opts, err := runtimeOptions(req)
	if err != nil {
		return err
	}
	if opts.BinaryName == "" {
		opts.BinaryName = runtimeBinary
	}
	if opts.Root == "" {
		opts.Root = DefaultRoot
	}
	path := filepath.Join(req.Bundle, optionsFile)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("write runtime options: %w", err)
	}
	if err := toml.NewEncoder(f).Encode(opts); err != nil {
		f.Close()
		return fmt.Errorf("write runtime options %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write runtime options %s: %w", path, err)
	}
	any, err := typeurl.MarshalAnyToProto(&runtimeoptions.Options{ConfigPath: path})
	if err != nil {
		return fmt.Errorf("runtime options: %w", err)
	}
	req.Options = any
	return adjustSpec(ctx, req.Bundle)
}

// runtimeOptions reads the options containerd passed (a TOML file named by
// runtimeoptions.Options.ConfigPath, as gVisor's shim takes them).
func runtimeOptions(req *task.CreateTaskRequest) (*runsc.Options, error) {
	opts := &runsc.Options{}
	if req.Options == nil {
		return opts, nil
	}
	ro := &runtimeoptions.Options{}
	if err := typeurl.UnmarshalTo(req.Options, ro); err != nil {
		return nil, fmt.Errorf("runtime options (want %s with a config_path): %w", req.Options.GetTypeUrl(), err)
	}
	if p := ro.GetConfigPath(); p != "" {
		if _, err := toml.DecodeFile(p, opts); err != nil {
			return nil, fmt.Errorf("runtime options file %s: %w", p, err)
		}
	}
	return opts, nil
}

// adjustSpec fixes up the bundle's OCI spec before gVisor reads it.
func adjustSpec(ctx context.Context, bundle string) error {
	spec, err := utils.ReadSpec(bundle)
	if err != nil {
		return fmt.Errorf("read bundle spec: %w", err)
	}
	changed := markStandalone(ctx, spec)
	changed = clampOOMScoreAdj(ctx, spec) || changed
	if !changed {
		return nil
	}
	if err := utils.WriteSpec(bundle, spec); err != nil {
		return fmt.Errorf("write bundle spec: %w", err)
	}
	return nil
}

// markStandalone makes a container that no CRI created (ctr run, nerdctl
// without a pod) its own sandbox. gVisor's shim otherwise treats it as a
// pod member: `runsc create` keeps the shim's own stdout, so the container's
// output never reaches ctr, which waits forever.
func markStandalone(ctx context.Context, spec *specs.Spec) bool {
	if specutils.SpecContainerType(spec) != specutils.ContainerTypeUnspecified {
		return false
	}
	if spec.Annotations == nil {
		spec.Annotations = map[string]string{}
	}
	spec.Annotations[specutils.ContainerdContainerTypeAnnotation] = specutils.ContainerdContainerTypeSandbox
	log.G(ctx).Debugf("container without CRI annotations runs as its own sandbox")
	return true
}

// clampOOMScoreAdj raises a requested oom_score_adj that this host would
// refuse. Lowering it needs CAP_SYS_RESOURCE, which root lacks on some hosts
// (nested containers); kubelet asks -998 for every pod sandbox, and `runsc
// start` fails the pod on the refused write. The sandbox keeps the shim's
// score instead, with a warning: a pod that runs and is easier to OOM-kill
// beats a pod that never starts.
func clampOOMScoreAdj(ctx context.Context, spec *specs.Spec) bool {
	if spec.Process == nil || spec.Process.OOMScoreAdj == nil || hasCapSysResource() {
		return false
	}
	own, err := sys.GetOOMScoreAdj(os.Getpid())
	if err != nil || *spec.Process.OOMScoreAdj >= own {
		return false
	}
	log.G(ctx).Warnf("oom_score_adj %d needs CAP_SYS_RESOURCE, which this host denies; the sandbox keeps %d", *spec.Process.OOMScoreAdj, own)
	spec.Process.OOMScoreAdj = &own
	return true
}

// hasCapSysResource reports whether this process holds CAP_SYS_RESOURCE.
func hasCapSysResource() bool {
	const capSysResource = 24
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			caps, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return err == nil && caps&(1<<capSysResource) != 0
		}
	}
	return false
}
