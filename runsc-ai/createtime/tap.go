package createtime

import (
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.uber.org/zap"
	"gvisor.dev/gvisor/runsc/config"
	"gvisor.dev/gvisor/runsc/container"
	"gvisor.dev/gvisor/runsc/specutils"

	"github.com/go-os-agent/runsc-ai/runsc-ai/node"
	"github.com/go-os-agent/runsc-ai/sentry/tap"
)

// enableTap names the Sentry tap in the sandbox's pod init config, so the
// sandbox counts syscall classes and writes summaries to its FIFO under
// --ai-run. It never fails the container: a problem only costs the tap. It
// reports whether the tap's files were created (to be removed at the end).
func enableTap(o *node.Options, conf *config.Config, spec *specs.Spec, id string) bool {
	if !o.Tap || !o.Decide || spec == nil || conf.Rootless {
		return false
	}
	if conf.PodInitConfig != "" {
		// The user's own trace session; gVisor takes one pod init config.
		node.Warn("tap off for this sandbox: --pod-init-config is set", zap.String("container", id))
		return false
	}
	if specutils.SpecContainerType(spec) == specutils.ContainerTypeContainer {
		return false // joins an existing sandbox, whose Sentry already taps it
	}
	if tapInUse(o, conf, id) {
		// Another sandbox with this ID exists: its tap files are its own
		// (gVisor's create fails with "already exists"); touching them
		// would take it out of the live loop and lose its baseline.
		return false
	}
	f, err := tap.Prepare(o.TapDir(), id, conf.RootDir, o.Window)
	if err != nil {
		node.Warn("tap off for this sandbox", zap.String("container", id), zap.Error(err))
		return false
	}
	conf.PodInitConfig = f.Config
	return true
}

// tapInUse reports whether id's tap files belong to a container that
// exists. Only when files are left from before is the runsc state read, so
// a normal create pays one stat.
func tapInUse(o *node.Options, conf *config.Config, id string) bool {
	if _, err := os.Stat(tap.FilesFor(o.TapDir(), id).Config); err != nil {
		return false
	}
	_, err := container.Load(conf.RootDir, container.FullID{ContainerID: id}, container.LoadOpts{SkipCheck: true})
	return err == nil
}
