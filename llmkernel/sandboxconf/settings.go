package sandboxconf

import (
	"fmt"
	"strconv"
)

// Source says where a setting's value came from.
type Source string

// Sources, strongest first.
const (
	SourceFlag       Source = "flag"       // the runsc command line
	SourceAnnotation Source = "annotation" // dev.gvisor.flag.* or a dev.gvisor.bundle.*
	SourceProfile    Source = "profile"    // a profile asked for by the runsc-ai.profile annotation
	SourceHost       Source = "host"       // host facts and the policy's platform preference
	SourceDecision   Source = "decision"   // the engine's profile
	SourceDefault    Source = "default"    // gVisor's default, untouched
	SourceFallback   Source = "fallback"   // the default, after the decided value failed to boot
)

// Choice is one setting of a plan.
type Choice struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source Source `json:"source"`
	Reason string `json:"reason,omitempty"`
}

// Decided reports whether runsc-ai chose the value (and so must apply it).
func (c Choice) Decided() bool {
	return c.Source == SourceHost || c.Source == SourceDecision || c.Source == SourceProfile
}

// setting is one gVisor flag that create-time decisions may set. Nothing on
// this list loosens isolation beyond runsc's defaults: network mode, host
// UDS/FIFO access, raw sockets and the like are deliberately absent.
type setting struct {
	name   string
	def    string   // gVisor's default
	values []string // accepted values ("cores" resolves to the core count)
	// boot marks settings whose bad value can stop a sandbox from booting;
	// they are retried with the default on failure.
	boot bool
	// host marks settings only the host's facts decide, never a profile.
	host bool
}

var settings = []setting{
	{name: "platform", def: "systrap", values: []string{"systrap", "kvm", "ptrace"}, boot: true},
	{name: "overlay2", def: "root:self", values: []string{"root:self", "root:memory"}},
	{name: "directfs", def: "true", values: []string{"true", "false"}},
	{name: "app-huge-pages", def: "true", values: []string{"true", "false"}},
	{name: "num-network-channels", def: "1", values: []string{"1", "2", "3", "4", "5", "6", "7", "8", "cores"}},
	// Only where the host lacks a cgroup controller gVisor requires and
	// the spec sets no limit a cgroup would enforce (chooseCgroups).
	{name: "ignore-cgroups", def: "false", values: []string{"false", "true"}, host: true},
}

// maxNetworkChannels bounds "cores": more channels than this buy nothing.
const maxNetworkChannels = 8

// Settings lists the names of the settings a decision may choose, in order.
func Settings() []string {
	names := make([]string, len(settings))
	for i, s := range settings {
		names[i] = s.name
	}
	return names
}

func lookupSetting(name string) (*setting, bool) {
	for i := range settings {
		if settings[i].name == name {
			return &settings[i], true
		}
	}
	return nil, false
}

// CheckSetting validates one flag and value a policy profile sets.
func CheckSetting(name, value string) error {
	s, ok := lookupSetting(name)
	if !ok || s.host {
		var names []string
		for _, s := range settings {
			if !s.host {
				names = append(names, s.name)
			}
		}
		return fmt.Errorf("%q is not a setting a profile may choose (want one of %v)", name, names)
	}
	for _, v := range s.values {
		if v == value {
			return nil
		}
	}
	return fmt.Errorf("%s=%q is not allowed (want one of %v)", name, value, s.values)
}

// Default is gVisor's default value of a setting.
func Default(name string) string {
	if s, ok := lookupSetting(name); ok {
		return s.def
	}
	return ""
}

// BootCritical reports whether a bad value of the setting can stop a boot.
func BootCritical(name string) bool {
	s, ok := lookupSetting(name)
	return ok && s.boot
}

// resolve turns a profile value into the value gVisor gets.
func resolve(name, value string, cores int) string {
	if name == "num-network-channels" && value == "cores" {
		n := max(1, min(cores, maxNetworkChannels))
		return strconv.Itoa(n)
	}
	return value
}
