package node

import (
	"context"
	"runtime"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/sandboxconf"
	"github.com/go-os-agent/runsc-ai/platform/host"
)

// The host facts platform/host discovers, in the decision engine's terms:
// the one translation of a host.Info (llmkernel never imports platform).

// Arch is the Go name of info's architecture (amd64, arm64), whatever the
// kernel or a recording calls it; this binary's when unknown.
func Arch(info *host.Info) string {
	switch info.Arch.Value {
	case "aarch64", "arm64":
		return "arm64"
	case "x86_64", "amd64":
		return "amd64"
	}
	return runtime.GOARCH
}

// CreateFacts are info as a create-time decision reads them; memory and I/O
// pressure are read live when info describes this machine.
func CreateFacts(info *host.Info) sandboxconf.HostFacts {
	h := sandboxconf.HostFacts{Arch: Arch(info), Cores: info.Cores.Value, MemoryBytes: info.MemoryBytes.Value,
		MissingCgroups: info.Cgroup.Value.Missing, CgroupFix: info.Cgroup.Value.Fix()}
	if len(info.Platforms) > 0 || info.KVMUsable != nil {
		h.Platforms = map[string]sandboxconf.Probe{}
		for _, p := range info.Platforms {
			h.Platforms[p.Name] = sandboxconf.Probe{Usable: p.Usable, Detail: p.Err}
		}
		if k := info.KVMUsable; k != nil && !k.Value {
			h.Platforms["kvm"] = sandboxconf.Probe{Detail: k.Err}
		}
	}
	if info.Root == "/" || info.Root == "" {
		h.MemPressure, _ = host.Pressure("/", "memory")
		h.IOPressure, _ = host.Pressure("/", "io")
	}
	return h
}

// HardwareOf is info as the deep tier's prompt context tells it.
func HardwareOf(info *host.Info) llmkernel.HardwareContext {
	return llmkernel.HardwareContext{
		Arch: Arch(info), CPUModel: info.CPUModel.Value, Cores: info.Cores.Value,
		MemoryBytes: info.MemoryBytes.Value, Board: info.Board.Value,
	}
}

// Hardware reads this machine's hardware for a prompt's context (files only:
// no probes on the decision path). It is an llmkernel.Readers.Hardware.
func Hardware() llmkernel.HardwareContext {
	info := host.Discover(context.Background(), host.Options{Root: "/"})
	return HardwareOf(&info)
}

// HostFacts are the host facts for a create-time decision: cached (if
// given: a recording, a dry run's --host-facts), else the probed facts this
// boot saved, else a files-only discovery. The discovery is saved, so the
// next create reads one small file, by the returned save (nil when nothing
// needs saving), which the caller runs once its container is started:
// encoding and writing the file cost a create ~1.4 ms.
func (o *Options) HostFacts(ctx context.Context, cached *host.Info) (sandboxconf.HostFacts, func()) {
	var info host.Info
	var save func()
	switch {
	case cached != nil:
		info = *cached
	default:
		c, ok := host.LoadCache(o.HostCache(), Version)
		info = c.Info
		if !ok {
			info = host.Discover(ctx, host.Options{Root: "/"})
			path := o.HostCache()
			save = func() { _ = host.SaveCache(path, Version, info) } // best effort: a read-only state dir only costs time
		}
	}
	return CreateFacts(&info), save
}
