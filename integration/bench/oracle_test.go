package bench

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

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
	for i := range r.Series {
		r.Series[i].summarize(func([]float64, float64) float64 { return 0 })
	}
	cs := r.captures(RunscAIAgent)
	if len(cs) != 1 {
		t.Fatalf("%d captures", len(cs))
	}
	c := cs[0]
	if c.BestName != Floor || c.Captured == nil || math.Abs(*c.Captured-3.0/6) > 1e-9 {
		t.Errorf("capture %+v (a failed static setting is no candidate; the floor's median is 4)", c)
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
