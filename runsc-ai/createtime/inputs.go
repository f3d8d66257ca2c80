package createtime

import (
	"flag"
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"gvisor.dev/gvisor/runsc/config"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/sandboxconf"
)

// Annotations runsc-ai reads. Container-controlled: validated.
const (
	annDecide   = "runsc-ai.decide"   // "false" turns create-time decisions off
	annWorkload = "runsc-ai.workload" // interactive | batch
	annProfile  = "runsc-ai.profile"  // a create profile by name
	annFlag     = "dev.gvisor.flag."  // gVisor's per-sandbox flag override
	annBundle   = "dev.gvisor.bundle."
)

// SpecInputs reads what a create-time decision needs from the spec (for
// do, the spec is runsc's own and the command is the image).
func SpecInputs(spec *specs.Spec) (sandboxconf.Spec, error) {
	var s sandboxconf.Spec
	var args []string
	if spec.Process != nil {
		args = spec.Process.Args
	}
	s.Image = llmkernel.ImageKey(spec.Annotations, args)
	if spec.Process != nil {
		s.Terminal = spec.Process.Terminal
	}
	if spec.Linux != nil {
		l := llmkernel.ResourcesOf(spec.Linux.Resources)
		s.MemoryLimit, s.CPUQuotaPct = l.MemoryBytes, l.CPUQuotaPct
		s.Limits = limitsOf(spec.Linux.Resources)
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

// limitsOf names the kinds of limit r sets that a cgroup would enforce
// (device rules are not among them: gVisor's sandbox has its own devices).
func limitsOf(r *specs.LinuxResources) []string {
	if r == nil {
		return nil
	}
	var out []string
	set := func(name string, ok bool) {
		if ok {
			out = append(out, name)
		}
	}
	pos64 := func(p *int64) bool { return p != nil && *p > 0 }
	posU := func(p *uint64) bool { return p != nil && *p > 0 }
	if m := r.Memory; m != nil {
		set("memory", pos64(m.Limit) || pos64(m.Reservation) || pos64(m.Swap) || pos64(m.Kernel) || pos64(m.KernelTCP) || posU(m.Swappiness))
	}
	if c := r.CPU; c != nil {
		set("cpu", posU(c.Shares) || pos64(c.Quota) || posU(c.Period) || pos64(c.RealtimeRuntime) || c.Cpus != "" || c.Mems != "")
	}
	if p := r.Pids; p != nil {
		set("pids", p.Limit > 0)
	}
	if b := r.BlockIO; b != nil {
		set("io", b.Weight != nil && *b.Weight > 0 || len(b.WeightDevice)+len(b.ThrottleReadBpsDevice)+len(b.ThrottleWriteBpsDevice)+
			len(b.ThrottleReadIOPSDevice)+len(b.ThrottleWriteIOPSDevice) > 0)
	}
	set("hugepages", len(r.HugepageLimits) > 0)
	set("unified", len(r.Unified) > 0)
	return out
}

// DecisionsOff reports whether the spec opts out of create-time decisions.
func DecisionsOff(spec *specs.Spec) (bool, error) {
	switch v := spec.Annotations[annDecide]; v {
	case "", "true":
		return false, nil
	case "false":
		return true, nil
	default:
		return false, fmt.Errorf("annotation %s=%q: want true or false", annDecide, v)
	}
}

// ExplicitSettings are the decidable settings the user set: flags on the
// command line, dev.gvisor.flag.* annotations and gVisor config bundles.
func ExplicitSettings(fs *flag.FlagSet, spec *specs.Spec) map[string]sandboxconf.Choice {
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
