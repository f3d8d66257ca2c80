package host

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Cache is host facts saved for the create path, which must not probe: the
// probes boot sandboxes. It is valid until the machine reboots (a new boot ID)
// or another runsc-ai version reads it.
type Cache struct {
	BootID  string    `json:"boot_id"`
	Version string    `json:"version"`
	SavedAt time.Time `json:"saved_at"`
	Info    Info      `json:"info"`
}

const bootIDPath = "/proc/sys/kernel/random/boot_id"

// BootID identifies the running kernel boot.
func BootID() string {
	b, _ := os.ReadFile(bootIDPath)
	return strings.TrimSpace(string(b))
}

// LoadCache returns the cached facts if they were saved in this boot by this
// version; ok is false otherwise (missing, stale or unreadable).
func LoadCache(path, version string) (c Cache, ok bool) {
	b, err := os.ReadFile(path)
	if err != nil || len(b) > maxFile {
		return c, false
	}
	if json.Unmarshal(b, &c) != nil {
		return Cache{}, false
	}
	return c, c.BootID == BootID() && c.BootID != "" && c.Version == version
}

// SaveCache writes facts for LoadCache, atomically (0600).
func SaveCache(path, version string, info Info) error {
	b, err := json.Marshal(Cache{BootID: BootID(), Version: version, SavedAt: time.Now().UTC(), Info: info})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("host cache: %w", err)
	}
	tmp := fmt.Sprintf("%s.tmp-%d", path, os.Getpid())
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("host cache: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("host cache: %w", err)
	}
	return nil
}

// MarkPlatformUnusable records in the cached facts that a platform failed to
// boot a sandbox, so later creates stop choosing it until the next probe.
func MarkPlatformUnusable(path, version, platform, why string) error {
	c, ok := LoadCache(path, version)
	if !ok {
		return nil // nothing cached claims it works
	}
	src := "runsc-ai create: boot failed"
	found := false
	for i := range c.Info.Platforms {
		if c.Info.Platforms[i].Name == platform {
			c.Info.Platforms[i] = PlatformFact{Name: platform, Source: src, Err: why}
			found = true
		}
	}
	if !found {
		c.Info.Platforms = append(c.Info.Platforms, PlatformFact{Name: platform, Source: src, Err: why})
	}
	if platform == "kvm" {
		f := failed[bool](src, fmt.Errorf("%s", why))
		c.Info.KVMUsable = &f
	}
	return SaveCache(path, version, c.Info)
}

// Pressure reads a resource's PSI "some avg10" as a fraction in [0, 1];
// resource is cpu, memory or io. Missing PSI reads as 0 with an error.
func Pressure(root, resource string) (float64, error) {
	r := reader{root: root}
	s, err := r.readTrim(pressureDir + "/" + resource)
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(s, "\n")
	for _, field := range strings.Fields(line) {
		if v, ok := strings.CutPrefix(field, "avg10="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 100 {
				return 0, fmt.Errorf("%s/%s: bad avg10 %q", pressureDir, resource, v)
			}
			return f / 100, nil
		}
	}
	return 0, fmt.Errorf("%s/%s: no avg10", pressureDir, resource)
}
