package host

import (
	"fmt"
	"strconv"
	"strings"
)

const meminfoPath = "/proc/meminfo"

// meminfoBytes returns a /proc/meminfo field ("MemTotal: 123 kB") in bytes.
func meminfoBytes(kv map[string]string, key string) (uint64, error) {
	v, ok := kv[key]
	if !ok {
		return 0, fmt.Errorf("no %s in %s", key, meminfoPath)
	}
	num, unit, _ := strings.Cut(v, " ")
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad %s %q in %s", key, v, meminfoPath)
	}
	switch strings.TrimSpace(unit) {
	case "kB":
		if n > 1<<53 {
			return 0, fmt.Errorf("implausible %s %q in %s", key, v, meminfoPath)
		}
		return n * 1024, nil
	case "":
		return n, nil
	}
	return 0, fmt.Errorf("unknown unit in %s %q in %s", key, v, meminfoPath)
}

func discoverMemory(r reader, info *Info) {
	raw, err := r.read(meminfoPath)
	if err != nil {
		info.MemoryBytes = failed[uint64](meminfoPath, err)
		info.MemAvailBytes = failed[uint64](meminfoPath, err)
		return
	}
	kv := map[string]string{}
	for _, blk := range keyValues(raw) {
		for k, v := range blk {
			kv[k] = v
		}
	}
	if n, err := meminfoBytes(kv, "MemTotal"); err == nil {
		info.MemoryBytes = found(n, meminfoPath)
	} else {
		info.MemoryBytes = failed[uint64](meminfoPath, err)
	}
	if n, err := meminfoBytes(kv, "MemAvailable"); err == nil {
		info.MemAvailBytes = found(n, meminfoPath)
	} else {
		info.MemAvailBytes = failed[uint64](meminfoPath, err)
	}
}
