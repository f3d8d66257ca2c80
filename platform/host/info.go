package host

import "strings"

// Info is everything discovery found. Facts that need a live machine (the KVM
// and platform probes) are nil when probes were not run.
type Info struct {
	Root          string         `json:"root"`
	Arch          Fact[string]   `json:"arch"`
	Kernel        Fact[string]   `json:"kernel"`
	CPUModel      Fact[string]   `json:"cpu_model"`
	CPUFeatures   Fact[[]string] `json:"cpu_features"`
	SIMD          Fact[[]string] `json:"simd"`
	Virtualized   Fact[bool]     `json:"virtualized"`
	Board         Fact[string]   `json:"board"`
	Cores         Fact[int]      `json:"cores"`
	MemoryBytes   Fact[uint64]   `json:"memory_bytes"`
	MemAvailBytes Fact[uint64]   `json:"memory_available_bytes"`
	Cgroup        Fact[Cgroups]  `json:"cgroup"`
	PSI           Fact[PSI]      `json:"psi"`
	KVMDevice     Fact[bool]     `json:"kvm_device"`
	KVMUsable     *Fact[bool]    `json:"kvm_usable,omitempty"`
	Platforms     []PlatformFact `json:"platforms,omitempty"`
}

// Cgroups describes the cgroup hierarchy: Version is "v1", "v2" or "hybrid"
// (v1 controllers with a v2 mount beside them, as systemd's hybrid mode).
type Cgroups struct {
	Version     string   `json:"version"`
	Mount       string   `json:"mount"`
	Controllers []string `json:"controllers"`
	// Missing lists the controllers runsc-ai's actuators use that this host
	// lacks (e.g. "memory" on Raspberry Pi OS without cgroup_enable=memory).
	Missing []string `json:"missing,omitempty"`
}

// MemoryFix is what a host without the memory controller needs: gVisor
// requires it for every sandbox with a cgroup on cgroup v2, and Raspberry Pi
// OS's kernel disables it unless told otherwise.
const MemoryFix = "add cgroup_enable=memory cgroup_memory=1 to the kernel command line " +
	"(Raspberry Pi OS: /boot/firmware/cmdline.txt, one line) and reboot"

// Fix says how to get the missing controllers back, where the kernel
// command line can: empty otherwise.
func (c Cgroups) Fix() string {
	for _, m := range c.Missing {
		if m == "memory" {
			return MemoryFix
		}
	}
	return ""
}

// Advice says what the missing controllers cost and how to get them back;
// empty when nothing runsc-ai or gVisor needs is missing.
func (c Cgroups) Advice() string {
	if fix := c.Fix(); fix != "" {
		return "no memory controller: gVisor cannot give a container with resource limits a cgroup " +
			"(one without limits runs without a cgroup), and the agent cannot manage memory; " + fix
	}
	if len(c.Missing) > 0 {
		return "missing cgroup controllers " + strings.Join(c.Missing, ", ") + ": the agent does not manage what they control"
	}
	return ""
}

// PSI says which pressure-stall files the kernel exposes and can be read.
type PSI struct {
	CPU    bool `json:"cpu"`
	Memory bool `json:"memory"`
	IO     bool `json:"io"`
}

// PlatformFact is the result of booting a real sandbox on one gVisor platform.
type PlatformFact struct {
	Name   string `json:"name"`
	Usable bool   `json:"usable"`
	Source string `json:"source"`
	Err    string `json:"error,omitempty"`
	// Millis is how long the probe took (a hung platform shows its timeout).
	Millis int64 `json:"millis"`
}

// neededControllers are the cgroup controllers the actuators write to.
var neededControllers = []string{"cpu", "cpuset", "memory", "pids"}
