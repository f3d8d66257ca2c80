package host

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Thermal is the host's thermal state now.
type Thermal struct {
	// TempC is the hottest thermal zone's temperature (°C); Zone names it.
	TempC float64 `json:"temp_c"`
	Zone  string  `json:"zone,omitempty"`
	// Throttled is the Raspberry Pi firmware's get_throttled bits (0
	// elsewhere): bit 0 under-voltage, 1 ARM frequency capped, 2 throttled,
	// 3 soft temperature limit active; bits 16-19 the same, since boot.
	Throttled     uint32 `json:"throttled"`
	HasPiFirmware bool   `json:"pi_firmware,omitempty"`
}

// Throttling reports whether the firmware caps or throttles the CPU now.
func (t Thermal) Throttling() bool { return t.Throttled&0b1110 != 0 }

// firmwareThrottled is where the Pi's firmware driver (raspberrypi-hwmon /
// the firmware node) reports vcgencmd get_throttled.
const firmwareThrottled = "/sys/devices/platform/soc/soc:firmware/get_throttled"

// ReadThermal reads the thermal zones (and a Pi's firmware state) below
// root ("/" live, or a recorded tree). No zone is an error.
func ReadThermal(root string) (Thermal, error) {
	r := reader{root: root}
	var t Thermal
	zones, _ := filepath.Glob(r.path("/sys/class/thermal/thermal_zone*"))
	sort.Strings(zones)
	found := false
	for _, z := range zones {
		rel := "/sys/class/thermal/" + filepath.Base(z)
		s, err := r.readTrim(rel + "/temp")
		if err != nil {
			continue
		}
		milli, err := strconv.ParseInt(s, 10, 64)
		if err != nil || milli < -273000 || milli > 250000 {
			continue // a sensor that reports nonsense is not evidence
		}
		c := float64(milli) / 1000
		if !found || c > t.TempC {
			typ, _ := r.readTrim(rel + "/type")
			t.TempC, t.Zone, found = c, strings.TrimSpace(filepath.Base(z)+" "+typ), true
		}
	}
	if s, err := r.readTrim(firmwareThrottled); err == nil {
		v, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 32)
		if err == nil {
			t.Throttled, t.HasPiFirmware = uint32(v), true
		}
	}
	if !found && !t.HasPiFirmware {
		if _, err := os.Stat(r.path("/sys/class/thermal")); err != nil {
			return t, fmt.Errorf("thermal: %w", err)
		}
		return t, fmt.Errorf("thermal: no readable thermal zone under %s", r.path("/sys/class/thermal"))
	}
	return t, nil
}
