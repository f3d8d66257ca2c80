package host

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// /proc/stat's total line in USER_HZ ticks; what is not a count is refused.
func TestReadCPUTime(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) {
		os.MkdirAll(filepath.Join(dir, "proc"), 0o755)
		os.WriteFile(filepath.Join(dir, "proc/stat"), []byte(s), 0o644)
	}
	write("cpu  100 20 30 800 50 1 2 3 7 0\ncpu0 50 10 15 400 25 0 1 1 3 0\nintr 1\n")
	got, err := ReadCPUTime(dir)
	// busy: user+nice+system+irq+softirq+steal; guest (7) is inside user.
	if err != nil || got.Busy != 156*10*time.Millisecond || got.Total != 1006*10*time.Millisecond {
		t.Errorf("got %+v %v", got, err)
	}
	for _, bad := range []string{"", "cpu0 1 2 3 4 5\n", "cpu  1 2 3\n", "cpu  1 2 -3 4 5\n", "cpu  1 2 3 4 99999999999999999999\n"} {
		write(bad)
		if _, err := ReadCPUTime(dir); err == nil || !strings.Contains(err.Error(), "proc/stat") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := ReadCPUTime(t.TempDir()); err == nil {
		t.Error("a tree without /proc/stat read")
	}
}

// Live: CPU this test burns shows as busy time.
func TestReadCPUTimeLive(t *testing.T) {
	before, err := ReadCPUTime("/")
	if err != nil {
		t.Skip(err)
	}
	for start := time.Now(); time.Since(start) < 300*time.Millisecond; {
	}
	after, err := ReadCPUTime("/")
	if err != nil {
		t.Fatal(err)
	}
	if busy, total := after.Busy-before.Busy, after.Total-before.Total; busy < 150*time.Millisecond || busy > total {
		t.Errorf("300 ms of spinning: busy %v of %v", busy, total)
	}
}
