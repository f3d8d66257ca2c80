package host

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// CPUTime is the host's CPU time since boot, summed over every CPU, from
// the first line of /proc/stat.
type CPUTime struct {
	// Busy is everything but idle and iowait: user, nice, system, irq,
	// softirq and steal (time the hypervisor gave another guest is not
	// ours to use either). Guest time is inside user and nice already.
	Busy time.Duration
	// Total is Busy plus idle and iowait: wall time × online CPUs.
	Total time.Duration
}

// userHZ is the unit of /proc/stat: USER_HZ, 100 on every Linux ABI.
const userHZ = 100

// ReadCPUTime reads the host's CPU time below root ("/" live, or a
// recorded tree).
func ReadCPUTime(root string) (CPUTime, error) {
	r := reader{root: root}
	s, err := r.readTrim("/proc/stat")
	if err != nil {
		return CPUTime{}, err
	}
	line, _, _ := strings.Cut(s, "\n")
	fields := strings.Fields(line)
	if len(fields) < 5 || fields[0] != "cpu" {
		return CPUTime{}, fmt.Errorf("%s: first line is not the cpu total: %.60q", r.path("/proc/stat"), line)
	}
	// user nice system idle iowait irq softirq steal [guest guest_nice]
	var busy, total uint64
	for i, f := range fields[1:min(len(fields), 9)] {
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil || v > 1<<56 {
			return CPUTime{}, fmt.Errorf("%s: cpu field %d: bad count %.30q", r.path("/proc/stat"), i+1, f)
		}
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	tick := time.Second / userHZ
	return CPUTime{Busy: time.Duration(busy) * tick, Total: time.Duration(total) * tick}, nil
}
