package bench

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
	"gopkg.in/yaml.v3"

	"github.com/go-os-agent/runsc-ai/policies"
)

// Oracles: a ratio to runsc does not say whether a decision was good, so
// every scenario also runs, in the same invocation and interleaved with the
// runtimes, two baselines on plain runsc that no adaptive runtime should
// beat except by noise:
//
//   - the floor: the scenario's sensitive roles alone, without the
//     workloads that disturb them, and idle where they disturb each other
//     (what no scheduler can beat on this machine);
//   - the best static setting in hindsight: each setting of a small
//     declared grid (the batch job's CPU shares or quota, the memory
//     limits) set in the containers' OCI specs; runsc's default is one of
//     them. The best one per measure is kept.
//
// The captured fraction of a measure is then (runsc − agent) / (runsc −
// best), in the measure's better direction: 1 when the agent reaches the
// oracle, 0 when it does no better than runsc, above 1 when it beats it;
// given only where the oracle beats runsc beyond the machine's noise
// (noise.go).

// Oracle runtime names (series of the oracles carry them as their runtime).
const (
	Floor        = "floor"
	StaticPrefix = "static:"
)

// Limits are resources set in a role's OCI spec.
type Limits struct {
	CPUShares   uint64 `json:"cpu_shares,omitempty"`
	CPUQuotaPct int    `json:"cpu_quota_pct,omitempty"` // of one core, per 100 ms period
	MemoryLimit int64  `json:"memory_limit,omitempty"`  // bytes
	// CPUsLast confines the role to the host's last CPUsLast CPUs (a
	// cpuset: the others are left to the rest of the node).
	CPUsLast int `json:"cpus_last,omitempty"`
}

func (l Limits) String() string {
	var parts []string
	if l.CPUShares > 0 {
		parts = append(parts, fmt.Sprintf("cpu shares %d", l.CPUShares))
	}
	if l.CPUQuotaPct > 0 {
		parts = append(parts, fmt.Sprintf("cpu quota %d%%", l.CPUQuotaPct))
	}
	if l.MemoryLimit > 0 {
		parts = append(parts, fmt.Sprintf("memory %d MiB", l.MemoryLimit>>20))
	}
	if l.CPUsLast > 0 {
		parts = append(parts, fmt.Sprintf("the last %d CPUs", l.CPUsLast))
	}
	return strings.Join(parts, ", ")
}

// apply sets l in a spec's resources (over what the role already sets).
func (l Limits) apply(r *specs.LinuxResources) error {
	if l.CPUsLast > 0 {
		var set unix.CPUSet
		if err := unix.SchedGetaffinity(0, &set); err != nil {
			return fmt.Errorf("the host's CPUs: %w", err)
		}
		if r.CPU == nil {
			r.CPU = &specs.LinuxCPU{}
		}
		r.CPU.Cpus = lastCPUs(&set, l.CPUsLast)
	}
	if l.CPUShares > 0 || l.CPUQuotaPct > 0 {
		if r.CPU == nil {
			r.CPU = &specs.LinuxCPU{}
		}
		if l.CPUShares > 0 {
			s := l.CPUShares
			r.CPU.Shares = &s
		}
		if l.CPUQuotaPct > 0 {
			q, p := int64(l.CPUQuotaPct)*1000, uint64(100_000)
			r.CPU.Quota, r.CPU.Period = &q, &p
		}
	}
	if l.MemoryLimit > 0 {
		m := l.MemoryLimit
		if r.Memory == nil {
			r.Memory = &specs.LinuxMemory{}
		}
		r.Memory.Limit = &m
	}
	return nil
}

// lastCPUs is the cpuset list ("2,3") of the last n CPUs in set, or all of
// them when it has no more than n.
func lastCPUs(set *unix.CPUSet, n int) string {
	var cpus []string
	for c := len(set)*64 - 1; c >= 0 && len(cpus) < n; c-- {
		if set.IsSet(c) {
			cpus = append(cpus, strconv.Itoa(c))
		}
	}
	slices.Reverse(cpus)
	return strings.Join(cpus, ",")
}

// Setting is one fixed configuration of a scenario's static grid: limits
// per role (by workload).
type Setting struct {
	Name   string            `json:"name"`
	Limits map[string]Limits `json:"limits"`
}

// staticGrid is each scenario's declared grid of fixed settings (runsc's
// default, the OCI spec as the scenario writes it, is the grid's first
// point and is measured as the runsc runtime itself).
var staticGrid = map[string][]Setting{
	"noisy-neighbour": {
		{Name: "hog-shares-2", Limits: map[string]Limits{"cpu-hog": {CPUShares: 2}}},
		{Name: "hog-quota-50", Limits: map[string]Limits{"cpu-hog": {CPUQuotaPct: 50}}},
	},
	// The working sets: mem-idle ≈ 48 MiB and mem-ramp up to 256 MiB, plus
	// the sandbox's own (Sentry, gofer) memory.
	"memory": {
		{Name: "tight", Limits: map[string]Limits{"mem-idle": {MemoryLimit: 160 << 20}, "mem-ramp": {MemoryLimit: 384 << 20}}},
		{Name: "snug", Limits: map[string]Limits{"mem-idle": {MemoryLimit: 224 << 20}, "mem-ramp": {MemoryLimit: 448 << 20}}},
	},
	// A static setting cannot follow the swap: each favours one half.
	"phases": {
		{Name: "early-shares-2", Limits: map[string]Limits{"phase-early": {CPUShares: 2}}},
		{Name: "late-shares-2", Limits: map[string]Limits{"phase-late": {CPUShares: 2}}},
	},
	// mem-leak reaches about 230 MiB, mem-steady holds 96 MiB, each plus
	// the sandbox's own memory.
	"leak": {
		{Name: "tight", Limits: map[string]Limits{"mem-leak": {MemoryLimit: 320 << 20}, "mem-steady": {MemoryLimit: 192 << 20}}},
		{Name: "snug", Limits: map[string]Limits{"mem-leak": {MemoryLimit: 384 << 20}, "mem-steady": {MemoryLimit: 256 << 20}}},
	},
	"burst": {
		{Name: "cron-shares-2", Limits: map[string]Limits{"cron-burst": {CPUShares: 2}}},
		{Name: "cron-quota-50", Limits: map[string]Limits{"cron-burst": {CPUQuotaPct: 50}}},
		// Separation rather than a weight: the jobs' bursts are shorter
		// than a weight takes to bite on a wake-up.
		{Name: "cron-cpus-1", Limits: map[string]Limits{"cron-burst": {CPUsLast: 1}}},
	},
	// Limits of the I/O weight need a cgroup with io.weight; the CPU ones
	// work everywhere and slow the writer's I/O as well.
	"io": {
		{Name: "writer-shares-2", Limits: map[string]Limits{"io-writer": {CPUShares: 2}}},
		{Name: "writer-quota-25", Limits: map[string]Limits{"io-writer": {CPUQuotaPct: 25}}},
	},
}

// withoutOracle are the scenarios that measure something other than a
// decision's effect, and why: no oracle runs for them, no capture is
// reported.
var withoutOracle = map[string]string{
	"crowd": "it measures what the agent costs with many sandboxes, not what a decision gains",
}

// StaticGrid returns a scenario's static settings.
func StaticGrid(scenario string) []Setting { return staticGrid[scenario] }

// variant is one way an item runs: a runtime with the scenario's roles, or
// an oracle (plain runsc with a subset of the roles, or other limits).
type variant struct {
	name  string
	rt    Runtime
	roles []Role // nil: not a scenario
}

// variants lists how item it runs: every runtime, then, for a scenario with
// plain runsc available and oracles wanted, the floor (if the scenario has
// sensitive roles and others) and each static setting.
func variants(it item, rts []Runtime, oracles bool) []variant {
	var out []variant
	var runsc *Runtime
	for i, rt := range rts {
		out = append(out, variant{name: rt.Name, rt: rt, roles: scenarioRoles[it.scenario]})
		if rt.Name == Runsc {
			runsc = &rts[i]
		}
	}
	if it.scenario == "" || runsc == nil || !oracles {
		return out
	}
	roles := scenarioRoles[it.scenario]
	var floor []Role
	differs := false
	for _, r := range roles {
		if r.Sensitive {
			r.alone = r.Disturbs
			floor = append(floor, r)
		}
		differs = differs || !r.Sensitive || r.Disturbs
	}
	if len(floor) > 0 && differs {
		out = append(out, variant{name: Floor, rt: *runsc, roles: floor})
	}
	for _, set := range staticGrid[it.scenario] {
		rs := append([]Role(nil), roles...)
		for i := range rs {
			rs[i].Limits = set.Limits[rs[i].Workload]
		}
		out = append(out, variant{name: StaticPrefix + set.Name, rt: *runsc, roles: rs})
	}
	return out
}

// Capture is one scenario measure against its oracle (medians).
type Capture struct {
	Scenario string  `json:"scenario"`
	Workload string  `json:"workload"`
	Metric   string  `json:"metric"`
	Better   string  `json:"better"`
	Agent    string  `json:"agent"` // the runtime judged
	Runsc    float64 `json:"runsc"`
	Value    float64 `json:"value"` // the agent runtime's
	// Floor is the measure with the sensitive roles alone (absent when
	// the scenario has none, or for the roles it leaves out).
	Floor *float64 `json:"floor,omitempty"`
	// Static is the best of the static grid, runsc's default included.
	Static     float64 `json:"static"`
	StaticName string  `json:"static_name"`
	// Best is the better of Floor and Static; BestName says which.
	Best     float64 `json:"best"`
	BestName string  `json:"best_name"`
	// Captured is (runsc − value) / (runsc − best) in the better
	// direction; absent when runsc is already within MinGap of the best,
	// or its gap is within the noise (GapP; Note says which).
	Captured *float64 `json:"captured,omitempty"`
	// Regret is how much worse than the best the agent is, relative to the
	// best: value/best − 1 for lower-is-better, 1 − value/best for higher
	// (0 or below: at or beyond the oracle).
	Regret float64 `json:"regret"`
	// GapP is the one-sided Mann–Whitney p-value that the best oracle's
	// repetitions beat runsc's (absent where runsc is the best): above
	// MaxGapP the gap is the machine's noise, and no fraction is given.
	GapP *float64 `json:"gap_p,omitempty"`
	Note string   `json:"note,omitempty"`
	// PerRep is the captured fraction of each repetition on its own (runsc,
	// the agent and the best oracle's values of that repetition; null where
	// there is nothing to capture): does the agent learn over the run?
	PerRep []*float64 `json:"per_rep,omitempty"`
}

// MinGap is the smallest gap between runsc and the oracle, relative to
// runsc, that a captured fraction is computed for: below it, runsc is
// already at the oracle and any fraction would be noise divided by noise.
const MinGap = 0.02

// fractionOf is the captured fraction of value between runsc and best, or
// nil where the gap is within MinGap of runsc (or a value is missing).
func fractionOf(better string, runsc, value, best float64) *float64 {
	if runsc <= 0 || value <= 0 || best <= 0 {
		return nil
	}
	gain := func(v float64) float64 {
		if better == "lower" {
			return runsc - v
		}
		return v - runsc
	}
	gap := gain(best)
	if gap <= MinGap*runsc {
		return nil
	}
	f := gain(value) / gap
	return &f
}

// capture computes a measure's captured fraction and regret from the
// medians of runsc, the runtime judged, the floor (nil: none) and the
// static settings (name → median; runsc's default is added as "default").
func capture(better string, runsc, value float64, floor *float64, static map[string]float64) Capture {
	c := Capture{Better: better, Runsc: runsc, Value: value, Floor: floor}
	lower := better == "lower"
	isBetter := func(a, b float64) bool {
		if lower {
			return a < b
		}
		return a > b
	}
	c.Static, c.StaticName = runsc, "default"
	names := make([]string, 0, len(static))
	for n := range static {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if v := static[n]; v > 0 && isBetter(v, c.Static) {
			c.Static, c.StaticName = v, StaticPrefix+n
		}
	}
	c.Best, c.BestName = c.Static, c.StaticName
	if floor != nil && *floor > 0 && isBetter(*floor, c.Best) {
		c.Best, c.BestName = *floor, Floor
	}
	if c.Best > 0 {
		if lower {
			c.Regret = value/c.Best - 1
		} else {
			c.Regret = 1 - value/c.Best
		}
	}
	c.Captured = fractionOf(better, runsc, value, c.Best)
	switch {
	case runsc <= 0 || value <= 0:
		c.Note = "no measurement"
	case c.Captured == nil:
		c.Note = fmt.Sprintf("runsc is within %.0f%% of the oracle: nothing to capture", MinGap*100)
	case *c.Captured > 1:
		c.Note = "beyond the oracle (noise, or a setting the grid lacks)"
	}
	return c
}

// captures computes every scenario measure's capture for the runtime
// judged (runsc-ai+agent), from the summarized series.
func (r *Results) captures(judged string) []Capture {
	var out []Capture
	for _, row := range r.rows(true) {
		if withoutOracle[row.scenario] != "" {
			continue
		}
		base, agent := r.Find(row.workload, row.scenario, Runsc), r.Find(row.workload, row.scenario, judged)
		if base == nil || agent == nil || len(base.Values) == 0 || len(agent.Values) == 0 {
			continue
		}
		var floor *float64
		if s := r.Find(row.workload, row.scenario, Floor); s != nil && len(s.Values) > 0 {
			floor = &s.Median
		}
		static := map[string]float64{}
		for _, set := range staticGrid[row.scenario] {
			// A setting whose run failed anywhere (an OOM kill, say) is
			// not a candidate.
			if s := r.Find(row.workload, row.scenario, StaticPrefix+set.Name); s != nil && len(s.Values) > 0 && len(s.Errors) == 0 {
				static[set.Name] = s.Median
			}
		}
		c := capture(row.better, base.Median, agent.Median, floor, static)
		c.Scenario, c.Workload, c.Metric, c.Agent = row.scenario, row.workload, row.metric, judged
		best := base
		if c.BestName != "default" {
			best = r.Find(row.workload, row.scenario, c.BestName)
		}
		if c.BestName != "default" {
			p := mannWhitneyP(row.better, best.Values, base.Values)
			c.GapP = &p
			if c.Captured != nil && p > MaxGapP {
				c.Captured = nil
				c.Note = fmt.Sprintf("runsc's gap to the oracle is within the noise (p = %.2f > %.2f over %d and %d repetitions): nothing to capture", p, MaxGapP, len(best.Values), len(base.Values))
			}
		}
		// The other way: an agent that lost to runsc beyond the noise is
		// said so, whatever the oracle.
		if p := mannWhitneyP(row.better, base.Values, agent.Values); p <= MaxGapP {
			c.Note = strings.TrimPrefix(c.Note+fmt.Sprintf("; %s is worse than runsc beyond the noise (p = %.3f)", judged, p), "; ")
		}
		for i := 0; i < len(base.Values) && i < len(agent.Values) && i < len(best.Values); i++ {
			c.PerRep = append(c.PerRep, fractionOf(row.better, base.Values[i], agent.Values[i], best.Values[i]))
		}
		out = append(out, c)
	}
	return out
}

// gap is how far runsc is from the best, in the metric's unit and its
// better direction (what there was to capture; negative: runsc beat it).
func (c Capture) gap() float64 {
	if c.Better == "higher" {
		return c.Best - c.Runsc
	}
	return c.Runsc - c.Best
}

// gapCell formats the gap and its p-value.
func (c Capture) gapCell() string {
	s := fmt.Sprintf("%.3g", c.gap())
	if c.GapP != nil {
		s += fmt.Sprintf(" (p %.2f)", *c.GapP)
	}
	return s
}

// fraction formats a captured fraction.
func (c Capture) fraction() string {
	if c.Captured == nil {
		return "–"
	}
	if math.IsInf(*c.Captured, 0) || math.IsNaN(*c.Captured) {
		return "?"
	}
	return fmt.Sprintf("%.2f", *c.Captured)
}

// rulesOnlyPolicy writes the runsc-ai+rules runtime's policy into work:
// the agent's (the file given, else the embedded default) with the fast
// tier off, so the two agents differ only in learning.
func rulesOnlyPolicy(from, work string) (string, error) {
	src := policies.DefaultYAML()
	if from != "" {
		b, err := os.ReadFile(from)
		if err != nil {
			return "", fmt.Errorf("agent policy: %w", err)
		}
		src = b
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return "", fmt.Errorf("agent policy: not a YAML mapping: %v", err)
	}
	root := doc.Content[0]
	var fast *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "fast" {
			fast = root.Content[i+1]
		}
	}
	if fast == nil {
		fast = &yaml.Node{Kind: yaml.MappingNode}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "fast"}, fast)
	}
	set := false
	for i := 0; i+1 < len(fast.Content); i += 2 {
		if fast.Content[i].Value == "enabled" {
			fast.Content[i+1] = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "false"}
			set = true
		}
	}
	if !set {
		fast.Content = append(fast.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "enabled"}, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "false"})
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return "", err
	}
	path := filepath.Join(work, "rules-only-policy.yaml")
	if _, err := policies.Parse(path, out); err != nil {
		return "", fmt.Errorf("the rules-only policy: %w", err)
	}
	return path, os.WriteFile(path, out, 0o600)
}
