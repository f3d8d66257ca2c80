// Package cgroup reads and writes one sandbox's cgroup, on cgroup v1 (and
// hybrid) and v2 hierarchies: the live loop's actuators. Values use the v1
// units runsc update takes (CPU shares, CFS quota/period, bytes, blkio
// weight) and are converted for v2 the way runc converts them.
//
// Apply writes all or nothing: if one file cannot be written, the ones
// already written are put back, and the error names the file.
package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Settings are the knobs the actuators turn. A zero field is left alone.
type Settings struct {
	CPUShares       uint64 `json:"cpu_shares,omitempty"`
	CPUQuotaUs      int64  `json:"cpu_quota_us,omitempty"` // -1: no quota
	CPUPeriodUs     uint64 `json:"cpu_period_us,omitempty"`
	MemoryLimit     uint64 `json:"memory_limit,omitempty"`      // bytes
	MemorySoftLimit uint64 `json:"memory_soft_limit,omitempty"` // v1 soft limit, v2 memory.low
	IOWeight        uint64 `json:"io_weight,omitempty"`         // blkio weight 10..1000
}

// Cgroup is one cgroup in every hierarchy that has it.
type Cgroup struct {
	// V2 is the unified directory when the controllers live there.
	V2 string
	// V2Controllers are the v2 controllers this cgroup has (cpu, memory,
	// io, ...): a kernel booted with cgroup_disable=memory (Raspberry Pi
	// OS's default) has no memory controller, and its knobs are absent.
	// Nil: not known, taken as all of them.
	V2Controllers []string
	// V1 maps a v1 controller (cpu, memory, blkio) to its directory.
	V1 map[string]string

	// written is what Apply last wrote, in v1 units. v2 weights are
	// coarser than v1 shares (and blkio weights), so several values share
	// one weight: reading back reports the value written, not another one
	// with the same weight (see ReadKnown).
	mu      sync.Mutex
	written Settings

	// threads is each thread's schedstat, as CPUWait last read it;
	// waited the sum so far (CPUWait).
	waitMu  sync.Mutex
	threads map[uint64]thread
	waited  time.Duration
}

// ErrUnsupported marks a knob this host's cgroups do not have.
var ErrUnsupported = errors.New("not supported by this host's cgroups")

// mount is one cgroup hierarchy from mountinfo.
type mount struct {
	dir         string
	v2          bool
	controllers []string
}

// mounts parses /proc/self/mountinfo for cgroup hierarchies.
func mounts(mountinfo string) []mount {
	var out []mount
	for _, line := range strings.Split(mountinfo, "\n") {
		f := strings.Fields(line)
		sep := -1
		for i, x := range f {
			if x == "-" {
				sep = i
				break
			}
		}
		if sep < 5 || sep+3 >= len(f) {
			continue
		}
		switch f[sep+1] {
		case "cgroup2":
			out = append(out, mount{dir: f[4], v2: true})
		case "cgroup":
			// Super options: rw and the like, then the controllers.
			out = append(out, mount{dir: f[4], controllers: strings.Split(f[sep+3], ",")})
		}
	}
	return out
}

func checkPath(path string) error {
	if !strings.HasPrefix(path, "/") || strings.Contains(path, "..") {
		return fmt.Errorf("cgroup path %q: want an absolute path without ..", path)
	}
	return nil
}

// Dirs returns path's directory in every mounted cgroup hierarchy, whether
// it exists or not: where a runtime puts a container's cgroup.
func Dirs(path string) ([]string, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range mounts(string(b)) {
		out = append(out, filepath.Join(m.dir, path))
	}
	return out, nil
}

// Open finds the cgroup at path (as in the OCI spec's cgroupsPath) in this
// machine's hierarchies. A v2 hierarchy is used when it has the controllers
// (pure v2); otherwise the v1 ones (v1 or hybrid).
func Open(path string) (*Cgroup, error) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	return open(mounts(string(b)), path)
}

func open(ms []mount, path string) (*Cgroup, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	cg := &Cgroup{V1: map[string]string{}}
	for _, m := range ms {
		dir := filepath.Join(m.dir, path)
		if m.v2 {
			// Used when it has any controller the actuators turn: a
			// host without one (no memory controller) still has the
			// others.
			if ctl, err := os.ReadFile(filepath.Join(m.dir, "cgroup.controllers")); err == nil && hasAny(strings.Fields(string(ctl)), "cpu", "memory", "io") {
				cg.V2 = dir
				// The cgroup's own list: what its parent enabled for it.
				if own, err := os.ReadFile(filepath.Join(dir, "cgroup.controllers")); err == nil {
					ctl = own
				}
				cg.V2Controllers = strings.Fields(string(ctl))
			}
			continue
		}
		for _, c := range m.controllers {
			switch c {
			case "cpu", "memory", "blkio", "cpuacct":
				cg.V1[c] = dir
			}
		}
	}
	if cg.V2 != "" {
		cg.V1 = nil
	}
	if cg.V2 == "" && len(cg.V1) == 0 {
		return nil, fmt.Errorf("cgroup %s: no cpu, memory or blkio hierarchy mounted", path)
	}
	for _, d := range cg.dirs() {
		if _, err := os.Stat(d); err != nil {
			return nil, fmt.Errorf("cgroup %s: %w", path, err)
		}
	}
	return cg, nil
}

func hasAny(have []string, want ...string) bool {
	for _, w := range want {
		for _, h := range have {
			if h == w {
				return true
			}
		}
	}
	return false
}

func (c *Cgroup) v2Has(ctl string) bool {
	return c.V2Controllers == nil || hasAny(c.V2Controllers, ctl)
}

// Missing lists the controllers the actuators turn (cpu, memory, and io or
// blkio) that this cgroup does not have; their knobs are unsupported here.
func (c *Cgroup) Missing() []string {
	var out []string
	if c.V2 != "" {
		for _, ctl := range []string{"cpu", "memory", "io"} {
			if !c.v2Has(ctl) {
				out = append(out, ctl)
			}
		}
		return out
	}
	for _, ctl := range []string{"cpu", "memory", "blkio"} {
		if _, ok := c.V1[ctl]; !ok {
			out = append(out, ctl)
		}
	}
	return out
}

func (c *Cgroup) dirs() []string {
	if c.V2 != "" {
		return []string{c.V2}
	}
	var out []string
	for _, d := range c.V1 {
		out = append(out, d)
	}
	return out
}

// file is one knob's file and how to encode a value for it.
type file struct {
	path   string
	encode func(Settings) (string, bool) // value and whether the setting is set
	decode func(string, *Settings) error
}

func (c *Cgroup) files() []file {
	u := func(v uint64) string { return strconv.FormatUint(v, 10) }
	if c.V2 != "" {
		d := c.V2
		all := []file{
			{filepath.Join(d, "cpu.weight"), func(s Settings) (string, bool) { return u(sharesToWeight(s.CPUShares)), s.CPUShares > 0 },
				func(v string, s *Settings) error { w, err := parseU(v); s.CPUShares = weightToShares(w); return err }},
			{filepath.Join(d, "cpu.max"), func(s Settings) (string, bool) {
				q := "max"
				if s.CPUQuotaUs > 0 {
					q = strconv.FormatInt(s.CPUQuotaUs, 10)
				}
				p := s.CPUPeriodUs
				if p == 0 {
					p = 100000
				}
				return q + " " + u(p), s.CPUQuotaUs != 0
			}, func(v string, s *Settings) error {
				f := strings.Fields(v)
				if len(f) != 2 {
					return fmt.Errorf("cpu.max %q", v)
				}
				s.CPUQuotaUs = -1
				if f[0] != "max" {
					q, err := strconv.ParseInt(f[0], 10, 64)
					if err != nil {
						return err
					}
					s.CPUQuotaUs = q
				}
				p, err := parseU(f[1])
				s.CPUPeriodUs = p
				return err
			}},
			{filepath.Join(d, "memory.max"), func(s Settings) (string, bool) { return u(s.MemoryLimit), s.MemoryLimit > 0 },
				func(v string, s *Settings) error { return parseMax(v, &s.MemoryLimit) }},
			{filepath.Join(d, "memory.low"), func(s Settings) (string, bool) { return u(s.MemorySoftLimit), s.MemorySoftLimit > 0 },
				func(v string, s *Settings) error { return parseMax(v, &s.MemorySoftLimit) }},
			{filepath.Join(d, "io.weight"), func(s Settings) (string, bool) { return "default " + u(blkioToIOWeight(s.IOWeight)), s.IOWeight > 0 },
				func(v string, s *Settings) error {
					f := strings.Fields(v)
					if len(f) < 2 {
						return fmt.Errorf("io.weight %q", v)
					}
					w, err := parseU(f[1])
					s.IOWeight = ioWeightToBlkio(w)
					return err
				}},
		}
		// Only the knobs of the controllers this cgroup has.
		var fs []file
		for _, f := range all {
			ctl, _, _ := strings.Cut(filepath.Base(f.path), ".")
			if c.v2Has(ctl) {
				fs = append(fs, f)
			}
		}
		return fs
	}
	var fs []file
	if d, ok := c.V1["cpu"]; ok {
		fs = append(fs,
			file{filepath.Join(d, "cpu.shares"), func(s Settings) (string, bool) { return u(s.CPUShares), s.CPUShares > 0 },
				func(v string, s *Settings) error { x, err := parseU(v); s.CPUShares = x; return err }},
			file{filepath.Join(d, "cpu.cfs_period_us"), func(s Settings) (string, bool) { return u(s.CPUPeriodUs), s.CPUPeriodUs > 0 },
				func(v string, s *Settings) error { x, err := parseU(v); s.CPUPeriodUs = x; return err }},
			file{filepath.Join(d, "cpu.cfs_quota_us"), func(s Settings) (string, bool) { return strconv.FormatInt(s.CPUQuotaUs, 10), s.CPUQuotaUs != 0 },
				func(v string, s *Settings) error {
					x, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
					s.CPUQuotaUs = x
					return err
				}})
	}
	if d, ok := c.V1["memory"]; ok {
		fs = append(fs,
			file{filepath.Join(d, "memory.limit_in_bytes"), func(s Settings) (string, bool) { return u(s.MemoryLimit), s.MemoryLimit > 0 },
				func(v string, s *Settings) error { x, err := parseU(v); s.MemoryLimit = x; return err }},
			file{filepath.Join(d, "memory.soft_limit_in_bytes"), func(s Settings) (string, bool) { return u(s.MemorySoftLimit), s.MemorySoftLimit > 0 },
				func(v string, s *Settings) error { x, err := parseU(v); s.MemorySoftLimit = x; return err }})
	}
	if d, ok := c.V1["blkio"]; ok {
		for _, name := range []string{"blkio.weight", "blkio.bfq.weight"} {
			p := filepath.Join(d, name)
			if _, err := os.Stat(p); err == nil {
				fs = append(fs, file{p, func(s Settings) (string, bool) { return u(s.IOWeight), s.IOWeight > 0 },
					func(v string, s *Settings) error {
						f := strings.Fields(v) // "100" or "default 100"
						if len(f) == 0 {
							return fmt.Errorf("empty")
						}
						x, err := parseU(f[len(f)-1])
						s.IOWeight = x
						return err
					}})
				break
			}
		}
	}
	return fs
}

// Read returns the knobs' current values (the ones this host has). On v2 a
// CPU or I/O weight is reported as the value Apply last wrote, when that
// value has the weight in force; else as the smallest v1 value with that
// weight, which writes back as the same weight.
func (c *Cgroup) Read() (Settings, error) { return c.ReadKnown() }

// ReadKnown is Read that also reports a v2 weight as one of known's values
// (in order) when that value has the weight in force: the values a caller
// compares against (the OCI ceiling, a floor) read back exactly, even
// from a cgroup written by another process or an earlier agent.
func (c *Cgroup) ReadKnown(known ...Settings) (Settings, error) {
	s, err := c.read()
	if err != nil || c.V2 == "" {
		return s, err
	}
	c.mu.Lock()
	cands := append([]Settings{c.written}, known...)
	c.mu.Unlock()
	for _, k := range cands {
		if k.CPUShares > 0 && s.CPUShares > 0 && sharesToWeight(k.CPUShares) == sharesToWeight(s.CPUShares) {
			s.CPUShares = k.CPUShares
			break
		}
	}
	for _, k := range cands {
		if k.IOWeight > 0 && s.IOWeight > 0 && blkioToIOWeight(k.IOWeight) == blkioToIOWeight(s.IOWeight) {
			s.IOWeight = k.IOWeight
			break
		}
	}
	return s, nil
}

func (c *Cgroup) read() (Settings, error) {
	var s Settings
	for _, f := range c.files() {
		b, err := os.ReadFile(f.path)
		if err != nil {
			return s, fmt.Errorf("cgroup: %w", err)
		}
		if err := f.decode(strings.TrimSpace(string(b)), &s); err != nil {
			return s, fmt.Errorf("cgroup %s: %w", f.path, err)
		}
	}
	return s, nil
}

// Apply writes the non-zero knobs of s. On any failure the knobs already
// written get their previous values back, and the error names the file.
func (c *Cgroup) Apply(s Settings) error {
	files := c.files()
	if s.IOWeight > 0 && !hasIOWeight(files) {
		return fmt.Errorf("io weight: %w (no blkio.weight, blkio.bfq.weight or io.weight)", ErrUnsupported)
	}
	if (s.MemoryLimit > 0 || s.MemorySoftLimit > 0) && hasAny(c.Missing(), "memory") {
		return fmt.Errorf("memory limit: %w (no memory controller; on a Raspberry Pi add cgroup_enable=memory cgroup_memory=1 to the kernel command line)", ErrUnsupported)
	}
	if (s.CPUShares > 0 || s.CPUQuotaUs != 0) && hasAny(c.Missing(), "cpu") {
		return fmt.Errorf("cpu: %w (no cpu controller)", ErrUnsupported)
	}
	type done struct{ path, old string }
	var written []done
	for _, f := range files {
		v, set := f.encode(s)
		if !set {
			continue
		}
		old, err := os.ReadFile(f.path)
		if err == nil {
			err = os.WriteFile(f.path, []byte(v), 0)
		}
		if err != nil {
			for i := len(written) - 1; i >= 0; i-- {
				os.WriteFile(written[i].path, []byte(restoreValue(written[i].path, written[i].old)), 0)
			}
			return fmt.Errorf("cgroup: writing %q to %s: %w", v, f.path, err)
		}
		written = append(written, done{f.path, strings.TrimSpace(string(old))})
	}
	c.mu.Lock()
	if s.CPUShares > 0 {
		c.written.CPUShares = s.CPUShares
	}
	if s.IOWeight > 0 {
		c.written.IOWeight = s.IOWeight
	}
	c.mu.Unlock()
	return nil
}

func hasIOWeight(fs []file) bool {
	for _, f := range fs {
		if b := filepath.Base(f.path); b == "io.weight" || b == "blkio.weight" || b == "blkio.bfq.weight" {
			if _, err := os.Stat(f.path); err == nil {
				return true
			}
		}
	}
	return false
}

// restoreValue turns a read-back value into what the file accepts.
func restoreValue(path, old string) string {
	if filepath.Base(path) == "io.weight" || filepath.Base(path) == "blkio.bfq.weight" {
		if f := strings.Fields(old); len(f) >= 2 && f[0] == "default" {
			return "default " + f[1]
		}
	}
	return old
}

func parseU(v string) (uint64, error) { return strconv.ParseUint(strings.TrimSpace(v), 10, 64) }

func parseMax(v string, dst *uint64) error {
	if v == "max" {
		*dst = 0
		return nil
	}
	x, err := parseU(v)
	*dst = x
	return err
}

// v1 → v2 conversions as runc does them (libcontainer/cgroups), with v1
// values clamped to their ranges.
func sharesToWeight(shares uint64) uint64 {
	if shares == 0 {
		return 0
	}
	return 1 + ((min(max(shares, 2), 262144)-2)*9999)/262142
}

func blkioToIOWeight(b uint64) uint64 {
	if b == 0 {
		return 0
	}
	return 1 + (min(max(b, 10), 1000)-10)*9999/990
}

// v2 → v1: the smallest v1 value whose weight is w, so that a value read
// writes back as the same weight (runc's inverse rounds down, which maps
// weight 3 to 54 shares and 54 shares to weight 2: values drift).
func weightToShares(w uint64) uint64 {
	if w == 0 {
		return 0
	}
	w = min(w, 10000)
	return 2 + ceilDiv((w-1)*262142, 9999)
}

func ioWeightToBlkio(w uint64) uint64 {
	if w == 0 {
		return 0
	}
	w = min(w, 10000)
	return 10 + ceilDiv((w-1)*990, 9999)
}

func ceilDiv(a, b uint64) uint64 { return (a + b - 1) / b }
