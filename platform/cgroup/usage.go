package cgroup

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Usage is what a cgroup has used; counters are cumulative.
type Usage struct {
	CPU time.Duration
	// CPUWait is the threads' run-queue delay (CPUWait) as WaitReading
	// gives it: -1 where it is not known, 0 all along on a kernel that
	// keeps none.
	CPUWait   time.Duration
	Periods   uint64 // CFS periods with runnable tasks
	Throttled uint64 // periods throttled
	Memory    uint64 // usage in bytes
	// InactiveFile is page cache the kernel reclaims first; usage less it
	// is the working set.
	InactiveFile uint64
	OOMKills     uint64
	// PSI "some" avg10 (percent); -1 where the kernel does not say.
	MemPressure, IOPressure float64
}

// WorkingSet is memory usage less inactive file pages.
func (u *Usage) WorkingSet() uint64 {
	if u.InactiveFile > u.Memory {
		return 0
	}
	return u.Memory - u.InactiveFile
}

// Usage reads the cgroup's usage counters.
func (c *Cgroup) Usage() (Usage, error) {
	u := Usage{MemPressure: -1, IOPressure: -1, CPUWait: c.WaitReading()}
	var err error
	if d := c.V2; d != "" {
		st, e := readKV(filepath.Join(d, "cpu.stat"))
		err = e
		u.CPU = v2CPU(st)
		u.Periods, u.Throttled = st["nr_periods"], st["nr_throttled"]
		// Without the memory controller (cgroup_disable=memory) there
		// is no memory to report: it stays 0, its pressure unknown.
		if err == nil && c.v2Has("memory") {
			u.Memory, err = readU(filepath.Join(d, "memory.current"))
			if err == nil {
				var ms map[string]uint64
				ms, err = readKV(filepath.Join(d, "memory.stat"))
				u.InactiveFile = ms["inactive_file"]
			}
			if ev, e := readKV(filepath.Join(d, "memory.events")); e == nil {
				u.OOMKills = ev["oom_kill"]
			}
			u.MemPressure = readPSI(filepath.Join(d, "memory.pressure"))
		}
		u.IOPressure = readPSI(filepath.Join(d, "io.pressure"))
		return u, err
	}
	if _, ok := c.V1["cpuacct"]; ok {
		u.CPU, err = c.CPU()
	}
	if d, ok := c.V1["cpu"]; ok && err == nil {
		st, e := readKV(filepath.Join(d, "cpu.stat"))
		err = e
		u.Periods, u.Throttled = st["nr_periods"], st["nr_throttled"]
	}
	if d, ok := c.V1["memory"]; ok && err == nil {
		u.Memory, err = readU(filepath.Join(d, "memory.usage_in_bytes"))
		if err == nil {
			var ms map[string]uint64
			ms, err = readKV(filepath.Join(d, "memory.stat"))
			u.InactiveFile = ms["total_inactive_file"]
		}
		if oc, e := readKV(filepath.Join(d, "memory.oom_control")); e == nil {
			u.OOMKills = oc["oom_kill"]
		}
	}
	if err != nil {
		return u, fmt.Errorf("cgroup usage: %w", err)
	}
	return u, nil
}

// CPU reads only the cgroup's CPU time (one file): what a check between
// the usage samples needs.
func (c *Cgroup) CPU() (time.Duration, error) {
	if d := c.V2; d != "" {
		st, err := readKV(filepath.Join(d, "cpu.stat"))
		if err != nil {
			return 0, fmt.Errorf("cgroup cpu: %w", err)
		}
		return v2CPU(st), nil
	}
	d, ok := c.V1["cpuacct"]
	if !ok {
		return 0, fmt.Errorf("cgroup cpu: no cpuacct hierarchy")
	}
	ns, err := readU(filepath.Join(d, "cpuacct.usage"))
	if err != nil {
		return 0, fmt.Errorf("cgroup cpu: %w", err)
	}
	return time.Duration(ns), nil
}

func v2CPU(st map[string]uint64) time.Duration {
	return time.Duration(st["usage_usec"]) * time.Microsecond
}

func readU(path string) (uint64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	v, err := parseU(string(b))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// readKV reads "key value" lines (cpu.stat, memory.stat, memory.events).
func readKV(path string) (map[string]uint64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := map[string]uint64{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 {
			if v, err := strconv.ParseUint(f[1], 10, 64); err == nil {
				m[f[0]] = v
			}
		}
	}
	return m, nil
}

// readPSI returns the "some avg10" of a pressure file, or -1.
func readPSI(path string) float64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "some" {
			continue
		}
		for _, kv := range f[1:] {
			if v, ok := strings.CutPrefix(kv, "avg10="); ok {
				if x, err := strconv.ParseFloat(v, 64); err == nil && x >= 0 && x <= 100 {
					return x
				}
			}
		}
	}
	return -1
}
