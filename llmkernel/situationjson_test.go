package llmkernel

import (
	"strings"
	"testing"
)

const goodSituation = `{"kind":"cpu","sandbox":"web","image":"nginx","features":{"cpu_util":0.9},"evidence":5,"limits":{"cpu_shares":2048},"current":{"cpu_shares":1024}}`

func TestDecodeSituation(t *testing.T) {
	s, err := DecodeSituation(strings.NewReader(goodSituation + "\n"))
	if err != nil || s.Kind != KindCPU || s.Features[FeatCPUUtil] != 0.9 || s.Ceiling.CPUShares != 2048 {
		t.Fatalf("%+v %v", s, err)
	}
	if s, err := DecodeSituation(strings.NewReader(`{"kind":"memory","current":{"memory_bytes":536870912},"peak_memory_bytes":104857600}`)); err != nil || s.PeakMemory != 100<<20 {
		t.Errorf("peak memory: %+v %v", s, err)
	}
	for name, doc := range map[string]string{
		"trailing data":  goodSituation + `{"kind":"memory"}`,
		"trailing junk":  goodSituation + ` x`,
		"huge sandbox":   strings.Replace(goodSituation, `"web"`, `"`+strings.Repeat("a", 900_000)+`"`, 1),
		"long image":     strings.Replace(goodSituation, `"nginx"`, `"`+strings.Repeat("i", MaxImageLen+1)+`"`, 1),
		"unknown field":  strings.Replace(goodSituation, `"evidence"`, `"evidense"`, 1),
		"feature range":  strings.Replace(goodSituation, `0.9`, `1.5`, 1),
		"unknown kind":   strings.Replace(goodSituation, `"cpu"`, `"gpu"`, 1),
		"over 1 MiB":     `{"kind":"cpu","sandbox":"` + strings.Repeat(" ", MaxSituationSize) + `"}`,
		"negative count": strings.Replace(goodSituation, `"evidence":5`, `"evidence":-5`, 1),
		"negative peak":  strings.Replace(goodSituation, `"evidence":5`, `"evidence":5,"peak_memory_bytes":-1`, 1),
	} {
		if _, err := DecodeSituation(strings.NewReader(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// FuzzDecodeSituation: anything accepted is within every bound and the
// engine decides on it without failing.
func FuzzDecodeSituation(f *testing.F) {
	f.Add([]byte(goodSituation))
	f.Add([]byte(`{"kind":"memory","features":{"mem_util":0.1}}`))
	f.Add([]byte(`{"kind":"io"} {}`))
	e, err := New(Config{Policy: testPolicy()})
	if err != nil {
		f.Fatal(err)
	}
	defer e.Close()
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeSituation(strings.NewReader(string(b)))
		if err != nil {
			return
		}
		if len(s.Sandbox) > MaxSandboxLen || len(s.Image) > MaxImageLen || s.Kind >= numKinds {
			t.Fatalf("accepted %+v", s)
		}
		d := e.Decide(t.Context(), s)
		if d.Kind != s.Kind || d.StepPct < 0 || d.StepPct > MaxStepPct {
			t.Fatalf("decision %+v", d)
		}
	})
}
