package host

import "testing"

func FuzzParsers(f *testing.F) {
	for _, s := range []string{"processor\t: 0\nflags\t: avx2\n", "0-3,5", "cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0", "MemTotal: 12 kB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ci, err := parseCPUInfo([]byte(s)); err == nil {
			_, _ = ci.arch()
			_, _ = ci.model()
			if fs, err := ci.features(); err == nil {
				simdOf(fs)
			}
		}
		if n, err := parseCPUList(s); err == nil && n < 1 {
			t.Fatalf("parseCPUList(%q) = %d with no error", s, n)
		}
		parseCgroupMounts([]byte(s))
		kv := map[string]string{"MemTotal": s}
		_, _ = meminfoBytes(kv, "MemTotal")
	})
}
