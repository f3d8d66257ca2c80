package bench

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/go-os-agent/runsc-ai/policies"
)

func ptr(v float64) *float64 { return &v }

// The captured fraction at its edges: the agent at, short of and beyond
// the oracle; runsc already at the oracle (no fraction, said so); the
// floor or a static setting as the best; higher-is-better measures; no
// measurement.
func TestCaptureArithmetic(t *testing.T) {
	for _, tc := range []struct {
		name         string
		better       string
		runsc, value float64
		floor        *float64
		static       map[string]float64
		captured     float64 // NaN: none
		best         string
		regret       float64
		note         string
	}{
		{"at the floor", "lower", 10, 4, ptr(4), nil, 1, Floor, 0, ""},
		{"half way", "lower", 10, 7, ptr(4), map[string]float64{"a": 6}, 0.5, Floor, 0.75, ""},
		{"static best", "lower", 10, 8, ptr(9), map[string]float64{"a": 6, "b": 7}, 0.5, StaticPrefix + "a", 8.0/6 - 1, ""},
		{"worse than runsc", "lower", 10, 12, ptr(5), nil, -0.4, Floor, 12.0/5 - 1, ""},
		{"beyond the oracle", "lower", 10, 3, ptr(5), nil, 1.4, Floor, -0.4, "beyond the oracle"},
		{"runsc at the oracle", "lower", 10, 9, ptr(9.9), map[string]float64{"a": 10.1}, math.NaN(), Floor, 9/9.9 - 1, "nothing to capture"},
		{"no oracle better than runsc", "lower", 10, 9, nil, map[string]float64{"a": 11}, math.NaN(), "default", -0.1, "nothing to capture"},
		{"higher is better", "higher", 100, 150, nil, map[string]float64{"a": 200}, 0.5, StaticPrefix + "a", 0.25, ""},
		{"higher, runsc best", "higher", 100, 90, nil, map[string]float64{"a": 80}, math.NaN(), "default", 0.1, "nothing to capture"},
		{"a failed static (0) is no candidate", "lower", 10, 8, nil, map[string]float64{"a": 0, "b": 6}, 0.5, StaticPrefix + "b", 8.0/6 - 1, ""},
		{"no measurement", "lower", 0, 8, nil, map[string]float64{"a": 6}, math.NaN(), "default", 0, "no measurement"},
	} {
		c := capture(tc.better, tc.runsc, tc.value, tc.floor, tc.static)
		switch {
		case math.IsNaN(tc.captured) && c.Captured != nil:
			t.Errorf("%s: captured %v, want none", tc.name, *c.Captured)
		case !math.IsNaN(tc.captured) && (c.Captured == nil || math.Abs(*c.Captured-tc.captured) > 1e-9):
			t.Errorf("%s: captured %v, want %v", tc.name, c.Captured, tc.captured)
		}
		if c.BestName != tc.best || math.Abs(c.Regret-tc.regret) > 1e-9 {
			t.Errorf("%s: best %s regret %v, want %s %v", tc.name, c.BestName, c.Regret, tc.best, tc.regret)
		}
		if !strings.Contains(c.Note, tc.note) || tc.note == "" && c.Note != "" {
			t.Errorf("%s: note %q, want %q", tc.name, c.Note, tc.note)
		}
		// What there was to capture, in the metric's unit.
		if want, ok := map[string]float64{"half way": 6, "static best": 4, "higher is better": 100, "higher, runsc best": 0, "runsc at the oracle": 0.1}[tc.name]; ok && math.Abs(c.gap()-want) > 1e-9 {
			t.Errorf("%s: gap %v, want %v", tc.name, c.gap(), want)
		}
	}
}

// Every scenario has oracles: a floor where it has sensitive roles among
// others, and a static grid whose limits name the scenario's roles.
func TestEveryScenarioHasOracles(t *testing.T) {
	rts := []Runtime{{Name: Runsc, Available: true}, {Name: RunscAIAgent, Available: true}}
	for _, s := range ScenarioNames() {
		vs := variants(item{scenario: s, workloads: Scenarios[s]}, rts, true)
		names := map[string]bool{}
		for _, v := range vs {
			names[v.name] = true
			if v.name != Runsc && v.name != RunscAIAgent && v.rt.Name != Runsc {
				t.Errorf("%s: oracle %s runs on %s, not plain runsc", s, v.name, v.rt.Name)
			}
		}
		if (len(StaticGrid(s)) == 0) != (withoutOracle[s] != "") {
			t.Errorf("%s: static grid %v, without an oracle because %q", s, StaticGrid(s), withoutOracle[s])
		}
		for _, set := range StaticGrid(s) {
			if !names[StaticPrefix+set.Name] {
				t.Errorf("%s: static %s not run", s, set.Name)
			}
			for w, l := range set.Limits {
				if role(s, w) == nil || l.String() == "" {
					t.Errorf("%s: static %s limits %q (%v), not a role of the scenario", s, set.Name, w, l)
				}
			}
		}
		sensitive, disturbs := 0, false
		for _, r := range scenarioRoles[s] {
			if r.Sensitive {
				sensitive++
			}
			disturbs = disturbs || r.Disturbs
		}
		if want := sensitive > 0 && (sensitive < len(scenarioRoles[s]) || disturbs); names[Floor] != want {
			t.Errorf("%s: floor run %v, want %v", s, names[Floor], want)
		}
		for _, v := range vs {
			for _, r := range v.roles {
				if r.alone != (v.name == Floor && r.Disturbs) {
					t.Errorf("%s on %s: %s runs alone: %v", s, v.name, r.Workload, r.alone)
				}
			}
		}
		if vs := variants(item{scenario: s}, rts, false); len(vs) != len(rts) {
			t.Errorf("%s: oracles off still runs %d variants", s, len(vs))
		}
		if vs := variants(item{scenario: s}, rts[1:], true); len(vs) != 1 {
			t.Errorf("%s: without plain runsc, oracles ran: %d variants", s, len(vs))
		}
	}
}

// compare flags a captured fraction that dropped by more than the
// threshold, in points, and not one that rose or dropped less.
func TestCompareFlagsCapturedDrop(t *testing.T) {
	res := func(fs ...float64) *Results {
		r := &Results{}
		for i, f := range fs {
			r.Captures = append(r.Captures, Capture{Scenario: "s", Workload: string(rune('a' + i)), Agent: RunscAIAgent, Captured: ptr(f)})
		}
		r.Captures = append(r.Captures, Capture{Scenario: "s", Workload: "none", Agent: RunscAIAgent})
		return r
	}
	changes := Compare(res(0.9, 0.9, 0.5), res(0.6, 0.85, 0.8), 10)
	if len(changes) != 3 {
		t.Fatalf("%d changes: %+v", len(changes), changes)
	}
	want := []bool{true, false, false}
	for i, c := range changes {
		if c.Regression != want[i] || !c.Points || c.Metric != "captured fraction" {
			t.Errorf("%s: %+v, regression want %v", c.Workload, c, want[i])
		}
	}
	var out strings.Builder
	if n := WriteComparison(&out, changes, 10); n != 1 || !strings.Contains(out.String(), "-30.0 pp") {
		t.Errorf("%d regressions:\n%s", n, out.String())
	}
}

// Each repetition's captured fraction uses that repetition's values of
// runsc, the agent and the best oracle: the learning curve.
func TestCapturesPerRepetition(t *testing.T) {
	r := &Results{Series: []Series{
		{Workload: "p", Scenario: "noisy-neighbour", Runtime: Runsc, Better: "lower", Values: []float64{10, 10, 10}},
		{Workload: "p", Scenario: "noisy-neighbour", Runtime: RunscAIAgent, Better: "lower", Values: []float64{9, 7, 4.5}},
		{Workload: "p", Scenario: "noisy-neighbour", Runtime: Floor, Better: "lower", Values: []float64{4, 5, 4}},
		{Workload: "p", Scenario: "noisy-neighbour", Runtime: StaticPrefix + "hog-shares-2", Better: "lower", Values: []float64{6, 6, 6}},
		{Workload: "p", Scenario: "noisy-neighbour", Runtime: StaticPrefix + "hog-quota-50", Better: "lower", Values: []float64{3, 3}, Errors: []string{"killed"}},
	}}
	c := onlyCapture(t, r)
	if c.BestName != Floor || c.Captured == nil || math.Abs(*c.Captured-3.0/6) > 1e-9 {
		t.Errorf("capture %+v (a failed static setting is no candidate; the floor's median is 4)", c)
	}
	if c.GapP == nil || math.Abs(*c.GapP-1.0/20) > 1e-12 {
		t.Errorf("the floor's 3 repetitions all beat runsc's: p %v, want 1/20", c.GapP)
	}
	want := []float64{1.0 / 6, 3.0 / 5, 5.5 / 6}
	if len(c.PerRep) != len(want) {
		t.Fatalf("per repetition %v", c.PerRep)
	}
	for i, w := range want {
		if c.PerRep[i] == nil || math.Abs(*c.PerRep[i]-w) > 1e-9 {
			t.Errorf("repetition %d: %v, want %v", i, c.PerRep[i], w)
		}
	}
}

// The rules-only runtime's policy is the agent's with the fast tier off,
// and nothing else changed.
func TestRulesOnlyPolicy(t *testing.T) {
	for _, from := range []string{"", "custom"} {
		src := ""
		if from == "custom" {
			// A policy without fast.enabled, and another goal.
			b := strings.Replace(string(policies.DefaultYAML()), "goal: prioritize_interactive", "goal: maximize_throughput", 1)
			from = filepath.Join(t.TempDir(), "p.yaml")
			os.WriteFile(from, []byte(b), 0o600)
			src = b
		} else {
			src = string(policies.DefaultYAML())
		}
		path, err := rulesOnlyPolicy(from, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		got, err := policies.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		want, err := policies.Parse("src", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if !got.Fast.Off || want.Fast.Off {
			t.Errorf("%q: fast off %v (source %v)", from, got.Fast.Off, want.Fast.Off)
		}
		got.Fast.Off = false
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: the rules-only policy differs beyond fast.enabled", from)
		}
	}
}

// A cpuset oracle confines a role to the host's last CPUs, in order, and
// to all of them on a host with no more.
func TestLastCPUs(t *testing.T) {
	set := func(cpus ...int) *unix.CPUSet {
		var s unix.CPUSet
		for _, c := range cpus {
			s.Set(c)
		}
		return &s
	}
	for _, c := range []struct {
		set  *unix.CPUSet
		n    int
		want string
	}{
		{set(0, 1), 1, "1"},
		{set(0, 1, 2, 3), 2, "2,3"},
		{set(0, 2, 5, 70), 2, "5,70"},
		{set(3), 1, "3"},
		{set(0, 1), 4, "0,1"},
	} {
		if got := lastCPUs(c.set, c.n); got != c.want {
			t.Errorf("lastCPUs(%v, %d) = %q, want %q", c.set, c.n, got, c.want)
		}
	}
	var r specs.LinuxResources
	if err := (Limits{CPUsLast: 1}).apply(&r); err != nil || r.CPU == nil || r.CPU.Cpus == "" || strings.Contains(r.CPU.Cpus, ",") {
		t.Errorf("apply the last CPU: %v, %+v", err, r.CPU)
	}
}

// The noise test's p-values: exact ones from the tables (3 against 3 and 5
// against 5 fully apart: 1/20 and 1/252), the direction of "better", ties,
// and a series inside the other's spread.
func TestMannWhitneyP(t *testing.T) {
	for _, c := range []struct {
		name   string
		better string
		a, b   []float64
		want   float64
	}{
		{"3 v 3 apart", "lower", []float64{1, 2, 3}, []float64{4, 5, 6}, 1.0 / 20},
		{"3 v 3 apart, wrong way", "lower", []float64{4, 5, 6}, []float64{1, 2, 3}, 1},
		{"higher is better", "higher", []float64{4, 5, 6}, []float64{1, 2, 3}, 1.0 / 20},
		{"5 v 5 apart", "lower", []float64{1, 2, 3, 4, 5}, []float64{6, 7, 8, 9, 10}, 1.0 / 252},
		{"5 v 5, one swap", "lower", []float64{1, 2, 3, 4, 6}, []float64{5, 7, 8, 9, 10}, 2.0 / 252},
		// U = 15 of 25: P(U ≥ 15) = P(U ≤ 10), 87 of the 252.
		{"interleaved", "lower", []float64{1, 3, 5, 7, 9}, []float64{2, 4, 6, 8, 10}, 87.0 / 252},
		{"all tied", "lower", []float64{2, 2, 2}, []float64{2, 2, 2}, 0},
		{"empty", "lower", nil, []float64{1}, 1},
	} {
		got := mannWhitneyP(c.better, c.a, c.b)
		switch {
		case c.want == 0 && (got < 0.5 || got > 1):
			t.Errorf("%s: p = %v, want above 0.5", c.name, got)
		case c.want != 0 && math.Abs(got-c.want) > 1e-12:
			t.Errorf("%s: p = %v, want %v", c.name, got, c.want)
		}
	}
}

// A gap inside the machine's noise is nothing to capture: the oracle's
// median is well below runsc's, but its repetitions spread over runsc's.
func TestCapturesWithinNoise(t *testing.T) {
	r := &Results{Series: []Series{
		{Workload: "p", Scenario: "burst", Runtime: Runsc, Better: "lower", Values: []float64{3.5, 4.1, 4.0, 3.7, 4.9}},
		{Workload: "p", Scenario: "burst", Runtime: RunscAIAgent, Better: "lower", Values: []float64{3.4, 3.6, 3.5, 3.3, 3.9}},
		{Workload: "p", Scenario: "burst", Runtime: StaticPrefix + "cron-cpus-1", Better: "lower", Values: []float64{3.4, 4.1, 3.3, 3.4, 6.8}},
	}}
	c := onlyCapture(t, r)
	if c.BestName != StaticPrefix+"cron-cpus-1" || c.Captured != nil || c.GapP == nil || *c.GapP <= MaxGapP || !strings.Contains(c.Note, "within the noise") {
		t.Errorf("capture %+v, p %v: want no fraction, the noise said", c, c.GapP)
	}
	if c.Regret >= 0.1 || c.PerRep == nil {
		t.Errorf("regret and the per-repetition fractions are still given: %+v", c)
	}
	if strings.Contains(c.Note, "worse than runsc") {
		t.Errorf("an agent better than runsc is said to be worse: %q", c.Note)
	}
	// An agent whose every repetition is worse than runsc's is said so.
	r.Series[1].Values = []float64{5.0, 5.2, 5.1, 5.3, 5.5}
	if c := onlyCapture(t, r); !strings.Contains(c.Note, "runsc-ai+agent is worse than runsc beyond the noise (p = 0.004)") {
		t.Errorf("note %q: want the agent's loss to runsc", c.Note)
	}
}

// onlyCapture summarizes r's series and returns its one capture of
// runsc-ai+agent.
func onlyCapture(t *testing.T, r *Results) Capture {
	t.Helper()
	for i := range r.Series {
		r.Series[i].summarize(func([]float64, float64) float64 { return 0 })
	}
	cs := r.captures(RunscAIAgent)
	if len(cs) != 1 {
		t.Fatalf("%d captures", len(cs))
	}
	return cs[0]
}
