package host

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
)

const (
	mountsPath  = "/proc/self/mounts"
	cgroupsPath = "/proc/cgroups"
)

// v1Options are mount options of a v1 cgroup mount that are not controllers.
var v1Options = map[string]bool{
	"rw": true, "ro": true, "relatime": true, "noatime": true, "nosuid": true,
	"nodev": true, "noexec": true, "clone_children": true, "xattr": true,
	"nsdelegate": true, "memory_recursiveprot": true, "seclabel": true,
}

// parseCgroupMounts reads cgroup and cgroup2 mounts from a mounts table.
// It returns the v2 mount point (or ""), and the v1 controllers by mount.
func parseCgroupMounts(b []byte) (v2 string, v1 map[string]string) {
	v1 = map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), maxFile)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 {
			continue
		}
		switch f[2] {
		case "cgroup2":
			// Prefer the canonical location if both exist.
			if v2 == "" || f[1] == "/sys/fs/cgroup" {
				v2 = f[1]
			}
		case "cgroup":
			for _, o := range strings.Split(f[3], ",") {
				if v1Options[o] || strings.HasPrefix(o, "name=") || strings.HasPrefix(o, "release_agent=") || o == "" {
					continue
				}
				v1[o] = f[1]
			}
		}
	}
	return v2, v1
}

func discoverCgroups(r reader, info *Info) {
	raw, err := r.read(mountsPath)
	if err != nil {
		info.Cgroup = failed[Cgroups](mountsPath, err)
		return
	}
	v2, v1 := parseCgroupMounts(raw)
	var cg Cgroups
	source := mountsPath
	switch {
	case len(v1) > 0:
		cg.Version, cg.Mount = "v1", "/sys/fs/cgroup"
		if v2 != "" {
			cg.Version = "hybrid"
		}
		for c := range v1 {
			cg.Controllers = append(cg.Controllers, c)
		}
	case v2 != "":
		cg.Version, cg.Mount = "v2", v2
		p := strings.TrimSuffix(v2, "/") + "/cgroup.controllers"
		s, err := r.readTrim(p)
		if err != nil {
			info.Cgroup = failed[Cgroups](mountsPath+", "+p, err)
			return
		}
		cg.Controllers = strings.Fields(s)
		source += ", " + p
	default:
		info.Cgroup = failed[Cgroups](mountsPath, errors.New("no cgroup or cgroup2 mount"))
		return
	}
	sort.Strings(cg.Controllers)

	need := append([]string(nil), neededControllers...)
	if cg.Version == "v2" {
		need = append(need, "io")
	} else {
		need = append(need, "blkio")
	}
	have := map[string]bool{}
	for _, c := range cg.Controllers {
		have[c] = true
	}
	for _, c := range need {
		if !have[c] {
			cg.Missing = append(cg.Missing, c)
		}
	}
	info.Cgroup = found(cg, source)
}

const pressureDir = "/proc/pressure"

// discoverPSI checks each pressure file reads and parses: with psi=0 on the
// kernel command line the files exist but reading them fails (EOPNOTSUPP).
func discoverPSI(r reader, info *Info) {
	var psi PSI
	var errs []string
	for _, res := range []struct {
		name string
		dst  *bool
	}{{"cpu", &psi.CPU}, {"memory", &psi.Memory}, {"io", &psi.IO}} {
		p := pressureDir + "/" + res.name
		s, err := r.readTrim(p)
		if err == nil && !strings.HasPrefix(s, "some avg10=") {
			err = fmt.Errorf("%s: unexpected content", p)
		}
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		*res.dst = true
	}
	if !psi.CPU && !psi.Memory && !psi.IO {
		info.PSI = failed[PSI](pressureDir, errors.New(strings.Join(errs, "; ")))
		return
	}
	info.PSI = found(psi, pressureDir)
}
