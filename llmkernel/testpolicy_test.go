package llmkernel

import "time"

// testPolicy allows everything with easy guardrails; tests tighten what they
// exercise. (The YAML defaults are tested in the policies package.)
func testPolicy() Policy {
	var p Policy
	for _, k := range Kinds() {
		p.Kinds[k] = AllowAll(k, 50)
	}
	p.Goal = Goal{Name: "test", Throughput: 1, Latency: 1}
	p.Guardrails = Guardrails{MinEvidence: 1, Floors: Resources{CPUShares: 64, MemoryBytes: 64 << 20}}
	p.Cache = CachePolicy{TTL: time.Minute, Regress: 0.2, MinConfidence: 80}
	p.Fast = FastPolicy{Alpha: 1, DistillWeight: 2}
	p.Deep = DeepPolicy{Timeout: 2 * time.Second, Concurrency: 1, Queue: 8}
	return p
}
