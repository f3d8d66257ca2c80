package policies

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-os-agent/runsc-ai/llmkernel"
)

func TestDefaultPolicy(t *testing.T) {
	p := Default()
	if p.Goal.Name != "prioritize_interactive" || p.Goal.Latency != 1 {
		t.Errorf("goal %+v", p.Goal)
	}
	if p.Guardrails.MinEvidence != 3 || p.Guardrails.Hysteresis != time.Minute || p.Guardrails.Floors.MemoryBytes != 64<<20 {
		t.Errorf("guardrails %+v", p.Guardrails)
	}
	for _, k := range llmkernel.Kinds() {
		for i, ok := range p.Kinds[k].Allowed {
			if !ok {
				t.Errorf("default %s disallows %s", k, llmkernel.ActionName(k, llmkernel.Action(i)))
			}
		}
	}
	if _, err := llmkernel.New(llmkernel.Config{Policy: p}); err != nil {
		t.Errorf("engine rejects the default policy: %v", err)
	}
}

func TestErrorsNameFileLineAndField(t *testing.T) {
	base, err := os.ReadFile("default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, from, to string
		// want: texts the error holds; "@TEXT" stands for ":N:", the
		// line of the changed file that TEXT is on.
		want []string
	}{
		{"unknown field", "  queue: 64", "  queue: 64\n  qeueu: 3", []string{"@qeueu: 3", "field qeueu not found"}},
		{"unknown goal", "goal: prioritize_interactive", "goal: fastest", []string{"@goal: fastest", "goal:", `"fastest" is not defined`}},
		{"unknown action", "[keep, raise_weight, lower_weight]", "[keep, raise_weight, nuke]", []string{"@[keep, raise_weight, nuke]", "kinds.io.actions", `"nuke"`}},
		{"weight range", "latency: 0.3,", "latency: 3,", []string{"@latency: 3,", "goals.maximize_throughput.latency", "outside [0, 1]"}},
		{"bad duration", "ttl: 5m", "ttl: soon", []string{"@ttl: soon", "cannot unmarshal"}},
		{"bad yaml", "cache:", "cache: [", []string{"did not find expected"}},
		{"step range", "max_step_pct: 25", "max_step_pct: 250", []string{"kinds.memory.max_step_pct", "outside 0..100"}},
		{"concurrency", "concurrency: 1", "concurrency: 0", []string{"deep.concurrency", "1..64"}},
		{"weakening flag", `profile_default: {}`, `profile_default: {network: "host"}`, []string{"create.profiles.profile_default.network", "not a setting"}},
		{"bad flag value", `app-huge-pages: "false"}`, `app-huge-pages: "maybe"}`, []string{"create.profiles.profile_low_memory.app-huge-pages", `"maybe" is not allowed`}},
		{"unknown profile", "profile_default: {}", "profile_turbo: {}", []string{"create.profiles.profile_turbo", "not a create profile"}},
		{"unknown platform", "arm64: [kvm, systrap]", "arm64: [kvm, gvisor-hw]", []string{"create.platforms.arm64", `"gvisor-hw" is not allowed`}},
		{"unknown arch", "arm64: [kvm, systrap]", "riscv64: [systrap]", []string{"create.platforms.riscv64", "unknown architecture"}},
		{"rule feature", "when: {cpu_util: {min: 0.5}, latency_need", "when: {cpu_utl: {min: 0.5}, latency_need", []string{"rules.0.when.cpu_utl", "unknown feature"}},
		{"rule range", "mem_util: {max: 0.55}", "mem_util: {max: 4}", []string{"rules.5.when.mem_util", "0 ≤ min ≤ max ≤ 1"}},
		{"rule action", "action: lower_weight", "action: lower_shares", []string{"rules.6.action", "not in the io action space"}},
		{"rule step", "step_pct: 25\n  - name: memory_right_size", "step_pct: 30\n  - name: memory_right_size", []string{"rules.4.step_pct", "outside 0..25"}},
		{"boot timeout", "boot_timeout: 20s", "boot_timeout: 0s", []string{"create.boot_timeout", "(0, 5m]"}},
		// NaN compares false with every bound: each must still be refused.
		{"nan weight", "latency: 0.3,", "latency: .nan,", []string{"goals.maximize_throughput.latency", "outside [0, 1]"}},
		{"nan alpha", "alpha: 0.3", "alpha: .nan", []string{"fast.alpha"}},
		{"nan distill", "distill_weight: 2", "distill_weight: .NaN", []string{"fast.distill_weight"}},
		{"nan regress", "regress: 0.2", "regress: .nan", []string{"cache.regress"}},
		{"nan rule range", "mem_util: {max: 0.55}", "mem_util: {max: .nan}", []string{"rules.5.when.mem_util", "0 ≤ min ≤ max ≤ 1"}},
		{"nan rule min", "when: {cpu_util: {min: 0.5}", "when: {cpu_util: {min: .nan}", []string{"rules.0.when.cpu_util"}},
		// A rule of a kind the kinds section leaves out: an error, not a
		// panic (found by FuzzParse).
		{"rule of a missing kind", "  io:\n    actions: [keep, raise_weight, lower_weight]", "  io_x:\n    actions: [keep, raise_weight, lower_weight]", []string{"kinds.io", "missing"}},
		{"second document", "version: 1", "version: 1\n---\nversion: 1", []string{"second YAML document"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(string(base), tc.from, tc.to, 1)
			if src == string(base) {
				t.Fatalf("fixture text %q not in default.yaml", tc.from)
			}
			path := filepath.Join(t.TempDir(), "p.yaml")
			os.WriteFile(path, []byte(src), 0o644)
			_, err := Load(path)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range append(tc.want, path) {
				// "@TEXT": the error names the line TEXT is on.
				if text, ok := strings.CutPrefix(w, "@"); ok {
					w = fmt.Sprintf(":%d:", strings.Count(src[:strings.Index(src, text)], "\n")+1)
				}
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// A policy is read with a bound: /dev/zero or a huge file is refused after
// maxPolicySize+1 bytes, not read to the end.
func TestLoadIsBounded(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(big, append([]byte("version: 1\n#"), make([]byte, maxPolicySize)...), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/dev/zero", big} {
		if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "more than") || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v", path, err)
		}
	}
}

// The engine refuses NaN in a policy built without the loader.
func TestEngineRefusesNaN(t *testing.T) {
	for _, mutate := range []func(*llmkernel.Policy){
		func(p *llmkernel.Policy) { p.Goal.Latency = math.NaN() },
		func(p *llmkernel.Policy) { p.Fast.Alpha = math.NaN() },
		func(p *llmkernel.Policy) { p.Fast.DistillWeight = math.Inf(1) },
		func(p *llmkernel.Policy) { p.Cache.Regress = math.NaN() },
		func(p *llmkernel.Policy) { p.Rules[0].When[0].Min = math.NaN() },
	} {
		p := Default()
		mutate(&p)
		if e, err := llmkernel.New(llmkernel.Config{Policy: p}); err == nil {
			e.Close()
			t.Errorf("engine accepted %+v", p)
		}
	}
}

func TestMissingFile(t *testing.T) {
	if _, err := Load("/no/such/policy.yaml"); err == nil || !strings.Contains(err.Error(), "/no/such/policy.yaml") {
		t.Errorf("%v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(defaultYAML)
	f.Add([]byte("version: 1\ngoal: x\n"))
	f.Add([]byte("{a: [1, {b: *c}]}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse("fuzz.yaml", b)
		if err != nil {
			return
		}
		// Anything accepted must be usable by the engine.
		e, err := llmkernel.New(llmkernel.Config{Policy: p})
		if err != nil {
			t.Fatalf("accepted a policy the engine rejects: %v", err)
		}
		e.Close()
	})
}

// The generated default_gen.go must be default.yaml as parsed now, and each
// Default a copy of its own.
func TestGeneratedDefaultIsCurrent(t *testing.T) {
	want, err := Parse(DefaultName, defaultYAML)
	if err != nil {
		t.Fatal(err)
	}
	if got := Default(); !reflect.DeepEqual(got, want) {
		t.Fatalf("default_gen.go is stale: run 'go generate ./policies'\n got %+v\nwant %+v", got, want)
	}
	p := Default()
	p.Kinds[0].Allowed[0], p.Create.Profiles["profile_latency"]["x"], p.Rules[0].When[0].Min = false, "y", -1
	if got := Default(); !reflect.DeepEqual(got, want) {
		t.Fatal("changing one Default changed the next")
	}
}
