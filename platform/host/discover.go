package host

import (
	"context"
	"fmt"
	"time"
)

// Options control discovery.
type Options struct {
	// Root is where /proc, /sys and /dev are read from: "/" for the live
	// machine, or a recorded fixture tree.
	Root string
	// Probe runs the live probes (KVM guest, platform sandboxes). Only
	// meaningful when Root is "/".
	Probe bool
	// ProbeTimeout bounds each probe; a hung KVM costs this much.
	ProbeTimeout time.Duration
	// Platforms probes gVisor platforms by name (e.g. ExecPlatformProber);
	// nil skips the platform probes.
	Platforms PlatformProber
}

// DefaultProbeTimeout is long enough for a cold sandbox boot on a Pi 4.
const DefaultProbeTimeout = 10 * time.Second

// Discover gathers every fact it can; it never fails as a whole.
func Discover(ctx context.Context, opts Options) Info {
	if opts.Root == "" {
		opts.Root = "/"
	}
	if opts.ProbeTimeout <= 0 {
		opts.ProbeTimeout = DefaultProbeTimeout
	}
	r := reader{root: opts.Root}
	info := Info{Root: opts.Root}
	discoverCPU(r, &info)
	discoverMemory(r, &info)
	discoverCgroups(r, &info)
	discoverPSI(r, &info)
	info.Kernel = readFact(r, "/proc/sys/kernel/osrelease")
	info.KVMDevice = found(r.exists("/dev/kvm"), "/dev/kvm")

	if !opts.Probe {
		return info
	}
	kvm := Fact[bool]{Source: "/dev/kvm", Err: "no /dev/kvm"}
	if info.KVMDevice.Value {
		kvm = ProbeKVM(ctx, opts.ProbeTimeout)
	}
	if opts.Platforms != nil {
		for _, p := range []string{"systrap", "ptrace", "kvm"} {
			if p == "kvm" && !kvm.Value {
				// Booting gVisor on a KVM that failed the guest probe
				// would only repeat the hang; report the probe instead.
				info.Platforms = append(info.Platforms, PlatformFact{Name: p, Source: kvm.Source, Err: "skipped: " + kvm.Err})
				continue
			}
			pf := opts.Platforms.Probe(ctx, p, opts.ProbeTimeout)
			info.Platforms = append(info.Platforms, pf)
			if p == "kvm" {
				kvm = kvmForGVisor(kvm, pf)
			}
		}
	}
	info.KVMUsable = &kvm
	return info
}

func readFact(r reader, p string) Fact[string] {
	s, err := r.readTrim(p)
	if err != nil {
		return failed[string](p, err)
	}
	return found(s, p)
}

// kvmForGVisor combines the guest probe with a gVisor boot on the kvm
// platform: only the boot says whether runsc-ai can use KVM. Under nested
// virtualisation a trivial guest can run while gVisor's vCPU setup fails.
func kvmForGVisor(guest Fact[bool], boot PlatformFact) Fact[bool] {
	src := guest.Source + " + " + boot.Source
	if boot.Usable {
		return found(true, src)
	}
	return failed[bool](src, fmt.Errorf("a test guest runs, but gVisor's kvm platform does not boot: %s", boot.Err))
}
