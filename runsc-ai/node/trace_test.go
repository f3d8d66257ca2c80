package node

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A span is one line per ended step when RUNSC_AI_TRACE names a file, and
// nothing at all when it does not.
func TestSpan(t *testing.T) {
	file := filepath.Join(t.TempDir(), "trace")
	t.Setenv(TraceEnv, "")
	Span("quiet")()
	if _, err := os.Stat(file); err == nil {
		t.Fatal("a trace file without RUNSC_AI_TRACE")
	}
	t.Setenv(TraceEnv, file)
	end := Span("plan")
	time.Sleep(2 * time.Millisecond)
	end()
	Span("record")()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 {
		t.Fatalf("trace:\n%s", b)
	}
	f := strings.Fields(lines[0])
	if len(f) != 5 || f[1] != strconv.Itoa(os.Getpid()) || f[3] != "plan" {
		t.Fatalf("line %q", lines[0])
	}
	if ms, err := strconv.ParseFloat(f[4], 64); err != nil || ms < 2 {
		t.Errorf("plan took %q ms, want ≥ 2", f[4])
	}
	if us, err := strconv.ParseInt(f[0], 10, 64); err != nil || time.Since(time.UnixMicro(us)) > time.Minute {
		t.Errorf("start %q", f[0])
	}
}

func TestRole(t *testing.T) {
	for args, want := range map[string]string{
		"--root /x --ai-state /y do /bin/true": "do",
		"--root=/r boot --bundle /b id":        "boot",
		"--log-fd=3 gofer --spec-fd=4":         "gofer",
		"--version":                            "runsc-ai",
	} {
		if got := role(strings.Fields(args)); got != want {
			t.Errorf("role(%s) = %s, want %s", args, got, want)
		}
	}
}
