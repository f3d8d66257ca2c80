package daemonjson

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInstallKeepsOtherKeysAndBacksUp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "daemon.json")
	orig := `{"log-level": "warn", "big": 12345678901234567890,
  "runtimes": {"runc2": {"path": "/usr/bin/runc"}}, "zzz": [1, 2]}`
	if err := os.WriteFile(path, []byte(orig), 0o640); err != nil {
		t.Fatal(err)
	}
	replaced, err := Install(path, "runsc-ai", Runtime{Path: "/bin/runsc-ai", RuntimeArgs: []string{"--network=none"}})
	if err != nil || replaced {
		t.Fatalf("Install = %v, %v", replaced, err)
	}
	got, _ := os.ReadFile(path)
	s := string(got)
	// Order and exact number text survive; the new runtime sits after runc2.
	for _, want := range []string{`"log-level": "warn"`, `"big": 12345678901234567890`, `"runc2"`, `"runsc-ai"`, `"--network=none"`, `"zzz"`} {
		if !strings.Contains(s, want) {
			t.Errorf("daemon.json lacks %s:\n%s", want, s)
		}
	}
	if strings.Index(s, "log-level") > strings.Index(s, "big") || strings.Index(s, "runc2") > strings.Index(s, "runsc-ai") || strings.Index(s, "runtimes") > strings.Index(s, "zzz") {
		t.Errorf("key order changed:\n%s", s)
	}
	if b, _ := os.ReadFile(path + BackupSuffix); string(b) != orig {
		t.Errorf("backup = %q, want the original", b)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v, want 0640 kept", fi.Mode().Perm())
	}
	rt, ok, err := Lookup(path, "runsc-ai")
	if err != nil || !ok || rt.Path != "/bin/runsc-ai" {
		t.Fatalf("Lookup = %+v %v %v", rt, ok, err)
	}
	if replaced, err := Install(path, "runsc-ai", Runtime{Path: "/bin/other"}); err != nil || !replaced {
		t.Fatalf("second Install = %v, %v; want replaced", replaced, err)
	}
	if err := Uninstall(path, "runsc-ai"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := Lookup(path, "runsc-ai"); ok {
		t.Error("runtime still present after Uninstall")
	}
	if _, ok, _ := Lookup(path, "runc2"); !ok {
		t.Error("Uninstall removed another runtime")
	}
	err = Uninstall(path, "runsc-ai")
	if err == nil || !strings.Contains(err.Error(), `"runsc-ai" is not installed`) {
		t.Errorf("second Uninstall: %v", err)
	}
}

func TestInstallCreatesMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "etc", "docker", "daemon.json")
	if _, err := Install(path, "runsc-ai", Runtime{Path: "/bin/runsc-ai"}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := Lookup(path, "runsc-ai"); !ok || err != nil {
		t.Fatalf("Lookup after create: %v %v", ok, err)
	}
	if _, err := os.Stat(path + BackupSuffix); !os.IsNotExist(err) {
		t.Errorf("backup of a file that did not exist: %v", err)
	}
}

func TestMalformedConfigLeftUnchanged(t *testing.T) {
	for name, content := range map[string]string{
		"truncated":     `{"runtimes": {`,
		"array":         `[1, 2]`,
		"trailing":      `{} {}`,
		"runtimes-list": `{"runtimes": ["runsc"]}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "daemon.json")
			os.WriteFile(path, []byte(content), 0o644)
			_, err := Install(path, "runsc-ai", Runtime{Path: "/bin/runsc-ai"})
			if err == nil || !strings.Contains(err.Error(), path) {
				t.Fatalf("Install error = %v, want one naming %s", err, path)
			}
			if b, _ := os.ReadFile(path); string(b) != content {
				t.Errorf("file changed to %q", b)
			}
			if _, err := os.Stat(path + BackupSuffix); !os.IsNotExist(err) {
				t.Error("a backup was written for a failed install")
			}
			if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
				t.Errorf("left files behind: %v", entries)
			}
		})
	}
}

func TestInstallRejectsRelativePath(t *testing.T) {
	if _, err := Install(filepath.Join(t.TempDir(), "d.json"), "x", Runtime{Path: "runsc-ai"}); err == nil {
		t.Error("relative runtime path accepted")
	}
}
