package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gvisor.dev/gvisor/runsc/config"

	"github.com/go-os-agent/runsc-ai/llmkernel/sandboxconf"
	"github.com/go-os-agent/runsc-ai/platform/host"
)

// Annotations runsc-ai reads. Container-controlled: validated.
const (
	annDecide   = "runsc-ai.decide"   // "false" turns create-time decisions off
	annWorkload = "runsc-ai.workload" // interactive | batch
	annProfile  = "runsc-ai.profile"  // a create profile by name
	annFlag     = "dev.gvisor.flag."  // gVisor's per-sandbox flag override
	annBundle   = "dev.gvisor.bundle."
)

// imageAnnotations name the image in what CRI runtimes pass, best first.
var imageAnnotations = []string{
	"io.kubernetes.cri.image-name",  // containerd CRI
	"io.kubernetes.cri-o.ImageName", // CRI-O
	"org.opencontainers.image.ref.name",
}

// maxImageKey bounds the image key: it comes from the container's spec.
const maxImageKey = 256

// hostInputs returns the host facts for a create-time decision: the cached
// (probed) facts if this boot has them, else a files-only discovery, which
// is saved so the next create reads one small file.
func hostInputs(ctx context.Context, o *aiOptions, cached *host.Info) sandboxconf.HostFacts {
	var info host.Info
	switch {
	case cached != nil:
		info = *cached
	default:
		c, ok := host.LoadCache(o.hostCache(), aiVersion)
		info = c.Info
		if !ok {
			info = host.Discover(ctx, host.Options{Root: "/"})
			_ = host.SaveCache(o.hostCache(), aiVersion, info) // best effort: a read-only state dir only costs time
		}
	}
	arch := runtime.GOARCH
	switch info.Arch.Value {
	case "aarch64", "arm64":
		arch = "arm64"
	case "x86_64", "amd64":
		arch = "amd64"
	}
	h := sandboxconf.HostFacts{Arch: arch, Cores: info.Cores.Value, MemoryBytes: info.MemoryBytes.Value}
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

// specInputs reads what a decision needs from the spec; cmd is the runsc
// command (for do, the spec is runsc's own and the command is the image).
func specInputs(spec *specs.Spec) (sandboxconf.Spec, error) {
	var s sandboxconf.Spec
	for _, a := range imageAnnotations {
		if v := spec.Annotations[a]; v != "" {
			s.Image = "image:" + v
			break
		}
	}
	if s.Image == "" && spec.Process != nil {
		s.Image = "cmd:" + strings.Join(spec.Process.Args, " ")
	}
	if len(s.Image) > maxImageKey {
		s.Image = s.Image[:maxImageKey]
	}
	if spec.Process != nil {
		s.Terminal = spec.Process.Terminal
	}
	if spec.Linux != nil && spec.Linux.Resources != nil {
		r := spec.Linux.Resources
		if r.Memory != nil && r.Memory.Limit != nil && *r.Memory.Limit > 0 {
			s.MemoryLimit = uint64(*r.Memory.Limit)
		}
		if r.CPU != nil && r.CPU.Quota != nil && r.CPU.Period != nil && *r.CPU.Quota > 0 && *r.CPU.Period > 0 {
			s.CPUQuotaPct = uint64(*r.CPU.Quota) * 100 / *r.CPU.Period
		}
	}
	switch w := spec.Annotations[annWorkload]; w {
	case "", "interactive", "batch":
		s.Workload = w
	default:
		return s, fmt.Errorf("annotation %s=%q: want interactive or batch", annWorkload, w)
	}
	s.Profile = spec.Annotations[annProfile]
	return s, nil
}

// decisionsOff reports whether the spec opts out of create-time decisions.
func decisionsOff(spec *specs.Spec) (bool, error) {
	switch v := spec.Annotations[annDecide]; v {
	case "", "true":
		return false, nil
	case "false":
		return true, nil
	default:
		return false, fmt.Errorf("annotation %s=%q: want true or false", annDecide, v)
	}
}

// explicitSettings are the decidable settings the user set: flags on the
// command line, dev.gvisor.flag.* annotations and gVisor config bundles.
func explicitSettings(fs *flag.FlagSet, spec *specs.Spec) map[string]sandboxconf.Choice {
	out := map[string]sandboxconf.Choice{}
	known := map[string]bool{}
	for _, n := range sandboxconf.Settings() {
		known[n] = true
	}
	fs.Visit(func(f *flag.Flag) {
		if known[f.Name] {
			out[f.Name] = sandboxconf.Choice{Name: f.Name, Value: f.Value.String(), Source: sandboxconf.SourceFlag, Reason: "--" + f.Name + " on the command line"}
		}
	})
	if spec == nil {
		return out
	}
	for a, v := range spec.Annotations {
		if b, ok := strings.CutPrefix(a, annBundle); ok && v == "true" {
			for name, val := range config.Bundles[config.BundleName(b)] {
				if known[name] {
					out[name] = sandboxconf.Choice{Name: name, Value: val, Source: sandboxconf.SourceAnnotation, Reason: "gVisor bundle " + b}
				}
			}
		}
	}
	for a, v := range spec.Annotations {
		if name, ok := strings.CutPrefix(a, annFlag); ok && known[name] {
			out[name] = sandboxconf.Choice{Name: name, Value: v, Source: sandboxconf.SourceAnnotation, Reason: a}
		}
	}
	return out
}
