package host

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

const (
	cpuinfoPath = "/proc/cpuinfo"
	archPath    = "/proc/sys/kernel/arch"
	onlinePath  = "/sys/devices/system/cpu/online"
	dtModelPath = "/proc/device-tree/model"
)

// cpuinfo is /proc/cpuinfo split into per-processor blocks plus the trailing
// machine block some ARM kernels print (Hardware, Revision, Model).
type cpuinfo struct {
	procs   []map[string]string
	machine map[string]string
}

func parseCPUInfo(b []byte) (cpuinfo, error) {
	var ci cpuinfo
	for _, blk := range keyValues(b) {
		if _, ok := blk["processor"]; ok {
			ci.procs = append(ci.procs, blk)
		} else {
			ci.machine = blk
		}
	}
	if len(ci.procs) == 0 {
		return ci, errors.New("no \"processor\" entries")
	}
	return ci, nil
}

func (ci cpuinfo) first(key string) string {
	for _, p := range ci.procs {
		if v, ok := p[key]; ok && v != "" {
			return v
		}
	}
	return ci.machine[key]
}

// archFrom infers the architecture from cpuinfo when the kernel has no
// /proc/sys/kernel/arch (it appeared in Linux 6.1).
func (ci cpuinfo) arch() (string, error) {
	switch {
	case ci.first("vendor_id") != "" && ci.first("flags") != "":
		return "x86_64", nil
	case ci.first("CPU architecture") == "8":
		return "aarch64", nil
	case ci.first("CPU architecture") == "7":
		return "armv7l", nil
	}
	return "", errors.New("cannot tell the architecture from cpuinfo")
}

// armParts names the ARM Ltd. cores runsc-ai is likely to meet
// (implementer 0x41); Raspberry Pi 4 is 0xd08.
var armParts = map[string]string{
	"0xd03": "Cortex-A53", "0xd04": "Cortex-A35", "0xd05": "Cortex-A55",
	"0xd07": "Cortex-A57", "0xd08": "Cortex-A72", "0xd09": "Cortex-A73",
	"0xd0a": "Cortex-A75", "0xd0b": "Cortex-A76", "0xd0c": "Neoverse-N1",
	"0xd0d": "Cortex-A77", "0xd40": "Neoverse-V1", "0xd41": "Cortex-A78",
	"0xd49": "Neoverse-N2", "0xd4f": "Neoverse-V2",
}

func (ci cpuinfo) model() (string, error) {
	if m := ci.first("model name"); m != "" {
		return m, nil
	}
	impl, part := ci.first("CPU implementer"), strings.ToLower(ci.first("CPU part"))
	if impl == "" || part == "" {
		return "", errors.New("no \"model name\" nor \"CPU implementer\"/\"CPU part\"")
	}
	if name, ok := armParts[part]; ok && impl == "0x41" {
		return "ARM " + name, nil
	}
	return fmt.Sprintf("implementer %s part %s", impl, part), nil
}

func (ci cpuinfo) features() ([]string, error) {
	f := ci.first("flags") // x86
	if f == "" {
		f = ci.first("Features") // arm, arm64
	}
	if f == "" {
		return nil, errors.New("no \"flags\" nor \"Features\" line")
	}
	return strings.Fields(f), nil
}

// simdOf picks out the vector extensions that matter for workload placement
// and for the local LLM's speed (ASIMD is NEON on arm64).
func simdOf(features []string) []string {
	want := map[string]string{
		"sse4_2": "SSE4.2", "avx": "AVX", "avx2": "AVX2", "avx512f": "AVX-512F",
		"avx512_vnni": "AVX-512 VNNI", "amx_tile": "AMX",
		"asimd": "ASIMD (NEON)", "neon": "NEON", "asimddp": "ASIMD dot product",
		"sve": "SVE", "sve2": "SVE2",
	}
	var out []string
	seen := map[string]bool{}
	for _, f := range features {
		if n, ok := want[f]; ok && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// parseCPUList counts the CPUs in a kernel cpulist such as "0-3,6,8-9".
func parseCPUList(s string) (int, error) {
	n := 0
	for _, part := range strings.Split(strings.TrimSpace(s), ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return 0, fmt.Errorf("bad cpu list %q", s)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return 0, fmt.Errorf("bad cpu list %q", s)
			}
		}
		if b-a > 1<<16 {
			return 0, fmt.Errorf("implausible cpu list %q", s)
		}
		n += b - a + 1
	}
	return n, nil
}

func discoverCPU(r reader, info *Info) {
	raw, rerr := r.read(cpuinfoPath)
	var ci cpuinfo
	cerr := rerr
	if rerr == nil {
		var err error
		if ci, err = parseCPUInfo(raw); err != nil {
			cerr = fmt.Errorf("parse %s: %w", cpuinfoPath, err)
		}
	}

	if a, err := r.readTrim(archPath); err == nil {
		info.Arch = found(a, archPath)
	} else if cerr != nil {
		info.Arch = failed[string](archPath+", "+cpuinfoPath, cerr)
	} else if a, err := ci.arch(); err == nil {
		info.Arch = found(a, cpuinfoPath)
	} else {
		info.Arch = failed[string](cpuinfoPath, err)
	}

	if cerr != nil {
		info.CPUModel = failed[string](cpuinfoPath, cerr)
		info.CPUFeatures = failed[[]string](cpuinfoPath, cerr)
		info.SIMD = failed[[]string](cpuinfoPath, cerr)
		info.Virtualized = failed[bool](cpuinfoPath, cerr)
	} else {
		if m, err := ci.model(); err == nil {
			info.CPUModel = found(m, cpuinfoPath)
		} else {
			info.CPUModel = failed[string](cpuinfoPath, err)
		}
		if fs, err := ci.features(); err == nil {
			info.CPUFeatures = found(fs, cpuinfoPath)
			info.SIMD = found(simdOf(fs), cpuinfoPath)
			// Only x86 advertises a hypervisor to the guest in its flags.
			hv := false
			for _, f := range fs {
				hv = hv || f == "hypervisor"
			}
			info.Virtualized = found(hv, cpuinfoPath+" (hypervisor flag)")
		} else {
			info.CPUFeatures = failed[[]string](cpuinfoPath, err)
			info.SIMD = failed[[]string](cpuinfoPath, err)
			info.Virtualized = failed[bool](cpuinfoPath, err)
		}
	}

	if s, err := r.readTrim(onlinePath); err == nil {
		if n, perr := parseCPUList(s); perr == nil {
			info.Cores = found(n, onlinePath)
		} else {
			info.Cores = failed[int](onlinePath, perr)
		}
	} else if cerr == nil {
		info.Cores = found(len(ci.procs), cpuinfoPath)
	} else {
		info.Cores = failed[int](onlinePath+", "+cpuinfoPath, err)
	}

	// The board: device tree first (every ARM SBC), then the "Model" line
	// Raspberry Pi kernels add to cpuinfo. PCs have neither.
	if m, err := r.readTrim(dtModelPath); err == nil {
		info.Board = found(m, dtModelPath)
	} else if m := ci.machine["Model"]; m != "" {
		info.Board = found(m, cpuinfoPath)
	} else {
		info.Board = failed[string](dtModelPath, errors.New("no device-tree model (not an ARM board, or no device tree)"))
	}
}
