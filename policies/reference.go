package policies

import (
	"bytes"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// field documents one policy field. Path is its YAML path: <name> stands
// for a map key, [] for a list item. OK and Bad are values the loader must
// accept and refuse (TestReferenceBoundsAreTheLoaders checks both), so the
// bounds written here cannot drift from the checks in Parse.
type field struct {
	Path    string
	Unit    string
	Bounds  string
	Doc     string
	OK, Bad []string
}

// mapKeys name the placeholder of each map in File, by the map's path, and
// the key the bounds test uses for it. An array, not a map: it is data laid
// out by the compiler, costing nothing when runsc-ai starts.
var mapKeys = [...]struct{ path, placeholder, example string }{
	{"goals", "<goal>", "maximize_throughput"},
	{"kinds", "<kind>", "security"},
	{"create.platforms", "<arch>", "amd64"},
	{"create.profiles", "<profile>", "profile_io_heavy"},
	{"create.profiles.*", "<flag>", "overlay2"},
	{"rules[].when", "<feature>", "cpu_util"},
}

// placeholder is the placeholder of the map at mapPath.
func placeholder(mapPath string) string {
	for _, k := range mapKeys {
		if k.path == mapPath {
			return k.placeholder
		}
	}
	return "<" + mapPath + ">"
}

var fields = []field{
	{Path: "version", Unit: "integer", Bounds: "1", Doc: "The policy format's version.", OK: []string{"1"}, Bad: []string{"2"}},
	{Path: "goal", Unit: "name", Bounds: "a key of `goals`", Doc: "The goal the engine optimises.", OK: []string{"moderate_power"}, Bad: []string{"fastest"}},
	{Path: "goals.<goal>.throughput", Unit: "weight", Bounds: "[0, 1]", Doc: "Weight of the throughput change in the reward.", OK: []string{"0", "1"}, Bad: []string{"-0.1", "1.5"}},
	{Path: "goals.<goal>.latency", Unit: "weight", Bounds: "[0, 1]", Doc: "Weight of the latency change (lower is better) in the reward.", OK: []string{"0", "1"}, Bad: []string{"-1", "2"}},
	{Path: "goals.<goal>.efficiency", Unit: "weight", Bounds: "[0, 1]", Doc: "Weight of the resource-efficiency change in the reward.", OK: []string{"0", "1"}, Bad: []string{"-1", "2"}},
	{Path: "goals.<goal>.stability", Unit: "weight", Bounds: "[0, 1]", Doc: "Weight of stability (no OOM kills, no throttling storms) in the reward.", OK: []string{"0", "1"}, Bad: []string{"-1", "2"}},
	{Path: "kinds.<kind>.actions", Unit: "action names", Bounds: "the kind's action space (`keep` is always allowed)", Doc: "The actions this decision kind may take; every kind (create, cpu, memory, io, security) must be listed.", OK: []string{"[keep]", "[keep, report_anomaly]"}, Bad: []string{"[overclock]", "[raise_shares]"}},
	{Path: "kinds.<kind>.max_step_pct", Unit: "% of the current setting", Bounds: "0..100", Doc: "How far one decision may move a setting (a memory cut that the image's recorded peak bounds goes to that peak plus 25 % at once: docs/live-loop.md).", OK: []string{"0", "100"}, Bad: []string{"-1", "101"}},
	{Path: "kinds.<kind>.min_evidence", Unit: "measurement windows", Bounds: "≥ 0 (0: `guardrails.min_evidence`)", Doc: "Evidence this kind needs before anything but keep.", OK: []string{"0", "50"}, Bad: []string{"-1"}},
	{Path: "kinds.<kind>.explore", Unit: "boolean", Bounds: "true, false (absent: true)", Doc: "false: the fast tier never explores for this kind, it takes its conservative estimate.", OK: []string{"false", "true"}, Bad: []string{"sometimes"}},
	{Path: "guardrails.min_evidence", Unit: "measurement windows", Bounds: "≥ 0", Doc: "Windows of evidence before any decision but keep (one suffices for a memory cut that the image's recorded peak bounds: its earlier runs are the evidence).", OK: []string{"0", "1000"}, Bad: []string{"-1"}},
	{Path: "guardrails.min_interval", Unit: "duration", Bounds: "≥ 0", Doc: "Minimum time between two cuts of one kind to one sandbox (grants are never delayed, nor are memory cuts that stay above the image's recorded peak plus 25 %: docs/live-loop.md).", OK: []string{"0s", "1h"}, Bad: []string{"-1s"}},
	{Path: "guardrails.hysteresis", Unit: "duration", Bounds: "≥ 0", Doc: "No cut reverses a grant made less than this long ago.", OK: []string{"0s", "1h"}, Bad: []string{"-1s"}},
	{Path: "guardrails.floors.cpu_shares", Unit: "cgroup CPU shares", Bounds: "≥ 0", Doc: "No decision cuts CPU shares below this.", OK: []string{"0", "1024"}, Bad: []string{"-1"}},
	{Path: "guardrails.floors.cpu_quota_pct", Unit: "% of one CPU", Bounds: "≥ 0", Doc: "No decision cuts the CFS quota below this.", OK: []string{"0", "100"}, Bad: []string{"-1"}},
	{Path: "guardrails.floors.memory_bytes", Unit: "bytes", Bounds: "≥ 0", Doc: "No decision cuts the memory limit below this.", OK: []string{"0", "67108864"}, Bad: []string{"-1"}},
	{Path: "guardrails.floors.io_weight", Unit: "block I/O weight", Bounds: "≥ 0", Doc: "No decision cuts the I/O weight below this.", OK: []string{"0", "100"}, Bad: []string{"-1"}},
	{Path: "cache.ttl", Unit: "duration", Bounds: "> 0", Doc: "How long a cached decision answers its situation.", OK: []string{"1s", "24h"}, Bad: []string{"0s", "-1m"}},
	{Path: "cache.regress", Unit: "reward", Bounds: "[0, 2]", Doc: "A cache entry whose reward drops this far below its best is evicted.", OK: []string{"0", "2"}, Bad: []string{"-0.1", "2.1"}},
	{Path: "cache.min_confidence", Unit: "confidence 0..100", Bounds: "0..101 (101: never cache fast-tier decisions)", Doc: "Fast-tier decisions at least this confident are cached.", OK: []string{"0", "101"}, Bad: []string{"-1", "102"}},
	{Path: "fast.enabled", Unit: "boolean", Bounds: "true, false (absent: true)", Doc: "false: rules only — no learned decision where no rule holds, and no rule overridden by what outcomes taught (the baseline `runsc-ai bench` measures learning against).", OK: []string{"false", "true"}, Bad: []string{"maybe"}},
	{Path: "fast.alpha", Unit: "LinUCB α", Bounds: "[0, 10]", Doc: "Exploration of the fast tier (LinUCB's confidence width).", OK: []string{"0", "10"}, Bad: []string{"-1", "11"}},
	{Path: "fast.distill_weight", Unit: "outcomes", Bounds: "[0, 100]", Doc: "One validated deep-tier answer teaches the fast tier as much as this many measured outcomes.", OK: []string{"0", "100"}, Bad: []string{"-1", "101"}},
	{Path: "fast.sandbox_budget", Unit: "outcome weight per hour", Bounds: "[0, 1000000] (0: unbounded)", Doc: "What one sandbox's outcomes and distilled answers may teach the shared fast tier per hour.", OK: []string{"0", "1000000"}, Bad: []string{"-1", "1000001"}},
	{Path: "deep.timeout", Unit: "duration", Bounds: "(0, 10m]", Doc: "Per inference; beyond it the fast decision stands.", OK: []string{"1ms", "10m"}, Bad: []string{"0s", "11m"}},
	{Path: "deep.concurrency", Unit: "inferences", Bounds: "1..64", Doc: "Inferences at once.", OK: []string{"1", "64"}, Bad: []string{"0", "65"}},
	{Path: "deep.queue", Unit: "situations", Bounds: "1..65536", Doc: "Situations waiting for the deep tier; more are dropped and counted.", OK: []string{"1", "65536"}, Bad: []string{"0", "65537"}},
	{Path: "deep.cpu_budget", Unit: "cores", Bounds: "[0, 1024] (0: unbounded)", Doc: "The in-process model's inference may use at most this share of one core, averaged over a minute.", OK: []string{"0", "1024"}, Bad: []string{"-0.5", "1025"}},
	{Path: "deep.max_temp_c", Unit: "°C", Bounds: "[0, 125] (0: no thermal guard)", Doc: "In-process inference pauses above this temperature, or while a Raspberry Pi's firmware throttles the CPU.", OK: []string{"0", "125"}, Bad: []string{"-1", "126"}},
	{Path: "deep.max_host_cpu", Unit: "share of the host's CPUs", Bounds: "[0, 1] (0: no contention guard)", Doc: "In-process inference does not start, and a running one stops, while work other than the agent keeps more than this share of the host's CPUs busy (measured over a quarter second): the model's memory traffic would slow the sandboxes that need the CPUs.", OK: []string{"0", "1"}, Bad: []string{"-0.1", "1.1"}},
	{Path: "deep.max_latency_need", Unit: "latency need", Bounds: "[0, 1] (0: no latency guard)", Doc: "In-process inference does not start, and a running one stops, while a managed sandbox's latency need (a feature, docs/live-loop.md) is above this: an interactive service is active, and a token's pass over the model's weights would take memory bandwidth and cache from it.", OK: []string{"0", "1"}, Bad: []string{"-0.1", "1.1"}},
	{Path: "create.boot_timeout", Unit: "duration", Bounds: "(0, 5m]", Doc: "A boot with a decided boot-critical setting (the platform) gets this long before it is retried once with gVisor's default.", OK: []string{"1s", "5m"}, Bad: []string{"0s", "6m"}},
	{Path: "create.platforms.<arch>", Unit: "gVisor platform names", Bounds: "arch amd64 or arm64; platforms systrap, kvm, ptrace", Doc: "Platform preference per architecture; kvm is chosen only where the host probe says it boots.", OK: []string{"[systrap]", "[kvm, systrap]"}, Bad: []string{"[]", "[xen]"}},
	{Path: "create.profiles.<profile>.<flag>", Unit: "gVisor flag value", Bounds: "allowlisted settings and values (`runsc-ai decide --dry-run` lists them)", Doc: "The gVisor flags a create profile sets; none loosens isolation.", OK: []string{"root:self"}, Bad: []string{"root:/tmp"}},
	{Path: "rules[].name", Unit: "name", Bounds: "unique, non-empty", Doc: "The rule's name, shown as a decision's reason.", OK: []string{"mine"}, Bad: []string{`""`}},
	{Path: "rules[].kind", Unit: "kind name", Bounds: "create, cpu, memory, io, security", Doc: "The decision kind the rule answers.", OK: []string{"cpu"}, Bad: []string{"gpu"}},
	{Path: "rules[].when.<feature>.min", Unit: "feature value", Bounds: "[0, 1], ≤ max (absent: 0)", Doc: "The rule holds when every named feature is in [min, max]; features are listed in docs/live-loop.md.", OK: []string{"0", "0.5"}, Bad: []string{"-0.1", "1.5"}},
	{Path: "rules[].when.<feature>.max", Unit: "feature value", Bounds: "[0, 1], ≥ min (absent: 1)", Doc: "See min.", OK: []string{"0.5", "1"}, Bad: []string{"0.1", "1.5"}},
	{Path: "rules[].action", Unit: "action name", Bounds: "one of `kinds.<kind>.actions`", Doc: "What the rule decides.", OK: []string{"lower_shares"}, Bad: []string{"raise_limit"}},
	{Path: "rules[].step_pct", Unit: "% of the current setting", Bounds: "0..`kinds.<kind>.max_step_pct`", Doc: "How far the rule moves the setting.", OK: []string{"0", "90"}, Bad: []string{"-1", "91"}},
	{Path: "security.learn_runs", Unit: "runs (sandboxes of the image)", Bounds: "1..1000", Doc: "An image's behaviour profile learns over its first runs (docs/security.md).", OK: []string{"1", "1000"}, Bad: []string{"0", "1001"}},
	{Path: "security.learn_windows", Unit: "tap windows", Bounds: "0..1000000", Doc: "…and over at least this many windows; the profile freezes when the image's next sandbox starts.", OK: []string{"0", "100"}, Bad: []string{"-1"}},
	{Path: "security.report_every", Unit: "duration", Bounds: "(0, 24h]", Doc: "One sandbox reports one rule on one subject (a binary, a class) at most this often.", OK: []string{"1s", "24h"}, Bad: []string{"0s", "25h"}},
	{Path: "security.rules[].name", Unit: "name", Bounds: "unique, non-empty", Doc: "The security rule's name: a finding's rule, a metric label.", OK: []string{"mine"}, Bad: []string{`""`}},
	{Path: "security.rules[].kind", Unit: "rule kind", Bounds: "new_exec, new_network, privileged, fork_rate", Doc: "new_exec: an exec of a binary the image never executed; new_network: a socket of a family (inet, netlink, other) it never opened; privileged: an attempt at a privileged operation of a class it never attempted (or any, with always); fork_rate: process creation above factor × its highest rate.", OK: []string{"privileged"}, Bad: []string{"telepathy"}},
	{Path: "security.rules[].classes", Unit: "class names", Bounds: "ptrace, mount, namespace, bpf, module, keys, privileged; privileged rules only (absent: all)", Doc: "Which privileged operations a privileged rule looks at.", OK: []string{"[module]", "[mount, ptrace]"}, Bad: []string{"[file_io]", "[nonsense]"}},
	{Path: "security.rules[].always", Unit: "boolean", Bounds: "privileged rules only", Doc: "true: any attempt is a finding, profile or not, from a new image's first window.", OK: []string{"true", "false"}, Bad: []string{"sometimes"}},
	{Path: "security.rules[].factor", Unit: "multiple of the profile's highest rate", Bounds: "[0, 1000]; ≥ 1 for fork_rate", Doc: "A fork_rate rule fires above this many times the image's highest process-creation rate.", OK: []string{"0", "4"}, Bad: []string{"-1", "1001"}},
	{Path: "security.rules[].min_rate", Unit: "process creations per second", Bounds: "[0, 1000000]", Doc: "…and above this rate.", OK: []string{"0", "50"}, Bad: []string{"-1"}},
	{Path: "security.rules[].enforce", Unit: "action", Bounds: "pause, kill or absent", Doc: "Beyond the report, pause (gVisor's pause) or kill the sandbox that broke the rule, and only it. Off in the default policy.", OK: []string{`""`, "pause", "kill"}, Bad: []string{"shoot"}},
}

// leafPaths lists File's fields as YAML paths, placeholders for map keys.
func leafPaths() []string {
	var out []string
	var walk func(t reflect.Type, path, mapPath string)
	walk = func(t reflect.Type, path, mapPath string) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case t == reflect.TypeOf(time.Duration(0)) || t.Kind() != reflect.Struct && t.Kind() != reflect.Map && t.Kind() != reflect.Slice:
			out = append(out, path)
		case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
			out = append(out, path)
		case t.Kind() == reflect.Slice:
			walk(t.Elem(), path+"[]", mapPath+"[]")
		case t.Kind() == reflect.Map:
			walk(t.Elem(), path+"."+placeholder(mapPath), mapPath+".*")
		default:
			for i := range t.NumField() {
				name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
				p, mp := name, name
				if path != "" {
					p, mp = path+"."+name, mapPath+"."+name
				}
				walk(t.Field(i).Type, p, mp)
			}
		}
	}
	walk(reflect.TypeOf(File{}), "", "")
	return out
}

// defaults is each map key's value at path in the default policy, or the
// value itself ("" for list items: rules are listed whole).
func defaults(path string) string {
	var doc any
	if err := yaml.Unmarshal(defaultYAML, &doc); err != nil {
		return ""
	}
	var vals []string
	var walk func(v any, segs []string, prefix string)
	walk = func(v any, segs []string, prefix string) {
		if len(segs) == 0 {
			b, _ := yaml.Marshal(v)
			s := strings.TrimSpace(string(b))
			if strings.Contains(s, "\n") {
				var flow []string
				for _, e := range v.([]any) {
					flow = append(flow, fmt.Sprint(e))
				}
				s = "[" + strings.Join(flow, ", ") + "]"
			}
			if prefix != "" {
				s = prefix + ": " + s
			}
			vals = append(vals, s)
			return
		}
		m, ok := v.(map[string]any)
		seg := segs[0]
		switch {
		case strings.HasSuffix(seg, "[]"):
			return
		case !ok:
			return
		case strings.HasPrefix(seg, "<"):
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(m[k], segs[1:], p)
			}
		default:
			if next, ok := m[seg]; ok {
				walk(next, segs[1:], prefix)
			}
		}
	}
	walk(doc, strings.Split(path, "."), "")
	return strings.Join(vals, "; ")
}

// Reference is docs/policies.md: every policy field with its unit, bounds,
// default and meaning, generated from the policy's types and the embedded
// default (`go generate ./policies`; a test fails when the file is stale).
func Reference() []byte {
	var b bytes.Buffer
	b.WriteString(`# Policy reference

<!-- Generated by ` + "`go generate ./policies`" + ` from policies/reference.go and
policies/default.yaml; edit those, not this file. -->

A policy is one YAML document (at most 1 MiB) given with ` + "`--ai-policy FILE`" + ` to every
runsc-ai command; without it the embedded default applies (` + "`runsc-ai policy show-default`" + `
prints it). ` + "`runsc-ai policy check FILE`" + ` reports every error with its file, line and field.
Unknown fields are errors. Durations are Go durations (` + "`90s`, `5m`" + `). In a path,
` + "`<name>`" + ` stands for a map key and ` + "`[]`" + ` for a list item. The bounds are the loader's:
a test feeds it each bound and a value beyond it.

| field | unit | bounds | default | meaning |
| --- | --- | --- | --- | --- |
`)
	for _, f := range fields {
		d := defaults(f.Path)
		if d == "" {
			d = "see default.yaml"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", f.Path, f.Unit, f.Bounds, strings.ReplaceAll(d, "|", "\\|"), f.Doc)
	}
	b.WriteString(`
Rules are tried in order; the first whose conditions all hold decides, after the cache and
before the fast tier (see [decisions.md](decisions.md)). Every decision, a rule's included,
passes the guardrails.
`)
	return b.Bytes()
}
