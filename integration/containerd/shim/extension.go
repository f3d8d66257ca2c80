package shim

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/BurntSushi/toml"
	task "github.com/containerd/containerd/api/runtime/task/v2"
	"github.com/containerd/log"
	"github.com/containerd/typeurl/v2"
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
	return markStandalone(ctx, req.Bundle)
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

// markStandalone makes a container that no CRI created (ctr run, nerdctl
// without a pod) its own sandbox. gVisor's shim otherwise treats it as a
// pod member: `runsc create` keeps the shim's own stdout, so the container's
// output never reaches ctr, which waits forever.
func markStandalone(ctx context.Context, bundle string) error {
	spec, err := utils.ReadSpec(bundle)
	if err != nil {
		return fmt.Errorf("read bundle spec: %w", err)
	}
	if specutils.SpecContainerType(spec) != specutils.ContainerTypeUnspecified {
		return nil
	}
	if spec.Annotations == nil {
		spec.Annotations = map[string]string{}
	}
	spec.Annotations[specutils.ContainerdContainerTypeAnnotation] = specutils.ContainerdContainerTypeSandbox
	if err := utils.WriteSpec(bundle, spec); err != nil {
		return fmt.Errorf("write bundle spec: %w", err)
	}
	log.G(ctx).Debugf("container without CRI annotations runs as its own sandbox")
	return nil
}
