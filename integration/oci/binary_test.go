package oci

import (
	"debug/elf"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/go-os-agent/runsc-ai/integration/testenv"
)

// commandsIn parses the subcommand names out of runsc-style --help output.
func commandsIn(help string) []string {
	re := regexp.MustCompile(`(?m)^\t([a-z][a-z0-9-]*)\s`)
	var names []string
	for _, m := range re.FindAllStringSubmatch(help, -1) {
		names = append(names, m[1])
	}
	sort.Strings(names)
	return names
}

func help(t *testing.T, bin string) string {
	t.Helper()
	out, err := exec.Command(bin, "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("%s --help: %v: %s", bin, err, out)
	}
	return string(out)
}

// runsc-ai offers every command plain runsc has (from the same gVisor
// module), plus only the runsc-ai commands listed here.
func TestHelpListsEveryRunscCommand(t *testing.T) {
	e := testenv.Get(t)
	ours := commandsIn(help(t, e.RunscAI))
	theirs := commandsIn(help(t, e.Runsc))
	if len(theirs) < 30 {
		t.Fatalf("parsed only %d commands from runsc --help: %v", len(theirs), theirs)
	}
	have := map[string]bool{}
	for _, c := range ours {
		have[c] = true
	}
	for _, c := range theirs {
		if !have[c] {
			t.Errorf("runsc-ai lacks runsc command %q", c)
		}
		delete(have, c)
	}
	extra := []string{}
	for c := range have {
		extra = append(extra, c)
	}
	sort.Strings(extra)
	if want := []string{"agent", "behaviour", "bench", "bench-workload", "decide", "explain", "host", "policy"}; strings.Join(extra, ",") != strings.Join(want, ",") {
		t.Errorf("runsc-ai's own commands = %v, want %v", extra, want)
	}
}

func TestVersion(t *testing.T) {
	e := testenv.Get(t)
	out, err := exec.Command(e.RunscAI, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "runsc-ai version ") ||
		!regexp.MustCompile(`^gvisor version v0\.0\.0-\d{14}-[0-9a-f]{12}$`).MatchString(lines[1]) ||
		!strings.HasPrefix(lines[2], "spec: ") {
		t.Errorf("--version:\n%s", out)
	}
}

// gVisor re-executes itself inside a chroot with no ELF interpreter, so a
// dynamic binary fails at sandbox boot.
func TestBinaryIsStatic(t *testing.T) {
	e := testenv.Get(t)
	checkStatic(t, e.RunscAI, elf.EM_X86_64, elf.EM_AARCH64)
}

// The linux/arm64 build (Raspberry Pi 4 and ARM servers) must exist and be
// static too.
func TestArm64BinaryIsStatic(t *testing.T) {
	checkStatic(t, testenv.Get(t).RunscAIArm64, elf.EM_AARCH64)
}

func checkStatic(t *testing.T, path string, machines ...elf.Machine) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ok := false
	for _, m := range machines {
		ok = ok || f.Machine == m
	}
	if !ok {
		t.Errorf("%s: machine %v, want one of %v", path, f.Machine, machines)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s is dynamically linked (has PT_INTERP)", path)
		}
	}
}
