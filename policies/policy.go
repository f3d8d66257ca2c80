// Package policies holds runsc-ai's declarative policies — goals, action
// spaces and guardrails — as YAML, with embedded defaults, and the loader that
// turns them into an llmkernel.Policy. Loader errors name the file, line and
// field.
package policies

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/profile"
	"github.com/go-os-agent/runsc-ai/llmkernel/sandboxconf"
	"github.com/go-os-agent/runsc-ai/llmkernel/summary"
)

//go:embed default.yaml
var defaultYAML []byte

// default_gen.go holds default.yaml parsed and checked, as Go data; a test
// fails when it is stale. The generator builds with the gendefault tag,
// which parses the YAML instead, so a stale file never stops it.
//
//go:generate go run -tags gendefault ./internal/gendefault
//go:generate go run ./internal/genref

// DefaultName is how the embedded default policy is named in errors.
const DefaultName = "<embedded default.yaml>"

// File is the YAML document.
type File struct {
	Version    int                    `yaml:"version"`
	Goal       string                 `yaml:"goal"`
	Goals      map[string]GoalWeights `yaml:"goals"`
	Kinds      map[string]KindSpec    `yaml:"kinds"`
	Guardrails GuardrailSpec          `yaml:"guardrails"`
	Cache      CacheSpec              `yaml:"cache"`
	Fast       FastSpec               `yaml:"fast"`
	Deep       DeepSpec               `yaml:"deep"`
	Create     CreateSpec             `yaml:"create"`
	Rules      []RuleSpec             `yaml:"rules"`
	Security   SecuritySpec           `yaml:"security"`
}

// SecuritySpec configures behaviour profiles and the security rules.
type SecuritySpec struct {
	LearnRuns    int                `yaml:"learn_runs"`
	LearnWindows int                `yaml:"learn_windows"`
	ReportEvery  time.Duration      `yaml:"report_every"`
	Rules        []SecurityRuleSpec `yaml:"rules"`
}

// SecurityRuleSpec is one security rule.
type SecurityRuleSpec struct {
	Name    string   `yaml:"name"`
	Kind    string   `yaml:"kind"`
	Classes []string `yaml:"classes"`
	Always  bool     `yaml:"always"`
	Factor  float64  `yaml:"factor"`
	MinRate float64  `yaml:"min_rate"`
	Enforce string   `yaml:"enforce"`
}

// RuleSpec is one declarative rule: when every feature is in its range,
// take the action.
type RuleSpec struct {
	Name    string               `yaml:"name"`
	Kind    string               `yaml:"kind"`
	When    map[string]RangeSpec `yaml:"when"`
	Action  string               `yaml:"action"`
	StepPct int                  `yaml:"step_pct"`
}

// RangeSpec bounds a feature; a missing bound is open (features are in [0, 1]).
type RangeSpec struct {
	Min *float64 `yaml:"min"`
	Max *float64 `yaml:"max"`
}

// CreateSpec configures create-time configuration decisions.
type CreateSpec struct {
	BootTimeout time.Duration                `yaml:"boot_timeout"`
	Platforms   map[string][]string          `yaml:"platforms"`
	Profiles    map[string]map[string]string `yaml:"profiles"`
}

// GoalWeights weigh outcome dimensions.
type GoalWeights struct {
	Throughput float64 `yaml:"throughput"`
	Latency    float64 `yaml:"latency"`
	Efficiency float64 `yaml:"efficiency"`
	Stability  float64 `yaml:"stability"`
}

// KindSpec restricts a decision kind.
type KindSpec struct {
	Actions     []string `yaml:"actions"`
	MaxStepPct  int      `yaml:"max_step_pct"`
	MinEvidence int      `yaml:"min_evidence"` // 0: the guardrail's
	Explore     *bool    `yaml:"explore"`      // nil: true
}

// GuardrailSpec is the guardrails section.
type GuardrailSpec struct {
	MinEvidence int           `yaml:"min_evidence"`
	MinInterval time.Duration `yaml:"min_interval"`
	Hysteresis  time.Duration `yaml:"hysteresis"`
	Floors      FloorSpec     `yaml:"floors"`
}

// FloorSpec are the policy floors.
type FloorSpec struct {
	CPUShares   uint64 `yaml:"cpu_shares"`
	CPUQuotaPct uint64 `yaml:"cpu_quota_pct"`
	MemoryBytes uint64 `yaml:"memory_bytes"`
	IOWeight    uint64 `yaml:"io_weight"`
}

// CacheSpec configures the immediate tier.
type CacheSpec struct {
	TTL           time.Duration `yaml:"ttl"`
	Regress       float64       `yaml:"regress"`
	MinConfidence int           `yaml:"min_confidence"`
}

// FastSpec configures the fast tier.
type FastSpec struct {
	Enabled       *bool   `yaml:"enabled"` // nil: true
	Alpha         float64 `yaml:"alpha"`
	DistillWeight float64 `yaml:"distill_weight"`
	SandboxBudget float64 `yaml:"sandbox_budget"`
}

// DeepSpec configures the deep tier.
type DeepSpec struct {
	Timeout     time.Duration `yaml:"timeout"`
	Concurrency int           `yaml:"concurrency"`
	Queue       int           `yaml:"queue"`
	CPUBudget   float64       `yaml:"cpu_budget"`
	MaxTempC    float64       `yaml:"max_temp_c"`
	MaxHostCPU  float64       `yaml:"max_host_cpu"`
	MaxLatency  float64       `yaml:"max_latency_need"`
}

// maxPolicySize bounds a policy file.
const maxPolicySize = 1 << 20

// Default returns the embedded default policy, a new copy each time. It is
// generated Go data: parsing the YAML costs ~1 ms, and even decoding a
// JSON form 0.2–0.3 ms, on every container create.
func Default() llmkernel.Policy { return defaultPolicy() }

// Load reads and checks a policy file. It reads at most one byte more than
// a policy may hold, so a huge file or a device (/dev/zero) is refused
// without being read.
func Load(path string) (llmkernel.Policy, error) {
	f, err := os.Open(path)
	if err != nil {
		return llmkernel.Policy{}, fmt.Errorf("policy: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPolicySize+1))
	if err != nil {
		return llmkernel.Policy{}, fmt.Errorf("policy: %s: %w", path, err)
	}
	if len(b) > maxPolicySize {
		return llmkernel.Policy{}, &Error{File: path, Msg: fmt.Sprintf("more than %d bytes", maxPolicySize)}
	}
	return Parse(path, b)
}

// within reports whether lo ≤ v ≤ hi; NaN is in no range.
func within(v, lo, hi float64) bool { return v >= lo && v <= hi }

// Error is a policy error at a place in a file.
type Error struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

// Parse checks a policy document named name (for errors).
func Parse(name string, data []byte) (llmkernel.Policy, error) {
	if len(data) > maxPolicySize {
		return llmkernel.Policy{}, &Error{File: name, Msg: fmt.Sprintf("%d bytes, more than %d", len(data), maxPolicySize)}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return llmkernel.Policy{}, yamlError(name, err)
	}
	if len(root.Content) == 0 {
		return llmkernel.Policy{}, &Error{File: name, Msg: "empty policy"}
	}
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return llmkernel.Policy{}, yamlError(name, err)
	}
	// One document per file: a second one would be silently ignored.
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return llmkernel.Policy{}, &Error{File: name, Line: extra.Line, Msg: "a second YAML document; a policy file holds one"}
	} else if !errors.Is(err, io.EOF) {
		return llmkernel.Policy{}, yamlError(name, err)
	}
	c := checker{file: name, root: root.Content[0]}
	p := c.policy(&f)
	if len(c.errs) > 0 {
		return llmkernel.Policy{}, errors.Join(c.errs...)
	}
	return p, nil
}

// yamlError turns yaml.v3's "yaml: line N: msg" into file:line form.
func yamlError(name string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var errs []error
		for _, m := range te.Errors {
			errs = append(errs, lineError(name, m))
		}
		return errors.Join(errs...)
	}
	return lineError(name, strings.TrimPrefix(err.Error(), "yaml: "))
}

func lineError(name, msg string) error {
	var line int
	if _, err := fmt.Sscanf(msg, "line %d:", &line); err == nil {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	return &Error{File: name, Line: line, Msg: msg}
}

type checker struct {
	file string
	root *yaml.Node
	errs []error
}

// fail records an error at the line of the field path (e.g. "kinds", "cpu").
func (c *checker) fail(msg string, path ...string) {
	c.errs = append(c.errs, &Error{File: c.file, Line: line(c.root, path), Field: strings.Join(path, "."), Msg: msg})
}

func line(n *yaml.Node, path []string) int {
	for _, p := range path {
		if n.Kind == yaml.SequenceNode {
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(n.Content) {
				break
			}
			n = n.Content[i]
			continue
		}
		if n.Kind != yaml.MappingNode {
			break
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == p {
				n, found = n.Content[i+1], true
				break
			}
		}
		if !found {
			break
		}
	}
	return n.Line
}

func (c *checker) policy(f *File) llmkernel.Policy {
	var p llmkernel.Policy
	if f.Version != 1 {
		c.fail(fmt.Sprintf("unsupported version %d (want 1)", f.Version), "version")
	}
	for _, name := range sortedKeys(f.Goals) {
		w := f.Goals[name]
		for _, fv := range []struct {
			field string
			v     float64
		}{{"throughput", w.Throughput}, {"latency", w.Latency}, {"efficiency", w.Efficiency}, {"stability", w.Stability}} {
			if !within(fv.v, 0, 1) {
				c.fail(fmt.Sprintf("weight %v outside [0, 1]", fv.v), "goals", name, fv.field)
			}
		}
	}
	g, ok := f.Goals[f.Goal]
	if !ok {
		c.fail(fmt.Sprintf("goal %q is not defined under goals (have %s)", f.Goal, strings.Join(sortedKeys(f.Goals), ", ")), "goal")
	}
	p.Goal = llmkernel.Goal{Name: f.Goal, Throughput: g.Throughput, Latency: g.Latency, Efficiency: g.Efficiency, Stability: g.Stability}

	for _, name := range sortedKeys(f.Kinds) {
		if _, err := llmkernel.ParseKind(name); err != nil {
			c.fail(err.Error(), "kinds", name)
		}
	}
	for _, k := range llmkernel.Kinds() {
		spec, ok := f.Kinds[k.String()]
		if !ok {
			c.fail("missing: every decision kind needs its actions listed", "kinds", k.String())
			continue
		}
		kp := llmkernel.KindPolicy{Allowed: make([]bool, len(llmkernel.Actions(k))), MaxStepPct: spec.MaxStepPct, MinEvidence: spec.MinEvidence,
			NoExplore: spec.Explore != nil && !*spec.Explore}
		if spec.MinEvidence < 0 {
			c.fail("must not be negative", "kinds", k.String(), "min_evidence")
		}
		kp.Allowed[llmkernel.ActionKeep] = true
		for _, a := range spec.Actions {
			idx, err := llmkernel.ParseAction(k, a)
			if err != nil {
				c.fail(err.Error(), "kinds", k.String(), "actions")
				continue
			}
			kp.Allowed[idx] = true
		}
		if spec.MaxStepPct < 0 || spec.MaxStepPct > llmkernel.MaxStepPct {
			c.fail(fmt.Sprintf("%d outside 0..%d", spec.MaxStepPct, llmkernel.MaxStepPct), "kinds", k.String(), "max_step_pct")
		}
		p.Kinds[k] = kp
	}

	gr := f.Guardrails
	if gr.MinEvidence < 0 {
		c.fail("must not be negative", "guardrails", "min_evidence")
	}
	if gr.MinInterval < 0 || gr.Hysteresis < 0 {
		c.fail("durations must not be negative", "guardrails")
	}
	p.Guardrails = llmkernel.Guardrails{
		MinEvidence: gr.MinEvidence, MinInterval: gr.MinInterval, Hysteresis: gr.Hysteresis,
		Floors: llmkernel.Resources{CPUShares: gr.Floors.CPUShares, CPUQuotaPct: gr.Floors.CPUQuotaPct, MemoryBytes: gr.Floors.MemoryBytes, IOWeight: gr.Floors.IOWeight},
	}

	if f.Cache.TTL <= 0 {
		c.fail("must be a positive duration such as 5m", "cache", "ttl")
	}
	if !within(f.Cache.Regress, 0, 2) {
		c.fail("must be in [0, 2]", "cache", "regress")
	}
	if f.Cache.MinConfidence < 0 || f.Cache.MinConfidence > 101 {
		c.fail("must be in 0..101 (101: never cache fast decisions)", "cache", "min_confidence")
	}
	p.Cache = llmkernel.CachePolicy{TTL: f.Cache.TTL, Regress: f.Cache.Regress, MinConfidence: f.Cache.MinConfidence}

	if !within(f.Fast.Alpha, 0, 10) {
		c.fail("must be in [0, 10]", "fast", "alpha")
	}
	if !within(f.Fast.DistillWeight, 0, 100) {
		c.fail("must be in [0, 100]", "fast", "distill_weight")
	}
	if !within(f.Fast.SandboxBudget, 0, 1e6) {
		c.fail("must be in [0, 1000000] (0: unbounded)", "fast", "sandbox_budget")
	}
	p.Fast = llmkernel.FastPolicy{Off: f.Fast.Enabled != nil && !*f.Fast.Enabled, Alpha: f.Fast.Alpha, DistillWeight: f.Fast.DistillWeight, SandboxBudget: f.Fast.SandboxBudget}

	if f.Deep.Timeout <= 0 || f.Deep.Timeout > 10*time.Minute {
		c.fail("must be a duration in (0, 10m]", "deep", "timeout")
	}
	if f.Deep.Concurrency < 1 || f.Deep.Concurrency > 64 {
		c.fail("must be in 1..64", "deep", "concurrency")
	}
	if f.Deep.Queue < 1 || f.Deep.Queue > 1<<16 {
		c.fail("must be in 1..65536", "deep", "queue")
	}
	if !within(f.Deep.CPUBudget, 0, 1024) {
		c.fail("must be in [0, 1024] cores (0: unbounded)", "deep", "cpu_budget")
	}
	if !within(f.Deep.MaxTempC, 0, 125) {
		c.fail("must be in [0, 125] °C (0: no thermal guard)", "deep", "max_temp_c")
	}
	if !within(f.Deep.MaxHostCPU, 0, 1) {
		c.fail("must be in [0, 1] of the host's CPUs (0: no contention guard)", "deep", "max_host_cpu")
	}
	if !within(f.Deep.MaxLatency, 0, 1) {
		c.fail("must be in [0, 1], a latency need (0: no latency guard)", "deep", "max_latency_need")
	}
	p.Deep = llmkernel.DeepPolicy{Timeout: f.Deep.Timeout, Concurrency: f.Deep.Concurrency, Queue: f.Deep.Queue,
		CPUBudget: f.Deep.CPUBudget, MaxTempC: f.Deep.MaxTempC, MaxHostCPU: f.Deep.MaxHostCPU, MaxLatencyNeed: f.Deep.MaxLatency}
	p.Create = c.create(&f.Create)
	p.Rules = c.rules(f.Rules, &p)
	p.Security = c.security(&f.Security)
	return p
}

func (c *checker) security(f *SecuritySpec) llmkernel.SecurityPolicy {
	if f.LearnRuns < 1 || f.LearnRuns > 1000 {
		c.fail("must be in 1..1000", "security", "learn_runs")
	}
	if f.LearnWindows < 0 || f.LearnWindows > 1_000_000 {
		c.fail("must be in 0..1000000", "security", "learn_windows")
	}
	if f.ReportEvery <= 0 || f.ReportEvery > 24*time.Hour {
		c.fail("must be a duration in (0, 24h]", "security", "report_every")
	}
	p := llmkernel.SecurityPolicy{Learning: profile.Learning{Runs: f.LearnRuns, Windows: f.LearnWindows}, ReportEvery: f.ReportEvery}
	names := map[string]bool{}
	for i, rs := range f.Rules {
		at := func(field ...string) []string {
			return append([]string{"security", "rules", strconv.Itoa(i)}, field...)
		}
		if rs.Name == "" || names[rs.Name] {
			c.fail("every rule needs a unique name", at("name")...)
		}
		names[rs.Name] = true
		r := profile.Rule{Name: rs.Name, Always: rs.Always, Factor: rs.Factor, MinRate: rs.MinRate, Enforce: rs.Enforce}
		k, err := profile.ParseRuleKind(rs.Kind)
		if err != nil {
			c.fail(err.Error(), at("kind")...)
		}
		r.Kind = k
		for _, name := range rs.Classes {
			cl, err := summary.ParseClass(name)
			if err != nil || !cl.Sensitive() {
				c.fail(fmt.Sprintf("%q is not a privileged-operation class (ptrace, mount, namespace, bpf, module, keys, privileged)", name), at("classes")...)
				continue
			}
			r.Classes = append(r.Classes, cl)
		}
		if len(rs.Classes) > 0 && k != profile.Privileged {
			c.fail("only a privileged rule names classes", at("classes")...)
		}
		if rs.Always && k != profile.Privileged {
			c.fail("only a privileged rule can apply always", at("always")...)
		}
		if !within(rs.Factor, 0, 1000) || k == profile.ForkRate && rs.Factor < 1 {
			c.fail("must be in [0, 1000], and at least 1 for a fork_rate rule", at("factor")...)
		}
		if !within(rs.MinRate, 0, 1e6) {
			c.fail("must be in [0, 1000000] per second", at("min_rate")...)
		}
		if !slices.Contains(profile.Enforcements, rs.Enforce) {
			c.fail(fmt.Sprintf("%q: want pause, kill or nothing", rs.Enforce), at("enforce")...)
		}
		p.Rules = append(p.Rules, r)
	}
	return p
}

func (c *checker) rules(specs []RuleSpec, p *llmkernel.Policy) []llmkernel.Rule {
	var out []llmkernel.Rule
	names := map[string]bool{}
	for i, rs := range specs {
		at := func(field ...string) []string { return append([]string{"rules", strconv.Itoa(i)}, field...) }
		r := llmkernel.Rule{Name: rs.Name, StepPct: rs.StepPct}
		if rs.Name == "" || names[rs.Name] {
			c.fail("every rule needs a unique name", at("name")...)
		}
		names[rs.Name] = true
		k, err := llmkernel.ParseKind(rs.Kind)
		if err != nil {
			c.fail(err.Error(), at("kind")...)
			continue
		}
		r.Kind = k
		a, err := llmkernel.ParseAction(k, rs.Action)
		switch {
		case err != nil:
			c.fail(err.Error(), at("action")...)
		case int(a) >= len(p.Kinds[k].Allowed) || !p.Kinds[k].Allowed[a]: // the kind may be missing from kinds (already an error)
			c.fail(fmt.Sprintf("%s is not among kinds.%s.actions", rs.Action, k), at("action")...)
		}
		r.Action = a
		if rs.StepPct < 0 || rs.StepPct > p.Kinds[k].MaxStepPct {
			c.fail(fmt.Sprintf("%d outside 0..%d (kinds.%s.max_step_pct)", rs.StepPct, p.Kinds[k].MaxStepPct, k), at("step_pct")...)
		}
		if len(rs.When) == 0 {
			c.fail("a rule needs at least one condition", at("when")...)
		}
		for _, name := range sortedKeys(rs.When) {
			f, err := llmkernel.ParseFeature(name)
			if err != nil {
				c.fail(err.Error(), at("when", name)...)
				continue
			}
			cond := llmkernel.Condition{Feature: f, Min: 0, Max: 1}
			if b := rs.When[name].Min; b != nil {
				cond.Min = *b
			}
			if b := rs.When[name].Max; b != nil {
				cond.Max = *b
			}
			if !within(cond.Min, 0, 1) || !within(cond.Max, 0, 1) || cond.Min > cond.Max {
				c.fail(fmt.Sprintf("range [%v, %v]: want 0 ≤ min ≤ max ≤ 1", cond.Min, cond.Max), at("when", name)...)
			}
			r.When = append(r.When, cond)
		}
		out = append(out, r)
	}
	return out
}

// knownArches are the GOARCH values runsc-ai is built for.
var knownArches = map[string]bool{"amd64": true, "arm64": true}

func (c *checker) create(f *CreateSpec) llmkernel.CreatePolicy {
	if f.BootTimeout <= 0 || f.BootTimeout > 5*time.Minute {
		c.fail("must be a duration in (0, 5m]", "create", "boot_timeout")
	}
	for _, arch := range sortedKeys(f.Platforms) {
		if !knownArches[arch] {
			c.fail(fmt.Sprintf("unknown architecture %q (want amd64 or arm64)", arch), "create", "platforms", arch)
		}
		if len(f.Platforms[arch]) == 0 {
			c.fail("lists no platform", "create", "platforms", arch)
		}
		for _, p := range f.Platforms[arch] {
			if err := sandboxconf.CheckSetting("platform", p); err != nil {
				c.fail(err.Error(), "create", "platforms", arch)
			}
		}
	}
	for _, name := range sortedKeys(f.Profiles) {
		a, err := llmkernel.ParseAction(llmkernel.KindCreate, name)
		if err != nil || a == llmkernel.ActionKeep {
			c.fail(fmt.Sprintf("not a create profile (want one of %v)", sandboxconf.Profiles()[1:]), "create", "profiles", name)
			continue
		}
		for _, flag := range sortedKeys(f.Profiles[name]) {
			if err := sandboxconf.CheckSetting(flag, f.Profiles[name][flag]); err != nil {
				c.fail(err.Error(), "create", "profiles", name, flag)
			}
		}
	}
	return llmkernel.CreatePolicy{Platforms: f.Platforms, Profiles: f.Profiles, BootTimeout: f.BootTimeout}
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// DefaultYAML returns the embedded default policy's text.
func DefaultYAML() []byte { return append([]byte(nil), defaultYAML...) }
